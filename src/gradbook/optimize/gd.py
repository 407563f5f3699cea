"""Steepest descent with Armijo backtracking (Nocedal & Wright, *Numerical Optimization*, 2nd
ed., §3.1 and Algorithm 3.1).

    p_k = −∇f(x_k),   x_{k+1} = x_k + α_k p_k,

α_k the first of α₀, α₀ρ, α₀ρ², … with sufficient decrease f(x_k + α p_k) ≤ f(x_k) − c₁ α ‖∇f_k‖².
The trial α₀ assumes the last decrease of f repeats (N&W eq. 3.60): α₀ = 1.01·2(f_k − f_{k−1}) /
∇f_kᵀp_k, and a step of unit length on the first iteration. Convergence is linear: on a quadratic
of condition number κ, f − f* shrinks by about ((κ − 1)/(κ + 1))² per step (N&W §3.3): expect
many iterations on ill-conditioned problems; that is the method, not a fault.
Stops when ‖∇f‖ ≤ gtol (status 0), after ``maxiter`` iterations (1), or when no step lowers the
computed f (2, precision loss).
"""
from __future__ import annotations

import numpy as np

from .linesearch import armijo_backtracking
from .outcome import finish, stopping_status
from .result import CALLBACK_STOP, PRECISION_LOSS, SUCCESS


def minimize_gd(objective, x0, callback, *, gtol: float = 1e-5, norm: float = np.inf,
                maxiter: int | None = None, c1: float = 1e-4, rho: float = 0.5):
    """Options: ``gtol`` (stop at ‖∇f‖ ≤ gtol), ``norm`` (its order), ``maxiter`` (default 200·n),
    ``c1`` (sufficient decrease), ``rho`` (backtracking factor)."""
    maxiter = 200 * x0.size if maxiter is None else maxiter
    x = x0.copy()
    f, g = objective.value_and_grad(x)
    f_previous, nit, status = None, 0, SUCCESS
    while True:
        stop = stopping_status(f, g, nit, gtol, norm, maxiter)
        if stop is not None:
            status = stop
            break
        p = -g
        slope = float(g @ p)
        if f_previous is None:
            alpha0 = 1.0 / np.linalg.norm(g)
        else:
            alpha0 = 1.01 * 2.0 * (f - f_previous) / slope
            if not alpha0 > 0:
                alpha0 = 1.0 / np.linalg.norm(g)
        step = armijo_backtracking(objective, x, p, f, slope, alpha0=alpha0, c1=c1, rho=rho, strict=True)
        if step.alpha is None:
            status = PRECISION_LOSS
            break
        x = x + step.alpha * p
        f_previous = f
        f, g = objective.value_and_grad(x)
        nit += 1
        if callback(x, f):
            status = CALLBACK_STOP
            break
    return finish(objective, x, f, g, nit, status)
