"""BFGS, the quasi-Newton method with an inverse-Hessian update (Nocedal & Wright, *Numerical
Optimization*, 2nd ed., §6.1, Algorithm 6.1).

H_k approximates (∇²f)⁻¹. Each iteration steps along p_k = −H_k ∇f_k with α_k from the strong-Wolfe
line search (Alg. 3.5/3.6, c₁ = 1e-4, c₂ = 0.9; α = 1 tried first), then with
s = x_{k+1} − x_k, y = ∇f_{k+1} − ∇f_k and ρ = 1 / yᵀs updates (eq. 6.17)

    H_{k+1} = (I − ρ s yᵀ) H_k (I − ρ y sᵀ) + ρ s sᵀ.

The curvature condition of the line search gives yᵀs > 0, so H stays positive definite. H₀ = I
(or ``hess_inv0``); ``initial_scaling=True`` rescales it to (yᵀs / yᵀy) I before the first update
(eq. 6.20). That is off by default: on ill-conditioned problems the scale comes from the largest
curvatures met by the first step and the small ones are then learned slowly (see
``benchmarks/optimize.py``). The first trial step is α = min(1, 1.01·2(f_k − f_{k−1}) / ∇f_kᵀp_k)
(N&W eq. 3.60, the last decrease repeated), 1/‖∇f₀‖ at the start. Stops when ‖∇f‖ ≤ gtol (status 0), after ``maxiter``
iterations (1) or when the line search finds no step (2, precision loss). ``hess_inv`` is H at
the end.
"""
from __future__ import annotations

import numpy as np

from .linesearch import curvature_pair, strong_wolfe
from .outcome import finish, stopping_status
from .result import CALLBACK_STOP, PRECISION_LOSS, SUCCESS


def minimize_bfgs(objective, x0, callback, *, gtol: float = 1e-5, norm: float = np.inf,
                  maxiter: int | None = None, c1: float = 1e-4, c2: float = 0.9,
                  hess_inv0: np.ndarray | None = None, initial_scaling: bool = False):
    """Options: ``gtol``, ``norm``, ``maxiter`` (default 200·n), ``c1``/``c2`` (Wolfe constants),
    ``hess_inv0`` (a symmetric positive definite H₀), ``initial_scaling`` (eq. 6.20 on H₀ = I)."""
    n = x0.size
    maxiter = 200 * n if maxiter is None else maxiter
    identity = np.eye(n)
    if hess_inv0 is None:
        H, rescale = identity.copy(), bool(initial_scaling)
    else:
        H, rescale = np.array(hess_inv0, dtype=np.float64), False
        if H.shape != (n, n):
            raise ValueError(f"minimize(method='bfgs'): hess_inv0 has shape {H.shape}, expected ({n}, {n})")
    x = x0.copy()
    f, g = objective.value_and_grad(x)
    nit, status, f_previous = 0, SUCCESS, None
    while True:
        stop = stopping_status(f, g, nit, gtol, norm, maxiter)
        if stop is not None:
            status = stop
            break
        p = -H @ g
        if f_previous is None:
            alpha1 = min(1.0, 1.0 / np.linalg.norm(g))
        else:  # the last decrease repeated (N&W eq. 3.60), capped at the Newton-like α = 1
            alpha1 = min(1.0, 1.01 * 2.0 * (f - f_previous) / float(g @ p))
            if not alpha1 > 0:
                alpha1 = 1.0
        step = strong_wolfe(objective, x, p, f, g, alpha1=alpha1, c1=c1, c2=c2)
        if step.alpha is None:
            status = PRECISION_LOSS
            break
        s, y, ys = curvature_pair(step, p, g)
        f_previous = f
        x, f, g = x + s, step.f, step.g
        nit += 1
        if ys is not None:  # else keep H (curvature lost to rounding)
            if rescale:
                H = (ys / float(y @ y)) * identity
                rescale = False
            rho = 1.0 / ys
            left = identity - rho * np.outer(s, y)
            H = left @ H @ left.T + rho * np.outer(s, s)
        if callback(x, f):
            status = CALLBACK_STOP
            break
    return finish(objective, x, f, g, nit, status, hess_inv=H)
