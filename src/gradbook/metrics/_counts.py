"""Per-label counting, the one primitive under accuracy, the confusion matrix and P/R/F.

Labels are encoded to column indices with one ``searchsorted`` (no Python dict per sample), and
all counts come from ``np.bincount`` (optionally weighted).
"""
from __future__ import annotations

import numpy as np


def encode(y: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Index of each ``y[i]`` in ``labels`` (any order), or -1 where it is not a label."""
    order = np.argsort(labels, kind="stable")
    ordered = labels[order]
    pos = np.searchsorted(ordered, y)
    pos_clipped = np.minimum(pos, len(labels) - 1)
    found = (pos < len(labels)) & (ordered[pos_clipped] == y)
    return np.where(found, order[pos_clipped], -1)


def confusion_counts(t: np.ndarray, p: np.ndarray, n_labels: int,
                     sample_weight: np.ndarray | None) -> np.ndarray:
    """C[i, j] = (weighted) number of samples with true code i and predicted code j; codes -1
    (not among the labels) are left out. int64 without weights, float64 with them."""
    keep = (t >= 0) & (p >= 0)
    flat = t[keep] * n_labels + p[keep]
    if sample_weight is None or sample_weight.dtype.kind in "biu":
        w = None if sample_weight is None else sample_weight[keep]
        counts = np.bincount(flat, weights=w, minlength=n_labels * n_labels)
        counts = counts.astype(np.int64)
    else:
        counts = np.bincount(flat, weights=sample_weight[keep].astype(np.float64), minlength=n_labels * n_labels)
    return counts.reshape(n_labels, n_labels)


def label_sums(t: np.ndarray, p: np.ndarray, n_labels: int, sample_weight: np.ndarray | None):
    """(tp, pred, true) per label code: hits, predictions and true occurrences of each label."""
    w = None if sample_weight is None else sample_weight.astype(np.float64)

    def count(codes, mask=None):
        keep = codes >= 0 if mask is None else (codes >= 0) & mask
        c = np.bincount(codes[keep], weights=None if w is None else w[keep], minlength=n_labels)
        return c if w is not None else c.astype(np.int64)

    return count(t, t == p), count(p), count(t)
