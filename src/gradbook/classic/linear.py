"""Least-squares regression: ordinary (LinearRegression), ℓ2-penalised (Ridge), ℓ1-penalised
(Lasso, by cyclic coordinate descent with a duality-gap stop), with scikit-learn's API.

Shapes: X (n_samples, n_features); y (n_samples,) or (n_samples, n_targets); coef_ (n_features,)
or (n_targets, n_features); intercept_ float or (n_targets,).
"""
from __future__ import annotations

import math
import warnings

import numpy as np
from scipy import linalg
from sklearn.base import BaseEstimator, MultiOutputMixin, RegressorMixin
from sklearn.exceptions import ConvergenceWarning

from ._linear_base import check_param, check_positive, fit_data, predict_data
from ._validation import check_sample_weight

__all__ = ["LinearRegression", "Ridge", "Lasso"]


def _center(X: np.ndarray, y: np.ndarray, sw: np.ndarray | None, fit_intercept: bool):
    """Weighted means of X and y, and X, y centred on them (the intercept is then ȳ - x̄ᵀw)."""
    if not fit_intercept:
        return X, y, np.zeros(X.shape[1], X.dtype), np.zeros(y.shape[1:], y.dtype)
    x_off = np.average(X, axis=0, weights=sw).astype(X.dtype, copy=False)
    y_off = np.average(y, axis=0, weights=sw).astype(y.dtype, copy=False)
    return X - x_off, y - y_off, x_off, y_off


def _rescale(X: np.ndarray, y: np.ndarray, sw: np.ndarray | None):
    """Rows times √wᵢ, so that Σ wᵢ (yᵢ - xᵢᵀw)² becomes an ordinary sum of squares."""
    if sw is None:
        return X, y
    s = np.sqrt(sw).astype(X.dtype, copy=False)
    return X * s[:, None], y * (s[:, None] if y.ndim == 2 else s)


class _LinearModel(MultiOutputMixin, RegressorMixin, BaseEstimator):
    """ŷ = X coefᵀ + intercept for the three regressors (shared predict and fitted shapes)."""

    def _set_coef(self, W: np.ndarray, x_off: np.ndarray, y_off: np.ndarray, y_ndim: int) -> None:
        # W: (n_features, n_targets)
        intercept = y_off - x_off @ W if self.fit_intercept else np.zeros(W.shape[1], W.dtype)
        if y_ndim == 1:
            self.coef_, self.intercept_ = W[:, 0].copy(), float(intercept[0]) if self.fit_intercept else 0.0
        else:
            self.coef_, self.intercept_ = np.ascontiguousarray(W.T), np.asarray(intercept)

    def predict(self, X) -> np.ndarray:
        """ŷ = X coefᵀ + intercept.  (n, d) -> (n,) or (n, n_targets)."""
        X = predict_data(self, X)
        return X @ self.coef_.T.astype(X.dtype, copy=False) + self.intercept_

    def _prepare(self, X, y, sample_weight, y_numeric=True):
        X, y = fit_data(self, X, y, multi_output=True, y_numeric=y_numeric)
        y = y.astype(X.dtype, copy=False)
        sw = None if sample_weight is None else check_sample_weight(self, sample_weight, X)
        y2 = y[:, None] if y.ndim == 1 else y
        Xc, yc, x_off, y_off = _center(X, y2, sw, self.fit_intercept)
        return X, y, y2, sw, Xc, yc, x_off, y_off


class LinearRegression(_LinearModel):
    """Ordinary least squares: w = argmin Σ wᵢ (yᵢ - xᵢᵀw - b)², solved by SVD-based lstsq on the
    centred data (minimum-norm solution when X is rank deficient), as scikit-learn does.

    Parameters
    ----------
    fit_intercept : bool, default True
    copy_X : bool, default True — kept for API parity (X is never modified in place).
    tol : float, default 1e-6 — singular values below tol · s_max count as zero (the rank cut-off;
        it drops the direction that centring removes, so weights act exactly like repeated rows).

    Attributes
    ----------
    coef_, intercept_, rank_, singular_, n_features_in_
    """

    def __init__(self, *, fit_intercept: bool = True, copy_X: bool = True, tol: float = 1e-6):
        self.fit_intercept = fit_intercept
        self.copy_X = copy_X
        self.tol = tol

    def fit(self, X, y, sample_weight=None) -> "LinearRegression":
        X, y, y2, sw, Xc, yc, x_off, y_off = self._prepare(X, y, sample_weight)
        Xs, ys = _rescale(Xc, yc, sw)
        W, _, self.rank_, self.singular_ = linalg.lstsq(Xs, ys, cond=self.tol, check_finite=False)
        self._set_coef(W.astype(X.dtype, copy=False), x_off, y_off, y.ndim)
        return self


class Ridge(_LinearModel):
    """ℓ2-penalised least squares: w = argmin ‖y - Xw - b‖² + α‖w‖² (intercept not penalised).

    Closed form on the centred data: w = (XᵀX + αI)⁻¹Xᵀy by Cholesky when n_samples >= n_features,
    else the dual w = Xᵀ(XXᵀ + αI)⁻¹y; ``solver='svd'`` uses w = V diag(s/(s²+α)) Uᵀy.

    Parameters
    ----------
    alpha : float or array of shape (n_targets,), default 1.0
    fit_intercept : bool, default True
    copy_X : bool, default True
    solver : {'auto', 'cholesky', 'svd'}, default 'auto' ('auto' = 'cholesky')
    """

    def __init__(self, alpha: float = 1.0, *, fit_intercept: bool = True, copy_X: bool = True,
                 solver: str = "auto"):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.copy_X = copy_X
        self.solver = solver

    def fit(self, X, y, sample_weight=None) -> "Ridge":
        check_param(self, "solver", self.solver, ("auto", "cholesky", "svd"))
        X, y, y2, sw, Xc, yc, x_off, y_off = self._prepare(X, y, sample_weight)
        alpha = np.asarray(self.alpha, dtype=np.float64).ravel()
        if alpha.size not in (1, y2.shape[1]) or (alpha < 0).any() or not np.isfinite(alpha).all():
            raise ValueError(f"Ridge: alpha must be a non-negative number or one per target "
                             f"({y2.shape[1]}); got {self.alpha!r}")
        Xs, ys = _rescale(Xc, yc, sw)
        if self.solver == "svd":
            W = self._solve_svd(Xs, ys, alpha)
        else:
            W = self._solve_cholesky(Xs, ys, alpha)
        self._set_coef(W.astype(X.dtype, copy=False), x_off, y_off, y.ndim)
        return self

    @staticmethod
    def _solve_svd(X, y, alpha):
        U, s, Vt = linalg.svd(X, full_matrices=False, check_finite=False)
        s_nz = s > 1e-15 * (s[0] if s.size else 1.0)
        d = np.zeros((s.size, alpha.size))
        d[s_nz] = s[s_nz, None] / (s[s_nz, None] ** 2 + alpha[None, :])
        return Vt.T @ (d * (U.T @ y))

    @staticmethod
    def _solve_cholesky(X, y, alpha):
        n, p = X.shape
        primal = n >= p
        A = X.T @ X if primal else X @ X.T
        B = X.T @ y if primal else y
        W = np.empty((p, y.shape[1]), dtype=X.dtype)
        same = alpha.size == 1
        for t in range(1 if same else y.shape[1]):
            At = A.copy()
            At.flat[:: At.shape[0] + 1] += alpha[t]
            rhs = B if same else B[:, t:t + 1]
            try:
                sol = linalg.solve(At, rhs, assume_a="pos", check_finite=False)
            except (linalg.LinAlgError, ValueError):
                sol = linalg.lstsq(At, rhs, check_finite=False)[0]
            sol = sol if primal else X.T @ sol
            if same:
                return sol
            W[:, t] = sol[:, 0]
        return W


class Lasso(_LinearModel):
    """ℓ1-penalised least squares by cyclic coordinate descent:

        min_w  1/(2n) ‖y - Xw - b‖² + α‖w‖₁

    Each sweep sets wⱼ ← S(xⱼᵀrⱼ, nα) / ‖xⱼ‖² (S = soft threshold, rⱼ the residual without
    feature j). When the largest coordinate change is below tol·max|w| the duality gap is computed
    and the fit stops once gap < tol·‖y‖², the same rule as scikit-learn. With n_samples >=
    n_features the sweeps run on the Gram matrix G = XᵀX (O(d) per coordinate instead of O(n)).

    Parameters
    ----------
    alpha : float, default 1.0
    fit_intercept : bool, default True
    copy_X : bool, default True
    max_iter : int, default 1000 (full sweeps)
    tol : float, default 1e-4
    """

    def __init__(self, alpha: float = 1.0, *, fit_intercept: bool = True, copy_X: bool = True,
                 max_iter: int = 1000, tol: float = 1e-4):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.copy_X = copy_X
        self.max_iter = max_iter
        self.tol = tol

    def fit(self, X, y, sample_weight=None) -> "Lasso":
        check_positive(self, "alpha", self.alpha, strict=False)
        check_positive(self, "max_iter", self.max_iter, integer=True)
        check_positive(self, "tol", self.tol, strict=False)
        X, y, y2, sw, Xc, yc, x_off, y_off = self._prepare(X, y, sample_weight)
        n = X.shape[0] if sw is None else sw.sum()
        Xs, ys = _rescale(Xc.astype(np.float64, copy=False), yc.astype(np.float64, copy=False), sw)
        W = np.zeros((X.shape[1], y2.shape[1]))
        gaps, iters = [], []
        use_gram = X.shape[0] >= X.shape[1] or X.shape[1] <= 2000
        G = Xs.T @ Xs if use_gram else None
        for t in range(y2.shape[1]):
            if use_gram:
                W[:, t], gap, it = _lasso_cd_gram(G, Xs.T @ ys[:, t], float(ys[:, t] @ ys[:, t]),
                                                  self.alpha * n, self.max_iter, self.tol)
            else:
                W[:, t], gap, it = _lasso_cd(Xs, ys[:, t], self.alpha * n, self.max_iter, self.tol)
            gaps.append(gap), iters.append(it)
        self.dual_gap_ = gaps[0] if y.ndim == 1 else np.array(gaps)
        self.n_iter_ = iters[0] if y.ndim == 1 else np.array(iters)
        self._set_coef(W.astype(X.dtype, copy=False), x_off, y_off, y.ndim)
        return self


def _lasso_cd_gram(G: np.ndarray, q: np.ndarray, yy: float, lam: float, max_iter: int, tol: float):
    """Coordinate descent for ½‖y - Xw‖² + λ‖w‖₁ given G = XᵀX, q = Xᵀy, yy = yᵀy.

    Returns (w, duality gap, number of sweeps). The gap uses the dual point θ = r·min(1, λ/‖Xᵀr‖∞).
    """
    p = G.shape[0]
    w = [0.0] * p                                  # scalars as Python floats: the loop is scalar
    Gw = np.zeros(p)                               # G w, kept up to date (one axpy per change)
    diag = np.diag(G).tolist()
    ql = q.tolist()
    Gl = [G[j] for j in range(p)]
    tol_gap = tol * yy
    gap = np.inf
    active = [j for j in range(p) if diag[j] > 0]
    for it in range(1, max_iter + 1):
        w_max = d_max = 0.0
        for j in active:
            wj = w[j]
            rho = ql[j] - Gw.item(j) + diag[j] * wj   # xⱼᵀ rⱼ
            new = math.copysign(max(abs(rho) - lam, 0.0), rho) / diag[j]
            if new != wj:
                Gw += (new - wj) * Gl[j]
                w[j] = new
                d_max = max(d_max, abs(new - wj))
            w_max = max(w_max, abs(new))
        if w_max == 0.0 or d_max / w_max < tol or it == max_iter:
            gap = _lasso_gap(np.array(w), Gw, q, yy, lam)
            if gap < tol_gap:
                return np.array(w), gap, it
    _warn_lasso(max_iter, gap, tol_gap)
    return np.array(w), gap, max_iter


def _lasso_cd(X: np.ndarray, y: np.ndarray, lam: float, max_iter: int, tol: float):
    """The same coordinate descent on the residual r = y - Xw (O(n) per coordinate, no Gram)."""
    n, p = X.shape
    w = np.zeros(p)
    r = y.copy()
    Xf = np.asfortranarray(X)
    cols = [Xf[:, j] for j in range(p)]
    norms = np.einsum("ij,ij->j", X, X)
    yy = float(y @ y)
    tol_gap = tol * yy
    gap = np.inf
    for it in range(1, max_iter + 1):
        w_max = d_max = 0.0
        for j in np.flatnonzero(norms > 0):
            wj = w[j]
            rho = cols[j] @ r + norms[j] * wj
            new = np.sign(rho) * max(abs(rho) - lam, 0.0) / norms[j]
            if new != wj:
                r -= (new - wj) * cols[j]
                w[j] = new
                d_max = max(d_max, abs(new - wj))
            w_max = max(w_max, abs(new))
        if w_max == 0.0 or d_max / w_max < tol or it == max_iter:
            gap = _gap(w, X.T @ r, float(r @ r), float(r @ y), lam)
            if gap < tol_gap:
                return w, gap, it
    _warn_lasso(max_iter, gap, tol_gap)
    return w, gap, max_iter


def _warn_lasso(max_iter, gap, tol_gap):
    warnings.warn(f"Lasso: coordinate descent did not converge in {max_iter} sweeps (duality gap "
                  f"{gap:.3g}, tolerance {tol_gap:.3g}); increase max_iter or alpha.", ConvergenceWarning)


def _lasso_gap(w, Gw, q, yy, lam) -> float:
    """P(w) - D(θ) for ½‖r‖² + λ‖w‖₁ with r = y - Xw, written with G and q only."""
    return _gap(w, q - Gw, max(yy - 2 * (w @ q) + w @ Gw, 0.0), yy - w @ q, lam)


def _gap(w, Xtr, rr, ry, lam) -> float:
    """Duality gap from Xᵀr, ‖r‖², rᵀy; dual point θ = r·min(1, λ/‖Xᵀr‖∞)."""
    dual_norm = np.max(np.abs(Xtr), initial=0.0)
    const = lam / dual_norm if dual_norm > lam else 1.0
    return 0.5 * rr * (1 + const * const) + lam * np.abs(w).sum() - const * ry
