"""Dropout: inverted dropout (kept values scaled by 1/(1 − p), so evaluation is the identity),
channel-wise dropout and alpha dropout. Masks come from ``gradbook.backend.rng()`` at the moment
of the call, so ``gb.manual_seed`` makes them reproducible.

``inplace=True`` is accepted for signature compatibility; the result is computed out of place.
"""
from __future__ import annotations

import numpy as np

from .. import backend
from ..autograd.function import Function
from ..autograd.tensor import Tensor

__all__ = ["alpha_dropout", "dropout", "dropout1d", "dropout2d"]

_SELU_NEG = 1.7580993408473766  # −(SELU scale · alpha): the value a SELU unit saturates to


class ScaleShift(Function):
    """y = x·s + b with constant arrays s (the scaled keep mask) and b;  dx = g·s."""

    def forward(ctx, x, scale, shift):
        ctx.scale = scale
        y = x * scale
        return y if shift is None else y + shift

    def backward(ctx, g):
        return g * ctx.scale, None, None

    def differentiable_backward(ctx, g):
        return g * Tensor._wrap(ctx.scale), None, None


def _check(name: str, x, p: float) -> None:
    if not isinstance(x, Tensor) or x.dtype.kind != "f":
        raise TypeError(f"{name}: expected a floating Tensor input")
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p} ({name})")


def _keep_mask(shape, p: float, dtype) -> np.ndarray:
    """1 with probability 1 − p, else 0, drawn from the library's generator."""
    return (backend.rng().random(shape, dtype=np.float32) >= p).astype(dtype)


def _scaled(x: Tensor, mask_shape, p: float) -> Tensor:
    if p == 1.0:
        return ScaleShift.apply(x, np.zeros(mask_shape, x.dtype), None)
    return ScaleShift.apply(x, _keep_mask(mask_shape, p, x.dtype) * np.asarray(1 / (1 - p), x.dtype), None)


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero each element with probability p and scale the rest by 1/(1 − p); identity when not training."""
    _check("dropout", input, p)
    if not training or p == 0.0:
        return input
    return _scaled(input, input.shape, p)


def _feature_dropout(name: str, input: Tensor, p: float, training: bool) -> Tensor:
    _check(name, input, p)
    if input.ndim < 2:
        raise ValueError(f"{name}: expected an input of shape (N, C, ...), got {input.shape}")
    if not training or p == 0.0:
        return input
    return _scaled(input, input.shape[:2] + (1,) * (input.ndim - 2), p)


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, L): each (n, c) with probability p; the rest scaled by 1/(1 − p)."""
    if input.ndim != 3:
        raise ValueError(f"dropout1d: expected an input of shape (N, C, L), got {input.shape}")
    return _feature_dropout("dropout1d", input, p, training)


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero whole channels (feature maps) of (N, C, H, W), each with probability p; the rest scaled
    by 1/(1 − p). As in PyTorch, a 3-D input is read as (N, C, L)."""
    return _feature_dropout("dropout2d", input, p, training)


def alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False, inplace: bool = False) -> Tensor:
    """Dropout for SELU networks: dropped units are set to SELU's saturation value −α' and an affine
    map a·(·) + b restores zero mean and unit variance:
    a = ((1 − p)(1 + p·α'²))^{-1/2},  y = a·(x·m − α'(1 − m)) + a·α'·p."""
    _check("alpha_dropout", input, p)
    if not training or p == 0.0:
        return input
    if p == 1.0:
        return ScaleShift.apply(input, np.zeros(input.shape, input.dtype), None)
    a = 1 / np.sqrt((_SELU_NEG ** 2 * p + 1) * (1 - p))
    m = _keep_mask(input.shape, p, input.dtype)
    shift = ((m - 1) * (_SELU_NEG * a) + _SELU_NEG * a * p).astype(input.dtype, copy=False)
    return ScaleShift.apply(input, m * np.asarray(a, input.dtype), shift)
