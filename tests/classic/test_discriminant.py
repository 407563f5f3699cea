"""LinearDiscriminantAnalysis equals scikit-learn: transform up to the sign of each component,
predict exactly, predict_proba, coef_ and intercept_ to 1e-6."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn import discriminant_analysis as sk
from sklearn.datasets import load_iris, load_wine
from sklearn.exceptions import NotFittedError

from gradbook.classic import LinearDiscriminantAnalysis as LDA


def _random(seed, n, d, k):
    rng = np.random.default_rng(seed)
    y = np.arange(n) % k                      # every class present, at least 2 samples each
    X = rng.normal(size=(n, d)) + rng.normal(size=(k, d))[y] * 2
    return X, y


def _compare(ours, theirs, X):
    Za, Zb = ours.transform(X), theirs.transform(X)
    signs = np.where((Za * Zb).sum(axis=0) < 0, -1.0, 1.0)
    np.testing.assert_allclose(Za * signs, Zb, atol=1e-6, rtol=1e-6)
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), atol=1e-6)
    np.testing.assert_allclose(ours.decision_function(X), theirs.decision_function(X), atol=1e-6, rtol=1e-6)
    np.testing.assert_allclose(ours.explained_variance_ratio_, theirs.explained_variance_ratio_, atol=1e-6)


@given(seed=st.integers(0, 9999), d=st.integers(1, 6), k=st.integers(2, 5),
       solver=st.sampled_from(["svd", "eigen"]), shrink=st.sampled_from([None, 0.1, 0.7]))
def test_lda_matches_sklearn_on_random_data(seed, d, k, solver, shrink):
    X, y = _random(seed, 8 * k + d, d, k)
    shrinkage = shrink if solver == "eigen" else None
    ours = LDA(solver=solver, shrinkage=shrinkage).fit(X, y)
    theirs = sk.LinearDiscriminantAnalysis(solver=solver, shrinkage=shrinkage).fit(X, y)
    _compare(ours, theirs, X)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=1e-6, rtol=1e-6)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, atol=1e-6, rtol=1e-6)


@pytest.mark.parametrize("load", [load_iris, load_wine])
@pytest.mark.parametrize("kw", [dict(), dict(solver="eigen"), dict(n_components=1),
                                dict(priors=[0.5, 0.3, 0.2]), dict(store_covariance=True)])
def test_lda_matches_sklearn_on_real_data(load, kw):
    X, y = load(return_X_y=True)
    ours, theirs = LDA(**kw).fit(X, y), sk.LinearDiscriminantAnalysis(**kw).fit(X, y)
    _compare(ours, theirs, X)
    if "store_covariance" in kw or kw.get("solver") == "eigen":
        np.testing.assert_allclose(ours.covariance_, theirs.covariance_, atol=1e-9)


def test_svd_solver_handles_singular_covariance():
    X, y = _random(0, 30, 3, 3)
    X = np.hstack([X, X[:, :1] * 2])          # collinear column: Σ is singular
    _compare(LDA().fit(X, y), sk.LinearDiscriminantAnalysis().fit(X, y), X)


def test_bad_input():
    X, y = _random(1, 20, 3, 2)
    with pytest.raises(NotFittedError, match="LinearDiscriminantAnalysis"):
        LDA().predict(X)
    with pytest.raises(ValueError, match="LinearDiscriminantAnalysis needs samples of at least 2 classes"):
        LDA().fit(X, np.zeros(20))
    with pytest.raises(ValueError, match="LinearDiscriminantAnalysis: n_components"):
        LDA(n_components=2).fit(X, y)
    with pytest.raises(ValueError, match="shrinkage is not supported by solver='svd'"):
        LDA(shrinkage=0.5).fit(X, y)
    with pytest.raises(ValueError, match="LinearDiscriminantAnalysis: solver"):
        LDA(solver="lsqr").fit(X, y)
    with pytest.raises(ValueError, match="more than the number of classes"):
        LDA().fit(X[:2], y[:2])
    Xinf = X.copy()
    Xinf[0, 0] = np.inf
    with pytest.raises(ValueError, match="LinearDiscriminantAnalysis: .*infinity"):
        LDA().fit(Xinf, y)
    with pytest.raises(ValueError, match="X has 2 features, but LinearDiscriminantAnalysis is expecting 3"):
        LDA().fit(X, y).transform(X[:, :2])
