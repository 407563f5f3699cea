"""Nonlinear conjugate gradients, Fletcher–Reeves and Polak–Ribière+ (Nocedal & Wright,
*Numerical Optimization*, 2nd ed., §5.2, Algorithm 5.4 and eqs. 5.41, 5.44–5.45, 5.52).

    p_0 = −∇f_0,   x_{k+1} = x_k + α_k p_k,   p_{k+1} = −∇f_{k+1} + β_{k+1} p_k,

    Fletcher–Reeves:  β = ∇f_{k+1}ᵀ∇f_{k+1} / ∇f_kᵀ∇f_k
    Polak–Ribière+:   β = max(0, ∇f_{k+1}ᵀ(∇f_{k+1} − ∇f_k) / ∇f_kᵀ∇f_k)

α_k comes from the strong-Wolfe line search with c₂ = 0.4 (< 1/2, which makes every
Fletcher–Reeves direction a descent direction, N&W Lemma 5.6); the first trial assumes the
last decrease of f repeats (eq. 3.60), capped at ten times the last step's length. PR+ restarts by itself (β = 0) when progress stalls;
Fletcher–Reeves restarts with p = −∇f when consecutive gradients are far from orthogonal,
|∇f_{k+1}ᵀ∇f_k| ≥ 0.1 ‖∇f_{k+1}‖² (eq. 5.52). Any direction that is not downhill is replaced by
−∇f. Stops when ‖∇f‖ ≤ gtol (status 0), after ``maxiter`` iterations (1) or when the line search
fails (2).
"""
from __future__ import annotations

import numpy as np

from .linesearch import strong_wolfe
from .outcome import finish, stopping_status
from .result import CALLBACK_STOP, PRECISION_LOSS, SUCCESS

VARIANTS = ("pr+", "fr")


def minimize_cg(objective, x0, callback, *, variant: str = "pr+", gtol: float = 1e-5, norm: float = np.inf,
                maxiter: int | None = None, c1: float = 1e-4, c2: float = 0.4):
    """Options: ``variant`` ('pr+' Polak–Ribière+, default, or 'fr' Fletcher–Reeves), ``gtol``,
    ``norm``, ``maxiter`` (default 200·n), ``c1``/``c2`` (Wolfe constants; c₂ < 1/2)."""
    variant = variant.lower() if isinstance(variant, str) else variant
    if variant not in VARIANTS:
        raise ValueError(f"minimize(method='cg'): variant must be 'pr+' (Polak–Ribière+) or 'fr' "
                         f"(Fletcher–Reeves), got {variant!r}")
    if not 0 < c1 < c2 < 0.5:
        raise ValueError(f"minimize(method='cg'): need 0 < c1 < c2 < 1/2 for descent directions, "
                         f"got c1={c1}, c2={c2}")
    maxiter = 200 * x0.size if maxiter is None else maxiter
    x = x0.copy()
    f, g = objective.value_and_grad(x)
    p = -g
    f_previous, nit, status = None, 0, SUCCESS
    while True:
        stop = stopping_status(f, g, nit, gtol, norm, maxiter)
        if stop is not None:
            status = stop
            break
        slope = float(g @ p)
        if not slope < 0:
            p, slope = -g, -float(g @ g)
        p_norm = float(np.linalg.norm(p))
        if f_previous is None:
            alpha1 = 1.0 / p_norm
        else:
            alpha1 = 1.01 * 2.0 * (f - f_previous) / slope
            # at most ten times the last step's length: after a restart or a sharp turn the last
            # decrease can overstate this direction's by orders of magnitude
            alpha1 = min(alpha1, 10.0 * step_length / p_norm)
            if not (np.isfinite(alpha1) and alpha1 > 0):
                alpha1 = 1.0 / p_norm
        step = strong_wolfe(objective, x, p, f, g, alpha1=alpha1, c1=c1, c2=c2)
        if step.alpha is None:
            status = PRECISION_LOSS
            break
        step_length = step.alpha * p_norm
        x = x + step.alpha * p
        f_previous, g_previous = f, g
        f, g = step.f, step.g
        nit += 1
        gg_previous = float(g_previous @ g_previous)
        if variant == "fr":
            gg = float(g @ g)
            beta = 0.0 if abs(float(g @ g_previous)) >= 0.1 * gg else gg / gg_previous
        else:
            beta = max(0.0, float(g @ (g - g_previous)) / gg_previous)
        p = -g + beta * p
        if callback(x, f):
            status = CALLBACK_STOP
            break
    return finish(objective, x, f, g, nit, status)
