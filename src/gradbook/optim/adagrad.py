"""Adagrad (Duchi, Hazan & Singer, 2011): a per-coordinate step shrinking with the sum of squared
gradients seen so far."""
from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from ..autograd.tensor import Tensor
from ..ops._parallel import elementwise
from .optimizer import Optimizer, check_torch_only_flags

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    """PyTorch's ``torch.optim.Adagrad``, step t with gradient g (−g when ``maximize``):

        g ← g + λ θ                              (weight_decay λ)
        lr_t = lr / (1 + (t − 1) · lr_decay)
        s ← s + g²                               (s₀ = initial_accumulator_value)
        θ ← θ − lr_t · g / (√s + ε)

    As in torch, the accumulator of every parameter is created when the optimizer is (so the state
    dict lists them before the first step), from the constructor's ``initial_accumulator_value``
    even for a group that names its own.
    """

    def __init__(self, params: Iterable[Tensor] | Iterable[dict], lr: float = 1e-2, lr_decay: float = 0,
                 weight_decay: float = 0, initial_accumulator_value: float = 0, eps: float = 1e-10,
                 foreach: bool | None = None, *, maximize: bool = False, differentiable: bool = False,
                 fused: bool | None = None):
        for what, value in (("learning rate", lr), ("lr_decay value", lr_decay), ("weight_decay value", weight_decay),
                            ("initial_accumulator_value value", initial_accumulator_value),
                            ("epsilon value", eps)):
            if not 0.0 <= value:
                raise ValueError(f"Adagrad: invalid {what}: {value} (must be >= 0)")
        check_torch_only_flags("Adagrad", foreach=foreach, differentiable=differentiable, fused=fused)
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                                      initial_accumulator_value=initial_accumulator_value, maximize=maximize))
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p, self.state.setdefault(p, {}))

    def _init_state(self, p: Tensor, state: dict[str, Any]) -> None:
        state["step"] = 0
        state["sum"] = np.full_like(p.data, self.defaults["initial_accumulator_value"])

    def _update(self, p: Tensor, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        if not state:  # a parameter of a group added after construction
            self._init_state(p, state)
        state["step"] += 1
        wd, eps = group["weight_decay"], group["eps"]
        clr = group["lr"] / (1 + (state["step"] - 1) * group["lr_decay"])

        def step(theta: np.ndarray, g: np.ndarray, s: np.ndarray) -> None:
            if wd != 0:
                g = g + wd * theta
            s += g * g
            std = np.sqrt(s)
            std += eps
            np.divide(g, std, out=std)
            std *= clr
            theta -= std

        elementwise(step, p.data, grad, state["sum"])
