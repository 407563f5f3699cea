"""DecisionTreeClassifier / DecisionTreeRegressor: behaviour, flat arrays and bad input.
(Agreement with scikit-learn: tests/parity/test_classic_trees_parity.py.)"""
from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import make_classification, make_regression
from sklearn.exceptions import NotFittedError

from gradbook.classic.tree import DecisionTreeClassifier, DecisionTreeRegressor


@pytest.fixture(scope="module")
def cls_data():
    return make_classification(300, 6, n_informative=4, n_classes=3, random_state=0)


def _descend_one_by_one(tree, x):
    node = 0
    while tree.children_left[node] != -1:
        node = tree.children_left[node] if x[tree.feature[node]] <= tree.threshold[node] \
            else tree.children_right[node]
    return node


def test_vectorised_apply_equals_a_plain_walk(cls_data):
    X, y = cls_data
    clf = DecisionTreeClassifier(random_state=0).fit(X, y)
    X32 = X.astype(np.float32)
    expected = [_descend_one_by_one(clf.tree_, x) for x in X32[:50]]
    np.testing.assert_array_equal(clf.apply(X[:50]), expected)


def test_fully_grown_tree_fits_training_data_and_leaves_are_pure(cls_data):
    X, y = cls_data
    clf = DecisionTreeClassifier(random_state=0).fit(X, y)
    assert clf.score(X, y) == 1.0
    leaves = clf.tree_.children_left == -1
    assert np.all(clf.tree_.impurity[leaves] <= 1e-12)
    assert clf.get_n_leaves() == leaves.sum()
    # each node's count is the sum of its children's
    t = clf.tree_
    inner = ~leaves
    np.testing.assert_array_equal(t.n_node_samples[inner],
                                  t.n_node_samples[t.children_left[inner]]
                                  + t.n_node_samples[t.children_right[inner]])


@pytest.mark.parametrize("max_depth,min_samples_leaf,min_samples_split", [(2, 1, 2), (None, 7, 2),
                                                                          (None, 1, 40)])
def test_size_limits_hold(cls_data, max_depth, min_samples_leaf, min_samples_split):
    X, y = cls_data
    clf = DecisionTreeClassifier(max_depth=max_depth, min_samples_leaf=min_samples_leaf,
                                 min_samples_split=min_samples_split).fit(X, y)
    t = clf.tree_
    leaves = t.children_left == -1
    assert t.n_node_samples[leaves].min() >= min_samples_leaf
    assert np.all(t.n_node_samples[~leaves] >= min_samples_split)
    if max_depth is not None:
        assert clf.get_depth() <= max_depth


@pytest.mark.parametrize("max_features,expected", [(None, 6), ("sqrt", 2), ("log2", 2), (3, 3),
                                                   (0.5, 3)])
def test_max_features_resolution(cls_data, max_features, expected):
    X, y = cls_data
    clf = DecisionTreeClassifier(max_features=max_features, random_state=0).fit(X, y)
    assert clf.max_features_ == expected
    np.testing.assert_allclose(clf.predict_proba(X).sum(axis=1), 1.0)


def test_random_feature_subsampling_depends_on_seed_only(cls_data):
    X, y = cls_data
    a = DecisionTreeClassifier(max_features=2, random_state=3).fit(X, y)
    b = DecisionTreeClassifier(max_features=2, random_state=3).fit(X, y)
    np.testing.assert_array_equal(a.tree_.threshold, b.tree_.threshold)


def test_weights_equal_duplicated_rows(cls_data):
    X, y = cls_data
    w = np.random.default_rng(0).integers(1, 4, len(y))
    a = DecisionTreeClassifier(max_depth=4, random_state=0).fit(X, y, sample_weight=w)
    b = DecisionTreeClassifier(max_depth=4, random_state=0)
    b.fit(np.repeat(X, w, axis=0), np.repeat(y, w))
    np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X), atol=1e-12)


def test_zero_weight_rows_are_ignored(cls_data):
    X, y = cls_data
    w = (np.arange(len(y)) % 3 != 0).astype(float)
    a = DecisionTreeClassifier(max_depth=5, random_state=0).fit(X, y, sample_weight=w)
    b = DecisionTreeClassifier(max_depth=5, random_state=0).fit(X[w > 0], y[w > 0])
    np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X))


def test_feature_importances_by_hand():
    # one split on feature 1 separating two pure halves: all importance on feature 1
    X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    y = np.array([0, 0, 1, 1])
    clf = DecisionTreeClassifier().fit(X, y)
    np.testing.assert_allclose(clf.feature_importances_, [0.0, 1.0])
    assert clf.tree_.threshold[0] == 0.5


def test_regressor_leaf_is_weighted_mean():
    X = np.array([[0.0], [0.0], [1.0]])
    y = np.array([1.0, 3.0, 10.0])
    reg = DecisionTreeRegressor().fit(X, y, sample_weight=[1.0, 3.0, 1.0])
    np.testing.assert_allclose(reg.predict([[0.0], [1.0]]), [2.5, 10.0])


def test_regressor_multi_output_shape():
    X, y = make_regression(100, 4, n_targets=3, random_state=0)
    assert DecisionTreeRegressor(max_depth=3).fit(X, y).predict(X).shape == (100, 3)


def test_string_labels(cls_data):
    X, y = cls_data
    labels = np.array(["a", "b", "c"])[y]
    clf = DecisionTreeClassifier(max_depth=3).fit(X, labels)
    assert set(clf.predict(X)) <= {"a", "b", "c"}


@pytest.mark.parametrize("Est", [DecisionTreeClassifier, DecisionTreeRegressor])
def test_bad_input_errors_name_the_estimator(cls_data, Est):
    X, y = cls_data
    name = Est.__name__
    with pytest.raises(NotFittedError, match=name):
        Est().predict(X)
    Xn = X.copy()
    Xn[0, 0] = np.nan
    with pytest.raises(ValueError, match=name):
        Est().fit(Xn, y)
    Xi = X.copy()
    Xi[1, 1] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        Est().fit(Xi, y)
    est = Est(max_depth=2).fit(X, y)
    with pytest.raises(ValueError, match=f"{name} is expecting 6 features"):
        est.predict(X[:, :4])
    with pytest.raises(ValueError, match=f"{name}: max_depth"):
        Est(max_depth=0).fit(X, y)
    with pytest.raises(ValueError, match=f"{name}: max_features"):
        Est(max_features=10).fit(X, y)
    with pytest.raises(ValueError, match=f"{name}: criterion"):
        Est(criterion="nope").fit(X, y)


def test_single_class_predicts_that_class_like_sklearn():
    X = np.random.default_rng(0).normal(size=(10, 3))
    clf = DecisionTreeClassifier().fit(X, np.ones(10, dtype=int))
    np.testing.assert_array_equal(clf.predict(X), 1)
    assert clf.tree_.node_count == 1


def test_accepts_gradbook_tensors(cls_data):
    import gradbook as gb

    X, y = cls_data
    a = DecisionTreeClassifier(max_depth=3, random_state=0).fit(gb.Tensor(X), y)
    b = DecisionTreeClassifier(max_depth=3, random_state=0).fit(X, y)
    np.testing.assert_array_equal(a.predict(gb.Tensor(X)), b.predict(X))


@pytest.mark.parametrize("criterion", ["gini", "entropy"])
def test_all_features_fast_path_equals_general_path(cls_data, monkeypatch, criterion):
    import gradbook.classic._splitter as sp

    X, y = cls_data
    fast = DecisionTreeClassifier(criterion=criterion, random_state=0).fit(X, y).tree_

    def general(xsorted, SW, order, starts, counts, act, crit, tol, msl, rng, n_classes=None,
                min_weight_leaf=0.0, unit_weight=False):
        return sp._best_splits(xsorted, SW, order, starts[act], counts[act], crit, tol, msl,
                               order.shape[0], rng, n_classes, min_weight_leaf)

    monkeypatch.setattr(sp, "_best_splits_all", general)
    slow = DecisionTreeClassifier(criterion=criterion, random_state=0).fit(X, y).tree_
    for name in ("feature", "threshold", "children_left", "n_node_samples", "impurity"):
        np.testing.assert_array_equal(getattr(fast, name), getattr(slow, name))


def test_feature_blocks_give_the_same_tree(cls_data, monkeypatch):
    import gradbook.classic._splitter as sp

    X, y = cls_data
    whole = DecisionTreeClassifier(random_state=0).fit(X, y).tree_
    monkeypatch.setattr(sp, "_BLOCK_CELLS", 1)       # one feature per block
    blocked = DecisionTreeClassifier(random_state=0).fit(X, y).tree_
    np.testing.assert_array_equal(whole.threshold, blocked.threshold)
    np.testing.assert_array_equal(whole.value, blocked.value)
