"""L-BFGS (Nocedal, 1980; Liu & Nocedal, 1989) with torch's closure API: each ``step(closure)``
runs up to ``max_iter`` quasi-Newton iterations, the inverse Hessian approximated from the last
``history_size`` curvature pairs by the two-loop recursion; steps of fixed length ``lr`` or chosen
by a strong-Wolfe line search (cubic interpolation, as in minFunc and torch)."""
from __future__ import annotations

from typing import Any, Callable, Iterable

import numpy as np

from ..autograd.grad_mode import enable_grad
from ..autograd.tensor import Tensor
from .optimizer import Optimizer

__all__ = ["LBFGS"]


class LBFGS(Optimizer):
    """PyTorch's ``torch.optim.LBFGS``. All parameters form one flat vector x (one group only);
    an iteration with gradient g = ∇f(x):

        y = g − g_prev,  s = t_prev d_prev;  keep (s, y, ρ = 1 / yᵀs) if yᵀs > 1e-10, at most m pairs
        two loops:  q = −g;  for pairs newest → oldest: aᵢ = ρᵢ sᵢᵀq,  q ← q − aᵢ yᵢ
                    r = γ q  (γ = yᵀs / yᵀy of the newest pair);
                    for pairs oldest → newest: bᵢ = ρᵢ yᵢᵀr,  r ← r + (aᵢ − bᵢ) sᵢ
        d = r  (d = −g on the very first iteration),  x ← x + t d

    with t = lr (the first iteration: min(1, 1/‖g‖₁) · lr), or the strong-Wolfe step
    (c₁ = 1e-4, c₂ = 0.9) when ``line_search_fn='strong_wolfe'``. The loop stops after ``max_iter``
    iterations or ``max_eval`` evaluations, when max|g| ≤ tolerance_grad, when dᵀg > −tolerance_change,
    or when the step or the change in loss falls below tolerance_change. The closure re-evaluates
    the loss with gradients (``zero_grad``, forward, ``backward``) and returns it; ``step`` returns
    its first value. The state (history, last direction and step) is kept under the first parameter,
    as in torch, so state dicts carry over both ways.
    """

    _scalar_state = ("func_evals", "n_iter", "t", "H_diag", "prev_loss")

    def __init__(self, params: Iterable[Tensor] | Iterable[dict], lr: float = 1, max_iter: int = 20,
                 max_eval: int | None = None, tolerance_grad: float = 1e-7, tolerance_change: float = 1e-9,
                 history_size: int = 100, line_search_fn: str | None = None):
        if not 0.0 <= lr:
            raise ValueError(f"LBFGS: invalid learning rate: {lr} (must be >= 0)")
        if line_search_fn not in (None, "strong_wolfe"):
            raise ValueError(f"LBFGS: only 'strong_wolfe' is supported as line_search_fn (or None), "
                             f"got {line_search_fn!r}")
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        super().__init__(params, dict(lr=lr, max_iter=max_iter, max_eval=max_eval, tolerance_grad=tolerance_grad,
                                      tolerance_change=tolerance_change, history_size=history_size,
                                      line_search_fn=line_search_fn))
        self._check_one_group()
        self._params = self.param_groups[0]["params"]

    def _check_one_group(self) -> None:
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups): "
                             f"got {len(self.param_groups)} groups, give one list of parameters")

    # ------------------------------------------------------------------ the flat vector
    def _gather_flat_grad(self) -> np.ndarray:
        return np.concatenate([np.zeros(p.data.size, p.dtype) if p.grad is None else p.grad.data.reshape(-1)
                               for p in self._params])

    def _add_grad(self, t: float, d: np.ndarray) -> None:
        """x ← x + t d, in place on every parameter."""
        offset = 0
        for p in self._params:
            n = p.data.size
            p.data += t * d[offset:offset + n].reshape(p.shape)
            offset += n

    def _directional_evaluate(self, closure: Callable[[], Any], x: list[np.ndarray], t: float,
                              d: np.ndarray) -> tuple[float, np.ndarray]:
        """f and ∇f at x + t d; the parameters are put back to x afterwards."""
        self._add_grad(t, d)
        loss = _value(closure())
        flat_grad = self._gather_flat_grad()
        for p, saved in zip(self._params, x):
            np.copyto(p.data, saved)
        return loss, flat_grad

    # ------------------------------------------------------------------ stepping
    def step(self, closure: Callable[[], Any]) -> Any:  # type: ignore[override]
        """Up to ``max_iter`` L-BFGS iterations; returns the closure's first loss."""
        if closure is None:
            raise ValueError("LBFGS.step needs a closure that re-evaluates the loss and its gradients")
        self._check_one_group()

        def evaluate():
            with enable_grad():
                return closure()

        group = self.param_groups[0]
        lr, max_iter, max_eval = group["lr"], group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        line_search_fn, history_size = group["line_search_fn"], group["history_size"]

        state = self.state.setdefault(self._params[0], {})
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        orig_loss = evaluate()
        loss = _value(orig_loss)
        current_evals = 1
        state["func_evals"] += 1
        flat_grad = self._gather_flat_grad()
        if np.abs(flat_grad).max() <= tolerance_grad:
            return orig_loss

        d, t = state.get("d"), state.get("t")
        old_dirs, old_stps, ro = state.get("old_dirs"), state.get("old_stps"), state.get("ro")
        H_diag, prev_flat_grad, prev_loss = state.get("H_diag"), state.get("prev_flat_grad"), state.get("prev_loss")

        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1

            # ---- direction
            if state["n_iter"] == 1:
                d = -flat_grad
                old_dirs, old_stps, ro = [], [], []
                H_diag = 1
            else:
                y = flat_grad - prev_flat_grad
                s = d * t
                ys = y.dot(s)
                if ys > 1e-10:  # keep the pair only where the curvature condition holds
                    if len(old_dirs) == history_size:
                        old_dirs.pop(0)
                        old_stps.pop(0)
                        ro.pop(0)
                    old_dirs.append(y)
                    old_stps.append(s)
                    ro.append(1.0 / ys)
                    H_diag = ys / y.dot(y)
                if "al" not in state:
                    state["al"] = [None] * history_size
                al = state["al"]
                q = -flat_grad
                for i in range(len(old_dirs) - 1, -1, -1):
                    al[i] = old_stps[i].dot(q) * ro[i]
                    q -= al[i] * old_dirs[i]
                d = r = q * H_diag
                for i in range(len(old_dirs)):
                    be_i = old_dirs[i].dot(r) * ro[i]
                    r += (al[i] - be_i) * old_stps[i]
            prev_flat_grad = flat_grad.copy()
            prev_loss = loss

            # ---- step length
            t = min(1.0, 1.0 / np.abs(flat_grad).sum()) * lr if state["n_iter"] == 1 else lr
            gtd = flat_grad.dot(d)
            if gtd > -tolerance_change:  # not a descent direction (to working precision)
                break

            ls_func_evals = 0
            if line_search_fn is not None:
                x_init = [p.data.copy() for p in self._params]
                loss, flat_grad, t, ls_func_evals = _strong_wolfe(
                    lambda x, step, direction: self._directional_evaluate(evaluate, x, step, direction),
                    x_init, t, d, loss, flat_grad, gtd, max_ls=max_eval - current_evals)
                self._add_grad(t, d)
                opt_cond = np.abs(flat_grad).max() <= tolerance_grad
            else:
                self._add_grad(t, d)
                opt_cond = False
                if n_iter != max_iter:  # the last iteration leaves the evaluation to the next step()
                    loss = _value(evaluate())
                    flat_grad = self._gather_flat_grad()
                    opt_cond = np.abs(flat_grad).max() <= tolerance_grad
                    ls_func_evals = 1
            current_evals += ls_func_evals
            state["func_evals"] += ls_func_evals

            # ---- stopping
            if n_iter == max_iter or current_evals >= max_eval or opt_cond:
                break
            if np.abs(d * t).max() <= tolerance_change or abs(loss - prev_loss) < tolerance_change:
                break

        state.update(d=d, t=t, old_dirs=old_dirs, old_stps=old_stps, ro=ro, H_diag=H_diag,
                     prev_flat_grad=prev_flat_grad, prev_loss=prev_loss)
        return orig_loss


def _value(loss: Any) -> float:
    return loss.item() if isinstance(loss, Tensor) else float(loss)


def _cubic_interpolate(x1, f1, g1, x2, f2, g2, bounds=None):
    """The minimiser of the cubic through (x1, f1, f1'=g1) and (x2, f2, g2), clipped to ``bounds``
    (default: the interval); the midpoint when the cubic has none."""
    xmin_bound, xmax_bound = bounds if bounds is not None else ((x1, x2) if x1 <= x2 else (x2, x1))
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1 ** 2 - g1 * g2
    if d2_square >= 0:
        d2 = np.sqrt(d2_square)
        if x1 <= x2:
            min_pos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
        else:
            min_pos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
        return min(max(min_pos, xmin_bound), xmax_bound)
    return (xmin_bound + xmax_bound) / 2.0


def _strong_wolfe(obj_func, x, t, d, f, g, gtd, c1=1e-4, c2=0.9, tolerance_change=1e-9, max_ls=25):
    """A step t along d with f(x + t d) ≤ f + c₁ t gᵀd and |∇f(x + t d)ᵀd| ≤ −c₂ gᵀd: bracket it
    (growing t by cubic extrapolation), then zoom into the bracket by cubic interpolation.
    Returns (f_new, g_new, t, evaluations)."""
    d_norm = np.abs(d).max()
    f_new, g_new = obj_func(x, t, d)
    ls_func_evals = 1
    gtd_new = g_new.dot(d)

    # ---- bracketing
    t_prev, f_prev, g_prev, gtd_prev = 0, f, g, gtd
    done = False
    ls_iter = 0
    while ls_iter < max_ls:
        if f_new > (f + c1 * t * gtd) or (ls_iter > 1 and f_new >= f_prev):
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new], [gtd_prev, gtd_new]
            break
        if abs(gtd_new) <= -c2 * gtd:
            bracket, bracket_f, bracket_g = [t], [f_new], [g_new]
            done = True
            break
        if gtd_new >= 0:
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new], [gtd_prev, gtd_new]
            break
        min_step = t + 0.01 * (t - t_prev)
        max_step = t * 10
        tmp = t
        t = _cubic_interpolate(t_prev, f_prev, gtd_prev, t, f_new, gtd_new, bounds=(min_step, max_step))
        t_prev, f_prev, g_prev, gtd_prev = tmp, f_new, g_new, gtd_new
        f_new, g_new = obj_func(x, t, d)
        ls_func_evals += 1
        gtd_new = g_new.dot(d)
        ls_iter += 1
    if ls_iter == max_ls:  # reached the evaluation budget while bracketing
        bracket, bracket_f, bracket_g = [0, t], [f, f_new], [g, g_new]

    # ---- zoom
    insuf_progress = False
    low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[-1] else (1, 0)
    while not done and ls_iter < max_ls:
        if abs(bracket[1] - bracket[0]) * d_norm < tolerance_change:
            break
        t = _cubic_interpolate(bracket[0], bracket_f[0], bracket_gtd[0], bracket[1], bracket_f[1], bracket_gtd[1])
        # a point too close to an end of the bracket is moved 10% inside, unless progress was good
        eps = 0.1 * (max(bracket) - min(bracket))
        if min(max(bracket) - t, t - min(bracket)) < eps:
            if insuf_progress or t >= max(bracket) or t <= min(bracket):
                t = max(bracket) - eps if abs(t - max(bracket)) < abs(t - min(bracket)) else min(bracket) + eps
                insuf_progress = False
            else:
                insuf_progress = True
        else:
            insuf_progress = False
        f_new, g_new = obj_func(x, t, d)
        ls_func_evals += 1
        gtd_new = g_new.dot(d)
        ls_iter += 1
        if f_new > (f + c1 * t * gtd) or f_new >= bracket_f[low_pos]:
            bracket[high_pos], bracket_f[high_pos] = t, f_new
            bracket_g[high_pos], bracket_gtd[high_pos] = g_new, gtd_new
            low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (bracket[high_pos] - bracket[low_pos]) >= 0:
                bracket[high_pos], bracket_f[high_pos] = bracket[low_pos], bracket_f[low_pos]
                bracket_g[high_pos], bracket_gtd[high_pos] = bracket_g[low_pos], bracket_gtd[low_pos]
            bracket[low_pos], bracket_f[low_pos] = t, f_new
            bracket_g[low_pos], bracket_gtd[low_pos] = g_new, gtd_new

    return bracket_f[low_pos], bracket_g[low_pos], bracket[low_pos], ls_func_evals
