"""Newton's method: quadratic convergence on the error sequence, and the Hessian modification that
makes it escape a saddle that pure Newton converges to; Newton-CG forms no Hessian."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gradbook.optimize import minimize, problems
from gradbook.optimize.newton import eigenvalue_modification, modified_cholesky
from gradbook.optimize.objective import Objective


def _iterates(problem, method="newton", form="array", **options):
    points = [problem.x0.copy()]
    kwargs = dict(jac=problem.jac, hess=problem.hess) if form == "array" else {}
    fun = problem.fun if form == "array" else problem.tensor_fun
    result = minimize(fun, problem.x0, method=method, tol=1e-14, callback=points.append,
                      options=options or None, **kwargs)
    return result, np.array(points)


@pytest.mark.parametrize("case, form", [("rosenbrock-2", "array"), ("rosenbrock-2", "tensor"),
                                        ("logistic", "array"), ("rosenbrock-20", "array")])
def test_newton_converges_quadratically(case, form):
    """e_{k+1} / e_k² stays bounded once the iterates are close (N&W Theorem 3.5), and the last
    steps multiply the number of correct digits."""
    problem = {"rosenbrock-2": lambda: problems.rosenbrock(2), "rosenbrock-20": lambda: problems.rosenbrock(20),
               "logistic": lambda: problems.logistic_regression(1e-3)}[case]()
    result, points = _iterates(problem, form=form)
    assert result.success, result.message
    errors = np.linalg.norm(points - result.x, axis=1)
    # the tail: from the first error below 1e-2 until the error reaches rounding
    start = int(np.argmax(errors < 1e-2))
    tail = errors[start:]
    tail = tail[tail > 1e-13]
    ratios = tail[1:] / tail[:-1] ** 2
    print(f"\n{case} ({form}) errors: " + " ".join(f"{e:.1e}" for e in errors[start:]))
    print("e_{k+1}/e_k^2: " + " ".join(f"{r:.2f}" for r in ratios))
    assert len(tail) >= 2, "too few iterates in the asymptotic regime to show the rate"
    assert np.all(ratios < 50.0)
    assert np.all(np.diff(tail) < 0)
    assert tail[-1] < tail[0] ** 1.8  # digits at least nearly double per step over the tail


def test_newton_escapes_a_saddle_that_pure_newton_converges_to():
    """f = x² − y² + y⁴/4 from (0.3, 0.001), close to the saddle at 0: the modified Hessian steps
    downhill along the negative curvature and reaches (0, √2); pure Newton jumps to the saddle."""
    problem = problems.saddle((0.3, 1e-3))
    modified = minimize(problem.fun, problem.x0, method="newton", jac=problem.jac, hess=problem.hess, tol=1e-10)
    pure = minimize(problem.fun, problem.x0, method="newton", jac=problem.jac, hess=problem.hess, tol=1e-10,
                    options={"hessian_modification": "none"})
    print(f"\nmodified Cholesky: x = {modified.x}, f = {modified.fun:.6f}, nit = {modified.nit}"
          f"\npure Newton:       x = {pure.x}, f = {pure.fun:.6f}, nit = {pure.nit}")
    np.testing.assert_allclose(modified.x, [0.0, np.sqrt(2.0)], atol=1e-9)
    assert modified.fun == pytest.approx(-1.0, abs=1e-12)
    assert np.all(np.linalg.eigvalsh(problem.hess(modified.x)) > 0)  # a minimiser
    np.testing.assert_allclose(pure.x, [0.0, 0.0], atol=1e-9)           # the saddle
    assert np.linalg.eigvalsh(problem.hess(pure.x))[0] < 0
    assert pure.fun > modified.fun


@pytest.mark.parametrize("modification", ["cholesky", "eigenvalue"])
@pytest.mark.parametrize("form", ["array", "tensor"])
@pytest.mark.parametrize("start", [(0.0, 0.0), (0.5, 0.0), (0.3, 1e-3)])
def test_newton_leaves_the_saddle_from_anywhere_near_it(modification, form, start):
    """Even started exactly at the saddle (∇f = 0), the negative-curvature step leaves it."""
    problem = problems.saddle(start)
    kwargs = dict(jac=problem.jac, hess=problem.hess) if form == "array" else {}
    result = minimize(problem.fun if form == "array" else problem.tensor_fun, problem.x0, method="newton",
                      tol=1e-10, options={"hessian_modification": modification}, **kwargs)
    assert result.success, result.message
    np.testing.assert_allclose(np.abs(result.x), [0.0, np.sqrt(2.0)], atol=1e-8)


def test_pure_newton_at_the_saddle_reports_it_as_stationary():
    result = minimize(problems.saddle().tensor_fun, [0.0, 0.0], method="newton",
                      options={"hessian_modification": "none"})
    assert result.nit == 0 and np.all(result.x == 0)


@given(st.integers(1, 6), st.integers(0, 10_000))
def test_modified_hessians_are_positive_definite_and_leave_definite_ones_alone(n, seed):
    rng = np.random.default_rng(seed)
    basis, _ = np.linalg.qr(rng.standard_normal((n, n)))
    eigenvalues = rng.uniform(-5, 5, n) * 10.0 ** rng.uniform(-2, 2, n)
    hessian = (basis * eigenvalues) @ basis.T
    hessian = 0.5 * (hessian + hessian.T)
    g = rng.standard_normal(n)
    factor, tau = modified_cholesky(hessian)
    np.testing.assert_allclose(factor @ factor.T, hessian + tau * np.eye(n), rtol=1e-10, atol=1e-10)
    smallest = np.min(np.linalg.eigvalsh(hessian))
    if smallest > 1e-8 * np.max(np.abs(eigenvalues)):
        assert tau == 0  # a positive definite H is used as it is
    if tau == 0:
        assert smallest > 0
    p = -np.linalg.solve(hessian + tau * np.eye(n), g)
    assert g @ p < 0  # a descent direction, whatever the inertia of H
    vectors, magnitudes, changed = eigenvalue_modification(hessian)
    assert np.all(magnitudes > 0)
    assert changed == bool(np.min(np.linalg.eigvalsh(hessian)) < 1e-8 * max(1.0, np.max(np.abs(eigenvalues))))
    assert g @ (-vectors @ ((vectors.T @ g) / magnitudes)) < 0


@pytest.mark.parametrize("form", ["hessp", "tensor"])
def test_newton_cg_never_forms_the_hessian(form, monkeypatch):
    def refuse(*_):
        raise AssertionError("newton-cg formed the Hessian")

    monkeypatch.setattr(Objective, "hessian", refuse)
    problem = problems.rosenbrock(20)
    if form == "hessp":
        result = minimize(problem.fun, problem.x0, method="newton-cg", jac=problem.jac, hessp=problem.hessp, tol=1e-10)
    else:
        result = minimize(problem.tensor_fun, problem.x0, method="newton-cg", tol=1e-10)
    assert result.success
    np.testing.assert_allclose(result.x, np.ones(20), atol=1e-8)
    assert result.nhev > result.nit  # several Hessian-vector products per iteration


def test_newton_cg_and_newton_take_hess_or_hessp_for_array_functions():
    problem = problems.logistic_regression(1e-3)
    results = [minimize(problem.fun, problem.x0, method=method, jac=problem.jac, tol=1e-10, **second)
               for method in ("newton", "newton-cg")
               for second in ({"hess": problem.hess}, {"hessp": problem.hessp})]
    for result in results[1:]:
        np.testing.assert_allclose(result.x, results[0].x, atol=1e-8)
