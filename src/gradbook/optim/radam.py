"""RAdam (Liu et al., 2020): Adam whose adaptive step is switched on only once the variance of
its second-moment estimate is tractable, and rectified by that variance."""
from __future__ import annotations

import math
from typing import Any, Iterable

import numpy as np

from ..autograd.tensor import Tensor
from ..ops._parallel import elementwise
from .optimizer import (Optimizer, check_adam_hyperparameters, check_torch_only_flags,
                        decay_and_update_moments)

__all__ = ["RAdam"]


class RAdam(Optimizer):
    """PyTorch's ``torch.optim.RAdam``, step t with gradient g (−g when ``maximize``):

        θ ← θ (1 − lr λ)  if decoupled_weight_decay  else  g ← g + λ θ      (weight_decay λ)
        m ← β₁ m + (1 − β₁) g,   v ← β₂ v + (1 − β₂) g²,   m̂ = m / (1 − β₁ᵗ)
        ρ_∞ = 2 / (1 − β₂) − 1,   ρ_t = ρ_∞ − 2 t β₂ᵗ / (1 − β₂ᵗ)
        r_t = √((ρ_t − 4)(ρ_t − 2) ρ_∞ / ((ρ_∞ − 4)(ρ_∞ − 2) ρ_t))
        θ ← θ − lr · m̂ · r_t √(1 − β₂ᵗ) / (√v + ε)     if ρ_t > 5
        θ ← θ − lr · m̂                                  otherwise
    """

    def __init__(self, params: Iterable[Tensor] | Iterable[dict], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8, weight_decay: float = 0,
                 decoupled_weight_decay: bool = False, *, foreach: bool | None = None, maximize: bool = False,
                 capturable: bool = False, differentiable: bool = False):
        check_adam_hyperparameters("RAdam", lr, eps, betas, weight_decay)
        check_torch_only_flags("RAdam", foreach=foreach, capturable=capturable, differentiable=differentiable)
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      decoupled_weight_decay=decoupled_weight_decay, maximize=maximize))

    def _update(self, p: Tensor, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        lr, (b1, b2), eps, wd = group["lr"], group["betas"], group["eps"], group["weight_decay"]
        decoupled = group["decoupled_weight_decay"]
        if not state:
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(p.data)
            state["exp_avg_sq"] = np.zeros_like(p.data)
        state["step"] += 1
        t = state["step"]
        correction1, correction2 = 1 - b1 ** t, 1 - b2 ** t
        rho_inf = 2 / (1 - b2) - 1
        rho_t = rho_inf - 2 * t * (b2 ** t) / correction2
        rect = (math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
                if rho_t > 5.0 else None)

        def step(theta: np.ndarray, g: np.ndarray, m: np.ndarray, v: np.ndarray) -> None:
            g = decay_and_update_moments(theta, g, m, v, lr, wd, decoupled, b1, b2)
            update = m / correction1 * lr
            if rect is not None:
                adaptive = np.sqrt(v)
                adaptive += eps
                np.divide(math.sqrt(correction2), adaptive, out=adaptive)
                update *= adaptive
                update *= rect
            theta -= update

        elementwise(step, p.data, grad, state["exp_avg"], state["exp_avg_sq"])
