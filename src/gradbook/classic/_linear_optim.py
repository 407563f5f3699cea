"""Smooth convex minimisers shared by the linear models: L-BFGS (two-loop recursion), Newton with
the full Hessian, and (accelerated) proximal gradient descent for an added λ‖x‖₁ term.

Each takes ``fg(x) -> (f, g)`` on a flat float64 vector and stops when the optimality measure
(max |∇f|, or the minimum-norm subgradient with ℓ1) is at most ``tol``; each returns
``(x, n_iter, converged)``.
"""
from __future__ import annotations

from typing import Callable

import numpy as np
from scipy import linalg

FG = Callable[[np.ndarray], tuple[float, np.ndarray]]
_ARMIJO = 1e-4


def _backtrack(fg: FG, x: np.ndarray, f: float, g: np.ndarray, d: np.ndarray, step: float):
    """Armijo backtracking along d: f(x + t d) <= f(x) + c t gᵀd. Returns (t, x_new, f_new, g_new)."""
    slope = float(g @ d)
    for _ in range(60):
        x_new = x + step * d
        f_new, g_new = fg(x_new)
        if f_new <= f + _ARMIJO * step * slope or abs(f_new - f) <= 1e-15 * max(1.0, abs(f)):
            return step, x_new, f_new, g_new
        step *= 0.5
    return 0.0, x, f, g


def lbfgs(fg: FG, x0: np.ndarray, *, tol: float, max_iter: int, m: int = 10):
    """Limited-memory BFGS: direction -H g from the last m pairs (s, y) by the two-loop recursion,
    step by Armijo backtracking starting at 1 (the curvature pair check sᵀy > 0 keeps H positive)."""
    x = x0.astype(np.float64, copy=True)
    f, g = fg(x)
    S, Y, rho = [], [], []
    for it in range(1, max_iter + 1):
        if np.max(np.abs(g), initial=0.0) <= tol:
            return x, it - 1, True
        q = g.copy()
        alphas = []
        for s, y, r in zip(reversed(S), reversed(Y), reversed(rho)):
            a = r * (s @ q)
            q -= a * y
            alphas.append(a)
        if S:
            q *= (S[-1] @ Y[-1]) / (Y[-1] @ Y[-1])
        else:
            q /= max(1.0, np.linalg.norm(g))
        for (s, y, r), a in zip(zip(S, Y, rho), reversed(alphas)):
            q += (a - r * (y @ q)) * s
        d = -q
        if g @ d >= 0:                      # not a descent direction: restart from steepest descent
            S, Y, rho = [], [], []
            d = -g / max(1.0, np.linalg.norm(g))
        t, x_new, f_new, g_new = _backtrack(fg, x, f, g, d, 1.0)
        if t == 0.0:
            return x, it, np.max(np.abs(g)) <= tol
        s, y = x_new - x, g_new - g
        sy = s @ y
        if sy > 1e-12 * (y @ y):
            S.append(s), Y.append(y), rho.append(1.0 / sy)
            if len(S) > m:
                S.pop(0), Y.pop(0), rho.pop(0)
        converged_f = abs(f - f_new) <= 64 * np.finfo(float).eps * max(abs(f), abs(f_new), 1.0)
        x, f, g = x_new, f_new, g_new
        if converged_f and np.max(np.abs(g), initial=0.0) <= max(tol, 1e-8):
            return x, it, True
    return x, max_iter, np.max(np.abs(g), initial=0.0) <= tol


def newton(fg: FG, fgh: Callable[[np.ndarray], tuple[float, np.ndarray, np.ndarray]], x0: np.ndarray,
           *, tol: float, max_iter: int, null_proj: np.ndarray | None = None):
    """Newton's method: solve H d = -g (Cholesky; least squares if H is singular), Armijo step.

    ``null_proj`` is the projector onto a known null space of H (the class-constant directions of
    an over-parameterised softmax); adding it makes H invertible without changing d ⟂ null space.
    """
    x = x0.astype(np.float64, copy=True)
    for it in range(1, max_iter + 1):
        f, g, H = fgh(x)
        if np.max(np.abs(g), initial=0.0) <= tol:
            return x, it - 1, True
        if null_proj is not None:
            H = H + null_proj
        d = -_solve_psd(H, g)
        t, x_new, _, g_new = _backtrack(fg, x, f, g, d, 1.0)
        if t == 0.0:
            return x, it, False
        x, g = x_new, g_new
    return x, max_iter, np.max(np.abs(g), initial=0.0) <= tol


def _solve_psd(H: np.ndarray, g: np.ndarray) -> np.ndarray:
    """H⁻¹g by Cholesky; a singular H (a kernel with near-duplicate points) gets the smallest
    Levenberg damping μI, μ = 10⁻¹², 10⁻¹⁰, ... × max Hᵢᵢ, that makes it factorise."""
    mu, scale = 0.0, max(float(np.max(np.diag(H), initial=0.0)), 1e-300)
    for _ in range(7):
        try:
            Hd = H if mu == 0 else H + mu * np.eye(len(H))
            return linalg.cho_solve(linalg.cho_factor(Hd, check_finite=False), g, check_finite=False)
        except linalg.LinAlgError:
            mu = 1e-12 * scale if mu == 0 else mu * 100
    return linalg.lstsq(H, g, check_finite=False, lapack_driver="gelsy")[0]


def l1_optimality(x: np.ndarray, g: np.ndarray, lam: np.ndarray) -> float:
    """max |minimum-norm subgradient| of f(x) + Σ λⱼ|xⱼ| (0 exactly at the minimiser)."""
    sub = np.where(x != 0, g + lam * np.sign(x), np.sign(g) * np.maximum(np.abs(g) - lam, 0))
    return float(np.max(np.abs(sub), initial=0.0))


def proximal_gradient(fg: FG, x0: np.ndarray, *, lam: np.ndarray | float = 0.0, tol: float,
                      max_iter: int):
    """Gradient descent on f + Σ λⱼ|xⱼ|: x ← soft(y - ∇f(y)/L, λ/L), L found by backtracking
    (f(x) <= f(y) + ∇f(y)ᵀ(x-y) + L/2 ‖x-y‖²), Nesterov momentum restarted whenever f goes up.
    With λ = 0 it is plain accelerated gradient descent with a line search."""
    lam = np.broadcast_to(np.asarray(lam, dtype=np.float64), x0.shape)

    def prox(v, t):
        return np.sign(v) * np.maximum(np.abs(v) - lam * t, 0.0)

    x = x0.astype(np.float64, copy=True)
    f_x, g_x = fg(x)
    L = max(np.linalg.norm(g_x), 1e-8)
    y, f_y, g_y, t_k = x, f_x, g_x, 1.0
    for it in range(1, max_iter + 1):
        if l1_optimality(x, g_x, lam) <= tol:
            return x, it - 1, True
        for _ in range(60):
            x_new = prox(y - g_y / L, 1.0 / L)
            f_new, g_new = fg(x_new)
            d = x_new - y
            if f_new <= f_y + g_y @ d + 0.5 * L * (d @ d) + 1e-14 * abs(f_y):
                break
            L *= 2.0
        if f_new > f_x and y is not x:     # momentum overshot: restart from x
            t_k, y, f_y, g_y = 1.0, x, f_x, g_x
            continue
        t_next = 0.5 * (1 + np.sqrt(1 + 4 * t_k * t_k))
        beta = (t_k - 1) / t_next
        x_prev, x, f_x, g_x, t_k = x, x_new, f_new, g_new, t_next
        if beta > 0:
            y = x + beta * (x - x_prev)
            f_y, g_y = fg(y)
        else:
            y, f_y, g_y = x, f_x, g_x
        L *= 0.9                            # let the step grow again
    return x, max_iter, l1_optimality(x, g_x, lam) <= tol
