"""The forms ``minimize`` accepts give the same answers: a function of Tensors (autograd) and of
arrays (explicit jac, jac=True, hess or hessp); SciPy's result fields, callbacks and limits."""
from __future__ import annotations

import numpy as np
import pytest
import scipy.optimize
from hypothesis import given
from hypothesis import strategies as st

import gradbook as gb
from gradbook.optimize import METHODS, OptimizeResult, minimize, problems

ALL = list(METHODS)


def _array_kwargs(problem, method):
    kwargs = {"jac": problem.jac}
    if method in ("newton", "newton-cg"):
        kwargs["hess"] = problem.hess
    return kwargs


FORM_CASES = {"rosenbrock": lambda: problems.rosenbrock(2), "logistic": lambda: problems.logistic_regression(1e-2),
              "saddle": lambda: problems.saddle((0.3, 0.05))}


def _form_params():
    for name in FORM_CASES:
        for method in ALL:
            # steepest descent needs ~10⁴ iterations on Rosenbrock: seconds of autograd
            marks = [pytest.mark.slow] if (method, name) == ("gd", "rosenbrock") else []
            yield pytest.param(method, name, marks=marks, id=f"{method}-{name}")


@pytest.mark.parametrize("method, name", _form_params())
def test_tensor_and_array_functions_give_the_same_result(method, name):
    make = FORM_CASES[name]
    problem = make()
    options = {"maxiter": 30000} if method == "gd" else None
    tol = 1e-7 if (method, name) == ("gd", "saddle") else 1e-9  # see test_scipy_parity's gd test
    from_tensors = minimize(problem.tensor_fun, problem.x0, method=method, tol=tol, options=options)
    from_arrays = minimize(problem.fun, problem.x0, method=method, tol=tol, options=options,
                           **_array_kwargs(problem, method))
    assert from_tensors.success and from_arrays.success, (from_tensors.message, from_arrays.message)
    np.testing.assert_allclose(from_tensors.x, from_arrays.x, atol=1e-6 if method == "gd" else 1e-8)
    np.testing.assert_allclose(from_tensors.jac, problem.jac(from_tensors.x), rtol=1e-9, atol=1e-12)
    assert from_tensors.fun == pytest.approx(from_arrays.fun, rel=1e-9, abs=1e-12)
    # autograd and the hand-written derivatives differ only in rounding: the runs barely part
    # (steepest descent's trial steps, from differences of f, amplify rounding the most)
    assert abs(from_tensors.nit - from_arrays.nit) <= max(3, (0.5 if method == "gd" else 0.1) * from_arrays.nit)


@pytest.mark.parametrize("method", ALL)
def test_jac_true_and_hessp_forms_match_the_separate_callables(method):
    # steepest descent on Rosenbrock takes ~10⁴ iterations: it gets the logistic problem
    problem = problems.logistic_regression(1e-2) if method == "gd" else problems.rosenbrock(2)
    options = {"maxiter": 30000} if method == "gd" else None
    separate = minimize(problem.fun, problem.x0, method=method, tol=1e-8, options=options,
                        **_array_kwargs(problem, method))
    extra = {"hessp": problem.hessp} if method in ("newton", "newton-cg") else {}
    together = minimize(lambda x: (problem.fun(x), problem.jac(x)), problem.x0, method=method, jac=True,
                        tol=1e-8, options=options, **extra)
    np.testing.assert_allclose(together.x, separate.x, atol=1e-9)
    assert together.nit == separate.nit


def _spd(n, log_condition, seed):
    rng = np.random.default_rng(seed)
    basis, _ = np.linalg.qr(rng.standard_normal((n, n)))
    a = (basis * np.logspace(0, log_condition, n)) @ basis.T
    return 0.5 * (a + a.T), rng.standard_normal(n)


@given(n=st.integers(1, 8), log_condition=st.floats(0, 3), seed=st.integers(0, 2**16), method=st.sampled_from(ALL))
def test_every_method_solves_random_convex_quadratics(n, log_condition, seed, method):
    """½ xᵀAx − bᵀx with random A (condition up to 1e3): x = A⁻¹b, as SciPy's BFGS finds.

    f is evaluated about its minimiser, ½ (x − x*)ᵀA(x − x*) + f*, the same function with less
    rounding: written plainly, its changes near x* (≈ ‖∇f‖²/λ_max per steepest-descent step) sink
    below the κ·eps rounding of ½ xᵀAx before x is within 1e-6, and 'gd' stops short."""
    a, b = _spd(n, log_condition, seed)
    exact = np.linalg.solve(a, b)

    def fun(x):
        return 0.5 * (x - exact) @ a @ (x - exact) - 0.5 * b @ exact

    def jac(x):
        return a @ x - b

    # l-bfgs: no relative-decrease stop (its ftol), which may end a run on one short step
    options = {"gd": {"maxiter": 50000}, "l-bfgs": {"ftol": 0.0}}.get(method)
    result = minimize(fun, np.zeros(n), method=method, jac=jac, hess=lambda x: a, tol=1e-10, options=options)
    assert result.status in (0, 2), result.message  # 2: rounding stopped the line search at the end
    np.testing.assert_allclose(result.x, exact, atol=1e-6 * max(1.0, np.abs(exact).max()))
    theirs = scipy.optimize.minimize(fun, np.zeros(n), jac=jac, method="BFGS", options={"gtol": 1e-10})
    np.testing.assert_allclose(result.x, theirs.x, atol=1e-6 * max(1.0, np.abs(exact).max()))


@given(n=st.integers(1, 5), seed=st.integers(0, 2**16), method=st.sampled_from(["newton", "newton-cg", "bfgs", "l-bfgs", "cg"]))
def test_tensor_quadratics_with_args(n, seed, method):
    """A Tensor function taking its data through ``args``, as in SciPy."""
    a, b = _spd(n, 2.0, seed)

    def fun(x, matrix, vector):
        return 0.5 * (x * (matrix @ x)).sum() - (vector * x).sum()

    result = minimize(fun, np.ones(n), args=(gb.tensor(a, dtype="float64"), gb.tensor(b, dtype="float64")),
                      method=method, tol=1e-10, options={"ftol": 0.0} if method == "l-bfgs" else None)
    assert result.status in (0, 2), result.message
    np.testing.assert_allclose(result.x, np.linalg.solve(a, b), atol=1e-7)


def test_result_fields_have_scipys_names_and_meaning():
    problem = problems.quadratic(8, 1e2)
    result = minimize(problem.fun, problem.x0, method="bfgs", jac=problem.jac, tol=1e-10)
    theirs = scipy.optimize.minimize(problem.fun, problem.x0, method="BFGS", jac=problem.jac, tol=1e-10)
    assert isinstance(result, OptimizeResult)
    for name in ("x", "fun", "jac", "nit", "nfev", "njev", "success", "status", "message", "hess_inv"):
        assert name in result and name in theirs
        assert getattr(result, name) is result[name]
    assert result.success and result.status == 0 and result.message == theirs.message
    np.testing.assert_allclose(result.jac, problem.jac(result.x))
    assert result.fun == problem.fun(result.x)
    # BFGS's H has learnt the inverse Hessian along the directions it explored
    a = problem.hess(result.x)
    assert np.linalg.norm(result.hess_inv @ a - np.eye(8)) < 0.5
    lbfgs = minimize(problem.fun, problem.x0, method="l-bfgs", jac=problem.jac, tol=1e-10, options={"m": 8})
    v = np.random.default_rng(0).standard_normal(8)
    assert lbfgs.hess_inv.shape == (8, 8)
    np.testing.assert_allclose(lbfgs.hess_inv.matvec(v), lbfgs.hess_inv @ v)
    newton = minimize(problem.tensor_fun, problem.x0, method="newton")
    assert newton.nhev >= 1 and "hess_inv" not in newton
    assert "nit:" in repr(result) and "message:" in repr(result)


def test_maxiter_stops_with_status_1():
    problem = problems.rosenbrock(2)
    for method in ALL:
        result = minimize(problem.tensor_fun, problem.x0, method=method, options={"maxiter": 3})
        assert (result.nit, result.status, result.success) == (3, 1, False)
        assert "Maximum number of iterations" in result.message


@pytest.mark.parametrize("method", ALL)
def test_callbacks_in_both_styles_and_stop_iteration(method):
    problem = problems.rosenbrock(2)
    seen, intermediate = [], []
    result = minimize(problem.fun, problem.x0, method=method, callback=seen.append, options={"maxiter": 5},
                      **_array_kwargs(problem, method))
    assert len(seen) == result.nit == 5
    np.testing.assert_array_equal(seen[-1], result.x)

    def new_style(intermediate_result):
        intermediate.append(intermediate_result)
        if len(intermediate) == 2:
            raise StopIteration

    stopped = minimize(problem.fun, problem.x0, method=method, callback=new_style, **_array_kwargs(problem, method))
    assert (stopped.status, stopped.success, stopped.nit) == (99, False, 2)
    assert isinstance(intermediate[-1], OptimizeResult)
    assert intermediate[-1].fun == pytest.approx(problem.fun(intermediate[-1].x))
    np.testing.assert_allclose(intermediate[-1].x, stopped.x)


def test_tensor_functions_work_under_no_grad_and_any_default_dtype():
    gb.set_default_dtype("float32")
    problem = problems.rosenbrock(2)
    dtypes = []

    def fun(x):
        dtypes.append(str(x.dtype))
        return problem.tensor_fun(x)

    with gb.no_grad():
        result = minimize(fun, problem.x0, method="newton", tol=1e-10)
    assert result.success and set(dtypes) == {"float64"}
    np.testing.assert_allclose(result.x, [1.0, 1.0], atol=1e-10)


def test_a_scalar_x0_and_a_tensor_x0_are_accepted():
    result = minimize(lambda x: ((x - 2.0) ** 2).sum(), 0.0, method="bfgs")
    assert result.x.shape == (1,)
    np.testing.assert_allclose(result.x, [2.0], atol=1e-8)
    result = minimize(lambda x: ((x - 2.0) ** 2).sum(), gb.zeros(3), method="l-bfgs")
    np.testing.assert_allclose(result.x, [2.0] * 3, atol=1e-8)


def test_a_function_that_does_not_depend_on_x_is_already_minimal():
    result = minimize(lambda x: gb.tensor(3.0, dtype="float64"), np.ones(2), method="newton")
    assert result.success and result.nit == 0 and result.fun == 3.0


def test_memory_goes_by_m_or_scipys_maxcor():
    problem = problems.rosenbrock(20)
    by_m = minimize(problem.fun, problem.x0, method="l-bfgs", jac=problem.jac, options={"m": 3})
    by_maxcor = minimize(problem.fun, problem.x0, method="l-bfgs", jac=problem.jac, options={"maxcor": 3})
    default = minimize(problem.fun, problem.x0, method="l-bfgs", jac=problem.jac)
    assert by_m.nit == by_maxcor.nit != default.nit


@pytest.mark.parametrize("make", [lambda: problems.rosenbrock(5), lambda: problems.logistic_regression(1e-3),
                                  lambda: problems.saddle()], ids=["rosenbrock", "logistic", "saddle"])
def test_autograd_hessians_and_products_equal_the_written_out_ones(make):
    """What the Newton methods get from a Tensor function (double backward) is the true Hessian."""
    from gradbook.optimize.objective import Objective

    problem = make()
    rng = np.random.default_rng(0)
    x = problem.x0 + 0.3 * rng.standard_normal(problem.x0.size)
    v = rng.standard_normal(problem.x0.size)
    objective = Objective(problem.tensor_fun, x.size, (), None, None, None, "test", second_order=True)
    f, g = objective.value_and_grad(x)
    assert f == pytest.approx(problem.fun(x), rel=1e-12)
    np.testing.assert_allclose(g, problem.jac(x), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(objective.hessian_product(x)(v), problem.hessp(x, v), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(objective.hessian(x), problem.hess(x), rtol=1e-10, atol=1e-12)
    assert (objective.nfev, objective.njev) == (1, 1)  # one forward and one gradient graph served all
