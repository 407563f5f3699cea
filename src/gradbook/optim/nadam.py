"""NAdam (Dozat, 2016): Adam with Nesterov momentum, the momentum coefficient warming up over
the first steps by ``momentum_decay``; NAdamW-style decoupled weight decay optional."""
from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from ..autograd.tensor import Tensor
from ..ops._parallel import elementwise
from .optimizer import (Optimizer, check_adam_hyperparameters, check_torch_only_flags,
                        decay_and_update_moments)

__all__ = ["NAdam"]


class NAdam(Optimizer):
    """PyTorch's ``torch.optim.NAdam``, step t with gradient g (−g when ``maximize``):

        θ ← θ (1 − lr λ)  if decoupled_weight_decay  else  g ← g + λ θ      (weight_decay λ)
        μ_t = β₁ (1 − ½ · 0.96^(t ψ)),   μ_{t+1} = β₁ (1 − ½ · 0.96^((t+1) ψ))   (momentum_decay ψ)
        Π_t = Π_{t−1} · μ_t                                                  (mu_product, Π₀ = 1)
        m ← β₁ m + (1 − β₁) g,   v ← β₂ v + (1 − β₂) g²
        d = √(v / (1 − β₂ᵗ)) + ε
        θ ← θ − lr (1 − μ_t) / (1 − Π_t) · g / d − lr μ_{t+1} / (1 − Π_t μ_{t+1}) · m / d
    """

    _scalar_state = ("step", "mu_product")

    def __init__(self, params: Iterable[Tensor] | Iterable[dict], lr: float = 2e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8, weight_decay: float = 0,
                 momentum_decay: float = 4e-3, decoupled_weight_decay: bool = False, *,
                 foreach: bool | None = None, maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False):
        check_adam_hyperparameters("NAdam", lr, eps, betas, weight_decay)
        if not 0.0 <= momentum_decay:
            raise ValueError(f"NAdam: invalid momentum_decay value: {momentum_decay} (must be >= 0)")
        check_torch_only_flags("NAdam", foreach=foreach, capturable=capturable, differentiable=differentiable)
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      momentum_decay=momentum_decay, decoupled_weight_decay=decoupled_weight_decay,
                                      maximize=maximize))

    def _update(self, p: Tensor, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        lr, (b1, b2), eps, wd = group["lr"], group["betas"], group["eps"], group["weight_decay"]
        psi, decoupled = group["momentum_decay"], group["decoupled_weight_decay"]
        if not state:
            state["step"] = 0
            state["mu_product"] = 1.0
            state["exp_avg"] = np.zeros_like(p.data)
            state["exp_avg_sq"] = np.zeros_like(p.data)
        state["step"] += 1
        t = state["step"]
        mu = b1 * (1.0 - 0.5 * 0.96 ** (t * psi))
        mu_next = b1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * psi))
        state["mu_product"] *= mu
        mu_product = state["mu_product"]
        grad_scale = -lr * (1.0 - mu) / (1.0 - mu_product)
        avg_scale = -lr * mu_next / (1.0 - mu_product * mu_next)
        correction2 = 1 - b2 ** t

        def step(theta: np.ndarray, g: np.ndarray, m: np.ndarray, v: np.ndarray) -> None:
            g = decay_and_update_moments(theta, g, m, v, lr, wd, decoupled, b1, b2)
            denom = np.sqrt(v / correction2)
            denom += eps
            theta += grad_scale * g / denom
            theta += avg_scale * m / denom

        elementwise(step, p.data, grad, state["exp_avg"], state["exp_avg_sq"])
