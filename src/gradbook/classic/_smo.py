"""Sequential minimal optimisation for the C-SVM dual, organised as libsvm's ``Solver``.

Dual for labels yᵢ ∈ {±1}, Qᵢⱼ = yᵢyⱼK(xᵢ, xⱼ) and one upper bound Cᵢ per sample (libsvm's
Cᵢ = C · class_weight[yᵢ] · sample_weightᵢ):

    min_α f(α) = ½ αᵀQα - Σ αᵢ   s.t.  0 <= αᵢ <= Cᵢ,  yᵀα = 0

With m = -y ⊙ ∇f (m starts at y because ∇f = Qα - 1 = -1 at α = 0), the index sets
I_up = {t : yₜ = +1, αₜ < Cₜ} ∪ {t : yₜ = -1, αₜ > 0} and I_low (the mirror image), each step

* picks i = argmax_{I_up} mₜ (the most violating index), stops when mᵢ - min_{I_low} mₜ < tol;
* picks j among t ∈ I_low with bₜ = mᵢ - mₜ > 0 maximising the guaranteed decrease bₜ² / aₜ,
  aₜ = Kᵢᵢ + Kₜₜ - 2Kᵢₜ (the second-order rule WSS3 of Fan, Chen & Lin, JMLR 2005);
* solves the two-variable problem in closed form, clipped to the box [0, Cᵢ] × [0, Cⱼ];
* updates m -= yᵢΔαᵢ K[i, :] + yⱼΔαⱼ K[j, :] (two kernel rows, vectorised).

Ties go to the last index, as libsvm's ``>=`` / ``<=`` scans do. Kernel rows come from
:class:`KernelRows`, computed on demand and kept in a least-recently-used cache (libsvm's
``Cache``); only the rows of indices the solver visits are ever computed.

There is no shrinking. libsvm's version (set aside bounded samples beyond the extremes of the other
set, rebuild their gradient before stopping) was written and measured: in NumPy every step then
gathers the active entries of three kernel rows, and on 2000-8000-sample problems the runs were
1.4-1.9x slower than working on all samples, so each step is one pass over full vectors.
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from scipy.linalg.blas import daxpy

__all__ = ["KernelRows", "SMOResult", "smo"]

TAU = 1e-12      # libsvm's floor for a non-positive curvature aₜ


class KernelRows:
    """Rows of the Gram matrix of X for 'linear' | 'poly' | 'rbf', on demand, with an LRU cache.

    ``row(i)`` returns K[i, :] (n,); ``curvature(i)`` returns a = Kᵢᵢ + diag(K) - 2K[i, :] floored at
    TAU (n,), needed only for the rows the solver picks as i. At most ``cache_size`` MB of rows are
    kept (at least two, the pair of the current step). Each row is one matrix-vector product and a
    few vector operations, the constants folded in beforehand:
    linear xᵢ·xₜ; poly (γ xᵢ·xₜ + c₀)^degree; rbf exp(min(0, (2γX) xᵢ - γ‖xₜ‖² - γ‖xᵢ‖²)).
    """

    def __init__(self, X: np.ndarray, kernel: str, gamma: float, degree: float, coef0: float,
                 cache_size: float = 200.0):
        self.kernel, self.degree, self.coef0 = kernel, degree, coef0
        self.X = X
        sq_norms = np.einsum("ij,ij->i", X, X)
        if kernel == "linear":
            self.diag = sq_norms
        elif kernel == "poly":
            self.X_scaled = gamma * X
            self.diag = (gamma * sq_norms + coef0) ** degree
        else:
            self.X_scaled = 2.0 * gamma * X
            self.neg_gamma_sq = -gamma * sq_norms
            self.diag = np.ones(X.shape[0])
        self.capacity = max(2, int(cache_size * 2**20 // (16 * max(1, X.shape[0]))))
        self._rows: OrderedDict[int, np.ndarray] = OrderedDict()
        self._curvatures: OrderedDict[int, np.ndarray] = OrderedDict()

    def _compute(self, i: int) -> np.ndarray:
        if self.kernel == "linear":
            return self.X @ self.X[i]
        k = self.X_scaled @ self.X[i]
        if self.kernel == "poly":
            k += self.coef0
            k **= self.degree
            return k
        k += self.neg_gamma_sq
        k += self.neg_gamma_sq[i]
        np.minimum(k, 0.0, out=k)                    # a squared distance is never negative
        k[i] = 0.0                                   # exact: the distance of a point to itself
        return np.exp(k, out=k)

    def row(self, i: int) -> np.ndarray:
        k = self._rows.get(i)
        if k is None:
            k = self._rows[i] = self._compute(i)
            if len(self._rows) > self.capacity:
                self._rows.popitem(last=False)
        else:
            self._rows.move_to_end(i)
        return k

    def curvature(self, i: int) -> np.ndarray:
        a = self._curvatures.get(i)
        if a is None:
            a = self.row(i) * -2.0
            a += self.diag
            a += self.diag[i]
            np.maximum(a, TAU, out=a)
            self._curvatures[i] = a
            if len(self._curvatures) > self.capacity:
                self._curvatures.popitem(last=False)
        else:
            self._curvatures.move_to_end(i)
        return a


@dataclass
class SMOResult:
    alpha: np.ndarray         # (n,) dual variables, 0 <= αᵢ <= Cᵢ
    intercept: float          # b = -ρ; f(x) = Σ yᵢαᵢK(xᵢ, x) + b
    n_iter: int
    converged: bool


def _pair_step(ai, aj, Ci, Cj, Gi, Gj, q, same_sign):
    """The two-variable subproblem in closed form, clipped to the box (libsvm's update rules).

    Opposite labels keep αᵢ - αⱼ fixed; equal labels keep αᵢ + αⱼ fixed. Returns (new αᵢ, new αⱼ).
    """
    if not same_sign:
        delta = (-Gi - Gj) / q
        diff = ai - aj
        ni, nj = ai + delta, aj + delta
        if diff > 0:
            if nj < 0:
                nj, ni = 0.0, diff
        elif ni < 0:
            ni, nj = 0.0, -diff
        if diff > Ci - Cj:
            if ni > Ci:
                ni, nj = Ci, Ci - diff
        elif nj > Cj:
            nj, ni = Cj, Cj + diff
        return ni, nj
    delta = (Gi - Gj) / q
    total = ai + aj
    ni, nj = ai - delta, aj + delta
    if total > Ci:
        if ni > Ci:
            ni, nj = Ci, total - Ci
    elif nj < 0:
        nj, ni = 0.0, total
    if total > Cj:
        if nj > Cj:
            nj, ni = Cj, total - Cj
    elif ni < 0:
        ni, nj = 0.0, total
    return ni, nj


def smo(rows: KernelRows, y: np.ndarray, C: np.ndarray, tol: float, max_iter: int) -> SMOResult:
    """Solve the dual above; ``rows`` gives kernel rows of the problem's samples, y ∈ {±1} (n,),
    C (n,) the per-sample bounds, ``max_iter`` < 0 for no limit."""
    n = y.shape[0]
    m = y.copy()                                   # m = -y ⊙ ∇f
    # 0 where t is in I_up (resp. I_low), -inf (resp. +inf) elsewhere: one add masks a vector
    up_mask = np.where(y > 0, 0.0, -np.inf)
    low_mask = np.where(y > 0, np.inf, 0.0)
    buf = np.empty(n)
    buf_reversed = buf[::-1]                       # argmax on it finds the last maximum (ties as libsvm)
    last = n - 1
    # the scalar part of a step reads Python floats (numpy scalars are several times slower)
    alpha, ys, Cs, Kd = [0.0] * n, y.tolist(), C.tolist(), rows.diag.tolist()
    row, curvature = rows.row, rows.curvature
    it, converged = 0, False
    while max_iter < 0 or it < max_iter:
        np.add(m, up_mask, out=buf)
        i = last - int(buf_reversed.argmax())
        m_i = buf.item(i)
        np.add(m, low_mask, out=buf)
        np.subtract(m_i, buf, out=buf)             # bₜ on I_low, -inf elsewhere
        if not m_i > -np.inf or np.maximum.reduce(buf) < tol:
            converged = True
            break
        Ki, curvature_i = row(i), curvature(i)
        np.maximum(buf, 0.0, out=buf)
        np.multiply(buf, buf, out=buf)
        np.divide(buf, curvature_i, out=buf)       # bₜ² / aₜ, 0 off the candidates
        j = last - int(buf_reversed.argmax())
        Kj = row(j)
        it += 1
        yi, yj, old_i, old_j = ys[i], ys[j], alpha[i], alpha[j]
        q = max(Kd[i] + Kd[j] - 2.0 * Ki.item(j), TAU)
        new_i, new_j = _pair_step(old_i, old_j, Cs[i], Cs[j], -yi * m_i, -yj * m.item(j), q, yi == yj)
        alpha[i], alpha[j] = new_i, new_j
        daxpy(Ki, m, a=-yi * (new_i - old_i))
        daxpy(Kj, m, a=-yj * (new_j - old_j))
        for t, a_t, y_t in ((i, new_i, yi), (j, new_j, yj)):
            at_upper, at_lower = a_t >= Cs[t], a_t <= 0.0
            if y_t > 0:
                up_mask[t] = -np.inf if at_upper else 0.0
                low_mask[t] = np.inf if at_lower else 0.0
            else:
                up_mask[t] = -np.inf if at_lower else 0.0
                low_mask[t] = np.inf if at_upper else 0.0
    alpha = np.array(alpha)
    return SMOResult(alpha, -_rho(alpha, -m, y, C), it, converged)


def _rho(alpha: np.ndarray, yG: np.ndarray, y: np.ndarray, C: np.ndarray) -> float:
    """ρ = mean of yᵢ∇ᵢ over free αᵢ; with none free, the midpoint of the interval the bounded
    ones allow (libsvm's ``calculate_rho``)."""
    free = (alpha > 0) & (alpha < C)
    if free.any():
        return float(yG[free].mean())
    at_upper = alpha >= C
    pos = y > 0
    caps_from_above = np.where(pos, ~at_upper, at_upper)
    ub = yG[caps_from_above].min(initial=np.inf)
    lb = yG[~caps_from_above].max(initial=-np.inf)
    return float((ub + lb) / 2)
