"""Classic minimisers with SciPy's ``minimize`` contract: steepest descent, Newton (modified
Cholesky), Newton-CG, BFGS, L-BFGS and nonlinear CG, on functions of gradbook Tensors (derivatives
by autograd, Hessian-vector products by double backward) or of arrays with explicit derivatives.

>>> import numpy as np
>>> from gradbook.optimize import minimize
>>> minimize(lambda x: ((x - 3.0) ** 2).sum(), np.zeros(2), method="bfgs").x
array([3., 3.])
"""
from .linesearch import armijo_backtracking, strong_wolfe
from .minimize import METHODS, minimize
from .result import OptimizeResult

__all__ = ["METHODS", "OptimizeResult", "armijo_backtracking", "minimize", "strong_wolfe"]
