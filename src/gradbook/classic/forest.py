"""Random forests: ``RandomForestClassifier`` / ``RandomForestRegressor``.

Each tree is grown on a bootstrap sample (passed to the tree as integer draw counts, like
scikit-learn) with ``max_features`` features drawn at every split; the forest averages the trees:

    p(y = k | x) = 1/T sum_t p_t(k | x)          f(x) = 1/T sum_t f_t(x)

Sample weights follow scikit-learn 1.9: with ``bootstrap=True`` they are the probabilities of
the bootstrap draw (row i is drawn with probability w_i / sum w) and each tree then sees only
the draw counts; with ``bootstrap=False`` every tree is fitted on the weights themselves.
So weight 2 means "this row twice" exactly when ``bootstrap=False``, and only in distribution
with the bootstrap: a draw of n rows among n weighted rows is not the same random draw as one
among the rows repeated (other rows, other count), so the same seed grows other trees.

Targets may have several outputs (y of shape (n_samples, K)): then ``classes_``/``n_classes_``
are lists and ``predict_proba`` a list of K arrays. ``class_weight`` ('balanced', a dict, a list
of dicts, or 'balanced_subsample': balanced within each tree's bootstrap) multiplies into the
sample weights. The per-feature sort of X is done once and shared by all trees. With
``oob_score=True`` every sample is scored by the trees whose bootstrap left it out.
"""
from __future__ import annotations

import numbers
import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.exceptions import DataConversionWarning
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, check_random_state

from ._class_weight import class_sample_weight
from ._proba import ProbaClassifier
from ._splitter import ensemble_leaves, presort, stack_nodes
from ._validation import check_sample_weight
from .tree import (DecisionTreeClassifier, DecisionTreeRegressor, encode_outputs, grow_together,
                   leaf_fractions, validate)

_MAX_INT = np.iinfo(np.int32).max


def bootstrap_indices(seed: int, n_samples: int, n_draws: int,
                      sample_weight: np.ndarray | None = None) -> np.ndarray:
    """The rows of one bootstrap, scikit-learn's draw: uniform, or with probability
    ∝ ``sample_weight`` when weights are given."""
    rs = check_random_state(seed)
    if sample_weight is None:
        return rs.randint(0, n_samples, n_draws)
    return rs.choice(n_samples, n_draws, replace=True, p=sample_weight / np.sum(sample_weight))


def bootstrap_counts(seed: int, n_samples: int, n_draws: int,
                     sample_weight: np.ndarray | None = None) -> np.ndarray:
    """How often each row is drawn in :func:`bootstrap_indices`, shape (n_samples,)."""
    return np.bincount(bootstrap_indices(seed, n_samples, n_draws, sample_weight),
                       minlength=n_samples)


def n_draws(max_samples, n_samples: int, sample_weight: np.ndarray | None, owner: str) -> int:
    """Bootstrap size: n_samples (None), an int, or a float fraction of n_samples (of the total
    weight when weighted), truncated, at least 1 (scikit-learn 1.9's rule)."""
    if max_samples is None:
        return n_samples
    if isinstance(max_samples, numbers.Integral) and not isinstance(max_samples, bool):
        if max_samples >= 1:
            return int(max_samples)
    elif isinstance(max_samples, numbers.Real) and 0.0 < max_samples <= 1.0:
        total = n_samples if sample_weight is None else float(np.sum(sample_weight))
        draws = max(int(max_samples * total), 1)
        if draws < max(10, n_samples ** (1 / 3)):
            warnings.warn(f"{owner}: max_samples={max_samples} gives only {draws} bootstrap "
                          "samples; pass max_samples as an integer instead", UserWarning)
        return draws
    raise ValueError(f"{owner}: max_samples must be None, an int >= 1 or a float in (0, 1]; "
                     f"got {max_samples!r}")


def _mean_over_trees(trees, node_values, X, width) -> np.ndarray:
    """Mean over trees of the value (``width`` numbers) of the leaf each row reaches."""
    values = stack_nodes(node_values)
    out = np.empty((X.shape[0], width))
    for rows, leaves in ensemble_leaves([t.tree_ for t in trees], X):
        out[rows] = values[leaves].mean(axis=1)
    return out


def _targets_2d(est, y) -> np.ndarray:
    """y as (n, n_outputs); a column vector is a single output, with scikit-learn's warning."""
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        warnings.warn(f"{type(est).__name__}: A column-vector y was passed when a 1d array was "
                      "expected. Please change the shape of y to (n_samples,), for example using "
                      "ravel().", DataConversionWarning, stacklevel=3)
        y = y[:, 0]
    return y


class _BaseForest(BaseEstimator):
    _tree_cls: type = DecisionTreeClassifier

    def _check_params(self):
        name = type(self).__name__
        if not isinstance(self.n_estimators, numbers.Integral) or self.n_estimators < 1:
            raise ValueError(f"{name}: n_estimators must be an int >= 1; got {self.n_estimators!r}")
        if not self.bootstrap and self.max_samples is not None:
            raise ValueError(f"{name}: max_samples cannot be set if bootstrap=False; either "
                             "switch to bootstrap=True or set max_samples=None")
        if self.oob_score and not self.bootstrap:
            raise ValueError(f"{name}: out-of-bag estimation (oob_score=True) needs bootstrap=True")

    def _make_trees(self):
        rng = check_random_state(self.random_state)
        seeds = rng.randint(_MAX_INT, size=self.n_estimators)
        params = dict(criterion=self.criterion, max_depth=self.max_depth,
                      min_samples_split=self.min_samples_split,
                      min_samples_leaf=self.min_samples_leaf,
                      min_weight_fraction_leaf=self.min_weight_fraction_leaf,
                      max_features=self.max_features,
                      min_impurity_decrease=self.min_impurity_decrease)
        return [self._tree_cls(**params, random_state=int(s)) for s in seeds]

    def _fit_trees(self, X, sample_weight, fit_one, draw_weight=None):
        """Grow every tree: on its bootstrap counts (drawn ∝ ``sample_weight`` when not None,
        times ``draw_weight(counts)`` when given), or on ``sample_weight`` without bootstrap;
        ``fit_one`` returns a tree's deferred ``_grow`` keywords and the trees grow together.
        Returns the in-bag counts (T, n) or None."""
        self._check_params()
        n = X.shape[0]
        order = presort(X)
        self.estimators_ = self._make_trees()
        if not self.bootstrap:
            w = np.ones(n) if sample_weight is None else sample_weight
            args = [fit_one(tree, w, order) for tree in self.estimators_]
            counts = None
        else:
            draws = n_draws(self.max_samples, n, sample_weight, type(self).__name__)
            counts, args = [], []
            for tree in self.estimators_:
                c = bootstrap_counts(tree.random_state, n, draws, sample_weight)
                counts.append(c)
                w = c.astype(np.float64)
                if draw_weight is not None:
                    w = w * draw_weight(c)
                args.append(fit_one(tree, w, order))
            counts = np.array(counts)
        grow_together(self.estimators_, args)
        for tree in self.estimators_:
            tree.n_features_in_ = X.shape[1]
        return counts

    def _oob_mean(self, X, counts, predict_one, shape) -> np.ndarray:
        """Mean of ``predict_one(tree, rows)`` over the trees whose bootstrap missed each row;
        rows never out of bag get 0 (as scikit-learn), with a warning."""
        total = np.zeros((X.shape[0],) + shape)
        n_oob = np.zeros(X.shape[0])
        for tree, c in zip(self.estimators_, counts):
            out = c == 0
            total[out] += predict_one(tree, X[out])
            n_oob += out
        if (n_oob == 0).any():
            warnings.warn(f"{type(self).__name__}: Some inputs do not have OOB scores. This probably "
                          "means too few trees were used to compute any reliable OOB estimates.",
                          UserWarning)
        return total / np.maximum(n_oob, 1).reshape((-1,) + (1,) * len(shape))

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

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags


class RandomForestClassifier(ProbaClassifier, ClassifierMixin, _BaseForest):
    """Random forest of CART classification trees.

    Parameters
    ----------
    n_estimators : int, default=100
    criterion : {'gini', 'entropy', 'log_loss'}, default='gini'
    max_depth, min_samples_split, min_samples_leaf, min_weight_fraction_leaf,
    min_impurity_decrease : as the trees
    max_features : default='sqrt' (features drawn at each split)
    bootstrap : bool, default=True
    oob_score : bool, default=False (fills oob_score_ and oob_decision_function_)
    random_state : int, RandomState or None
    class_weight : None, 'balanced', 'balanced_subsample', dict or list of dicts (one per output)
        'balanced' weighs class c by Σw / (n_classes · Σ_{y=c} w) over the whole data,
        'balanced_subsample' the same within each tree's bootstrap draw.
    max_samples : None, int or float (bootstrap size; None = n_samples)

    Shapes: predict_proba (n_samples, n_classes) = mean of the trees' leaf class fractions; with
    K outputs a list of K such arrays, and predict (n_samples, K).
    """

    _tree_cls = DecisionTreeClassifier

    def __init__(self, n_estimators: int = 100, *, criterion: str = "gini",
                 max_depth: int | None = None, min_samples_split: int | float = 2,
                 min_samples_leaf: int | float = 1, min_weight_fraction_leaf: float = 0.0,
                 max_features="sqrt",
                 min_impurity_decrease: float = 0.0, bootstrap: bool = True,
                 oob_score: bool = False, random_state=None, class_weight=None, max_samples=None):
        self.n_estimators = n_estimators
        self.criterion = criterion
        self.max_depth = max_depth
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.min_weight_fraction_leaf = min_weight_fraction_leaf
        self.max_features = max_features
        self.min_impurity_decrease = min_impurity_decrease
        self.bootstrap = bootstrap
        self.oob_score = oob_score
        self.random_state = random_state
        self.class_weight = class_weight
        self.max_samples = max_samples

    def _expanded_class_weight(self, y, sample_weight):
        """Per-sample class weights over the whole data (None when there are none, or when
        'balanced_subsample' is left to each bootstrap)."""
        cw, name = self.class_weight, type(self).__name__
        if cw is None:
            return None
        if isinstance(cw, str):
            if cw not in ("balanced", "balanced_subsample"):
                raise ValueError(f'{name}: Valid presets for class_weight include "balanced" and '
                                 f'"balanced_subsample".Given "{cw}".')
            if cw == "balanced_subsample" and self.bootstrap:
                return None
            return class_sample_weight("balanced", y, counts=sample_weight, owner=name)
        return class_sample_weight(cw, y, owner=name)

    def fit(self, X, y, sample_weight=None) -> "RandomForestClassifier":
        X, y = validate(self, X, y, dtype=np.float32, multi_output=True)
        y = _targets_2d(self, y)
        check_classification_targets(y)
        Y_enc = encode_outputs(self, y)
        sw = None if sample_weight is None else check_sample_weight(self, sample_weight, X)
        expanded = self._expanded_class_weight(y, sw)
        if expanded is not None:
            sw = expanded if sw is None else sw * expanded
        draw_weight = None
        if self.class_weight == "balanced_subsample" and self.bootstrap:
            def draw_weight(counts):
                return class_sample_weight("balanced", Y_enc, counts=counts, owner=type(self).__name__)
        if self.oob_score and self.n_outputs_ > 1 and max(self.n_classes_) > 2:
            raise ValueError(f"{type(self).__name__}: The type of target cannot be used to compute "
                             "OOB estimates. Got multiclass-multioutput while only the following "
                             "are supported: continuous, continuous-multioutput, binary, "
                             "multiclass, multilabel-indicator.")

        def fit_one(tree, w, order):
            tree.classes_, tree.n_classes_, tree.n_outputs_ = (self.classes_, self.n_classes_,
                                                               self.n_outputs_)
            return tree._fit_encoded(X, Y_enc, w, order=order, defer=True)

        counts = self._fit_trees(X, sw, fit_one, draw_weight)
        if self.oob_score:
            self._set_oob(X, Y_enc, counts)
        return self

    def _set_oob(self, X, Y_enc, counts):
        """oob_decision_function_ (n, n_classes), or (n, 2, K) for K binary outputs, and
        oob_score_: accuracy (subset accuracy over outputs), as scikit-learn."""
        width = int(np.max(self.n_classes_))

        def proba(tree, rows):              # the tree's arrays directly: rows may be empty
            p = leaf_fractions(tree.tree_.predict(rows), self.n_classes_)
            return np.stack(p, axis=-1) if isinstance(p, list) else p[:, :, None]

        decision = self._oob_mean(X, counts, proba, (width, self.n_outputs_))
        hits = np.argmax(decision, axis=1) == Y_enc.reshape(len(Y_enc), -1)
        self.oob_score_ = float(np.mean(hits.all(axis=1)))
        self.oob_decision_function_ = decision[:, :, 0] if self.n_outputs_ == 1 else decision

    def predict_proba(self, X):
        X = self._validate_X_predict(X)
        n_classes = np.atleast_1d(self.n_classes_)
        width = int(n_classes.max())

        def fractions(value):               # (nodes, K, width) class fractions, flattened
            total = value.sum(axis=2, keepdims=True)
            return (value / total).reshape(len(value), -1)

        mean = _mean_over_trees(self.estimators_, [fractions(t.tree_.value) for t in self.estimators_],
                                X, self.n_outputs_ * width).reshape(len(X), self.n_outputs_, width)
        if self.n_outputs_ == 1:
            return mean[:, 0, :]
        return [mean[:, k, :c] for k, c in enumerate(n_classes)]


class RandomForestRegressor(RegressorMixin, _BaseForest):
    """Random forest of CART regression trees (squared error); predicts the mean of the trees.

    Parameters as :class:`RandomForestClassifier` (without class_weight), with
    criterion='squared_error' and max_features=1.0 (all features: bagged trees). ``oob_score_``
    is the out-of-bag R^2 (averaged over outputs). Shapes: predict (n_samples,) or
    (n_samples, n_outputs).
    """

    _tree_cls = DecisionTreeRegressor

    def __init__(self, n_estimators: int = 100, *, criterion: str = "squared_error",
                 max_depth: int | None = None, min_samples_split: int | float = 2,
                 min_samples_leaf: int | float = 1, min_weight_fraction_leaf: float = 0.0,
                 max_features=1.0,
                 min_impurity_decrease: float = 0.0, bootstrap: bool = True,
                 oob_score: bool = False, random_state=None, max_samples=None):
        self.n_estimators = n_estimators
        self.criterion = criterion
        self.max_depth = max_depth
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.min_weight_fraction_leaf = min_weight_fraction_leaf
        self.max_features = max_features
        self.min_impurity_decrease = min_impurity_decrease
        self.bootstrap = bootstrap
        self.oob_score = oob_score
        self.random_state = random_state
        self.max_samples = max_samples

    def fit(self, X, y, sample_weight=None) -> "RandomForestRegressor":
        X, y = validate(self, X, y, dtype=np.float32, multi_output=True, y_numeric=True)
        y = np.asarray(_targets_2d(self, y), dtype=np.float64)
        Y = y.reshape(len(y), -1)
        self.n_outputs_ = Y.shape[1]
        sw = None if sample_weight is None else check_sample_weight(self, sample_weight, X)
        counts = self._fit_trees(X, sw, lambda tree, w, order: tree._fit_targets(X, Y, w, order,
                                                                              defer=True))
        if self.oob_score:
            pred = self._oob_mean(X, counts, lambda tree, rows: tree.tree_.predict(rows)[:, :, 0],
                                  (self.n_outputs_,))
            self.oob_prediction_ = pred[:, 0] if y.ndim == 1 else pred
            resid = np.sum((Y - pred) ** 2, axis=0)
            var = np.sum((Y - Y.mean(axis=0)) ** 2, axis=0)
            self.oob_score_ = float(np.mean(1.0 - resid / var))
        return self

    def predict(self, X) -> np.ndarray:
        X = self._validate_X_predict(X)
        means = [t.tree_.value[:, :, 0] for t in self.estimators_]
        pred = _mean_over_trees(self.estimators_, means, X, self.n_outputs_)
        return pred[:, 0] if self.n_outputs_ == 1 else pred
