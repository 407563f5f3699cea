"""Randomized truncated SVD (Halko, Martinsson & Tropp 2011, algorithms 4.3/4.4), the recipe and
random draws of scikit-learn's ``randomized_svd``, for PCA on large matrices when few components
are wanted.

With A (m, n) and k + p random directions Ω ~ N(0, 1)^(n, k+p):
    range finder:   Q ← A Ω, then q power steps Q ← normalise(A Q'), Q' ← normalise(Aᵀ Q),
                    finally Q = orth(A Q)         (Q: (m, k+p), orthonormal columns)
    small SVD:      B = Qᵀ A = Û S Vᵀ,  U = Q Û    (B: (k+p, n))
The power steps sharpen a slowly decaying spectrum (error ~ σ_{k+1} (n/k)^{1/(2q+1)}); LU or QR
keep the columns from collapsing onto the top singular vector.
"""
from __future__ import annotations

from functools import partial

import numpy as np
from scipy import linalg
from sklearn.utils import check_random_state


def randomized_range(A: np.ndarray, size: int, n_iter: int, normalizer: str, rng) -> np.ndarray:
    """Orthonormal basis Q (m, size) of an approximate range of A (m, n)."""
    Q = rng.normal(size=(A.shape[1], size))
    if A.dtype == np.float32:
        Q = Q.astype(np.float32, copy=False)
    qr = partial(linalg.qr, mode="economic", check_finite=False)
    if normalizer == "QR":
        normalise = qr
    elif normalizer == "LU":
        normalise = partial(linalg.lu, permute_l=True, check_finite=False)
    else:
        normalise = lambda M: (M, None)  # noqa: E731  ('none': plain power steps)
    for _ in range(n_iter):
        Q, _ = normalise(A @ Q)
        Q, _ = normalise(A.T @ Q)
    Q, _ = qr(A @ Q)
    return Q


def randomized_svd(A: np.ndarray, n_components: int, *, n_oversamples: int = 10, n_iter="auto",
                   power_iteration_normalizer: str = "auto", random_state=None):
    """Top ``n_components`` singular triplets of A (m, n): U (m, k), S (k,), Vt (k, n), signs as
    LAPACK leaves them (the caller flips them). ``n_iter='auto'``: 7 when k < 0.1 min(m, n), else
    4; ``'auto'`` normaliser: none for n_iter <= 2, else LU (scikit-learn's choices). A wide A is
    decomposed through Aᵀ (cheaper range finding on the short side)."""
    rng = check_random_state(random_state)
    if n_iter == "auto":
        n_iter = 7 if n_components < 0.1 * min(A.shape) else 4
    if power_iteration_normalizer == "auto":
        power_iteration_normalizer = "none" if n_iter <= 2 else "LU"
    transpose = A.shape[0] < A.shape[1]
    M = A.T if transpose else A
    Q = randomized_range(M, n_components + n_oversamples, n_iter, power_iteration_normalizer, rng)
    Uhat, S, Vt = linalg.svd(Q.T @ M, full_matrices=False, lapack_driver="gesdd", check_finite=False)
    U = Q @ Uhat
    k = n_components
    if transpose:
        return Vt[:k].T, S[:k], U[:, :k].T
    return U[:, :k], S[:k], Vt[:k]
