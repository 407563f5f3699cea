"""L-BFGS, limited-memory BFGS (Nocedal & Wright, *Numerical Optimization*, 2nd ed., §7.2,
Algorithms 7.4 and 7.5).

Instead of the n×n matrix of BFGS, the m most recent pairs s_i = x_{i+1} − x_i,
y_i = ∇f_{i+1} − ∇f_i are kept and H_k ∇f_k is computed by the two-loop recursion (Alg. 7.4):

    q ← ∇f_k;  for i = k−1 … k−m:  a_i = ρ_i s_iᵀq,  q ← q − a_i y_i
    r ← γ_k q,  γ_k = s_{k−1}ᵀy_{k−1} / y_{k−1}ᵀy_{k−1}   (H_k⁰ = γ_k I, eq. 7.20)
    for i = k−m … k−1:  b = ρ_i y_iᵀr,  r ← r + s_i (a_i − b)

with ρ_i = 1 / y_iᵀs_i; O(m n) work per iteration. The step p_k = −H_k ∇f_k takes α_k from the
strong-Wolfe line search (α = 1 tried first, or 1/‖∇f₀‖ if shorter on the first iteration, where
there are no pairs yet; c₁ = 1e-4, c₂ = 0.9). Stops (status 0) when
‖∇f‖_∞ ≤ gtol or when the relative decrease (f_k − f_{k+1}) / max(|f_k|, |f_{k+1}|, 1) ≤ ftol
(SciPy's L-BFGS-B tests and defaults); ``hess_inv`` is the final H_k as a LinearOperator.
"""
from __future__ import annotations

from collections import deque

import numpy as np
from scipy.sparse.linalg import LinearOperator

from .linesearch import curvature_pair, strong_wolfe
from .outcome import finish, stopping_status
from .result import CALLBACK_STOP, PRECISION_LOSS, SUCCESS


def two_loop(g: np.ndarray, pairs) -> np.ndarray:
    """H g for the L-BFGS inverse-Hessian approximation held by ``pairs`` [(s, y, ρ), …], oldest
    first (N&W Alg. 7.4); H = I when there are none."""
    q = g.copy()
    coefficients = []
    for s, y, rho in reversed(pairs):
        a = rho * float(s @ q)
        q -= a * y
        coefficients.append(a)
    if pairs:
        s, y, _ = pairs[-1]
        q *= float(s @ y) / float(y @ y)
    for (s, y, rho), a in zip(pairs, reversed(coefficients)):
        b = rho * float(y @ q)
        q += (a - b) * s
    return q


def minimize_lbfgs(objective, x0, callback, *, m: int = 10, gtol: float = 1e-5,
                   ftol: float = 2.220446049250313e-09, norm: float = np.inf, maxiter: int | None = None,
                   c1: float = 1e-4, c2: float = 0.9):
    """Options: ``m`` (pairs kept; SciPy's ``maxcor``), ``gtol``, ``ftol``, ``norm``, ``maxiter``
    (default 15000, SciPy's), ``c1``/``c2`` (Wolfe constants)."""
    if not (isinstance(m, (int, np.integer)) and m >= 1):
        raise ValueError(f"minimize(method='l-bfgs'): memory m must be a positive integer, got {m!r}")
    maxiter = 15000 if maxiter is None else maxiter
    pairs: deque = deque(maxlen=int(m))
    x = x0.copy()
    f, g = objective.value_and_grad(x)
    nit, status, message = 0, SUCCESS, None
    while True:
        stop = stopping_status(f, g, nit, gtol, norm, maxiter)
        if stop is not None:
            status = stop
            break
        p = -two_loop(g, list(pairs))
        alpha1 = min(1.0, 1.0 / np.linalg.norm(g)) if not pairs else 1.0
        step = strong_wolfe(objective, x, p, f, g, alpha1=alpha1, c1=c1, c2=c2)
        if step.alpha is None:
            status = PRECISION_LOSS
            break
        s, y, ys = curvature_pair(step, p, g)
        f_previous = f
        x, f, g = x + s, step.f, step.g
        nit += 1
        if ys is not None:
            pairs.append((s, y, 1.0 / ys))
        if callback(x, f):
            status = CALLBACK_STOP
            break
        if (f_previous - f) <= ftol * max(abs(f_previous), abs(f), 1.0):
            message = "Relative reduction of f is at most ftol."
            break
    kept = list(pairs)
    n = x0.size
    hess_inv = LinearOperator((n, n), matvec=lambda v: two_loop(np.asarray(v, dtype=np.float64).ravel(), kept),
                              rmatvec=lambda v: two_loop(np.asarray(v, dtype=np.float64).ravel(), kept),
                              dtype=np.float64)
    return finish(objective, x, f, g, nit, status, message, hess_inv=hess_inv)
