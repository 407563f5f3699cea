"""AdaBoost with the multi-class SAMME rule (``AdaBoostClassifier``), as scikit-learn does it.

Stage m fits the base classifier h_m to the weighted data, then with its weighted error e_m

    alpha_m = learning_rate * (log((1 - e_m) / e_m) + log(K - 1))
    w_i    <- w_i * exp(alpha_m * [h_m(x_i) != y_i]),   then normalised,

stopping early on a perfect stage (e_m = 0) or one no better than chance (e_m >= 1 - 1/K).
Decision: f_k(x) = sum_m alpha_m (1 if h_m(x) = k else -1/(K-1)) / sum_m alpha_m
(for K = 2 one column, f_1 - f_0); probabilities are softmax(f / (K - 1)).
"""
from __future__ import annotations

import numbers

import numpy as np
from scipy.special import softmax
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, check_random_state, has_fit_parameter

from ._splitter import presort
from ._validation import check_sample_weight
from .tree import DecisionTreeClassifier, validate

_MAX_INT = np.iinfo(np.int32).max


class AdaBoostClassifier(ClassifierMixin, BaseEstimator):
    """AdaBoost-SAMME classifier.

    Parameters
    ----------
    estimator : classifier accepting sample_weight, default=DecisionTreeClassifier(max_depth=1)
    n_estimators : int, default=50 (most stages; fewer if boosting stops early)
    learning_rate : float, default=1.0 (scales every stage weight alpha_m)
    random_state : int, RandomState or None (seeds the base estimators)

    Attributes
    ----------
    estimators_, estimator_weights_ (alpha_m), estimator_errors_ (e_m), classes_, n_classes_,
    feature_importances_ (alpha-weighted mean of the base estimators').
    Shapes: decision_function (n_samples,) for 2 classes else (n_samples, K).
    """

    def __init__(self, estimator=None, *, n_estimators: int = 50, learning_rate: float = 1.0,
                 random_state=None):
        self.estimator = estimator
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.random_state = random_state

    def _base(self):
        name = type(self).__name__
        base = DecisionTreeClassifier(max_depth=1) if self.estimator is None else self.estimator
        if not has_fit_parameter(base, "sample_weight"):
            raise ValueError(f"{name}: the estimator {type(base).__name__} does not support "
                             "sample_weight, which boosting needs")
        return base

    def fit(self, X, y, sample_weight=None) -> "AdaBoostClassifier":
        name = type(self).__name__
        if not isinstance(self.n_estimators, numbers.Integral) or self.n_estimators < 1:
            raise ValueError(f"{name}: n_estimators must be an int >= 1; got {self.n_estimators!r}")
        if not (isinstance(self.learning_rate, numbers.Real) and self.learning_rate > 0):
            raise ValueError(f"{name}: learning_rate must be a float > 0; "
                             f"got {self.learning_rate!r}")
        X, y = validate(self, X, y, dtype=None if self.estimator is not None else np.float32)
        check_classification_targets(y)
        sw = check_sample_weight(self, sample_weight, X, copy=True)
        if sw.sum() <= 0:
            raise ValueError(f"{name}: sample_weight must contain at least one positive value")
        sw /= sw.sum()
        base = self._base()
        rng = check_random_state(self.random_state)
        self.classes_, y_enc = np.unique(y, return_inverse=True)
        self.n_classes_ = K = len(self.classes_)
        fast = type(base) is DecisionTreeClassifier
        if fast:
            X32 = np.asarray(X, dtype=np.float32)
            order = presort(X32)
        self.estimators_ = []
        self.estimator_weights_ = np.zeros(self.n_estimators)
        self.estimator_errors_ = np.ones(self.n_estimators)
        eps = np.finfo(np.float64).eps
        zero = sw == 0.0
        for m in range(self.n_estimators):
            sw = np.clip(sw, eps, None)
            sw[zero] = 0.0
            est = clone(base)
            if "random_state" in est.get_params():
                est.set_params(random_state=int(rng.randint(_MAX_INT)))
            if fast:  # our own tree: skip re-validation and share one presort of X
                est.classes_, est.n_classes_, est.n_outputs_ = self.classes_, K, 1
                est.n_features_in_ = X.shape[1]
                est._fit_encoded(X32, y_enc, sw, order=order)
                incorrect = np.argmax(est.tree_.predict(X32)[:, 0, :], axis=1) != y_enc
            else:
                est.fit(X, y, sample_weight=sw)
                incorrect = est.predict(X) != y
            self.estimators_.append(est)
            error = float(np.average(incorrect, weights=sw))
            if error <= 0:  # perfect stage: keep it with weight 1 and stop
                self.estimator_weights_[m], self.estimator_errors_[m] = 1.0, 0.0
                break
            if error >= 1.0 - 1.0 / K:
                self.estimators_.pop()
                if not self.estimators_:
                    raise ValueError(f"{name}: the base estimator is worse than random on the "
                                     "first stage; the ensemble cannot be fit")
                break
            alpha = self.learning_rate * (np.log((1.0 - error) / error) + np.log(K - 1.0))
            self.estimator_weights_[m], self.estimator_errors_[m] = alpha, error
            if m == self.n_estimators - 1:
                break
            sw = np.exp(np.log(sw, where=sw > 0, out=np.full_like(sw, -np.inf))
                        + alpha * incorrect * (sw > 0))
            total = sw.sum()
            if not np.isfinite(total) or total <= 0:
                break
            sw /= total
        return self

    def _votes(self, X):
        """Yield (cumulative alpha-weighted votes (n, K), cumulative alpha) after each stage."""
        check_is_fitted(self)
        X = validate(self, X, dtype=None if self.estimator is not None else np.float32,
                          reset=False)
        K = self.n_classes_
        votes = np.zeros((X.shape[0], K))
        norm = 0.0
        for alpha, est in zip(self.estimator_weights_, self.estimators_):
            hit = est.predict(X)[:, None] == self.classes_[None, :]
            votes += np.where(hit, alpha, -alpha / (K - 1) if K > 1 else 0.0)
            norm += alpha
            yield votes, norm

    def _decision(self, votes, norm):
        pred = votes / norm
        if self.n_classes_ == 2:
            return pred[:, 1] - pred[:, 0]
        return pred

    def staged_decision_function(self, X):
        for votes, norm in self._votes(X):
            yield self._decision(votes, norm)

    def decision_function(self, X) -> np.ndarray:
        out = None
        for out in self.staged_decision_function(X):
            pass
        return out

    def _proba(self, decision):
        K = self.n_classes_
        if K == 1:
            return np.ones((decision.shape[0], 1))
        if K == 2:
            decision = np.column_stack([-decision, decision]) / 2
        else:
            decision = decision / (K - 1)
        return softmax(decision, axis=1)

    def predict_proba(self, X) -> np.ndarray:
        return self._proba(self.decision_function(X))

    def staged_predict_proba(self, X):
        for d in self.staged_decision_function(X):
            yield self._proba(d)

    def _label(self, decision):
        if self.n_classes_ == 2:
            return self.classes_.take((decision > 0).astype(int))
        return self.classes_.take(np.argmax(decision.reshape(len(decision), -1), axis=1))

    def predict(self, X) -> np.ndarray:
        return self._label(self.decision_function(X))

    def staged_predict(self, X):
        for d in self.staged_decision_function(X):
            yield self._label(d)

    @property
    def feature_importances_(self) -> np.ndarray:
        check_is_fitted(self)
        w = self.estimator_weights_[:len(self.estimators_)]
        return sum(a * e.feature_importances_ for a, e in zip(w, self.estimators_)) / w.sum()
