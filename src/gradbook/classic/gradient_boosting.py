"""Gradient boosting of regression trees: ``GradientBoostingRegressor`` (squared error) and
``GradientBoostingClassifier`` (log-loss, binary and multi-class), as in scikit-learn.

Raw scores start at the prior (mean target; log-odds of the class prior; centred log priors)
and each stage fits one depth-limited tree per class to the negative gradient r of the loss:

    squared error:  r = y - F                       leaf value = mean of r
    log-loss:       r = y_k - p_k (p = sigmoid/softmax(F))
                    leaf value = sum w r / sum w p (1 - p)  (one Newton step; x (K-1)/K if K > 2)
    F <- F + learning_rate * tree(x)

With ``subsample < 1`` each stage sees a random ``subsample`` fraction of the rows (stochastic
gradient boosting); leaf values use those rows only. X is sorted once and shared by all trees.

``sample_weight`` enters every sum above, so with ``subsample=1.0`` weight 2 is exactly the row
repeated (scikit-learn's estimator check passes). With ``subsample < 1`` it cannot be: a stage
draws a random subset of the n rows as given, and the same seed draws another subset of the
repeated rows (tests/classic/test_check_estimator_trees.py shows the check then fails).
"""
from __future__ import annotations

import numbers

import numpy as np
from scipy.special import expit, logsumexp
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, check_random_state

from ._proba import ProbaClassifier
from ._splitter import ensemble_leaves, presort, stack_nodes
from ._validation import check_sample_weight
from .tree import DecisionTreeRegressor, validate


def _softmax(F: np.ndarray) -> np.ndarray:
    return np.exp(F - logsumexp(F, axis=1, keepdims=True))


class _BaseGradientBoosting(BaseEstimator):
    _losses: tuple[str, ...] = ()

    def _check_params(self):
        name = type(self).__name__
        if self.loss not in self._losses:
            raise ValueError(f"{name}: loss must be one of {self._losses}; got {self.loss!r}")
        if not isinstance(self.n_estimators, numbers.Integral) or self.n_estimators < 1:
            raise ValueError(f"{name}: n_estimators must be an int >= 1; got {self.n_estimators!r}")
        if not (isinstance(self.learning_rate, numbers.Real) and self.learning_rate >= 0):
            raise ValueError(f"{name}: learning_rate must be a float >= 0; "
                             f"got {self.learning_rate!r}")
        if not (isinstance(self.subsample, numbers.Real) and 0.0 < self.subsample <= 1.0):
            raise ValueError(f"{name}: subsample must be a float in (0, 1]; "
                             f"got {self.subsample!r}")

    def _boost(self, X, targets, sw, F):
        """Run the stages. ``targets`` (n, K): the 0/1 class indicators (classifier) or y."""
        n, K = F.shape
        rng = check_random_state(self.random_state)
        order = presort(X)
        n_inbag = max(1, int(self.subsample * n))
        self.estimators_ = np.empty((self.n_estimators, K), dtype=object)
        for i in range(self.n_estimators):
            w = sw
            if self.subsample < 1.0:
                mask = np.zeros(n, dtype=bool)
                mask[rng.permutation(n)[:n_inbag]] = True
                w = sw * mask
            resid = targets - self._link_inverse(F)
            for k in range(K):
                tree = DecisionTreeRegressor(
                    max_depth=self.max_depth, min_samples_split=self.min_samples_split,
                    min_samples_leaf=self.min_samples_leaf, max_features=self.max_features,
                    min_impurity_decrease=self.min_impurity_decrease, random_state=rng)
                tree._fit_targets(X, resid[:, k], w, order=order)
                tree.n_features_in_ = X.shape[1]
                leaves = tree.tree_.apply(X)
                self._update_leaves(tree.tree_, leaves, targets[:, k], resid[:, k], w, K)
                F[:, k] += self.learning_rate * tree.tree_.value[leaves, 0, 0]
                self.estimators_[i, k] = tree
        return F

    def _update_leaves(self, tree, leaves, y, r, w, K):
        """Squared error: the tree's leaf means are already optimal (identity update)."""

    def _raw_stages(self, X):
        """Yield the raw scores F (n, K) after each stage."""
        contrib = self._contributions(X)
        F = np.tile(self._init_raw, (contrib.shape[0], 1))
        for stage in range(contrib.shape[1]):
            F += contrib[:, stage]
            yield F.copy()

    def _contributions(self, X) -> np.ndarray:
        """learning_rate * tree output for every row, stage and class: (n, n_stages, K)."""
        check_is_fitted(self)
        X = validate(self, X, dtype=np.float32, reset=False)
        trees = [t.tree_ for t in self.estimators_.ravel()]
        values = stack_nodes([t.value[:, 0, 0] for t in trees])
        out = np.empty((X.shape[0], len(trees)))
        for rows, leaves in ensemble_leaves(trees, X):
            out[rows] = values[leaves]
        return self.learning_rate * out.reshape(X.shape[0], *self.estimators_.shape)

    def _raw(self, X) -> np.ndarray:
        contrib = self._contributions(X)
        return self._init_raw + contrib.sum(axis=1)

    @property
    def feature_importances_(self) -> np.ndarray:
        """Mean un-normalised impurity importance over all trees, normalised to sum 1."""
        check_is_fitted(self)
        imps = [t.tree_.compute_feature_importances(self.n_features_in_, normalize=False)
                for t in self.estimators_.ravel() if t.tree_.node_count > 1]
        if not imps:
            return np.zeros(self.n_features_in_)
        mean = np.mean(imps, axis=0)
        return mean / mean.sum()


_PARAMS_DOC = """
    Parameters
    ----------
    loss : {loss}
    learning_rate : float, default=0.1 (shrinks each tree's contribution)
    n_estimators : int, default=100 (boosting stages)
    subsample : float in (0, 1], default=1.0 (fraction of rows per stage)
    min_samples_split, min_samples_leaf, max_depth (default 3), min_impurity_decrease,
    max_features : as the regression trees
    random_state : int, RandomState or None (row subsampling and feature order)
"""


class GradientBoostingRegressor(RegressorMixin, _BaseGradientBoosting):
    __doc__ = ("Gradient boosting for regression with the squared error.\n"
               + _PARAMS_DOC.format(loss="'squared_error'")
               + "\n    Shapes: X (n_samples, n_features) -> predict (n_samples,).\n")
    _losses = ("squared_error",)

    def __init__(self, *, loss: str = "squared_error", learning_rate: float = 0.1,
                 n_estimators: int = 100, subsample: float = 1.0,
                 min_samples_split: int | float = 2, min_samples_leaf: int | float = 1,
                 max_depth: int | None = 3, min_impurity_decrease: float = 0.0,
                 random_state=None, max_features=None):
        self.loss = loss
        self.learning_rate = learning_rate
        self.n_estimators = n_estimators
        self.subsample = subsample
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.max_depth = max_depth
        self.min_impurity_decrease = min_impurity_decrease
        self.random_state = random_state
        self.max_features = max_features

    @staticmethod
    def _link_inverse(F):
        return F

    def fit(self, X, y, sample_weight=None) -> "GradientBoostingRegressor":
        self._check_params()
        X, y = validate(self, X, y, dtype=np.float32, y_numeric=True)
        y = y.astype(np.float64)
        sw = check_sample_weight(self, sample_weight, X)
        self._init_raw = np.array([np.average(y, weights=sw)])
        F = np.tile(self._init_raw, (len(y), 1))
        self._boost(X, y[:, None], sw, F)
        self.n_estimators_ = self.n_estimators
        return self

    def predict(self, X) -> np.ndarray:
        return self._raw(X)[:, 0]

    def staged_predict(self, X):
        """Predictions after each stage (a generator of (n_samples,) arrays)."""
        for F in self._raw_stages(X):
            yield F[:, 0]


class GradientBoostingClassifier(ProbaClassifier, ClassifierMixin, _BaseGradientBoosting):
    __doc__ = ("Gradient boosting for classification with the log-loss (one tree per stage for\n"
               "    two classes, one per class and stage otherwise).\n"
               + _PARAMS_DOC.format(loss="'log_loss'")
               + "\n    Shapes: decision_function (n_samples,) for 2 classes else (n_samples, K);"
               "\n    predict_proba (n_samples, K).\n")
    _losses = ("log_loss",)

    def __init__(self, *, loss: str = "log_loss", learning_rate: float = 0.1,
                 n_estimators: int = 100, subsample: float = 1.0,
                 min_samples_split: int | float = 2, min_samples_leaf: int | float = 1,
                 max_depth: int | None = 3, min_impurity_decrease: float = 0.0,
                 random_state=None, max_features=None):
        self.loss = loss
        self.learning_rate = learning_rate
        self.n_estimators = n_estimators
        self.subsample = subsample
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.max_depth = max_depth
        self.min_impurity_decrease = min_impurity_decrease
        self.random_state = random_state
        self.max_features = max_features

    def _link_inverse(self, F):
        return expit(F) if self.n_classes_ == 2 else _softmax(F)

    def fit(self, X, y, sample_weight=None) -> "GradientBoostingClassifier":
        self._check_params()
        X, y = validate(self, X, y, dtype=np.float32)
        check_classification_targets(y)
        sw = check_sample_weight(self, sample_weight, X)
        self.classes_, y_enc = np.unique(y, return_inverse=True)
        self.n_classes_ = K = len(self.classes_)
        if len(np.unique(y_enc[sw > 0])) < 2:
            raise ValueError(f"{type(self).__name__}: y contains 1 class (after dropping "
                             "zero-weight rows); at least 2 classes are needed")
        eps = np.finfo(np.float64).eps
        prior = np.clip(np.bincount(y_enc, weights=sw, minlength=K) / sw.sum(), eps, 1 - eps)
        if K == 2:
            self._init_raw = np.array([np.log(prior[1] / (1 - prior[1]))])
            targets = y_enc[:, None].astype(np.float64)
        else:
            logp = np.log(prior)
            self._init_raw = logp - logp.mean()
            targets = np.eye(K)[y_enc]
        F = np.tile(self._init_raw, (len(y), 1))
        self._boost(X, targets, sw, F)
        self.n_estimators_ = self.n_estimators
        return self

    def _update_leaves(self, tree, leaves, y, r, w, K):
        """One Newton step per leaf: sum w r / sum w p(1-p), with p = y - r."""
        p = y - r
        m = tree.node_count
        num = np.bincount(leaves, weights=w * r, minlength=m)
        den = np.bincount(leaves, weights=w * p * (1 - p), minlength=m)
        if K > 2:
            num *= (K - 1) / K
        is_leaf = tree.children_left == -1
        safe = np.abs(den) >= 1e-150
        upd = np.where(safe, num / np.where(safe, den, 1.0), 0.0)
        tree.value[is_leaf, 0, 0] = upd[is_leaf]

    def decision_function(self, X) -> np.ndarray:
        F = self._raw(X)
        return F[:, 0] if self.n_classes_ == 2 else F

    def staged_decision_function(self, X):
        for F in self._raw_stages(X):
            yield F[:, 0] if self.n_classes_ == 2 else F

    def _proba(self, F):
        if self.n_classes_ == 2:
            p1 = expit(F[:, 0])
            return np.column_stack([1 - p1, p1])
        return _softmax(F)

    def predict_proba(self, X) -> np.ndarray:
        return self._proba(self._raw(X))


    def staged_predict_proba(self, X):
        for F in self._raw_stages(X):
            yield self._proba(F)

    def staged_predict(self, X):
        for F in self._raw_stages(X):
            yield self.classes_.take(np.argmax(self._proba(F), axis=1))
