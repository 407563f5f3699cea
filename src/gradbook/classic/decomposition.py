"""Principal component analysis by the SVD of the centred data.

Xc = X - mean = U S Vᵀ; the rows of Vᵀ are the principal axes (components_), the variance along
axis k is S_k² / (n - 1). Signs follow scikit-learn's ``svd_flip(u_based_decision=False)``: the
entry of largest magnitude in each component is positive.

Shapes: X (n_samples, n_features) -> transform (n_samples, n_components).
"""
from __future__ import annotations

import numbers

import numpy as np
from scipy import linalg
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ._linear_base import check_param, fit_data, predict_data

__all__ = ["PCA"]


def component_signs(Vt: np.ndarray) -> np.ndarray:
    """±1 per row of Vt that makes its largest-|·| entry positive (deterministic signs)."""
    signs = np.sign(Vt[np.arange(Vt.shape[0]), np.argmax(np.abs(Vt), axis=1)])
    signs[signs == 0] = 1
    return signs


class PCA(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Linear dimensionality reduction onto the directions of largest variance.

    transform(X) = (X - mean_) components_ᵀ, divided by √explained_variance_ when whiten=True
    (unit variance outputs); inverse_transform maps back (exactly, when all components are kept).

    Parameters
    ----------
    n_components : int, float in (0, 1) or None, default None
        int: keep that many; float: the fewest components whose explained variance ratio sums
        above it; None: min(n_samples, n_features).
    copy : bool, default True (API parity; X is never modified)
    whiten : bool, default False
    svd_solver : {'auto', 'full'}, default 'auto' (both: the full LAPACK SVD)

    Attributes
    ----------
    components_ (n_components, n_features), explained_variance_, explained_variance_ratio_,
    singular_values_ (n_components,), mean_ (n_features,), n_components_, noise_variance_, n_samples_
    """

    def __init__(self, n_components=None, *, copy: bool = True, whiten: bool = False,
                 svd_solver: str = "auto"):
        self.n_components = n_components
        self.copy = copy
        self.whiten = whiten
        self.svd_solver = svd_solver

    def _n_kept(self, ratio: np.ndarray, n: int, d: int) -> int:
        k, cap = self.n_components, min(n, d)
        if k is None:
            return cap
        if isinstance(k, numbers.Integral) and not isinstance(k, bool) and 0 <= k <= cap:
            return int(k)
        if isinstance(k, numbers.Real) and not isinstance(k, (bool, numbers.Integral)) and 0 < k < 1:
            return int(np.searchsorted(np.cumsum(ratio), k, side="right") + 1)
        raise ValueError(f"PCA: n_components must be None, an integer in [0, min(n_samples, "
                         f"n_features)={cap}] or a float in (0, 1); got {k!r}")

    def fit(self, X, y=None) -> "PCA":
        self._fit(X)
        return self

    def fit_transform(self, X, y=None) -> np.ndarray:
        """fit, then U S (÷ √(S²/(n-1)) when whitening) without a second product with X."""
        U, S = self._fit(X)
        k = self.n_components_
        if self.whiten:
            return U[:, :k] * np.sqrt(self.n_samples_ - 1)
        return U[:, :k] * S[:k]

    def _fit(self, X):
        check_param(self, "svd_solver", self.svd_solver, ("auto", "full"))
        X = fit_data(self, X, ensure_min_samples=2)
        n, d = X.shape
        self.mean_ = X.mean(axis=0)
        U, S, Vt = linalg.svd(X - self.mean_, full_matrices=False, check_finite=False)
        signs = component_signs(Vt)
        U, Vt = U * signs, Vt * signs[:, None]
        var = S**2 / (n - 1)
        total = var.sum()
        ratio = var / total if total > 0 else np.zeros_like(var)
        k = self._n_kept(ratio, n, d)
        self.n_samples_, self.n_components_ = n, k
        self.components_ = np.ascontiguousarray(Vt[:k])
        self.explained_variance_ = var[:k].copy()
        self.explained_variance_ratio_ = ratio[:k].copy()
        self.singular_values_ = S[:k].copy()
        self.noise_variance_ = float(var[k:].mean()) if k < min(n, d) else 0.0
        self._n_features_out = k
        return U, S

    def transform(self, X) -> np.ndarray:
        """(X - mean_) components_ᵀ (÷ √explained_variance_ if whiten).  (n, d) -> (n, k)."""
        X = predict_data(self, X, attr="components_")
        Z = (X - self.mean_) @ self.components_.T
        if self.whiten:
            Z /= np.maximum(np.sqrt(self.explained_variance_), np.finfo(Z.dtype).eps)
        return Z

    def inverse_transform(self, X) -> np.ndarray:
        """Z components_ + mean_ (Z × √explained_variance_ first if whiten).  (n, k) -> (n, d)."""
        check_is_fitted(self, "components_")
        Z = np.asarray(X, dtype=self.components_.dtype)
        if Z.ndim != 2 or Z.shape[1] != self.n_components_:
            raise ValueError(f"PCA.inverse_transform: expected an array of shape (n_samples, "
                             f"{self.n_components_}); got {Z.shape}")
        if self.whiten:
            Z = Z * np.sqrt(self.explained_variance_)
        return Z @ self.components_ + self.mean_
