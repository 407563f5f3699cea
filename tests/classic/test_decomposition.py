"""PCA equals scikit-learn's (svd_solver='full') to 1e-6 on random data, signs included."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn import decomposition as sk
from sklearn.exceptions import NotFittedError

import gradbook as gb
from gradbook.classic import PCA


def _data(seed, n, d):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)) @ rng.normal(size=(d, d)) + rng.normal(size=d) * 5


@given(n=st.integers(2, 30), d=st.integers(1, 8), whiten=st.booleans(), seed=st.integers(0, 9999),
       k=st.sampled_from([None, 1, 2, 0.5, 0.95]))
def test_pca_matches_sklearn(n, d, whiten, seed, k):
    X = _data(seed, n, d)
    if isinstance(k, int) and k > min(n, d):
        k = min(n, d)
    ours, theirs = PCA(k, whiten=whiten).fit(X), sk.PCA(k, whiten=whiten, svd_solver="full").fit(X)
    assert ours.n_components_ == theirs.n_components_
    for name in ("components_", "explained_variance_", "explained_variance_ratio_", "singular_values_",
                 "mean_"):
        np.testing.assert_allclose(getattr(ours, name), getattr(theirs, name), atol=1e-6, rtol=1e-6,
                                   err_msg=name)
    assert ours.noise_variance_ == pytest.approx(theirs.noise_variance_, abs=1e-6, rel=1e-6)
    # whitening divides by √variance: a direction with zero variance (n <= d) is rounding noise
    ev = theirs.explained_variance_
    keep = ev > 1e-10 * ev.max(initial=0) if whiten else np.ones(len(ev), bool)
    Z = ours.transform(X)
    np.testing.assert_allclose(Z[:, keep], theirs.transform(X)[:, keep], atol=1e-6, rtol=1e-6)
    np.testing.assert_allclose(PCA(k, whiten=whiten).fit_transform(X)[:, keep], Z[:, keep], atol=1e-6, rtol=1e-6)
    np.testing.assert_allclose(ours.inverse_transform(Z), theirs.inverse_transform(Z), atol=1e-6, rtol=1e-6)


def test_full_rank_round_trip_and_whitened_unit_variance():
    X = _data(0, 50, 4)
    m = PCA(whiten=True).fit(X)
    Z = m.transform(X)
    np.testing.assert_allclose(np.cov(Z.T), np.eye(4), atol=1e-10)
    np.testing.assert_allclose(m.inverse_transform(Z), X, atol=1e-10)


def test_float32_and_tensors():
    X = _data(1, 20, 3)
    m = PCA(2).fit(X.astype(np.float32))
    assert m.components_.dtype == np.float32 and m.transform(X.astype(np.float32)).dtype == np.float32
    np.testing.assert_allclose(PCA(2).fit(gb.Tensor(X)).transform(gb.Tensor(X)),
                               sk.PCA(2).fit(X).transform(X), atol=1e-6)


def test_bad_input():
    X = _data(2, 10, 3)
    with pytest.raises(NotFittedError, match="PCA"):
        PCA().transform(X)
    with pytest.raises(ValueError, match="PCA: n_components"):
        PCA(5).fit(X)
    with pytest.raises(ValueError, match="PCA: n_components"):
        PCA(1.5).fit(X)
    with pytest.raises(ValueError, match="PCA: svd_solver"):
        PCA(svd_solver="arpack").fit(X)
    Xnan = X.copy()
    Xnan[0, 0] = np.nan
    with pytest.raises(ValueError, match="(?s)NaN.*PCA"):
        PCA().fit(Xnan)
    with pytest.raises(ValueError, match="X has 2 features, but PCA is expecting 3"):
        PCA().fit(X).transform(X[:, :2])
    with pytest.raises(ValueError, match="PCA.inverse_transform"):
        PCA(2).fit(X).inverse_transform(np.ones((2, 3)))


@pytest.mark.parametrize("n, d, k", [(400, 10, 3), (60, 40, 5), (520, 60, 5), (60, 520, 5), (510, 55, None)])
def test_auto_picks_sklearns_solver_and_agrees(n, d, k):
    """'auto' chooses covariance_eigh / full / randomized as scikit-learn does; with the same
    random_state the randomized fit uses scikit-learn's draws, so the results agree closely."""
    X = _data(n + d, n, d)
    ours = PCA(k, random_state=0).fit(X)
    theirs = sk.PCA(k, random_state=0).fit(X)
    assert ours._solver(n, d) == theirs._fit_svd_solver
    for name in ("components_", "explained_variance_", "explained_variance_ratio_", "singular_values_"):
        np.testing.assert_allclose(getattr(ours, name), getattr(theirs, name), rtol=1e-7, atol=1e-9,
                                   err_msg=name)
    assert ours.noise_variance_ == pytest.approx(theirs.noise_variance_, rel=1e-7, abs=1e-9)
    np.testing.assert_allclose(ours.fit_transform(X), theirs.fit_transform(X), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("solver", ["full", "covariance_eigh", "randomized"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_each_solver_matches_sklearn(solver, dtype):
    X = _data(7, 300, 12).astype(dtype)
    kw = dict(svd_solver=solver, random_state=1, whiten=True)
    ours, theirs = PCA(4, **kw).fit(X), sk.PCA(4, **kw).fit(X)
    tol = 1e-3 if dtype == np.float32 else 1e-8
    assert ours.components_.dtype == dtype
    np.testing.assert_allclose(ours.components_, theirs.components_, rtol=tol, atol=tol)
    np.testing.assert_allclose(ours.explained_variance_, theirs.explained_variance_, rtol=tol)
    np.testing.assert_allclose(ours.fit_transform(X), theirs.fit_transform(X), rtol=tol, atol=tol)


def test_randomized_needs_an_integer_count():
    with pytest.raises(ValueError, match="PCA: n_components must be an integer.*randomized"):
        PCA(0.5, svd_solver="randomized").fit(_data(3, 50, 6))
