"""Ranking metrics for multilabel targets and graded relevance (scikit-learn twins).

Y (n_samples, n_labels) marks the relevant labels of each sample (non-zero = relevant), S the
scores; for sample i with relevant set R_i (size r_i) among L labels, with
``rank_ij = #{k : S_ik >= S_ij}`` (ties count against you)::

    coverage error    = mean_i max_{j in R_i} rank_ij            (how far down to go to see all of R_i)
    LRAP              = mean_i (1/r_i) sum_{j in R_i} #{k in R_i : S_ik >= S_ij} / rank_ij   (1 if r_i in {0, L})
    ranking loss      = mean_i #{(j, k) in R_i x not R_i : S_ij <= S_ik} / (r_i (L - r_i))  (0 if r_i in {0, L})
    DCG@k             = sum_{positions p <= k} gain_p / log_b(p + 1),    gains Y[i] in decreasing score order
    NDCG@k            = DCG@k(S) / DCG@k(Y itself)     (0 when every gain is 0)

Every mean is weighted by ``sample_weight`` when given. DCG with ``ignore_ties=False`` gives each
group of tied scores the average gain of the group at each of its positions (McSherry & Najork),
so the result does not depend on the order of the tied labels.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ._validation import (as_array, check_consistent_length, check_min_samples, column_or_1d, numeric_array,
                          type_of_target)

_DCG_TARGETS = ("multilabel-indicator", "continuous-multioutput", "multiclass-multioutput")


def _matrix(x: Any, name: str, func: str, ensure_2d: bool) -> np.ndarray:
    """A finite numeric array, 2-d when asked (scikit-learn's check_array)."""
    a = numeric_array(as_array(x, name, func), func)
    if ensure_2d and a.ndim == 1:
        raise ValueError(f"{func}: Expected 2D array, got 1D array instead:\narray={a}.\nReshape your data either "
                         "using array.reshape(-1, 1) if your data has a single feature or array.reshape(1, -1) if it "
                         "contains a single sample.")
    if a.ndim > 2:
        raise ValueError(f"{func}: Found array with dim {a.ndim}. None expected <= 2.")
    check_min_samples(a, func)
    return a


def _weights(sample_weight: Any, func: str) -> np.ndarray | None:
    return None if sample_weight is None else column_or_1d(as_array(sample_weight, "sample_weight", func),
                                                          "sample_weight", func)


def _multilabel_inputs(y_true: Any, y_score: Any, sample_weight: Any, func: str, ensure_2d: bool,
                       shape_first: bool = False):
    Y = _matrix(y_true, "y_true", func, ensure_2d)
    S = _matrix(y_score, "y_score", func, ensure_2d)
    w = _weights(sample_weight, func)
    check_consistent_length(func, y_true=Y, y_score=S, sample_weight=w)

    def same_shape():
        if Y.shape != S.shape:
            raise ValueError(f"{func}: y_true and y_score have different shape")

    if shape_first:
        same_shape()
    y_type = type_of_target(Y, "y_true", func)
    ok = y_type == "multilabel-indicator" or (shape_first and y_type == "binary" and Y.ndim == 2)
    if not ok:
        raise ValueError(f"{func}: {y_type} format is not supported")
    same_shape()
    return Y != 0, S, w


def coverage_error(y_true: Any, y_score: Any, *, sample_weight: Any = None) -> float:
    """Mean number of top-scored labels needed to cover every relevant label (module docstring);
    ties with the lowest-scored relevant label are all included. Best value: the mean number of
    relevant labels. Shapes: y_true, y_score (n_samples, n_labels)."""
    R, S, w = _multilabel_inputs(y_true, y_score, sample_weight, "coverage_error", ensure_2d=True)
    lowest_relevant = np.where(R, S, np.inf).min(axis=1, keepdims=True)
    coverage = np.where(R.any(axis=1), (S >= lowest_relevant).sum(axis=1), 0)
    return float(np.average(coverage, weights=w))


def label_ranking_average_precision_score(y_true: Any, y_score: Any, *, sample_weight: Any = None) -> float:
    """LRAP in (0, 1] (module docstring): for each relevant label, the fraction of labels scored at
    least as high that are relevant, averaged over relevant labels, then over samples. A sample
    with no or only relevant labels scores 1. Shapes: y_true, y_score (n_samples, n_labels)."""
    func = "label_ranking_average_precision_score"
    R, S, w = _multilabel_inputs(y_true, y_score, sample_weight, func, ensure_2d=False, shape_first=True)
    n, L = R.shape
    per_sample = np.ones(n)
    for i in np.flatnonzero((R.sum(axis=1) > 0) & (R.sum(axis=1) < L)):
        relevant = S[i, R[i]]
        at_or_above = (S[i][None, :] >= relevant[:, None]).sum(axis=1)        # rank of each relevant label
        relevant_above = (relevant[None, :] >= relevant[:, None]).sum(axis=1)  # its rank among the relevant
        per_sample[i] = np.mean(relevant_above / at_or_above)
    if w is None:
        return float(per_sample.sum() / n)
    return float(np.dot(per_sample, w) / np.sum(w))


def label_ranking_loss(y_true: Any, y_score: Any, *, sample_weight: Any = None) -> float:
    """Fraction of (relevant, irrelevant) label pairs ordered wrongly, a tie counting as wrong
    (module docstring), averaged over samples. Shapes: y_true, y_score (n_samples, n_labels)."""
    R, S, w = _multilabel_inputs(y_true, y_score, sample_weight, "label_ranking_loss", ensure_2d=False)
    n, L = R.shape
    loss = np.zeros(n)
    n_relevant = R.sum(axis=1)
    for i in np.flatnonzero((n_relevant > 0) & (n_relevant < L)):
        relevant = np.sort(S[i, R[i]])
        # for each irrelevant label: the relevant labels scored at or below it
        wrong = np.searchsorted(relevant, S[i, ~R[i]], side="right").sum()
        loss[i] = wrong / (n_relevant[i] * (L - n_relevant[i]))
    return float(np.average(loss, weights=w))


def _dcg_per_sample(Y: np.ndarray, S: np.ndarray, k: int | None, log_base: float, ignore_ties: bool) -> np.ndarray:
    """DCG of each row of gains Y ranked by scores S (module docstring)."""
    discount = 1 / (np.log(np.arange(Y.shape[1]) + 2) / np.log(log_base))
    if k is not None:
        discount[k:] = 0
    if ignore_ties:
        # NumPy's default argsort, read backwards: the order scikit-learn gives to tied scores
        ranking = np.argsort(S)[:, ::-1]
        return discount.dot(Y[np.arange(len(Y))[:, None], ranking].T)
    discount_cumsum = np.cumsum(discount)
    out = np.empty(len(Y))
    for i in range(len(Y)):
        _, group, size = np.unique(-S[i], return_inverse=True, return_counts=True)
        mean_gain = np.bincount(group, weights=Y[i], minlength=len(size)) / size
        group_end = np.cumsum(size) - 1
        group_discount = np.diff(discount_cumsum[group_end], prepend=0.0)
        out[i] = np.dot(mean_gain, group_discount)
    return out


def _check_k(k: Any, func: str) -> None:
    if k is not None and (not isinstance(k, (int, np.integer)) or isinstance(k, bool) or k < 1):
        raise ValueError(f"{func}: The 'k' parameter of {func} must be an int in the range [1, inf) or None. Got "
                         f"{k!r} instead.")


def _graded_inputs(y_true: Any, y_score: Any, sample_weight: Any, func: str):
    Y = _matrix(y_true, "y_true", func, ensure_2d=False)
    S = _matrix(y_score, "y_score", func, ensure_2d=False)
    w = _weights(sample_weight, func)
    check_consistent_length(func, y_true=Y, y_score=S, sample_weight=w)
    if Y.ndim == 2 and S.shape != Y.shape:
        # scikit-learn does not check this and broadcasts into a number; gradbook refuses
        raise ValueError(f"{func}: y_true and y_score have different shape {Y.shape} vs {S.shape}")
    return Y, S, w


def _check_dcg_target(Y: np.ndarray, func: str) -> None:
    y_type = type_of_target(Y, "y_true", func)
    if y_type not in _DCG_TARGETS:
        raise ValueError(f"{func}: Only {_DCG_TARGETS} formats are supported. Got {y_type} instead")


def dcg_score(y_true: Any, y_score: Any, *, k: int | None = None, log_base: float = 2, sample_weight: Any = None,
              ignore_ties: bool = False) -> float:
    """Discounted cumulative gain (module docstring), averaged over samples: gains y_true
    (n_samples, n_labels), e.g. graded relevance, ranked by y_score; only the top ``k`` positions
    count when given; ``ignore_ties=True`` ranks tied scores in an arbitrary (faster) order."""
    func = "dcg_score"
    _check_k(k, func)
    if not (isinstance(log_base, (int, float, np.number)) and not isinstance(log_base, bool) and log_base > 0):
        raise ValueError(f"{func}: The 'log_base' parameter of {func} must be a float in the range (0.0, inf). Got "
                         f"{log_base!r} instead.")
    Y, S, w = _graded_inputs(y_true, y_score, sample_weight, func)
    _check_dcg_target(Y, func)
    return float(np.average(_dcg_per_sample(Y, S, k, log_base, ignore_ties), weights=w))


def ndcg_score(y_true: Any, y_score: Any, *, k: int | None = None, sample_weight: Any = None,
               ignore_ties: bool = False) -> float:
    """Normalised DCG in [0, 1] (module docstring): the DCG of the ranking by y_score divided by the
    DCG of the best ranking (by y_true itself); gains must be non-negative."""
    func = "ndcg_score"
    _check_k(k, func)
    Y, S, w = _graded_inputs(y_true, y_score, sample_weight, func)
    if Y.size and Y.min() < 0:
        raise ValueError(f"{func}: ndcg_score should not be used on negative y_true values.")
    if Y.ndim > 1 and Y.shape[1] <= 1:
        raise ValueError(f"{func}: Computing NDCG is only meaningful when there is more than 1 document. Got "
                         f"{Y.shape[1]} instead.")
    _check_dcg_target(Y, func)
    gain = _dcg_per_sample(Y, S, k, 2, ignore_ties)
    ideal = _dcg_per_sample(Y, Y, k, 2, ignore_ties=True)
    relevant = ideal != 0
    gain = np.where(relevant, gain / np.where(relevant, ideal, 1), 0.0)
    return float(np.average(gain, weights=w))
