"""``LocallyConnected2d``: a convolution without weight sharing (DeepFace, Taigman et al. 2014)."""
from __future__ import annotations

import math

import numpy as np

from .. import backend
from ..autograd.tensor import Tensor
from ..ops._windows import out_size, pair
from ..ops.local_conv import locally_connected2d
from . import init
from .module import Module, Parameter

__all__ = ["LocallyConnected2d"]


class LocallyConnected2d(Module):
    """2-D locally connected layer: every output position has its own filter bank.

        y[n, o, p, q] = b[o, p, q] + Σ_{c, i, j} W[p, q, o, c, i, j] · xp[n, c, p·sh + i, q·sw + j]

    (xp: the input zero-padded by ``padding``). A Conv2d shares one W[o, c, i, j] across all
    (p, q); this layer learns OH·OW of them, for inputs whose regions differ in kind (DeepFace's
    aligned faces: eyes always at the same place). The input's spatial size is fixed: ``in_size``.

    Input (N, C_in, H, W) or (C_in, H, W) with (H, W) = ``in_size`` → output (N, C_out, OH, OW),
    OH = ⌊(H + 2·padding − kH)/stride⌋ + 1 (as Conv2d's).
    weight: (OH, OW, C_out, C_in, kH, kW), ``weight[p, q]`` being the Conv2d weight of position
    (p, q); bias: (C_out, OH, OW). Both drawn from U(−1/√fan_in, 1/√fan_in), fan_in = C_in·kH·kW,
    as Conv2d's defaults.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, in_size, stride=1, padding=0,
                 bias: bool = True, device=None, dtype=None):
        super().__init__()
        name = type(self).__name__
        for what, v in (("in_channels", in_channels), ("out_channels", out_channels)):
            if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v < 1:
                raise ValueError(f"{name}: {what} must be a positive int, got {v!r}")
        self.in_channels, self.out_channels = int(in_channels), int(out_channels)
        self.kernel_size = pair(kernel_size, "kernel_size", name)
        self.in_size = pair(in_size, "in_size", name)
        self.stride = pair(stride, "stride", name)
        self.padding = pair(padding, "padding", name)
        if min(self.kernel_size) < 1 or min(self.in_size) < 1 or min(self.stride) < 1 or min(self.padding) < 0:
            raise ValueError(f"{name}: kernel_size, in_size and stride must be positive and padding non-negative, "
                             f"got kernel_size={self.kernel_size}, in_size={self.in_size}, stride={self.stride}, "
                             f"padding={self.padding}")
        self.out_size = tuple(out_size(n, k, s, 2 * p) for n, k, s, p in
                              zip(self.in_size, self.kernel_size, self.stride, self.padding))
        if min(self.out_size) < 1:
            raise ValueError(f"{name}: a {self.kernel_size} kernel does not fit in the input of size {self.in_size} "
                             f"padded by {self.padding}")
        if device not in (None, "cpu"):
            raise ValueError(f"{name}: device={device!r} is not supported: gradbook arrays live on the CPU (NumPy)")
        dt = backend.get_default_dtype() if dtype is None else np.dtype(dtype)
        self.weight = Parameter(np.empty((*self.out_size, self.out_channels, self.in_channels, *self.kernel_size), dt))
        if bias:
            self.bias = Parameter(np.empty((self.out_channels, *self.out_size), dt))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        bound = 1 / math.sqrt(self.in_channels * self.kernel_size[0] * self.kernel_size[1])
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input: Tensor) -> Tensor:
        layout = "(N, C, H, W) or (C, H, W)"
        self.check_input(input, ndim=(3, 4), layout=layout)
        self.check_input(input, dim=-3, size=self.in_channels, what="{size} channels", layout=layout)
        if tuple(input.shape[-2:]) != self.in_size:
            raise ValueError(f"{self!r}: expected input with spatial size {self.in_size} (in_size), "
                             f"got shape {tuple(input.shape)}")
        return locally_connected2d(input, self.weight, self.bias, self.stride, self.padding, op=self)

    def extra_repr(self) -> str:
        s = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, in_size={self.in_size}, "
             f"stride={self.stride}")
        if self.padding != (0, 0):
            s += f", padding={self.padding}"
        if self.bias is None:
            s += ", bias=False"
        return s
