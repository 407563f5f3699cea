"""Stochastic gradient descent with momentum, dampening, Nesterov momentum and L2 weight decay."""
from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from ..autograd.tensor import Tensor
from ..ops._parallel import elementwise
from .optimizer import Optimizer, check_torch_only_flags

__all__ = ["SGD"]


class SGD(Optimizer):
    """PyTorch's ``torch.optim.SGD``, step t with gradient g (−g when ``maximize``):

        g ← g + λ θ                                   (weight_decay λ)
        b ← g at t = 1, else μ b + (1 − τ) g           (momentum μ, dampening τ)
        g ← g + μ b  if nesterov  else  b
        θ ← θ − lr · g
    """

    def __init__(self, params: Iterable[Tensor] | Iterable[dict], lr: float = 1e-3, momentum: float = 0.0,
                 dampening: float = 0.0, weight_decay: float = 0.0, nesterov: bool = False, *,
                 maximize: bool = False, foreach: bool | None = None, differentiable: bool = False,
                 fused: bool | None = None):
        for name, value in (("learning rate", lr), ("momentum value", momentum),
                            ("weight_decay value", weight_decay)):
            if value < 0.0:
                raise ValueError(f"SGD: invalid {name}: {value} (must be >= 0)")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("SGD: Nesterov momentum requires a momentum > 0 and zero dampening, "
                             f"got momentum={momentum}, dampening={dampening}")
        check_torch_only_flags("SGD", foreach=foreach, differentiable=differentiable, fused=fused)
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      weight_decay=weight_decay, nesterov=nesterov, maximize=maximize))

    def _update(self, p: Tensor, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        wd, mu, lr = group["weight_decay"], group["momentum"], group["lr"]
        nesterov, keep = group["nesterov"], 1 - group["dampening"]
        first = mu != 0 and state.get("momentum_buffer") is None
        if first:
            state["momentum_buffer"] = np.empty_like(p.data)

        def step(theta: np.ndarray, g: np.ndarray, buf: np.ndarray | None = None) -> None:
            if wd != 0:
                g = g + wd * theta
            if buf is not None:
                if first:
                    np.copyto(buf, g)
                else:
                    buf *= mu
                    buf += keep * g
                g = g + mu * buf if nesterov else buf
            theta -= lr * g

        # large parameters are updated in pieces over the BLAS threads (the same arithmetic)
        elementwise(step, p.data, grad, *([state["momentum_buffer"]] if mu != 0 else []))
