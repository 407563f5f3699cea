"""Scores of predicted probabilities (scikit-learn twins): log loss and the Brier score.

With Y the one-hot true labels (n_samples, n_classes) and P the predicted probabilities::

    log loss  L = -(1 / sum_i w_i) sum_i w_i log P[i, y_i]     (P clipped to [eps, 1 - eps])
    Brier     B = (1 / sum_i w_i) sum_i w_i sum_k (Y[i, k] - P[i, k])^2   (halved for two classes)

Shapes: y_true (n_samples,) labels; y_proba (n_samples, n_classes) with columns in sorted label
order, or (n_samples,) = probability of the positive (log loss: the greater) of two labels.
eps is the machine epsilon of y_proba's dtype.
"""
from __future__ import annotations

import warnings
from typing import Any, Sequence

import numpy as np

from ._counts import encode
from ._validation import (as_array, check_consistent_length, check_finite, check_pos_label, check_sample_weight,
                          column_or_1d, numeric_array, type_of_target, unique, weighted_mean)


def _proba_array(y_proba: Any, func: str) -> np.ndarray:
    """y_proba as a finite float array of 1 or 2 dimensions (float32 kept, others float64; strings
    of numbers parsed, as scikit-learn's float conversion parses them)."""
    p = numeric_array(as_array(y_proba, "y_proba", func), func, parse_strings=True)
    if p.ndim not in (1, 2):
        raise ValueError(f"{func}: y_proba must be of shape (n_samples,) or (n_samples, n_classes), got shape "
                         f"{p.shape}")
    return p.astype(p.dtype if p.dtype.kind == "f" else np.float64, copy=False)


def _check_range(p: np.ndarray, below: str, func: str) -> None:
    if p.size and p.max() > 1:
        raise ValueError(f"{func}: y_prob contains values greater than 1: {p.max()}")
    if p.size and p.min() < 0:
        raise ValueError(f"{func}: y_prob contains values {below} than 0: {p.min()}")


def _multiclass_proba(y_true: Any, p: np.ndarray, sample_weight: Any, labels: Any, func: str):
    """(one-hot Y (n, k), P (n, k), weights) for labels and probabilities per class, with
    scikit-learn's checks: probabilities in [0, 1] summing to one per row (else a warning),
    as many columns as classes, and every label of y_true among ``labels``. An indicator matrix
    y_true (n, k) is its own Y (several true classes per row), as scikit-learn's binarizer keeps it."""
    yt = as_array(y_true, "y_true", func)
    indicator = yt.ndim == 2 and labels is None and type_of_target(yt, "y_true", func) == "multilabel-indicator"
    if not indicator:
        yt = column_or_1d(yt, "y_true", func)
        if labels is None and type_of_target(yt, "y_true", func) not in ("binary", "multiclass"):
            raise ValueError(f"{func}: Unknown label type: {(unique(yt),)}")
    _check_range(p, "lower", func)
    check_consistent_length(func, y_proba=p, y_true=yt, sample_weight=None if sample_weight is None else
                            as_array(sample_weight, "sample_weight", func))
    w = check_sample_weight(sample_weight, len(yt), func)
    if labels is not None:
        given = as_array(labels, "labels", func)
        classes = unique(given)
        if not np.array_equal(classes, given):
            warnings.warn(f"Labels passed were {given}. But this function assumes labels are ordered "
                          f"lexicographically. Pass the ordered labels={classes.tolist()} and ensure that the "
                          "columns of y_prob correspond to this ordering.", UserWarning, stacklevel=3)
        missing = set(yt.tolist()) - set(given.tolist())
        if missing:
            raise ValueError(f"{func}: y_true contains values {missing} not belonging to the passed labels {labels}.")
        if len(classes) == 1:
            raise ValueError(f"{func}: The labels array needs to contain at least two labels, got {classes}.")
    elif indicator:
        classes = np.arange(yt.shape[1])
    else:
        classes = unique(yt)
        if len(classes) == 1:
            raise ValueError(f"{func}: y_true contains only one label ({classes[0]}). Please provide the list of "
                             "all expected class labels explicitly through the labels argument.")
    if p.ndim == 1:
        p = p[:, None]
    if p.shape[1] == 1:
        p = np.concatenate([1 - p, p], axis=1)
    eps = np.finfo(p.dtype).eps
    if not np.allclose(p.sum(axis=1), 1, rtol=np.sqrt(eps), atol=1e-8):
        warnings.warn("The y_prob values do not sum to one. Make sure to pass probabilities.", UserWarning,
                      stacklevel=3)
    if len(classes) != p.shape[1]:
        if labels is None:
            raise ValueError(f"{func}: y_true and y_prob contain different number of classes: {len(classes)} vs "
                             f"{p.shape[1]}. Please provide the true labels explicitly through the labels "
                             f"argument. Classes found in y_true: {classes}")
        raise ValueError(f"{func}: The number of classes in labels is different from that in y_prob. Classes "
                         f"found in labels: {classes}")
    if indicator:
        return yt.astype(p.dtype), p, w  # its values as they are (scikit-learn weights log P by them)
    Y = np.zeros(p.shape, dtype=p.dtype)
    Y[np.arange(len(yt)), encode(yt, classes)] = 1
    return Y, p, w


def log_loss(y_true: Any, y_proba: Any, *, normalize: bool = True, sample_weight: Any = None,
             labels: Sequence | None = None) -> float:
    """Mean (``normalize=True``) or (weighted) sum of -log of the probability given to the true label."""
    func = "log_loss"
    p = _proba_array(y_proba, func)
    Y, p, w = _multiclass_proba(y_true, p, sample_weight, labels, func)
    eps = np.finfo(p.dtype).eps
    loss = -np.sum(Y * np.log(np.clip(p, eps, 1 - eps)), axis=1)
    if not normalize:
        return float(loss.sum() if w is None else np.dot(loss, w.astype(loss.dtype)))
    return float(np.average(loss, weights=w))


def brier_score_loss(y_true: Any, y_proba: Any, *, sample_weight: Any = None, pos_label: Any = None,
                     labels: Sequence | None = None, scale_by_half: bool | str = "auto") -> float:
    """Mean squared distance between the one-hot truth and the probabilities (module docstring).

    y_proba (n,) or (n, 1): probability of ``pos_label`` for binary y_true (default: 1 for labels
    in {0, 1} / {-1, 1}, else the greater numeric label; string labels need ``pos_label``).
    y_proba (n, k): columns in sorted label order (or ``labels``). ``scale_by_half='auto'``
    halves the sum over classes when there are at most two columns, so the binary score is
    mean (y - p)^2 in [0, 1]."""
    func = "brier_score_loss"
    if not (scale_by_half == "auto" or isinstance(scale_by_half, (bool, np.bool_))):
        raise ValueError(f"{func}: The 'scale_by_half' parameter of {func} must be an instance of 'bool' or an "
                         f"instance of 'numpy.bool' or a str among {{'auto'}}. Got {scale_by_half!r} instead.")
    p = _proba_array(y_proba, func)
    if p.ndim == 1 or p.shape[1] == 1:
        Y, p, w = _binary_proba(y_true, column_or_1d(p, "y_proba", func), sample_weight, pos_label, func)
    else:
        Y, p, w = _multiclass_proba(y_true, p, sample_weight, labels, func)
    score = weighted_mean(np.sum((Y - p) ** 2, axis=1), w)
    if scale_by_half == "auto":
        scale_by_half = p.shape[1] < 3
    return score * 0.5 if scale_by_half else score


def _binary_proba(y_true: Any, p: np.ndarray, sample_weight: Any, pos_label: Any, func: str):
    """(one-hot Y (n, 2), P (n, 2) = [1 - p, p], weights) for the probability of one of two labels."""
    yt = column_or_1d(as_array(y_true, "y_true", func), "y_true", func)
    check_finite(yt, "y_true", func)
    check_consistent_length(func, y_proba=p, y_true=yt, sample_weight=None if sample_weight is None else
                            as_array(sample_weight, "sample_weight", func))
    w = check_sample_weight(sample_weight, len(yt), func)
    y_type = type_of_target(yt, "y_true", func)
    if y_type != "binary":
        raise ValueError(f"{func}: The type of the target inferred from y_true is {y_type} but should be binary "
                         "according to the shape of y_prob.")
    _check_range(p, "less", func)
    classes = unique(yt)
    try:
        pos_label = check_pos_label(pos_label, classes, func)
    except ValueError:
        if classes.dtype.kind in "OUS":
            raise
        pos_label = classes[-1]  # numeric labels outside {0, 1} / {-1, 1}: the greater one is positive
    positive = (yt == pos_label).astype(p.dtype)
    return np.stack([1 - positive, positive], axis=1), np.stack([1 - p, p], axis=1), w
