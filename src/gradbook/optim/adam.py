"""Adam (Kingma & Ba, 2015), with L2 weight decay and AMSGrad; AdamW (Loshchilov & Hutter, 2019)
with decoupled weight decay."""
from __future__ import annotations

import math
from typing import Any, Iterable

import numpy as np

from ..autograd.tensor import Tensor
from ..ops._parallel import elementwise
from .optimizer import Optimizer, check_adam_hyperparameters, check_torch_only_flags

__all__ = ["Adam", "AdamW"]


class Adam(Optimizer):
    """PyTorch's ``torch.optim.Adam``, step t with gradient g (−g when ``maximize``):

        g ← g + λ θ                      (L2 weight decay λ; with decoupled_weight_decay, as AdamW,
                                          θ ← θ (1 − lr λ) instead)
        m ← β₁ m + (1 − β₁) g,   v ← β₂ v + (1 − β₂) g²
        v̂ ← max(v̂, v) if amsgrad else v
        θ ← θ − lr / (1 − β₁ᵗ) · m / (√v̂ / √(1 − β₂ᵗ) + ε)
    """

    def __init__(self, params: Iterable[Tensor] | Iterable[dict], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8, weight_decay: float = 0.0,
                 amsgrad: bool = False, *, foreach: bool | None = None, maximize: bool = False,
                 capturable: bool = False, differentiable: bool = False, fused: bool | None = None,
                 decoupled_weight_decay: bool = False):
        name = type(self).__name__
        check_torch_only_flags(name, foreach=foreach, capturable=capturable, differentiable=differentiable,
                               fused=fused)
        check_adam_hyperparameters(name, lr, eps, betas, weight_decay)
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      amsgrad=amsgrad, maximize=maximize,
                                      decoupled_weight_decay=decoupled_weight_decay))

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
        decay = wd != 0 and group["decoupled_weight_decay"]
        l2 = wd != 0 and not group["decoupled_weight_decay"]

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
    """Adam with decoupled weight decay: θ ← θ (1 − lr λ) before the Adam step (default λ = 0.01);
    ``Adam(..., decoupled_weight_decay=True)``, as in torch."""

    def __init__(self, params: Iterable[Tensor] | Iterable[dict], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8, weight_decay: float = 1e-2,
                 amsgrad: bool = False, *, maximize: bool = False, foreach: bool | None = None,
                 capturable: bool = False, differentiable: bool = False, fused: bool | None = None):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach, maximize=maximize,
                         capturable=capturable, differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)
