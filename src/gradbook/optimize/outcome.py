"""What every method shares around its loop: the gradient-norm test, the user's callback and the
assembly of the ``OptimizeResult``."""
from __future__ import annotations

import inspect
from typing import Callable

import numpy as np

from .result import MAXITER, MESSAGES, NAN_FOUND, SUCCESS, OptimizeResult


def gradient_norm(g: np.ndarray, norm: float) -> float:
    """‖g‖ in the given order (SciPy's ``norm`` option: ``np.inf`` is the largest |gᵢ|)."""
    return float(np.linalg.norm(g, ord=norm))


def stopping_status(f: float, g: np.ndarray, nit: int, gtol: float, norm: float, maxiter: int) -> int | None:
    """The status a method stops with before its next iteration, or None to go on: NaN or
    infinity in f or g, then ‖g‖ ≤ gtol (success), then the iteration limit."""
    if not (np.isfinite(f) and np.all(np.isfinite(g))):
        return NAN_FOUND
    if gradient_norm(g, norm) <= gtol:
        return SUCCESS
    if nit >= maxiter:
        return MAXITER
    return None


class Callback:
    """Calls the user's ``callback`` once per iteration, in either of SciPy's two forms:
    ``callback(intermediate_result)`` (an ``OptimizeResult`` with ``x`` and ``fun``) when its one
    parameter has that name, else ``callback(xk)``. Raising ``StopIteration`` stops the method
    (status 99); a call returns True then."""

    def __init__(self, fn: Callable | None):
        self.fn = fn
        self.new_style = False
        if fn is not None:
            try:
                self.new_style = set(inspect.signature(fn).parameters) == {"intermediate_result"}
            except (TypeError, ValueError):  # builtins without a signature
                self.new_style = False

    def __call__(self, x: np.ndarray, f: float) -> bool:
        if self.fn is None:
            return False
        try:
            if self.new_style:
                self.fn(intermediate_result=OptimizeResult(x=x.copy(), fun=f))
            else:
                self.fn(x.copy())
        except StopIteration:
            return True
        return False


def finish(objective, x: np.ndarray, f: float, g: np.ndarray, nit: int, status: int,
           message: str | None = None, **extra) -> OptimizeResult:
    """The ``OptimizeResult`` of a finished run, with the objective's evaluation counts."""
    result = OptimizeResult(x=np.array(x, dtype=np.float64), fun=float(f), jac=np.array(g, dtype=np.float64),
                            nit=nit, nfev=objective.nfev, njev=objective.njev, status=status,
                            success=status == SUCCESS, message=message or MESSAGES[status])
    result.update(extra)
    return result
