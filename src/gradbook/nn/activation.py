"""Activation layers: one module per activation in :mod:`gradbook.ops.activation`, with PyTorch's
names, arguments, defaults and reprs. ``inplace`` is accepted and shown in the repr as PyTorch does;
the computation itself never writes into its input."""
from __future__ import annotations

from typing import Callable

import numpy as np

from .. import backend
from ..autograd.tensor import Tensor
from ..ops import activation as F
from .module import Module, Parameter

__all__ = ["CELU", "ELU", "GELU", "Hardsigmoid", "Hardswish", "Hardtanh", "LeakyReLU", "LogSigmoid", "LogSoftmax",
           "PReLU", "ReLU", "ReLU6", "SELU", "SiLU", "Sigmoid", "Softmax", "Softmin", "Softplus", "Softsign", "Tanh"]


class _Inplace(Module):
    """An activation without parameters whose only option is ``inplace``; subclasses name ``fn``."""

    fn: Callable[[Tensor], Tensor]

    def __init__(self, inplace: bool = False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return type(self).fn(input)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class ReLU(_Inplace):
    """max(0, x)."""
    fn = staticmethod(F.relu)


class ReLU6(_Inplace):
    """min(max(0, x), 6)."""
    fn = staticmethod(F.relu6)


class SELU(_Inplace):
    """scale·(x if x > 0 else α(eˣ − 1)), α ≈ 1.6733, scale ≈ 1.0507."""
    fn = staticmethod(F.selu)


class SiLU(_Inplace):
    """x·σ(x)."""
    fn = staticmethod(F.silu)


class Hardsigmoid(_Inplace):
    """relu6(x + 3)/6."""
    fn = staticmethod(F.hardsigmoid)


class Hardswish(_Inplace):
    """x·relu6(x + 3)/6."""
    fn = staticmethod(F.hardswish)


class _Plain(Module):
    """An activation without options; subclasses name ``fn``."""

    fn: Callable[[Tensor], Tensor]

    def forward(self, input: Tensor) -> Tensor:
        return type(self).fn(input)


class Sigmoid(_Plain):
    """1/(1 + e^{−x})."""
    fn = staticmethod(F.sigmoid)


class Tanh(_Plain):
    """tanh x."""
    fn = staticmethod(F.tanh)


class Softsign(_Plain):
    """x/(1 + |x|)."""
    fn = staticmethod(F.softsign)


class LogSigmoid(_Plain):
    """log σ(x)."""
    fn = staticmethod(F.logsigmoid)


class LeakyReLU(Module):
    """x if x > 0 else negative_slope·x."""

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False):
        super().__init__()
        self.negative_slope, self.inplace = negative_slope, inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.leaky_relu(input, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


class ELU(Module):
    """x if x > 0 else α(eˣ − 1)."""

    def __init__(self, alpha: float = 1.0, inplace: bool = False):
        super().__init__()
        self.alpha, self.inplace = alpha, inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.elu(input, self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class CELU(ELU):
    """max(0, x) + min(0, α(e^{x/α} − 1))."""

    def forward(self, input: Tensor) -> Tensor:
        return F.celu(input, self.alpha)


class GELU(Module):
    """x·Φ(x), or its tanh approximation with ``approximate='tanh'``."""

    def __init__(self, approximate: str = "none"):
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, input: Tensor) -> Tensor:
        return F.gelu(input, self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class Softplus(Module):
    """log(1 + e^{βx})/β, and x where βx > threshold."""

    def __init__(self, beta: float = 1.0, threshold: float = 20.0):
        super().__init__()
        self.beta, self.threshold = beta, threshold

    def forward(self, input: Tensor) -> Tensor:
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class Hardtanh(Module):
    """clip(x, min_val, max_val)."""

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False):
        super().__init__()
        if min_val > max_val:
            raise ValueError(f"Hardtanh: min_val ({min_val}) must not exceed max_val ({max_val})")
        self.min_val, self.max_val, self.inplace = min_val, max_val, inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.hardtanh(input, self.min_val, self.max_val)

    def extra_repr(self) -> str:
        return f"min_val={self.min_val}, max_val={self.max_val}" + (", inplace=True" if self.inplace else "")


class PReLU(Module):
    """x if x > 0 else a·x with a learned slope a: one shared (``num_parameters=1``) or one per
    channel (dim 1 of the input), initialised to ``init``."""

    def __init__(self, num_parameters: int = 1, init: float = 0.25, device=None, dtype=None):
        super().__init__()
        if device not in (None, "cpu"):
            raise ValueError(f"PReLU: device={device!r} is not supported (gradbook runs on the CPU)")
        if not isinstance(num_parameters, (int, np.integer)) or num_parameters <= 0:
            raise ValueError(f"PReLU: num_parameters must be a positive int, got {num_parameters!r}")
        self.num_parameters, self.init = int(num_parameters), init
        dt = backend.get_default_dtype() if dtype is None else np.dtype(dtype)
        self.weight = Parameter(np.full(self.num_parameters, init, dt))

    def reset_parameters(self) -> None:
        self.weight.data[...] = self.init

    def forward(self, input: Tensor) -> Tensor:
        if self.num_parameters > 1:
            self.check_input(input, dim=1, size=self.num_parameters, what="{size} channels in dimension 1",
                             layout="(N, C, *)")
        return F.prelu(input, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


class _SoftmaxLike(Module):
    """A normalisation along ``dim``; subclasses name ``fn(input, dim)``."""

    fn: Callable[[Tensor, int | None], Tensor]

    def __init__(self, dim: int | None = None):
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return type(self).fn(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Softmax(_SoftmaxLike):
    """exp(x_i)/Σ_j exp(x_j) along ``dim`` (stable)."""
    fn = staticmethod(F.softmax)


class LogSoftmax(_SoftmaxLike):
    """x_i − log Σ_j exp(x_j) along ``dim`` (stable)."""
    fn = staticmethod(F.log_softmax)


class Softmin(_SoftmaxLike):
    """softmax(−x) along ``dim``."""
    fn = staticmethod(F.softmin)
