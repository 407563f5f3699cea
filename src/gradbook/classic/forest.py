"""Random forests: ``RandomForestClassifier`` / ``RandomForestRegressor``.

Each tree is grown on a bootstrap sample (drawn as integer sample weights, like scikit-learn) with
``max_features`` features drawn at every split; the forest averages the trees:

    p(y = k | x) = 1/T sum_t p_t(k | x)          f(x) = 1/T sum_t f_t(x)

The per-feature sort of X is done once and shared by all trees. With ``oob_score=True`` every
sample is scored by the trees whose bootstrap left it out (``oob_score_``: accuracy / R^2).
"""
from __future__ import annotations

import numbers
import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, check_random_state

from ._proba import ProbaClassifier
from ._splitter import ensemble_leaves, presort, stack_nodes
from ._validation import check_sample_weight
from .tree import DecisionTreeClassifier, DecisionTreeRegressor, count_or_fraction, validate

_MAX_INT = np.iinfo(np.int32).max


def bootstrap_counts(seed: int, n_samples: int, n_draws: int,
                     sample_weight: np.ndarray | None = None) -> np.ndarray:
    """How often each sample is drawn in a bootstrap of ``n_draws`` (scikit-learn's recipe).
    A draw holding only zero-weight samples teaches nothing and is drawn again."""
    rs = check_random_state(seed)
    for _ in range(100):
        counts = np.bincount(rs.randint(0, n_samples, n_draws), minlength=n_samples)
        if sample_weight is None or np.any(sample_weight[counts > 0] > 0):
            break
    return counts


def n_draws(max_samples, n_samples: int, owner: str) -> int:
    if max_samples is None:
        return n_samples
    return count_or_fraction(max_samples, n_samples, "max_samples", owner, rounded=True)


def _mean_over_trees(trees, node_values, X, width) -> np.ndarray:
    """Mean over trees of the value (``width`` numbers) of the leaf each row reaches."""
    values = stack_nodes(node_values)
    out = np.empty((X.shape[0], width))
    for rows, leaves in ensemble_leaves([t.tree_ for t in trees], X):
        out[rows] = values[leaves].mean(axis=1)
    return out


class _BaseForest(BaseEstimator):
    _tree_cls: type = DecisionTreeClassifier

    def _check_params(self):
        name = type(self).__name__
        if not isinstance(self.n_estimators, numbers.Integral) or self.n_estimators < 1:
            raise ValueError(f"{name}: n_estimators must be an int >= 1; got {self.n_estimators!r}")
        if self.oob_score and not self.bootstrap:
            raise ValueError(f"{name}: out-of-bag estimation (oob_score=True) needs bootstrap=True")

    def _make_trees(self):
        rng = check_random_state(self.random_state)
        seeds = rng.randint(_MAX_INT, size=self.n_estimators)
        params = dict(criterion=self.criterion, max_depth=self.max_depth,
                      min_samples_split=self.min_samples_split,
                      min_samples_leaf=self.min_samples_leaf, max_features=self.max_features,
                      min_impurity_decrease=self.min_impurity_decrease)
        return [self._tree_cls(**params, random_state=int(s)) for s in seeds]

    def _fit_trees(self, X, sample_weight, fit_one):
        """Grow every tree with its bootstrap weights; returns the in-bag counts (T, n) or None."""
        self._check_params()
        n = X.shape[0]
        order = presort(X)
        draws = n_draws(self.max_samples, n, type(self).__name__) if self.bootstrap else n
        self.estimators_ = self._make_trees()
        counts = []
        for tree in self.estimators_:
            if self.bootstrap:
                c = bootstrap_counts(tree.random_state, n, draws, sample_weight)
                counts.append(c)
                w = sample_weight * c
            else:
                w = sample_weight
            fit_one(tree, w, order)
            tree.n_features_in_ = X.shape[1]
        return np.array(counts) if self.bootstrap else None

    def _validate_X_predict(self, X):
        check_is_fitted(self)
        return validate(self, X, dtype=np.float32, reset=False)

    def apply(self, X) -> np.ndarray:
        """Leaf index of every sample in every tree, shape (n_samples, n_estimators)."""
        X = self._validate_X_predict(X)
        return np.stack([t.tree_.apply(X) for t in self.estimators_], axis=1)

    @property
    def feature_importances_(self) -> np.ndarray:
        """Mean of the trees' normalised impurity importances, normalised again."""
        check_is_fitted(self)
        imps = [t.tree_.compute_feature_importances(self.n_features_in_)
                for t in self.estimators_ if t.tree_.node_count > 1]
        if not imps:
            return np.zeros(self.n_features_in_)
        mean = np.mean(imps, axis=0)
        return mean / mean.sum()


class RandomForestClassifier(ProbaClassifier, ClassifierMixin, _BaseForest):
    """Random forest of CART classification trees.

    Parameters
    ----------
    n_estimators : int, default=100
    criterion : {'gini', 'entropy', 'log_loss'}, default='gini'
    max_depth, min_samples_split, min_samples_leaf, min_impurity_decrease : as the trees
    max_features : default='sqrt' (features drawn at each split)
    bootstrap : bool, default=True
    oob_score : bool, default=False (fills oob_score_ and oob_decision_function_)
    random_state : int, RandomState or None
    max_samples : None, int or float (bootstrap size; None = n_samples)

    Shapes: predict_proba (n_samples, n_classes) = mean of the trees' leaf class fractions.
    """

    _tree_cls = DecisionTreeClassifier

    def __init__(self, n_estimators: int = 100, *, criterion: str = "gini",
                 max_depth: int | None = None, min_samples_split: int | float = 2,
                 min_samples_leaf: int | float = 1, max_features="sqrt",
                 min_impurity_decrease: float = 0.0, bootstrap: bool = True,
                 oob_score: bool = False, random_state=None, max_samples=None):
        self.n_estimators = n_estimators
        self.criterion = criterion
        self.max_depth = max_depth
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.max_features = max_features
        self.min_impurity_decrease = min_impurity_decrease
        self.bootstrap = bootstrap
        self.oob_score = oob_score
        self.random_state = random_state
        self.max_samples = max_samples

    def fit(self, X, y, sample_weight=None) -> "RandomForestClassifier":
        X, y = validate(self, X, y, dtype=np.float32)
        check_classification_targets(y)
        self.classes_, y_enc = np.unique(y, return_inverse=True)
        self.n_classes_ = len(self.classes_)
        self.n_outputs_ = 1
        sw = check_sample_weight(self, sample_weight, X)

        def fit_one(tree, w, order):
            tree.classes_, tree.n_classes_, tree.n_outputs_ = self.classes_, self.n_classes_, 1
            tree._fit_encoded(X, y_enc, w, order=order)

        counts = self._fit_trees(X, sw, fit_one)
        if self.oob_score:
            proba = self._oob_sum(X, counts)
            seen = proba.sum(axis=1) > 0
            if not seen.all():
                warnings.warn(f"{type(self).__name__}: some inputs were never out of bag; "
                              "their OOB estimate is undefined (too few trees)", UserWarning)
            with np.errstate(invalid="ignore"):
                self.oob_decision_function_ = proba / proba.sum(axis=1, keepdims=True)
            self.oob_score_ = float(np.mean(np.argmax(proba[seen], axis=1) == y_enc[seen]))
        return self

    def _oob_sum(self, X, counts):
        total = np.zeros((X.shape[0], self.n_classes_))
        for tree, c in zip(self.estimators_, counts):
            out = c == 0
            p = tree.tree_.predict(X[out])[:, 0, :]
            total[out] += p / p.sum(axis=1, keepdims=True)
        return total

    def predict_proba(self, X) -> np.ndarray:
        X = self._validate_X_predict(X)
        fractions = [t.tree_.value[:, 0, :] / t.tree_.value[:, 0, :].sum(1, keepdims=True)
                     for t in self.estimators_]
        return _mean_over_trees(self.estimators_, fractions, X, self.n_classes_)


class RandomForestRegressor(RegressorMixin, _BaseForest):
    """Random forest of CART regression trees (squared error); predicts the mean of the trees.

    Parameters as :class:`RandomForestClassifier`, with criterion='squared_error' and
    max_features=1.0 (all features: bagged trees). ``oob_score_`` is the out-of-bag R^2.
    """

    _tree_cls = DecisionTreeRegressor

    def __init__(self, n_estimators: int = 100, *, criterion: str = "squared_error",
                 max_depth: int | None = None, min_samples_split: int | float = 2,
                 min_samples_leaf: int | float = 1, max_features=1.0,
                 min_impurity_decrease: float = 0.0, bootstrap: bool = True,
                 oob_score: bool = False, random_state=None, max_samples=None):
        self.n_estimators = n_estimators
        self.criterion = criterion
        self.max_depth = max_depth
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.max_features = max_features
        self.min_impurity_decrease = min_impurity_decrease
        self.bootstrap = bootstrap
        self.oob_score = oob_score
        self.random_state = random_state
        self.max_samples = max_samples

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def fit(self, X, y, sample_weight=None) -> "RandomForestRegressor":
        X, y = validate(self, X, y, dtype=np.float32, multi_output=True, y_numeric=True)
        y = np.asarray(y, dtype=np.float64)
        Y = y.reshape(len(y), -1)
        self.n_outputs_ = Y.shape[1]
        sw = check_sample_weight(self, sample_weight, X)
        counts = self._fit_trees(X, sw, lambda tree, w, order: tree._fit_targets(X, Y, w, order))
        if self.oob_score:
            total = np.zeros_like(Y)
            n_oob = np.zeros(len(Y))
            for tree, c in zip(self.estimators_, counts):
                out = c == 0
                total[out] += tree.tree_.predict(X[out])[:, :, 0]
                n_oob += out
            seen = n_oob > 0
            if not seen.all():
                warnings.warn(f"{type(self).__name__}: some inputs were never out of bag; "
                              "their OOB estimate is undefined (too few trees)", UserWarning)
            with np.errstate(invalid="ignore"):
                pred = total / n_oob[:, None]
            self.oob_prediction_ = pred[:, 0] if y.ndim == 1 else pred
            resid = np.sum((Y[seen] - pred[seen]) ** 2, axis=0)
            var = np.sum((Y[seen] - Y[seen].mean(axis=0)) ** 2, axis=0)
            self.oob_score_ = float(np.mean(1.0 - resid / var))
        return self

    def predict(self, X) -> np.ndarray:
        X = self._validate_X_predict(X)
        means = [t.tree_.value[:, :, 0] for t in self.estimators_]
        pred = _mean_over_trees(self.estimators_, means, X, self.n_outputs_)
        return pred[:, 0] if self.n_outputs_ == 1 else pred
