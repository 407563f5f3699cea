"""k-means clustering: Lloyd's algorithm from k-means++ (or random) starting centres.

Minimises the inertia Σᵢ wᵢ ‖xᵢ - c_{label(i)}‖² by alternating
  assignment: label(i) = argmin_k ‖xᵢ - c_k‖²   (with ‖x‖² - 2x·c + ‖c‖², vectorised)
  update:     c_k = Σ_{label(i)=k} wᵢxᵢ / Σ_{label(i)=k} wᵢ
until no label changes or the centres move by at most tol · mean feature variance (squared, summed).
k-means++ (Arthur & Vassilvitskii, greedy like scikit-learn): each new centre is the best of
2 + ⌊log k⌋ candidates drawn with probability ∝ D(x)², the squared distance to the nearest centre.
With the same ``random_state`` the draws are scikit-learn's, so the fitted model is the same.
"""
from __future__ import annotations

import numbers
import warnings

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, ClusterMixin, TransformerMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state

from ._linear_base import check_positive, fit_data, predict_data
from ._validation import check_sample_weight
from .kernels import squared_distances

__all__ = ["KMeans", "kmeans_plusplus"]

_CHUNK = 1 << 20                                   # distance-matrix entries per block


def with_ones(X: np.ndarray) -> np.ndarray:
    """[X | 1], shape (n, d + 1): one product with it gives x·a + b, or Σ wx beside Σ w."""
    Xa = np.empty((X.shape[0], X.shape[1] + 1), dtype=X.dtype)
    Xa[:, :-1] = X
    Xa[:, -1] = 1
    return Xa


def _assign(Xa: np.ndarray, centers: np.ndarray, x_sq: np.ndarray, need_dist: bool = True):
    """Nearest centre and (if ``need_dist``) its squared distance for every row of X, given as
    ``Xa = with_ones(X)``.  -> labels (n,), d² (n,) or None. One BLAS product per block ranks the
    centres: [x | 1] · [-2c ; ‖c‖²] = ‖c‖² - 2 x·c = ‖x - c‖² - ‖x‖²."""
    k, d = centers.shape
    n = Xa.shape[0]
    scores = np.empty((d + 1, k), dtype=Xa.dtype)
    scores[:d] = -2 * centers.T
    scores[d] = np.einsum("ij,ij->i", centers, centers)
    labels = np.empty(n, dtype=np.intp)
    dist = np.empty(n, dtype=Xa.dtype) if need_dist else None
    step = max(1, _CHUNK // max(1, k))
    for s in range(0, n, step):
        D = Xa[s:s + step] @ scores
        lab = D.argmin(axis=1)
        labels[s:s + step] = lab
        if need_dist:
            dist[s:s + step] = np.maximum(D[np.arange(len(lab)), lab] + x_sq[s:s + step], 0)
    return labels, dist


def _weighted_sums(Xa: np.ndarray, sw: np.ndarray, labels: np.ndarray, k: int):
    """Per cluster Σ wᵢxᵢ (k, d) and Σ wᵢ (k,), as one product of the weighted one-hot
    membership matrix (dense when small, sparse otherwise) with ``Xa = with_ones(X)``."""
    n = Xa.shape[0]
    if k * n <= _CHUNK:
        member = np.zeros((k, n), dtype=Xa.dtype)
        member[labels, np.arange(n)] = sw
    else:
        member = sparse.csr_matrix((sw, (labels, np.arange(n))), shape=(k, n))
    sums = np.asarray(member @ Xa, dtype=Xa.dtype)
    return sums[:, :-1], sums[:, -1].copy()


def kmeans_plusplus(X: np.ndarray, n_clusters: int, sample_weight: np.ndarray, random_state,
                    n_local_trials: int | None = None) -> np.ndarray:
    """Greedy k-means++ seeding.  X (n, d) -> centres (n_clusters, d)."""
    rng = check_random_state(random_state)
    n, d = X.shape
    if n_local_trials is None:
        n_local_trials = 2 + int(np.log(n_clusters))
    centers = np.empty((n_clusters, d), dtype=X.dtype)
    first = rng.choice(n, p=sample_weight / sample_weight.sum())
    centers[0] = X[first]
    closest = squared_distances(X[first:first + 1], X)[0]
    pot = closest @ sample_weight
    for c in range(1, n_clusters):
        targets = rng.uniform(size=n_local_trials) * pot
        cand = np.searchsorted(np.cumsum(sample_weight * closest, dtype=np.float64), targets)
        np.clip(cand, None, n - 1, out=cand)
        d_cand = np.minimum(closest, squared_distances(X[cand], X))
        pots = d_cand @ sample_weight
        best = int(np.argmin(pots))
        pot, closest = pots[best], d_cand[best]
        centers[c] = X[cand[best]]
    return centers


def _lloyd(Xa, sw, centers, x_sq, max_iter, tol):
    """Lloyd iterations from the given centres (``Xa = with_ones(X)``).
    -> labels, inertia, centres, n_iter."""
    X = Xa[:, :-1]
    k = centers.shape[0]
    labels_old = None
    strict = False
    for it in range(1, max_iter + 1):
        labels, _ = _assign(Xa, centers, x_sq, need_dist=False)
        new, weight = _weighted_sums(Xa, sw, labels, k)
        empty = np.flatnonzero(weight == 0)
        if empty.size:                               # move empty clusters to the farthest points
            _, dist = _assign(Xa, centers, x_sq)
            far = np.argsort(-dist, kind="stable")[: empty.size]
            for e, i in zip(empty, far):
                old = labels[i]
                new[old] -= sw[i] * X[i]
                weight[old] -= sw[i]
                new[e], weight[e] = sw[i] * X[i], sw[i]
        nz = weight > 0
        new[nz] /= weight[nz, None]
        new[~nz] = centers[~nz]
        shift = ((new - centers) ** 2).sum()
        centers = new
        if labels_old is not None and np.array_equal(labels, labels_old):
            strict = True
            break
        if shift <= tol:
            break
        labels_old = labels
    if not strict:                                   # labels that match the final centres
        labels, dist = _assign(Xa, centers, x_sq)
    else:
        dist = np.maximum(x_sq - 2 * np.einsum("ij,ij->i", X, centers[labels])
                          + np.einsum("ij,ij->i", centers[labels], centers[labels]), 0)
    return labels, float(dist @ sw), centers, it


class KMeans(ClassNamePrefixFeaturesOutMixin, TransformerMixin, ClusterMixin, BaseEstimator):
    """k-means clustering (Lloyd) with k-means++ seeding and n_init restarts (best inertia kept).

    Parameters
    ----------
    n_clusters : int, default 8
    init : {'k-means++', 'random'} or array (n_clusters, n_features), default 'k-means++'
    n_init : 'auto' or int, default 'auto' (1 for k-means++ or an array, 10 for 'random')
    max_iter : int, default 300
    tol : float, default 1e-4 (relative to the mean feature variance)
    random_state : int, RandomState or None

    Attributes
    ----------
    cluster_centers_ (n_clusters, d), labels_ (n,), inertia_, n_iter_
    """

    def __init__(self, n_clusters: int = 8, *, init="k-means++", n_init="auto", max_iter: int = 300,
                 tol: float = 1e-4, random_state=None):
        self.n_clusters = n_clusters
        self.init = init
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state

    def _check_params(self, X):
        check_positive(self, "n_clusters", self.n_clusters, integer=True)
        check_positive(self, "max_iter", self.max_iter, integer=True)
        check_positive(self, "tol", self.tol, strict=False)
        if X.shape[0] < self.n_clusters:
            raise ValueError(f"KMeans: n_samples={X.shape[0]} should be >= n_clusters={self.n_clusters}")
        init = self.init
        if isinstance(init, str):
            if init not in ("k-means++", "random"):
                raise ValueError(f"KMeans: init must be 'k-means++', 'random' or an array; got {init!r}")
        else:
            init = np.asarray(init, dtype=X.dtype)
            if init.shape != (self.n_clusters, X.shape[1]):
                raise ValueError(f"KMeans: init array must have shape ({self.n_clusters}, {X.shape[1]}); "
                                 f"got {init.shape}")
        if self.n_init == "auto":
            n_init = 10 if isinstance(init, str) and init == "random" else 1
        elif isinstance(self.n_init, numbers.Integral) and not isinstance(self.n_init, bool) and self.n_init > 0:
            n_init = int(self.n_init)
        else:
            raise ValueError(f"KMeans: n_init must be 'auto' or a positive integer; got {self.n_init!r}")
        if not isinstance(init, str) and n_init != 1:
            warnings.warn("KMeans: explicit initial centres given; running a single init (n_init=1).",
                          RuntimeWarning)
            n_init = 1
        return init, n_init

    def fit(self, X, y=None, sample_weight=None) -> "KMeans":
        X = fit_data(self, X)
        init, n_init = self._check_params(X)
        sw = check_sample_weight(self, sample_weight, X).astype(X.dtype, copy=False)
        rng = check_random_state(self.random_state)
        tol = float(np.mean(np.var(X, axis=0))) * self.tol
        mean = X.mean(axis=0)
        Xc = X - mean                                # centred for accurate distances
        x_sq = np.einsum("ij,ij->i", Xc, Xc)
        Xa = with_ones(Xc)
        best = None
        for _ in range(n_init):
            if isinstance(init, str) and init == "k-means++":
                centers = kmeans_plusplus(Xc, self.n_clusters, sw, rng)
            elif isinstance(init, str):
                centers = Xc[rng.choice(X.shape[0], size=self.n_clusters, replace=False, p=sw / sw.sum())]
            else:
                centers = init - mean
            run = _lloyd(Xa, sw, centers, x_sq, self.max_iter, tol)
            if best is None or run[1] < best[1]:
                best = run
        labels, inertia, centers, n_iter = best
        if len(np.unique(labels)) < self.n_clusters:
            warnings.warn(f"KMeans: found {len(np.unique(labels))} distinct clusters, fewer than "
                          f"n_clusters={self.n_clusters}; the data may have duplicate points.",
                          ConvergenceWarning)
        self.cluster_centers_ = centers + mean
        self.labels_, self.inertia_, self.n_iter_ = labels.astype(np.int32), inertia, n_iter
        self._n_features_out = self.n_clusters
        return self

    def predict(self, X) -> np.ndarray:
        """Index of the nearest centre.  (n, d) -> (n,)."""
        X = predict_data(self, X, attr="cluster_centers_")
        return _assign(with_ones(X), self.cluster_centers_.astype(X.dtype, copy=False),
                       np.einsum("ij,ij->i", X, X), need_dist=False)[0].astype(np.int32)

    def transform(self, X) -> np.ndarray:
        """Euclidean distance to every centre.  (n, d) -> (n, n_clusters)."""
        X = predict_data(self, X, attr="cluster_centers_")
        return np.sqrt(squared_distances(X, self.cluster_centers_.astype(X.dtype, copy=False)))

    def score(self, X, y=None, sample_weight=None) -> float:
        """Minus the inertia of X with respect to the fitted centres."""
        X = predict_data(self, X, attr="cluster_centers_")
        sw = check_sample_weight(self, sample_weight, X)
        _, d = _assign(with_ones(X), self.cluster_centers_.astype(X.dtype, copy=False),
                       np.einsum("ij,ij->i", X, X))
        return -float(d @ sw)
