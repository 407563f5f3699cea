"""Line-search Newton-CG, a truncated Newton method (Nocedal & Wright, *Numerical
Optimization*, 2nd ed., §7.1, Algorithm 7.1).

The Newton system ∇²f_k p = −∇f_k is solved only approximately, by conjugate gradients that touch
the Hessian through products ∇²f_k d alone (``hessp``, or autograd's Hessian-vector product on a
gradient graph built once per iteration); no Hessian is formed. CG stops when

* the residual is small: ‖r_j‖ ≤ ε_k = min(0.5, √‖∇f_k‖) ‖∇f_k‖ (a forcing sequence that makes
  the outer convergence superlinear, N&W Theorem 7.2), or
* a direction of non-positive curvature dᵀ∇²f_k d ≤ 0 appears: p = −∇f_k if it is the first,
  else the last iterate z_j (still a descent direction),

and x_{k+1} = x_k + α_k p with α_k from Armijo backtracking starting at α = 1 (Alg. 3.1).
Stops when ‖∇f‖ ≤ gtol or the mean |step| ≤ xtol (SciPy's average-step test), both status 0.
"""
from __future__ import annotations

import numpy as np

from .linesearch import armijo_backtracking
from .outcome import finish, stopping_status
from .result import CALLBACK_STOP, PRECISION_LOSS, SUCCESS


def truncated_cg(hessian_product, g: np.ndarray, tolerance: float, maxiter: int) -> np.ndarray:
    """An approximate solution of H p = −g by CG, stopped at ‖r‖ ≤ tolerance or at non-positive
    curvature (the inner loop of N&W Alg. 7.1)."""
    z = np.zeros_like(g)
    r = g.copy()          # residual H z + g
    d = -r
    rr = float(r @ r)
    for j in range(maxiter):
        hd = hessian_product(d)
        curvature = float(d @ hd)
        if curvature <= 0:
            return -g if j == 0 else z
        alpha = rr / curvature
        z = z + alpha * d
        r = r + alpha * hd
        rr_next = float(r @ r)
        if np.sqrt(rr_next) <= tolerance:
            return z
        d = -r + (rr_next / rr) * d
        rr = rr_next
    return z


def minimize_newton_cg(objective, x0, callback, *, gtol: float = 1e-5, xtol: float = 1e-5,
                       norm: float = np.inf, maxiter: int | None = None, cg_maxiter: int | None = None,
                       c1: float = 1e-4, rho: float = 0.5):
    """Options: ``gtol`` (‖∇f‖ test), ``xtol`` (mean |step| test), ``norm``, ``maxiter`` (default
    200·n), ``cg_maxiter`` (inner CG iterations, default 20·n), ``c1`` and ``rho`` (backtracking)."""
    n = x0.size
    maxiter = 200 * n if maxiter is None else maxiter
    cg_maxiter = 20 * n if cg_maxiter is None else cg_maxiter
    x = x0.copy()
    f, g = objective.value_and_grad(x)
    nit, status = 0, SUCCESS
    while True:
        stop = stopping_status(f, g, nit, gtol, norm, maxiter)
        if stop is not None:
            status = stop
            break
        g_norm = float(np.linalg.norm(g))
        p = truncated_cg(objective.hessian_product(x), g, min(0.5, np.sqrt(g_norm)) * g_norm, cg_maxiter)
        step = armijo_backtracking(objective, x, p, f, float(g @ p), alpha0=1.0, c1=c1, rho=rho)
        if step.alpha is None:
            status = PRECISION_LOSS
            break
        update = step.alpha * p
        x = x + update
        f, g = objective.value_and_grad(x)
        nit += 1
        if callback(x, f):
            status = CALLBACK_STOP
            break
        if np.mean(np.abs(update)) <= xtol:
            break
    return finish(objective, x, f, g, nit, status, nhev=objective.nhev)
