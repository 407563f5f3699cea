"""Rprop (Riedmiller & Braun, 1993): each coordinate moves by its own step size, grown while the
gradient keeps its sign and shrunk when it flips; only the gradient's sign is used."""
from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from ..autograd.tensor import Tensor
from ..ops._parallel import elementwise
from .optimizer import Optimizer, check_torch_only_flags

__all__ = ["Rprop"]


class Rprop(Optimizer):
    """PyTorch's ``torch.optim.Rprop`` (the iRprop⁻ variant), step with gradient g (−g when
    ``maximize``), step sizes Δ starting at lr, g_prev starting at 0:

        s = sign(g · g_prev)
        Δ ← clip(Δ · (η₊ if s > 0, η₋ if s < 0, 1 if s = 0), Δ_min, Δ_max)     (etas, step_sizes)
        g ← 0 where s < 0                      (after a sign flip the coordinate rests one step)
        θ ← θ − sign(g) · Δ,   g_prev ← g
    """

    def __init__(self, params: Iterable[Tensor] | Iterable[dict], lr: float = 1e-2,
                 etas: tuple[float, float] = (0.5, 1.2), step_sizes: tuple[float, float] = (1e-6, 50), *,
                 capturable: bool = False, foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False):
        if not 0.0 <= lr:
            raise ValueError(f"Rprop: invalid learning rate: {lr} (must be >= 0)")
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Rprop: invalid eta values: {etas[0]}, {etas[1]} (must be 0 < etaminus < 1 < etaplus)")
        check_torch_only_flags("Rprop", capturable=capturable, foreach=foreach, differentiable=differentiable)
        super().__init__(params, dict(lr=lr, etas=tuple(etas), step_sizes=tuple(step_sizes), maximize=maximize))

    def _update(self, p: Tensor, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        (eta_minus, eta_plus), (size_min, size_max) = group["etas"], group["step_sizes"]
        if not state:
            state["step"] = 0
            state["prev"] = np.zeros_like(p.data)
            state["step_size"] = np.full_like(p.data, group["lr"])
        state["step"] += 1

        def step(theta: np.ndarray, g: np.ndarray, prev: np.ndarray, size: np.ndarray) -> None:
            s = np.sign(g * prev)
            size *= np.where(s > 0, eta_plus, np.where(s < 0, eta_minus, 1.0))
            np.clip(size, size_min, size_max, out=size)
            g = np.where(s < 0, 0.0, g)
            theta -= np.sign(g) * size
            np.copyto(prev, g)

        elementwise(step, p.data, grad, state["prev"], state["step_size"])
