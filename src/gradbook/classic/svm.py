"""Support vector classification laid out like libsvm / scikit-learn's SVC (one-vs-one for more
than two classes); the dual is solved by SMO with second-order working-set selection and a kernel
row cache (see ``_smo``).

Dual of the soft-margin SVM for labels yᵢ ∈ {±1}, Qᵢⱼ = yᵢyⱼK(xᵢ, xⱼ):

    min_α ½ αᵀQα - Σ αᵢ   s.t.  0 <= αᵢ <= Cᵢ,  yᵀα = 0,   Cᵢ = C · class_weight[yᵢ] · sample_weightᵢ

so a sample of weight 2 has the box of two copies of itself (weight 2 = the row repeated), and a
sample of weight <= 0 is dropped before solving, as libsvm does. The decision function is
f(x) = Σ yᵢαᵢ K(xᵢ, x) + b with b = -ρ from the free αᵢ.
"""
from __future__ import annotations

import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.validation import check_is_fitted

from ._class_weight import compute_class_weight
from ._linear_base import check_param, check_positive, encode_classes, fit_data, predict_data
from ._smo import KernelRows, smo
from ._validation import check_sample_weight
from .kernels import KERNELS, pairwise_kernel, resolve_gamma

__all__ = ["SVC"]


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
    cache_size : float, default 200 — megabytes of kernel rows kept per binary problem
    class_weight : dict | 'balanced' | None, default None — Cᵢ *= weight of yᵢ's class ('balanced':
        n_samples / (n_classes · count), counted without sample weights, as scikit-learn's SVC)
    max_iter : int, default -1 (no limit) — SMO steps per binary problem
    decision_function_shape : {'ovr', 'ovo'}, default 'ovr'
    break_ties : bool, default False

    Attributes (scikit-learn's layout)
    ----------
    classes_, class_weight_ (n_classes,), support_ (n_SV,), support_vectors_ (n_SV, d),
    n_support_ (n_classes,), dual_coef_ (n_classes - 1, n_SV), intercept_ (n_classes (n_classes - 1) / 2,),
    n_iter_, _gamma. ``support_`` indexes the X given to ``fit`` (X[support_] == support_vectors_) also
    when zero weights drop samples; scikit-learn's then indexes X[sample_weight > 0] instead.
    """

    def __init__(self, *, C: float = 1.0, kernel: str = "rbf", degree: float = 3, gamma="scale",
                 coef0: float = 0.0, tol: float = 1e-3, cache_size: float = 200, class_weight=None,
                 max_iter: int = -1, decision_function_shape: str = "ovr", break_ties: bool = False):
        self.C = C
        self.kernel = kernel
        self.degree = degree
        self.gamma = gamma
        self.coef0 = coef0
        self.tol = tol
        self.cache_size = cache_size
        self.class_weight = class_weight
        self.max_iter = max_iter
        self.decision_function_shape = decision_function_shape
        self.break_ties = break_ties

    def _kernel(self, X, Y):
        return pairwise_kernel(X, Y, self.kernel, self._gamma, self.degree, self.coef0)

    def _check_params(self) -> None:
        check_param(self, "kernel", self.kernel, KERNELS)
        check_param(self, "decision_function_shape", self.decision_function_shape, ("ovr", "ovo"))
        check_positive(self, "C", self.C)
        check_positive(self, "tol", self.tol)
        check_positive(self, "cache_size", self.cache_size)
        if isinstance(self.max_iter, bool) or not isinstance(self.max_iter, (int, np.integer)) \
                or self.max_iter == 0 or self.max_iter < -1:
            raise ValueError(f"SVC: max_iter must be a positive integer or -1; got {self.max_iter!r}")

    def _sample_bounds(self, y_idx: np.ndarray, sample_weight, X: np.ndarray) -> np.ndarray:
        """Cᵢ = C · class_weight_[yᵢ] · sample_weightᵢ (n,); raises, with libsvm's words, when no
        sample keeps a positive bound or the kept ones are all of one class."""
        sw = check_sample_weight(self, sample_weight, X, non_negative=False, allow_all_zero=True)
        bounds = float(self.C) * self.class_weight_[y_idx] * sw
        kept = bounds > 0
        if not kept.any():
            raise ValueError("SVC: Invalid input - all samples have zero or negative weights.")
        present = np.unique(y_idx[kept])
        if present.shape[0] == 1:
            raise ValueError("SVC: Invalid input - all samples with positive weights belong to the same class.")
        if present.shape[0] < len(self.classes_):
            missing = np.setdiff1d(np.arange(len(self.classes_)), present)
            raise ValueError(f"SVC: every class needs a sample with positive weight (times class weight); "
                             f"none for {self.classes_[missing].tolist()}")
        return bounds

    def fit(self, X, y, sample_weight=None) -> "SVC":
        """Solve one SMO problem per pair of classes.  X (n, d), y (n,), sample_weight (n,) or None."""
        self._check_params()
        X, y = fit_data(self, X, y, dtype=np.float64)
        self.classes_, y_idx = encode_classes(self, y)
        self.class_weight_ = compute_class_weight(self.class_weight, classes=self.classes_, y=y, owner="SVC")
        bounds = self._sample_bounds(y_idx, sample_weight, X)
        self._gamma = resolve_gamma(self.gamma, X, "SVC")
        n_cls = len(self.classes_)
        alphas = np.zeros((n_cls, n_cls, X.shape[0]))   # [i, j] : signed y·α of the pair (i, j) problem
        intercepts, iters, unconverged = [], [], 0
        for i in range(n_cls):
            for j in range(i + 1, n_cls):
                idx = np.flatnonzero(((y_idx == i) | (y_idx == j)) & (bounds > 0))
                rows = KernelRows(X[idx], self.kernel, self._gamma, self.degree, self.coef0, self.cache_size)
                yy = np.where(y_idx[idx] == i, 1.0, -1.0)
                res = smo(rows, yy, bounds[idx], float(self.tol), int(self.max_iter))
                alphas[i, j, idx] = yy * res.alpha
                intercepts.append(res.intercept), iters.append(res.n_iter)
                unconverged += not res.converged
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
    def _pair_problems(self, X, y, sample_weight=None):
        """For each one-vs-one problem over the samples with a positive bound: (sample indices,
        α, margins yᵢf(xᵢ), signed coefficients yᵢαᵢ, the samples, bounds Cᵢ)."""
        check_is_fitted(self, "support_")
        X, y = fit_data(self.__class__(), X, y, dtype=np.float64)
        classes, y_idx = np.unique(y, return_inverse=True)
        if (not np.array_equal(classes, self.classes_) or self.support_.max(initial=-1) >= len(X)
                or not np.allclose(X[self.support_], self.support_vectors_)):
            raise ValueError("SVC: objective_values / kkt_violations need the training data (X, y) "
                             "that the model was fitted on")
        bounds = self._sample_bounds(y_idx, sample_weight, X)
        dec = self._ovo_scores(X)
        sv_cls = y_idx[self.support_]
        n_cls, p = len(self.classes_), 0
        for i in range(n_cls):
            for j in range(i + 1, n_cls):
                idx = np.flatnonzero(((y_idx == i) | (y_idx == j)) & (bounds > 0))
                yy = np.where(y_idx[idx] == i, 1.0, -1.0)
                coef = np.zeros(len(X))
                coef[self.support_[sv_cls == i]] = self._dual_coef_[j - 1, sv_cls == i]
                coef[self.support_[sv_cls == j]] = self._dual_coef_[i, sv_cls == j]
                yield idx, coef[idx] * yy, yy * dec[idx, p], coef[idx], X[idx], bounds[idx]
                p += 1

    def objective_values(self, X, y, sample_weight=None) -> dict:
        """Primal P = ½‖w‖² + Σ Cᵢ max(0, 1 - yᵢf(xᵢ)), dual D = Σαᵢ - ½‖w‖² (‖w‖² = (yα)ᵀK(yα)) and
        the gap P - D >= 0 (0 at the optimum), per binary problem; X, y (and sample_weight) must be
        those of the fit. Values are floats for two classes, arrays of length n_pairs otherwise."""
        out = {"primal": [], "dual": [], "gap": []}
        for idx, a, margin, coef, Xp, bounds in self._pair_problems(X, y, sample_weight):
            nz = coef != 0
            w2 = float(coef[nz] @ self._kernel(Xp[nz], None) @ coef[nz])
            primal = 0.5 * w2 + bounds @ np.maximum(0.0, 1.0 - margin)
            dual = a.sum() - 0.5 * w2
            out["primal"].append(primal), out["dual"].append(dual), out["gap"].append(primal - dual)
        if len(self.classes_) == 2:
            return {k: v[0] for k, v in out.items()}
        return {k: np.array(v) for k, v in out.items()}

    def kkt_violations(self, X, y, tol: float = 1e-3, sample_weight=None) -> np.ndarray:
        """Indices of training samples breaking the KKT conditions by more than tol in some
        binary problem: αᵢ = 0 ⇒ yᵢf(xᵢ) >= 1, 0 < αᵢ < Cᵢ ⇒ yᵢf(xᵢ) = 1, αᵢ = Cᵢ ⇒ yᵢf(xᵢ) <= 1."""
        bad = []
        for idx, a, margin, coef, Xp, bounds in self._pair_problems(X, y, sample_weight):
            at_zero, at_c = a <= 0, a >= bounds * (1 - 1e-12)
            free = ~at_zero & ~at_c
            viol = (at_zero & (margin < 1 - tol)) | (free & (np.abs(margin - 1) > tol)) | (at_c & (margin > 1 + tol))
            bad.append(idx[viol])
        return np.unique(np.concatenate(bad))
