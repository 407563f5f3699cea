"""Scores of decision values or class scores (scikit-learn twins): hinge loss and top-k accuracy.

    hinge (binary)      L = sum_i w_i max(0, 1 - y_i f_i) / sum_i w_i,  y_i = +1 for the greater label, -1 else
    hinge (multiclass)  the same with margin f_i[y_i] - max_{k != y_i} f_i[k]   (Crammer-Singer)
    top-k accuracy      A = sum_i w_i [y_i among the k highest scores of row i] / sum_i w_i

Shapes: y_true (n_samples,); decisions / scores (n_samples,) for two classes or
(n_samples, n_classes) with columns in sorted label order (or the order of ``labels``).
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ._counts import encode
from ._validation import (as_array, check_consistent_length, check_sample_weight, column_or_1d, numeric_array,
                          type_of_target, unique, warn_undefined, weighted_mean)


def _numeric(x: Any, name: str, func: str) -> np.ndarray:
    a = numeric_array(as_array(x, name, func), func)
    if a.ndim > 2:
        raise ValueError(f"{func}: Found array with dim {a.ndim}. None expected <= 2.")
    return a


def hinge_loss(y_true: Any, pred_decision: Any, *, labels: Sequence | None = None, sample_weight: Any = None) -> float:
    """Average hinge loss of decision values (module docstring): 0 for a sample on the right side
    of the margin, growing linearly with the violation. Binary: ``pred_decision`` (n,) is the
    decision for the greater label of y_true. Multiclass: (n, n_classes), one column per label of
    ``labels`` (default: those of y_true)."""
    func = "hinge_loss"
    yt_raw = as_array(y_true, "y_true", func)
    f = as_array(pred_decision, "pred_decision", func)
    check_consistent_length(func, y_true=yt_raw if yt_raw.ndim else None, pred_decision=f if f.ndim else None,
                            sample_weight=None if sample_weight is None else as_array(sample_weight, "w", func))
    f = _numeric(f, "pred_decision", func)
    yt = column_or_1d(yt_raw, "y_true", func)
    w = check_sample_weight(sample_weight, len(yt), func)
    classes = unique(column_or_1d(as_array(labels, "labels", func), "labels", func) if labels is not None else yt)
    n = len(yt)
    if len(classes) > 2:
        if f.ndim <= 1:
            raise ValueError(f"{func}: The shape of pred_decision cannot be 1d arraywith a multiclass target. "
                             f"pred_decision shape must be (n_samples, n_classes), that is ({n}, {len(classes)}). "
                             f"Got: {f.shape}")
        if f.shape[1] != len(classes):
            if labels is None:
                raise ValueError(f"{func}: Please include all labels in y_true or pass labels as third argument")
            raise ValueError(f"{func}: The shape of pred_decision is not consistent with the number of classes. "
                             "With a multiclass target, pred_decision shape must be (n_samples, n_classes), that "
                             f"is ({n}, {len(classes)}). Got: {f.shape}")
        codes = encode(yt, classes)
        if np.any(codes < 0):
            raise ValueError(f"{func}: y contains previously unseen labels: {list(unique(yt[codes < 0]))}")
        rows = np.arange(n)
        own = f[rows, codes]
        others = f.astype(np.float64)  # the best rival: every column but the true one
        others[rows, codes] = -np.inf
        margin = own - others.max(axis=1)
    else:
        if f.ndim == 2 and f.shape[1] != 1:
            raise ValueError(f"{func}: y should be a 1d array, got an array of shape {f.shape} instead.")
        f = f.ravel()
        if type_of_target(yt, "y_true", func) not in ("binary", "multiclass"):
            raise ValueError(f"{func}: Unknown label type: {(unique(yt),)}")
        sign = np.where(yt == unique(yt)[-1], 1, -1) if len(unique(yt)) == 2 else -np.ones(n, dtype=np.int64)
        margin = sign * f
    return float(np.average(np.maximum(1 - margin, 0), weights=w))


def top_k_accuracy_score(y_true: Any, y_score: Any, *, k: int = 2, normalize: bool = True, sample_weight: Any = None,
                         labels: Sequence | None = None) -> float:
    """Fraction (or weighted count, ``normalize=False``) of samples whose true label is among the
    ``k`` classes with the highest scores (module docstring); equal scores are ranked by column,
    the later column first, as scikit-learn ranks them. Binary y_true with (n,) scores of the
    greater label: k = 1 thresholds at 0.5 for scores in [0, 1] (else at 0); k >= 2 is always right."""
    func = "top_k_accuracy_score"
    if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or k < 1:
        raise ValueError(f"{func}: The 'k' parameter of {func} must be an int in the range [1, inf). Got {k!r} "
                         "instead.")
    yt = column_or_1d(as_array(y_true, "y_true", func), "y_true", func)
    y_type = type_of_target(yt, "y_true", func)
    if y_type == "binary" and labels is not None and len(labels) > 2:
        y_type = "multiclass"
    if y_type not in ("binary", "multiclass"):
        raise ValueError(f"{func}: y type must be 'binary' or 'multiclass', got '{y_type}' instead.")
    s = _numeric(y_score, "y_score", func)
    if y_type == "binary":
        if s.ndim == 2 and s.shape[1] != 1:
            raise ValueError(f"{func}: `y_true` is binary while y_score is 2d with {s.shape[1]} classes. If `y_true` "
                             "does not contain all the labels, `labels` must be provided.")
        s = column_or_1d(s, "y_score", func)
    elif s.ndim != 2:
        raise ValueError(f"{func}: `y_score` needs to be of shape `(n_samples, n_classes)`, since `y_true` contains "
                         f"multiple classes. Got `y_score.shape={s.shape}`.")
    check_consistent_length(func, y_true=yt, y_score=s, sample_weight=None if sample_weight is None else
                            as_array(sample_weight, "sample_weight", func))
    w = check_sample_weight(sample_weight, len(yt), func)
    n_score_classes = s.shape[1] if s.ndim == 2 else 2
    classes = _top_k_classes(yt, labels, n_score_classes, func)
    if k >= len(classes):
        warn_undefined(f"'k' ({k}) greater than or equal to 'n_classes' ({len(classes)}) will result in a perfect "
                       "score and is therefore meaningless.")
    codes = encode(yt, classes)
    if y_type == "binary":
        if k == 1:
            threshold = 0.5 if s.min() >= 0 and s.max() <= 1 else 0
            hits = (s > threshold).astype(np.int64) == codes
        else:
            hits = np.ones(len(s), dtype=bool)
    else:
        # a stable sort, read backwards: ties put the later column first, as scikit-learn's do
        best_first = np.argsort(s, axis=1, kind="stable")[:, ::-1]
        hits = (best_first[:, :k] == codes[:, None]).any(axis=1)
    if normalize:
        return weighted_mean(hits, w)
    return float(hits.sum() if w is None else np.dot(hits, w))


def _top_k_classes(yt: np.ndarray, labels: Any, n_score_classes: int, func: str) -> np.ndarray:
    if labels is None:
        classes = unique(yt)
        if len(classes) != n_score_classes:
            raise ValueError(f"{func}: Number of classes in 'y_true' ({len(classes)}) not equal to the number of "
                             f"classes in 'y_score' ({n_score_classes}).You can provide a list of all known classes "
                             "by assigning it to the `labels` parameter.")
        return classes
    given = column_or_1d(as_array(labels, "labels", func), "labels", func)
    classes = unique(given)
    if len(classes) != len(given):
        raise ValueError(f"{func}: Parameter 'labels' must be unique.")
    if not np.array_equal(classes, given):
        raise ValueError(f"{func}: Parameter 'labels' must be ordered.")
    if len(classes) != n_score_classes:
        raise ValueError(f"{func}: Number of given labels ({len(classes)}) not equal to the number of classes in "
                         f"'y_score' ({n_score_classes}).")
    if len(np.setdiff1d(yt, classes)):
        raise ValueError(f"{func}: 'y_true' contains labels not in parameter 'labels'.")
    return classes
