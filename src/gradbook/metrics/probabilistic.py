"""Log loss (cross-entropy of predicted probabilities), the scikit-learn twin.

    L = -(1 / sum_i w_i) sum_i w_i log p_i[y_i]

Shapes: y_true (n_samples,) labels; y_proba (n_samples, n_classes) with columns in sorted label
order, or (n_samples,) = probability of the greater of two labels. Probabilities are clipped
to [eps, 1 - eps] with eps the machine epsilon of y_proba's dtype.
"""
from __future__ import annotations

import warnings
from typing import Any, Sequence

import numpy as np

from ._counts import encode
from ._validation import as_array, check_consistent_length, check_finite, check_sample_weight, column_or_1d, unique


def log_loss(y_true: Any, y_proba: Any, *, normalize: bool = True, sample_weight: Any = None,
             labels: Sequence | None = None) -> float:
    """Mean (``normalize=True``) or (weighted) sum of -log of the probability given to the true label."""
    func = "log_loss"
    yt = column_or_1d(as_array(y_true, "y_true", func), "y_true", func)
    p = as_array(y_proba, "y_proba", func)
    if p.dtype.kind not in "biuf" or p.ndim not in (1, 2):
        raise ValueError(f"{func}: y_proba must be numeric of shape (n_samples,) or (n_samples, n_classes), got "
                         f"shape {p.shape} dtype {p.dtype}")
    p = p.astype(p.dtype if p.dtype.kind == "f" else np.float64, copy=False)
    check_finite(p, "y_proba", func)
    if p.size and p.max() > 1:
        raise ValueError(f"{func}: y_proba contains values greater than 1: {p.max()}")
    if p.size and p.min() < 0:
        raise ValueError(f"{func}: y_proba contains values lower than 0: {p.min()}")
    check_consistent_length(func, y_true=yt, y_proba=p)
    w = check_sample_weight(sample_weight, len(yt), func)

    if labels is not None:
        given = as_array(labels, "labels", func)
        classes = unique(given)
        if not np.array_equal(classes, given):
            warnings.warn(f"Labels passed were {given}. But this function assumes labels are ordered "
                          f"lexicographically. Pass the ordered labels={classes.tolist()} and ensure that the "
                          "columns of y_prob correspond to this ordering.", UserWarning, stacklevel=2)
        missing = set(yt.tolist()) - set(given.tolist())
        if missing:
            raise ValueError(f"{func}: y_true contains values {missing} not belonging to the passed labels {given}.")
        if len(classes) == 1:
            raise ValueError(f"{func}: the labels array needs to contain at least two labels, got {classes}.")
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
                      stacklevel=2)
    if len(classes) != p.shape[1]:
        if labels is None:
            raise ValueError(f"{func}: y_true and y_prob contain different number of classes: {len(classes)} vs "
                             f"{p.shape[1]}. Please provide the true labels explicitly through the labels "
                             f"argument. Classes found in y_true: {classes}")
        raise ValueError(f"{func}: the number of classes in labels is different from that in y_prob. Classes "
                         f"found in labels: {classes}")
    picked = p[np.arange(len(p)), encode(yt, classes)]
    loss = -np.log(np.clip(picked, eps, 1 - eps))
    if not normalize:
        return float(loss.sum() if w is None else np.dot(loss, w.astype(loss.dtype)))
    return float(np.average(loss, weights=w))
