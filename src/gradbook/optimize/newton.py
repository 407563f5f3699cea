"""Newton's method with a modified Hessian and a backtracking line search (Nocedal & Wright,
*Numerical Optimization*, 2nd ed., §3.3 and §3.4, Algorithms 3.2 and 3.3).

Each iteration forms H = ∇²f(x_k) (from ``hess``, or column by column from Hessian-vector
products) and steps along

    p_k = −(H + τ I)⁻¹ ∇f_k,

where τ ≥ 0 is the smallest of 0, β, 2β, 4β, … (starting at −min Hᵢᵢ + β when the diagonal has a
non-positive entry) for which the Cholesky factorisation of H + τI succeeds (Alg. 3.3,
"Cholesky with added multiple of the identity"). H + τI is positive definite, so p_k is a descent
direction even where H is indefinite: near a saddle the method steps downhill along the negative
curvature instead of jumping to the stationary point. α_k comes from Armijo backtracking starting
at α = 1 (Alg. 3.1); near a strict minimiser τ = 0 and α = 1 are accepted, and convergence is
quadratic (N&W Theorem 3.5): e_{k+1} ≤ C e_k².

Stopping needs a second-order point: ‖∇f‖ ≤ gtol *and* H positive definite (τ = 0). Where the
gradient vanishes but H has a negative eigenvalue λ with eigenvector v (at a saddle itself), the
step is along ±v (the sign that does not increase f to first order), shortened until
f(x + αv) ≤ f + c₁(α ∇fᵀv + ½α² λ) (a negative-curvature step, N&W §4.3's idea).

``hessian_modification='eigenvalue'`` instead replaces H = V diag(λ) Vᵀ by V diag(max(|λ|, δ)) Vᵀ
(N&W §3.4's eigenvalue modification, in its absolute-value form, δ = 1e-8·max(1, max|λ|)): negative curvature is
kept in scale and flipped, where Alg. 3.3's single shift τ also shrinks the steps along the
positive-curvature directions (from (0.5, 0) on x² − y² + y⁴/4, Alg. 3.3 halves x each
iteration; the eigenvalue form lands on x = 0 at once).

``hessian_modification='none'`` is pure Newton (x_{k+1} = x_k − H⁻¹∇f_k, α = 1, no modification):
kept to show what the modification buys; started near a saddle it converges to the saddle.
"""
from __future__ import annotations

import numpy as np
from scipy.linalg import cho_solve

from .linesearch import Step, armijo_backtracking
from .outcome import finish, gradient_norm
from .result import CALLBACK_STOP, MAXITER, NAN_FOUND, PRECISION_LOSS, SUCCESS


def modified_cholesky(hessian: np.ndarray, beta: float = 1e-3) -> tuple[np.ndarray, float]:
    """(L, τ) with L Lᵀ = H + τI positive definite, τ ≥ 0 as small as the doubling search finds
    (N&W Alg. 3.3). β is scaled by the largest |Hᵢᵢ| so the shift does not depend on f's units."""
    scale = max(1.0, float(np.max(np.abs(np.diag(hessian)))))
    beta = beta * scale
    smallest = float(np.min(np.diag(hessian)))
    tau = 0.0 if smallest > 0 else beta - smallest
    identity = np.eye(len(hessian))
    for _ in range(200):
        try:
            return np.linalg.cholesky(hessian + tau * identity), tau
        except np.linalg.LinAlgError:
            tau = max(2.0 * tau, beta)
    raise np.linalg.LinAlgError("modified_cholesky: no shift made the Hessian positive definite "
                                "(does it hold NaN or inf?)")


def eigenvalue_modification(hessian: np.ndarray, delta: float = 1e-8) -> tuple[np.ndarray, np.ndarray, bool]:
    """(V, |λ| floored at δ·max(1, max|λ|), whether H needed changing) for H = V diag(λ) Vᵀ
    (N&W §3.4). The floor is tiny, so a positive definite but ill-conditioned H keeps its step."""
    eigenvalues, vectors = np.linalg.eigh(hessian)
    floor = delta * max(1.0, float(np.max(np.abs(eigenvalues))))
    modified = np.maximum(np.abs(eigenvalues), floor)
    return vectors, modified, bool(eigenvalues[0] < floor)


def minimize_newton(objective, x0, callback, *, gtol: float = 1e-5, norm: float = np.inf,
                    maxiter: int | None = None, c1: float = 1e-4, rho: float = 0.5, beta: float = 1e-3,
                    hessian_modification: str = "cholesky"):
    """Options: ``gtol``, ``norm``, ``maxiter`` (default 200·n), ``c1`` and ``rho`` (backtracking),
    ``beta`` (Alg. 3.3's shift unit, relative to max |Hᵢᵢ|),
    ``hessian_modification`` ('cholesky', 'eigenvalue' or 'none')."""
    if hessian_modification not in ("cholesky", "eigenvalue", "none"):
        raise ValueError(f"minimize(method='newton'): hessian_modification must be 'cholesky', 'eigenvalue' "
                         f"or 'none', "
                         f"got {hessian_modification!r}")
    maxiter = 200 * x0.size if maxiter is None else maxiter
    x = x0.copy()
    f, g = objective.value_and_grad(x)
    nit, status = 0, SUCCESS
    while True:
        if not (np.isfinite(f) and np.all(np.isfinite(g))):
            status = NAN_FOUND
            break
        small_gradient = gradient_norm(g, norm) <= gtol
        if hessian_modification == "none" and small_gradient:
            break
        if nit >= maxiter:
            status = MAXITER
            break
        hessian = objective.hessian(x)
        if not np.all(np.isfinite(hessian)):
            status = NAN_FOUND
            break
        if hessian_modification == "none":
            try:
                x = x - np.linalg.solve(hessian, g)
            except np.linalg.LinAlgError:
                status = PRECISION_LOSS
                break
        else:
            if hessian_modification == "cholesky":
                factor, tau = modified_cholesky(hessian, beta)
                changed = tau > 0
            else:
                vectors, magnitudes, changed = eigenvalue_modification(hessian)
            if small_gradient:
                if not changed:
                    break
                direction = _negative_curvature_direction(hessian, g)
                if direction is None:  # singular but positive semidefinite: a (weak) minimiser
                    break
                step = _curvature_step(objective, x, f, g, hessian, direction, c1, rho)
                p = direction
            else:
                if hessian_modification == "cholesky":
                    p = -cho_solve((factor, True), g)
                else:
                    p = -vectors @ ((vectors.T @ g) / magnitudes)
                step = armijo_backtracking(objective, x, p, f, float(g @ p), alpha0=1.0, c1=c1, rho=rho)
            if step.alpha is None:
                status = PRECISION_LOSS
                break
            x = x + step.alpha * p
        f, g = objective.value_and_grad(x)
        nit += 1
        if callback(x, f):
            status = CALLBACK_STOP
            break
    return finish(objective, x, f, g, nit, status, nhev=objective.nhev)


def _negative_curvature_direction(hessian, g):
    """The unit eigenvector of H's most negative eigenvalue, signed so that ∇fᵀv ≤ 0; None when
    no eigenvalue is negative beyond rounding."""
    eigenvalues, vectors = np.linalg.eigh(hessian)
    if eigenvalues[0] >= -1e-10 * max(1.0, float(np.max(np.abs(eigenvalues)))):
        return None
    v = vectors[:, 0]
    return -v if g @ v > 0 else v


def _curvature_step(objective, x, f, g, hessian, v, c1, rho, max_steps=60):
    """The first α in 1, ρ, ρ², … with f(x + αv) ≤ f + c₁(α ∇fᵀv + ½α² vᵀHv)."""
    slope, curvature = float(g @ v), float(v @ hessian @ v)
    alpha = 1.0
    for _ in range(max_steps):
        value = objective.value(x + alpha * v)
        if value <= f + c1 * (alpha * slope + 0.5 * alpha * alpha * curvature) and value < f:
            return Step(alpha, value, None)
        alpha *= rho
    return Step(None, f, None)
