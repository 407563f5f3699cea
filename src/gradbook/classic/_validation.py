"""Input checks every classic estimator shares that scikit-learn keeps private.

``sklearn.utils.validation._check_sample_weight`` is not public API (its arguments changed between
releases), so the sample-weight check lives here: same contract, errors that name the estimator.
"""
from __future__ import annotations

import numbers

import numpy as np


def check_sample_weight(est, sample_weight, X, *, non_negative: bool = True, allow_all_zero: bool = False,
                        copy: bool = False) -> np.ndarray:
    """Per-sample weights as a C-contiguous float64 array of shape ``(n_samples,)``.

    ``None`` gives ones, a number is repeated for every sample; an array-like must hold one finite
    number per row of ``X`` (none below 0 when ``non_negative``; not all 0 unless ``allow_all_zero``,
    since a fit would learn nothing). ``copy=True`` returns an array the caller may change without
    touching the user's. Errors are ``ValueError``s that begin with the estimator's name.
    """
    name = type(est).__name__
    n = X.shape[0]
    if sample_weight is None:
        return np.ones(n)
    if isinstance(sample_weight, numbers.Number):
        w = np.full(n, sample_weight, dtype=np.float64)
    else:
        try:
            w = np.asarray(sample_weight, dtype=np.float64, order="C")
        except (TypeError, ValueError) as err:
            raise ValueError(f"{name}: sample_weight must hold numbers, one per sample ({err})") from err
        if w.shape != (n,):
            raise ValueError(f"{name}: sample_weight must be a scalar or of shape ({n},) (one weight per "
                             f"sample of X), got shape {w.shape}")
        if copy:
            w = w.copy()
    if not np.isfinite(w).all():
        raise ValueError(f"{name}: sample_weight contains NaN or infinity")
    if non_negative and (w < 0).any():
        raise ValueError(f"{name}: sample_weight must be non-negative, got {float(w.min())!r} "
                         f"at sample {int(np.argmin(w))}")
    if not allow_all_zero and not w.any():
        raise ValueError(f"{name}: sample_weight must contain at least one non-zero weight")
    return w
