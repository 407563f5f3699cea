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


# ---- sample_weight and class_weight: Cᵢ = C · class_weight[yᵢ] · sample_weightᵢ ---------------------
def _weights(n, seed, zeros=True):
    w = np.random.default_rng(seed).uniform(0.2, 3.0, n)
    if zeros:
        w[::9] = 0.0                 # libsvm drops these samples
    return w


def _assert_same_svc(ours, theirs, X, support, atol):
    np.testing.assert_array_equal(ours.support_, support)
    np.testing.assert_array_equal(ours.n_support_, theirs.n_support_)
    np.testing.assert_allclose(ours.dual_coef_, theirs.dual_coef_, atol=atol)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, atol=atol)
    np.testing.assert_allclose(ours.decision_function(X), theirs.decision_function(X), atol=atol)
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))


@pytest.mark.parametrize("kw", [dict(kernel="linear"), dict(kernel="rbf"), dict(kernel="poly", degree=2, coef0=1.0)],
                         ids=lambda kw: kw["kernel"])
@pytest.mark.parametrize("data", ["moons", "iris", "blobs4"])
def test_sample_weight_matches_libsvm(kw, data):
    X, y = _data(data)
    w = _weights(len(y), seed=len(y))
    ours = SVC(C=2.0, tol=1e-8, **kw).fit(X, y, sample_weight=w)
    theirs = sk.SVC(C=2.0, tol=1e-8, **kw).fit(X, y, sample_weight=w)
    # scikit-learn's support_ indexes X[w > 0]; ours indexes X itself
    support = np.flatnonzero(w > 0)[theirs.support_]
    np.testing.assert_allclose(X[ours.support_], ours.support_vectors_)
    _assert_same_svc(ours, theirs, X, support, atol=2e-4)


@pytest.mark.parametrize("class_weight", ["balanced", {0: 3.0, 1: 0.5}, {2: 0.25}])
@pytest.mark.parametrize("data", ["moons", "iris"])
def test_class_weight_matches_libsvm(class_weight, data):
    X, y = _data(data)
    if data == "moons" and isinstance(class_weight, dict) and 2 in class_weight:
        pytest.skip("moons has no class 2")
    if data == "moons":                                   # imbalance, so 'balanced' is not all ones
        keep = (y == 1) | (np.arange(len(y)) % 3 == 0)
        X, y = X[keep], y[keep]
    w = _weights(len(y), seed=3, zeros=False)
    ours = SVC(C=1.5, tol=1e-8, class_weight=class_weight).fit(X, y, sample_weight=w)
    theirs = sk.SVC(C=1.5, tol=1e-8, class_weight=class_weight).fit(X, y, sample_weight=w)
    np.testing.assert_allclose(ours.class_weight_, theirs.class_weight_, rtol=1e-15)
    _assert_same_svc(ours, theirs, X, theirs.support_, atol=2e-4)


def test_weight_two_is_the_row_repeated():
    """Two copies of a row share the box of one row with C doubled: the optimal f is the same
    (the copies' α may split differently; their sum is the weighted row's α)."""
    X, y = _data("blobs4")
    w = np.random.default_rng(0).integers(0, 3, len(y))
    w[:4] = [1, 2, 0, 2]
    rep = np.repeat(np.arange(len(y)), w)
    weighted = SVC(gamma=0.3, C=3.0, tol=1e-10).fit(X, y, sample_weight=w)
    repeated = SVC(gamma=0.3, C=3.0, tol=1e-10).fit(X[rep], y[rep])
    np.testing.assert_allclose(weighted.decision_function(X), repeated.decision_function(X), atol=1e-6)
    np.testing.assert_allclose(weighted.intercept_, repeated.intercept_, atol=1e-6)
    summed = np.zeros((len(weighted.classes_) - 1, len(y)))
    np.add.at(summed.T, rep[repeated.support_], repeated.dual_coef_.T)
    np.testing.assert_allclose(summed[:, weighted.support_], weighted.dual_coef_, atol=1e-6)
    # and integer weights certify through the objective with the same per-sample bounds
    vals = weighted.objective_values(X, y, sample_weight=w)
    np.testing.assert_allclose(vals["gap"], 0, atol=1e-6 * np.abs(vals["primal"]).max())
    assert len(weighted.kkt_violations(X, y, tol=1e-5, sample_weight=w)) == 0


def test_zero_weight_is_the_row_removed():
    """(A float gamma: 'scale' reads the variance of every row given, as scikit-learn's does.)"""
    X, y = _data("iris")
    w = _weights(len(y), seed=5)
    keep = np.flatnonzero(w > 0)
    dropped = SVC(gamma=0.5, tol=1e-8).fit(X, y, sample_weight=w)
    subset = SVC(gamma=0.5, tol=1e-8).fit(X[keep], y[keep], sample_weight=w[keep])
    np.testing.assert_array_equal(dropped.support_, keep[subset.support_])
    np.testing.assert_array_equal(dropped.dual_coef_, subset.dual_coef_)
    np.testing.assert_array_equal(dropped.decision_function(X), subset.decision_function(X))


def test_weight_errors_use_libsvms_words():
    X, y = _data("iris")
    for w, theirs in ((np.zeros(len(y)), "all samples have zero or negative weights"),
                      (np.r_[np.ones(50), -np.ones(100)], "all samples with positive weights belong to the same class")):
        with pytest.raises(ValueError, match=theirs):
            sk.SVC().fit(X, y, sample_weight=w)
        with pytest.raises(ValueError, match="SVC: Invalid input - " + theirs):
            SVC().fit(X, y, sample_weight=w)
    with pytest.raises(ValueError, match=r"SVC: .*none for \[2\]"):
        SVC().fit(X, y, sample_weight=np.r_[np.ones(100), np.zeros(50)])
    with pytest.raises(ValueError, match="SVC: sample_weight"):
        SVC().fit(X, y, sample_weight=np.ones(3))
    with pytest.raises(ValueError, match="SVC: class_weight"):
        SVC(class_weight="even").fit(X, y)


def test_kernel_rows_match_the_gram_matrix_and_respect_the_cache_budget():
    from gradbook.classic._smo import TAU, KernelRows
    from gradbook.classic.kernels import pairwise_kernel
    X = np.random.default_rng(0).normal(size=(40, 3))
    for kernel in ("linear", "poly", "rbf"):
        K = pairwise_kernel(X, None, kernel, 0.4, 3, 0.5)
        rows = KernelRows(X, kernel, 0.4, 3, 0.5, cache_size=16 * 40 * 3 / 2**20)
        assert rows.capacity == 3
        for i in (0, 7, 39, 7, 12, 0):
            np.testing.assert_allclose(rows.row(i), K[i], rtol=1e-12, atol=1e-12)
            np.testing.assert_allclose(rows.curvature(i), np.maximum(np.diag(K)[i] + np.diag(K) - 2 * K[i], TAU),
                                       rtol=1e-10, atol=1e-12)
        assert len(rows._rows) <= 3 and list(rows._rows)[-1] == 0      # least recently used evicted
