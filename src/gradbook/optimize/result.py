"""``OptimizeResult``: what ``minimize`` returns, a dict whose keys are also attributes (SciPy's
contract, so code written against ``scipy.optimize.minimize`` reads the same fields)."""
from __future__ import annotations

import numpy as np

# SciPy's status codes and messages, shared by every method
SUCCESS, MAXITER, PRECISION_LOSS, NAN_FOUND, CALLBACK_STOP = 0, 1, 2, 3, 99
MESSAGES = {
    SUCCESS: "Optimization terminated successfully.",
    MAXITER: "Maximum number of iterations has been exceeded.",
    PRECISION_LOSS: "Desired error not necessarily achieved due to precision loss.",
    NAN_FOUND: "NaN result encountered.",
    CALLBACK_STOP: "`callback` raised `StopIteration`.",
}


class OptimizeResult(dict):
    """The result of ``minimize``.

    Attributes
    ----------
    x : ndarray (n,)            the solution found
    fun : float                 f(x)
    jac : ndarray (n,)          ∇f(x)
    hess_inv : ndarray (n, n) or LinearOperator
                                the method's inverse-Hessian approximation ('bfgs', 'l-bfgs' only)
    nit : int                   iterations done
    nfev, njev, nhev : int      evaluations of f, ∇f and of the Hessian (or Hessian-vector products)
    success : bool              whether a stopping test was met (status 0)
    status : int                0 converged, 1 iteration limit, 2 line search failed (precision
                                loss), 3 NaN met, 99 the callback raised StopIteration
    message : str               the status in words
    """

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError as err:
            raise AttributeError(name) from err

    __setattr__ = dict.__setitem__
    __delattr__ = dict.__delitem__

    def __dir__(self):
        return list(self.keys())

    def __repr__(self) -> str:
        if not self:
            return f"{type(self).__name__}()"
        width = max(map(len, self)) + 1
        lines = []
        for key, value in self.items():
            text = np.array2string(value, separator=", ") if isinstance(value, np.ndarray) else repr(value)
            lines.append(f"{key.rjust(width)}: " + text.replace("\n", "\n" + " " * (width + 2)))
        return "\n".join(lines)
