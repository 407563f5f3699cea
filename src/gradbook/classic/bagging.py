"""Bootstrap aggregating (``BaggingClassifier``), as scikit-learn does it.

Each of ``n_estimators`` clones of the base classifier sees a random draw of ``max_samples`` rows
(with replacement if ``bootstrap``) and ``max_features`` columns (with replacement if
``bootstrap_features``). Estimators that take ``sample_weight`` get the draw as integer weights
on all rows; others get the drawn rows. The ensemble averages predict_proba (or the votes of
estimators without it):  p(k | x) = 1/T sum_t p_t(k | x).  With ``oob_score`` each row is
scored by the estimators that never drew it.

``sample_weight`` follows scikit-learn 1.9: row i is drawn with probability w_i / sum w (and a
float ``max_samples`` is a fraction of sum w), and the estimators see only the draw. So weight 2
means "this row twice" in distribution, not draw by draw: the same seed draws other rows from n
weighted rows than from the rows repeated (check_sample_weight_equivalence is an expected
failure, proved in tests/classic/test_check_estimator_trees.py).
"""
from __future__ import annotations

import numbers
import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, check_random_state, has_fit_parameter

from ._proba import ProbaClassifier
from ._validation import check_sample_weight
from .forest import n_draws
from .tree import DecisionTreeClassifier, count_or_fraction, validate

_MAX_INT = np.iinfo(np.int32).max


class BaggingClassifier(ProbaClassifier, ClassifierMixin, BaseEstimator):
    """Bagging of a base classifier.

    Parameters
    ----------
    estimator : classifier, default=DecisionTreeClassifier()
    n_estimators : int, default=10
    max_samples : None, int or float, default=None (rows drawn per estimator: n_samples, a
        count, or a fraction of n_samples / of the total sample weight)
    max_features : int or float, default=1.0 (columns drawn per estimator)
    bootstrap : bool, default=True (rows with replacement)
    bootstrap_features : bool, default=False (columns with replacement)
    oob_score : bool, default=False (fills oob_score_, oob_decision_function_)
    random_state : int, RandomState or None

    Attributes: estimators_, estimators_samples_ (row indices drawn), estimators_features_,
    classes_, n_classes_. Shapes: predict_proba (n_samples, n_classes).
    """

    def __init__(self, estimator=None, n_estimators: int = 10, *, max_samples=None,
                 max_features=1.0, bootstrap: bool = True, bootstrap_features: bool = False,
                 oob_score: bool = False, random_state=None):
        self.estimator = estimator
        self.n_estimators = n_estimators
        self.max_samples = max_samples
        self.max_features = max_features
        self.bootstrap = bootstrap
        self.bootstrap_features = bootstrap_features
        self.oob_score = oob_score
        self.random_state = random_state

    def fit(self, X, y, sample_weight=None) -> "BaggingClassifier":
        name = type(self).__name__
        if not isinstance(self.n_estimators, numbers.Integral) or self.n_estimators < 1:
            raise ValueError(f"{name}: n_estimators must be an int >= 1; got {self.n_estimators!r}")
        if self.oob_score and not self.bootstrap:
            raise ValueError(f"{name}: out-of-bag estimation (oob_score=True) needs bootstrap=True")
        X, y = validate(self, X, y, dtype=None)
        check_classification_targets(y)
        sw = None if sample_weight is None else check_sample_weight(self, sample_weight, X)
        if sw is not None and not self.bootstrap:
            warnings.warn(f"When fitting {name} with sample_weight it is recommended to use "
                          f"bootstrap=True, got {self.bootstrap}.", UserWarning)
        self.classes_, y_enc = np.unique(y, return_inverse=True)
        self.n_classes_ = len(self.classes_)
        n, d = X.shape
        n_rows = n_draws(self.max_samples, n, sw, name)
        positive = n if sw is None else int(np.count_nonzero(sw))
        if not self.bootstrap and n_rows > positive:
            raise ValueError(f"{name}: max_samples gives {n_rows} rows, more than the {positive} "
                             "rows (of positive weight) that can be sampled without replacement")
        n_cols = count_or_fraction(self.max_features, d, "max_features", name)
        base = DecisionTreeClassifier() if self.estimator is None else self.estimator
        weighted = has_fit_parameter(base, "sample_weight")
        rng = check_random_state(self.random_state)

        def draw_rows(draw):
            if sw is not None:
                return draw.choice(n, n_rows, replace=self.bootstrap, p=sw / sw.sum())
            return draw.randint(0, n, n_rows) if self.bootstrap else draw.permutation(n)[:n_rows]

        self.estimators_, self.estimators_samples_, self.estimators_features_ = [], [], []
        for _ in range(self.n_estimators):
            seed = int(rng.randint(_MAX_INT))
            draw = np.random.RandomState(seed)
            cols = (draw.randint(0, d, n_cols) if self.bootstrap_features
                    else np.sort(draw.permutation(d)[:n_cols]))
            rows = draw_rows(draw)
            est = clone(base)
            if "random_state" in est.get_params():
                est.set_params(random_state=seed)
            if weighted:
                est.fit(X[:, cols], y_enc, sample_weight=np.bincount(rows, minlength=n))
            else:
                est.fit(X[rows][:, cols], y_enc[rows])
            self.estimators_.append(est)
            self.estimators_samples_.append(rows)
            self.estimators_features_.append(cols)
        if self.oob_score:
            self._set_oob(X, y_enc)
        return self

    def _est_proba(self, est, X):
        """Probabilities of one estimator on all classes (it may have seen only some)."""
        out = np.zeros((X.shape[0], self.n_classes_))
        known = np.asarray(est.classes_, dtype=int)
        if hasattr(est, "predict_proba"):
            out[:, known] = est.predict_proba(X)
        else:
            out[np.arange(X.shape[0]), est.predict(X).astype(int)] = 1.0
        return out

    def _set_oob(self, X, y_enc):
        total = np.zeros((X.shape[0], self.n_classes_))
        for est, rows, cols in zip(self.estimators_, self.estimators_samples_,
                                   self.estimators_features_):
            out = np.ones(X.shape[0], dtype=bool)
            out[rows] = False
            if out.any():
                total[out] += self._est_proba(est, X[out][:, cols])
        seen = total.sum(axis=1) > 0
        if not seen.all():
            warnings.warn(f"{type(self).__name__}: some inputs were never out of bag; their OOB "
                          "estimate is undefined (too few estimators)", UserWarning)
        with np.errstate(invalid="ignore"):
            self.oob_decision_function_ = total / total.sum(axis=1, keepdims=True)
        self.oob_score_ = float(np.mean(np.argmax(total[seen], axis=1) == y_enc[seen]))

    def predict_proba(self, X) -> np.ndarray:
        check_is_fitted(self)
        X = validate(self, X, dtype=None, reset=False)
        total = sum(self._est_proba(est, X[:, cols])
                    for est, cols in zip(self.estimators_, self.estimators_features_))
        return total / len(self.estimators_)

