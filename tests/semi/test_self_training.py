"""SelfTraining against scikit-learn's SelfTrainingClassifier: with the same base estimator every
attribute must be identical; with gradbook's LogisticRegression in place of scikit-learn's the
adopted labels must still agree."""
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.datasets import load_iris, make_classification
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.semi_supervised import SelfTrainingClassifier
from sklearn.tree import DecisionTreeClassifier

from gradbook.classic import LogisticRegression
from gradbook.semi import SelfTraining


def _both(estimator, X, y, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return SelfTraining(estimator, **kw).fit(X, y), SelfTrainingClassifier(estimator, **kw).fit(X, y)


def _assert_same(ours, theirs, X):
    np.testing.assert_array_equal(ours.transduction_, theirs.transduction_)
    np.testing.assert_array_equal(ours.labeled_iter_, theirs.labeled_iter_)
    assert (ours.n_iter_, ours.termination_condition_) == (theirs.n_iter_, theirs.termination_condition_)
    np.testing.assert_array_equal(ours.classes_, theirs.classes_)
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))


@settings(max_examples=8)
@given(st.integers(0, 2**32 - 1), st.sampled_from(["threshold", "k_best"]), st.sampled_from([0.0, 0.6, 0.9]),
       st.integers(1, 40), st.sampled_from([None, 0, 1, 3]), st.booleans())
def test_matches_sklearn_with_the_same_estimator(seed, criterion, threshold, k_best, max_iter, tree):
    X, y = make_classification(50, 4, n_informative=3, n_redundant=0, n_classes=3, random_state=seed % 1000)
    y = y.copy()
    y[np.random.default_rng(seed).random(len(y)) < 0.8] = -1
    y[:3] = [0, 1, 2]  # every class labelled at least once
    estimator = DecisionTreeClassifier(max_depth=2, random_state=0) if tree else SkLogisticRegression()
    ours, theirs = _both(estimator, X, y, criterion=criterion, threshold=threshold, k_best=k_best, max_iter=max_iter)
    _assert_same(ours, theirs, X)


@pytest.mark.parametrize("criterion", ["threshold", "k_best"])
def test_gradbook_logistic_regression_adopts_the_labels_sklearn_does(criterion):
    X, y = load_iris(return_X_y=True)
    X = (X - X.mean(0)) / X.std(0)
    y = y.copy()
    y[np.random.default_rng(0).random(len(y)) < 0.8] = -1
    kw = dict(criterion=criterion, threshold=0.7, k_best=15, max_iter=4)
    ours = SelfTraining(LogisticRegression(), **kw).fit(X, y)
    theirs = SelfTrainingClassifier(SkLogisticRegression(), **kw).fit(X, y)
    _assert_same(ours, theirs, X)


def test_bad_parameters_are_named():
    X, y = np.zeros((4, 2)), np.array([0, 1, -1, -1])
    for kw, words in [(dict(threshold=1.0), "threshold must be a number in [0, 1)"),
                      (dict(criterion="best"), "criterion must be one of"),
                      (dict(k_best=0), "k_best must be an integer > 0"),
                      (dict(max_iter=-1), "max_iter must be an integer >= 0")]:
        with pytest.raises(ValueError, match=r"SelfTraining: " + words.replace("[", r"\[").replace(")", r"\)")):
            SelfTraining(LogisticRegression(), **kw).fit(X, y)
    with pytest.raises(ValueError, match="predict_proba"):
        SelfTraining(object()).fit(X, y)
    with pytest.raises(ValueError, match="no labelled sample"):
        SelfTraining(LogisticRegression()).fit(X, np.full(4, -1))
    with pytest.warns(UserWarning, match="no unlabeled samples"):
        SelfTraining(LogisticRegression()).fit(X, np.array([0, 1, 0, 1]))
