"""Test problems for the minimisers, each in both forms ``minimize`` accepts: a function of a
gradbook Tensor (derivatives by autograd) and a function of arrays with its gradient, Hessian and
Hessian-vector product written out. The tests compare the methods with SciPy on them, and
``benchmarks/optimize.py`` prints the comparison table.

* ``rosenbrock(n)``: Σ 100 (x_{i+1} − x_i²)² + (1 − x_i)², minimiser (1, …, 1).
* ``quadratic(n, condition)``: ½ xᵀAx − bᵀx (evaluated about its minimiser) with A's eigenvalues log-spaced from 1 to
  ``condition`` in a random orthogonal basis; minimiser A⁻¹b.
* ``logistic_regression(l2)``: mean cross-entropy of a linear classifier with intercept on
  scikit-learn's breast-cancer data (569 × 30, standardised) + ½ l2 ‖w‖² (intercept included,
  so the problem is strongly convex).
* ``saddle()``: x² − y² + y⁴/4, a saddle at 0 and minimisers (0, ±√2) with f = −1.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Callable

import numpy as np


@dataclass
class Problem:
    """One problem in both forms; ``hess`` and ``hessp`` take arrays."""
    name: str
    x0: np.ndarray
    tensor_fun: Callable  # Tensor -> scalar Tensor
    fun: Callable         # ndarray -> float
    jac: Callable
    hess: Callable
    hessp: Callable
    minimiser: np.ndarray | None = None  # where known in closed form


def rosenbrock(n: int = 2, x0: np.ndarray | None = None) -> Problem:
    if x0 is None:
        x0 = np.array([-1.2, 1.0]) if n == 2 else np.zeros(n)

    def fun(x):
        return float(np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2))

    def jac(x):
        inner = x[1:] - x[:-1] ** 2
        g = np.zeros_like(x)
        g[:-1] = -400.0 * x[:-1] * inner - 2.0 * (1.0 - x[:-1])
        g[1:] += 200.0 * inner
        return g

    def hess(x):
        diagonal = np.zeros_like(x)
        diagonal[:-1] = 1200.0 * x[:-1] ** 2 - 400.0 * x[1:] + 2.0
        diagonal[1:] += 200.0
        off = -400.0 * x[:-1]
        return np.diag(diagonal) + np.diag(off, 1) + np.diag(off, -1)

    def hessp(x, p):
        return hess(x) @ p

    def tensor_fun(x):
        return (100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2).sum()

    return Problem(f"rosenbrock {n}-d", np.asarray(x0, dtype=np.float64), tensor_fun, fun, jac, hess, hessp)


def quadratic(n: int = 20, condition: float = 1e4, seed: int = 0) -> Problem:
    rng = np.random.default_rng(seed)
    basis, _ = np.linalg.qr(rng.standard_normal((n, n)))
    a = (basis * np.logspace(0, np.log10(condition), n)) @ basis.T
    a = 0.5 * (a + a.T)
    b = rng.standard_normal(n)
    minimiser = np.linalg.solve(a, b)
    lowest = -0.5 * float(b @ minimiser)
    # written about the minimiser, ½ (x − x*)ᵀA(x − x*) + f*: the same function as ½ xᵀAx − bᵀx,
    # but f's changes near x* are not lost in the rounding of ½ xᵀAx (about κ·eps)

    def tensor_fun(x):
        from ..creation import tensor

        d = x - tensor(minimiser, dtype="float64")
        return 0.5 * (d * (tensor(a, dtype="float64") @ d)).sum() + lowest

    def fun(x):
        d = x - minimiser
        return float(0.5 * d @ a @ d + lowest)

    problem = Problem(f"quadratic cond {condition:.0e}", np.zeros(n), tensor_fun, fun,
                      lambda x: a @ (x - minimiser), lambda x: a, lambda x, p: a @ p)
    problem.minimiser = minimiser
    return problem


def logistic_regression(l2: float = 1e-3) -> Problem:
    design, labels = _breast_cancer()
    count = len(labels)

    def fun(w):
        z = design @ w
        return float(np.mean(np.logaddexp(0.0, z) - labels * z) + 0.5 * l2 * w @ w)

    def jac(w):
        return design.T @ (_sigmoid(design @ w) - labels) / count + l2 * w

    def hess(w):
        s = _sigmoid(design @ w)
        return (design.T * (s * (1.0 - s))) @ design / count + l2 * np.eye(len(w))

    def hessp(w, p):
        s = _sigmoid(design @ w)
        return design.T @ (s * (1.0 - s) * (design @ p)) / count + l2 * p

    def tensor_fun(w):
        from ..creation import tensor
        from ..nn.functional import binary_cross_entropy_with_logits

        logits = tensor(design, dtype="float64") @ w
        return binary_cross_entropy_with_logits(logits, tensor(labels, dtype="float64")) + 0.5 * l2 * (w * w).sum()

    return Problem(f"logistic l2={l2:g}", np.zeros(design.shape[1]), tensor_fun, fun, jac, hess, hessp)


@functools.lru_cache(maxsize=1)
def _breast_cancer() -> tuple[np.ndarray, np.ndarray]:
    """(standardised features with a column of ones, labels in {0, 1}); read once per process."""
    from sklearn.datasets import load_breast_cancer

    features, labels = load_breast_cancer(return_X_y=True)
    features = (features - features.mean(0)) / features.std(0)
    design = np.hstack([features, np.ones((len(features), 1))])
    design.setflags(write=False)
    labels = labels.astype(np.float64)
    labels.setflags(write=False)
    return design, labels


def saddle(x0=(0.3, 1e-3)) -> Problem:
    def fun(v):
        return float(v[0] ** 2 - v[1] ** 2 + v[1] ** 4 / 4.0)

    def jac(v):
        return np.array([2.0 * v[0], -2.0 * v[1] + v[1] ** 3])

    def hess(v):
        return np.array([[2.0, 0.0], [0.0, -2.0 + 3.0 * v[1] ** 2]])

    def tensor_fun(v):
        return v[0] ** 2 - v[1] ** 2 + v[1] ** 4 / 4.0

    return Problem("saddle x²−y²+y⁴/4", np.asarray(x0, dtype=np.float64), tensor_fun, fun, jac, hess,
                   lambda v, p: hess(v) @ p)


def _sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))


# ----------------------------------------------------------------- the SciPy comparison
# the scipy.optimize.minimize method each gradbook method is compared with ('gd' has no SciPy
# twin: its minimiser is compared with BFGS's, its iteration count with nothing)
SCIPY_TWINS = {"gd": "BFGS", "newton": "trust-exact", "newton-cg": "Newton-CG", "bfgs": "BFGS",
               "l-bfgs": "L-BFGS-B", "cg": "CG"}


def solve_pair(problem: Problem, method: str, tol: float, form: str = "array",
               options: dict | None = None):
    """(gradbook's result, SciPy's result, gradbook seconds, SciPy seconds) on ``problem``, both
    run to gradient tolerance ``tol`` (and, for the L-BFGS pair, a negligible ftol; for the
    Newton-CG pair, xtol = tol), one BLAS thread each."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):  # these problems are too small for threaded BLAS; oversubscribed
        # pools (other work on the machine) slowed SciPy's L-BFGS-B a hundredfold
        return _solve_pair(problem, method, tol, form, options)


def _solve_pair(problem, method, tol, form, options):
    import time

    import scipy.optimize

    from .minimize import minimize

    ours_options = dict(options or {})
    if method == "l-bfgs":
        ours_options.setdefault("ftol", 1e-15)
    derivatives = dict(jac=problem.jac, hess=problem.hess) if form == "array" else {}
    start = time.perf_counter()
    ours = minimize(problem.fun if form == "array" else problem.tensor_fun, problem.x0, method=method,
                    tol=tol, options=ours_options, **derivatives)
    ours_seconds = time.perf_counter() - start

    twin = SCIPY_TWINS[method]
    theirs_kwargs = {"jac": problem.jac}
    if twin == "trust-exact":
        theirs_kwargs["hess"] = problem.hess
    if twin == "Newton-CG":
        theirs_kwargs["hessp"] = problem.hessp
    theirs_options = {"L-BFGS-B": {"ftol": 1e-15, "gtol": tol, "maxiter": 15000},
                      "Newton-CG": {"xtol": tol}}.get(twin, {"gtol": tol})
    start = time.perf_counter()
    theirs = scipy.optimize.minimize(problem.fun, problem.x0, method=twin, options=theirs_options,
                                     **theirs_kwargs)
    return ours, theirs, ours_seconds, time.perf_counter() - start
