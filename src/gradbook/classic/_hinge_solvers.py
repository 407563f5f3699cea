"""The three liblinear problems behind LinearSVC, one binary problem (labels yᵢ ∈ {±1}) each.

With a bias column already appended to X (so the bias is penalised like any weight, as in
liblinear), per-sample costs Cᵢ > 0, ξ(w; xᵢ, yᵢ) = max(0, 1 - yᵢ wᵀxᵢ) and R the penalty:

    P(w) = R(w) + Σᵢ Cᵢ ξᵢ^p,   R = ½‖w‖² ('l2') or ‖w‖₁ ('l1'),  p = 1 ('hinge') or 2 ('squared_hinge')

* ``dual_coordinate_descent`` ('l2', either loss; Hsieh et al., ICML 2008): the dual
  min_α ½ αᵀ(Q + D)α - Σαᵢ, 0 <= αᵢ <= Uᵢ, Qᵢⱼ = yᵢyⱼxᵢᵀxⱼ, with (Uᵢ, Dᵢᵢ) = (Cᵢ, 0) for the hinge
  and (∞, 1 / (2Cᵢ)) for the squared hinge, one coordinate at a time in a random order, keeping
  w = Σ yᵢαᵢxᵢ. Stops when max - min of the projected gradients over an epoch is <= tol
  (liblinear's rule).
* ``primal_newton`` ('l2', squared hinge): P is piecewise quadratic, with gradient
  w - 2 Σ_{I} Cᵢ (1 - yᵢwᵀxᵢ) yᵢxᵢ and generalised Hessian I + 2 X_Iᵀ diag(C_I) X_I over the
  samples I with margin < 1; Newton steps with a line search end once I stops changing.
* ``primal_l1`` ('l1', squared hinge): coordinate descent with one Newton step per weight.

The primal solvers stop when the optimality measure (max |∇P|, the minimum-norm subgradient for
'l1') is at most tol · max(1, min(n₊, n₋)) / n times its value at w = 0 (n₊, n₋: the number of
samples of each sign), liblinear's relative rule.
"""
from __future__ import annotations

import numpy as np
from scipy.linalg.blas import daxpy

from ._linear_optim import newton

__all__ = ["dual_coordinate_descent", "primal_newton", "primal_l1", "primal_objective"]


def primal_objective(w: np.ndarray, X: np.ndarray, y: np.ndarray, C: np.ndarray, penalty: str, loss: str) -> float:
    """P(w) above.  w (d,), X (n, d) with the bias column, y (n,) ±1, C (n,)."""
    slack = np.maximum(0.0, 1.0 - y * (X @ w))
    reg = 0.5 * float(w @ w) if penalty == "l2" else float(np.abs(w).sum())
    return reg + float(C @ (slack if loss == "hinge" else slack * slack))


def dual_coordinate_descent(X, y, C, loss: str, tol: float, max_iter: int, rng: np.random.RandomState):
    """Returns (w (d,), epochs run, converged).

    Shrinking (liblinear's): a coordinate at a bound whose gradient points out of the box by more
    than the largest violation of the previous epoch leaves the active set; when the active ones
    meet tol, every coordinate is checked once more before stopping.
    """
    n, d = X.shape
    if loss == "hinge":
        upper, diag = C, np.zeros(n)
    else:
        upper, diag = np.full(n, np.inf), 0.5 / C
    Qd = np.einsum("ij,ij->i", X, X) + diag
    alpha = [0.0] * n
    w = np.zeros(d)
    rows, ups, diags, qds = list(X * y[:, None]), upper.tolist(), diag.tolist(), Qd.tolist()
    active = list(range(n))
    pg_max_old, pg_min_old = np.inf, -np.inf
    for epoch in range(1, max_iter + 1):
        pg_max, pg_min = -np.inf, np.inf
        kept = []
        for i in [active[k] for k in rng.permutation(len(active))]:
            a, row = alpha[i], rows[i]
            G = float(row @ w) - 1.0 + diags[i] * a
            if a <= 0.0:
                if G > pg_max_old:
                    continue                     # shrunk: stays at 0
                pg = min(G, 0.0)
            elif a >= ups[i]:
                if G < pg_min_old:
                    continue                     # shrunk: stays at its upper bound
                pg = max(G, 0.0)
            else:
                pg = G
            kept.append(i)
            pg_max, pg_min = max(pg_max, pg), min(pg_min, pg)
            if pg != 0.0 and qds[i] > 0.0:
                new = min(max(a - G / qds[i], 0.0), ups[i])
                alpha[i] = new
                daxpy(row, w, a=new - a)             # w += (new - a) yᵢxᵢ in place
        active = sorted(kept)
        if pg_max - pg_min <= tol:
            if len(active) == n:
                return w, epoch, True
            active, pg_max_old, pg_min_old = list(range(n)), np.inf, -np.inf
            continue
        pg_max_old = pg_max if pg_max > 0 else np.inf
        pg_min_old = pg_min if pg_min < 0 else -np.inf
    return w, max_iter, False


def _squared_hinge_parts(X, y, C):
    """fg and fgh of ½‖w‖² plus the squared-hinge loss (generalised Hessian) on flat w."""

    def margins(w):
        b = 1.0 - y * (X @ w)
        active = b > 0
        return b, active

    def fg(w):
        b, active = margins(w)
        cb = C[active] * b[active]
        f = 0.5 * float(w @ w) + float(cb @ b[active])
        g = w - 2.0 * X[active].T @ (cb * y[active])
        return f, g

    def fgh(w):
        f, g = fg(w)
        _, active = margins(w)
        Xa = X[active]
        H = 2.0 * (Xa.T * C[active]) @ Xa
        H[np.diag_indices_from(H)] += 1.0
        return f, g, H

    return fg, fgh


def _primal_tol(y: np.ndarray, tol: float) -> float:
    """liblinear's primal tolerance: tol scaled by the share of the smaller sign."""
    n_pos = int((y > 0).sum())
    return tol * max(1, min(n_pos, y.shape[0] - n_pos)) / y.shape[0]


def primal_newton(X, y, C, tol: float, max_iter: int):
    fg, fgh = _squared_hinge_parts(X, y, C)
    w0 = np.zeros(X.shape[1])
    scale = max(float(np.max(np.abs(fg(w0)[1]), initial=0.0)), 1e-300)
    return newton(fg, fgh, w0, tol=_primal_tol(y, tol) * scale, max_iter=max_iter)


def primal_l1(X, y, C, tol: float, max_iter: int):
    """Coordinate descent on ‖w‖₁ + Σ Cᵢ max(0, bᵢ)², bᵢ = 1 - yᵢwᵀxᵢ (liblinear's solver for this
    problem): for coordinate j, with gⱼ = -2 Σ_{b>0} Cᵢbᵢyᵢxᵢⱼ and hⱼ = 2 Σ_{b>0} Cᵢxᵢⱼ², the step d
    minimises |wⱼ + d| + gⱼd + ½hⱼd² (a soft threshold), then is halved until the objective falls by
    at least 1% of the predicted decrease. A pass stops the run when the largest minimum-norm
    subgradient it met is <= tol times that of w = 0. Returns (w, passes, converged)."""
    n, d = X.shape
    w = np.zeros(d)
    b = np.ones(n)                                 # margins' slack 1 - y wᵀx
    yX = X * y[:, None]
    columns = list(yX.T)
    first = None
    for it in range(1, max_iter + 1):
        worst = 0.0
        for j in range(d):
            col = columns[j]
            act = b > 0
            cb = C[act] * b[act]
            g = -2.0 * float(cb @ col[act])
            h = max(2.0 * float(C[act] @ (col[act] * col[act])), 1e-12)
            wj = w[j]
            worst = max(worst, abs(g + np.sign(wj)) if wj != 0 else max(abs(g) - 1.0, 0.0))
            if g + 1.0 <= h * wj:
                step = -(g + 1.0) / h
            elif g - 1.0 >= h * wj:
                step = -(g - 1.0) / h
            else:
                step = -wj
            if step == 0.0:
                continue
            predicted = g * step + abs(wj + step) - abs(wj)
            slack_old = np.maximum(b, 0.0)
            lam = 1.0
            for _ in range(30):
                b_new = b - lam * step * col
                slack_new = np.maximum(b_new, 0.0)
                # Σ Cᵢ(new² - old²) term by term as (new - old)(new + old): no cancellation of two big sums
                change = float(C @ ((slack_new - slack_old) * (slack_new + slack_old))) \
                    + abs(wj + lam * step) - abs(wj)
                if change <= 0.01 * lam * predicted:
                    w[j], b = wj + lam * step, b_new
                    break
                lam *= 0.5
        if first is None:
            first = max(worst, 1e-300)
        if worst <= _primal_tol(y, tol) * first:
            return w, it, True
    return w, max_iter, False
