"""LinearRegression, Ridge and Lasso against scikit-learn on random data."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn import linear_model as sk
from sklearn.exceptions import ConvergenceWarning, NotFittedError

import gradbook as gb
from gradbook.classic import Lasso, LinearRegression, Ridge


def _data(seed, n, d, targets=None):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)) * rng.uniform(0.5, 3, size=d) + rng.normal(size=d)
    shape = (n,) if targets is None else (n, targets)
    y = (X @ rng.normal(size=(d,) if targets is None else (d, targets)) + rng.normal(size=shape) + 2.0)
    return X, y, rng


def _same(ours, theirs, atol=1e-6):
    np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=atol, rtol=1e-6)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, atol=atol, rtol=1e-6)


@given(n=st.integers(3, 40), d=st.integers(1, 8), targets=st.sampled_from([None, 1, 3]),
       fit_intercept=st.booleans(), weighted=st.booleans(), seed=st.integers(0, 9999))
def test_linear_regression_matches_sklearn(n, d, targets, fit_intercept, weighted, seed):
    X, y, rng = _data(seed, n, d, targets)
    sw = rng.uniform(0.1, 2, size=n) if weighted else None
    ours = LinearRegression(fit_intercept=fit_intercept).fit(X, y, sample_weight=sw)
    theirs = sk.LinearRegression(fit_intercept=fit_intercept).fit(X, y, sample_weight=sw)
    _same(ours, theirs)
    np.testing.assert_allclose(ours.predict(X), theirs.predict(X), atol=1e-6)


def test_linear_regression_rank_deficient_minimum_norm():
    X, y, _ = _data(0, 30, 4)
    X = np.hstack([X, X[:, :2]])                   # duplicated columns
    _same(LinearRegression().fit(X, y), sk.LinearRegression().fit(X, y))


@given(n=st.integers(2, 30), d=st.integers(1, 40), targets=st.sampled_from([None, 2]),
       alpha=st.floats(1e-3, 10), solver=st.sampled_from(["auto", "svd"]), fit_intercept=st.booleans(),
       weighted=st.booleans(), seed=st.integers(0, 9999))
def test_ridge_matches_sklearn(n, d, targets, alpha, solver, fit_intercept, weighted, seed):
    X, y, rng = _data(seed, n, d, targets)           # covers n > d (primal) and n < d (dual)
    sw = rng.uniform(0.1, 2, size=n) if weighted else None
    ours = Ridge(alpha, fit_intercept=fit_intercept, solver=solver).fit(X, y, sample_weight=sw)
    theirs = sk.Ridge(alpha, fit_intercept=fit_intercept, solver="svd").fit(X, y, sample_weight=sw)
    _same(ours, theirs)


def test_ridge_alpha_per_target():
    X, y, _ = _data(1, 25, 4, targets=3)
    alpha = np.array([0.1, 1.0, 10.0])
    _same(Ridge(alpha).fit(X, y), sk.Ridge(alpha).fit(X, y))


def test_ridge_float32_stays_float32():
    X, y, _ = _data(2, 20, 3)
    m = Ridge().fit(X.astype(np.float32), y.astype(np.float32))
    assert m.coef_.dtype == np.float32 and m.predict(X.astype(np.float32)).dtype == np.float32
    np.testing.assert_allclose(m.coef_, sk.Ridge().fit(X, y).coef_, rtol=1e-4)


@given(n=st.integers(5, 40), d=st.integers(1, 30), alpha=st.floats(1e-3, 1.0), fit_intercept=st.booleans(),
       seed=st.integers(0, 9999))
def test_lasso_reaches_sklearn_solution(n, d, alpha, fit_intercept, seed):
    X, y, _ = _data(seed, n, d)
    ours = Lasso(alpha, fit_intercept=fit_intercept, tol=1e-12, max_iter=100_000).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        theirs = sk.Lasso(alpha=alpha, fit_intercept=fit_intercept, tol=1e-12, max_iter=100_000).fit(X, y)
    _same(ours, theirs, atol=1e-6 * max(1.0, np.abs(theirs.coef_).max()))
    assert ours.dual_gap_ >= -1e-9


def test_lasso_default_tolerance_same_iterations_and_sparsity():
    X, y, _ = _data(3, 200, 20)
    ours, theirs = Lasso(0.3).fit(X, y), sk.Lasso(alpha=0.3).fit(X, y)
    assert ours.n_iter_ == theirs.n_iter_
    np.testing.assert_array_equal(ours.coef_ == 0, theirs.coef_ == 0)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=1e-10)


def test_lasso_wide_data_without_gram():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(20, 2100)), rng.normal(size=20)
    ours = Lasso(0.2, tol=1e-8).fit(X, y)
    theirs = sk.Lasso(alpha=0.2, tol=1e-8).fit(X, y)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=1e-6)


def test_lasso_multi_target_and_zero_solution():
    X, y, _ = _data(4, 30, 5, targets=2)
    _same(Lasso(0.1, tol=1e-10).fit(X, y), sk.Lasso(alpha=0.1, tol=1e-10).fit(X, y))
    big = Lasso(1e6).fit(X, y[:, 0])
    assert np.all(big.coef_ == 0) and big.intercept_ == pytest.approx(y[:, 0].mean())


def test_lasso_warns_when_not_converged():
    X, y, _ = _data(5, 50, 30)
    with pytest.warns(ConvergenceWarning, match="Lasso"):
        Lasso(1e-4, max_iter=2, tol=1e-12).fit(X, y)


@pytest.mark.parametrize("Model", [LinearRegression, Ridge, Lasso])
def test_bad_input_errors_name_the_estimator(Model):
    X, y, _ = _data(6, 20, 3)
    name = Model.__name__
    with pytest.raises(NotFittedError, match=name):
        Model().predict(X)
    Xnan = X.copy()
    Xnan[0, 0] = np.nan
    with pytest.raises(ValueError, match=f"(?s)NaN.*{name}"):
        Model().fit(Xnan, y)
    Xinf = X.copy()
    Xinf[1, 1] = np.inf
    with pytest.raises(ValueError, match=f"{name}: .*infinity"):
        Model().fit(Xinf, y)
    m = Model().fit(X, y)
    with pytest.raises(ValueError, match=f"X has 4 features, but {name} is expecting 3"):
        m.predict(np.ones((2, 4)))


def test_accepts_gradbook_tensors():
    X, y, _ = _data(7, 15, 3)
    np.testing.assert_allclose(Ridge().fit(gb.Tensor(X), gb.Tensor(y)).predict(gb.Tensor(X)),
                               sk.Ridge().fit(X, y).predict(X), atol=1e-6)


def test_invalid_parameters():
    X, y, _ = _data(8, 10, 2)
    with pytest.raises(ValueError, match="Ridge: alpha"):
        Ridge(alpha=-1).fit(X, y)
    with pytest.raises(ValueError, match="Ridge: solver"):
        Ridge(solver="sag").fit(X, y)
    with pytest.raises(ValueError, match="Lasso: alpha"):
        Lasso(alpha=-1).fit(X, y)
