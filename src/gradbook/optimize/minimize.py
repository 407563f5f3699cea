"""``minimize``: one entry point to every method, with SciPy's arguments and result."""
from __future__ import annotations

import inspect
from typing import Callable

import numpy as np

from ..autograd import Tensor
from .bfgs import minimize_bfgs
from .cg import minimize_cg
from .gd import minimize_gd
from .lbfgs import minimize_lbfgs
from .newton import minimize_newton
from .newton_cg import minimize_newton_cg
from .objective import Objective
from .outcome import Callback
from .result import OptimizeResult

METHODS = {
    "gd": minimize_gd,
    "newton": minimize_newton,
    "newton-cg": minimize_newton_cg,
    "bfgs": minimize_bfgs,
    "l-bfgs": minimize_lbfgs,
    "cg": minimize_cg,
}
SECOND_ORDER = {"newton", "newton-cg"}
# `tol` sets every tolerance a method has (SciPy: gtol for bfgs/cg, ftol and gtol for l-bfgs-b,
# xtol for newton-cg; here newton-cg's gtol too)
TOLERANCES = ("gtol", "xtol", "ftol")


def minimize(fun: Callable, x0, args: tuple = (), method: str = "bfgs", jac=None, hess=None, hessp=None,
             tol: float | None = None, callback: Callable | None = None,
             options: dict | None = None) -> OptimizeResult:
    """Minimise a scalar function of n variables, with SciPy's ``scipy.optimize.minimize`` contract.

    Parameters
    ----------
    fun : callable
        ``fun(x, *args) -> f``. With ``jac=None``, x is a float64 gradbook ``Tensor`` of shape (n,)
        and ``fun`` returns a scalar ``Tensor``: ∇f comes from autograd, and the Newton methods'
        Hessian-vector products from differentiating the gradient again. Otherwise x is an
        ndarray (n,) and ``fun`` returns a float.
    x0 : array_like (n,)
        Starting point (a scalar counts as n = 1).
    args : tuple
        Extra arguments passed to ``fun``, ``jac``, ``hess`` and ``hessp``.
    method : {'gd', 'newton', 'newton-cg', 'bfgs', 'l-bfgs', 'cg'}
        Steepest descent, Newton with a modified Hessian, truncated Newton-CG, BFGS, L-BFGS and
        nonlinear CG (each module's docstring states its algorithm and reference). Case-insensitive.
    jac : None, callable or True
        ``jac(x, *args) -> ndarray (n,)``; ``True`` when ``fun`` returns ``(f, g)``; None for autograd.
    hess, hessp : callable, optional
        ``hess(x, *args) -> (n, n)``; ``hessp(x, p, *args) -> ∇²f(x) p``. Needed by 'newton' and
        'newton-cg' for functions of arrays (either one serves both methods).
    tol : float, optional
        Sets every tolerance option the method has (``gtol``; ``xtol`` for 'newton-cg'; ``ftol``
        for 'l-bfgs') unless ``options`` names it.
    callback : callable, optional
        Called after each iteration as ``callback(xk)``, or ``callback(intermediate_result)`` with an
        ``OptimizeResult`` holding ``x`` and ``fun`` when its one parameter has that name. Raising
        ``StopIteration`` ends the run (status 99).
    options : dict, optional
        The method's options (``maxiter``, ``gtol``, ``norm``, ``c1``, ``c2``, ``m`` for 'l-bfgs',
        ``variant`` for 'cg', …; see each ``minimize_<method>``). Unknown names are an error.

    Returns
    -------
    OptimizeResult
        ``x, fun, jac, nit, nfev, njev, success, status, message``; ``hess_inv`` for 'bfgs'
        (ndarray) and 'l-bfgs' (LinearOperator); ``nhev`` for the Newton methods.

    Examples
    --------
    >>> import numpy as np
    >>> from gradbook.optimize import minimize
    >>> rosen = lambda x: (100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2).sum()
    >>> result = minimize(rosen, np.array([-1.2, 1.0]), method="newton")
    >>> np.round(result.x, 6), result.success
    (array([1., 1.]), True)
    """
    if not isinstance(method, str):
        raise ValueError(f"minimize: method must be a string, one of {', '.join(map(repr, METHODS))}; "
                         f"got {method!r}")
    name = method.lower()
    if name not in METHODS:
        raise ValueError(f"minimize: unknown method {method!r}; choose one of {', '.join(map(repr, METHODS))}")
    where = f"minimize(method={name!r})"
    solver = METHODS[name]
    x = _check_x0(x0, where)
    if not isinstance(args, tuple):
        args = (args,)
    if callback is not None and not callable(callback):
        raise ValueError(f"{where}: callback must be callable, got {type(callback).__name__}")
    options = _check_options(solver, options, tol, where)
    # hess and hessp are unused by the first-order methods (SciPy warns and ignores them)
    objective = Objective(fun, x.size, args, jac, hess, hessp, where, second_order=name in SECOND_ORDER)
    return solver(objective, x, Callback(callback), **options)


def _check_x0(x0, where: str) -> np.ndarray:
    if isinstance(x0, Tensor):
        x0 = x0.data
    try:
        x = np.asarray(x0)
    except Exception as err:  # ragged lists and the like
        raise ValueError(f"{where}: x0 must be a 1-D array of numbers, got {x0!r}") from err
    if x.dtype.kind not in "biuf":
        raise ValueError(f"{where}: x0 must hold real numbers, got dtype {x.dtype}")
    x = np.atleast_1d(x.astype(np.float64))
    if x.ndim != 1:
        raise ValueError(f"{where}: x0 must be 1-D with shape (n,), got shape {x.shape}")
    if x.size == 0:
        raise ValueError(f"{where}: x0 is empty; there is nothing to minimise over")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{where}: x0 must be finite, got {x}")
    return x.copy()


def _check_options(solver, options, tol, where: str) -> dict:
    if options is None:
        options = {}
    if not isinstance(options, dict):
        raise ValueError(f"{where}: options must be a dict, got {type(options).__name__}")
    accepted = [p.name for p in inspect.signature(solver).parameters.values() if p.kind is p.KEYWORD_ONLY]
    options = dict(options)
    if "maxcor" in options and "m" in accepted:  # SciPy's L-BFGS-B name for the memory
        if "m" in options:
            raise ValueError(f"{where}: give the memory as m or as maxcor, not both")
        options["m"] = options.pop("maxcor")
    unknown = sorted(set(options) - set(accepted))
    if unknown:
        raise ValueError(f"{where}: unknown option(s) {', '.join(map(repr, unknown))}; "
                         f"this method takes {', '.join(map(repr, accepted))}")
    if tol is not None:
        if not (isinstance(tol, (int, float, np.floating)) and tol > 0):
            raise ValueError(f"{where}: tol must be a positive number, got {tol!r}")
        for option in TOLERANCES:
            if option in accepted:
                options.setdefault(option, float(tol))
    maxiter = options.get("maxiter")
    if maxiter is not None and not (isinstance(maxiter, (int, np.integer)) and maxiter >= 0):
        raise ValueError(f"{where}: maxiter must be a non-negative integer, got {maxiter!r}")
    return options
