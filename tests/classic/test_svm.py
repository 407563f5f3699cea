"""SVC (SMO) against scikit-learn's libsvm: same support set, dual coefficients, intercepts and
decision function at a tight tolerance; zero duality gap and no KKT violations at the solution."""
from __future__ import annotations

import numpy as np
import pytest
from sklearn import svm as sk
from sklearn.datasets import load_iris, make_blobs, make_moons
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from gradbook.classic import SVC


@pytest.fixture(autouse=True)
def _one_blas_thread():
    with threadpool_limits(1):      # tiny matrices: BLAS threads only add contention
        yield


def _data(name):
    if name == "moons":
        return make_moons(120, noise=0.25, random_state=0)
    if name == "iris":
        X, y = load_iris(return_X_y=True)
        return StandardScaler().fit_transform(X), y
    X, y = make_blobs(90, centers=4, cluster_std=2.0, random_state=1)    # four classes, overlapping
    return X, y


KERNELS = [dict(kernel="linear"), dict(kernel="rbf"), dict(kernel="rbf", gamma=0.7),
           dict(kernel="poly", degree=3, coef0=1.0), dict(kernel="poly", degree=2, gamma="auto", coef0=0.5)]


@pytest.mark.parametrize("kw", KERNELS, ids=lambda kw: "-".join(map(str, kw.values())))
@pytest.mark.parametrize("data", ["moons", "iris", "blobs4"])
@pytest.mark.parametrize("C", [0.5, 10.0])
def test_smo_matches_libsvm(kw, data, C):
    if data == "blobs4" and kw.get("degree") == 2:
        pytest.skip("unscaled blobs with (γx·y + ½)²: b is not unique (flat optimum), see the next test")
    X, y = _data(data)
    ours = SVC(C=C, tol=1e-8, **kw).fit(X, y)
    theirs = sk.SVC(C=C, tol=1e-8, **kw).fit(X, y)
    np.testing.assert_array_equal(ours.support_, theirs.support_)
    np.testing.assert_array_equal(ours.n_support_, theirs.n_support_)
    np.testing.assert_allclose(ours.support_vectors_, theirs.support_vectors_)
    scale = max(1.0, C)
    np.testing.assert_allclose(ours.dual_coef_, theirs.dual_coef_, atol=1e-4 * scale)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, atol=1e-4 * scale)
    np.testing.assert_allclose(ours.decision_function(X), theirs.decision_function(X), atol=1e-4 * scale)
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))


def test_degenerate_kernel_reaches_the_same_optimum_value():
    """(x·y)² on 2-D data spans 3 features: α (and b) are not unique, the optimal dual value is.
    (libsvm's b, read off a different α, can even leave a primal gap that ours does not.)"""
    X, y = _data("blobs4")
    ours = SVC(kernel="poly", degree=2, gamma="auto", C=10, tol=1e-8).fit(X, y)
    theirs = sk.SVC(kernel="poly", degree=2, gamma="auto", C=10, tol=1e-8).fit(X, y)
    twin = SVC(kernel="poly", degree=2, gamma="auto", C=10)
    twin.__dict__.update({k: v for k, v in theirs.__dict__.items() if k.endswith("_") or k.startswith("_")})
    twin._dual_coef_, twin._intercept_ = theirs._dual_coef_, theirs._intercept_
    twin.n_support_ = theirs.n_support_
    ov, tv = ours.objective_values(X, y), twin.objective_values(X, y)
    np.testing.assert_allclose(ov["dual"], tv["dual"], rtol=1e-6)
    assert np.all(ov["gap"] <= tv["gap"] + 1e-6)


def test_ovo_shape_break_ties_and_default_tol():
    X, y = _data("blobs4")
    for shape in ("ovo", "ovr"):
        ours = SVC(decision_function_shape=shape).fit(X, y)
        theirs = sk.SVC(decision_function_shape=shape).fit(X, y)
        np.testing.assert_allclose(ours.decision_function(X), theirs.decision_function(X), atol=1e-2)
        np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))
    bt = SVC(break_ties=True).fit(X, y)
    np.testing.assert_array_equal(bt.predict(X), bt.classes_[bt.decision_function(X).argmax(1)])


@pytest.mark.parametrize("data", ["moons", "blobs4"])
def test_duality_gap_and_kkt_certify_the_solution(data):
    X, y = _data(data)
    m = SVC(C=2.0, tol=1e-8).fit(X, y)
    vals = m.objective_values(X, y)
    assert np.all(vals["primal"] >= vals["dual"] - 1e-9)
    np.testing.assert_allclose(vals["gap"], 0, atol=1e-5 * np.abs(vals["primal"]).max())
    assert len(m.kkt_violations(X, y, tol=1e-4)) == 0
    # the same checks catch a solution that is not optimal
    early = SVC(C=2.0, max_iter=3)
    with pytest.warns(ConvergenceWarning, match="SVC"):
        early.fit(X, y)
    assert np.max(early.objective_values(X, y)["gap"]) > 1e-2
    assert len(early.kkt_violations(X, y, tol=1e-4)) > 0


def test_dual_objective_equals_sklearn_solution_value():
    """Our dual value at our α equals the dual value at libsvm's α (independent optimum)."""
    X, y = _data("moons")
    ours = SVC(kernel="rbf", C=1.0, tol=1e-8).fit(X, y)
    theirs = sk.SVC(kernel="rbf", C=1.0, tol=1e-8).fit(X, y)
    a = np.abs(theirs.dual_coef_[0])
    ya = theirs.dual_coef_[0]
    from sklearn.metrics.pairwise import rbf_kernel
    K = rbf_kernel(theirs.support_vectors_, gamma=theirs._gamma)
    assert ours.objective_values(X, y)["dual"] == pytest.approx(a.sum() - 0.5 * ya @ K @ ya, rel=1e-7)


def test_certificates_need_training_data():
    X, y = _data("moons")
    m = SVC().fit(X, y)
    with pytest.raises(ValueError, match="training data"):
        m.objective_values(X[::-1], y[::-1])


def test_bad_input_errors_name_the_estimator():
    X, y = _data("moons")
    with pytest.raises(NotFittedError, match="SVC"):
        SVC().predict(X)
    with pytest.raises(ValueError, match="SVC needs samples of at least 2 classes"):
        SVC().fit(X, np.ones(len(X)))
    Xbad = X.copy()
    Xbad[0, 0] = np.inf
    with pytest.raises(ValueError, match="SVC: .*infinity"):
        SVC().fit(Xbad, y)
    with pytest.raises(ValueError, match="X has 3 features, but SVC is expecting 2"):
        SVC().fit(X, y).decision_function(np.ones((2, 3)))
    with pytest.raises(ValueError, match="SVC: kernel"):
        SVC(kernel="sigmoid").fit(X, y)
    with pytest.raises(ValueError, match="SVC: gamma"):
        SVC(gamma="large").fit(X, y)
    with pytest.raises(ValueError, match="SVC: max_iter"):
        SVC(max_iter=0).fit(X, y)
