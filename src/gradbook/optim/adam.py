"""Adam (Kingma & Ba, 2015), with L2 weight decay and AMSGrad; AdamW (Loshchilov & Hutter, 2019)
with decoupled weight decay."""
from __future__ import annotations

import math
from typing import Any, Iterable

import numpy as np

from ..autograd.tensor import Tensor
from ..ops._parallel import elementwise
from .optimizer import Optimizer

__all__ = ["Adam", "AdamW"]


class Adam(Optimizer):
    """PyTorch's ``torch.optim.Adam``, step t with gradient g (−g when ``maximize``):

        g ← g + λ θ                      (L2 weight decay λ; AdamW decays θ directly instead)
        m ← β₁ m + (1 − β₁) g,   v ← β₂ v + (1 − β₂) g²
        v̂ ← max(v̂, v) if amsgrad else v
        θ ← θ − lr / (1 − β₁ᵗ) · m / (√v̂ / √(1 − β₂ᵗ) + ε)
    """

    _decoupled = False

    def __init__(self, params: Iterable[Tensor] | Iterable[dict], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8, weight_decay: float = 0.0,
                 amsgrad: bool = False, *, maximize: bool = False):
        name = type(self).__name__
        if lr < 0.0:
            raise ValueError(f"{name}: invalid learning rate: {lr} (must be >= 0)")
        if eps < 0.0:
            raise ValueError(f"{name}: invalid epsilon value: {eps} (must be >= 0)")
        for i, b in enumerate(betas):
            if not 0.0 <= b < 1.0:
                raise ValueError(f"{name}: invalid beta parameter at index {i}: {b} (must be in [0, 1))")
        if weight_decay < 0.0:
            raise ValueError(f"{name}: invalid weight_decay value: {weight_decay} (must be >= 0)")
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      amsgrad=amsgrad, maximize=maximize))

    def _update(self, p: Tensor, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        lr, (b1, b2), eps, wd = group["lr"], group["betas"], group["eps"], group["weight_decay"]
        if not state:
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(p.data)
            state["exp_avg_sq"] = np.zeros_like(p.data)
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = np.zeros_like(p.data)
        state["step"] += 1
        t = state["step"]
        decay = wd != 0 and self._decoupled
        l2 = wd != 0 and not self._decoupled

        def step(theta, g, m, v, v_max=None) -> None:
            if decay:
                theta *= 1 - lr * wd
            if l2:
                g = g + wd * theta
            m += (1 - b1) * (g - m)  # m ← β₁ m + (1 − β₁) g, as torch's lerp
            g2 = g * g
            g2 *= 1 - b2
            v *= b2
            v += g2
            if v_max is not None:
                np.maximum(v_max, v, out=v_max)
            # reuse g2's buffer for the denominator and the step: no further temporaries
            denom = np.sqrt(v if v_max is None else v_max, out=g2)
            denom *= 1 / math.sqrt(1 - b2 ** t)
            denom += eps
            np.divide(m, denom, out=denom)
            denom *= lr / (1 - b1 ** t)
            theta -= denom

        # large parameters are updated in pieces over the BLAS threads (the same arithmetic)
        if group["amsgrad"] and "max_exp_avg_sq" not in state:  # amsgrad switched on after the first step
            state["max_exp_avg_sq"] = np.zeros_like(p.data)
        extra = [state["max_exp_avg_sq"]] if group["amsgrad"] else []
        elementwise(step, p.data, grad, state["exp_avg"], state["exp_avg_sq"], *extra)


class AdamW(Adam):
    """Adam with decoupled weight decay: θ ← θ (1 − lr λ) before the Adam step (default λ = 0.01)."""

    _decoupled = True

    def __init__(self, params: Iterable[Tensor] | Iterable[dict], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8, weight_decay: float = 1e-2,
                 amsgrad: bool = False, *, maximize: bool = False):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize)
