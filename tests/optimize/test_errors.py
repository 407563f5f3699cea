"""Bad input gets a ValueError that names ``minimize`` and the method and says what was wrong."""
from __future__ import annotations

import numpy as np
import pytest

import gradbook as gb
from gradbook.optimize import minimize, problems

ROSEN = problems.rosenbrock(2)


def _raises(match, *args, **kwargs):
    with pytest.raises(ValueError, match=match) as info:
        minimize(*args, **kwargs)
    return str(info.value)


def test_unknown_method_lists_the_known_ones():
    message = _raises(r"minimize: unknown method 'newtn'", ROSEN.tensor_fun, ROSEN.x0, method="newtn")
    for name in ("'gd'", "'newton'", "'newton-cg'", "'bfgs'", "'l-bfgs'", "'cg'"):
        assert name in message
    _raises(r"minimize: method must be a string", ROSEN.tensor_fun, ROSEN.x0, method=None)


def test_method_names_are_case_insensitive():
    assert minimize(ROSEN.tensor_fun, ROSEN.x0, method="BFGS").success


@pytest.mark.parametrize("x0, what", [(np.zeros((2, 2)), r"x0 must be 1-D with shape \(n,\), got shape \(2, 2\)"),
                                      (np.zeros(0), "x0 is empty"),
                                      ([1.0, np.nan], "x0 must be finite"),
                                      (["a", "b"], "x0 must hold real numbers"),
                                      ([1.0 + 2j], "x0 must hold real numbers")])
def test_bad_x0(x0, what):
    _raises(r"minimize\(method='bfgs'\): " + what, ROSEN.tensor_fun, x0, method="bfgs")


def test_an_array_function_without_jac_is_told_to_pass_one():
    def numpy_only(x):
        return float(np.sum(np.asarray(x, dtype=np.float64) ** 2))

    message = _raises(r"minimize\(method='l-bfgs'\): with jac=None, fun is called with a Tensor", numpy_only,
                      np.ones(2), method="l-bfgs")
    assert "pass jac" in message

    def breaks_on_tensors(x):
        return float(np.sum(x, axis=0) ** 2)

    _raises(r"minimize\(method='cg'\): with jac=None, fun is called with a gradbook Tensor .* that call failed.*pass jac",
            breaks_on_tensors, np.ones(2), method="cg")


def test_newton_methods_on_array_functions_need_second_derivatives():
    for method in ("newton", "newton-cg"):
        _raises(rf"minimize\(method='{method}'\) needs second derivatives: pass hess or hessp",
                ROSEN.fun, ROSEN.x0, method=method, jac=ROSEN.jac)


def test_finite_differences_are_not_offered():
    message = _raises(r"minimize\(method='bfgs'\): jac must be None .* got '2-point'", ROSEN.fun, ROSEN.x0,
                      jac="2-point")
    assert "finite differences are not offered" in message
    _raises(r"hess must be a callable or None", ROSEN.fun, ROSEN.x0, method="newton", jac=ROSEN.jac, hess="bfgs")


def test_wrong_shapes_from_the_users_functions():
    _raises(r"minimize\(method='bfgs'\): jac returned shape \(3,\), expected \(2,\)", ROSEN.fun, ROSEN.x0,
            jac=lambda x: np.zeros(3))
    _raises(r"minimize\(method='bfgs'\): fun must return a scalar, got shape \(2,\)", lambda x: x * x, ROSEN.x0)
    _raises(r"minimize\(method='newton'\): hess returned shape \(3, 3\), expected \(2, 2\)", ROSEN.fun, ROSEN.x0,
            method="newton", jac=ROSEN.jac, hess=lambda x: np.eye(3))
    _raises(r"with jac=True, fun must return \(f, gradient\)", ROSEN.fun, ROSEN.x0, jac=True)


def test_options_are_checked_against_the_method():
    message = _raises(r"minimize\(method='bfgs'\): unknown option\(s\) 'm'", ROSEN.tensor_fun, ROSEN.x0,
                      options={"m": 5})
    assert "'gtol'" in message and "'maxiter'" in message
    _raises(r"options must be a dict", ROSEN.tensor_fun, ROSEN.x0, options=[("gtol", 1e-3)])
    _raises(r"tol must be a positive number", ROSEN.tensor_fun, ROSEN.x0, tol=-1.0)
    _raises(r"maxiter must be a non-negative integer", ROSEN.tensor_fun, ROSEN.x0, options={"maxiter": 2.5})
    _raises(r"minimize\(method='l-bfgs'\): memory m must be a positive integer", ROSEN.tensor_fun, ROSEN.x0,
            method="l-bfgs", options={"m": 0})
    _raises(r"give the memory as m or as maxcor, not both", ROSEN.tensor_fun, ROSEN.x0, method="l-bfgs",
            options={"m": 3, "maxcor": 4})
    _raises(r"minimize\(method='cg'\): variant must be 'pr\+' .* or 'fr'", ROSEN.tensor_fun, ROSEN.x0,
            method="cg", options={"variant": "hs"})
    _raises(r"minimize\(method='cg'\): need 0 < c1 < c2 < 1/2", ROSEN.tensor_fun, ROSEN.x0, method="cg",
            options={"c2": 0.9})
    _raises(r"minimize\(method='newton'\): hessian_modification must be", ROSEN.tensor_fun, ROSEN.x0,
            method="newton", options={"hessian_modification": "levenberg"})
    _raises(r"minimize\(method='bfgs'\): hess_inv0 has shape \(3, 3\), expected \(2, 2\)", ROSEN.tensor_fun,
            ROSEN.x0, options={"hess_inv0": np.eye(3)})


def test_callback_and_fun_must_be_callable():
    _raises(r"callback must be callable", ROSEN.tensor_fun, ROSEN.x0, callback=3)
    with pytest.raises(TypeError, match=r"minimize\(method='bfgs'\): fun must be callable"):
        minimize("rosen", ROSEN.x0)


def test_a_nan_objective_is_reported_not_raised():
    result = minimize(lambda x: (x * gb.tensor(float("nan"), dtype="float64")).sum(), np.ones(2))
    assert (result.status, result.success) == (3, False) and result.message == "NaN result encountered."
