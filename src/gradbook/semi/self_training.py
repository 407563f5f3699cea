"""Self-training for classic classifiers: scikit-learn's ``SelfTrainingClassifier`` contract.

Unlabelled samples carry the label −1. Each iteration fits the estimator on every sample labelled
so far, predicts the unlabelled ones and adopts the confident predictions as labels: those with
max-probability > ``threshold`` (``criterion='threshold'``) or the ``k_best`` most confident
(``criterion='k_best'``). It stops when every sample is labelled, when an iteration adopts none
(``'no_change'``) or after ``max_iter`` iterations, then fits once more on everything labelled.
"""
from __future__ import annotations

import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.utils.validation import check_is_fitted, validate_data

from ..classic._linear_base import check_param, check_positive

UNLABELED = -1


class SelfTraining(ClassifierMixin, BaseEstimator):
    """Wrap a classifier with ``fit`` and ``predict_proba`` to learn from unlabelled samples too.

    Parameters
    ----------
    estimator : classifier with ``predict_proba`` (cloned, never changed)
    threshold : float in [0, 1), default 0.75 — adopt predictions whose probability is above it
    criterion : {'threshold', 'k_best'}, default 'threshold'
    k_best : int, default 10 — with 'k_best', how many predictions to adopt per iteration
    max_iter : int or None, default 10 — None iterates until everything is labelled or nothing changes

    Attributes
    ----------
    estimator_ : the fitted clone; classes_ (n_classes,)
    transduction_ (n_samples,) — the labels used in the final fit (−1 where none was adopted)
    labeled_iter_ (n_samples,) — the iteration a sample got its label (0: given, −1: never)
    n_iter_ : int; termination_condition_ : 'max_iter' | 'no_change' | 'all_labeled'
    """

    def __init__(self, estimator=None, threshold: float = 0.75, criterion: str = "threshold", k_best: int = 10,
                 max_iter: int | None = 10):
        self.estimator = estimator
        self.threshold = threshold
        self.criterion = criterion
        self.k_best = k_best
        self.max_iter = max_iter

    def _check_params(self) -> None:
        name = type(self).__name__
        if self.estimator is None or not hasattr(self.estimator, "predict_proba"):
            raise ValueError(f"{name}: estimator must be a classifier with predict_proba, got {self.estimator!r}"
                             " (for SVC, pass probability=True)")
        check_param(self, "criterion", self.criterion, ("threshold", "k_best"))
        t = self.threshold
        if isinstance(t, bool) or not isinstance(t, (int, float, np.number)) or not 0 <= t < 1:
            raise ValueError(f"{name}: threshold must be a number in [0, 1); got {t!r}")
        check_positive(self, "k_best", self.k_best, integer=True)
        if self.max_iter is not None:
            check_positive(self, "max_iter", self.max_iter, strict=False, integer=True)

    def fit(self, X, y) -> "SelfTraining":
        self._check_params()
        X, y = validate_data(self, X, y, ensure_all_finite=False)
        if y.dtype.kind in "US":
            raise ValueError(f"{type(self).__name__}: y holds strings; use an object array with -1 marking "
                             "the unlabelled samples")
        self.estimator_ = clone(self.estimator)
        labelled = y != UNLABELED
        if labelled.all():
            warnings.warn(f"{type(self).__name__}: y contains no unlabeled samples (no -1)", UserWarning)
        if not labelled.any():
            raise ValueError(f"{type(self).__name__}: y has no labelled sample (every label is -1)")
        if self.criterion == "k_best" and self.k_best > (~labelled).sum():
            warnings.warn(f"{type(self).__name__}: k_best={self.k_best} is larger than the {(~labelled).sum()} "
                          "unlabeled samples; all of them are labelled in the first iteration", UserWarning)
        self.transduction_ = y.copy()
        self.labeled_iter_ = np.where(labelled, 0, -1)
        self.n_iter_ = 0
        while not labelled.all() and (self.max_iter is None or self.n_iter_ < self.max_iter):
            self.n_iter_ += 1
            adopted, labels = self._confident(X, labelled)
            self.transduction_[adopted] = labels
            labelled[adopted] = True
            self.labeled_iter_[adopted] = self.n_iter_
            if adopted.size == 0:
                self.termination_condition_ = "no_change"
                break
        if self.n_iter_ == self.max_iter:
            self.termination_condition_ = "max_iter"
        if labelled.all():
            self.termination_condition_ = "all_labeled"
        self.estimator_.fit(X[labelled], self.transduction_[labelled])
        self.classes_ = self.estimator_.classes_
        return self

    def _confident(self, X: np.ndarray, labelled: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Fit on the labelled rows; (row indices, labels) of the unlabelled rows to adopt."""
        self.estimator_.fit(X[labelled], self.transduction_[labelled])
        rows = np.flatnonzero(~labelled)
        proba = self.estimator_.predict_proba(X[rows])
        best, pred = proba.max(axis=1), self.estimator_.classes_[proba.argmax(axis=1)]
        if self.criterion == "threshold":
            chosen = np.flatnonzero(best > self.threshold)
        elif self.k_best >= len(rows):
            chosen = np.arange(len(rows))
        else:  # the k most confident; ties broken as scikit-learn's argpartition does
            chosen = np.argpartition(-best, self.k_best)[:self.k_best]
        return rows[chosen], pred[chosen]

    def _fitted(self):
        check_is_fitted(self, "estimator_")
        return self.estimator_

    def predict(self, X) -> np.ndarray:
        """The fitted estimator's prediction.  (n, d) -> (n,)."""
        return self._fitted().predict(validate_data(self, X, reset=False, ensure_all_finite=False))

    def predict_proba(self, X) -> np.ndarray:
        """The fitted estimator's class probabilities.  (n, d) -> (n, n_classes)."""
        return self._fitted().predict_proba(validate_data(self, X, reset=False, ensure_all_finite=False))
