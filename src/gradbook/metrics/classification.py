"""Label metrics: accuracy, the confusion matrix, precision / recall / F-beta (scikit-learn twins).

For each label ``k`` (or for the pooled counts when ``average='micro'``)::

    precision_k = tp_k / (tp_k + fp_k)        recall_k = tp_k / (tp_k + fn_k)
    F_beta,k    = (1 + b^2) tp_k / ((1 + b^2) tp_k + b^2 fn_k + fp_k)

``average``: 'binary' reports ``pos_label`` only; 'micro' pools the counts of every label;
'macro' is the unweighted mean over labels; 'weighted' weights labels by their support
(true count); None returns one value per label. A ratio with a zero denominator takes
``zero_division`` (0.0, 1.0 or NaN); with the default 'warn' it is 0.0 and an
``UndefinedMetricWarning`` is raised, exactly as in scikit-learn.
"""
from __future__ import annotations

import warnings
from typing import Any, Sequence

import numpy as np

from ._counts import confusion_counts, encode, label_sums
from ._validation import as_array, check_sample_weight, classification_targets, warn_undefined

_AVERAGES = (None, "micro", "macro", "weighted", "binary")


def accuracy_score(y_true: Any, y_pred: Any, *, normalize: bool = True, sample_weight: Any = None) -> float:
    """Fraction (``normalize=True``) or (weighted) count of samples with ``y_pred == y_true``.

    Shapes: y_true, y_pred (n_samples,) labels; sample_weight (n_samples,)."""
    _, _, yt, yp = classification_targets(y_true, y_pred, "accuracy_score")
    w = check_sample_weight(sample_weight, len(yt), "accuracy_score")
    hit = yt == yp
    if not normalize:
        return float(hit.sum() if w is None else np.dot(hit, w))
    return float(hit.mean() if w is None else np.average(hit, weights=w))


def confusion_matrix(y_true: Any, y_pred: Any, *, labels: Sequence | None = None, sample_weight: Any = None,
                     normalize: str | None = None) -> np.ndarray:
    """C[i, j] = number of samples of true label ``labels[i]`` predicted as ``labels[j]``.

    ``labels`` picks and orders the rows/columns (default: the sorted labels present in either
    input); samples whose labels are not listed are left out. ``normalize`` divides by the row
    sums ('true'), the column sums ('pred') or the total ('all'); 0/0 becomes 0.
    Returns (n_labels, n_labels): int64, or float64 with float weights or normalisation."""
    func = "confusion_matrix"
    if normalize not in (None, "true", "pred", "all"):
        raise ValueError(f"{func}: normalize must be one of 'true', 'pred', 'all' or None, got {normalize!r}")
    _, present, yt, yp = classification_targets(y_true, y_pred, func)
    w = check_sample_weight(sample_weight, len(yt), func)
    if labels is None:
        labels = present
    else:
        labels = as_array(labels, "labels", func)
        if labels.size == 0:
            raise ValueError(f"{func}: 'labels' should contain at least one label.")
        if not np.isin(yt, labels).any():
            raise ValueError(f"{func}: at least one label specified must be in y_true; labels={labels.tolist()}")
    n = len(labels)
    cm = confusion_counts(encode(yt, labels), encode(yp, labels), n, w)
    if normalize is not None:
        with np.errstate(all="ignore"):
            if normalize == "true":
                cm = cm / cm.sum(axis=1, keepdims=True)
            elif normalize == "pred":
                cm = cm / cm.sum(axis=0, keepdims=True)
            else:
                cm = cm / cm.sum()
        cm = np.nan_to_num(cm)
    if cm.shape == (1, 1):
        warnings.warn("A single label was found in 'y_true' and 'y_pred'. For the confusion matrix to have the "
                      "correct shape, use the 'labels' parameter to pass all known labels.", UserWarning,
                      stacklevel=2)
    return cm


def _zero_division_value(zero_division: Any, func: str) -> float:
    if isinstance(zero_division, str):
        if zero_division == "warn":
            return 0.0
    elif isinstance(zero_division, (int, float, np.number)) and not isinstance(zero_division, bool):
        if zero_division in (0, 1):
            return float(zero_division)
        if np.isnan(zero_division):
            return np.nan
    raise ValueError(f"{func}: zero_division must be 'warn', 0.0, 1.0 or np.nan, got {zero_division!r}")


def _divide(num: np.ndarray, den: np.ndarray, metric: str, modifier: str, average: str | None,
            warn_for: Sequence[str], zero_division: Any, func: str) -> np.ndarray:
    """num / den, with ``zero_division`` where den == 0 (and scikit-learn's warning when asked)."""
    den = np.asarray(den, dtype=np.float64)
    zero = den == 0
    out = np.asarray(num, dtype=np.float64) / np.where(zero, 1.0, den)
    if not zero.any():
        return out
    out[zero] = _zero_division_value(zero_division, func)
    if isinstance(zero_division, str) and metric in warn_for:
        where = "due to" if out.shape[0] == 1 else "in labels with"
        warn_undefined(f"{metric.capitalize()} is ill-defined and being set to 0.0 {where} no {modifier} "
                       "samples. Use `zero_division` parameter to control this behavior.")
    return out


def _nanaverage(a: np.ndarray, weights: np.ndarray | None) -> float:
    """Mean of the non-NaN entries (weighted when given; all-zero weights fall back to uniform)."""
    keep = ~np.isnan(a)
    if not keep.any():
        return float("nan")
    if weights is None or np.sum(weights[keep]) == 0:
        return float(np.mean(a[keep]))
    return float(np.average(a[keep], weights=weights[keep]))


def _set_wise_labels(present: np.ndarray, y_type: str, average: str | None, labels: Any, pos_label: Any,
                     func: str) -> np.ndarray:
    """The labels to score, following scikit-learn's rules for ``average`` and ``pos_label``."""
    if average not in _AVERAGES:
        raise ValueError(f"{func}: average must be one of {_AVERAGES}, got {average!r} ('samples' is for "
                         "multilabel targets, which are not supported)")
    if average == "binary":
        if y_type != "binary":
            raise ValueError(f"{func}: target is {y_type} but average='binary'. Please choose another average "
                             "setting, one of [None, 'micro', 'macro', 'weighted'].")
        if pos_label not in present.tolist() and len(present) >= 2:
            raise ValueError(f"{func}: pos_label={pos_label!r} is not a valid label. It should be one of "
                             f"{present.tolist()}")
        return np.asarray([pos_label])
    if pos_label not in (None, 1):
        warnings.warn(f"Note that pos_label (set to {pos_label!r}) is ignored when average != 'binary' (got "
                      f"{average!r}). You may use labels=[pos_label] to specify a single positive class.",
                      UserWarning, stacklevel=3)
    return present if labels is None else as_array(labels, "labels", func)


def precision_recall_fscore_support(y_true: Any, y_pred: Any, *, beta: float = 1.0, labels: Sequence | None = None,
                                    pos_label: Any = 1, average: str | None = None,
                                    warn_for: Sequence[str] = ("precision", "recall", "f-score"),
                                    sample_weight: Any = None, zero_division: Any = "warn"):
    """(precision, recall, F-beta, support) per label, or averaged (support then None).

    Shapes: y_true, y_pred (n_samples,). Per-label results are (n_labels,) float64 arrays in the
    order of ``labels``; averaged results are floats. See the module docstring for the formulas."""
    func = "precision_recall_fscore_support"
    _zero_division_value(zero_division, func)
    if not (isinstance(beta, (int, float, np.number)) and beta >= 0):
        raise ValueError(f"{func}: beta must be a number >= 0, got {beta!r}")
    y_type, present, yt, yp = classification_targets(y_true, y_pred, func)
    w = check_sample_weight(sample_weight, len(yt), func)
    labels = _set_wise_labels(present, y_type, average, labels, pos_label, func)
    tp, pred, true = label_sums(encode(yt, labels), encode(yp, labels), len(labels), w)
    if w is None and not np.any(yt == yp):
        true = true.astype(np.float64)  # scikit-learn's counts turn float when nothing is hit
    if average == "micro":
        tp, pred, true = tp.sum(keepdims=True), pred.sum(keepdims=True), true.sum(keepdims=True)

    precision = _divide(tp, pred, "precision", "predicted", average, warn_for, zero_division, func)
    recall = _divide(tp, true, "recall", "true", average, warn_for, zero_division, func)
    if np.isposinf(beta):
        f_score = recall
    elif beta == 0:
        f_score = precision
    else:
        b2 = float(beta) ** 2
        f_score = _divide((1 + b2) * tp.astype(np.float64), b2 * true.astype(np.float64) + pred, "f-score",
                          "true nor predicted", average, warn_for, zero_division, func)
    if average is None:
        return precision, recall, f_score, true
    weights = true.astype(np.float64) if average == "weighted" else None
    return _nanaverage(precision, weights), _nanaverage(recall, weights), _nanaverage(f_score, weights), None


def fbeta_score(y_true: Any, y_pred: Any, *, beta: float, labels: Sequence | None = None, pos_label: Any = 1,
                average: str | None = "binary", sample_weight: Any = None, zero_division: Any = "warn"):
    """F-beta = (1 + b^2) tp / ((1 + b^2) tp + b^2 fn + fp): recall counts ``beta`` times as much as precision."""
    return precision_recall_fscore_support(y_true, y_pred, beta=beta, labels=labels, pos_label=pos_label,
                                           average=average, warn_for=("f-score",), sample_weight=sample_weight,
                                           zero_division=zero_division)[2]


def f1_score(y_true: Any, y_pred: Any, *, labels: Sequence | None = None, pos_label: Any = 1,
             average: str | None = "binary", sample_weight: Any = None, zero_division: Any = "warn"):
    """F1 = 2 tp / (2 tp + fn + fp), the harmonic mean of precision and recall."""
    return fbeta_score(y_true, y_pred, beta=1.0, labels=labels, pos_label=pos_label, average=average,
                       sample_weight=sample_weight, zero_division=zero_division)


def precision_score(y_true: Any, y_pred: Any, *, labels: Sequence | None = None, pos_label: Any = 1,
                    average: str | None = "binary", sample_weight: Any = None, zero_division: Any = "warn"):
    """Precision = tp / (tp + fp): of the samples predicted positive, the fraction that are."""
    return precision_recall_fscore_support(y_true, y_pred, labels=labels, pos_label=pos_label, average=average,
                                           warn_for=("precision",), sample_weight=sample_weight,
                                           zero_division=zero_division)[0]


def recall_score(y_true: Any, y_pred: Any, *, labels: Sequence | None = None, pos_label: Any = 1,
                 average: str | None = "binary", sample_weight: Any = None, zero_division: Any = "warn"):
    """Recall = tp / (tp + fn): of the positive samples, the fraction found."""
    return precision_recall_fscore_support(y_true, y_pred, labels=labels, pos_label=pos_label, average=average,
                                           warn_for=("recall",), sample_weight=sample_weight,
                                           zero_division=zero_division)[1]
