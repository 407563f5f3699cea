"""RMSprop (Hinton, Coursera lecture 6e, 2012): gradients divided by a running RMS of their
recent magnitudes; optionally centred (Graves, 2013) and with momentum."""
from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from ..autograd.tensor import Tensor
from ..ops._parallel import elementwise
from .optimizer import Optimizer, check_torch_only_flags

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """PyTorch's ``torch.optim.RMSprop``, step with gradient g (−g when ``maximize``):

        g ← g + λ θ                                    (weight_decay λ)
        v ← α v + (1 − α) g²                           (square_avg)
        ḡ ← α ḡ + (1 − α) g,  v̄ = v − ḡ²  if centered  else  v̄ = v
        b ← μ b + g / (√v̄ + ε),  θ ← θ − lr · b         if momentum μ > 0
        θ ← θ − lr · g / (√v̄ + ε)                       otherwise
    """

    def __init__(self, params: Iterable[Tensor] | Iterable[dict], lr: float = 1e-2, alpha: float = 0.99,
                 eps: float = 1e-8, weight_decay: float = 0, momentum: float = 0, centered: bool = False,
                 capturable: bool = False, foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False):
        for what, value in (("learning rate", lr), ("epsilon value", eps), ("momentum value", momentum),
                            ("weight_decay value", weight_decay), ("alpha value", alpha)):
            if not 0.0 <= value:
                raise ValueError(f"RMSprop: invalid {what}: {value} (must be >= 0)")
        check_torch_only_flags("RMSprop", capturable=capturable, foreach=foreach, differentiable=differentiable)
        super().__init__(params, dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                                      weight_decay=weight_decay, maximize=maximize))

    def _update(self, p: Tensor, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        lr, alpha, eps, wd = group["lr"], group["alpha"], group["eps"], group["weight_decay"]
        mu, centered = group["momentum"], group["centered"]
        if not state:
            state["step"] = 0
            state["square_avg"] = np.zeros_like(p.data)
            if mu > 0:
                state["momentum_buffer"] = np.zeros_like(p.data)
            if centered:
                state["grad_avg"] = np.zeros_like(p.data)
        state["step"] += 1

        def step(theta: np.ndarray, g: np.ndarray, v: np.ndarray, *extra: np.ndarray) -> None:
            g_avg = extra[0] if centered else None  # the optional buffers, in this order
            buf = extra[-1] if mu > 0 else None
            if wd != 0:
                g = g + wd * theta
            v *= alpha
            v += (1 - alpha) * (g * g)
            if g_avg is not None:
                g_avg += (1 - alpha) * (g - g_avg)  # torch's lerp
                avg = np.sqrt(v - g_avg * g_avg)
            else:
                avg = np.sqrt(v)
            avg += eps
            np.divide(g, avg, out=avg)
            if buf is not None:
                buf *= mu
                buf += avg
                theta -= lr * buf
            else:
                avg *= lr
                theta -= avg

        extra = ([state["grad_avg"]] if centered else []) + ([state["momentum_buffer"]] if mu > 0 else [])
        elementwise(step, p.data, grad, state["square_avg"], *extra)
