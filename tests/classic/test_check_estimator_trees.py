"""Every tree and ensemble estimator passes scikit-learn's estimator checks. The checks expected
to fail are ones scikit-learn itself marks as failing for its own twins, each with the reason.
(scikit-learn also marks the sample-weight check for AdaBoost and gradient boosting classifiers;
ours pass it, so it is not listed.)"""
from __future__ import annotations

from sklearn.utils.estimator_checks import parametrize_with_checks

from gradbook.classic.adaboost import AdaBoostClassifier
from gradbook.classic.bagging import BaggingClassifier
from gradbook.classic.forest import RandomForestClassifier, RandomForestRegressor
from gradbook.classic.gradient_boosting import (GradientBoostingClassifier,
                                                GradientBoostingRegressor)
from gradbook.classic.tree import DecisionTreeClassifier, DecisionTreeRegressor

_WEIGHTS_NOT_DUPLICATES = (
    "sample_weight is not equivalent to removing/repeating samples: the ensemble draws random "
    "rows or stages from weighted data (scikit-learn marks the same check as failing for its twin)")

EXPECTED_FAILED = {
    "RandomForestClassifier": {"check_sample_weight_equivalence_on_dense_data":
                               _WEIGHTS_NOT_DUPLICATES},
    "RandomForestRegressor": {"check_sample_weight_equivalence_on_dense_data":
                              _WEIGHTS_NOT_DUPLICATES},
    "BaggingClassifier": {"check_sample_weight_equivalence_on_dense_data":
                          _WEIGHTS_NOT_DUPLICATES},
    "GradientBoostingRegressor": {"check_sample_weight_equivalence_on_dense_data":
                                  "scikit-learn marks the same check as failing for its twin; "
                                  "here 2 of 15 predictions differ (not investigated further; "
                                  "AdaBoost and GradientBoostingClassifier pass it)"},
}


def _expected_failed(est):
    return EXPECTED_FAILED.get(type(est).__name__, {})


@parametrize_with_checks(
    [DecisionTreeClassifier(), DecisionTreeRegressor(),
     RandomForestClassifier(n_estimators=10), RandomForestRegressor(n_estimators=10),
     BaggingClassifier(), AdaBoostClassifier(n_estimators=10),
     GradientBoostingClassifier(n_estimators=10), GradientBoostingRegressor(n_estimators=10)],
    expected_failed_checks=_expected_failed)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)
