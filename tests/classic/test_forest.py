"""RandomForestClassifier / RandomForestRegressor: averaging, bootstrap, OOB, errors."""
from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import make_classification, make_regression
from sklearn.exceptions import NotFittedError

from gradbook.classic.forest import RandomForestClassifier, RandomForestRegressor
from gradbook.classic.tree import DecisionTreeClassifier


@pytest.fixture(scope="module")
def cls_data():
    return make_classification(300, 8, n_informative=5, n_classes=3, random_state=0)


def test_proba_is_the_mean_of_the_trees(cls_data):
    X, y = cls_data
    rf = RandomForestClassifier(n_estimators=7, random_state=0).fit(X, y)
    mean = np.mean([t.predict_proba(X) for t in rf.estimators_], axis=0)
    np.testing.assert_allclose(rf.predict_proba(X), mean)
    assert rf.max_features == "sqrt" and rf.estimators_[0].max_features_ == 2


def test_regressor_is_the_mean_of_the_trees():
    X, y = make_regression(200, 5, noise=1.0, random_state=0)
    rf = RandomForestRegressor(n_estimators=6, random_state=0).fit(X, y)
    np.testing.assert_allclose(rf.predict(X), np.mean([t.predict(X) for t in rf.estimators_], 0))
    assert rf.estimators_[0].max_features_ == 5


def test_seed_reproduces_and_trees_differ(cls_data):
    X, y = cls_data
    a = RandomForestClassifier(n_estimators=5, random_state=1).fit(X, y)
    b = RandomForestClassifier(n_estimators=5, random_state=1).fit(X, y)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    assert a.estimators_[0].tree_.node_count != a.estimators_[1].tree_.node_count or \
        not np.array_equal(a.estimators_[0].tree_.threshold, a.estimators_[1].tree_.threshold)


def test_oob_score_by_hand(cls_data):
    X, y = cls_data
    rf = RandomForestClassifier(n_estimators=15, oob_score=True, random_state=0).fit(X, y)
    # recompute: each row voted by the trees whose bootstrap missed it
    from gradbook.classic.forest import bootstrap_counts
    total = np.zeros((len(y), 3))
    for t in rf.estimators_:
        out = bootstrap_counts(t.random_state, len(y), len(y)) == 0
        total[out] += t.predict_proba(X[out])
    seen = total.sum(1) > 0
    assert rf.oob_score_ == pytest.approx(np.mean(total[seen].argmax(1) == y[seen]))
    assert 0.6 < rf.oob_score_ <= 1.0


def test_regressor_oob_r2():
    X, y = make_regression(300, 5, noise=5.0, random_state=0)
    rf = RandomForestRegressor(n_estimators=20, oob_score=True, random_state=0).fit(X, y)
    seen = ~np.isnan(rf.oob_prediction_)
    resid = np.sum((y[seen] - rf.oob_prediction_[seen]) ** 2)
    assert rf.oob_score_ == pytest.approx(1 - resid / np.sum((y[seen] - y[seen].mean()) ** 2))


def test_no_bootstrap_all_features_gives_identical_trees(cls_data):
    X, y = cls_data
    rf = RandomForestClassifier(n_estimators=3, bootstrap=False, max_features=None,
                                random_state=0, max_depth=3).fit(X, y)
    p = [t.predict_proba(X) for t in rf.estimators_]
    np.testing.assert_allclose(p[0], p[1])


def test_feature_importances_normalised(cls_data):
    X, y = cls_data
    fi = RandomForestClassifier(n_estimators=5, random_state=0).fit(X, y).feature_importances_
    assert fi.shape == (8,) and fi.sum() == pytest.approx(1.0) and np.all(fi >= 0)


@pytest.mark.parametrize("Est", [RandomForestClassifier, RandomForestRegressor])
def test_bad_input(cls_data, Est):
    X, y = cls_data
    name = Est.__name__
    with pytest.raises(NotFittedError, match=name):
        Est().predict(X)
    Xn = X.copy()
    Xn[3, 2] = np.nan
    with pytest.raises(ValueError, match=name):
        Est(n_estimators=2).fit(Xn, y)
    est = Est(n_estimators=2).fit(X, y)
    with pytest.raises(ValueError, match=f"{name} is expecting 8 features"):
        est.predict(X[:, :3])
    with pytest.raises(ValueError, match=f"{name}: out-of-bag"):
        Est(oob_score=True, bootstrap=False).fit(X, y)
    with pytest.raises(ValueError, match=f"{name}: max_samples"):
        Est(max_samples=0.0).fit(X, y)


def test_weighted_bootstrap_draws_rows_in_proportion_and_trees_see_only_the_counts(cls_data):
    """scikit-learn 1.9's recipe: row i enters a bootstrap with probability w_i / sum w (so, in
    distribution, weight w is the row repeated w times: the mean draw count of row i over many
    bootstraps is n w_i / sum w), and each tree is fitted on the draw counts alone."""
    from gradbook.classic.forest import bootstrap_counts
    X, y = cls_data
    w = np.random.default_rng(0).integers(0, 4, len(y)).astype(float)
    mean = np.mean([bootstrap_counts(s, len(y), len(y), w) for s in range(400)], axis=0)
    expected = len(y) * w / w.sum()
    assert np.all(np.abs(mean - expected) < 5 * np.sqrt(np.maximum(expected, 1) / 400))
    assert np.all(mean[w == 0] == 0)
    rf = RandomForestClassifier(n_estimators=3, random_state=0).fit(X, y, sample_weight=w)
    for tree in rf.estimators_:
        counts = bootstrap_counts(tree.random_state, len(y), len(y), w)
        direct = DecisionTreeClassifier(max_features="sqrt", random_state=tree.random_state)
        direct.fit(X, y, sample_weight=counts)
        np.testing.assert_array_equal(direct.tree_.threshold, tree.tree_.threshold)
        np.testing.assert_allclose(direct.predict_proba(X), tree.predict_proba(X))


def test_multi_output_shapes_and_balanced_subsample(cls_data):
    X, y = cls_data
    Y = np.stack([y, (X[:, 0] > 0).astype(int)], axis=1)
    rf = RandomForestClassifier(n_estimators=4, class_weight="balanced_subsample",
                                random_state=0).fit(X, Y)
    proba = rf.predict_proba(X)
    assert rf.n_outputs_ == 2 and rf.n_classes_ == [3, 2]
    assert [p.shape for p in proba] == [(300, 3), (300, 2)]
    for p in proba:
        np.testing.assert_allclose(p.sum(axis=1), 1.0)
    assert rf.predict(X).shape == (300, 2)
    # one output, balanced within each bootstrap: every tree's root holds each class equally
    rf = RandomForestClassifier(n_estimators=4, class_weight="balanced_subsample",
                                random_state=0).fit(X, y)
    for tree in rf.estimators_:
        np.testing.assert_allclose(tree.tree_.value[0, 0], 1 / 3)


_TREE_ARRAYS = ("children_left", "children_right", "feature", "threshold", "value", "impurity",
                "n_node_samples", "weighted_n_node_samples")


@pytest.mark.parametrize("Forest, kw", [
    (RandomForestClassifier, dict(criterion="entropy")),
    (RandomForestClassifier, dict(max_features=None, min_samples_leaf=3)),
    (RandomForestClassifier, dict(min_weight_fraction_leaf=0.05)),    # trees grown one by one
    (RandomForestRegressor, dict()),
    (RandomForestRegressor, dict(max_features="sqrt", max_depth=4)),
])
def test_trees_grown_together_equal_trees_grown_alone(cls_data, Forest, kw):
    """The forest grows all its trees in one pass; each must be the tree a lone
    DecisionTree grows on the same bootstrap counts with the same seed."""
    from gradbook.classic.forest import bootstrap_counts
    from gradbook.classic.tree import DecisionTreeRegressor

    X, y = cls_data
    forest = Forest(n_estimators=6, random_state=0, **kw).fit(X, y)
    Tree = DecisionTreeClassifier if Forest is RandomForestClassifier else DecisionTreeRegressor
    params = {k: v for k, v in forest.estimators_[0].get_params().items() if k != "random_state"}
    for grown in forest.estimators_:
        counts = bootstrap_counts(grown.random_state, len(X), len(X), None)
        alone = Tree(**params, random_state=grown.random_state).fit(X, y, sample_weight=counts)
        for name in _TREE_ARRAYS:
            np.testing.assert_array_equal(getattr(grown.tree_, name), getattr(alone.tree_, name))
        assert grown.tree_.max_depth == alone.tree_.max_depth
