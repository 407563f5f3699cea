"""Kernel functions k(x, y) = <φ(x), φ(y)> and an explicit degree-2 feature map.

All functions take X of shape (n_x, d) and Y of shape (n_y, d) (Y=None means Y=X) and return the
Gram matrix K of shape (n_x, n_y), equal to ``sklearn.metrics.pairwise`` (same names, same defaults:
``gamma=None`` means 1 / d).
"""
from __future__ import annotations

import numpy as np

__all__ = ["linear_kernel", "polynomial_kernel", "rbf_kernel", "poly2_feature_map", "pairwise_kernel"]

KERNELS = ("linear", "poly", "rbf")


def _check_pair(X, Y, name: str) -> tuple[np.ndarray, np.ndarray]:
    """2-D floating arrays with finite entries and the same number of columns."""
    X = _as_2d_float(X, name, "X")
    Y = X if Y is None else _as_2d_float(Y, name, "Y")
    if Y.dtype != X.dtype:
        X, Y = X.astype(np.float64, copy=False), Y.astype(np.float64, copy=False)
    if X.shape[1] != Y.shape[1]:
        raise ValueError(f"{name}: X and Y need the same number of features; got X with "
                         f"{X.shape[1]} and Y with {Y.shape[1]}")
    return X, Y


def _as_2d_float(A, name: str, what: str) -> np.ndarray:
    A = np.asarray(A)
    if A.ndim != 2:
        raise ValueError(f"{name}: expected a 2-D array {what} of shape (n_samples, n_features); "
                         f"got shape {A.shape}")
    if A.dtype not in (np.float32, np.float64):
        A = A.astype(np.float64)
    if not np.isfinite(A).all():
        raise ValueError(f"{name}: input {what} contains NaN or infinity")
    return A


def _gamma(gamma: float | None, d: int) -> float:
    return 1.0 / d if gamma is None else float(gamma)


def linear_kernel(X, Y=None) -> np.ndarray:
    """K = X Yᵀ.  (n_x, d), (n_y, d) -> (n_x, n_y)."""
    X, Y = _check_pair(X, Y, "linear_kernel")
    return X @ Y.T


def polynomial_kernel(X, Y=None, degree: float = 3, gamma: float | None = None,
                      coef0: float = 1) -> np.ndarray:
    """K = (γ X Yᵀ + c₀)^degree.  (n_x, d), (n_y, d) -> (n_x, n_y)."""
    X, Y = _check_pair(X, Y, "polynomial_kernel")
    K = X @ Y.T
    K *= _gamma(gamma, X.shape[1])
    K += coef0
    K **= degree
    return K


def squared_distances(X: np.ndarray, Y: np.ndarray, same: bool = False) -> np.ndarray:
    """‖x - y‖² = ‖x‖² - 2 x·y + ‖y‖², clipped at 0 (rounding); exact zeros on the diagonal of X vs X."""
    xx = np.einsum("ij,ij->i", X, X)
    yy = xx if same else np.einsum("ij,ij->i", Y, Y)
    D = X @ Y.T
    D *= -2
    D += xx[:, None]
    D += yy[None, :]
    np.maximum(D, 0, out=D)
    if same:
        np.fill_diagonal(D, 0)
    return D


def rbf_kernel(X, Y=None, gamma: float | None = None) -> np.ndarray:
    """K = exp(-γ ‖x - y‖²).  (n_x, d), (n_y, d) -> (n_x, n_y)."""
    same = Y is None or Y is X
    X, Y = _check_pair(X, Y, "rbf_kernel")
    K = squared_distances(X, Y, same)
    K *= -_gamma(gamma, X.shape[1])
    np.exp(K, out=K)
    return K


def pairwise_kernel(X: np.ndarray, Y: np.ndarray | None, kernel: str, gamma: float | None,
                    degree: float, coef0: float) -> np.ndarray:
    """The kernel named ``kernel`` ('linear' | 'poly' | 'rbf') with its parameters."""
    if kernel == "linear":
        return linear_kernel(X, Y)
    if kernel == "poly":
        return polynomial_kernel(X, Y, degree=degree, gamma=gamma, coef0=coef0)
    if kernel == "rbf":
        return rbf_kernel(X, Y, gamma=gamma)
    raise ValueError(f"kernel must be one of {KERNELS}; got {kernel!r}")


def poly2_feature_map(X, gamma: float = 1.0, coef0: float = 1.0) -> np.ndarray:
    """Explicit φ with φ(x)·φ(y) = (γ x·y + c₀)², i.e. ``polynomial_kernel(degree=2)``.

    (γ x·y + c₀)² = c₀² + Σᵢ 2c₀γ xᵢyᵢ + Σᵢ γ² xᵢ²yᵢ² + Σ_{i<j} 2γ² xᵢxⱼ yᵢyⱼ, so
    φ(x) = [c₀, √(2c₀γ) xᵢ, γ xᵢ², √2 γ xᵢxⱼ (i<j)].   (n, d) -> (n, 1 + 2d + d(d-1)/2).
    """
    X = _as_2d_float(X, "poly2_feature_map", "X")
    if gamma <= 0 or coef0 < 0:
        raise ValueError("poly2_feature_map: needs gamma > 0 and coef0 >= 0 for a real feature map; "
                         f"got gamma={gamma!r}, coef0={coef0!r}")
    n, d = X.shape
    i, j = np.triu_indices(d, k=1)
    return np.hstack([
        np.full((n, 1), coef0, dtype=X.dtype),
        np.sqrt(2 * coef0 * gamma) * X,
        gamma * X * X,
        np.sqrt(2) * gamma * X[:, i] * X[:, j],
    ]).astype(X.dtype, copy=False)


def resolve_gamma(gamma, X: np.ndarray, name: str) -> float:
    """γ as scikit-learn's SVC reads it: 'scale' = 1 / (d · Var X), 'auto' = 1 / d, or a float > 0."""
    if isinstance(gamma, str):
        if gamma == "scale":
            var = float(X.var())
            return 1.0 / (X.shape[1] * var) if var != 0 else 1.0
        if gamma == "auto":
            return 1.0 / X.shape[1]
    elif isinstance(gamma, (int, float, np.number)) and not isinstance(gamma, bool) and gamma > 0:
        return float(gamma)
    raise ValueError(f"{name}: gamma must be 'scale', 'auto' or a float > 0; got {gamma!r}")
