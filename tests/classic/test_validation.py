"""check_sample_weight: scikit-learn's private _check_sample_weight contract, with errors that name
the estimator; and every estimator that takes sample_weight goes through it."""
import numpy as np
import pytest
from sklearn.utils.validation import _check_sample_weight

from gradbook.classic import (AdaBoostClassifier, DecisionTreeClassifier, GradientBoostingRegressor, KMeans,
                              LogisticRegression, RandomForestClassifier, Ridge)
from gradbook.classic._validation import check_sample_weight


class Est:
    pass


X = np.zeros((4, 2))


@pytest.mark.parametrize("sw", [None, 2, 0.5, [1, 2, 3, 4], np.arange(4, dtype=np.int32), (0.0, 0.1, 0.2, 0.3)])
def test_same_weights_as_scikit_learn(sw):
    ours = check_sample_weight(Est(), sw, X)
    theirs = _check_sample_weight(sw, X, dtype=np.float64, ensure_non_negative=True)
    assert ours.dtype == np.float64 and ours.flags.c_contiguous
    np.testing.assert_array_equal(ours, theirs)


def test_float64_input_is_not_copied_unless_asked():
    w = np.ones(4)
    assert check_sample_weight(Est(), w, X) is w
    copied = check_sample_weight(Est(), w, X, copy=True)
    copied[0] = 5
    assert w[0] == 1


@pytest.mark.parametrize("sw, message", [
    (np.ones(3), r"Est: sample_weight must be a scalar or of shape \(4,\).*got shape \(3,\)"),
    (np.ones((4, 1)), r"shape \(4, 1\)"),
    ([1, 2, np.nan, 4], "Est: sample_weight contains NaN or infinity"),
    ([1, np.inf, 1, 1], "NaN or infinity"),
    ([1, -2, 1, 1], "Est: sample_weight must be non-negative, got -2.0 at sample 1"),
    (-1, "non-negative"),
    (["a", "b", "c", "d"], "Est: sample_weight must hold numbers"),
    ([0, 0, 0, 0], "Est: sample_weight must contain at least one non-zero weight"),
    (0, "at least one non-zero"),
])
def test_bad_weights_are_named(sw, message):
    with pytest.raises(ValueError, match=message):
        check_sample_weight(Est(), sw, X)


def test_negative_and_all_zero_weights_allowed_when_asked():
    np.testing.assert_array_equal(check_sample_weight(Est(), [-1, 0, 1, 2], X, non_negative=False), [-1, 0, 1, 2])
    np.testing.assert_array_equal(check_sample_weight(Est(), 0, X, allow_all_zero=True), np.zeros(4))


@pytest.mark.parametrize("est", [DecisionTreeClassifier(), RandomForestClassifier(n_estimators=2),
                                 AdaBoostClassifier(n_estimators=2), GradientBoostingRegressor(n_estimators=2),
                                 LogisticRegression(), Ridge(), KMeans(n_clusters=2, n_init=1)],
                         ids=lambda e: type(e).__name__)
def test_estimators_name_themselves_for_a_bad_weight(est):
    Xf, y = np.random.default_rng(0).normal(size=(6, 2)), np.array([0, 1, 0, 1, 0, 1])
    with pytest.raises(ValueError, match=f"{type(est).__name__}: sample_weight must be non-negative"):
        est.fit(Xf, y, sample_weight=[1, 1, -1, 1, 1, 1])
