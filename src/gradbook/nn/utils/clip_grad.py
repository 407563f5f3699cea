"""Gradient clipping with ``torch.nn.utils``'s semantics: scale all gradients together by their
total norm (``clip_grad_norm_``), or clamp each element (``clip_grad_value_``); in place."""
from __future__ import annotations

import math
from typing import Iterable

import numpy as np

from ...autograd.tensor import Tensor

__all__ = ["clip_grad_norm_", "clip_grad_value_", "get_total_norm"]


def _grads(parameters: Tensor | Iterable[Tensor]) -> list[np.ndarray]:
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    return [p.grad.data for p in params if p.grad is not None]


def get_total_norm(grads: list[np.ndarray], norm_type: float = 2.0) -> float:
    """‖(g_1, …, g_k)‖_p = (Σ_i ‖g_i‖_p^p)^(1/p) (the p-norm of all gradients as one vector);
    p = inf gives max |g|."""
    if not grads:
        return 0.0
    p = float(norm_type)
    if math.isinf(p):
        return float(max(np.abs(g).max() if g.size else 0.0 for g in grads))
    per = [np.linalg.norm(g.reshape(-1).astype(np.float64), ord=p) for g in grads]
    return float(np.linalg.norm(np.asarray(per), ord=p))


def clip_grad_norm_(parameters: Tensor | Iterable[Tensor], max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """Scale every gradient by min(1, max_norm / (total_norm + 1e-6)) in place.

    ``total_norm`` is the ``norm_type``-norm of all gradients seen as one vector (``inf`` for the
    max norm). Returns ``total_norm`` (before clipping) as a 0-d tensor, as PyTorch. With
    ``error_if_nonfinite=True`` a nan/inf total norm raises ``RuntimeError`` instead of scaling.
    """
    grads = _grads(parameters)
    max_norm, norm_type = float(max_norm), float(norm_type)
    total = get_total_norm(grads, norm_type)
    dtype = grads[0].dtype if grads else np.float32
    if not grads:
        return Tensor._wrap(np.asarray(0.0, dtype))
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(f"clip_grad_norm_: the total norm of order {norm_type} of the gradients is "
                           f"non-finite ({total}), so it cannot be clipped; set error_if_nonfinite=False "
                           "to scale anyway")
    coef = min(max_norm / (total + 1e-6), 1.0)
    for g in grads:
        g *= np.asarray(coef, g.dtype)
    return Tensor._wrap(np.asarray(total, dtype))


def clip_grad_value_(parameters: Tensor | Iterable[Tensor], clip_value: float, foreach: bool | None = None) -> None:
    """Clamp every gradient element into [-clip_value, clip_value] in place (returns None, as PyTorch)."""
    c = float(clip_value)
    for g in _grads(parameters):
        np.clip(g, -c, c, out=g)
