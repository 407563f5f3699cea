"""The two line searches every method shares, on φ(α) = f(x + α p) along a descent direction p
(φ'(0) = ∇f(x)·p < 0). Nocedal & Wright, *Numerical Optimization* (2nd ed.), chapter 3.

* ``armijo_backtracking`` (Algorithm 3.1): try α₀, α₀ρ, α₀ρ², … and take the first α with
  sufficient decrease  φ(α) ≤ φ(0) + c₁ α φ'(0). Needs only f; used by 'gd' and the Newton methods,
  whose first trial α = 1 is accepted near the solution (so Newton keeps its quadratic rate).
* ``strong_wolfe`` (Algorithms 3.5 and 3.6): find α with sufficient decrease and the strong
  curvature condition |φ'(α)| ≤ c₂ |φ'(0)|. Bracketing grows α until the interval surely holds
  such a point; ``zoom`` then shrinks [α_lo, α_hi] by the minimiser of the cubic through both
  ends' φ and φ' (eq. 3.59), or by bisection when the cubic has no minimiser or its last two
  steps shrank the interval by less than half. Used by 'bfgs', 'l-bfgs' (the curvature condition keeps sᵀy > 0, so the
  updates stay positive definite) and 'cg' (c₂ < 1/2 keeps Fletcher–Reeves directions downhill).

A non-finite φ(α) counts as "too long": the step is shortened rather than the search aborted.
Where |φ(α) − φ(0)| is within 1e-12 |φ(0)| (rounding, typical of the last iterations on an
ill-conditioned problem) the strong-Wolfe search accepts φ'(α) ≤ (2c₁ − 1) φ'(0) in place of the
sufficient-decrease test (the "approximate Wolfe" condition of Hager & Zhang, SIAM J. Optim. 16,
2005), so the search does not fail on noise.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np


class Step(NamedTuple):
    """An accepted step length with f and (from ``strong_wolfe``) ∇f at x + α p; ``alpha`` is None
    when no acceptable step was found."""
    alpha: float | None
    f: float
    g: np.ndarray | None


def armijo_backtracking(objective, x: np.ndarray, p: np.ndarray, f0: float, slope0: float,
                        alpha0: float = 1.0, c1: float = 1e-4, rho: float = 0.5,
                        max_steps: int = 1000, strict: bool = False) -> Step:
    """The first α in α₀, α₀ρ, α₀ρ², … with f(x + α p) ≤ f(x) + c₁ α ∇f(x)·p (N&W Alg. 3.1).

    ``strict`` also asks f(x + α p) < f(x) as computed: near the rounding floor f + c₁α∇fᵀp rounds
    to f, and steepest descent would otherwise take steps that change nothing, forever. (Newton
    steps keep the plain test: their last steps shrink ∇f though f no longer moves.)"""
    alpha = alpha0
    # give up once the step no longer moves x (or after max_steps trials)
    shortest = np.finfo(np.float64).eps * max(1.0, float(np.linalg.norm(x))) / max(float(np.linalg.norm(p)), 1e-300)
    for _ in range(max_steps):
        f = objective.value(x + alpha * p)
        if f <= f0 + c1 * alpha * slope0 and (f < f0 or not strict):  # False for NaN: shorten
            return Step(alpha, f, None)
        alpha *= rho
        if alpha < shortest:
            break
    return Step(None, f0, None)


def curvature_pair(step: Step, p: np.ndarray, g: np.ndarray) -> tuple[np.ndarray, np.ndarray, float | None]:
    """(s, y, yᵀs) of an accepted step for the quasi-Newton updates: s = α p, y = ∇f(x + s) − ∇f(x);
    yᵀs is None where it is lost to rounding (yᵀs ≤ 1e-12 ‖y‖ ‖s‖), so no update should use it."""
    s = step.alpha * p
    y = step.g - g
    ys = float(y @ s)
    return s, y, ys if ys > 1e-12 * np.linalg.norm(y) * np.linalg.norm(s) else None


class _Point(NamedTuple):
    alpha: float
    f: float
    g: np.ndarray
    slope: float  # φ'(α) = ∇f(x + α p)·p


def strong_wolfe(objective, x: np.ndarray, p: np.ndarray, f0: float, g0: np.ndarray,
                 alpha1: float = 1.0, c1: float = 1e-4, c2: float = 0.9,
                 alpha_max: float = 1e10, max_evals: int = 40) -> Step:
    """A step α satisfying the strong Wolfe conditions (N&W Alg. 3.5 with ``zoom``, Alg. 3.6):

        f(x + α p) ≤ f(x) + c₁ α ∇f(x)·p      and      |∇f(x + α p)·p| ≤ c₂ |∇f(x)·p|,

    with 0 < c₁ < c₂ < 1. Returns ``Step(None, f0, g0)`` when none is found within ``max_evals``
    evaluations of (f, ∇f) (the callers report it as precision loss)."""
    slope0 = float(g0 @ p)
    noise = 1e-12 * abs(f0)  # changes of f this small are rounding, not information
    evals = 0

    def evaluate(alpha: float) -> _Point:
        nonlocal evals
        evals += 1
        f, g = objective.value_and_grad(x + alpha * p)
        return _Point(alpha, f, g, float(g @ p))

    def too_long(pt: _Point, f_ref: float) -> bool:
        if not (np.isfinite(pt.f) and np.isfinite(pt.slope)):
            return True
        if abs(pt.f - f0) <= noise and pt.slope <= (2.0 * c1 - 1.0) * slope0:
            # f's change is lost in its rounding: trust the slope instead (Hager & Zhang's
            # approximate Wolfe condition; for a quadratic φ it implies a decrease)
            return False
        return pt.f > f0 + c1 * pt.alpha * slope0 or pt.f >= f_ref

    def zoom(lo: _Point, hi: _Point) -> Step:
        # invariant: lo has sufficient decrease and the lowest f so far; φ'(lo)(hi − lo) < 0
        widths = [abs(hi.alpha - lo.alpha)]
        while evals < max_evals:
            if abs(hi.alpha - lo.alpha) < 1e-14 * max(1.0, abs(lo.alpha)):
                break
            # the cubic's minimiser, unless the last two of them shrank the interval by less than
            # half: then bisect, so an ill-fitting cubic cannot creep along one end
            creeping = len(widths) >= 3 and widths[-1] > 0.5 * widths[-3]
            alpha = 0.5 * (lo.alpha + hi.alpha) if creeping else _cubic_minimiser(lo, hi)
            pt = evaluate(alpha)
            if too_long(pt, lo.f):
                hi = pt
                widths.append(abs(hi.alpha - lo.alpha))
                continue
            if abs(pt.slope) <= -c2 * slope0:
                return Step(pt.alpha, pt.f, pt.g)
            if pt.slope * (hi.alpha - lo.alpha) >= 0:
                hi = lo
            lo = pt
            widths.append(abs(hi.alpha - lo.alpha))
        return Step(None, f0, g0)

    previous = _Point(0.0, f0, g0, slope0)
    alpha = min(alpha1, alpha_max)
    while evals < max_evals:
        pt = evaluate(alpha)
        if too_long(pt, previous.f if previous.alpha > 0 else np.inf):
            return zoom(previous, pt)
        if abs(pt.slope) <= -c2 * slope0:
            return Step(pt.alpha, pt.f, pt.g)
        if pt.slope >= 0:
            return zoom(pt, previous)
        if alpha >= alpha_max:
            break
        previous, alpha = pt, min(2.0 * alpha, alpha_max)
    return Step(None, f0, g0)


def _cubic_minimiser(a: _Point, b: _Point) -> float | None:
    """The minimiser of the cubic matching φ and φ' at both ends (N&W eq. 3.59), kept strictly
    inside the interval; the midpoint when the cubic has no minimiser."""
    left, right = min(a.alpha, b.alpha), max(a.alpha, b.alpha)
    width = right - left
    if not width > 0:
        return None
    midpoint = 0.5 * (left + right)
    if not all(np.isfinite(v) for v in (a.f, b.f, a.slope, b.slope)):
        return midpoint
    d1 = a.slope + b.slope - 3.0 * (a.f - b.f) / (a.alpha - b.alpha)
    radicand = d1 * d1 - a.slope * b.slope
    if radicand < 0:
        return midpoint
    d2 = np.copysign(np.sqrt(radicand), b.alpha - a.alpha)
    denominator = b.slope - a.slope + 2.0 * d2
    if denominator == 0:
        return midpoint
    alpha = b.alpha - (b.alpha - a.alpha) * (b.slope + d2 - d1) / denominator
    if not np.isfinite(alpha):
        return midpoint
    # clamped just inside, not replaced by the midpoint: when a far too long first trial brackets
    # a minimiser close to 0 the cubic's estimate is right, and bisection would take dozens of
    # halvings (zoom bisects itself when cubic steps stop shrinking the interval)
    return float(np.clip(alpha, left + 1e-9 * width, right - 1e-9 * width))
