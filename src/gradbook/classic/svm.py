"""Support vector classification by sequential minimal optimisation (SMO), laid out like libsvm /
scikit-learn's SVC (one-vs-one for more than two classes).

Dual of the soft-margin SVM for labels yᵢ ∈ {±1}, Qᵢⱼ = yᵢyⱼK(xᵢ, xⱼ):

    min_α ½ αᵀQα - Σ αᵢ   s.t.  0 <= αᵢ <= C,  yᵀα = 0

Each SMO step picks the pair (i, j) by Fan, Chen & Lin's second-order rule (i: the most violating
index of I_up; j: the index of I_low with the largest guaranteed decrease (Gmax - yⱼ∇ⱼ)²/(Kᵢᵢ+Kⱼⱼ-2Kᵢⱼ))
and solves the two-variable problem in closed form with clipping to the box. It stops when
max_{I_up} -y∇ - min_{I_low} -y∇ < tol (libsvm's ε). The decision function is
f(x) = Σ yᵢαᵢ K(xᵢ, x) + b with b = -ρ from the free αᵢ.
"""
from __future__ import annotations

import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.validation import check_is_fitted

from ._linear_base import check_param, check_positive, encode_classes, fit_data, predict_data
from .kernels import KERNELS, pairwise_kernel, resolve_gamma

__all__ = ["SVC"]

_TAU = 1e-12


def smo(K: np.ndarray, y: np.ndarray, C: float, tol: float, max_iter: int):
    """Solve the SVM dual on a Gram matrix K (n, n) with labels y ∈ {±1}.

    Returns (α (n,), b, n_iter, converged); the decision function is K(·, X) (y α) + b.
    """
    n = len(y)
    alpha = np.zeros(n)
    G = -np.ones(n)                            # ∇ of ½αᵀQα - eᵀα
    Kd = np.diag(K).copy()
    pos = y > 0
    it = 0
    converged = False
    while max_iter < 0 or it < max_iter:
        at_upper, at_lower = alpha >= C, alpha <= 0
        up = np.where(pos, ~at_upper, ~at_lower)
        low = np.where(pos, ~at_lower, ~at_upper)
        yG = -y * G
        i = int(np.argmax(np.where(up, yG, -np.inf)))
        g_max = yG[i]
        low_vals = np.where(low, yG, np.inf)
        if not up[i] or g_max - low_vals.min() < tol:
            converged = True
            break
        diff = g_max - yG
        quad = Kd[i] + Kd - 2 * K[i]
        quad[quad <= 0] = _TAU
        cand = low & (diff > 0)
        j = int(np.argmin(np.where(cand, -(diff * diff) / quad, np.inf)))
        it += 1
        yi, yj = y[i], y[j]
        ai, aj = alpha[i], alpha[j]
        q = max(Kd[i] + Kd[j] - 2 * K[i, j], _TAU)
        if yi != yj:
            delta = (-G[i] - G[j]) / q
            d = ai - aj
            ni, nj = ai + delta, aj + delta
            if d > 0:
                if nj < 0:
                    nj, ni = 0.0, d
            elif ni < 0:
                ni, nj = 0.0, -d
            if d > 0:
                if ni > C:
                    ni, nj = C, C - d
            elif nj > C:
                nj, ni = C, C + d
        else:
            delta = (G[i] - G[j]) / q
            s = ai + aj
            ni, nj = ai - delta, aj + delta
            if s > C:
                if ni > C:
                    ni, nj = C, s - C
            elif nj < 0:
                nj, ni = 0.0, s
            if s > C:
                if nj > C:
                    nj, ni = C, s - C
            elif ni < 0:
                ni, nj = 0.0, s
        alpha[i], alpha[j] = ni, nj
        G += y * (K[i] * (yi * (ni - ai)) + K[j] * (yj * (nj - aj)))
    return alpha, -_rho(alpha, G, y, C), it, converged


def _rho(alpha, G, y, C) -> float:
    """ρ = mean of yᵢ∇ᵢ over free αᵢ, else the midpoint of the feasible interval (libsvm)."""
    yG = y * G
    free = (alpha > 0) & (alpha < C)
    if free.any():
        return float(yG[free].mean())
    at_upper = alpha >= C
    pos = y > 0
    ub_set = np.where(pos, ~at_upper, at_upper)     # bounds that cap ρ from above
    ub = yG[ub_set].min(initial=np.inf)
    lb = yG[~ub_set].max(initial=-np.inf)
    return float((ub + lb) / 2)


def ovr_decision_function(predictions: np.ndarray, confidences: np.ndarray, n_classes: int) -> np.ndarray:
    """One-vs-one votes turned into one-vs-rest scores: votes + Σconf / (3(|Σconf| + 1)), as sklearn."""
    n = predictions.shape[0]
    votes = np.zeros((n, n_classes))
    conf = np.zeros((n, n_classes))
    k = 0
    for i in range(n_classes):
        for j in range(i + 1, n_classes):
            conf[:, i] -= confidences[:, k]
            conf[:, j] += confidences[:, k]
            votes[predictions[:, k] == 0, i] += 1
            votes[predictions[:, k] == 1, j] += 1
            k += 1
    return votes + conf / (3 * (np.abs(conf) + 1))


class SVC(ClassifierMixin, BaseEstimator):
    """C-support vector classifier solved by SMO; more than two classes are handled one-vs-one.

    Parameters
    ----------
    C : float, default 1.0
    kernel : {'linear', 'poly', 'rbf'}, default 'rbf'
    degree : float, default 3
    gamma : 'scale' (1 / (d · Var X)) | 'auto' (1 / d) | float, default 'scale'
    coef0 : float, default 0.0
    tol : float, default 1e-3 — SMO stops when the maximal KKT violation is below tol
    max_iter : int, default -1 (no limit) — SMO steps per binary problem
    decision_function_shape : {'ovr', 'ovo'}, default 'ovr'
    break_ties : bool, default False

    Attributes (scikit-learn's layout)
    ----------
    classes_, support_ (n_SV,), support_vectors_ (n_SV, d), n_support_ (n_classes,),
    dual_coef_ (n_classes - 1, n_SV), intercept_ (n_classes (n_classes - 1) / 2,), n_iter_, _gamma
    """

    def __init__(self, *, C: float = 1.0, kernel: str = "rbf", degree: float = 3, gamma="scale",
                 coef0: float = 0.0, tol: float = 1e-3, max_iter: int = -1,
                 decision_function_shape: str = "ovr", break_ties: bool = False):
        self.C = C
        self.kernel = kernel
        self.degree = degree
        self.gamma = gamma
        self.coef0 = coef0
        self.tol = tol
        self.max_iter = max_iter
        self.decision_function_shape = decision_function_shape
        self.break_ties = break_ties

    def _kernel(self, X, Y):
        return pairwise_kernel(X, Y, self.kernel, self._gamma, self.degree, self.coef0)

    def fit(self, X, y) -> "SVC":
        check_param(self, "kernel", self.kernel, KERNELS)
        check_param(self, "decision_function_shape", self.decision_function_shape, ("ovr", "ovo"))
        check_positive(self, "C", self.C)
        check_positive(self, "tol", self.tol)
        if isinstance(self.max_iter, bool) or not isinstance(self.max_iter, (int, np.integer)) \
                or self.max_iter == 0 or self.max_iter < -1:
            raise ValueError(f"SVC: max_iter must be a positive integer or -1; got {self.max_iter!r}")
        X, y = fit_data(self, X, y, dtype=np.float64)
        self.classes_, y_idx = encode_classes(self, y)
        self._gamma = resolve_gamma(self.gamma, X, "SVC")
        n_cls = len(self.classes_)
        K_full = self._kernel(X, None) if X.shape[0] <= 6000 else None
        alphas = np.zeros((n_cls, n_cls, X.shape[0]))   # [i, j] : signed y·α of the pair (i, j) problem
        intercepts, iters, unconverged = [], [], 0
        for i in range(n_cls):
            for j in range(i + 1, n_cls):
                idx = np.flatnonzero((y_idx == i) | (y_idx == j))
                K = K_full[np.ix_(idx, idx)] if K_full is not None else self._kernel(X[idx], None)
                yy = np.where(y_idx[idx] == i, 1.0, -1.0)
                a, b, it, ok = smo(K, yy, float(self.C), self.tol, self.max_iter)
                alphas[i, j, idx] = yy * a
                intercepts.append(b), iters.append(it)
                unconverged += not ok
        if unconverged:
            warnings.warn(f"SVC: SMO stopped at max_iter={self.max_iter} before reaching tol in "
                          f"{unconverged} binary problem(s); the solution may be inaccurate.", ConvergenceWarning)
        self._set_support(X, y_idx, alphas, np.array(intercepts))
        self.n_iter_ = np.array(iters)
        return self

    def _set_support(self, X, y_idx, alphas, intercepts) -> None:
        """libsvm's layout: SVs sorted by class; the coefficients of class-i SVs in the (i, j)
        problem sit in row j-1, those of class-j SVs in row i."""
        n_cls = len(self.classes_)
        is_sv = (alphas != 0).any(axis=(0, 1))
        order = np.lexsort((np.arange(len(y_idx)), y_idx))
        self.support_ = order[is_sv[order]]
        sv_cls = y_idx[self.support_]
        self.support_vectors_ = X[self.support_]
        self.n_support_ = np.bincount(sv_cls, minlength=n_cls).astype(np.int32)
        dual = np.zeros((max(n_cls - 1, 1), len(self.support_)))
        for i in range(n_cls):
            for j in range(i + 1, n_cls):
                a = alphas[i, j, self.support_]
                dual[j - 1, sv_cls == i] = a[sv_cls == i]
                dual[i, sv_cls == j] = a[sv_cls == j]
        self._dual_coef_, self._intercept_ = dual, intercepts
        # two classes: scikit-learn flips signs so that a positive score means classes_[1]
        sign = -1.0 if n_cls == 2 else 1.0
        self.dual_coef_, self.intercept_ = sign * dual, sign * intercepts

    def _ovo_scores(self, X) -> np.ndarray:
        """libsvm's pairwise scores (positive: the first class of the pair).  (n, d) -> (n, n_pairs)."""
        K = self._kernel(X, self.support_vectors_)
        sv_cls = np.repeat(np.arange(len(self.classes_)), self.n_support_)
        n_cls = len(self.classes_)
        out = np.empty((X.shape[0], n_cls * (n_cls - 1) // 2))
        p = 0
        for i in range(n_cls):
            for j in range(i + 1, n_cls):
                mi, mj = sv_cls == i, sv_cls == j
                out[:, p] = (K[:, mi] @ self._dual_coef_[j - 1, mi] + K[:, mj] @ self._dual_coef_[i, mj]
                             + self._intercept_[p])
                p += 1
        return out

    def decision_function(self, X) -> np.ndarray:
        """(n, d) -> (n,) for two classes; (n, n_classes) for 'ovr'; (n, n_pairs) for 'ovo'."""
        X = predict_data(self, X, dtype=np.float64, attr="support_")
        dec = self._ovo_scores(X)
        if len(self.classes_) == 2:
            return -dec[:, 0]
        if self.decision_function_shape == "ovr":
            return ovr_decision_function(dec < 0, -dec, len(self.classes_))
        return dec

    def predict(self, X) -> np.ndarray:
        """Two classes: the sign of the score; more: one-vs-one majority vote (ties: lowest class)."""
        X = predict_data(self, X, dtype=np.float64, attr="support_")
        dec = self._ovo_scores(X)
        n_cls = len(self.classes_)
        if n_cls == 2:
            return self.classes_[(dec[:, 0] < 0).astype(int)]
        if self.break_ties and self.decision_function_shape == "ovr":
            return self.classes_[ovr_decision_function(dec < 0, -dec, n_cls).argmax(axis=1)]
        votes = np.zeros((X.shape[0], n_cls), dtype=int)
        p = 0
        for i in range(n_cls):
            for j in range(i + 1, n_cls):
                win = np.where(dec[:, p] > 0, i, j)
                np.add.at(votes, (np.arange(X.shape[0]), win), 1)
                p += 1
        return self.classes_[votes.argmax(axis=1)]

    # ---- certificates of optimality -------------------------------------------------------------
    def _pair_problems(self, X, y):
        """For each one-vs-one problem: (sample indices, labels ±1, α, margins yᵢf(xᵢ), C)."""
        check_is_fitted(self, "support_")
        X, y = fit_data(self.__class__(), X, y, dtype=np.float64)
        classes, y_idx = np.unique(y, return_inverse=True)
        if (not np.array_equal(classes, self.classes_) or self.support_.max(initial=-1) >= len(X)
                or not np.allclose(X[self.support_], self.support_vectors_)):
            raise ValueError("SVC: objective_values / kkt_violations need the training data (X, y) "
                             "that the model was fitted on")
        dec = self._ovo_scores(X)
        sv_cls = y_idx[self.support_]
        n_cls, p = len(self.classes_), 0
        for i in range(n_cls):
            for j in range(i + 1, n_cls):
                idx = np.flatnonzero((y_idx == i) | (y_idx == j))
                yy = np.where(y_idx[idx] == i, 1.0, -1.0)
                coef = np.zeros(len(X))
                coef[self.support_[sv_cls == i]] = self._dual_coef_[j - 1, sv_cls == i]
                coef[self.support_[sv_cls == j]] = self._dual_coef_[i, sv_cls == j]
                yield idx, yy, coef[idx] * yy, yy * dec[idx, p], coef[idx], X[idx], self._intercept_[p]
                p += 1

    def objective_values(self, X, y) -> dict:
        """Primal P = ½‖w‖² + C Σ max(0, 1 - yᵢf(xᵢ)), dual D = Σαᵢ - ½‖w‖² (‖w‖² = (yα)ᵀK(yα)) and
        the gap P - D >= 0 (0 at the optimum), per binary problem; X, y must be the training data.
        Values are floats for two classes, arrays of length n_pairs otherwise."""
        out = {"primal": [], "dual": [], "gap": []}
        for idx, yy, a, margin, coef, Xp, b in self._pair_problems(X, y):
            nz = coef != 0
            w2 = float(coef[nz] @ self._kernel(Xp[nz], None) @ coef[nz])
            primal = 0.5 * w2 + self.C * np.maximum(0.0, 1.0 - margin).sum()
            dual = a.sum() - 0.5 * w2
            out["primal"].append(primal), out["dual"].append(dual), out["gap"].append(primal - dual)
        if len(self.classes_) == 2:
            return {k: v[0] for k, v in out.items()}
        return {k: np.array(v) for k, v in out.items()}

    def kkt_violations(self, X, y, tol: float = 1e-3) -> np.ndarray:
        """Indices of training samples breaking the KKT conditions by more than tol in some
        binary problem: αᵢ = 0 ⇒ yᵢf(xᵢ) >= 1, 0 < αᵢ < C ⇒ yᵢf(xᵢ) = 1, αᵢ = C ⇒ yᵢf(xᵢ) <= 1."""
        bad = []
        for idx, yy, a, margin, coef, Xp, b in self._pair_problems(X, y):
            at_zero, at_c = a <= 0, a >= self.C * (1 - 1e-12)
            free = ~at_zero & ~at_c
            viol = (at_zero & (margin < 1 - tol)) | (free & (np.abs(margin - 1) > tol)) | (at_c & (margin > 1 + tol))
            bad.append(idx[viol])
        return np.unique(np.concatenate(bad))
