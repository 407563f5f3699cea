"""Adamax (Kingma & Ba, 2015, section 7.1): Adam with the infinity norm in place of the second
moment."""
from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from ..autograd.tensor import Tensor
from ..ops._parallel import elementwise
from .optimizer import Optimizer, check_adam_hyperparameters, check_torch_only_flags

__all__ = ["Adamax"]


class Adamax(Optimizer):
    """PyTorch's ``torch.optim.Adamax``, step t with gradient g (−g when ``maximize``):

        g ← g + λ θ                                    (weight_decay λ)
        m ← β₁ m + (1 − β₁) g
        u ← max(β₂ u, |g| + ε)                         (exp_inf)
        θ ← θ − lr / (1 − β₁ᵗ) · m / u
    """

    def __init__(self, params: Iterable[Tensor] | Iterable[dict], lr: float = 2e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8, weight_decay: float = 0,
                 foreach: bool | None = None, *, maximize: bool = False, differentiable: bool = False,
                 capturable: bool = False):
        check_adam_hyperparameters("Adamax", lr, eps, betas, weight_decay)
        check_torch_only_flags("Adamax", foreach=foreach, differentiable=differentiable, capturable=capturable)
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      maximize=maximize))

    def _update(self, p: Tensor, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        lr, (b1, b2), eps, wd = group["lr"], group["betas"], group["eps"], group["weight_decay"]
        if not state:
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(p.data)
            state["exp_inf"] = np.zeros_like(p.data)
        state["step"] += 1
        clr = lr / (1 - b1 ** state["step"])

        def step(theta: np.ndarray, g: np.ndarray, m: np.ndarray, u: np.ndarray) -> None:
            if wd != 0:
                g = g + wd * theta
            m += (1 - b1) * (g - m)  # torch's lerp
            u *= b2
            np.maximum(u, np.abs(g) + eps, out=u)
            theta -= clr * m / u

        elementwise(step, p.data, grad, state["exp_avg"], state["exp_inf"])
