"""The shared line searches: every step returned by ``strong_wolfe`` satisfies both strong Wolfe
conditions and every ``armijo_backtracking`` step the sufficient decrease, on random points and
directions of Rosenbrock and of random quadratics; the zoom's cubic is exact on cubics."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gradbook.optimize import armijo_backtracking, problems, strong_wolfe
from gradbook.optimize.linesearch import _cubic_minimiser, _Point
from gradbook.optimize.objective import Objective


def _objective(problem):
    return Objective(problem.fun, problem.x0.size, (), problem.jac, None, None, "test")


@st.composite
def downhill(draw):
    """(problem, x, p) with p a descent direction at x: −∇f, or a random one turned downhill."""
    n = draw(st.integers(2, 6))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    if draw(st.booleans()):
        problem = problems.rosenbrock(n)
        x = rng.uniform(-2, 2, n)
    else:
        problem = problems.quadratic(n, 10.0 ** draw(st.floats(0, 4)), seed)
        x = rng.standard_normal(n) * 3
    g = problem.jac(x)
    p = -g if draw(st.booleans()) else rng.standard_normal(n)
    if p @ g > 0:
        p = -p
    scale = 10.0 ** draw(st.floats(-3, 2))
    return problem, x, p * scale


@given(downhill(), st.sampled_from([(1e-4, 0.9), (1e-4, 0.4), (1e-4, 0.1), (0.3, 0.6)]))
def test_strong_wolfe_steps_satisfy_both_conditions(case, constants):
    problem, x, p = case
    c1, c2 = constants
    g0 = problem.jac(x)
    slope0 = g0 @ p
    if not slope0 < -1e-12 * np.linalg.norm(g0) * np.linalg.norm(p):
        return  # orthogonal to the gradient: no descent to find
    objective = _objective(problem)
    f0 = problem.fun(x)
    step = strong_wolfe(objective, x, p, f0, g0, alpha1=1.0, c1=c1, c2=c2)
    assert step.alpha is not None and step.alpha > 0
    x_new = x + step.alpha * p
    assert step.f == pytest.approx(problem.fun(x_new), rel=1e-12, abs=1e-12)
    np.testing.assert_allclose(step.g, problem.jac(x_new), rtol=1e-12, atol=1e-12)
    assert step.f <= f0 + c1 * step.alpha * slope0 + 1e-12 * abs(f0)  # sufficient decrease
    assert abs(step.g @ p) <= c2 * abs(slope0) * (1 + 1e-9)             # strong curvature


@given(downhill(), st.floats(0.1, 0.9))
def test_armijo_steps_decrease_enough_and_are_the_first_that_do(case, rho):
    problem, x, p = case
    g0 = problem.jac(x)
    slope0 = g0 @ p
    if not slope0 < 0:
        return
    f0 = problem.fun(x)
    step = armijo_backtracking(_objective(problem), x, p, f0, slope0, alpha0=1.0, rho=rho)
    assert step.alpha is not None
    assert step.f <= f0 + 1e-4 * step.alpha * slope0
    if step.alpha < 1.0:  # the previous, longer trial failed the test
        longer = step.alpha / rho
        assert problem.fun(x + longer * p) > f0 + 1e-4 * longer * slope0


def test_strong_wolfe_reports_failure_on_a_function_unbounded_below():
    """f = −x: every longer step is better, the curvature condition never holds."""
    objective = Objective(lambda x: float(-x[0]), 1, (), lambda x: -np.ones(1), None, None, "test")
    x, g = np.zeros(1), -np.ones(1)
    step = strong_wolfe(objective, x, np.ones(1), 0.0, g, max_evals=20)
    assert step.alpha is None and objective.nfev == 20


def test_strong_wolfe_shortens_steps_into_nan():
    """Beyond x = 1 the function is NaN: the search treats that as too long, not as an error."""
    def fun(x):
        return float((x[0] - 0.9) ** 2) if x[0] < 1 else float("nan")

    def jac(x):
        return np.array([2 * (x[0] - 0.9)]) if x[0] < 1 else np.array([np.nan])

    objective = Objective(fun, 1, (), jac, None, None, "test")
    x = np.zeros(1)
    step = strong_wolfe(objective, x, np.ones(1), fun(x), jac(x), alpha1=50.0)
    assert step.alpha is not None and step.alpha < 1 and np.isfinite(step.f)


@given(st.lists(st.floats(-3, 3), min_size=4, max_size=4), st.floats(0.5, 4))
def test_the_zoom_cubic_is_exact_on_cubics(coefficients, right):
    """Through φ and φ' at two points, the interpolating cubic of a cubic is that cubic."""
    c0, c1, c2, _ = coefficients
    c3 = 1.0  # φ = c0 + c1 α + c2 α² + α³, whose local minimiser (if any) we know
    discriminant = c2 * c2 - 3 * c3 * c1
    if discriminant <= 1e-6:
        return
    minimiser = (-c2 + np.sqrt(discriminant)) / (3 * c3)
    if not 0.02 * right < minimiser < 0.98 * right:
        return
    phi = lambda a: c0 + c1 * a + c2 * a * a + c3 * a ** 3  # noqa: E731
    slope = lambda a: c1 + 2 * c2 * a + 3 * c3 * a * a  # noqa: E731
    a, b = _Point(0.0, phi(0.0), None, slope(0.0)), _Point(right, phi(right), None, slope(right))
    assert _cubic_minimiser(a, b) == pytest.approx(minimiser, rel=1e-8, abs=1e-10)
