"""Principal component analysis by the SVD of the centred data.

Xc = X - mean = U S Vᵀ; the rows of Vᵀ are the principal axes (components_), the variance along
axis k is S_k² / (n - 1). Signs follow scikit-learn's ``svd_flip(u_based_decision=False)``: the
entry of largest magnitude in each component is positive.

Three solvers, chosen by ``svd_solver='auto'`` as scikit-learn chooses them:
  'covariance_eigh'  tall data (n >= 10 d, d <= 1000): C = (XᵀX - n x̄x̄ᵀ)/(n-1) = V Λ Vᵀ, the
                     eigenvalues are the variances; one (d, d) eigenproblem, no (n, d) copy.
  'full'             the LAPACK divide-and-conquer SVD (gesdd) of Xc; small or square-ish data.
  'randomized'       n_components < 0.8 min(n, d) on larger data: Halko et al.'s randomized SVD
                     (:mod:`._randomized_svd`, scikit-learn's draws for a given random_state).

Shapes: X (n_samples, n_features) -> transform (n_samples, n_components).
"""
from __future__ import annotations

import numbers

import numpy as np
from scipy import linalg
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ._linear_base import check_param, fit_data, predict_data
from ._randomized_svd import randomized_svd

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
    svd_solver : {'auto', 'full', 'covariance_eigh', 'randomized'}, default 'auto'
        'auto' picks as scikit-learn does (see the module docstring).
    iterated_power : int or 'auto', n_oversamples : int, default 10,
    power_iteration_normalizer : {'auto', 'QR', 'LU', 'none'}, random_state : int, RandomState or None
        used by the randomized solver only (scikit-learn's meanings).

    Attributes
    ----------
    components_ (n_components, n_features), explained_variance_, explained_variance_ratio_,
    singular_values_ (n_components,), mean_ (n_features,), n_components_, noise_variance_, n_samples_
    """

    def __init__(self, n_components=None, *, copy: bool = True, whiten: bool = False,
                 svd_solver: str = "auto", iterated_power="auto", n_oversamples: int = 10,
                 power_iteration_normalizer: str = "auto", random_state=None):
        self.n_components = n_components
        self.copy = copy
        self.whiten = whiten
        self.svd_solver = svd_solver
        self.iterated_power = iterated_power
        self.n_oversamples = n_oversamples
        self.power_iteration_normalizer = power_iteration_normalizer
        self.random_state = random_state

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
        """fit, then U S (÷ √(S²/(n-1)) when whitening) without a second product with X
        (the covariance solver has no U: it projects X like transform)."""
        U, S = self._fit(X)
        if U is None:
            return self.transform(X)
        k = self.n_components_
        if self.whiten:
            return U[:, :k] * np.sqrt(self.n_samples_ - 1)
        return U[:, :k] * S[:k]

    def _solver(self, n: int, d: int) -> str:
        """scikit-learn's 'auto' choice."""
        check_param(self, "svd_solver", self.svd_solver, ("auto", "full", "covariance_eigh", "randomized"))
        if self.svd_solver != "auto":
            return self.svd_solver
        if d <= 1000 and n >= 10 * d:
            return "covariance_eigh"
        k = min(n, d) if self.n_components is None else self.n_components
        if max(n, d) > 500 and isinstance(k, numbers.Integral) and 1 <= k < 0.8 * min(n, d):
            return "randomized"
        return "full"

    def _fit(self, X):
        X = fit_data(self, X, ensure_min_samples=2)
        n, d = X.shape
        solver = self._solver(n, d)
        self.mean_ = X.mean(axis=0)
        U = None
        if solver == "covariance_eigh":
            C = X.T @ X
            C -= n * np.outer(self.mean_, self.mean_)
            C /= n - 1
            var, V = np.linalg.eigh(C)
            var, Vt = np.maximum(var[::-1], 0.0), V[:, ::-1].T
            S = np.sqrt(var * (n - 1))
            total = var.sum()
        elif solver == "full":
            U, S, Vt = linalg.svd(X - self.mean_, full_matrices=False, check_finite=False,
                                  lapack_driver="gesdd")
            var = S**2 / (n - 1)
            total = var.sum()
        else:
            k = self._n_kept(np.zeros(min(n, d)), n, d)
            if not (isinstance(self.n_components, numbers.Integral) and k >= 1):
                raise ValueError(f"PCA: n_components must be an integer in [1, min(n_samples, "
                                 f"n_features)={min(n, d)}] with svd_solver='randomized'; "
                                 f"got {self.n_components!r}")
            Xc = X - self.mean_
            U, S, Vt = randomized_svd(Xc, k, n_oversamples=self.n_oversamples,
                                      n_iter=self.iterated_power,
                                      power_iteration_normalizer=self.power_iteration_normalizer,
                                      random_state=self.random_state)
            var = S**2 / (n - 1)
            total = np.einsum("ij,ij->", Xc, Xc) / (n - 1)
        signs = component_signs(Vt)
        Vt = Vt * signs[:, None]
        if U is not None:
            U = U * signs
        ratio = var / total if total > 0 else np.zeros_like(var)
        k = self._n_kept(ratio, n, d) if solver != "randomized" else len(S)
        self.n_samples_, self.n_components_ = n, k
        self.components_ = np.ascontiguousarray(Vt[:k])
        self.explained_variance_ = var[:k].copy()
        self.explained_variance_ratio_ = ratio[:k].copy()
        self.singular_values_ = S[:k].copy()
        if k >= min(n, d):
            self.noise_variance_ = 0.0
        elif solver == "randomized":
            self.noise_variance_ = float((total - var.sum()) / (min(n, d) - k))
        else:
            self.noise_variance_ = float(var[k:].mean())
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
