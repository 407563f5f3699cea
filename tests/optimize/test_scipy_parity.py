"""Every method against its scipy.optimize.minimize twin on Rosenbrock (2-d, 20-d), a convex
quadratic of condition number 1e4, L2-regularised logistic regression on breast-cancer, and a
saddle: the same minimiser to 1e-6 and iteration counts of the same order (both printed; run
with -s to see them). 'gd' has no SciPy twin: its minimiser is checked against SciPy's BFGS.

The minimiser is compared with SciPy's trust-exact run to ‖∇f‖ ≤ 1e-12 (the reference), and with
the twin's wherever the twin met the tolerance (SciPy's Newton-CG stops on logistic regression
with ‖∇f‖ ≈ 1e-7, 4e-5 away from the minimiser, whatever its xtol)."""
from __future__ import annotations

import functools

import numpy as np
import pytest

from gradbook.optimize import problems

# gradient tolerance per problem: tight enough that x is accurate to well under 1e-6
PROBLEMS = {
    "rosenbrock-2": (lambda: problems.rosenbrock(2), 1e-9),
    "rosenbrock-20": (lambda: problems.rosenbrock(20), 1e-9),
    "quadratic-1e4": (lambda: problems.quadratic(20, 1e4), 1e-8),
    "logistic": (lambda: problems.logistic_regression(1e-3), 1e-9),
    "saddle": (lambda: problems.saddle((0.3, 0.05)), 1e-9),
}
METHODS = ["newton", "newton-cg", "bfgs", "l-bfgs", "cg"]
# iteration counts must agree within this factor (they differ by line search details, not order)
NIT_FACTOR = 3.0


@functools.lru_cache(maxsize=None)
def _problem(name):
    return PROBLEMS[name][0]()


@functools.lru_cache(maxsize=None)
def _reference(name):
    import scipy.optimize

    problem = _problem(name)
    return scipy.optimize.minimize(problem.fun, problem.x0, method="trust-exact", jac=problem.jac,
                                   hess=problem.hess, options={"gtol": 1e-12}).x


def _assert_same_minimiser(name, ours, theirs):
    np.testing.assert_allclose(ours.x, _reference(name), atol=1e-6, rtol=0)
    if np.abs(theirs.jac).max() <= 10 * PROBLEMS[name][1]:
        np.testing.assert_allclose(ours.x, theirs.x, atol=1e-6, rtol=0)
    if _problem(name).minimiser is not None:
        np.testing.assert_allclose(ours.x, _problem(name).minimiser, atol=1e-6, rtol=0)


def _compare(name, method, form="array", options=None):
    problem, tol = _problem(name), PROBLEMS[name][1]
    ours, theirs, _, _ = problems.solve_pair(problem, method, tol, form, options)
    print(f"\n{method:10s} {name:14s} gradbook nit={ours.nit} nfev={ours.nfev} | "
          f"scipy {problems.SCIPY_TWINS[method]} nit={theirs.nit} nfev={theirs.nfev} | "
          f"|x - x_scipy| = {np.abs(ours.x - theirs.x).max():.1e}")
    return problem, ours, theirs


@pytest.mark.parametrize("name", list(PROBLEMS))
@pytest.mark.parametrize("method", METHODS)
def test_same_minimiser_and_iterations_as_scipy(method, name):
    problem, ours, theirs = _compare(name, method)
    assert ours.success, ours.message
    _assert_same_minimiser(name, ours, theirs)
    assert abs(ours.fun - theirs.fun) <= 1e-9 * max(1.0, abs(theirs.fun))
    assert theirs.nit / NIT_FACTOR <= ours.nit <= NIT_FACTOR * max(theirs.nit, 1)


def test_fletcher_reeves_reaches_the_same_minimisers():
    for name in ("rosenbrock-2", "logistic", "saddle"):
        _, ours, theirs = _compare(name, "cg", options={"variant": "fr"})
        assert ours.success, ours.message
        _assert_same_minimiser(name, ours, theirs)
        assert ours.nit <= 2 * NIT_FACTOR * theirs.nit  # FR restarts more than PR+ needs to


@pytest.mark.parametrize("name", ["logistic", "saddle"])
def test_steepest_descent_reaches_the_same_minimiser(name):
    # gtol 1e-7: below it, Armijo's test on f alone cannot see the decrease of a steepest-descent
    # step on the saddle problem (f changes by ~‖∇f‖² α ≈ 1e-16 at f = −1)
    options = {"maxiter": 20000, "gtol": 1e-7} if name == "saddle" else {"maxiter": 20000}
    _, ours, theirs = _compare(name, "gd", options=options)
    assert ours.success, ours.message
    _assert_same_minimiser(name, ours, theirs)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["rosenbrock-2", "rosenbrock-20", "quadratic-1e4"])
def test_steepest_descent_on_ill_conditioned_problems(name):
    # linear convergence at rate ~(κ−1)/(κ+1): tens of thousands of iterations
    _, ours, theirs = _compare(name, "gd", options={"maxiter": 200000})
    assert ours.status in (0, 2), ours.message
    _assert_same_minimiser(name, ours, theirs)
