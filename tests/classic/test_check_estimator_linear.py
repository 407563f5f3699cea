"""Every linear-family estimator passes scikit-learn's check_estimator.

Checks that fail on purpose are listed in EXPECTED_FAILED with the reason; a test below proves
each listed check really fails (so the list cannot go stale) and nothing else is skipped.
"""
from __future__ import annotations

import pytest
from sklearn.base import clone
from sklearn.utils import estimator_checks
from sklearn.utils.estimator_checks import parametrize_with_checks
from threadpoolctl import threadpool_limits

from gradbook.classic import (PCA, SVC, KernelLogisticRegression, KMeans, Lasso, LinearDiscriminantAnalysis,
                              LinearRegression, LinearSVC, LogisticRegression, Ridge)

ESTIMATORS = [
    LinearRegression(), Ridge(), Ridge(solver="svd"), Lasso(),
    LogisticRegression(), LogisticRegression(solver="newton"), LogisticRegression(solver="gd"),
    LogisticRegression("l1", solver="gd"), LogisticRegression(None), LogisticRegression(class_weight="balanced"),
    KernelLogisticRegression(), KernelLogisticRegression("poly", solver="lbfgs"),
    # SVC(kernel='poly') is left out: on check_fit_idempotent's data (features ≈ 100, so K ≈ 1e12)
    # even libsvm needs 2.3 million SMO steps; that is minutes of Python, not a compatibility issue.
    SVC(), SVC(kernel="linear"),
    LinearSVC(), LinearSVC(loss="hinge", dual=True), LinearSVC("l1", dual=False),
    PCA(), PCA(whiten=True),
    LinearDiscriminantAnalysis(), LinearDiscriminantAnalysis(solver="eigen", shrinkage=0.1),
    KMeans(n_clusters=3),
]

_SW = "check_sample_weight_equivalence_on_dense_data"
_SVC_SW = ("SMO stops at tol=1e-3 short of the optimum, at a point that depends on the order of the "
           "rows, so weighted and repeated fits differ by ~1e-3, and gamma='scale' reads the variance of the "
           "repeated rows; with a float gamma and tol=1e-12 the check passes (test_svc_weights_with_tight_tol)")
EXPECTED_FAILED = {
    "SVC": {_SW: _SVC_SW},
    "LinearSVC": {
        _SW: "the coordinate-descent solvers (the hinge loss's dual, the l1 primal) stop at liblinear's "
             "tol=1e-4, at a point that depends on the rows (the dual's coordinate order), so weighted and "
             "repeated fits differ by ~1e-4; with tol=1e-12 the check passes for every solver "
             "(test_linear_svc_weights_with_tight_tol). The l2 squared hinge's Newton solver passes as is.",
    },
    "KernelLogisticRegression": {
        _SW: "gamma='scale' is 1 / (d · Var X) of the rows as given, so repeating rows changes γ "
             "(with a float gamma the check passes; see test_kernel_logistic_weights_with_fixed_gamma)",
    },
    "KMeans": {
        _SW: "k-means++ draws depend on the number of rows, so repeated rows give other random "
             "starting centres (scikit-learn's KMeans lists the same expected failure)",
    },
}


def expected_failed_checks(estimator) -> dict[str, str]:
    if isinstance(estimator, LinearSVC) and (estimator.penalty, estimator.loss) == ("l2", "squared_hinge"):
        return {}                   # Newton's method: a few exact steps land on the optimum itself
    return EXPECTED_FAILED.get(type(estimator).__name__, {})


@pytest.fixture(autouse=True)
def _one_blas_thread():
    with threadpool_limits(1):      # tiny matrices: BLAS threads only add contention
        yield


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=expected_failed_checks)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


@pytest.mark.parametrize("name, check_name", [(e, c) for e, cs in EXPECTED_FAILED.items() for c in cs])
def test_expected_failures_are_real_and_explained(name, check_name):
    estimator = next(e for e in ESTIMATORS if type(e).__name__ == name and check_name in expected_failed_checks(e))
    assert len(EXPECTED_FAILED[name][check_name]) > 20
    with pytest.raises(AssertionError):
        getattr(estimator_checks, check_name)(name, clone(estimator))


def test_kernel_logistic_weights_with_fixed_gamma():
    estimator_checks.check_sample_weight_equivalence_on_dense_data(
        "KernelLogisticRegression", KernelLogisticRegression(gamma=1.0))


@pytest.mark.parametrize("estimator", [SVC(gamma=0.5, tol=1e-12), SVC(kernel="linear", tol=1e-12),
                                       SVC(gamma=0.5, tol=1e-12, class_weight={0: 2.0})], ids=repr)
def test_svc_weights_with_tight_tol(estimator):
    estimator_checks.check_sample_weight_equivalence_on_dense_data("SVC", estimator)


@pytest.mark.parametrize("estimator", [
    LinearSVC(dual=False, tol=1e-12), LinearSVC(dual=False, tol=1e-12, class_weight="balanced"),
    LinearSVC(dual=True, tol=1e-12, max_iter=100_000), LinearSVC(loss="hinge", dual=True, tol=1e-12, max_iter=100_000),
    pytest.param(LinearSVC("l1", dual=False, tol=1e-10), marks=pytest.mark.slow),   # ~3 s of coordinate descent
], ids=repr)
def test_linear_svc_weights_with_tight_tol(estimator):
    estimator_checks.check_sample_weight_equivalence_on_dense_data("LinearSVC", estimator)
