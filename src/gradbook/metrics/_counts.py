"""Per-label counting, the one primitive under accuracy, the confusion matrices and P/R/F/Jaccard.

Labels are encoded to column indices with one ``searchsorted`` (no Python dict per sample), and
all counts come from ``np.bincount`` (optionally weighted). Integer sample weights are summed in
int64 (``np.add.at``), so counts with weights beyond 2**53 stay exact, as scikit-learn's are.
"""
from __future__ import annotations

import numpy as np


def encode(y: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Index of each ``y[i]`` in ``labels`` (any order), or -1 where it is not a label (labels of
    another kind, numbers against strings, match nothing)."""
    labels = np.asarray(labels)
    none = np.full(len(y), -1)
    if len(labels) == 0 or (labels.dtype.kind in "USO") != (y.dtype.kind in "USO"):
        return none
    order = np.argsort(labels, kind="stable")
    ordered = labels[order]
    try:
        pos = np.searchsorted(ordered, y)
    except TypeError:  # object arrays mixing numbers and strings
        return none
    pos_clipped = np.minimum(pos, len(labels) - 1)
    found = (pos < len(labels)) & (ordered[pos_clipped] == y)
    return np.where(found, order[pos_clipped], -1)


def weighted_bincount(codes: np.ndarray, weight: np.ndarray | None, minlength: int) -> np.ndarray:
    """counts[c] = sum of weight over codes == c: int64 without weights or with integer weights
    (summed exactly), float64 with float weights."""
    if weight is None:
        return np.bincount(codes, minlength=minlength).astype(np.int64)
    if weight.dtype.kind in "biu":
        out = np.zeros(max(minlength, codes.max(initial=-1) + 1), dtype=np.int64)
        np.add.at(out, codes, weight.astype(np.int64))
        return out
    return np.bincount(codes, weights=weight.astype(np.float64), minlength=minlength)


def confusion_counts(t: np.ndarray, p: np.ndarray, n_labels: int,
                     sample_weight: np.ndarray | None) -> np.ndarray:
    """C[i, j] = (weighted) number of samples with true code i and predicted code j; codes -1
    (not among the labels) are left out. int64 without weights or with integer weights, float64
    with float weights."""
    keep = (t >= 0) & (p >= 0)
    flat = t[keep] * n_labels + p[keep]
    w = None if sample_weight is None else sample_weight[keep]
    return weighted_bincount(flat, w, n_labels * n_labels).reshape(n_labels, n_labels)


def label_sums(t: np.ndarray, p: np.ndarray, n_labels: int, sample_weight: np.ndarray | None):
    """(tp, pred, true) per label code of 1-d targets: hits, predictions and true occurrences."""
    w = None if sample_weight is None else sample_weight.astype(np.float64)

    def count(codes, mask=None):
        keep = codes >= 0 if mask is None else (codes >= 0) & mask
        c = np.bincount(codes[keep], weights=None if w is None else w[keep], minlength=n_labels)
        return c if w is not None else c.astype(np.int64)

    return count(t, t == p), count(p), count(t)


def indicator_sums(t: np.ndarray, p: np.ndarray, sample_weight: np.ndarray | None, axis: int):
    """(tp, pred, true) of indicator matrices (n, L), non-zero meaning present: per label
    (``axis=0``) or per sample (``axis=1``); each sample counts ``sample_weight[i]`` times."""
    t, p = t != 0, p != 0
    if sample_weight is None:
        return (t & p).sum(axis=axis), p.sum(axis=axis), t.sum(axis=axis)
    # integer weights stay integers (exact sums, and scikit-learn's integer supports), others float64
    w = sample_weight.astype(np.int64 if sample_weight.dtype.kind in "biu" else np.float64)[:, None]
    return ((t & p) * w).sum(axis=axis), (p * w).sum(axis=axis), (t * w).sum(axis=axis)
