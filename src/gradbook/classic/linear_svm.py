"""Linear support vector classification with liblinear's problems and scikit-learn's LinearSVC API.

Each binary problem (two classes: one, with classes_[1] positive; more: one per class against the
rest) minimises, over w with the bias column b = intercept_scaling appended to every xᵢ,

    R(w) + Σᵢ Cᵢ ξ(w; xᵢ, yᵢ)^p,   ξ = max(0, 1 - yᵢ wᵀxᵢ),  R = ½‖w‖² | ‖w‖₁,  p = 1 | 2

with Cᵢ = C · sample_weightᵢ · class_weight[class] for the problem's positive samples (both classes
when there are two) and C · sample_weightᵢ for the rest, as liblinear weighs one-vs-rest problems.
The bias weight is penalised like the others (liblinear's convention), so intercept_ =
intercept_scaling · w_bias shrinks unless intercept_scaling is large. Solvers: ``_hinge_solvers``.
"""
from __future__ import annotations

import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state

from ._hinge_solvers import dual_coordinate_descent, primal_l1, primal_objective, squared_hinge_newton
from ._linear_base import (check_param, check_positive, encode_classes, fit_data, predict_data,
                           weighted_class_weight)
from ._validation import check_sample_weight

__all__ = ["LinearSVC"]

# (loss, penalty) -> the values of dual liblinear can solve it with (scikit-learn's table)
_SOLVABLE = {("hinge", "l2"): (True,), ("squared_hinge", "l2"): (False, True), ("squared_hinge", "l1"): (False,)}


def check_combination(penalty: str, loss: str, dual: bool) -> None:
    """ValueError with scikit-learn's words when liblinear has no solver for the combination."""
    duals = _SOLVABLE.get((loss, penalty))
    if duals is None:
        problem = f"The combination of penalty='{penalty}' and loss='{loss}' is not supported"
    elif dual not in duals:
        problem = f"The combination of penalty='{penalty}' and loss='{loss}' are not supported when dual={dual}"
    else:
        return
    raise ValueError(f"LinearSVC: Unsupported set of arguments: {problem}, Parameters: penalty={penalty!r}, "
                     f"loss={loss!r}, dual={dual!r}")


def resolve_dual(dual, penalty: str, loss: str, n_samples: int, n_features: int) -> bool:
    """dual='auto': the dual when there are fewer samples than features, if liblinear has it for the
    combination; otherwise the primal if it has that (scikit-learn's rule)."""
    if dual != "auto":
        return bool(dual)
    preferred = n_samples < n_features
    return preferred if preferred in _SOLVABLE.get((loss, penalty), ()) else not preferred


class LinearSVC(ClassifierMixin, BaseEstimator):
    """Linear SVM with squared-hinge or hinge loss and an ℓ2 or ℓ1 penalty, one-vs-rest.

    Parameters (scikit-learn's names, order and defaults)
    ----------
    penalty : {'l2', 'l1'}, default 'l2'
    loss : {'squared_hinge', 'hinge'}, default 'squared_hinge'
    dual : 'auto' | bool, default 'auto' — which problem's stopping rule (and, for the hinge, which
        solver): True the dual's (max - min projected gradient <= tol), False the primal's. The ℓ2
        squared hinge is solved by Newton's method either way (its primal and dual share one optimum,
        reached in a few steps); the hinge by dual coordinate descent; ℓ1 by primal coordinate descent
    tol : float, default 1e-4 — liblinear's stopping tolerance (see ``_hinge_solvers``)
    C : float, default 1.0
    multi_class : {'ovr'}, default 'ovr' ('crammer_singer' is not implemented and says so)
    fit_intercept : bool, default True
    intercept_scaling : float, default 1 — value of the appended bias feature
    class_weight : dict | 'balanced' | None ('balanced' counts classes with sample weights)
    random_state : int | RandomState | None — the coordinate order of dual coordinate descent (the
        hinge loss); the other solvers are deterministic
    max_iter : int, default 1000 — epochs (coordinate descent) or Newton steps

    Attributes
    ----------
    classes_ (n_classes,), coef_ (1 or n_classes, n_features), intercept_ (1 or n_classes,; 0.0
    without an intercept), n_iter_ (int, the most any binary problem took)
    """

    def __init__(self, penalty: str = "l2", loss: str = "squared_hinge", *, dual="auto", tol: float = 1e-4,
                 C: float = 1.0, multi_class: str = "ovr", fit_intercept: bool = True, intercept_scaling: float = 1,
                 class_weight=None, random_state=None, max_iter: int = 1000):
        self.penalty = penalty
        self.loss = loss
        self.dual = dual
        self.tol = tol
        self.C = C
        self.multi_class = multi_class
        self.fit_intercept = fit_intercept
        self.intercept_scaling = intercept_scaling
        self.class_weight = class_weight
        self.random_state = random_state
        self.max_iter = max_iter

    def _check_params(self) -> None:
        check_param(self, "penalty", self.penalty, ("l2", "l1"))
        check_param(self, "loss", self.loss, ("squared_hinge", "hinge"))
        if self.multi_class == "crammer_singer":
            raise ValueError("LinearSVC: multi_class='crammer_singer' is not implemented in gradbook; "
                             "use multi_class='ovr'")
        check_param(self, "multi_class", self.multi_class, ("ovr",))
        if not (self.dual == "auto" or isinstance(self.dual, (bool, np.bool_))):
            raise ValueError(f"LinearSVC: dual must be 'auto', True or False; got {self.dual!r}")
        check_positive(self, "C", self.C)
        check_positive(self, "tol", self.tol)
        check_positive(self, "intercept_scaling", self.intercept_scaling)
        check_positive(self, "max_iter", self.max_iter, integer=True)

    def fit(self, X, y, sample_weight=None) -> "LinearSVC":
        """One liblinear problem per class (one for two classes).  X (n, d), y (n,), sample_weight (n,)."""
        self._check_params()
        X, y = fit_data(self, X, y, dtype=np.float64)
        self.classes_, y_idx = encode_classes(self, y)
        dual = resolve_dual(self.dual, self.penalty, self.loss, *X.shape)
        check_combination(self.penalty, self.loss, dual)
        sw = check_sample_weight(self, sample_weight, X)
        keep = sw > 0                             # a sample with no cost adds nothing to the objective
        Xb = self._with_bias(X)[keep]
        rng = check_random_state(self.random_state)
        W, iters = [], []
        for yy, C in self._binary_problems(y_idx, sw):
            w, it = self._solve(Xb, yy[keep], C[keep], dual, rng)
            W.append(w), iters.append(it)
        W = np.array(W)
        self.n_iter_ = int(max(iters))
        if self.n_iter_ >= self.max_iter:
            warnings.warn("LinearSVC: Liblinear failed to converge, increase the number of iterations.",
                          ConvergenceWarning)
        if self.fit_intercept:
            self.coef_, self.intercept_ = np.ascontiguousarray(W[:, :-1]), self.intercept_scaling * W[:, -1]
        else:
            self.coef_, self.intercept_ = W, 0.0
        return self

    def _with_bias(self, X: np.ndarray) -> np.ndarray:
        """X with the bias column (intercept_scaling) appended when fitting an intercept.  (n, d) -> (n, d + 1)."""
        if not self.fit_intercept:
            return X
        return np.hstack([X, np.full((X.shape[0], 1), float(self.intercept_scaling))])

    def _binary_problems(self, y_idx: np.ndarray, sw: np.ndarray):
        """Labels ±1 and costs Cᵢ (each (n,)) of every binary problem, in the order of coef_'s rows."""
        class_weight = weighted_class_weight(self, y_idx, sw)
        base = float(self.C) * sw
        if len(self.classes_) == 2:
            yield np.where(y_idx == 1, 1.0, -1.0), base * class_weight[y_idx]
            return
        for k in range(len(self.classes_)):
            positive = y_idx == k
            yield np.where(positive, 1.0, -1.0), base * np.where(positive, class_weight[k], 1.0)

    def _solve(self, X, y, C, dual, rng):
        if self.penalty == "l2" and self.loss == "squared_hinge":
            w, it, _ = squared_hinge_newton(X, y, C, self.tol, self.max_iter, rule="dual" if dual else "primal")
        elif dual:
            w, it, _ = dual_coordinate_descent(X, y, C, self.loss, self.tol, self.max_iter, rng)
        else:
            w, it, _ = primal_l1(X, y, C, self.tol, self.max_iter)
        return w, it

    def decision_function(self, X) -> np.ndarray:
        """X coefᵀ + intercept.  (n, d) -> (n,) for two classes, else (n, n_classes)."""
        X = predict_data(self, X, dtype=np.float64, attr="coef_")
        scores = X @ self.coef_.T + self.intercept_
        return scores[:, 0] if scores.shape[1] == 1 else scores

    def predict(self, X) -> np.ndarray:
        """The class of the largest score (two classes: classes_[1] where the score is > 0)."""
        scores = self.decision_function(X)
        idx = (scores > 0).astype(int) if scores.ndim == 1 else scores.argmax(axis=1)
        return self.classes_[idx]

    def objective_values(self, X, y, sample_weight=None) -> np.ndarray:
        """The primal objective R(w) + Σ Cᵢ ξᵢ^p of each binary problem at the fitted (coef_,
        intercept_) on the training data: (1,) for two classes, (n_classes,) otherwise."""
        X = predict_data(self, X, dtype=np.float64, attr="coef_")
        y = np.asarray(y)
        if y.shape != (X.shape[0],) or not np.isin(y, self.classes_).all():
            raise ValueError("LinearSVC: objective_values needs the training labels y, one per row of X, "
                             "all among classes_")
        sw = check_sample_weight(self, sample_weight, X)
        Xb = self._with_bias(X)
        W = self.coef_
        if self.fit_intercept:
            W = np.hstack([W, (self.intercept_ / self.intercept_scaling)[:, None]])
        return np.array([primal_objective(w, Xb, yy, C, self.penalty, self.loss)
                         for w, (yy, C) in zip(W, self._binary_problems(np.searchsorted(self.classes_, y), sw))])
