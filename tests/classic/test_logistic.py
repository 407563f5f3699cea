"""LogisticRegression (each solver, each penalty) reaches scikit-learn's optimum; the kernel version
equals the linear one with a linear kernel and separates XOR and circles."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn import linear_model as sk
from sklearn.datasets import load_iris, make_circles
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.preprocessing import StandardScaler

from threadpoolctl import threadpool_limits

from gradbook.classic import KernelLogisticRegression, LogisticRegression


@pytest.fixture(autouse=True)
def _one_blas_thread():
    with threadpool_limits(1):      # tiny matrices: BLAS threads only add contention
        yield

SOLVERS = ["lbfgs", "newton", "gd"]


def _binary(seed=0, n=120, d=5):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = (X @ rng.normal(size=d) + rng.normal(size=n) > 0.3).astype(int)
    return X, y


def _multi(seed=0):
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def _sklearn(penalty, C, X, y, sw=None, fit_intercept=True):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if penalty == "l1":
            m = sk.LogisticRegression(l1_ratio=1.0, solver="saga", C=C, tol=1e-12, max_iter=200_000,
                                      fit_intercept=fit_intercept)
        else:
            m = sk.LogisticRegression(C=C if penalty == "l2" else np.inf, tol=1e-12, max_iter=10_000,
                                      fit_intercept=fit_intercept)
        return m.fit(X, y, sample_weight=sw)


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("penalty, C", [("l2", 1.0), ("l2", 0.05), (None, 1.0)])
@pytest.mark.parametrize("data", ["binary", "multinomial"])
def test_smooth_penalties_reach_sklearn_optimum(solver, penalty, C, data):
    X, y = _binary() if data == "binary" else _multi()
    if data == "multinomial" and penalty is None:
        X = X[:, :2] + np.random.default_rng(0).normal(size=(len(X), 2))   # iris is separable: blur it
    ours = LogisticRegression(penalty, C=C, solver=solver, tol=1e-10, max_iter=20_000).fit(X, y)
    theirs = _sklearn(penalty, C, X, y)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=1e-5)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, atol=1e-5)
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), atol=1e-6)
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))


@pytest.mark.parametrize("data", ["binary", "multinomial"])
def test_l1_proximal_gradient_reaches_saga_optimum(data):
    X, y = _binary(1) if data == "binary" else _multi()
    ours = LogisticRegression("l1", C=0.3, solver="gd", tol=1e-10, max_iter=100_000).fit(X, y)
    theirs = _sklearn("l1", 0.3, X, y)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=1e-5)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, atol=1e-5)
    assert (ours.coef_ == 0).any(), "l1 should zero some coefficients at this C"
    np.testing.assert_array_equal(ours.coef_ == 0, np.abs(theirs.coef_) < 1e-8)


@pytest.mark.parametrize("solver", SOLVERS)
def test_sample_weight_and_no_intercept(solver):
    X, y = _binary(2)
    sw = np.random.default_rng(3).uniform(0.2, 3, size=len(y))
    ours = LogisticRegression(solver=solver, tol=1e-10, max_iter=20_000, fit_intercept=False).fit(X, y, sw)
    theirs = _sklearn("l2", 1.0, X, y, sw, fit_intercept=False)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=1e-6)
    assert np.all(ours.intercept_ == 0)


@pytest.mark.parametrize("class_weight", ["balanced", {0: 3.0, 1: 0.5}])
@pytest.mark.parametrize("solver", ["lbfgs", "newton"])
@pytest.mark.parametrize("data", ["binary", "multinomial"])
def test_class_weight_matches_sklearn(class_weight, solver, data):
    """'balanced' counts classes with the sample weights (scikit-learn >= 1.6), and the penalty is
    scaled by the sum of the class-weighted sample weights."""
    X, y = _binary(5) if data == "binary" else _multi()
    keep = (y != 0) | (np.arange(len(y)) % 3 == 0)          # imbalanced, so 'balanced' is not all ones
    X, y = X[keep], y[keep]
    sw = np.random.default_rng(6).uniform(0.2, 3, size=len(y))
    ours = LogisticRegression(C=0.7, class_weight=class_weight, solver=solver, tol=1e-10, max_iter=5000)
    ours.fit(X, y, sample_weight=sw)
    theirs = sk.LogisticRegression(C=0.7, class_weight=class_weight, tol=1e-12, max_iter=10_000)
    theirs.fit(X, y, sample_weight=sw)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=1e-5)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, atol=1e-5)
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), atol=1e-6)
    # the same as multiplying the weights in by hand
    cw = class_weight
    if cw == "balanced":
        counts = np.bincount(np.unique(y, return_inverse=True)[1], weights=sw)
        cw = dict(zip(np.unique(y), sw.sum() / (len(counts) * counts)))
    by_hand = sw * np.array([cw.get(v, 1.0) for v in y])
    plain = LogisticRegression(C=0.7, solver=solver, tol=1e-10, max_iter=5000).fit(X, y, sample_weight=by_hand)
    np.testing.assert_allclose(ours.coef_, plain.coef_, atol=1e-8)
    with pytest.raises(ValueError, match="LogisticRegression: class_weight"):
        LogisticRegression(class_weight="even").fit(X, y)


def test_string_labels_and_output_shapes():
    X, y = _multi()
    labels = np.array(["setosa", "versicolor", "virginica"])[y]
    m = LogisticRegression().fit(X, labels)
    assert m.coef_.shape == (3, 4) and m.intercept_.shape == (3,)
    assert m.decision_function(X).shape == (150, 3)
    assert set(m.predict(X)) <= set(labels)
    np.testing.assert_allclose(np.exp(m.predict_log_proba(X)), m.predict_proba(X), atol=1e-12)
    Xb, yb = _binary()
    mb = LogisticRegression().fit(Xb, yb)
    assert mb.coef_.shape == (1, 5) and mb.decision_function(Xb).shape == (120,)


def test_default_settings_agree_with_sklearn_defaults():
    X, y = _multi()
    ours, theirs = LogisticRegression().fit(X, y), sk.LogisticRegression().fit(X, y)
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), atol=1e-3)


def test_not_converged_warns_and_bad_options():
    X, y = _multi()
    with pytest.warns(ConvergenceWarning, match="LogisticRegression: solver 'gd'"):
        LogisticRegression(solver="gd", max_iter=3).fit(X, y)
    with pytest.raises(ValueError, match="penalty='l1'.*solver='gd'"):
        LogisticRegression("l1").fit(X, y)
    with pytest.raises(ValueError, match="LogisticRegression: solver"):
        LogisticRegression(solver="saga").fit(X, y)
    with pytest.raises(ValueError, match="LogisticRegression: C"):
        LogisticRegression(C=0).fit(X, y)


@pytest.mark.parametrize("Model", [LogisticRegression, KernelLogisticRegression])
def test_bad_input_errors_name_the_estimator(Model):
    X, y = _binary()
    name = Model.__name__
    with pytest.raises(NotFittedError, match=name):
        Model().predict(X)
    with pytest.raises(ValueError, match=f"{name} needs samples of at least 2 classes"):
        Model().fit(X, np.zeros(len(X)))
    Xnan = X.copy()
    Xnan[3, 1] = np.nan
    with pytest.raises(ValueError, match=f"(?s)NaN.*{name}"):
        Model().fit(Xnan, y)
    Xinf = X.copy()
    Xinf[3, 1] = np.inf
    with pytest.raises(ValueError, match=f"{name}: .*infinity"):
        Model().fit(Xinf, y)
    with pytest.raises(ValueError, match=f"X has 2 features, but {name} is expecting 5"):
        Model().fit(X, y).predict(X[:, :2])


# ---- KernelLogisticRegression ---------------------------------------------------------------------

@pytest.mark.parametrize("solver, data", [(s, "binary") for s in SOLVERS]
                         + [("newton", "multinomial"), ("lbfgs", "multinomial")])
def test_linear_kernel_equals_linear_model(solver, data):
    """Representer theorem: with K = XXᵀ the kernel model is the linear one, W = Xᵀ A."""
    X, y = _binary(4, n=60, d=3) if data == "binary" else _multi()
    X, y = X[::2], y[::2]
    lin = LogisticRegression(tol=1e-10, max_iter=5000).fit(X, y)
    ker = KernelLogisticRegression("linear", solver=solver, tol=1e-10, max_iter=20_000).fit(X, y)
    np.testing.assert_allclose(ker.decision_function(X), lin.decision_function(X), atol=1e-5)
    np.testing.assert_allclose(ker.dual_coef_ @ X, lin.coef_, atol=1e-5)


def _xor(n=200, seed=0):
    X = np.random.default_rng(seed).uniform(-1, 1, size=(n, 2))
    return X, (X[:, 0] * X[:, 1] > 0).astype(int)


@pytest.mark.parametrize("data", ["xor", "circles"])
def test_kernel_separates_what_linear_cannot(data):
    X, y = _xor() if data == "xor" else make_circles(200, noise=0.05, factor=0.5, random_state=0)
    Xt, yt = _xor(seed=1) if data == "xor" else make_circles(200, noise=0.05, factor=0.5, random_state=1)
    assert LogisticRegression().fit(X, y).score(Xt, yt) < 0.75
    for kernel in ("rbf", "poly"):
        assert KernelLogisticRegression(kernel, C=10).fit(X, y).score(Xt, yt) >= 0.9


def test_kernel_gamma_and_explicit_poly2_map_agree():
    """A degree-2 polynomial kernel model equals a linear model on the explicit feature map."""
    from gradbook.classic import poly2_feature_map

    X, y = _xor(80)
    ker = KernelLogisticRegression("poly", degree=2, gamma=1.0, coef0=1.0, tol=1e-10).fit(X, y)
    Phi = poly2_feature_map(X, 1.0, 1.0)
    lin = LogisticRegression(tol=1e-10, max_iter=5000).fit(Phi, y)
    np.testing.assert_allclose(ker.decision_function(X), lin.decision_function(Phi), atol=1e-5)
    assert ker.gamma_ == 1.0
    assert KernelLogisticRegression(gamma="auto").fit(X, y).gamma_ == 0.5
    with pytest.raises(ValueError, match="KernelLogisticRegression: gamma"):
        KernelLogisticRegression(gamma=-1).fit(X, y)
    with pytest.raises(ValueError, match="KernelLogisticRegression: kernel"):
        KernelLogisticRegression("sigmoid").fit(X, y)
