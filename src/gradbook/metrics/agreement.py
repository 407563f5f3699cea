"""Scores read off the confusion matrix C (C[i, j] = weighted count of true i predicted j) that
correct for class imbalance or for chance agreement (scikit-learn twins):

    balanced accuracy  = (1/K) sum_k C[k, k] / sum_j C[k, j]        (mean per-class recall)
        adjusted       = (BA - 1/K) / (1 - 1/K)                     (chance 0, perfect 1)
    Matthews (MCC)     = (c s - t.p) / sqrt((s^2 - p.p)(s^2 - t.t))
                         t = row sums, p = column sums, c = trace, s = total
    Cohen's kappa      = 1 - sum W * C / sum W * E,   E = outer(rows, cols) / s
                         W[i, j] = [i != j] (plain), |i - j| (linear), (i - j)^2 (quadratic)

Each accepts 1-d binary or multiclass labels; indicator matrices are refused as scikit-learn
refuses them.
"""
from __future__ import annotations

import warnings
from typing import Any, Sequence

import numpy as np

from ._validation import warn_undefined
from .classification import labelled_confusion


def balanced_accuracy_score(y_true: Any, y_pred: Any, *, sample_weight: Any = None, adjusted: bool = False) -> float:
    """Mean recall over the classes of y_true (see the module docstring). Classes that occur in
    y_pred only have no recall: they are left out with a ``UserWarning``. With ``adjusted=True``
    random guessing scores 0 and a perfect prediction 1."""
    C = labelled_confusion(y_true, y_pred, None, sample_weight, "balanced_accuracy_score")
    with np.errstate(divide="ignore", invalid="ignore"):
        recall = np.diag(C) / C.sum(axis=1)
    if np.any(np.isnan(recall)):
        warnings.warn("y_pred contains classes not in y_true", UserWarning, stacklevel=2)
        recall = recall[~np.isnan(recall)]
    score = np.mean(recall)
    if adjusted:
        chance = 1 / len(recall)
        score = (score - chance) / (1 - chance)  # one class: 0/0, NaN with NumPy's RuntimeWarning, as scikit-learn
    return float(score)


def matthews_corrcoef(y_true: Any, y_pred: Any, *, sample_weight: Any = None) -> float:
    """Matthews correlation coefficient in [-1, 1] (module docstring): the correlation between the
    one-hot true and predicted labels; 0 when either side holds a single class."""
    C = labelled_confusion(y_true, y_pred, None, sample_weight, "matthews_corrcoef").astype(np.float64)
    t, p = C.sum(axis=1), C.sum(axis=0)
    s = p.sum()
    cov_tp = np.trace(C) * s - np.dot(t, p)
    cov_pp = s ** 2 - np.dot(p, p)
    cov_tt = s ** 2 - np.dot(t, t)
    if cov_pp * cov_tt == 0:
        return 0.0
    return float(cov_tp / np.sqrt(cov_pp * cov_tt))


def cohen_kappa_score(y1: Any, y2: Any, *, labels: Sequence | None = None, weights: str | None = None,
                      sample_weight: Any = None, replace_undefined_by: float = np.nan) -> float:
    """Cohen's kappa between two raters (module docstring): 1 = full agreement, 0 = what chance
    gives. ``weights`` 'linear'/'quadratic' penalise disagreements by their distance in the order of
    ``labels`` (ordinal labels). When it is 0/0 (no common labels, or only one) the result is
    ``replace_undefined_by`` with an ``UndefinedMetricWarning``."""
    func = "cohen_kappa_score"
    if weights not in (None, "linear", "quadratic"):
        raise ValueError(f"{func}: The 'weights' parameter of {func} must be a str among {{'linear', 'quadratic'}} "
                         f"or None. Got {weights!r} instead.")
    if not (isinstance(replace_undefined_by, (int, float, np.number)) and not isinstance(replace_undefined_by, bool)
            and (np.isnan(replace_undefined_by) or -1 <= replace_undefined_by <= 1)):
        raise ValueError(f"{func}: The 'replace_undefined_by' parameter of {func} must be a float in the range "
                         f"[-1.0, 1.0] or numpy.nan. Got {replace_undefined_by!r} instead.")
    try:
        C = labelled_confusion(y1, y2, labels, sample_weight, func).astype(np.float64)
    except ValueError as e:
        if "At least one label specified must be in y_true" not in str(e):
            raise
        raise ValueError(f"{func}: At least one label in `labels` must be present in `y1` (even though "
                         "`cohen_kappa_score` is otherwise agnostic to the order of `y1` and `y2`).") from None
    rows, cols = C.sum(axis=1), C.sum(axis=0)
    total = cols.sum()
    if total == 0:
        warn_undefined("`y2` contains no labels that are present in both `y1` and `labels`.`cohen_kappa_score` is "
                       "undefined and set to the value defined by the `replace_undefined_by` param, which is set "
                       f"to {replace_undefined_by}.")
        return replace_undefined_by
    expected = np.outer(cols, rows) / total  # E[i, j] = cols[i] rows[j] / s: scikit-learn's orientation
    k = np.arange(len(C))
    distance = k[None, :] - k[:, None]
    W = {None: (distance != 0), "linear": np.abs(distance), "quadratic": distance ** 2}[weights].astype(np.float64)
    disagreement = np.sum(W * expected)
    if disagreement == 0:
        warn_undefined("`y1`, `y2` and `labels` have only one label in common. `cohen_kappa_score` is undefined and "
                       "set to the value defined by the the `replace_undefined_by` param, which is set to "
                       f"{replace_undefined_by}.")
        return replace_undefined_by
    return float(1 - np.sum(W * C) / disagreement)
