"""Ranking metrics: ROC curve and its area, precision-recall curve and average precision, auc.

Every curve is built from the same counts: at each threshold t (distinct scores, descending),
``tps(t) = #positives with score >= t`` and ``fps(t) = #negatives with score >= t``. Then

    fpr = fps / N,  tpr = tps / P,   precision = tps / (tps + fps),  recall = tps / P

and the ROC AUC is the trapezoid rule over the grouped curve, which equals the Mann-Whitney
probability P(score of a positive > score of a negative) + 0.5 P(tie).

``roc_curve`` computes the counts three ways (``method``):

* ``"sorted"`` (default, fast): sort, then a cumulative walk over groups of tied scores (one
  group = one diagonal step). Only values are sorted (a value sort is ~5x faster than an
  argsort); group ends come from ``np.flatnonzero`` where the sorted scores change, and tps per
  group from ``searchsorted`` into the sorted positives (few distinct scores) or a cumulative
  sum over a merge of the sorted positives and negatives (many). With ``sample_weight`` it is
  scikit-learn's stable argsort and weighted cumsum. Equals scikit-learn exactly.
* ``"sweep"`` (the textbook method): one threshold per distinct score, count TP/FP with a
  comparison against every sample, O(n * t), vectorised over blocks of thresholds.
* ``"naive"``: a stable sort by score (descending), then one step per sample in that order with
  ties NOT grouped; with tied scores the curve, and its area, depend on the input order.
"""
from __future__ import annotations

import warnings
from typing import Any, Sequence

import numpy as np

from ._validation import (as_array, check_consistent_length, check_finite, check_min_samples, check_pos_label,
                          check_sample_weight, column_or_1d, numeric_array, target_type_and_classes, type_of_target,
                          unique, warn_undefined)
from ._counts import encode

_METHODS = ("sorted", "sweep", "naive")
_SWEEP_BLOCK = 1 << 22  # booleans per comparison block of the sweep method (4 MiB)


# ---------------------------------------------------------------------------------------------
# counts at thresholds
# ---------------------------------------------------------------------------------------------
def _binary_inputs(y_true: Any, y_score: Any, pos_label: Any, sample_weight: Any, func: str):
    """(positive mask, 1-d scores, weights or None) after scikit-learn's checks for binary curves."""
    yt = as_array(y_true, "y_true", func)
    ys = as_array(y_score, "y_score", func)
    y_type, classes = target_type_and_classes(yt, "y_true", func)
    if not (y_type == "binary" or (y_type == "multiclass" and pos_label is not None)):
        raise ValueError(f"{func}: {y_type} format is not supported")
    check_consistent_length(func, y_true=yt, y_score=ys, sample_weight=None if sample_weight is None else
                            as_array(sample_weight, "sample_weight", func))
    yt = column_or_1d(yt, "y_true", func)
    ys = column_or_1d(ys, "y_score", func)
    check_finite(ys, None, func)
    w = check_sample_weight(sample_weight, len(yt), func)
    pos_label = check_pos_label(pos_label, classes, func)
    if ys.dtype.kind not in "biuf":  # scikit-learn fails here in a NumPy ufunc (a TypeError)
        raise TypeError(f"{func}: y_score must hold numbers, got dtype {ys.dtype}")
    if ys.dtype.kind == "b":
        ys = ys.astype(np.int64)
    return yt == pos_label, ys, w


def _descending_stable(score: np.ndarray) -> np.ndarray:
    """Argsort by score descending, equal scores kept in input order (scikit-learn's order)."""
    n = len(score)
    return (n - 1) - np.argsort(score[::-1], kind="stable")[::-1]


def _counts_sorted(pos: np.ndarray, score: np.ndarray, weight: np.ndarray | None):
    """(fps, tps, thresholds), thresholds the distinct scores descending; one entry per tie group.

    Only values are sorted (no argsort of all n). Few distinct scores: sort all scores, find the
    group starts, and ``searchsorted`` each distinct value into the sorted positives (t log n).
    Many distinct scores: sort positives and negatives apart and merge the two runs with a stable
    argsort (timsort merges two sorted runs in O(n)); a cumulative sum of "is positive" in that
    order gives tps at every group start."""
    if weight is not None:
        return _counts_weighted(pos, score, weight)
    n = len(score)
    s_pos = np.sort(score[pos])
    n_pos = len(s_pos)
    distinct_pos = 1 + np.count_nonzero(s_pos[1:] != s_pos[:-1]) if n_pos else 0
    if distinct_pos * 16 <= n:
        s_asc = np.sort(score)
        starts = _group_starts(s_asc)
        tps = n_pos - np.searchsorted(s_pos, s_asc[starts], side="left")
    else:
        merged = np.concatenate((s_pos, np.sort(score[~pos])))
        order = np.argsort(merged, kind="stable")
        s_asc = merged[order]
        starts = _group_starts(s_asc)
        pos_before = np.cumsum(order < n_pos)  # positives among the first i + 1 in ascending order
        tps = n_pos - np.concatenate(([0], pos_before))[starts]
    fps = (n - starts) - tps
    return fps, tps, s_asc[starts]


def _group_starts(s_asc: np.ndarray) -> np.ndarray:
    """First index of each run of equal values in ascending ``s_asc``, returned in descending
    order of value (the order of the thresholds)."""
    starts = np.flatnonzero(s_asc[1:] != s_asc[:-1]) + 1
    return np.concatenate(([0], starts))[::-1]


def _counts_weighted(pos: np.ndarray, score: np.ndarray, weight: np.ndarray):
    """Weighted counts: a stable argsort and cumulative sums, in scikit-learn's order of summation."""
    keep = weight != 0
    pos, score, weight = pos[keep], score[keep], weight[keep]
    order = _descending_stable(score)
    score, y, weight = score[order], pos[order].astype(np.float64), weight[order]
    ends = np.concatenate((np.flatnonzero(score[1:] != score[:-1]), [len(score) - 1]))
    tps = np.cumsum(y * weight, dtype=np.float64)[ends]
    fps = np.cumsum((1 - y) * weight, dtype=np.float64)[ends]
    return fps, tps, score[ends]


def _counts_sweep(pos: np.ndarray, score: np.ndarray, weight: np.ndarray | None):
    """(fps, tps, thresholds) by comparing every score with every distinct threshold, O(n * t)."""
    thresholds = unique(score)[::-1]

    def count_at_or_above(s: np.ndarray, w: np.ndarray | None) -> np.ndarray:
        out = np.empty(len(thresholds), dtype=np.int64 if w is None else np.float64)
        block = max(1, _SWEEP_BLOCK // max(1, len(s)))
        for lo in range(0, len(thresholds), block):
            above = s[None, :] >= thresholds[lo:lo + block, None]  # (block, n_class_samples)
            out[lo:lo + block] = above.sum(axis=1) if w is None else above @ w
        return out

    w = None if weight is None else weight.astype(np.float64)
    tps = count_at_or_above(score[pos], None if w is None else w[pos])
    fps = count_at_or_above(score[~pos], None if w is None else w[~pos])
    return fps, tps, thresholds


def _counts_naive(pos: np.ndarray, score: np.ndarray, weight: np.ndarray | None):
    """(fps, tps, thresholds) one sample at a time in stable descending order; ties not grouped."""
    order = _descending_stable(score)
    y = pos[order]
    if weight is None:
        tps = np.cumsum(y, dtype=np.int64)
        fps = np.arange(1, len(y) + 1) - tps
    else:
        w = weight[order].astype(np.float64)
        tps = np.cumsum(np.where(y, w, 0.0))
        fps = np.cumsum(np.where(y, 0.0, w))
    return fps, tps, score[order]


_COUNTERS = {"sorted": _counts_sorted, "sweep": _counts_sweep, "naive": _counts_naive}


def _counts(pos, score, weight, method: str, func: str):
    if method not in _COUNTERS:
        raise ValueError(f"{func}: method must be one of {_METHODS}, got {method!r}")
    if len(score) == 0:
        raise ValueError(f"{func}: y_score is empty; at least 1 sample is required")
    return _COUNTERS[method](pos, score, weight)


def _drop_collinear(fps: np.ndarray, tps: np.ndarray) -> np.ndarray:
    """Indices of the corners: drop points collinear with both neighbours (scikit-learn's rule)."""
    keep = np.ones(len(fps), dtype=bool)
    keep[1:-1] = (np.diff(fps, 2) != 0) | (np.diff(tps, 2) != 0)
    return np.flatnonzero(keep)


# ---------------------------------------------------------------------------------------------
# ROC
# ---------------------------------------------------------------------------------------------
def roc_curve(y_true: Any, y_score: Any, *, pos_label: Any = None, sample_weight: Any = None,
              drop_intermediate: bool = True, method: str = "sorted"):
    """Receiver operating characteristic: (fpr, tpr, thresholds), each of shape (n_points,).

    ``thresholds`` start at +inf (the point (0, 0)) and then descend through the scores; the
    point i counts a sample as positive when ``score >= thresholds[i]``. ``drop_intermediate``
    removes points collinear with their neighbours (the area is unchanged). ``method``: see
    the module docstring ("sorted" and "sweep" give scikit-learn's curve; "naive" does not group
    ties). Shapes: y_true, y_score, sample_weight (n_samples,).

    Degenerate input, as scikit-learn: y_true with no negative (positive) sample gives an
    ``UndefinedMetricWarning`` and fpr (tpr) all NaN; y_true labels outside {0, 1} / {-1, 1}
    without ``pos_label`` raise ``ValueError``.
    """
    func = "roc_curve"
    pos, score, w = _binary_inputs(y_true, y_score, pos_label, sample_weight, func)
    fps, tps, thresholds = _counts(pos, score, w, method, func)
    if drop_intermediate and len(fps) > 2:
        keep = _drop_collinear(fps, tps)
        fps, tps, thresholds = fps[keep], tps[keep], thresholds[keep]
    fps = np.concatenate(([0.0], fps))
    tps = np.concatenate(([0.0], tps))
    thresholds = np.concatenate(([np.inf], thresholds.astype(np.float64)))
    if fps[-1] <= 0:
        warn_undefined("No negative samples in y_true, false positive value should be meaningless")
        fpr = np.full(fps.shape, np.nan)
    else:
        fpr = fps / fps[-1]
    if tps[-1] <= 0:
        warn_undefined("No positive samples in y_true, true positive value should be meaningless")
        tpr = np.full(tps.shape, np.nan)
    else:
        tpr = tps / tps[-1]
    return fpr, tpr, thresholds


def det_curve(y_true: Any, y_score: Any, pos_label: Any = None, sample_weight: Any = None,
              drop_intermediate: bool = False):
    """Detection error tradeoff: (fpr, fnr, thresholds), ascending thresholds.

    At threshold t a sample is called positive when score >= t; fpr = fps(t) / N and
    fnr = (P - tps(t)) / P, the two error rates traded against each other (usually plotted on
    normal-deviate axes). Only the points from the last one with fpr = 0 to the first with
    fnr = 0 are kept (the rest add nothing); ``drop_intermediate`` also drops the points inside
    runs of equal fnr. Shapes: y_true, y_score, sample_weight (n_samples,); y_true must hold
    both classes (ValueError otherwise)."""
    func = "det_curve"
    pos, score, w = _binary_inputs(y_true, y_score, pos_label, sample_weight, func)
    fps, tps, thresholds = _counts(pos, score, w, "sorted", func)
    fps = np.concatenate(([0.0], fps))
    tps = np.concatenate(([0.0], tps))
    thresholds = np.concatenate(([np.inf], thresholds.astype(np.float64)))
    if drop_intermediate and len(fps) > 2:
        keep = np.ones(len(tps), dtype=bool)
        keep[1:-1] = (np.diff(tps[:-1]) != 0) | (np.diff(tps[1:]) != 0)
        fps, tps, thresholds = fps[keep], tps[keep], thresholds[keep]
    if len(unique(column_or_1d(as_array(y_true, "y_true", func), "y_true", func))) != 2:
        raise ValueError(f"{func}: Only one class is present in y_true. Detection error tradeoff curve is not "
                         "defined in that case.")
    first = np.searchsorted(fps, fps[0], side="right") - 1  # the last point still at fpr 0
    last = np.searchsorted(tps, tps[-1]) + 1                  # the first point reaching fnr 0
    kept = slice(first, last)
    fns = tps[-1] - tps
    return fps[kept][::-1] / fps[-1], fns[kept][::-1] / tps[-1], thresholds[kept][::-1]


def _area_from_counts(fps: np.ndarray, tps: np.ndarray) -> float:
    """Trapezoid area under (fps/N, tps/P) from the origin: sum dfp * (tp_prev + tp) / (2 N P).

    On integer counts the sum is exact in float64 (terms below 2**53 for n < 1e8), so this is
    the curve's area without the rounding of n divisions."""
    f = fps.astype(np.float64, copy=False)
    t = tps.astype(np.float64, copy=False)
    dfp = np.diff(f, prepend=0.0)
    t_sum = t + np.concatenate(([0.0], t[:-1]))
    return float(np.dot(dfp, t_sum) / (2.0 * f[-1] * t[-1]))


def _binary_roc_auc(pos: np.ndarray, score: np.ndarray, weight: np.ndarray | None, max_fpr: float | None,
                    method: str, func: str) -> float:
    if pos.all() or not pos.any():
        warn_undefined("Only one class is present in y_true. ROC AUC score is not defined in that case.")
        return float("nan")
    if max_fpr is None or max_fpr == 1:
        fps, tps, _ = _counts(pos, score, weight, method, func)
        return _area_from_counts(fps, tps)
    fpr, tpr, _ = roc_curve(pos, score, sample_weight=weight, method=method)
    # McClish-corrected partial AUC up to max_fpr, as scikit-learn
    stop = np.searchsorted(fpr, max_fpr, "right")
    tpr = np.append(tpr[:stop], np.interp(max_fpr, fpr[stop - 1:stop + 1], tpr[stop - 1:stop + 1]))
    fpr = np.append(fpr[:stop], max_fpr)
    partial = float(np.trapezoid(tpr, fpr))
    min_area, max_area = 0.5 * max_fpr ** 2, max_fpr
    return 0.5 * (1 + (partial - min_area) / (max_area - min_area))


def _average_columns(metric, Y: np.ndarray, S: np.ndarray, average: str | None, weight: np.ndarray | None):
    """scikit-learn's ``_average_binary_score``: ``metric(pos_mask, scores, weight)`` per column
    of the indicator matrix Y (n, k), then 'macro' / 'weighted' (by support) / 'micro' / None;
    'samples' scores each row instead and averages the rows with the sample weights."""
    if average == "micro":
        w = None if weight is None else np.repeat(weight, Y.shape[1])
        return metric(Y.ravel(), S.ravel(), w)
    if average == "samples":
        scores = np.array([metric(Y[i], S[i], None) for i in range(Y.shape[0])])
        if weight is None:
            return float(np.mean(scores))
        scores[weight == 0] = 0
        return float(np.average(scores, weights=weight))
    if average == "weighted":
        support = Y.sum(axis=0) if weight is None else (Y * weight[:, None]).sum(axis=0)
        if np.isclose(support.sum(), 0):
            return 0  # before any column is scored (and warns), as scikit-learn
    scores = np.array([metric(Y[:, c], S[:, c], weight) for c in range(Y.shape[1])])
    if average is None:
        return scores
    if average == "weighted":
        scores[support == 0] = 0
        return float(np.average(scores, weights=support))
    return float(np.mean(scores))


def _average_ovo(metric, codes: np.ndarray, S: np.ndarray, average: str) -> float:
    """Hand & Till's one-vs-one AUC: for every pair (a, b) of classes present in y_true, on the
    samples of a or b only, A(a, b) = (AUC of column a for "is a" + AUC of column b for "is b") / 2;
    'macro' is the mean over pairs, 'weighted' weights a pair by the fraction of samples in a or b."""
    present = np.unique(codes)
    pair_scores, prevalence = [], []
    for i, a in enumerate(present):
        for b in present[i + 1:]:
            in_pair = (codes == a) | (codes == b)
            is_a = codes[in_pair] == a
            pair_scores.append((metric(is_a, S[in_pair, a], None) + metric(~is_a, S[in_pair, b], None)) / 2)
            prevalence.append(np.mean(in_pair))
    return float(np.average(pair_scores, weights=prevalence if average == "weighted" else None))


def roc_auc_score(y_true: Any, y_score: Any, *, average: str | None = "macro", sample_weight: Any = None,
                  max_fpr: float | None = None, multi_class: str = "raise", labels: Sequence | None = None,
                  method: str = "sorted") -> float:
    """Area under the ROC curve.

    Binary: y_true (n,) two labels (the greater one is positive), y_score (n,) scores for it.
    Multi-class: y_score (n, n_classes) probabilities (rows sum to 1), ``multi_class='ovr'``
    scores each class against the rest and averages with ``average`` ('macro', 'weighted' by
    class support, 'micro', or None for per-class values); ``multi_class='ovo'`` is Hand & Till's
    mean over pairs of classes (see ``_average_ovo``; 'macro' or 'weighted' by pair prevalence,
    no sample weights). Multilabel indicators (n, k) average per column, or per row ('samples').
    ``max_fpr`` gives the McClish-standardised partial AUC over fpr in [0, max_fpr] (binary).
    The area is the trapezoid rule over the grouped curve from one sort (no second pass).

    Degenerate input, as scikit-learn 1.9: y_true with one class only gives an
    ``UndefinedMetricWarning`` and returns NaN (older scikit-learn raised ValueError).
    """
    func = "roc_auc_score"
    yt = as_array(y_true, "y_true", func)
    if max_fpr is not None and not 0 < max_fpr <= 1:
        raise ValueError(f"{func}: The 'max_fpr' parameter of {func} must be a float in the range (0.0, 1.0] or "
                         f"None. Got {max_fpr!r} instead.")
    if multi_class not in ("raise", "ovr", "ovo"):
        raise ValueError(f"{func}: The 'multi_class' parameter of {func} must be a str among {{'ovo', 'raise', "
                         f"'ovr'}}. Got {multi_class!r} instead.")
    if average not in (None, "micro", "macro", "weighted", "samples"):
        raise ValueError(f"{func}: The 'average' parameter of {func} must be a str among {{'micro', 'macro', "
                         f"'samples', 'weighted'}} or None. Got {average!r} instead.")
    y_type, classes = target_type_and_classes(yt, "y_true", func)
    check_min_samples(yt, func)
    ys = numeric_array(as_array(y_score, "y_score", func), func)
    if y_type == "binary" and not (ys.ndim == 2 and ys.shape[1] > 2) and len(classes) < 2:
        # scikit-learn answers one class with NaN before it looks at the scores' shape or length
        warn_undefined("Only one class is present in y_true. ROC AUC score is not defined in that case.")
        return float("nan")
    if y_type not in ("binary", "multiclass", "multilabel-indicator"):
        raise ValueError(f"{func}: {y_type} format is not supported")
    sw = None if sample_weight is None else as_array(sample_weight, "sample_weight", func)

    def weights_for(yt):  # checked where scikit-learn checks them, after the shapes
        check_consistent_length(func, y_true=yt, y_score=ys, sample_weight=sw)
        return check_sample_weight(sample_weight, len(yt), func)

    def metric(pos, score, weight):
        return _binary_roc_auc(pos, score, weight, max_fpr, method, func)

    if y_type == "multiclass" or (y_type == "binary" and ys.ndim == 2 and ys.shape[1] > 2):
        if max_fpr is not None and max_fpr != 1.0:
            raise ValueError(f"{func}: Partial AUC computation not available in multiclass setting, 'max_fpr' must "
                             f"be set to `None`, received `max_fpr={max_fpr}` instead")
        if multi_class == "raise":
            raise ValueError(f"{func}: multi_class must be in ('ovo', 'ovr')")
        yt = column_or_1d(yt, "y_true", func)
        if ys.ndim != 2:
            raise ValueError(f"{func}: `y_score` needs to be of shape `(n_samples, n_classes)`, since `y_true` "
                             f"contains multiple classes. Got `y_score.shape={ys.shape}`.")
        if not np.allclose(1, ys.sum(axis=1)):
            raise ValueError(f"{func}: Target scores need to be probabilities for multiclass roc_auc, i.e. they "
                             "should sum up to 1.0 over classes")
        averages = ("micro", "macro", "weighted", None) if multi_class == "ovr" else ("macro", "weighted", None)
        if average not in averages:
            raise ValueError(f"{func}: average must be one of {averages} for multiclass problems")
        if multi_class not in ("ovo", "ovr"):
            raise ValueError(f"{func}: multi_class='{multi_class}' is not supported for multiclass ROC AUC, "
                             "multi_class must be in ('ovo', 'ovr')")
        if average is None and multi_class == "ovo":
            raise NotImplementedError(f"{func}: average=None is not implemented for multi_class='ovo'.")
        classes = _check_ovr_labels(yt, ys, labels, func)
        if multi_class == "ovo":
            if sample_weight is not None:
                raise ValueError(f"{func}: sample_weight is not supported for multiclass one-vs-one ROC AUC, "
                                 "'sample_weight' must be None in this case.")
            check_consistent_length(func, y_true=yt, y_score=ys)
            return _average_ovo(metric, encode(yt, classes), ys, average)
        w = weights_for(yt)
        return _average_columns(metric, yt[:, None] == classes[None, :], ys, average, w)
    if y_type == "binary":
        w = weights_for(yt)
        yt = column_or_1d(yt, "y_true", func)
        ys = column_or_1d(ys, "y_score", func)
        return metric(yt == classes[-1], ys, w)
    w = weights_for(yt)
    if ys.shape != yt.shape:
        raise ValueError(f"{func}: y_true and y_score have different shapes {yt.shape} vs {ys.shape}")
    # each column (or, for 'micro', all of them) is a binary y_true of its own: one holding two values
    # (one value is NaN before any check) must hold {0, 1} or {-1, 1}, as roc_curve requires
    for values in ([yt.ravel()] if average == "micro" else yt.T if average != "samples" else yt):
        present = unique(values)
        if len(present) == 2:
            check_pos_label(None, present, func)
    return _average_columns(metric, yt == 1, ys, average, w)


def _check_ovr_labels(yt: np.ndarray, ys: np.ndarray, labels: Any, func: str) -> np.ndarray:
    if labels is None:
        classes = unique(yt)
        if len(classes) != ys.shape[1]:
            raise ValueError(f"{func}: Number of classes in y_true not equal to the number of columns in 'y_score'")
        return classes
    given = column_or_1d(as_array(labels, "labels", func), "labels", func)
    classes = unique(given)
    if len(classes) != len(given):
        raise ValueError(f"{func}: Parameter 'labels' must be unique")
    if not np.array_equal(classes, given):
        raise ValueError(f"{func}: Parameter 'labels' must be ordered")
    if len(classes) != ys.shape[1]:
        raise ValueError(f"{func}: Number of given labels, {len(classes)}, not equal to the number of columns in "
                         f"'y_score', {ys.shape[1]}")
    if len(np.setdiff1d(yt, classes)):
        raise ValueError(f"{func}: 'y_true' contains labels not in parameter 'labels'")
    return classes


def auc(x: Any, y: Any) -> float:
    """Area under the piecewise-linear curve through (x[i], y[i]) by the trapezoid rule.

    ``x`` must be monotonic (increasing or decreasing). Shapes: x, y (n,), n >= 2."""
    func = "auc"
    x = column_or_1d(as_array(x, "x", func), "x", func)
    y = column_or_1d(as_array(y, "y", func), "y", func)
    check_consistent_length(func, x=x, y=y)
    if x.shape[0] < 2:
        raise ValueError(f"{func}: At least 2 points are needed to compute area under curve, but x.shape = "
                         f"{x.shape[0]}")
    direction = 1
    dx = np.diff(x)
    if np.any(dx < 0):
        if np.all(dx <= 0):
            direction = -1
        else:
            raise ValueError(f"{func}: x is neither increasing nor decreasing : {x}.")
    return float(direction * np.trapezoid(y, x))


# ---------------------------------------------------------------------------------------------
# precision-recall
# ---------------------------------------------------------------------------------------------
def _pr_from_counts(fps: np.ndarray, tps: np.ndarray, thresholds: np.ndarray, drop_intermediate: bool):
    if drop_intermediate and len(fps) > 2:
        keep = np.ones(len(tps), dtype=bool)
        keep[1:-1] = (np.diff(tps[:-1]) != 0) | (np.diff(tps[1:]) != 0)
        fps, tps, thresholds = fps[keep], tps[keep], thresholds[keep]
    tps = tps.astype(np.float64, copy=False)
    ps = tps + fps
    precision = np.where(ps != 0, tps / np.where(ps != 0, ps, 1), 0.0)
    if tps[-1] == 0:
        warnings.warn("No positive class found in y_true, recall is set to one for all thresholds.", UserWarning,
                      stacklevel=3)
        recall = np.ones(tps.shape)
    else:
        recall = tps / tps[-1]
    return (np.concatenate((precision[::-1], [1.0])), np.concatenate((recall[::-1], [0.0])), thresholds[::-1])


def precision_recall_curve(y_true: Any, y_score: Any, *, pos_label: Any = None, sample_weight: Any = None,
                           drop_intermediate: bool = False):
    """(precision, recall, thresholds): precision and recall (n_thresholds + 1,) at each distinct
    score as threshold, ascending thresholds (n_thresholds,); the last point is (recall 0,
    precision 1) with no threshold. ``drop_intermediate`` keeps only the ends of runs of equal
    recall. With no positive in y_true recall is all ones and a ``UserWarning`` is raised."""
    func = "precision_recall_curve"
    pos, score, w = _binary_inputs(y_true, y_score, pos_label, sample_weight, func)
    fps, tps, thresholds = _counts(pos, score, w, "sorted", func)
    return _pr_from_counts(fps, tps, thresholds, drop_intermediate)


def _binary_average_precision(pos: np.ndarray, score: np.ndarray, weight: np.ndarray | None) -> float:
    """AP = sum_k (R_k - R_{k-1}) P_k, the step integral of the PR curve (no interpolation)."""
    fps, tps, thresholds = _counts_sorted(pos, score, weight)
    precision, recall, _ = _pr_from_counts(fps, tps, thresholds, False)
    return float(max(0.0, -np.sum(np.diff(recall) * precision[:-1])))


def average_precision_score(y_true: Any, y_score: Any, *, average: str | None = "macro", pos_label: Any = 1,
                            sample_weight: Any = None) -> float:
    """Average precision (see ``_binary_average_precision``). Binary y_true (n,) with scores (n,);
    multi-class y_true (n,) with y_score (n, n_classes) is scored one-vs-rest per present class and
    averaged ('macro', 'weighted', 'micro' or None); multilabel indicators (n, k) likewise."""
    func = "average_precision_score"
    yt = as_array(y_true, "y_true", func)
    ys = as_array(y_score, "y_score", func)
    if average not in (None, "micro", "macro", "weighted", "samples"):
        raise ValueError(f"{func}: The 'average' parameter of {func} must be a str among {{'micro', 'macro', "
                         f"'samples', 'weighted'}} or None. Got {average!r} instead.")
    y_type = type_of_target(yt, "y_true", func)
    if y_type not in ("binary", "multiclass", "multilabel-indicator"):
        raise ValueError(f"{func}: {y_type} format is not supported")
    if y_type != "binary":
        ys = numeric_array(ys, func)
    w = check_sample_weight(sample_weight, len(yt), func)
    if y_type == "binary":
        yt = column_or_1d(yt, "y_true", func)
        ys = column_or_1d(ys, "y_score", func)
        check_consistent_length(func, y_true=yt, y_score=ys)
        present = unique(yt)
        if len(present) == 2 and pos_label not in present.tolist():
            raise ValueError(f"{func}: pos_label={pos_label!r} is not a valid label. It should be one of {present}")
        if ys.dtype.kind not in "biuf":  # scikit-learn fails here in a NumPy ufunc (a TypeError)
            raise TypeError(f"{func}: y_score must hold numbers, got dtype {ys.dtype}")
        check_finite(ys, None, func)
        return _binary_average_precision(yt == pos_label, ys, w)
    if y_type == "multilabel-indicator":
        if pos_label != 1:
            raise ValueError(f"{func}: Parameter pos_label is fixed to 1 for multilabel-indicator y_true. Do not "
                             "set pos_label or set pos_label to 1.")
        Y = yt == 1
    elif y_type == "multiclass":
        if pos_label != 1:
            raise ValueError(f"{func}: Parameter pos_label is fixed to 1 for multiclass y_true. Do not set "
                             "pos_label or set pos_label to 1.")
        yt = column_or_1d(yt, "y_true", func)
        Y = yt[:, None] == unique(yt)[None, :]
    else:
        raise ValueError(f"{func}: {y_type} format is not supported")
    if ys.shape != Y.shape:
        raise ValueError(f"{func}: `y_score` needs to be of shape `(n_samples, n_classes)`, since `y_true` "
                         f"contains multiple classes. Got `y_score.shape={ys.shape}`.")
    return _average_columns(_binary_average_precision, Y, ys, average, w)
