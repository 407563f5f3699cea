"""Gaussian-process regression with an RBF or Matérn 5/2 kernel, hyperparameters fitted by
maximising the log marginal likelihood (L-BFGS-B from several starts).

Kernel, with r² = Σ_j (x_j − x'_j)² / ℓ_j² (one length scale, or one per input dimension):

    RBF:         k(x, x') = σ² exp(−r²/2)
    Matérn 5/2:  k(x, x') = σ² (1 + √5 r + 5r²/3) exp(−√5 r)

Observations y = f(X) + ε, ε ~ N(0, s² I) (s² is ``noise``). With K = k(X, X) + s² I = L Lᵀ and
α = K⁻¹ y (y centred and scaled when ``normalize_y``), the posterior at X* is

    mean = k(X*, X) α,    var = k(x*, x*) − ‖L⁻¹ k(X, x*)‖²,
    log p(y | X) = −½ yᵀα − Σ_i log L_ii − (n/2) log 2π,
    ∂ log p / ∂θ = ½ tr((ααᵀ − K⁻¹) ∂K/∂θ)      (θ = log σ², log ℓ_j, log s²).

This is scikit-learn's ``GaussianProcessRegressor(ConstantKernel(σ²) * RBF(ℓ) or Matern(ℓ, nu=2.5),
alpha=s², normalize_y=...)``: with the same fixed kernel (``optimizer=None``) the posterior and the
log marginal likelihood agree (tests/tune/test_gp.py). Here the noise is a hyperparameter too.
"""
from __future__ import annotations

import math

import numpy as np
from scipy.linalg import cho_solve, cholesky, solve_triangular
from scipy.optimize import minimize
from threadpoolctl import threadpool_limits

__all__ = ["GaussianProcess", "kernel_matrix"]

KERNELS = ("rbf", "matern52")


def _scaled_sq_dist(A: np.ndarray, B: np.ndarray, length_scale: np.ndarray) -> np.ndarray:
    """Per-dimension squared differences divided by ℓ_j²: shape (len(A), len(B), d)."""
    diff = (A[:, None, :] - B[None, :, :]) / length_scale
    return diff * diff


def kernel_matrix(kernel: str, A: np.ndarray, B: np.ndarray, amplitude: float, length_scale: np.ndarray,
                  with_grad: bool = False):
    """k(A, B); with ``with_grad`` also ∂k/∂log σ² and ∂k/∂log ℓ_j stacked as (n, m, 1 + n_ℓ).

    ∂k/∂log ℓ_j = σ² exp(−r²/2) d_j²/ℓ_j² (RBF),  σ² (5/3)(1 + √5 r) exp(−√5 r) d_j²/ℓ_j² (Matérn 5/2),
    summed over j when there is one shared length scale."""
    d2 = _scaled_sq_dist(A, B, length_scale)
    r2 = d2.sum(-1)
    if kernel == "rbf":
        base = np.exp(-0.5 * r2)
        radial = base                               # −∂k/∂(r²/2) / σ², the factor of d_j²/ℓ_j²
    elif kernel == "matern52":
        r = np.sqrt(r2) * math.sqrt(5.0)
        e = np.exp(-r)
        base = (1.0 + r + r * r / 3.0) * e
        radial = (5.0 / 3.0) * (1.0 + r) * e
    else:
        raise ValueError(f"GaussianProcess: kernel must be one of {KERNELS}, got {kernel!r}")
    K = amplitude * base
    if not with_grad:
        return K
    per_dim = d2 if length_scale.size > 1 else r2[..., None]
    return K, np.concatenate([K[..., None], amplitude * radial[..., None] * per_dim], axis=-1)


class GaussianProcess:
    """GP regressor (scikit-learn's ``fit``/``predict``/``log_marginal_likelihood`` names).

    Parameters
    ----------
    kernel : ``'rbf'`` or ``'matern52'``.
    amplitude, length_scale, noise : starting (or, with ``optimize=False``, fixed) σ², ℓ, s².
        ``length_scale`` is a float or one value per input dimension.
    normalize_y : centre and scale y by its mean and standard deviation before fitting.
    optimize : fit σ², ℓ, s² by maximising the log marginal likelihood.
    n_restarts : extra starts drawn log-uniformly inside ``bounds`` (from ``seed``).
    bounds : (low, high) for σ², ℓ and s², as a dict.

    Attributes
    ----------
    amplitude_, length_scale_, noise_ : the fitted values.
    log_marginal_likelihood_value_ : log p(y | X) at them.
    """

    def __init__(self, kernel: str = "matern52", amplitude: float = 1.0, length_scale: float | np.ndarray = 1.0,
                 noise: float = 1e-6, normalize_y: bool = True, optimize: bool = True, n_restarts: int = 3,
                 seed: int = 0, bounds: dict | None = None):
        if kernel not in KERNELS:
            raise ValueError(f"GaussianProcess: kernel must be one of {KERNELS}, got {kernel!r}")
        self.kernel, self.amplitude, self.length_scale, self.noise = kernel, amplitude, length_scale, noise
        self.normalize_y, self.optimize, self.n_restarts, self.seed = normalize_y, optimize, n_restarts, seed
        self.bounds = {"amplitude": (1e-2, 1e2), "length_scale": (1e-2, 1e2), "noise": (1e-8, 1e-1),
                       **(bounds or {})}

    # ------------------------------------------------------------------ fitting
    def fit(self, X: np.ndarray, y: np.ndarray) -> "GaussianProcess":
        X = np.asarray(X, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        if X.ndim != 2 or y.shape != (X.shape[0],) or X.shape[0] == 0:
            raise ValueError(f"GaussianProcess.fit: expected X of shape (n, d) with n >= 1 and y of shape (n,), "
                             f"got {X.shape} and {y.shape}")
        if not (np.isfinite(X).all() and np.isfinite(y).all()):
            raise ValueError("GaussianProcess.fit: X and y must be finite")
        self.X_train_ = X
        self._y_mean, self._y_std = (y.mean(), y.std()) if self.normalize_y else (0.0, 1.0)
        if self._y_std == 0:
            self._y_std = 1.0
        self._y = (y - self._y_mean) / self._y_std
        ls = np.broadcast_to(np.asarray(self.length_scale, dtype=np.float64), (np.size(self.length_scale),)).copy()
        if ls.size not in (1, X.shape[1]):
            raise ValueError(f"GaussianProcess.fit: length_scale has {ls.size} values for {X.shape[1]} input dimensions")
        if not (self.amplitude > 0 and np.all(ls > 0) and self.noise >= 0):
            raise ValueError(f"GaussianProcess: need amplitude > 0, length_scale > 0 and noise >= 0, got "
                             f"{self.amplitude}, {ls.tolist()}, {self.noise}")
        with np.errstate(divide="ignore"):  # noise 0 is log 0 = -inf, exp(-inf) = 0 again
            theta = np.log(np.concatenate([[self.amplitude], ls, [self.noise]]))
        if self.optimize:
            # tiny matrices: threaded BLAS only waits for busy cores (20x slower on two loaded ones)
            with threadpool_limits(1):
                theta = self._maximise_likelihood(theta)
        self._set_theta(theta)
        return self

    def _set_theta(self, theta: np.ndarray) -> None:
        self.amplitude_, self.length_scale_, self.noise_ = (float(np.exp(theta[0])), np.exp(theta[1:-1]),
                                                            float(np.exp(theta[-1])))
        K = kernel_matrix(self.kernel, self.X_train_, self.X_train_, self.amplitude_, self.length_scale_)
        K[np.diag_indices_from(K)] += self.noise_
        try:
            self.L_ = cholesky(K, lower=True)
        except np.linalg.LinAlgError as error:
            raise ValueError(f"GaussianProcess: k(X, X) + noise I is not positive definite (noise={self.noise_:g}, "
                             "repeated or nearly repeated rows of X?): raise the noise") from error
        self.alpha_ = cho_solve((self.L_, True), self._y)
        self.log_marginal_likelihood_value_ = self._lml(self.L_, self.alpha_)

    def _lml(self, L: np.ndarray, alpha: np.ndarray) -> float:
        n = len(self._y)
        return float(-0.5 * self._y @ alpha - np.log(np.diag(L)).sum() - 0.5 * n * math.log(2 * math.pi))

    def log_marginal_likelihood(self, theta: np.ndarray | None = None, eval_gradient: bool = False):
        """log p(y | X) at θ = log [σ², ℓ..., s²] (the fitted values when None), and its gradient."""
        if theta is None:
            theta = np.log(np.concatenate([[self.amplitude_], self.length_scale_, [self.noise_]]))
        theta = np.asarray(theta, dtype=np.float64)
        amp, ls, noise = np.exp(theta[0]), np.exp(theta[1:-1]), np.exp(theta[-1])
        K, dK = kernel_matrix(self.kernel, self.X_train_, self.X_train_, amp, ls, with_grad=True)
        K[np.diag_indices_from(K)] += noise
        try:
            L = cholesky(K, lower=True)
        except np.linalg.LinAlgError:
            return (-np.inf, np.zeros_like(theta)) if eval_gradient else -np.inf
        alpha = cho_solve((L, True), self._y)
        lml = self._lml(L, alpha)
        if not eval_gradient:
            return lml
        inner = np.outer(alpha, alpha) - cho_solve((L, True), np.eye(len(alpha)))
        grad = np.empty_like(theta)
        grad[:-1] = 0.5 * np.einsum("ij,jik->k", inner, dK)
        grad[-1] = 0.5 * noise * np.trace(inner)
        return lml, grad

    def _maximise_likelihood(self, theta0: np.ndarray) -> np.ndarray:
        n_ls = len(theta0) - 2
        bounds = np.log([self.bounds["amplitude"]] + [self.bounds["length_scale"]] * n_ls + [self.bounds["noise"]])
        rng = np.random.default_rng(self.seed)
        starts = [np.clip(theta0, bounds[:, 0], bounds[:, 1])]
        starts += [rng.uniform(bounds[:, 0], bounds[:, 1]) for _ in range(self.n_restarts)]

        def negative(theta):
            lml, grad = self.log_marginal_likelihood(theta, eval_gradient=True)
            return (-lml, -grad) if np.isfinite(lml) else (1e25, np.zeros_like(theta))

        best_theta, best_value = starts[0], np.inf
        for start in starts:
            result = minimize(negative, start, jac=True, method="L-BFGS-B", bounds=bounds)
            if result.fun < best_value:
                best_theta, best_value = result.x, result.fun
        return best_theta

    # ------------------------------------------------------------------ prediction
    def predict(self, X: np.ndarray, return_std: bool = False):
        """Posterior mean (and standard deviation) at the rows of X, in y's units."""
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != self.X_train_.shape[1]:
            raise ValueError(f"GaussianProcess.predict: expected X of shape (m, {self.X_train_.shape[1]}), got {X.shape}")
        K_trans = kernel_matrix(self.kernel, X, self.X_train_, self.amplitude_, self.length_scale_)
        mean = K_trans @ self.alpha_ * self._y_std + self._y_mean
        if not return_std:
            return mean
        V = solve_triangular(self.L_, K_trans.T, lower=True)
        var = self.amplitude_ - np.einsum("ij,ji->i", V.T, V)
        return mean, np.sqrt(np.clip(var, 0.0, None)) * self._y_std
