"""LinearSVC reaches liblinear's optimum for every (penalty, loss, dual) liblinear solves, with class
and sample weights; its argument checks speak scikit-learn's words.

Tolerances: at tol=1e-10 both solvers sit at the unique optimum and coef_/intercept_ agree to
1e-6 (ℓ2) / 1e-5 (ℓ1, coordinate descent converges more slowly). At the default tol=1e-4 the
stopping rules (liblinear's, relative) leave coefficients ~1e-2 apart on flat ℓ1 problems, so there
the test compares primal objective values: each within 1e-3 (relative) of the optimum."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn import svm as sk
from sklearn.datasets import load_breast_cancer, load_iris
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.preprocessing import StandardScaler
from sklearn.svm._classes import _validate_dual_parameter
from threadpoolctl import threadpool_limits

from gradbook.classic import LinearSVC


@pytest.fixture(autouse=True)
def _one_blas_thread():
    with threadpool_limits(1):
        yield


def _data(name):
    if name == "iris":
        X, y = load_iris(return_X_y=True)
        return StandardScaler().fit_transform(X), y
    X, y = load_breast_cancer(return_X_y=True)
    return StandardScaler().fit_transform(X[:150, :8]), y[:150]


PROBLEMS = [("l2", "squared_hinge", False), ("l2", "squared_hinge", True), ("l2", "hinge", True),
            ("l1", "squared_hinge", False)]


def _objective(coef, intercept, X, y, penalty, loss, C, sw, class_weight, fit_intercept=True, scaling=1.0):
    """Primal objective of each one-vs-rest problem, written out independently of gradbook."""
    classes = np.unique(y)
    sw = np.ones(len(y)) if sw is None else sw
    if class_weight == "balanced":
        counts = np.array([sw[y == c].sum() for c in classes])
        cw = dict(zip(classes, sw.sum() / (len(classes) * counts)))
    else:
        cw = {c: (class_weight or {}).get(c, 1.0) for c in classes}
    positives = [classes[1]] if len(classes) == 2 else classes
    out = []
    for k, c in enumerate(positives):
        yy = np.where(y == c, 1.0, -1.0)
        Ci = C * sw * (np.array([cw[v] for v in y]) if len(classes) == 2 else np.where(y == c, cw[c], 1.0))
        b = intercept[k] if fit_intercept else 0.0
        xi = np.maximum(0, 1 - yy * (X @ coef[k] + b))
        w_full = np.r_[coef[k], b / scaling] if fit_intercept else coef[k]
        reg = 0.5 * w_full @ w_full if penalty == "l2" else np.abs(w_full).sum()
        out.append(reg + Ci @ (xi if loss == "hinge" else xi ** 2))
    return np.array(out)


OPTIONS = [dict(), dict(class_weight={0: 2.5}), dict(class_weight="balanced", sw=True),
           dict(fit_intercept=False), dict(intercept_scaling=3.0, C=0.3), dict(sw=True)]


CASES = [(data, opts) for data in ("iris", "cancer") for opts in (OPTIONS if data == "iris" else OPTIONS[:3])]


@pytest.mark.parametrize("data, opts", CASES,
                         ids=lambda c: c if isinstance(c, str) else "-".join(f"{k}={v}" for k, v in c.items()) or "plain")
@pytest.mark.parametrize("penalty, loss, dual", PROBLEMS)
def test_matches_liblinear_at_tight_tol(data, penalty, loss, dual, opts):
    X, y = _data(data)
    opts = dict(opts)
    if dual:
        opts.setdefault("C", 0.2)      # dual coordinate descent needs thousands of epochs for 1e-10 at C=1
    sw = np.random.default_rng(1).uniform(0.3, 2.0, len(y)) if opts.pop("sw", False) else None
    kw = dict(penalty=penalty, loss=loss, dual=dual, tol=1e-10, max_iter=100_000, random_state=0, **opts)
    ours = LinearSVC(**kw).fit(X, y, sample_weight=sw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        theirs = sk.LinearSVC(**kw).fit(X, y, sample_weight=sw)
    atol = 1e-6 if penalty == "l2" else 1e-5
    np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=atol)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, atol=atol)
    np.testing.assert_allclose(ours.decision_function(X), theirs.decision_function(X), atol=10 * atol)
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))
    args = (X, y, penalty, loss, opts.get("C", 1.0), sw, opts.get("class_weight"), opts.get("fit_intercept", True),
            opts.get("intercept_scaling", 1.0))
    ours_obj = _objective(ours.coef_, np.atleast_1d(ours.intercept_), *args)
    np.testing.assert_allclose(ours.objective_values(X, y, sample_weight=sw), ours_obj, rtol=1e-12)
    np.testing.assert_allclose(ours_obj, _objective(theirs.coef_, np.atleast_1d(theirs.intercept_), *args),
                               rtol=1e-9)


@pytest.mark.parametrize("penalty, loss, dual", PROBLEMS)
@pytest.mark.parametrize("C", [0.1, 1.0])
def test_default_tol_reaches_the_optimum_value(penalty, loss, dual, C):
    X, y = _data("iris")
    ours = LinearSVC(penalty, loss, dual=dual, C=C, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)   # liblinear too needs > 1000 epochs here
        ours.fit(X, y)
        best = sk.LinearSVC(penalty=penalty, loss=loss, dual=dual, C=C, tol=1e-10, max_iter=100_000).fit(X, y)
    args = (X, y, penalty, loss, C, None, None)
    ours_obj = _objective(ours.coef_, ours.intercept_, *args)
    best_obj = _objective(best.coef_, best.intercept_, *args)
    assert np.all(ours_obj >= best_obj * (1 - 1e-9))
    np.testing.assert_allclose(ours_obj, best_obj, rtol=1e-3)


def test_weight_two_is_the_row_repeated_and_zero_the_row_removed():
    X, y = _data("iris")
    w = np.random.default_rng(0).integers(0, 3, len(y))
    rep = np.repeat(np.arange(len(y)), w)
    for kw in (dict(dual=False), dict(dual=True, C=0.2), dict(loss="hinge", dual=True, C=0.2),
               dict(penalty="l1", dual=False)):
        weighted = LinearSVC(tol=1e-10, max_iter=100_000, random_state=0, **kw).fit(X, y, sample_weight=w)
        repeated = LinearSVC(tol=1e-10, max_iter=100_000, random_state=0, **kw).fit(X[rep], y[rep])
        atol = 1e-6 if kw.get("penalty") == "l1" else 1e-8
        np.testing.assert_allclose(weighted.coef_, repeated.coef_, atol=atol)
        np.testing.assert_allclose(weighted.intercept_, repeated.intercept_, atol=atol)


@pytest.mark.parametrize("penalty, loss, dual", [("l1", "hinge", True), ("l1", "hinge", False),
                                                 ("l2", "hinge", False), ("l1", "squared_hinge", True)])
def test_unsupported_combinations_raise_sklearns_words(penalty, loss, dual):
    X, y = _data("iris")
    with pytest.raises(ValueError) as theirs:
        sk.LinearSVC(penalty=penalty, loss=loss, dual=dual).fit(X, y)
    with pytest.raises(ValueError) as ours:
        LinearSVC(penalty, loss, dual=dual).fit(X, y)
    assert str(ours.value) == f"LinearSVC: {theirs.value}"


@pytest.mark.parametrize("shape", [(20, 5), (5, 20)])
@pytest.mark.parametrize("penalty, loss", [("l2", "squared_hinge"), ("l2", "hinge"), ("l1", "squared_hinge")])
def test_dual_auto_chooses_as_sklearn(shape, penalty, loss):
    from gradbook.classic.linear_svm import resolve_dual
    X = np.zeros(shape)
    assert resolve_dual("auto", penalty, loss, *shape) == _validate_dual_parameter("auto", loss, penalty, "ovr", X)


def test_convergence_warning_and_bad_input():
    X, y = _data("iris")
    with pytest.warns(ConvergenceWarning, match="LinearSVC: Liblinear failed to converge"):
        LinearSVC(dual=True, max_iter=2, random_state=0).fit(X, y)
    with pytest.raises(NotFittedError, match="LinearSVC"):
        LinearSVC().predict(X)
    with pytest.raises(ValueError, match="LinearSVC: multi_class='crammer_singer' is not implemented"):
        LinearSVC(multi_class="crammer_singer").fit(X, y)
    with pytest.raises(ValueError, match="LinearSVC: penalty"):
        LinearSVC("elasticnet").fit(X, y)
    with pytest.raises(ValueError, match="LinearSVC: intercept_scaling"):
        LinearSVC(intercept_scaling=0).fit(X, y)
    with pytest.raises(ValueError, match="LinearSVC: sample_weight must be non-negative"):
        LinearSVC().fit(X, y, sample_weight=-np.ones(len(y)))
    with pytest.raises(ValueError, match="X has 3 features, but LinearSVC is expecting 4"):
        LinearSVC().fit(X, y).predict(np.ones((2, 3)))
    assert LinearSVC(fit_intercept=False).fit(X, y).intercept_ == 0.0


@pytest.mark.parametrize("C", [0.1, 1.0, 10.0])
def test_squared_hinge_dual_meets_liblinears_dual_rule_at_the_optimum(C):
    """dual=True with the squared hinge: the returned w's dual variables αᵢ = 2C max(0, 1 - yᵢf(xᵢ))
    (KKT) meet liblinear's dual stopping rule (max - min projected gradient <= tol), recomputed here
    from α alone, and w is liblinear's optimum (where liblinear itself stops at max_iter, unconverged)."""
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        ours = LinearSVC(dual=True, C=C).fit(X, y)
    yy, Xb = np.where(y == 1, 1.0, -1.0), np.c_[X, np.ones(len(y))]
    alpha = 2 * C * np.maximum(0.0, 1 - yy * (Xb @ np.r_[ours.coef_[0], ours.intercept_]))
    G = yy * (Xb @ (Xb.T @ (yy * alpha))) - 1 + alpha / (2 * C)
    pg = np.where(alpha > 0, G, np.minimum(G, 0.0))
    assert pg.max() - pg.min() <= 1e-4
    best = sk.LinearSVC(dual=False, C=C, tol=1e-12, max_iter=100_000).fit(X, y)
    np.testing.assert_allclose(ours.coef_, best.coef_, atol=1e-6)
    np.testing.assert_allclose(ours.intercept_, best.intercept_, atol=1e-6)


def test_newton_and_dual_coordinate_descent_share_the_squared_hinge_optimum():
    """The two routes to the ℓ2 squared hinge's optimum — Hsieh et al.'s dual coordinate descent and
    Newton's method with the dual's stopping rule — land on the same w (weighted costs, bias column)."""
    from gradbook.classic._hinge_solvers import dual_coordinate_descent, squared_hinge_newton
    X, y = _data("cancer")
    Xb, yy = np.c_[X, np.ones(len(y))], np.where(y == 1, 1.0, -1.0)
    C = 0.2 * np.random.default_rng(0).uniform(0.3, 2.0, len(y))
    w_cd, _, cd_ok = dual_coordinate_descent(Xb, yy, C, "squared_hinge", 1e-10, 100_000, np.random.RandomState(0))
    w_newton, steps, newton_ok = squared_hinge_newton(Xb, yy, C, 1e-10, 100, rule="dual")
    assert cd_ok and newton_ok and steps < 20
    np.testing.assert_allclose(w_newton, w_cd, atol=1e-8)


@pytest.mark.parametrize("C", [0.01, 1.0])
def test_wide_data_matches_liblinear(C):
    """n < d: dual='auto' picks the dual, whose Newton system is then solved in the samples (Woodbury)."""
    rng = np.random.default_rng(3)
    X = rng.normal(size=(40, 300))
    y = np.digitize(X[:, 0] + X[:, 1] + 0.5 * rng.normal(size=40), [-0.7, 0.7])
    ours = LinearSVC(C=C, tol=1e-10).fit(X, y)
    theirs = sk.LinearSVC(C=C, tol=1e-10, max_iter=100_000).fit(X, y)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=1e-7)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, atol=1e-7)
