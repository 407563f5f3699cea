"""BaggingClassifier: draws, averaging, OOB, any base estimator, errors."""
from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.exceptions import NotFittedError
from sklearn.neighbors import KNeighborsClassifier

from gradbook.classic.bagging import BaggingClassifier
from gradbook.classic.tree import DecisionTreeClassifier


@pytest.fixture(scope="module")
def data():
    return make_classification(200, 6, n_informative=4, n_classes=3, random_state=0)


def test_proba_is_mean_over_estimators_on_their_features(data):
    X, y = data
    bag = BaggingClassifier(n_estimators=5, max_features=0.5, random_state=0).fit(X, y)
    assert all(len(c) == 3 for c in bag.estimators_features_)
    mean = np.mean([e.predict_proba(X[:, c]) for e, c in
                    zip(bag.estimators_, bag.estimators_features_)], axis=0)
    np.testing.assert_allclose(bag.predict_proba(X), mean)


def test_bootstrap_draws_are_weights_for_trees(data):
    X, y = data
    bag = BaggingClassifier(n_estimators=2, random_state=0).fit(X, y)
    rows = bag.estimators_samples_[0]
    direct = DecisionTreeClassifier(random_state=bag.estimators_[0].random_state)
    direct.fit(X, y, sample_weight=np.bincount(rows, minlength=len(y)))
    np.testing.assert_allclose(bag.estimators_[0].predict_proba(X), direct.predict_proba(X))


def test_estimator_without_sample_weight_and_missing_classes(data):
    X, y = data
    bag = BaggingClassifier(KNeighborsClassifier(3), n_estimators=4, max_samples=20,
                            random_state=0).fit(X, y)
    p = bag.predict_proba(X)
    assert p.shape == (200, 3)
    np.testing.assert_allclose(p.sum(1), 1.0)
    assert bag.score(X, y) > 0.6


def test_oob_score_by_hand(data):
    X, y = data
    bag = BaggingClassifier(n_estimators=25, oob_score=True, random_state=0).fit(X, y)
    total = np.zeros((len(y), 3))
    for e, rows in zip(bag.estimators_, bag.estimators_samples_):
        out = np.ones(len(y), bool)
        out[rows] = False
        total[out] += e.predict_proba(X[out])
    seen = total.sum(1) > 0
    assert bag.oob_score_ == pytest.approx(np.mean(total[seen].argmax(1) == y[seen]))


def test_no_bootstrap_full_draw_is_one_tree_repeated(data):
    X, y = data
    bag = BaggingClassifier(n_estimators=3, bootstrap=False, random_state=0).fit(X, y)
    assert bag.score(X, y) == 1.0


def test_bad_input(data):
    X, y = data
    with pytest.raises(NotFittedError, match="BaggingClassifier"):
        BaggingClassifier().predict(X)
    Xn = X.copy()
    Xn[0, 0] = np.inf
    with pytest.raises(ValueError, match="BaggingClassifier"):
        BaggingClassifier().fit(Xn, y)
    bag = BaggingClassifier(n_estimators=2).fit(X, y)
    with pytest.raises(ValueError, match="BaggingClassifier is expecting 6 features"):
        bag.predict(X[:, :2])
    with pytest.raises(ValueError, match="BaggingClassifier: max_samples"):
        BaggingClassifier(max_samples=1000, bootstrap=False).fit(X, y)
    with pytest.raises(ValueError, match="BaggingClassifier: max_samples"):
        BaggingClassifier(max_samples=1.5).fit(X, y)
    with pytest.raises(ValueError, match="BaggingClassifier: out-of-bag"):
        BaggingClassifier(oob_score=True, bootstrap=False).fit(X, y)


def test_draws_of_only_zero_weight_rows_are_redrawn():
    # one class weighted out: every estimator must still see a positive-weight row
    rnd = np.random.RandomState(0)
    X, y = rnd.uniform(size=(10, 4)), np.arange(10) % 2
    for seed in range(30):
        bag = BaggingClassifier(random_state=seed).fit(X, y, sample_weight=y.astype(float))
        np.testing.assert_array_equal(bag.predict(X), 1)
