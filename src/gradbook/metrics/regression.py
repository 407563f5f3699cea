"""Regression metrics (scikit-learn twins), per output column j of (n_samples, n_outputs) targets:

    MSE_j = sum_i w_i (y_ij - p_ij)^2 / sum_i w_i        MAE_j = sum_i w_i |y_ij - p_ij| / sum_i w_i
    R2_j  = 1 - sum_i w_i (y_ij - p_ij)^2 / sum_i w_i (y_ij - ybar_j)^2   (ybar_j the weighted mean)

``multioutput``: 'raw_values' returns one value per output, 'uniform_average' their mean, an
array their weighted mean, and (R2 only) 'variance_weighted' weights outputs by the variance of y.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ._validation import as_array, check_consistent_length, check_sample_weight, numeric_array, warn_undefined


def _regression_targets(y_true: Any, y_pred: Any, sample_weight: Any, multioutput: Any, func: str,
                        allowed: tuple[str, ...] = ("raw_values", "uniform_average")):
    yt, yp = as_array(y_true, "y_true", func), as_array(y_pred, "y_pred", func)
    check_consistent_length(func, y_true=yt, y_pred=yp, sample_weight=None if sample_weight is None else
                            as_array(sample_weight, "sample_weight", func))
    for name, a in (("y_true", yt), ("y_pred", yp)):
        if a.ndim not in (1, 2):
            raise ValueError(f"{func}: {name} must be an array of shape (n_samples,) or (n_samples, n_outputs), got "
                             f"shape {a.shape}")
        if a.shape[0] == 0:
            raise ValueError(f"{func}: Found array with 0 sample(s) (shape={a.shape}) while a minimum of 1 is "
                             "required.")
    yt, yp = numeric_array(yt, func, parse_strings=True), numeric_array(yp, func, parse_strings=True)
    # scikit-learn computes in float32 only when both inputs are float32
    dtype = np.float32 if yt.dtype == yp.dtype == np.float32 else np.float64
    yt, yp = yt.reshape(len(yt), -1).astype(dtype, copy=False), yp.reshape(len(yp), -1).astype(dtype, copy=False)
    if yt.shape[1] != yp.shape[1]:
        raise ValueError(f"{func}: y_true and y_pred have different number of output ({yt.shape[1]}!="
                         f"{yp.shape[1]})")
    w = check_sample_weight(sample_weight, len(yt), func)
    if isinstance(multioutput, str):
        if multioutput not in allowed:
            raise ValueError(f"{func}: The 'multioutput' parameter of {func} must be a str among "
                             f"{set(allowed)} or an array-like. Got {multioutput!r} instead.")
    elif multioutput is not None:
        multioutput = as_array(multioutput, "multioutput", func)
        if yt.shape[1] == 1:
            raise ValueError(f"{func}: Custom weights are useful only in multi-output cases.")
        if multioutput.shape != (yt.shape[1],):
            raise ValueError(f"{func}: There must be equally many custom weights ({len(multioutput)}) as outputs "
                             f"({yt.shape[1]}).")
    return yt, yp, (None if w is None else w.astype(dtype, copy=False)), multioutput


def _reduce_outputs(per_output: np.ndarray, multioutput: Any):
    if isinstance(multioutput, str):
        if multioutput == "raw_values":
            return per_output
        multioutput = None
    return float(np.average(per_output, weights=multioutput))


def mean_squared_error(y_true: Any, y_pred: Any, *, sample_weight: Any = None,
                       multioutput: Any = "uniform_average"):
    """Mean of squared errors (see module docstring). Shapes: (n,) or (n, n_outputs)."""
    yt, yp, w, multioutput = _regression_targets(y_true, y_pred, sample_weight, multioutput, "mean_squared_error")
    return _reduce_outputs(np.average((yt - yp) ** 2, axis=0, weights=w), multioutput)


def mean_absolute_error(y_true: Any, y_pred: Any, *, sample_weight: Any = None,
                        multioutput: Any = "uniform_average"):
    """Mean of absolute errors (see module docstring). Shapes: (n,) or (n, n_outputs)."""
    yt, yp, w, multioutput = _regression_targets(y_true, y_pred, sample_weight, multioutput, "mean_absolute_error")
    return _reduce_outputs(np.average(np.abs(yt - yp), axis=0, weights=w), multioutput)


def r2_score(y_true: Any, y_pred: Any, *, sample_weight: Any = None, multioutput: Any = "uniform_average",
             force_finite: bool = True):
    """Coefficient of determination (see module docstring); 1 is perfect, 0 predicts the mean.

    With fewer than two samples R2 is undefined: NaN with an ``UndefinedMetricWarning``. With
    ``force_finite`` a constant y_true scores 1.0 if predicted exactly, else 0.0 (not NaN/-inf)."""
    yt, yp, w, multioutput = _regression_targets(y_true, y_pred, sample_weight, multioutput, "r2_score",
                                                 ("raw_values", "uniform_average", "variance_weighted"))
    if len(yt) < 2:
        warn_undefined("R^2 score is not well-defined with less than two samples.")
        return float("nan")
    weight = 1.0 if w is None else w[:, None]
    num = np.sum(weight * (yt - yp) ** 2, axis=0)
    den = np.sum(weight * (yt - np.average(yt, axis=0, weights=w)) ** 2, axis=0)
    if force_finite:
        scores = np.ones(yt.shape[1], dtype=num.dtype)
        valid = (den != 0) & (num != 0)
        scores[valid] = 1 - num[valid] / den[valid]
        scores[(num != 0) & (den == 0)] = 0.0
    else:  # the plain formula: NaN or -inf (with NumPy's RuntimeWarning) on constant y_true
        scores = 1 - num / den
    if isinstance(multioutput, str) and multioutput == "variance_weighted":
        multioutput = den if np.any(den != 0) else None
    return _reduce_outputs(scores, multioutput)
