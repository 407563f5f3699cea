"""Pooling layers: ``MaxPool2d``, ``AvgPool2d``, ``AdaptiveAvgPool2d``, ``AdaptiveMaxPool2d``
(PyTorch's arguments, defaults and ``repr``); the maths lives in ``gradbook.ops.pool``."""
from __future__ import annotations

from ..autograd.tensor import Tensor
from ..ops.pool import _avg_pool2d, _max_pool2d, adaptive_avg_pool2d, adaptive_max_pool2d
from .module import Module

__all__ = ["AdaptiveAvgPool2d", "AdaptiveMaxPool2d", "AvgPool2d", "MaxPool2d"]

_LAYOUT = "(N, C, H, W) or (C, H, W)"


class MaxPool2d(Module):
    """y[n, c, i, j] = max of x[n, c] over the window at (i·stride, j·stride) (−∞ padding).

    Input (N, C, H, W) or (C, H, W) → output (N, C, H_out, W_out),
    H_out = ⌊(H + 2·padding − dilation·(k − 1) − 1)/stride⌋ + 1 (⌈·⌉ with ``ceil_mode``).
    ``stride`` defaults to ``kernel_size``; ``return_indices`` also returns the arg-max indices.
    """

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices: bool = False,
                 ceil_mode: bool = False):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding, self.dilation = padding, dilation
        self.return_indices, self.ceil_mode = return_indices, ceil_mode

    def forward(self, input: Tensor):
        self.check_input(input, ndim=(3, 4), layout=_LAYOUT)
        return _max_pool2d(self, input, self.kernel_size, self.stride, self.padding, self.dilation,
                           self.ceil_mode, self.return_indices)

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class AvgPool2d(Module):
    """y[n, c, i, j] = mean of x[n, c] over the window at (i·stride, j·stride).

    The divisor is ``divisor_override`` if given, else the window's size (``count_include_pad``,
    zeros of the padding counted) or the number of real input elements in it.
    Input (N, C, H, W) or (C, H, W) → output (N, C, H_out, W_out) as for MaxPool2d (dilation 1).
    """

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
                 count_include_pad: bool = True, divisor_override: int | None = None):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding, self.ceil_mode = padding, ceil_mode
        self.count_include_pad, self.divisor_override = count_include_pad, divisor_override

    def forward(self, input: Tensor) -> Tensor:
        self.check_input(input, ndim=(3, 4), layout=_LAYOUT)
        return _avg_pool2d(self, input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                           self.count_include_pad, self.divisor_override)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool2d(Module):
    """Average pooling to a fixed ``output_size`` (an int, a pair, ``None`` keeps that input size):
    output cell o averages input rows [⌊o·H/H_out⌋, ⌈(o+1)·H/H_out⌉) (and the same for columns).

    Input (N, C, H, W) or (C, H, W) → output (N, C, H_out, W_out).
    """

    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def forward(self, input: Tensor) -> Tensor:
        self.check_input(input, ndim=(3, 4), layout=_LAYOUT)
        return adaptive_avg_pool2d(input, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveMaxPool2d(Module):
    """Max pooling to a fixed ``output_size``, windows as in :class:`AdaptiveAvgPool2d`.

    Input (N, C, H, W) or (C, H, W) → output (N, C, H_out, W_out) (and indices if asked).
    """

    def __init__(self, output_size, return_indices: bool = False):
        super().__init__()
        self.output_size, self.return_indices = output_size, return_indices

    def forward(self, input: Tensor):
        self.check_input(input, ndim=(3, 4), layout=_LAYOUT)
        return adaptive_max_pool2d(input, self.output_size, self.return_indices)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"
