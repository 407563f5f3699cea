"""The three liblinear problems behind LinearSVC, one binary problem (labels yᵢ ∈ {±1}) each.

With a bias column already appended to X (so the bias is penalised like any weight, as in
liblinear), per-sample costs Cᵢ > 0, ξ(w; xᵢ, yᵢ) = max(0, 1 - yᵢ wᵀxᵢ) and R the penalty:

    P(w) = R(w) + Σᵢ Cᵢ ξᵢ^p,   R = ½‖w‖² ('l2') or ‖w‖₁ ('l1'),  p = 1 ('hinge') or 2 ('squared_hinge')

* ``dual_coordinate_descent`` ('l2' with the hinge; Hsieh et al., ICML 2008): the dual
  min_α ½ αᵀ(Q + D)α - Σαᵢ, 0 <= αᵢ <= Uᵢ, Qᵢⱼ = yᵢyⱼxᵢᵀxⱼ, with (Uᵢ, Dᵢᵢ) = (Cᵢ, 0) for the hinge
  and (∞, 1 / (2Cᵢ)) for the squared hinge, one coordinate at a time in a random order, keeping
  w = Σ yᵢαᵢxᵢ. Stops when max - min of the projected gradients over an epoch is <= tol
  (liblinear's rule).
* ``squared_hinge_newton`` ('l2' with the squared hinge, dual or primal): P is piecewise quadratic
  and strictly convex, with gradient w - 2 Σ_{I} Cᵢ (1 - yᵢwᵀxᵢ) yᵢxᵢ and generalised Hessian
  I + 2 X_Iᵀ diag(C_I) X_I over the samples I with margin < 1; Newton steps with an exact line
  search end once I stops changing. Its one optimum is also the dual's (αᵢ = 2Cᵢ ξᵢ by the KKT
  conditions), so for dual=True it stops on the dual's rule above, evaluated at that α — in a
  handful of steps where coordinate descent needs thousands of epochs on correlated features.
* ``primal_l1`` ('l1', squared hinge): coordinate descent with one Newton step per weight.

The primal rules stop when the optimality measure (max |∇P|, the minimum-norm subgradient for
'l1') is at most tol · max(1, min(n₊, n₋)) / n times its value at w = 0 (n₊, n₋: the number of
samples of each sign), liblinear's relative rule.
"""
from __future__ import annotations

import numpy as np
from scipy.linalg.blas import daxpy

__all__ = ["dual_coordinate_descent", "squared_hinge_newton", "primal_l1", "primal_objective"]


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


def _primal_tol(y: np.ndarray, tol: float) -> float:
    """liblinear's primal tolerance: tol scaled by the share of the smaller sign."""
    n_pos = int((y > 0).sum())
    return tol * max(1, min(n_pos, y.shape[0] - n_pos)) / y.shape[0]


def dual_projected_gradient(Z: np.ndarray, slack: np.ndarray, g: np.ndarray) -> np.ndarray:
    """The squared-hinge dual's projected gradient at the α that a primal point w determines (KKT).

    With Z = diag(y) X, slack b = 1 - Zw and primal gradient g = ∇P(w): αᵢ = 2Cᵢ max(bᵢ, 0), and since
    g = w - Zᵀα the dual's own w is Zᵀα = w - g, so the dual gradient Gᵢ = zᵢᵀ(w - g) - 1 + αᵢ/(2Cᵢ)
    = max(-bᵢ, 0) - zᵢᵀg; projected onto α >= 0: Gᵢ where αᵢ > 0, min(Gᵢ, 0) where αᵢ = 0.  (n,)
    """
    G = np.maximum(-slack, 0.0) - Z @ g
    return np.where(slack > 0, G, np.minimum(G, 0.0))


def squared_hinge_newton(X, y, C, tol: float, max_iter: int, *, rule: str = "primal"):
    """Newton's method on P(w) = ½‖w‖² + Σ Cᵢ max(0, bᵢ)², bᵢ = 1 - yᵢwᵀxᵢ (liblinear's 'l2' squared
    hinge).  P is piecewise quadratic: over the samples I with bᵢ > 0, gradient g = w - 2 Z_Iᵀ(C_I b_I)
    and generalised Hessian H = I + 2 Z_Iᵀ diag(C_I) Z_I (Z = diag(y) X, H >= I so always solvable);
    each step solves H d = -g and moves to the minimum of P along d (``_line_minimum``), so once I
    stops changing the step is exact and a few steps reach the optimum (as liblinear's own primal
    Newton solver, without its conjugate-gradient inner loop: d + 1 is small here).

    rule='primal' stops on liblinear's primal rule (max |g| <= ``_primal_tol`` · max |∇P(0)|) and
    returns w; rule='dual' stops on liblinear's dual rule — max - min of the dual's projected gradient
    (``dual_projected_gradient``) <= tol — and returns the dual's w = Zᵀα = w - g.  The primal is
    strictly convex, so both problems have one optimum and the two rules only decide how near to it
    the run stops.  Returns (w (d,), Newton steps, converged).
    """
    Z = X * y[:, None]
    w, slack = np.zeros(X.shape[1]), np.ones(X.shape[0])
    first = None
    for it in range(max_iter + 1):
        act = slack > 0
        Za, Ca, ba = Z[act], C[act], slack[act]
        g = w - 2.0 * ((Ca * ba) @ Za)
        if rule == "dual":
            pg = dual_projected_gradient(Z, slack, g)
            if float(pg.max() - pg.min()) <= tol:
                return w - g, it, True
        else:
            worst = float(np.max(np.abs(g), initial=0.0))
            first = max(worst, 1e-300) if first is None else first
            if worst <= _primal_tol(y, tol) * first:
                return w, it, True
        if it == max_iter:
            break
        d = -_newton_direction(Za, 2.0 * Ca, g)
        w_new, slack = _line_minimum(w, slack, d, Z @ d, C)
        if np.array_equal(w_new, w):        # no step changes w at float64 precision: stalled
            break
        w = w_new
    return (w - g if rule == "dual" else w), it, False


def _newton_direction(Za: np.ndarray, c: np.ndarray, g: np.ndarray) -> np.ndarray:
    """H⁻¹g for H = I + Zaᵀ diag(c) Za, Za (k, p): by the p × p system when p <= k, otherwise by
    Woodbury, H⁻¹g = g - Zaᵀ (diag(1/c) + Za Zaᵀ)⁻¹ Za g, a k × k system in the samples (the dual's
    own Newton system), so wide data (dual='auto' picks dual=True when n < d) never forms a d × d H."""
    k, p = Za.shape
    if p <= k:
        H = (Za.T * c) @ Za
        H.flat[::p + 1] += 1.0
        return np.linalg.solve(H, g)
    K = Za @ Za.T
    K.flat[::k + 1] += 1.0 / c
    return g - np.linalg.solve(K, Za @ g) @ Za


def _line_minimum(w, slack, d, Zd, C):
    """The step t minimising φ(t) = P(w + td) exactly (P is a convex piecewise quadratic in t, with
    φ'(t) = wᵀd + t dᵀd - 2 Σ Cᵢ max(bᵢ - t zdᵢ, 0) zdᵢ non-decreasing and piecewise linear): Newton's
    method on φ' from t = 1, kept inside the bracket where φ' changes sign (bisection otherwise); it
    ends when a step lands on the root of the linear piece it started from.  Returns (w + td, b - t Zd)."""
    wd, dd = float(w @ d), float(d @ d)
    lo, hi, t = 0.0, np.inf, 1.0
    for _ in range(50):
        slack_t = slack - t * Zd
        act = slack_t > 0
        czd = C[act] * Zd[act]
        dphi = wd + t * dd - 2.0 * float(czd @ slack_t[act])
        if dphi > 0:
            hi = t
        else:
            lo = t
        t_new = t - dphi / (dd + 2.0 * float(czd @ Zd[act]))
        if not lo <= t_new <= hi:
            t_new = 0.5 * (lo + hi) if hi < np.inf else 2.0 * t
        if abs(t_new - t) <= 1e-14 * max(t, 1.0):
            break
        t = t_new
    return w + t_new * d, slack - t_new * Zd


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
