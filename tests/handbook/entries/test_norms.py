from itertools import combinations

import numpy as np
from sklearn.linear_model import Lasso, LinearRegression, Ridge

from gradbook import handbook
from gradbook.handbook.entries.norms import LASSO_ALPHA, RIDGE_ALPHA, design


def _numpy_gd_iterations(X, y, alpha, target, tol, max_iter):
    """Plain gradient descent on ‖Xw − y‖² + α‖w‖², step 1/L, L = 2 λ_max(XᵀX + αI)."""
    A = X.T @ X + alpha * np.eye(X.shape[1])
    lr = 1.0 / (2 * np.linalg.eigvalsh(A)[-1])
    w = np.zeros(X.shape[1])
    for it in range(1, max_iter + 1):
        w = w - lr * (2 * X.T @ (X @ w - y) + 2 * alpha * w)
        if np.linalg.norm(w - target) <= tol * np.linalg.norm(target):
            return it
    return max_iter


def test_norms_numbers_and_verdicts():
    r = handbook.run("norms", quick=True)
    X, y = design(r.numbers["n_samples"])
    p = X.shape[1]
    lasso = Lasso(alpha=LASSO_ALPHA, fit_intercept=False, tol=1e-10, max_iter=100_000).fit(X, y)
    ridge = Ridge(alpha=RIDGE_ALPHA, fit_intercept=False).fit(X, y)
    assert r.numbers["lasso_zeros"] == int((lasso.coef_ == 0).sum()) > 0
    assert r.numbers["ridge_zeros"] == int((ridge.coef_ == 0).sum()) == 0
    assert np.isclose(r.numbers["ridge_min_abs_coef"], np.abs(ridge.coef_).min(), rtol=1e-8)
    # exhaustive L0 search by hand with numpy least squares
    k = p - r.numbers["lasso_zeros"]
    rss = {s: np.sum((y - X[:, s] @ np.linalg.lstsq(X[:, s], y, rcond=None)[0]) ** 2)
           for s in combinations(range(p), k)}
    assert r.numbers["l0_fits"] == len(rss)
    assert r.numbers["l0_support"] == str(min(rss, key=rss.get))
    assert r.numbers["lasso_support"] == str(tuple(int(j) for j in np.flatnonzero(lasso.coef_)))
    # condition numbers from the eigenvalues: κ = λ_max / λ_min, shifted by α
    eig = np.linalg.eigvalsh(X.T @ X)
    assert np.isclose(r.numbers["cond_ols"], eig[-1] / eig[0], rtol=1e-8)
    assert np.isclose(r.numbers["cond_ridge"], (eig[-1] + RIDGE_ALPHA) / (eig[0] + RIDGE_ALPHA), rtol=1e-8)
    tol = r.numbers["gd_tol"]
    ols = LinearRegression(fit_intercept=False).fit(X, y).coef_
    assert abs(r.numbers["gd_iters_ols"] - _numpy_gd_iterations(X, y, 0.0, ols, tol, 20_000)) <= 1
    assert abs(r.numbers["gd_iters_ridge"] - _numpy_gd_iterations(X, y, RIDGE_ALPHA, ridge.coef_, tol, 20_000)) <= 1
    assert r.verdicts == {"l1-exact-zeros": "confirmed", "l1-finds-l0-support": "confirmed",
                          "l2-conditioning": "confirmed", "l2-faster-gd": "confirmed"}
