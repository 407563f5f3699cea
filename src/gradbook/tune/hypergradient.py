"""Hypergradient descent: the learning rate learns too (Baydin et al. 2018, "Online Learning Rate
Adaptation with Hypergradient Descent", SGD-HD).

With θ_{t−1} = θ_{t−2} − α_{t−1} ∇f(θ_{t−2}), the loss's derivative with respect to the learning
rate used for the last step is ∂f(θ_{t−1})/∂α_{t−1} = −∇f(θ_{t−1})·∇f(θ_{t−2}). A gradient step on
α with hypergradient learning rate β, then the usual step on θ:

    α_t = α_{t−1} + β ∇f(θ_{t−1})·∇f(θ_{t−2})      (the dot product over every parameter of the group;
    θ_t = θ_{t−1} − α_t ∇f(θ_{t−1})                   ∇f(θ_{−1}) = 0, so the first step keeps α_0)

The rate grows while successive gradients agree and shrinks when they turn against each other.
``SGDHD`` keeps α in ``param_groups[i]["lr"]`` (so ``state_dict`` saves it) and the last gradient in
each parameter's state.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable

import numpy as np

from ..autograd.grad_mode import enable_grad
from ..autograd.tensor import Tensor
from ..optim.optimizer import Optimizer

__all__ = ["SGDHD"]


class SGDHD(Optimizer):
    """SGD whose learning rate follows hypergradient descent (see the module docstring).

    Parameters
    ----------
    params : tensors or parameter groups, as for every optimizer.
    lr : α_0, the starting learning rate.
    hypergrad_lr : β, the learning rate of the learning rate (Baydin et al. use 1e-3 for SGD on MNIST
        logistic regression).
    maximize : ascend f instead (the gradients are negated first, as in ``torch.optim``).
    """

    def __init__(self, params: Iterable[Tensor] | Iterable[dict], lr: float = 1e-3, hypergrad_lr: float = 1e-4, *,
                 maximize: bool = False):
        if lr < 0.0:
            raise ValueError(f"SGDHD: invalid learning rate: {lr} (must be >= 0)")
        if hypergrad_lr < 0.0:
            raise ValueError(f"SGDHD: invalid hypergrad_lr: {hypergrad_lr} (must be >= 0)")
        super().__init__(params, dict(lr=lr, hypergrad_lr=hypergrad_lr, maximize=maximize))

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            live = [p for p in group["params"] if p.grad is not None]
            grads = [-p.grad.data if group["maximize"] else p.grad.data for p in live]
            for p, g in zip(live, grads):
                if g.shape != p.shape:
                    raise ValueError(f"SGDHD: gradient of shape {g.shape} does not match its parameter of shape {p.shape}")
            # h = ∇f(θ_{t−1})·∇f(θ_{t−2}) over the group, in float64 whatever the parameters' dtype
            h = sum(float(np.dot(g.ravel().astype(np.float64), self.state[p]["prev_grad"].ravel().astype(np.float64)))
                    for p, g in zip(live, grads) if "prev_grad" in self.state.get(p, {}))
            group["lr"] = group["lr"] + group["hypergrad_lr"] * h
            for p, g in zip(live, grads):
                p.data -= np.asarray(group["lr"], dtype=p.data.dtype) * g
                self.state.setdefault(p, {})["prev_grad"] = g.copy()
        return loss
