"""AdaBoostClassifier (SAMME) and gradient boosting: the update rules by hand, staged output,
errors. (scikit-learn parity: tests/parity/test_classic_trees_parity.py.)"""
from __future__ import annotations

import numpy as np
import pytest
from scipy.special import expit
from sklearn.datasets import make_classification, make_regression
from sklearn.exceptions import NotFittedError

from gradbook.classic.adaboost import AdaBoostClassifier
from gradbook.classic.gradient_boosting import (GradientBoostingClassifier,
                                                GradientBoostingRegressor)
from gradbook.classic.tree import DecisionTreeClassifier, DecisionTreeRegressor


@pytest.fixture(scope="module")
def data3():
    return make_classification(300, 6, n_informative=4, n_classes=3, random_state=0)


def test_adaboost_first_stage_weight_and_reweighting_by_hand(data3):
    X, y = data3
    ada = AdaBoostClassifier(n_estimators=2, learning_rate=0.5, random_state=0).fit(X, y)
    stump = DecisionTreeClassifier(max_depth=1).fit(X, y)
    miss = stump.predict(X) != y
    e1 = miss.mean()
    a1 = 0.5 * (np.log((1 - e1) / e1) + np.log(2))
    assert ada.estimator_errors_[0] == pytest.approx(e1)
    assert ada.estimator_weights_[0] == pytest.approx(a1)
    w = np.exp(a1 * miss)
    w /= w.sum()
    stump2 = DecisionTreeClassifier(max_depth=1).fit(X, y, sample_weight=w)
    assert ada.estimator_errors_[1] == pytest.approx(np.average(stump2.predict(X) != y, weights=w))


def test_adaboost_staged_outputs_end_at_final(data3):
    X, y = data3
    ada = AdaBoostClassifier(n_estimators=8, random_state=0).fit(X, y)
    stages = list(ada.staged_predict_proba(X))
    assert len(stages) == len(ada.estimators_)
    np.testing.assert_allclose(stages[-1], ada.predict_proba(X))
    np.testing.assert_array_equal(list(ada.staged_predict(X))[-1], ada.predict(X))
    np.testing.assert_allclose(ada.predict_proba(X).sum(1), 1.0)


def test_adaboost_stops_on_a_perfect_stage():
    X = np.array([[0.0], [1.0], [2.0], [3.0]])
    y = np.array([0, 0, 1, 1])
    ada = AdaBoostClassifier(n_estimators=10).fit(X, y)
    assert len(ada.estimators_) == 1 and ada.estimator_errors_[0] == 0.0


def test_gb_regressor_first_stage_by_hand():
    X, y = make_regression(200, 4, noise=3.0, random_state=0)
    gb = GradientBoostingRegressor(n_estimators=2, learning_rate=0.3, max_depth=2).fit(X, y)
    tree = DecisionTreeRegressor(max_depth=2).fit(X, y - y.mean())
    stage1 = next(gb.staged_predict(X))
    np.testing.assert_allclose(stage1, y.mean() + 0.3 * tree.predict(X), rtol=1e-10, atol=1e-9)


def test_gb_binary_newton_leaves_by_hand():
    X, y = make_classification(200, 4, random_state=1)
    gb = GradientBoostingClassifier(n_estimators=1, learning_rate=1.0, max_depth=2).fit(X, y)
    p0 = y.mean()
    f0 = np.log(p0 / (1 - p0))
    r = y - p0
    leaves = gb.estimators_[0, 0].tree_.apply(X.astype(np.float32))
    step = {leaf: r[leaves == leaf].sum() / (p0 * (1 - p0) * np.sum(leaves == leaf))
            for leaf in np.unique(leaves)}
    expected = f0 + np.array([step[leaf] for leaf in leaves])
    np.testing.assert_allclose(gb.decision_function(X), expected, rtol=1e-10)
    np.testing.assert_allclose(gb.predict_proba(X)[:, 1], expit(expected), rtol=1e-10)


def test_gb_multiclass_staged_and_init(data3):
    X, y = data3
    gb = GradientBoostingClassifier(n_estimators=5, random_state=0).fit(X, y)
    assert gb.estimators_.shape == (5, 3)
    staged = list(gb.staged_decision_function(X))
    np.testing.assert_allclose(staged[-1], gb.decision_function(X))
    np.testing.assert_allclose(gb.predict_proba(X).sum(1), 1.0)
    logp = np.log(np.bincount(y) / len(y))
    np.testing.assert_allclose(gb._init_raw, logp - logp.mean())


def test_gb_subsample_uses_a_fraction_of_rows():
    X, y = make_regression(200, 4, noise=3.0, random_state=0)
    gb = GradientBoostingRegressor(n_estimators=3, subsample=0.5, random_state=0).fit(X, y)
    assert gb.estimators_[0, 0].tree_.n_node_samples[0] == 100
    assert gb.score(X, y) > 0.2


@pytest.mark.parametrize("Est", [AdaBoostClassifier, GradientBoostingClassifier,
                                 GradientBoostingRegressor])
def test_bad_input(data3, Est):
    X, y = data3
    name = Est.__name__
    with pytest.raises(NotFittedError, match=name):
        Est().predict(X)
    Xn = X.copy()
    Xn[1, 1] = np.nan
    with pytest.raises(ValueError, match=name):
        Est(n_estimators=2).fit(Xn, y)
    est = Est(n_estimators=2).fit(X, y)
    with pytest.raises(ValueError, match=f"{name} is expecting 6 features"):
        est.predict(X[:, :5])
    with pytest.raises(ValueError, match=f"{name}: n_estimators"):
        Est(n_estimators=0).fit(X, y)


def test_gb_classifier_single_class_errors_like_sklearn(data3):
    X, _ = data3
    with pytest.raises(ValueError, match="GradientBoostingClassifier: y contains 1 class"):
        GradientBoostingClassifier().fit(X, np.zeros(len(X)))
