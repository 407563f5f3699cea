"""Multi-output targets, class_weight and sample weights in trees and forests, against scikit-learn.

The configurations are fully determined (every feature searched at each split, leaves of at least
``min_samples_leaf`` rows so that no two features tie on a tiny node), so with the same
``random_state`` scikit-learn and gradbook draw the same bootstraps (scikit-learn 1.9's: uniform,
or proportional to the sample weights) and must grow the same trees: probabilities and
predictions are compared to 1e-12, tree structures split by split.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn import ensemble as ske
from sklearn import tree as skt
from sklearn.datasets import make_classification, make_regression

from gradbook.classic.forest import RandomForestClassifier, RandomForestRegressor
from gradbook.classic.tree import DecisionTreeClassifier, DecisionTreeRegressor


def _cls_data():
    X, y = make_classification(300, 6, n_informative=4, n_classes=3, random_state=1)
    second = (X[:, 0] > 0).astype(int) * 2 + (X[:, 1] > 0.2)          # 4 classes
    third = np.where(X[:, 2] + 0.3 * X[:, 3] > 0.1, "yes", "no")      # strings
    return X, y, np.stack([y, second], axis=1), third


def _splits(tree):
    """Sorted (node size, feature, threshold) of the internal nodes: the tree up to numbering
    (scikit-learn numbers depth first, gradbook breadth first)."""
    inner = tree.children_left != -1
    return sorted(zip(tree.n_node_samples[inner].tolist(), tree.feature[inner].tolist(),
                      np.round(tree.threshold[inner], 6).tolist()))


def _same_proba(ours, theirs):
    if isinstance(theirs, list):
        assert isinstance(ours, list) and len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)
    else:
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-12)


@pytest.mark.parametrize("criterion", ["gini", "entropy"])
@pytest.mark.parametrize("max_depth", [2, 3])
def test_multi_output_classifier_tree_is_sklearns(criterion, max_depth):
    X, _, Y, _ = _cls_data()
    kw = dict(criterion=criterion, max_depth=max_depth, min_samples_leaf=5)
    ref = skt.DecisionTreeClassifier(**kw, random_state=0).fit(X, Y)
    ours = DecisionTreeClassifier(**kw, random_state=0).fit(X, Y)
    assert ours.n_outputs_ == ref.n_outputs_ == 2
    assert ours.n_classes_ == list(ref.n_classes_)
    for a, b in zip(ours.classes_, ref.classes_):
        np.testing.assert_array_equal(a, b)
    assert _splits(ours.tree_) == _splits(ref.tree_)
    assert ours.tree_.value.shape == ref.tree_.value.shape
    np.testing.assert_allclose(np.sort(ours.tree_.impurity), np.sort(ref.tree_.impurity), atol=1e-12)
    np.testing.assert_allclose(ours.feature_importances_, ref.feature_importances_, atol=1e-12)
    _same_proba(ours.predict_proba(X), ref.predict_proba(X))
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X))
    for a, b in zip(ours.predict_log_proba(X), ref.predict_log_proba(X)):
        np.testing.assert_allclose(a, b, atol=1e-12)


def test_multi_output_with_string_labels_and_weights():
    X, y, _, third = _cls_data()
    Y = np.stack([np.array(["a", "b", "c"])[y], third], axis=1)
    w = np.random.default_rng(4).uniform(0.1, 2.0, len(y))
    kw = dict(max_depth=3, min_samples_leaf=5)
    ref = skt.DecisionTreeClassifier(**kw, random_state=0).fit(X, Y, sample_weight=w)
    ours = DecisionTreeClassifier(**kw, random_state=0).fit(X, Y, sample_weight=w)
    _same_proba(ours.predict_proba(X), ref.predict_proba(X))
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X))


@pytest.mark.parametrize("class_weight", ["balanced", {0: 1.0, 1: 3.0, 2: 0.5}, "multi_balanced",
                                          "multi_dicts"])
def test_tree_class_weight_is_sklearns(class_weight):
    X, y, Y, _ = _cls_data()
    target = y
    if class_weight == "multi_balanced":
        target, class_weight = Y, "balanced"
    elif class_weight == "multi_dicts":
        target, class_weight = Y, [{0: 2.0, 2: 0.5}, {0: 1.0, 1: 4.0, 2: 1.0, 3: 0.25}]
    w = np.random.default_rng(2).uniform(0.5, 2.0, len(y))
    kw = dict(max_depth=3, min_samples_leaf=5, class_weight=class_weight)
    ref = skt.DecisionTreeClassifier(**kw, random_state=0).fit(X, target, sample_weight=w)
    ours = DecisionTreeClassifier(**kw, random_state=0).fit(X, target, sample_weight=w)
    assert _splits(ours.tree_) == _splits(ref.tree_)
    np.testing.assert_allclose(ours.tree_.weighted_n_node_samples[0],
                               ref.tree_.weighted_n_node_samples[0], rtol=1e-12)
    _same_proba(ours.predict_proba(X), ref.predict_proba(X))


def test_class_weight_errors_name_the_estimator():
    X, y, Y, _ = _cls_data()
    with pytest.raises(ValueError, match="DecisionTreeClassifier: For multi-output, class_weight should be"):
        DecisionTreeClassifier(class_weight={0: 2.0}).fit(X, Y)
    with pytest.raises(ValueError, match="DecisionTreeClassifier: For multi-output, number of elements"):
        DecisionTreeClassifier(class_weight=[{0: 2.0}]).fit(X, Y)
    with pytest.raises(ValueError, match='RandomForestClassifier: Valid presets for class_weight'):
        RandomForestClassifier(2, class_weight="balanced_sub").fit(X, y)
    with pytest.raises(ValueError, match="RandomForestClassifier: The type of target cannot be used "
                                         "to compute OOB"):
        RandomForestClassifier(2, oob_score=True).fit(X, Y)


_FOREST = dict(n_estimators=4, max_features=None, max_depth=2, min_samples_leaf=10, random_state=0)


@pytest.mark.parametrize("outputs", [1, 2])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("class_weight, bootstrap", [
    (None, True), (None, False), ("balanced", True), ("balanced_subsample", True),
    ("balanced_subsample", False), ("dicts", True)])
def test_forest_classifier_is_sklearns(outputs, weighted, class_weight, bootstrap):
    X, y, Y, _ = _cls_data()
    target = y if outputs == 1 else Y
    if class_weight == "dicts":
        class_weight = {0: 2.0, 1: 0.5} if outputs == 1 else [{0: 2.0, 1: 0.5}, {3: 3.0}]
    w = np.random.default_rng(5).uniform(0.2, 3.0, len(y)) if weighted else None
    kw = dict(_FOREST, class_weight=class_weight, bootstrap=bootstrap)
    ref = ske.RandomForestClassifier(**kw).fit(X, target, sample_weight=w)
    ours = RandomForestClassifier(**kw).fit(X, target, sample_weight=w)
    for a, b in zip(ours.estimators_, ref.estimators_):
        assert _splits(a.tree_) == _splits(b.tree_)
    _same_proba(ours.predict_proba(X), ref.predict_proba(X))
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X))
    np.testing.assert_allclose(ours.feature_importances_, ref.feature_importances_, atol=1e-12)


@pytest.mark.parametrize("binary_outputs", [1, 2])
def test_forest_classifier_oob_is_sklearns(binary_outputs):
    X, y, _, _ = _cls_data()
    target = y if binary_outputs == 1 else np.stack([X[:, 0] > 0, X[:, 1] > 0.2], axis=1).astype(int)
    kw = dict(_FOREST, n_estimators=6, oob_score=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)       # a few rows are never out of bag
        ref = ske.RandomForestClassifier(**kw).fit(X, target)
        ours = RandomForestClassifier(**kw).fit(X, target)
    assert ours.oob_score_ == pytest.approx(ref.oob_score_, abs=1e-12)
    np.testing.assert_allclose(ours.oob_decision_function_, ref.oob_decision_function_, atol=1e-12)


@pytest.mark.parametrize("n_targets", [1, 3])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("bootstrap", [True, False])
def test_forest_regressor_is_sklearns(n_targets, weighted, bootstrap):
    X, y = make_regression(300, 5, n_targets=n_targets, noise=5.0, random_state=0)
    w = np.random.default_rng(0).uniform(0.2, 3.0, len(X)) if weighted else None
    kw = dict(_FOREST, bootstrap=bootstrap, oob_score=bootstrap, n_estimators=6)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        ref = ske.RandomForestRegressor(**kw).fit(X, y, sample_weight=w)
        ours = RandomForestRegressor(**kw).fit(X, y, sample_weight=w)
    np.testing.assert_allclose(ours.predict(X), ref.predict(X), rtol=1e-10, atol=1e-9)
    if bootstrap:
        assert ours.oob_score_ == pytest.approx(ref.oob_score_, rel=1e-10)
        np.testing.assert_allclose(ours.oob_prediction_, ref.oob_prediction_, rtol=1e-10, atol=1e-9)


def test_multi_output_regressor_tree_impurity_is_the_mean_over_outputs():
    X, Y = make_regression(200, 4, n_targets=3, noise=5.0, random_state=1)
    ref = skt.DecisionTreeRegressor(max_depth=3, min_samples_leaf=5, random_state=0).fit(X, Y)
    ours = DecisionTreeRegressor(max_depth=3, min_samples_leaf=5, random_state=0).fit(X, Y)
    assert _splits(ours.tree_) == _splits(ref.tree_)
    np.testing.assert_allclose(np.sort(ours.tree_.impurity), np.sort(ref.tree_.impurity), rtol=1e-9)
    root = np.mean(np.var(Y, axis=0))                 # independent: mean of the outputs' variances
    assert ours.tree_.impurity[0] == pytest.approx(root, rel=1e-12)


@pytest.mark.parametrize("fraction", [0.05, 0.2])
def test_min_weight_fraction_leaf_is_sklearns(fraction):
    X, y, _, _ = _cls_data()
    w = np.random.default_rng(6).uniform(0.1, 3.0, len(y))
    kw = dict(max_depth=4, min_weight_fraction_leaf=fraction)
    ref = skt.DecisionTreeClassifier(**kw, random_state=0).fit(X, y, sample_weight=w)
    ours = DecisionTreeClassifier(**kw, random_state=0).fit(X, y, sample_weight=w)
    assert _splits(ours.tree_) == _splits(ref.tree_)
    leaves = ours.tree_.children_left == -1
    assert ours.tree_.weighted_n_node_samples[leaves].min() >= fraction * w.sum()   # by definition
    with pytest.raises(ValueError, match="DecisionTreeClassifier: min_weight_fraction_leaf"):
        DecisionTreeClassifier(min_weight_fraction_leaf=0.7).fit(X, y)


def test_oob_on_tiny_data_where_some_trees_have_no_out_of_bag_row():
    X = np.random.default_rng(0).normal(size=(3, 2))
    y = np.array([0, 1, 1])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        ref = ske.RandomForestClassifier(20, oob_score=True, random_state=0).fit(X, y)
        ours = RandomForestClassifier(20, oob_score=True, random_state=0).fit(X, y)
    assert ours.oob_score_ == ref.oob_score_
    np.testing.assert_allclose(ours.oob_decision_function_, ref.oob_decision_function_, atol=1e-12)
