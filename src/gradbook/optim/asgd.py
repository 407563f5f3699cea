"""Averaged SGD (Polyak & Juditsky, 1992): SGD with a decaying step whose iterates are averaged
from step ``t0`` on; the average is kept in the state (``ax``), the parameters follow SGD."""
from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from ..autograd.tensor import Tensor
from ..ops._parallel import elementwise
from .optimizer import Optimizer, check_torch_only_flags

__all__ = ["ASGD"]


class ASGD(Optimizer):
    """PyTorch's ``torch.optim.ASGD``, step t with gradient g (−g when ``maximize``), η₀ = lr, μ₀ = 1:

        g ← g + λ_w θ                                   (weight_decay λ_w)
        θ ← θ (1 − λ η) − η g                           (lambd λ)
        a ← a + μ (θ − a)                               (ax, the averaged iterate)
        η ← lr / (1 + λ lr t)^α,   μ ← 1 / max(1, t − t0)
    """

    _scalar_state = ("step", "eta", "mu")

    def __init__(self, params: Iterable[Tensor] | Iterable[dict], lr: float = 1e-2, lambd: float = 1e-4,
                 alpha: float = 0.75, t0: float = 1e6, weight_decay: float = 0, foreach: bool | None = None,
                 maximize: bool = False, differentiable: bool = False, capturable: bool = False):
        if not 0.0 <= lr:
            raise ValueError(f"ASGD: invalid learning rate: {lr} (must be >= 0)")
        if not 0.0 <= weight_decay:
            raise ValueError(f"ASGD: invalid weight_decay value: {weight_decay} (must be >= 0)")
        check_torch_only_flags("ASGD", foreach=foreach, differentiable=differentiable, capturable=capturable)
        super().__init__(params, dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay,
                                      maximize=maximize))

    def _update(self, p: Tensor, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        lr, lambd, wd = group["lr"], group["lambd"], group["weight_decay"]
        if not state:
            state["step"] = 0
            state["eta"] = float(lr)
            state["mu"] = 1.0
            state["ax"] = np.zeros_like(p.data)
        state["step"] += 1
        eta, mu = state["eta"], state["mu"]

        def step(theta: np.ndarray, g: np.ndarray, ax: np.ndarray) -> None:
            if wd != 0:
                g = g + wd * theta
            theta *= 1 - lambd * eta
            theta -= eta * g
            if mu != 1:
                ax += (theta - ax) * mu
            else:
                np.copyto(ax, theta)

        elementwise(step, p.data, grad, state["ax"])
        t = state["step"]
        state["eta"] = lr / ((1 + lambd * lr * t) ** group["alpha"])
        state["mu"] = 1 / max(1, t - group["t0"])
