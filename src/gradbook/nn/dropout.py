"""Dropout layers: active in training mode, the identity in evaluation mode (``model.eval()``)."""
from __future__ import annotations

from typing import Callable

from ..autograd.tensor import Tensor
from ..ops import dropout as F
from .module import Module

__all__ = ["AlphaDropout", "Dropout", "Dropout1d", "Dropout2d"]


class _DropoutNd(Module):
    """Stores ``p`` (checked) and ``inplace``; subclasses name ``fn(input, p, training)``."""

    fn: Callable[[Tensor, float, bool], Tensor]

    def __init__(self, p: float = 0.5, inplace: bool = False):
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"{type(self).__name__}: dropout probability has to be between 0 and 1, but got {p}")
        self.p, self.inplace = p, inplace

    def forward(self, input: Tensor) -> Tensor:
        return type(self).fn(input, self.p, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    """Zero each element with probability p in training and scale the rest by 1/(1 − p). Any shape."""
    fn = staticmethod(F.dropout)


class Dropout1d(_DropoutNd):
    """Zero whole channels of (N, C, L) with probability p in training; the rest scaled by 1/(1 − p)."""
    fn = staticmethod(F.dropout1d)


class Dropout2d(_DropoutNd):
    """Zero whole feature maps of (N, C, H, W) with probability p in training; the rest scaled by 1/(1 − p)."""

    fn = staticmethod(F.dropout2d)

    def forward(self, input: Tensor) -> Tensor:
        self.check_input(input, ndim=(3, 4), layout="(N, C, H, W) or (N, C, L)")
        return F.dropout2d(input, self.p, self.training)


class AlphaDropout(_DropoutNd):
    """Dropout for SELU networks: keeps zero mean and unit variance (see ``F.alpha_dropout``)."""
    fn = staticmethod(F.alpha_dropout)
