"""Label metrics: accuracy, zero-one and Hamming loss, the confusion matrices, precision /
recall / F-beta and Jaccard (scikit-learn twins).

Targets are 1-d labels ('binary', 'multiclass') or, where scikit-learn allows them, multilabel
indicator matrices Y (n_samples, n_labels) whose non-zero entries mark the labels of a sample.
For each label ``k`` (or for the pooled counts when ``average='micro'``)::

    precision_k = tp_k / (tp_k + fp_k)        recall_k = tp_k / (tp_k + fn_k)
    F_beta,k    = (1 + b^2) tp_k / ((1 + b^2) tp_k + b^2 fn_k + fp_k)
    jaccard_k   = tp_k / (tp_k + fp_k + fn_k)

``average``: 'binary' reports ``pos_label`` only; 'micro' pools the counts of every label;
'macro' is the unweighted mean over labels; 'weighted' weights labels by their support
(true count); 'samples' (indicator targets only) computes the score per sample over its labels
and takes the (sample-weighted) mean; None returns one value per label. A ratio with a zero
denominator takes ``zero_division`` (0.0, 1.0 or NaN); with the default 'warn' it is 0.0 and an
``UndefinedMetricWarning`` is raised, exactly as in scikit-learn.
"""
from __future__ import annotations

import warnings
from typing import Any, Sequence

import numpy as np

from ._counts import confusion_counts, encode, indicator_sums, label_sums
from ._validation import (as_array, check_sample_weight, classification_targets, refuse_multilabel,
                          warn_undefined, weighted_mean)

_AVERAGES = (None, "micro", "macro", "weighted", "samples")


def _targets_and_weights(y_true: Any, y_pred: Any, sample_weight: Any, func: str):
    """(type, labels, y_true, y_pred, weights) after scikit-learn's target checks."""
    y_type, labels, yt, yp = classification_targets(y_true, y_pred, func, sample_weight)
    return y_type, labels, yt, yp, check_sample_weight(sample_weight, len(yt), func)


def _hits(y_type: str, yt: np.ndarray, yp: np.ndarray) -> np.ndarray:
    """Per sample: 1-d labels equal, or (indicator rows) every entry equal."""
    if y_type == "multilabel-indicator":
        return np.all(yt == yp, axis=1)
    return yt == yp


def accuracy_score(y_true: Any, y_pred: Any, *, normalize: bool = True, sample_weight: Any = None) -> float:
    """Fraction (``normalize=True``) or (weighted) count of samples with ``y_pred == y_true``;
    for indicator matrices the subset accuracy (a sample counts only when its whole label set is
    right): acc = sum_i w_i [y_i == p_i] / sum_i w_i.

    Shapes: y_true, y_pred (n_samples,) labels or (n_samples, n_labels) indicators;
    sample_weight (n_samples,)."""
    y_type, _, yt, yp, w = _targets_and_weights(y_true, y_pred, sample_weight, "accuracy_score")
    hit = _hits(y_type, yt, yp)
    if not normalize:
        return float(hit.sum() if w is None else np.dot(hit, w))
    return weighted_mean(hit, w)


def zero_one_loss(y_true: Any, y_pred: Any, *, normalize: bool = True, sample_weight: Any = None) -> float:
    """1 - accuracy (``normalize=True``), or the (weighted) count of samples not predicted exactly:
    L = sum_i w_i [y_i != p_i] (/ sum_i w_i). Indicator rows must match on every label."""
    y_type, _, yt, yp, w = _targets_and_weights(y_true, y_pred, sample_weight, "zero_one_loss")
    hit = _hits(y_type, yt, yp)
    if normalize:
        return 1.0 - weighted_mean(hit, w)
    total = len(hit) if w is None else w.sum()
    return float(total - (hit.sum() if w is None else np.dot(hit, w)))


def hamming_loss(y_true: Any, y_pred: Any, *, sample_weight: Any = None) -> float:
    """Fraction of wrong labels: 1-d targets sum_i w_i [y_i != p_i] / sum_i w_i; indicator
    matrices (n, L) sum_ij w_i [Y_ij != P_ij] / (n L mean(w)), every label of every sample."""
    y_type, _, yt, yp, w = _targets_and_weights(y_true, y_pred, sample_weight, "hamming_loss")
    if y_type != "multilabel-indicator":
        return weighted_mean(yt != yp, w)
    wrong = (yt != yp).sum(axis=1)
    mean_w = 1.0 if w is None else w.sum() / len(w)
    return float((wrong.sum() if w is None else np.dot(wrong, w)) / (yt.shape[0] * yt.shape[1] * mean_w))


def confusion_matrix(y_true: Any, y_pred: Any, *, labels: Sequence | None = None, sample_weight: Any = None,
                     normalize: str | None = None) -> np.ndarray:
    """C[i, j] = number of samples of true label ``labels[i]`` predicted as ``labels[j]``.

    ``labels`` picks and orders the rows/columns (default: the sorted labels present in either
    input); samples whose labels are not listed are left out. ``normalize`` divides by the row
    sums ('true'), the column sums ('pred') or the total ('all'); 0/0 becomes 0.
    Returns (n_labels, n_labels): int64 (also with integer weights, summed exactly), or float64
    with float weights or normalisation."""
    func = "confusion_matrix"
    if normalize not in (None, "true", "pred", "all"):
        raise ValueError(f"{func}: The 'normalize' parameter of confusion_matrix must be a str among "
                         f"{{'true', 'all', 'pred'}} or None. Got {normalize!r} instead.")
    cm = labelled_confusion(y_true, y_pred, labels, sample_weight, func)
    if normalize is not None:
        with np.errstate(all="ignore"):
            if normalize == "true":
                cm = cm / cm.sum(axis=1, keepdims=True)
            elif normalize == "pred":
                cm = cm / cm.sum(axis=0, keepdims=True)
            else:
                cm = cm / cm.sum()
        cm = np.nan_to_num(cm)
    return cm


def labelled_confusion(y_true: Any, y_pred: Any, labels: Any, sample_weight: Any, func: str) -> np.ndarray:
    """The unnormalised confusion matrix of 1-d targets over ``labels`` (present labels when
    None), with scikit-learn's checks and single-label warning; errors name ``func``."""
    y_type, present, yt, yp, w = _targets_and_weights(y_true, y_pred, sample_weight, func)
    refuse_multilabel(y_type, func)
    if labels is None:
        labels = present
    else:
        labels = as_array(labels, "labels", func)
        if labels.size == 0:
            raise ValueError(f"{func}: 'labels' should contain at least one label.")
        if not np.isin(yt, labels).any():
            raise ValueError(f"{func}: At least one label specified must be in y_true")
    n = len(labels)
    cm = confusion_counts(encode(yt, labels), encode(yp, labels), n, w)
    if cm.shape == (1, 1):
        warnings.warn("A single label was found in 'y_true' and 'y_pred'. For the confusion matrix to have the "
                      "correct shape, use the 'labels' parameter to pass all known labels.", UserWarning,
                      stacklevel=3)
    return cm


def _label_counts(y_type: str, present: np.ndarray, yt: np.ndarray, yp: np.ndarray, w: np.ndarray | None,
                  labels: Any, samplewise: bool, func: str):
    """(tp, pred, true, total) per label in the order of ``labels`` (all present labels when
    None), or per sample when ``samplewise``; ``total`` is the (weighted) number of samples per
    label, or of labels per sample, so that tn = total - tp - fp - fn."""
    chosen = None if labels is None else as_array(labels, "labels", func)
    if y_type == "multilabel-indicator":
        return _indicator_counts(present, yt, yp, w, chosen, samplewise, func)
    if samplewise:
        raise ValueError(f"{func}: Samplewise metrics are not available outside of multilabel classification.")
    chosen = present if chosen is None else chosen
    tp, pred, true = label_sums(encode(yt, chosen), encode(yp, chosen), len(chosen), w)
    if w is None and not np.any(yt == yp):
        tp, pred, true = (c.astype(np.float64) for c in (tp, pred, true))  # scikit-learn's counts turn float
    return tp, pred, true, len(yt) if w is None else w.sum()


def _indicator_counts(present: np.ndarray, yt: np.ndarray, yp: np.ndarray, w: np.ndarray | None,
                      chosen: np.ndarray | None, samplewise: bool, func: str):
    """_label_counts for indicator matrices: ``chosen`` are column numbers in [0, n_labels)."""
    if chosen is not None and len(chosen):
        if not np.array_equal(chosen, present):
            if chosen.max() > present.max():
                raise ValueError(f"{func}: All labels must be in [0, n labels) for multilabel targets. Got "
                                 f"{chosen.max()} > {present.max()}")
            if chosen.min() < 0:
                raise ValueError(f"{func}: All labels must be in [0, n labels) for multilabel targets. Got "
                                 f"{chosen.min()} < 0")
        yt, yp = yt[:, chosen], yp[:, chosen]
    tp, pred, true = indicator_sums(yt, yp, w, axis=1 if samplewise else 0)
    if samplewise:
        total = yt.shape[1] if w is None else w * yt.shape[1]
    else:
        total = len(yt) if w is None else w.sum()
    return tp, pred, true, total


def multilabel_confusion_matrix(y_true: Any, y_pred: Any, *, sample_weight: Any = None, labels: Sequence | None = None,
                                samplewise: bool = False) -> np.ndarray:
    """One 2x2 matrix per label, [[tn, fp], [fn, tp]], treating each label as its own binary
    problem (label present or not): shape (n_labels, 2, 2), in the order of ``labels``.

    1-d targets: label k is "present" where y == k. Indicator targets (n, L): column k; with
    ``samplewise=True`` one matrix per sample over its L labels instead. int64 without weights
    (and, for indicators, with integer weights), float64 otherwise, as scikit-learn's."""
    func = "multilabel_confusion_matrix"
    y_type, present, yt, yp, w = _targets_and_weights(y_true, y_pred, sample_weight, func)
    tp, pred, true, total = _label_counts(y_type, present, yt, yp, w, labels, samplewise, func)
    fp, fn = pred - tp, true - tp
    tn = total - tp - fp - fn
    return np.stack([tn, fp, fn, tp], axis=-1).reshape(-1, 2, 2)


def _zero_division_value(zero_division: Any, func: str, allow_nan: bool = True) -> float:
    """The value of a 0/0 ratio: 0.0 for 'warn' (which also warns), else 0.0, 1.0 or NaN as given."""
    if isinstance(zero_division, str):
        if zero_division == "warn":
            return 0.0
    elif isinstance(zero_division, (int, float, np.number)) and not isinstance(zero_division, bool):
        if zero_division in (0, 1):
            return float(zero_division)
        if allow_nan and np.isnan(zero_division):
            return np.nan
    allowed = "{0.0, 1.0}, numpy.nan" if allow_nan else "{0, 1}"
    raise ValueError(f"{func}: The 'zero_division' parameter of {func} must be a float among {allowed} or a str "
                     f"among {{'warn'}}. Got {zero_division!r} instead.")


def _divide(num: np.ndarray, den: np.ndarray, metric: str, modifier: str, average: str | None,
            warn_for: Sequence[str], zero_division: Any, func: str) -> np.ndarray:
    """num / den, with ``zero_division`` where den == 0 (and scikit-learn's warning when asked)."""
    den = np.atleast_1d(np.asarray(den, dtype=np.float64))
    zero = den == 0
    out = np.atleast_1d(np.asarray(num, dtype=np.float64)) / np.where(zero, 1.0, den)
    if not zero.any():
        return out
    out[zero] = _zero_division_value(zero_division, func)
    if isinstance(zero_division, str) and metric in warn_for:
        counted, scored = ("label", "sample") if average == "samples" else ("sample", "label")
        where = "due to" if out.shape[0] == 1 else f"in {scored}s with"
        warn_undefined(f"{metric.capitalize()} is ill-defined and being set to 0.0 {where} no {modifier} "
                       f"{counted}s. Use `zero_division` parameter to control this behavior.")
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
                     func: str) -> Any:
    """The labels to score, following scikit-learn's rules for ``average`` and ``pos_label``."""
    if average == "binary":
        if y_type != "binary":
            options = [a for a in _AVERAGES if y_type != "multiclass" or a != "samples"]
            raise ValueError(f"{func}: Target is {y_type} but average='binary'. Please choose another average "
                             f"setting, one of {options!r}.")
        if pos_label not in present.tolist() and len(present) >= 2:
            raise ValueError(f"{func}: pos_label={pos_label} is not a valid label. It should be one of {present}")
        return np.asarray([pos_label])
    if pos_label not in (None, 1):
        warnings.warn(f"Note that pos_label (set to {pos_label!r}) is ignored when average != 'binary' (got "
                      f"{average!r}). You may use labels=[pos_label] to specify a single positive class.",
                      UserWarning, stacklevel=3)
    return labels


def _set_wise_counts(y_true: Any, y_pred: Any, labels: Any, pos_label: Any, average: str | None, sample_weight: Any,
                     func: str):
    """(tp, pred, true) per label (or per sample for 'samples', pooled for 'micro') and weights."""
    if average not in _AVERAGES and average != "binary":
        raise ValueError(f"{func}: The 'average' parameter of {func} must be a str among {{'binary', 'macro', "
                         f"'samples', 'weighted', 'micro'}} or None. Got {average!r} instead.")
    y_type, present, yt, yp, w = _targets_and_weights(y_true, y_pred, sample_weight, func)
    labels = _set_wise_labels(present, y_type, average, labels, pos_label, func)
    tp, pred, true, _ = _label_counts(y_type, present, yt, yp, w, labels, average == "samples", func)
    if average == "micro":
        tp, pred, true = (np.atleast_1d(c.sum()) for c in (tp, pred, true))
    return tp, pred, true, w


def precision_recall_fscore_support(y_true: Any, y_pred: Any, *, beta: float = 1.0, labels: Sequence | None = None,
                                    pos_label: Any = 1, average: str | None = None,
                                    warn_for: Sequence[str] = ("precision", "recall", "f-score"),
                                    sample_weight: Any = None, zero_division: Any = "warn"):
    """(precision, recall, F-beta, support) per label, or averaged (support then None).

    Shapes: y_true, y_pred (n_samples,) labels or (n_samples, n_labels) indicators. Per-label
    results are (n_labels,) float64 arrays in the order of ``labels``; averaged results are
    floats. See the module docstring for the formulas and the averages."""
    return _prf(y_true, y_pred, beta, labels, pos_label, average, warn_for, sample_weight, zero_division,
                "precision_recall_fscore_support")


def _prf(y_true: Any, y_pred: Any, beta: float, labels: Any, pos_label: Any, average: str | None,
         warn_for: Sequence[str], sample_weight: Any, zero_division: Any, func: str):
    """precision_recall_fscore_support, its errors naming the public function ``func`` called."""
    _zero_division_value(zero_division, func)
    if not (isinstance(beta, (int, float, np.number)) and beta >= 0):
        raise ValueError(f"{func}: The 'beta' parameter of {func} must be a float in the range [0.0, inf]. Got "
                         f"{beta!r} instead.")
    tp, pred, true, w = _set_wise_counts(y_true, y_pred, labels, pos_label, average, sample_weight, func)
    precision = _divide(tp, pred, "precision", "predicted", average, warn_for, zero_division, func)
    recall = _divide(tp, true, "recall", "true", average, warn_for, zero_division, func)
    if np.isposinf(beta):
        f_score = recall
    elif beta == 0:
        f_score = precision
    else:
        b2 = float(beta) ** 2
        f_score = _divide((1 + b2) * np.asarray(tp, dtype=np.float64), b2 * np.asarray(true, dtype=np.float64) + pred,
                          "f-score", "true nor predicted", average, warn_for, zero_division, func)
    if average is None:
        return precision, recall, f_score, true
    weights = {"weighted": np.asarray(true, dtype=np.float64), "samples": w}.get(average)
    return _nanaverage(precision, weights), _nanaverage(recall, weights), _nanaverage(f_score, weights), None


def fbeta_score(y_true: Any, y_pred: Any, *, beta: float, labels: Sequence | None = None, pos_label: Any = 1,
                average: str | None = "binary", sample_weight: Any = None, zero_division: Any = "warn"):
    """F-beta = (1 + b^2) tp / ((1 + b^2) tp + b^2 fn + fp): recall counts ``beta`` times as much as precision."""
    return _prf(y_true, y_pred, beta, labels, pos_label, average, ("f-score",), sample_weight, zero_division,
                "fbeta_score")[2]


def f1_score(y_true: Any, y_pred: Any, *, labels: Sequence | None = None, pos_label: Any = 1,
             average: str | None = "binary", sample_weight: Any = None, zero_division: Any = "warn"):
    """F1 = 2 tp / (2 tp + fn + fp), the harmonic mean of precision and recall."""
    return _prf(y_true, y_pred, 1.0, labels, pos_label, average, ("f-score",), sample_weight, zero_division,
                "f1_score")[2]


def precision_score(y_true: Any, y_pred: Any, *, labels: Sequence | None = None, pos_label: Any = 1,
                    average: str | None = "binary", sample_weight: Any = None, zero_division: Any = "warn"):
    """Precision = tp / (tp + fp): of the samples predicted positive, the fraction that are."""
    return _prf(y_true, y_pred, 1.0, labels, pos_label, average, ("precision",), sample_weight, zero_division,
                "precision_score")[0]


def recall_score(y_true: Any, y_pred: Any, *, labels: Sequence | None = None, pos_label: Any = 1,
                 average: str | None = "binary", sample_weight: Any = None, zero_division: Any = "warn"):
    """Recall = tp / (tp + fn): of the positive samples, the fraction found."""
    return _prf(y_true, y_pred, 1.0, labels, pos_label, average, ("recall",), sample_weight, zero_division,
                "recall_score")[1]


def jaccard_score(y_true: Any, y_pred: Any, *, labels: Sequence | None = None, pos_label: Any = 1,
                  average: str | None = "binary", sample_weight: Any = None, zero_division: Any = "warn"):
    """Jaccard index |true ∩ predicted| / |true ∪ predicted| = tp / (tp + fp + fn), per label
    (or per sample with 'samples'), averaged as precision is (module docstring); 'weighted'
    weights by support and falls back to the plain mean when no label has support."""
    func = "jaccard_score"
    _zero_division_value(zero_division, func, allow_nan=False)
    tp, pred, true, w = _set_wise_counts(y_true, y_pred, labels, pos_label, average, sample_weight, func)
    union = np.asarray(pred, dtype=np.float64) + true - tp
    jaccard = _divide(tp, union, "jaccard", "true or predicted", average, ("jaccard",), zero_division, func)
    if average is None:
        return jaccard
    weights = None
    if average == "weighted" and np.any(true):
        weights = np.asarray(true, dtype=np.float64)
    elif average == "samples":
        weights = w
    return float(np.average(jaccard, weights=weights))
