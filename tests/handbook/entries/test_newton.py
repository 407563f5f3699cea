"""newton against SciPy's minimisers, Newton's iteration written out by hand (Rosenbrock's Hessian
is positive definite along the path, so the modified method takes the plain Newton step), the
Hessians' eigenvalues from their formulas, and fixed-step gradient descent in closed form."""
import numpy as np
import pytest
import scipy.optimize
from sklearn.datasets import load_breast_cancer

from gradbook import handbook


@pytest.fixture(scope="module")
def result():
    return handbook.run("newton", quick=True)


def rosen(v):
    return (1 - v[0]) ** 2 + 100 * (v[1] - v[0] ** 2) ** 2


def rosen_grad(v):
    return np.array([-2 * (1 - v[0]) - 400 * v[0] * (v[1] - v[0] ** 2), 200 * (v[1] - v[0] ** 2)])


def rosen_hess(v):
    return np.array([[2 - 400 * (v[1] - 3 * v[0] ** 2), -400 * v[0]], [-400 * v[0], 200.0]])


def hand_newton(x, gtol=1e-8):
    """Newton's step with Armijo backtracking (c1 = 1e-4, halving from α = 1)."""
    path = [x]
    while np.max(np.abs(rosen_grad(x))) > gtol:
        h = rosen_hess(x)
        assert np.linalg.eigvalsh(h)[0] > 0  # positive definite: no modification needed
        p = -np.linalg.solve(h, rosen_grad(x))
        alpha = 1.0
        while rosen(x + alpha * p) > rosen(x) + 1e-4 * alpha * rosen_grad(x) @ p:
            alpha /= 2
        x = x + alpha * p
        path.append(x)
    return np.array(path)


def logistic_data():
    features, labels = load_breast_cancer(return_X_y=True)
    features = (features - features.mean(0)) / features.std(0)
    return np.hstack([features, np.ones((len(features), 1))]), labels.astype(float)


def test_iterations_and_errors_against_scipy_and_a_hand_newton(result):
    n = result.numbers
    path = hand_newton(np.array([-1.2, 1.0]))
    assert n["nit_rosenbrock_2_newton"] == len(path) - 1
    e = np.linalg.norm(path - 1.0, axis=1)
    assert n["newton_tail_errors"] == ", ".join(f"{v:.1e}" for v in e[-4:])
    orders = [np.log(e[k + 1] / e[k]) / np.log(e[k] / e[k - 1]) for k in range(len(e) - 3, len(e) - 1)]
    assert n["newton_orders"] == ", ".join(f"{q:.2f}" for q in orders)
    # SciPy's twins converge in iteration counts of the same order, to the same minimiser
    theirs = scipy.optimize.minimize(rosen, [-1.2, 1.0], jac=rosen_grad, hess=rosen_hess, method="trust-exact",
                                     tol=1e-8)
    assert 0.5 < n["nit_rosenbrock_2_newton"] / theirs.nit < 2
    bfgs = scipy.optimize.minimize(rosen, [-1.2, 1.0], jac=rosen_grad, method="BFGS", options={"gtol": 1e-8})
    assert 0.5 < n["nit_rosenbrock_2_bfgs"] / bfgs.nit < 2
    for method in ("newton", "newton_cg", "bfgs"):
        assert n[f"error_rosenbrock_2_{method}"] < 1e-6 and n[f"success_rosenbrock_2_{method}"]
    assert not n["success_rosenbrock_2_gd"] and n["nit_rosenbrock_2_gd"] == 400
    # the quadratic: one Newton step is exact
    assert n["nit_quadratic_1e4_newton"] == 1 and n["error_quadratic_1e4_newton"] < 1e-10
    # logistic regression: SciPy's minimiser, the Hessian's inverse norm at 0 and at the optimum
    X, y = logistic_data()
    l2 = 1e-3

    def f(w):
        z = X @ w
        return np.mean(np.logaddexp(0, z) - y * z) + 0.5 * l2 * w @ w

    def g(w):
        return X.T @ (1 / (1 + np.exp(-X @ w)) - y) / len(y) + l2 * w

    def hess(w):
        s = 1 / (1 + np.exp(-X @ w))
        return (X.T * (s * (1 - s))) @ X / len(y) + l2 * np.eye(X.shape[1])

    w_star = scipy.optimize.minimize(f, np.zeros(31), jac=g, hess=hess, method="trust-exact", tol=1e-12).x
    assert n["error_logistic_newton"] < 1e-6
    assert np.isclose(n["hinv_first_logistic"], 1 / np.linalg.eigvalsh(hess(np.zeros(31)))[0], rtol=1e-9)
    assert np.isclose(n["hinv_last_logistic"], 1 / np.linalg.eigvalsh(hess(w_star))[0], rtol=1e-4)
    assert n["hinv_last_logistic"] > n["hinv_first_logistic"] and n["hinv_cap_logistic"] == 1 / l2
    # Rosenbrock: 1/λ_min of the Hessian at the start and at (1, 1), from its formula
    assert np.isclose(n["hinv_first_rosenbrock_2"], 1 / np.linalg.eigvalsh(rosen_hess([-1.2, 1.0]))[0], rtol=1e-12)
    assert np.isclose(n["hinv_last_rosenbrock_2"], 1 / np.linalg.eigvalsh(rosen_hess([1.0, 1.0]))[0], rtol=1e-6)


def test_saddle_and_fixed_steps_by_hand(result):
    n = result.numbers
    # f = x² − y² + y⁴/4: ∇f = (2x, −2y + y³), H = diag(2, −2 + 3y²)
    x, y = 0.3, 1e-3
    x1, y1 = x - 2 * x / 2, y - (-2 * y + y ** 3) / (-2 + 3 * y ** 2)  # one pure Newton step
    assert np.isclose(n["saddle_f_pure_Newton"], x1 ** 2 - y1 ** 2 + y1 ** 4 / 4, rtol=1e-9)
    assert n["saddle_nit_pure_Newton"] == 1
    x, y = 1e-3, 0.3
    gx, gy, hy = 2 * x, -2 * y + y ** 3, -2 + 3 * y ** 2
    assert n["indefinite_eigs"] == f"{hy:.2f}, 2.00"
    assert np.isclose(n["pure_slope"], gx * -gx / 2 + gy * -gy / hy, rtol=1e-12)
    assert n["modified_slope"] < 0
    for name in ("modified_Newton", "gradient_descent", "BFGS"):
        assert np.isclose(n[f"saddle_f_{name}"], -1, atol=1e-9)
        assert np.isclose(abs(n[f"saddle_y_{name}"]), np.sqrt(2), atol=1e-4)
    assert n["saddle_y_gradient_descent_y0"] == 0 and abs(n["saddle_f_gradient_descent_y0"]) < 1e-12
    # fixed-step descent on ½(x² + 50y²) from (−4, 1.5): each coordinate multiplies by 1 − lr·λ per step
    steps = n["fixed_steps"]
    for tag, c in (("1", 1.0), ("1_9", 1.9), ("2_1", 2.1)):
        lr = c / 50
        expected = max(4 * abs(1 - lr) ** steps, 1.5 * abs(1 - 50 * lr) ** steps)
        assert np.isclose(n[f"fixed_step_error_{tag}"], expected, rtol=1e-6, atol=1e-300)
        assert n[f"fixed_step_flips_{tag}"] == (steps if 1 - 50 * lr < 0 else 0)
    assert n["cost_ratio_10"] > 1 and n["cost_ratio_30"] > n["cost_ratio_10"]  # timings: only their order is checked
    for size in (10, 30):
        x0 = np.zeros(size)
        f = lambda v: np.sum(100 * (v[1:] - v[:-1] ** 2) ** 2 + (1 - v[:-1]) ** 2)  # noqa: E731
        lbfgs = scipy.optimize.minimize(f, x0, jac=lambda v: scipy.optimize.rosen_der(v), method="L-BFGS-B",
                                        options={"gtol": 1e-8, "ftol": 1e-15, "maxiter": 15000})
        assert 0.3 < n[f"cost_njev_{size}_l_bfgs"] / lbfgs.njev < 3
        assert np.isclose(n[f"cost_units_{size}_newton"], n[f"cost_nit_{size}_newton"] * n[f"cost_ratio_{size}"])
    assert result.verdicts == {"fast": "confirmed", "hessian-inverse-shrinks": "corrected", "expensive": "confirmed",
                               "positive-definite-only": "depends", "newton-saddle": "depends",
                               "gd-escapes-saddle": "depends", "gd-step-must-shrink": "corrected"}
    assert [f.name for f in result.figures] == ["newton_vs_gd"]
