"""Logistic regression (binary and multinomial) and its kernelised form.

Objective, with sᵢ the sample weights and S = Σ sᵢ (scikit-learn's scaling, same minimiser as
C Σ sᵢ ℓᵢ + ½‖W‖²):

    J(W, b) = (1/S) Σᵢ sᵢ ℓ(yᵢ, xᵢW + b) + (1 / (C S)) · Ω(W)

ℓ is the log loss of σ(z) (binary, one column) or of softmax(z) (multinomial, one column per class);
Ω = ½‖W‖² ('l2'), ‖W‖₁ ('l1') or 0 (None). The intercept is never penalised. Solvers, all written in
``_linear_optim``: 'lbfgs' (two-loop recursion), 'newton' (full Hessian), 'gd' (proximal gradient
descent with a backtracking line search; the only one for 'l1'). Each stops when the largest entry of
the gradient of J (the minimum-norm subgradient for 'l1') is at most ``tol``.

KernelLogisticRegression replaces xᵢW by K(xᵢ, X_train) A (representer theorem) and ½‖W‖² by
½ tr(AᵀKA), so a linear kernel gives back LogisticRegression's decision function.
"""
from __future__ import annotations

import warnings

import numpy as np
from scipy.special import logsumexp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning

from ._linear_base import (check_param, check_positive, encode_classes, fit_data, predict_data, sigmoid,
                           softmax, weighted_class_weight)
from ._linear_optim import lbfgs, newton, proximal_gradient
from ._validation import check_sample_weight
from .kernels import KERNELS, pairwise_kernel, resolve_gamma

__all__ = ["LogisticRegression", "KernelLogisticRegression"]

SOLVERS = ("lbfgs", "newton", "gd")


def _logistic_objective(Z1: np.ndarray, y_idx: np.ndarray, sw: np.ndarray, n_out: int, lam: float,
                        n_pen: int, R: np.ndarray | None = None):
    """fg(w) and fgh(w) for J on the design matrix Z1 (n, m) whose first n_pen columns are penalised
    by ½ lam · wᵀRw (R = I when None); w is the flat (m, n_out) parameter matrix.

    n_out = 1: binary, ℓ = log(1 + e^z) - y z.  n_out = K: multinomial, ℓ = logsumexp(z) - z_y.
    """
    n, m = Z1.shape
    sw = sw / sw.sum()
    Y = (y_idx == 1).astype(float)[:, None] if n_out == 1 else np.eye(n_out)[y_idx]

    def penalty_grad(W):
        Wp = W[:n_pen]
        return Wp if R is None else R @ Wp

    def core(w):
        W = w.reshape(m, n_out)
        Z = Z1 @ W
        RW = penalty_grad(W)
        if n_out == 1:
            z = Z[:, 0]
            f = sw @ (np.logaddexp(0.0, z) - Y[:, 0] * z)
            P = sigmoid(z)[:, None]
        else:
            lse = logsumexp(Z, axis=1)
            f = sw @ (lse - Z[np.arange(n), y_idx])
            P = np.exp(Z - lse[:, None])
        f += 0.5 * lam * np.sum(W[:n_pen] * RW)
        G = Z1.T @ (sw[:, None] * (P - Y))
        G[:n_pen] += lam * RW
        return f, G.ravel(), P

    def fg(w):
        f, g, _ = core(w)
        return f, g

    def fgh(w):
        f, g, P = core(w)
        if n_out == 1:
            H = (Z1 * (sw * P[:, 0] * (1 - P[:, 0]))[:, None]).T @ Z1
            Hpen = H[:n_pen, :n_pen]
            Hpen += lam * (np.eye(n_pen) if R is None else R)
            return f, g, H
        H = np.empty((m, n_out, m, n_out))
        for k in range(n_out):
            for j in range(k, n_out):
                a = sw * P[:, k] * ((k == j) - P[:, j])
                H[:, k, :, j] = H[:, j, :, k] = (Z1 * a[:, None]).T @ Z1
            pen = H[:n_pen, k, :n_pen, k]
            pen += lam * (np.eye(n_pen) if R is None else R)
        return f, g, H.reshape(m * n_out, m * n_out)

    return fg, fgh


def _class_constant_projector(m: int, n_out: int) -> np.ndarray:
    """Projector onto {W : W[i, k] = cᵢ for every class k}, the null space of the softmax loss."""
    return np.kron(np.eye(m), np.full((n_out, n_out), 1.0 / n_out))


def _minimise(est, fg, fgh, w0, solver, lam_l1, n_out, m):
    if solver == "lbfgs":
        w, it, ok = lbfgs(fg, w0, tol=est.tol, max_iter=est.max_iter)
    elif solver == "newton":
        proj = _class_constant_projector(m, n_out) if n_out > 1 else None
        w, it, ok = newton(fg, fgh, w0, tol=est.tol, max_iter=est.max_iter, null_proj=proj)
    else:
        w, it, ok = proximal_gradient(fg, w0, lam=lam_l1, tol=est.tol, max_iter=est.max_iter)
    if not ok:
        warnings.warn(f"{type(est).__name__}: solver {solver!r} did not converge in {est.max_iter} "
                      "iterations; increase max_iter or scale the data.", ConvergenceWarning)
    return w.reshape(m, n_out), it


class _LogisticOutput(ClassifierMixin, BaseEstimator):
    """predict / predict_proba / predict_log_proba from ``decision_function`` (shared)."""

    def predict(self, X) -> np.ndarray:
        """The class with the largest score.  (n, d) -> (n,)."""
        d = self.decision_function(X)
        idx = (d > 0).astype(int) if d.ndim == 1 else d.argmax(axis=1)
        return self.classes_[idx]

    def predict_proba(self, X) -> np.ndarray:
        """σ(score) (binary) or softmax(scores).  (n, d) -> (n, n_classes)."""
        d = self.decision_function(X)
        if d.ndim == 1:
            p = sigmoid(d)
            return np.column_stack([1 - p, p])
        return softmax(d)

    def predict_log_proba(self, X) -> np.ndarray:
        """log of predict_proba, computed stably.  (n, d) -> (n, n_classes)."""
        d = self.decision_function(X)
        if d.ndim == 1:
            d = np.column_stack([np.zeros_like(d), d])
        return d - logsumexp(d, axis=1, keepdims=True)


class LogisticRegression(_LogisticOutput):
    """Logistic regression: binary (σ, one coefficient row) or multinomial (softmax, one row per class).

    Parameters
    ----------
    penalty : {'l2', 'l1', None}, default 'l2'
    C : float, default 1.0 — inverse regularisation strength (ignored when penalty is None)
    fit_intercept : bool, default True
    class_weight : dict | 'balanced' | None, default None — sᵢ *= weight of yᵢ's class ('balanced':
        Σ sᵢ / (n_classes · Σ_{yᵢ=c} sᵢ), classes counted with the sample weights, as scikit-learn)
    tol : float, default 1e-4 — stop when max |∇J| <= tol
    solver : {'lbfgs', 'newton', 'gd'}, default 'lbfgs' ('l1' needs 'gd')
    max_iter : int, default 100

    Attributes
    ----------
    classes_ (n_classes,), coef_ (1 or n_classes, n_features), intercept_ (1 or n_classes,), n_iter_ (1,)
    """

    def __init__(self, penalty: str | None = "l2", *, C: float = 1.0, fit_intercept: bool = True,
                 class_weight=None, tol: float = 1e-4, solver: str = "lbfgs", max_iter: int = 100):
        self.penalty = penalty
        self.C = C
        self.fit_intercept = fit_intercept
        self.class_weight = class_weight
        self.tol = tol
        self.solver = solver
        self.max_iter = max_iter

    def fit(self, X, y, sample_weight=None) -> "LogisticRegression":
        check_param(self, "penalty", self.penalty, ("l2", "l1", None))
        check_param(self, "solver", self.solver, SOLVERS)
        check_positive(self, "C", self.C)
        check_positive(self, "tol", self.tol, strict=False)
        check_positive(self, "max_iter", self.max_iter, integer=True)
        if self.penalty == "l1" and self.solver != "gd":
            raise ValueError(f"LogisticRegression: penalty='l1' is not smooth; solver {self.solver!r} "
                             "supports 'l2' or None, use solver='gd' (proximal gradient) for 'l1'")
        X, y = fit_data(self, X, y, dtype=np.float64)
        self.classes_, y_idx = encode_classes(self, y)
        sw = check_sample_weight(self, sample_weight, X)
        if self.class_weight is not None:
            sw = sw * weighted_class_weight(self, y_idx, sw)[y_idx]
        n, d = X.shape
        n_out = 1 if len(self.classes_) == 2 else len(self.classes_)
        Z1 = np.hstack([X, np.ones((n, 1))]) if self.fit_intercept else X
        m = Z1.shape[1]
        lam = 0.0 if self.penalty is None else 1.0 / (self.C * sw.sum())
        fg, fgh = _logistic_objective(Z1, y_idx, sw, n_out, lam if self.penalty == "l2" else 0.0, d)
        lam_l1 = np.zeros((m, n_out))
        if self.penalty == "l1":
            lam_l1[:d] = lam
        W, it = _minimise(self, fg, fgh, np.zeros(m * n_out), self.solver, lam_l1.ravel(), n_out, m)
        self.coef_ = np.ascontiguousarray(W[:d].T)
        self.intercept_ = W[d].copy() if self.fit_intercept else np.zeros(n_out)
        self.n_iter_ = np.array([it])
        return self

    def decision_function(self, X) -> np.ndarray:
        """X coefᵀ + intercept.  (n, d) -> (n,) for two classes, else (n, n_classes)."""
        X = predict_data(self, X, dtype=np.float64)
        d = X @ self.coef_.T + self.intercept_
        return d[:, 0] if d.shape[1] == 1 else d


class KernelLogisticRegression(_LogisticOutput):
    """Logistic regression in the feature space of a kernel: score(x) = K(x, X_train) A + b, with
    the ℓ2 penalty ½ tr(AᵀKA) = ½‖W‖² of the implicit weights W = Φ(X_train)ᵀA.

    Separates data no linear model can (XOR, concentric circles) with 'rbf' or 'poly'.

    Parameters
    ----------
    kernel : {'linear', 'poly', 'rbf'}, default 'rbf'
    C : float, default 1.0
    gamma : 'scale' | 'auto' | float, default 'scale' (as in SVC)
    degree : float, default 3
    coef0 : float, default 1.0
    fit_intercept : bool, default True
    tol : float, default 1e-4
    solver : {'lbfgs', 'newton', 'gd'}, default 'newton' (n_samples² parameters per class: Newton
        converges in a few steps where first-order methods crawl on an ill-conditioned K)
    max_iter : int, default 100

    Attributes
    ----------
    classes_, X_fit_ (n_samples, n_features), dual_coef_ (1 or n_classes, n_samples),
    intercept_ (1 or n_classes,), gamma_ (the γ used), n_iter_ (1,)
    """

    def __init__(self, kernel: str = "rbf", *, C: float = 1.0, gamma="scale", degree: float = 3,
                 coef0: float = 1.0, fit_intercept: bool = True, tol: float = 1e-4,
                 solver: str = "newton", max_iter: int = 100):
        self.kernel = kernel
        self.C = C
        self.gamma = gamma
        self.degree = degree
        self.coef0 = coef0
        self.fit_intercept = fit_intercept
        self.tol = tol
        self.solver = solver
        self.max_iter = max_iter

    def _kernel(self, X, Y):
        return pairwise_kernel(X, Y, self.kernel, self.gamma_, self.degree, self.coef0)

    def fit(self, X, y, sample_weight=None) -> "KernelLogisticRegression":
        check_param(self, "kernel", self.kernel, KERNELS)
        check_param(self, "solver", self.solver, SOLVERS)
        check_positive(self, "C", self.C)
        check_positive(self, "tol", self.tol, strict=False)
        check_positive(self, "max_iter", self.max_iter, integer=True)
        X, y = fit_data(self, X, y, dtype=np.float64)
        self.classes_, y_idx = encode_classes(self, y)
        sw = check_sample_weight(self, sample_weight, X)
        self.gamma_ = resolve_gamma(self.gamma, X, "KernelLogisticRegression")
        n = X.shape[0]
        K = self._kernel(X, None)
        n_out = 1 if len(self.classes_) == 2 else len(self.classes_)
        Z1 = np.hstack([K, np.ones((n, 1))]) if self.fit_intercept else K
        m = Z1.shape[1]
        fg, fgh = _logistic_objective(Z1, y_idx, sw, n_out, 1.0 / (self.C * sw.sum()), n, R=K)
        A, it = _minimise(self, fg, fgh, np.zeros(m * n_out), self.solver, 0.0, n_out, m)
        self.X_fit_ = X
        self.dual_coef_ = np.ascontiguousarray(A[:n].T)
        self.intercept_ = A[n].copy() if self.fit_intercept else np.zeros(n_out)
        self.n_iter_ = np.array([it])
        return self

    def decision_function(self, X) -> np.ndarray:
        """K(X, X_fit) Aᵀ + b.  (n, d) -> (n,) for two classes, else (n, n_classes)."""
        X = predict_data(self, X, dtype=np.float64)
        d = self._kernel(X, self.X_fit_) @ self.dual_coef_.T + self.intercept_
        return d[:, 0] if d.shape[1] == 1 else d
