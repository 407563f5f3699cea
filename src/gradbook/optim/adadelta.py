"""Adadelta (Zeiler, 2012): steps scaled by the ratio of running RMS of past updates to running
RMS of gradients, so the units of the update match the parameter's."""
from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from ..autograd.tensor import Tensor
from ..ops._parallel import elementwise
from .optimizer import Optimizer, check_torch_only_flags

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    """PyTorch's ``torch.optim.Adadelta``, step with gradient g (−g when ``maximize``):

        g ← g + λ θ                                        (weight_decay λ)
        v ← ρ v + (1 − ρ) g²                               (square_avg)
        Δ ← √(u + ε) / √(v + ε) · g
        u ← ρ u + (1 − ρ) Δ²                               (acc_delta)
        θ ← θ − lr · Δ
    """

    def __init__(self, params: Iterable[Tensor] | Iterable[dict], lr: float = 1.0, rho: float = 0.9,
                 eps: float = 1e-6, weight_decay: float = 0, foreach: bool | None = None, *,
                 capturable: bool = False, maximize: bool = False, differentiable: bool = False):
        if not 0.0 <= lr:
            raise ValueError(f"Adadelta: invalid learning rate: {lr} (must be >= 0)")
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Adadelta: invalid rho value: {rho} (must be in [0, 1])")
        if not 0.0 <= eps:
            raise ValueError(f"Adadelta: invalid epsilon value: {eps} (must be >= 0)")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Adadelta: invalid weight_decay value: {weight_decay} (must be >= 0)")
        check_torch_only_flags("Adadelta", foreach=foreach, capturable=capturable, differentiable=differentiable)
        super().__init__(params, dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize))

    def _update(self, p: Tensor, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        if not state:
            state["step"] = 0
            state["square_avg"] = np.zeros_like(p.data)
            state["acc_delta"] = np.zeros_like(p.data)
        state["step"] += 1
        lr, rho, eps, wd = group["lr"], group["rho"], group["eps"], group["weight_decay"]

        def step(theta: np.ndarray, g: np.ndarray, v: np.ndarray, u: np.ndarray) -> None:
            if wd != 0:
                g = g + wd * theta
            v *= rho
            v += (1 - rho) * (g * g)
            std = np.sqrt(v + eps)
            delta = np.sqrt(u + eps)
            delta /= std
            delta *= g
            u *= rho
            u += (1 - rho) * (delta * delta)
            delta *= lr
            theta -= delta

        elementwise(step, p.data, grad, state["square_avg"], state["acc_delta"])
