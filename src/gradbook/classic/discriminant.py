"""Linear discriminant analysis: Gaussian classes with one shared covariance Σ.

Classifier: δ_k(x) = xᵀΣ⁻¹μ_k - ½ μ_kᵀΣ⁻¹μ_k + log π_k, predict argmax_k δ_k, probabilities softmax(δ).
Projection: the directions w maximising the between-class over the within-class variance
(wᵀS_b w) / (wᵀS_w w), at most n_classes - 1 of them.

Solvers (as scikit-learn):
- 'svd': never forms Σ. Whiten the within-class residuals by their SVD (scalings V S⁻¹ after a
  per-feature standardisation), then an SVD of the whitened, prior-weighted class means gives the
  discriminant directions. Works when Σ is singular.
- 'eigen': the generalised symmetric eigenproblem S_b v = λ S_w v (S_b = S_t - S_w), eigenvectors
  normalised so vᵀS_w v = 1; supports ``shrinkage``: S_w ← (1-s) S_w + s tr(S_w)/d I per class.
"""
from __future__ import annotations

import numbers

import numpy as np
from scipy import linalg
from sklearn.base import BaseEstimator, ClassifierMixin, ClassNamePrefixFeaturesOutMixin, TransformerMixin

from ._linear_base import check_param, encode_classes, fit_data, predict_data, sigmoid, softmax

__all__ = ["LinearDiscriminantAnalysis"]


def _empirical_cov(X: np.ndarray, shrinkage: float | None) -> np.ndarray:
    """(1/n) Σ (x - x̄)(x - x̄)ᵀ, shrunk towards tr/d · I by the given amount."""
    Xc = X - X.mean(axis=0)
    S = np.atleast_2d(Xc.T @ Xc / X.shape[0])
    if shrinkage:
        mu = np.trace(S) / S.shape[0]
        S = (1 - shrinkage) * S
        S.flat[:: S.shape[0] + 1] += shrinkage * mu
    return S


class LinearDiscriminantAnalysis(ClassNamePrefixFeaturesOutMixin, ClassifierMixin, TransformerMixin,
                                 BaseEstimator):
    """Linear discriminant analysis (classifier and supervised projection).

    Parameters
    ----------
    solver : {'svd', 'eigen'}, default 'svd'
    shrinkage : float in [0, 1] or None, default None ('eigen' only)
    priors : array of shape (n_classes,) or None (class frequencies)
    n_components : int or None, default None (= min(n_classes - 1, n_features))
    store_covariance : bool, default False ('svd': also compute covariance_)
    tol : float, default 1e-4 (singular values below it are dropped by 'svd')

    Attributes
    ----------
    classes_, priors_, means_ (n_classes, d), coef_ (n_classes or 1, d), intercept_ (n_classes or 1,),
    scalings_ (d, rank), xbar_ (d,) ('svd'), explained_variance_ratio_, covariance_ (d, d)
    """

    def __init__(self, solver: str = "svd", shrinkage: float | None = None, priors=None,
                 n_components: int | None = None, store_covariance: bool = False, tol: float = 1e-4):
        self.solver = solver
        self.shrinkage = shrinkage
        self.priors = priors
        self.n_components = n_components
        self.store_covariance = store_covariance
        self.tol = tol

    def fit(self, X, y) -> "LinearDiscriminantAnalysis":
        check_param(self, "solver", self.solver, ("svd", "eigen"))
        s = self.shrinkage
        if s is not None and (isinstance(s, (str, bool)) or not isinstance(s, numbers.Real) or not 0 <= s <= 1):
            raise ValueError(f"LinearDiscriminantAnalysis: shrinkage must be None or a float in [0, 1]; got {s!r}")
        if s is not None and self.solver == "svd":
            raise ValueError("LinearDiscriminantAnalysis: shrinkage is not supported by solver='svd'; "
                             "use solver='eigen'")
        X, y = fit_data(self, X, y, ensure_min_samples=2)
        self.classes_, y_idx = encode_classes(self, y)
        n, d = X.shape
        K = len(self.classes_)
        if n == K:
            raise ValueError("LinearDiscriminantAnalysis: the number of samples must be more than the "
                             f"number of classes; got {n} samples and {K} classes")
        counts = np.bincount(y_idx, minlength=K)
        if self.priors is None:
            self.priors_ = (counts / n).astype(X.dtype)
        else:
            p = np.asarray(self.priors, dtype=X.dtype).ravel()
            if p.shape != (K,) or (p < 0).any() or p.sum() == 0:
                raise ValueError(f"LinearDiscriminantAnalysis: priors must be {K} non-negative numbers; "
                                 f"got {self.priors!r}")
            self.priors_ = p / p.sum()
        max_comp = min(K - 1, d)
        if self.n_components is not None and not (0 <= self.n_components <= max_comp):
            raise ValueError(f"LinearDiscriminantAnalysis: n_components cannot be larger than "
                             f"min(n_features, n_classes - 1) = {max_comp}; got {self.n_components}")
        self._max_components = max_comp if self.n_components is None else int(self.n_components)
        self.means_ = np.zeros((K, d), dtype=X.dtype)
        np.add.at(self.means_, y_idx, X)
        self.means_ /= counts[:, None]
        if self.solver == "svd":
            self._solve_svd(X, y_idx)
        else:
            self._solve_eigen(X, y_idx)
        if K == 2:                              # one score: δ₁ - δ₀
            self.coef_ = (self.coef_[1] - self.coef_[0])[None, :]
            self.intercept_ = np.array([self.intercept_[1] - self.intercept_[0]], dtype=X.dtype)
        self._n_features_out = self._max_components
        return self

    def _class_cov(self, X, y_idx, shrinkage=None) -> np.ndarray:
        """S_w = Σ_k π_k Cov(X_k)."""
        return sum(self.priors_[k] * _empirical_cov(X[y_idx == k], shrinkage)
                   for k in range(len(self.classes_)))

    def _solve_svd(self, X, y_idx) -> None:
        n = X.shape[0]
        K = len(self.classes_)
        if self.store_covariance:
            self.covariance_ = self._class_cov(X, y_idx)
        Xc = X - self.means_[y_idx]                      # within-class residuals
        self.xbar_ = self.priors_ @ self.means_
        std = Xc.std(axis=0)
        std[std == 0] = 1.0
        _, S, Vt = linalg.svd(np.sqrt(1.0 / n) * (Xc / std), full_matrices=False, check_finite=False)
        rank = int(np.sum(S > self.tol))
        scalings = (Vt[:rank] / std).T / S[:rank]        # whitens the within-class covariance
        fac = 1.0 / (K - 1)
        M = (np.sqrt(n * self.priors_ * fac) * (self.means_ - self.xbar_).T).T @ scalings
        _, S, Vt = linalg.svd(M, full_matrices=False, check_finite=False)
        self.explained_variance_ratio_ = (S**2 / np.sum(S**2))[: self._max_components]
        rank = int(np.sum(S > self.tol * S[0]))
        self.scalings_ = scalings @ Vt.T[:, :rank]
        coef = (self.means_ - self.xbar_) @ self.scalings_
        self.intercept_ = -0.5 * np.sum(coef**2, axis=1) + np.log(self.priors_)
        self.coef_ = coef @ self.scalings_.T
        self.intercept_ -= self.xbar_ @ self.coef_.T

    def _solve_eigen(self, X, y_idx) -> None:
        Sw = self._class_cov(X, y_idx, self.shrinkage)
        self.covariance_ = Sw
        Sb = _empirical_cov(X, self.shrinkage) - Sw
        evals, evecs = linalg.eigh(Sb, Sw)
        order = np.argsort(evals)[::-1]
        self.explained_variance_ratio_ = np.sort(evals / np.sum(evals))[::-1][: self._max_components]
        self.scalings_ = evecs[:, order]
        self.coef_ = self.means_ @ self.scalings_ @ self.scalings_.T
        self.intercept_ = -0.5 * np.einsum("kd,kd->k", self.means_, self.coef_) + np.log(self.priors_)

    def transform(self, X) -> np.ndarray:
        """Project onto the discriminant directions.  (n, d) -> (n, n_components)."""
        X = predict_data(self, X, attr="scalings_")
        Z = (X - self.xbar_) @ self.scalings_ if self.solver == "svd" else X @ self.scalings_
        return Z[:, : self._max_components]

    def decision_function(self, X) -> np.ndarray:
        """δ(x) = x coef_ᵀ + intercept_.  (n, d) -> (n,) for two classes, else (n, n_classes)."""
        X = predict_data(self, X, attr="coef_")
        s = X @ self.coef_.T + self.intercept_
        return s[:, 0] if s.shape[1] == 1 else s

    def predict(self, X) -> np.ndarray:
        """argmax_k δ_k(x).  (n, d) -> (n,)."""
        s = self.decision_function(X)
        return self.classes_[(s > 0).astype(int) if s.ndim == 1 else s.argmax(axis=1)]

    def predict_proba(self, X) -> np.ndarray:
        """P(k | x) = softmax(δ(x)) (σ(δ) for two classes).  (n, d) -> (n, n_classes)."""
        s = self.decision_function(X)
        if s.ndim == 1:
            p = sigmoid(s)
            return np.column_stack([1 - p, p])
        return softmax(s)

    def predict_log_proba(self, X) -> np.ndarray:
        """log P(k | x), clipped away from log 0.  (n, d) -> (n, n_classes)."""
        p = self.predict_proba(X)
        return np.log(np.maximum(p, np.finfo(p.dtype).tiny))
