"""Fully connected and shape layers: ``Linear``, ``Identity``, ``Flatten``, ``Unflatten``."""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .. import backend
from ..autograd.tensor import Tensor
from ..ops.linear import linear
from . import init
from .module import Module, Parameter

__all__ = ["Linear", "Identity", "Flatten", "Unflatten"]


class Linear(Module):
    """y = x Wᵀ + b.

    Input (*, in_features) → output (*, out_features); ``*`` is any number of leading dimensions.
    weight: (out_features, in_features), bias: (out_features,). Initialised as PyTorch does:
    W ~ U(-1/√in, 1/√in) (``kaiming_uniform_(a=√5)``) and b ~ U(-1/√in, 1/√in).
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, dtype=None):
        super().__init__()
        for name, n in (("in_features", in_features), ("out_features", out_features)):
            if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 0:
                raise ValueError(f"Linear: {name} must be a non-negative int, got {n!r}")
        self.in_features, self.out_features = int(in_features), int(out_features)
        dt = backend.get_default_dtype() if dtype is None else np.dtype(dtype)
        self.weight = Parameter(np.empty((self.out_features, self.in_features), dt))
        if bias:
            self.bias = Parameter(np.empty(self.out_features, dt))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init._layer_default_(self.weight, self.bias)

    def forward(self, input: Tensor) -> Tensor:
        self.check_input(input, dim=-1, size=self.in_features, what="last dimension {size}",
                         layout="(*, in_features)")
        return linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class Identity(Module):
    """Returns its input unchanged; accepts (and ignores) any constructor arguments, as PyTorch's."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__()

    def forward(self, input: Tensor) -> Tensor:
        return input


def _dim(layer: Module, d: int, ndim: int, shape) -> int:
    if not -ndim <= d < ndim:
        raise ValueError(f"{layer!r}: dimension {d} is out of range for an input of shape {tuple(shape)}")
    return d % ndim


class Flatten(Module):
    """Merge dimensions ``start_dim..end_dim`` into one: (N, C, H, W) → (N, C·H·W) by default."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1):
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, input: Tensor) -> Tensor:
        nd = max(input.ndim, 1)
        start, end = (_dim(self, d, nd, input.shape) for d in (self.start_dim, self.end_dim))
        if start > end:
            raise ValueError(f"{self!r}: start_dim resolves after end_dim for input shape {input.shape}")
        return input.flatten(start, end)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Split dimension ``dim`` into ``unflattened_size``: (N, 400) → (N, 16, 5, 5)."""

    def __init__(self, dim: int, unflattened_size: Sequence[int]):
        super().__init__()
        self.dim, self.unflattened_size = dim, tuple(int(s) for s in unflattened_size)
        if sum(s == -1 for s in self.unflattened_size) > 1:
            raise ValueError(f"Unflatten: at most one size may be -1, got {self.unflattened_size}")

    def forward(self, input: Tensor) -> Tensor:
        shape = input.shape
        d = _dim(self, self.dim, len(shape), shape)
        sizes = self.unflattened_size
        known = int(np.prod([s for s in sizes if s != -1]))
        ok = shape[d] % known == 0 if -1 in sizes and known else shape[d] == known
        if not ok:
            raise ValueError(f"{self!r}: sizes {sizes} do not multiply to dimension {d} of the input "
                             f"(size {shape[d]}), got shape {tuple(shape)}")
        return input.reshape(*shape[:d], *sizes, *shape[d + 1:])

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
