"""CART decision trees: ``DecisionTreeClassifier`` (gini / entropy) and ``DecisionTreeRegressor``
(squared error), scikit-learn's API and defaults; growing is in :mod:`._splitter`.

A node with weighted stats splits at the threshold maximising the impurity decrease

    Delta = w_t/W * (i(t) - w_L/w_t * i(L) - w_R/w_t * i(R)),
    gini i = 1 - sum_k p_k^2,   entropy i = -sum_k p_k log2 p_k,   squared error i = Var(y).

Inputs are cast to float32 like scikit-learn's trees, so thresholds (midpoints of consecutive
distinct values) and predictions of fully determined trees coincide with scikit-learn's.
"""
from __future__ import annotations

import numbers

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, check_random_state, validate_data

from ._class_weight import class_sample_weight
from ._proba import ProbaClassifier
from ._splitter import PER_TREE, build_tree, build_trees
from ._validation import check_sample_weight

_MAX_DEPTH = np.iinfo(np.int32).max


def validate(est, *args, **kwargs):
    """scikit-learn's ``validate_data``, with every error message naming the estimator."""
    try:
        return validate_data(est, *args, **kwargs)
    except ValueError as err:
        name = type(est).__name__
        if name in str(err):
            raise
        raise ValueError(f"{name}: {err}") from err


def count_or_fraction(value, total: int, what: str, owner: str, rounded: bool = False) -> int:
    """An int in [1, total] as is, or a float fraction in (0, 1] of ``total``, truncated (or
    ``rounded``, as scikit-learn's forests draw ``max_samples``), at least 1."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        if 1 <= value <= total:
            return int(value)
    elif isinstance(value, numbers.Real) and 0.0 < value <= 1.0:
        return max(1, round(value * total) if rounded else int(value * total))
    raise ValueError(f"{owner}: {what} must be an int in [1, {total}] or a float in (0, 1]; "
                     f"got {value!r}")


def resolve_max_features(max_features, n_features: int, owner: str) -> int:
    """Number of features drawn per split: None -> all, 'sqrt', 'log2', int, or float fraction."""
    if max_features is None:
        return n_features
    if max_features == "sqrt":
        return max(1, int(np.sqrt(n_features)))
    if max_features == "log2":
        return max(1, int(np.log2(n_features)))
    if isinstance(max_features, str):
        raise ValueError(f"{owner}: max_features must be None, 'sqrt', 'log2', an int in "
                         f"[1, n_features={n_features}] or a float in (0, 1]; got {max_features!r}")
    return count_or_fraction(max_features, n_features, "max_features", owner)


def resolve_sizes(est, n_samples: int) -> tuple[int, int, int]:
    """(max_depth, min_samples_split, min_samples_leaf) as integers, checked like scikit-learn."""
    name = type(est).__name__
    md = est.max_depth
    if md is None:
        md = _MAX_DEPTH
    elif not isinstance(md, numbers.Integral) or isinstance(md, bool) or md < 1:
        raise ValueError(f"{name}: max_depth must be None or an int >= 1; got {md!r}")
    msl = est.min_samples_leaf
    if isinstance(msl, numbers.Integral) and not isinstance(msl, bool) and msl >= 1:
        msl = int(msl)
    elif isinstance(msl, numbers.Real) and not isinstance(msl, bool) and 0.0 < msl < 1.0:
        msl = int(np.ceil(msl * n_samples))
    else:
        raise ValueError(f"{name}: min_samples_leaf must be an int >= 1 or a float in (0, 1); "
                         f"got {msl!r}")
    mss = est.min_samples_split
    if isinstance(mss, numbers.Integral) and not isinstance(mss, bool) and mss >= 2:
        mss = int(mss)
    elif isinstance(mss, numbers.Real) and not isinstance(mss, bool) and 0.0 < mss <= 1.0:
        mss = max(2, int(np.ceil(mss * n_samples)))
    else:
        raise ValueError(f"{name}: min_samples_split must be an int >= 2 or a float in (0, 1]; "
                         f"got {mss!r}")
    return int(md), max(mss, 2 * msl), msl


class _BaseTree(BaseEstimator):
    _criteria: tuple[str, ...] = ()

    def _grow(self, X: np.ndarray, S: np.ndarray, w: np.ndarray, *, SQ=None, offset=None,
              order=None, n_classes=None, targets=None, defer: bool = False):
        """Grow ``tree_`` from float32 ``X`` and weighted stats (see ``build_tree``); with
        ``defer``, check the parameters and return ``build_tree``'s keywords instead (an
        ensemble grows its trees together with :func:`grow_together`)."""
        name = type(self).__name__
        if self.criterion not in self._criteria:
            raise ValueError(f"{name}: criterion must be one of {self._criteria}; "
                             f"got {self.criterion!r}")
        crit = "entropy" if self.criterion == "log_loss" else self.criterion
        if not (isinstance(self.min_impurity_decrease, numbers.Real)
                and self.min_impurity_decrease >= 0):
            raise ValueError(f"{name}: min_impurity_decrease must be a float >= 0; "
                             f"got {self.min_impurity_decrease!r}")
        n, d = X.shape
        if not w.sum() > 0:
            raise ValueError(f"{name}: the sample weights sum to {w.sum()}; there is nothing to "
                             "fit (at least one sample needs a positive weight)")
        max_depth, mss, msl = resolve_sizes(self, n)
        frac = self.min_weight_fraction_leaf
        if not (isinstance(frac, numbers.Real) and not isinstance(frac, bool) and 0.0 <= frac <= 0.5):
            raise ValueError(f"{name}: min_weight_fraction_leaf must be a float in [0, 0.5]; "
                             f"got {frac!r}")
        self.max_features_ = resolve_max_features(self.max_features, d, name)
        args = dict(
            X=X, S=S, w=w, criterion=crit, max_depth=max_depth, min_samples_split=mss,
            min_samples_leaf=msl, max_features=self.max_features_,
            min_impurity_decrease=float(self.min_impurity_decrease),
            rng=check_random_state(self.random_state), SQ=SQ, offset=offset, order=order,
            n_classes=n_classes, min_weight_leaf=float(frac) * float(w.sum()), targets=targets)
        if defer:
            return args
        self.tree_ = build_tree(**args)
        return self

    def _validate_X_predict(self, X) -> np.ndarray:
        check_is_fitted(self)
        return validate(self, X, dtype=np.float32, reset=False)

    def apply(self, X) -> np.ndarray:
        """Index of the leaf each sample ends in, shape (n_samples,)."""
        X = self._validate_X_predict(X)
        return self.tree_.apply(X)

    def get_depth(self) -> int:
        check_is_fitted(self)
        return self.tree_.max_depth

    def get_n_leaves(self) -> int:
        check_is_fitted(self)
        return self.tree_.n_leaves

    @property
    def feature_importances_(self) -> np.ndarray:
        """Normalised total impurity decrease brought by each feature (Gini importance)."""
        check_is_fitted(self)
        return self.tree_.compute_feature_importances(self.n_features_in_)


class DecisionTreeClassifier(ProbaClassifier, ClassifierMixin, _BaseTree):
    """CART classification tree.

    Parameters
    ----------
    criterion : {'gini', 'entropy', 'log_loss'}, default='gini'
    max_depth : int or None, default=None (grow until leaves are pure or too small)
    min_samples_split : int or float, default=2
    min_samples_leaf : int or float, default=1
    max_features : None, 'sqrt', 'log2', int or float, default=None (features drawn per split)
    random_state : int, RandomState or None (order in which features are drawn)
    min_impurity_decrease : float, default=0.0
    min_weight_fraction_leaf : float in [0, 0.5], default=0.0
        least fraction of the total sample weight a leaf must hold.
    class_weight : None, 'balanced', dict label -> weight, or a list of dicts (one per output)
        multiplies each sample's weight by its class's ('balanced': n / (n_classes · count_c),
        counted without sample weights, as scikit-learn).

    Attributes
    ----------
    tree_ : flat-array ``Tree``;  classes_, n_classes_, n_outputs_, n_features_in_,
    max_features_, feature_importances_.

    Shapes: X (n_samples, n_features) -> predict (n_samples,), predict_proba (n_samples, n_classes).
    Several outputs (y of shape (n_samples, K)): classes_ and n_classes_ are lists (one per
    output), predict gives (n_samples, K), predict_proba a list of K arrays (n_samples,
    n_classes_[k]), and a split is scored by the impurity averaged over the outputs.
    """

    _criteria = ("gini", "entropy", "log_loss")

    def __init__(self, *, criterion: str = "gini", max_depth: int | None = None,
                 min_samples_split: int | float = 2, min_samples_leaf: int | float = 1,
                 min_weight_fraction_leaf: float = 0.0, max_features=None, random_state=None,
                 min_impurity_decrease: float = 0.0, class_weight=None):
        self.criterion = criterion
        self.max_depth = max_depth
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.max_features = max_features
        self.random_state = random_state
        self.min_impurity_decrease = min_impurity_decrease
        self.min_weight_fraction_leaf = min_weight_fraction_leaf
        self.class_weight = class_weight

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def fit(self, X, y, sample_weight=None) -> "DecisionTreeClassifier":
        X, y = validate(self, X, y, dtype=np.float32, multi_output=True)
        check_classification_targets(y)
        Y_enc = encode_outputs(self, y)
        w = check_sample_weight(self, sample_weight, X)
        if self.class_weight is not None:
            w = w * class_sample_weight(self.class_weight, y, owner=type(self).__name__)
        return self._fit_encoded(X, Y_enc, w)

    def _fit_encoded(self, X, y_enc, w, order=None, defer: bool = False):
        """Fit on validated float32 X and class indices, (n,) or (n, n_outputs) (used by the
        ensembles): the stats are each output's weighted one-hot columns side by side.
        ``defer``: as in ``_grow``."""
        Y = y_enc.reshape(len(y_enc), -1)
        n_classes = tuple(np.atleast_1d(self.n_classes_).tolist())
        column = Y + np.cumsum((0,) + n_classes[:-1])
        S = np.zeros((len(Y), sum(n_classes)))
        S[np.arange(len(Y))[:, None], column] = w[:, None]
        return self._grow(X, S, w, order=order, n_classes=n_classes, defer=defer)

    def predict_proba(self, X):
        """Class fractions of the leaf each sample falls in, shape (n_samples, n_classes);
        a list of one such array per output when y had several."""
        X = self._validate_X_predict(X)
        return leaf_fractions(self.tree_.predict(X), self.n_classes_)


def grow_together(trees: list, args: list[dict]) -> None:
    """Set each tree's ``tree_`` from its deferred ``_grow`` keywords, growing all the trees at
    once (:func:`build_trees`; the keywords other than its per-tree ones are the same for all)."""
    if not trees:
        return
    shared = {k: v for k, v in args[0].items() if k not in PER_TREE}
    jobs = [{k: a[k] for k in PER_TREE} for a in args]
    for tree, built in zip(trees, build_trees(jobs=jobs, **shared)):
        tree.tree_ = built


def encode_outputs(est, y) -> np.ndarray:
    """Set ``classes_``, ``n_classes_`` and ``n_outputs_`` from labels y (n,) or (n, K) as
    scikit-learn does (lists when K > 1) and return the class indices, shaped like y."""
    Y = np.asarray(y).reshape(len(y), -1)
    classes, encoded = zip(*(np.unique(Y[:, k], return_inverse=True) for k in range(Y.shape[1])))
    est.n_outputs_ = Y.shape[1]
    Y_enc = np.stack([e.reshape(-1) for e in encoded], axis=1)
    if est.n_outputs_ == 1:
        est.classes_, est.n_classes_ = classes[0], len(classes[0])
        return Y_enc[:, 0]
    est.classes_, est.n_classes_ = list(classes), [len(c) for c in classes]
    return Y_enc


def leaf_fractions(value: np.ndarray, n_classes):
    """Rows of a tree's ``value`` (m, n_outputs, max n_classes) as class fractions: (m, n_classes)
    for one output, else a list of (m, n_classes[k])."""
    if np.ndim(n_classes) == 0:
        p = value[:, 0, :]
        return p / p.sum(axis=1, keepdims=True)
    return [value[:, k, :c] / value[:, k, :c].sum(axis=1, keepdims=True)
            for k, c in enumerate(n_classes)]


class DecisionTreeRegressor(RegressorMixin, _BaseTree):
    """CART regression tree (squared error; y may have several outputs).

    Parameters as :class:`DecisionTreeClassifier`, with criterion='squared_error'.
    Leaves predict the weighted mean target. Shapes: predict (n_samples,) or (n_samples, n_outputs).
    """

    _criteria = ("squared_error",)

    def __init__(self, *, criterion: str = "squared_error", max_depth: int | None = None,
                 min_samples_split: int | float = 2, min_samples_leaf: int | float = 1,
                 min_weight_fraction_leaf: float = 0.0, max_features=None, random_state=None,
                 min_impurity_decrease: float = 0.0):
        self.criterion = criterion
        self.max_depth = max_depth
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.min_weight_fraction_leaf = min_weight_fraction_leaf
        self.max_features = max_features
        self.random_state = random_state
        self.min_impurity_decrease = min_impurity_decrease

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def fit(self, X, y, sample_weight=None) -> "DecisionTreeRegressor":
        X, y = validate(self, X, y, dtype=np.float32, multi_output=True, y_numeric=True)
        w = check_sample_weight(self, sample_weight, X)
        return self._fit_targets(X, y, w)

    def _fit_targets(self, X, y, w, order=None, defer: bool = False):
        """Fit on validated float32 X and float targets (used by the ensembles); ``defer``: as
        in ``_grow``."""
        Y = np.asarray(y, dtype=np.float64)
        Y = Y.reshape(len(Y), -1)
        self.n_outputs_ = Y.shape[1]
        # centre the targets: same splits, better conditioned cumulative sums
        offset = np.average(Y, axis=0, weights=w) if w.sum() > 0 else np.zeros(Y.shape[1])
        Yc = Y - offset
        return self._grow(X, Yc * w[:, None], w, SQ=w * np.sum(Yc * Yc, axis=1),
                          offset=offset, order=order, targets=Y, defer=defer)

    def predict(self, X) -> np.ndarray:
        X = self._validate_X_predict(X)
        v = self.tree_.predict(X)[:, :, 0]
        return v[:, 0] if self.n_outputs_ == 1 else v
