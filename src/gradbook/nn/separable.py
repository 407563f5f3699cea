"""``SeparableConv2d``: a depthwise convolution then a pointwise (1x1) one (Xception, MobileNet)."""
from __future__ import annotations

import numpy as np

from ..autograd.tensor import Tensor
from .conv import Conv2d
from .module import Module

__all__ = ["SeparableConv2d"]


class SeparableConv2d(Module):
    """Depthwise separable 2-D convolution: each input channel filtered on its own by
    ``depth_multiplier`` kH x kW kernels, then every channel mixed by a 1x1 convolution:

        z[n, c·M + m] = W_d[c·M + m] ⋆ x[n, c]                  (depthwise: groups = C_in)
        y[n, o]       = b[o] + Σ_k W_p[o, k] · z[n, k]            (pointwise)

    for M = ``depth_multiplier``. Parameters: C_in·M·kH·kW + C_in·M·C_out (+ C_out) against
    C_in·C_out·kH·kW for a Conv2d with the same field.
    Submodules: ``depthwise`` = Conv2d(C_in, C_in·M, kernel_size, stride, padding, dilation,
    groups=C_in, bias=False) and ``pointwise`` = Conv2d(C_in·M, C_out, 1, bias=bias): the only bias
    is the pointwise one (a depthwise bias would pass through the linear pointwise map into it, as
    Keras's SeparableConv2D has it). Input (N, C_in, H, W) or (C_in, H, W) → (N, C_out, H_out, W_out),
    H_out as the depthwise Conv2d's.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0, dilation=1,
                 bias: bool = True, depth_multiplier: int = 1, padding_mode: str = "zeros", device=None,
                 dtype=None):
        super().__init__()
        name = type(self).__name__
        for what, v in (("in_channels", in_channels), ("out_channels", out_channels),
                        ("depth_multiplier", depth_multiplier)):
            if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v < 1:
                raise ValueError(f"{name}: {what} must be a positive int, got {v!r}")
        self.in_channels, self.out_channels = int(in_channels), int(out_channels)
        self.depth_multiplier = int(depth_multiplier)
        mid = self.in_channels * self.depth_multiplier
        self.depthwise = Conv2d(self.in_channels, mid, kernel_size, stride, padding, dilation, groups=self.in_channels,
                                bias=False, padding_mode=padding_mode, device=device, dtype=dtype)
        self.pointwise = Conv2d(mid, self.out_channels, 1, bias=bias, device=device, dtype=dtype)

    def forward(self, input: Tensor) -> Tensor:
        layout = "(N, C, H, W) or (C, H, W)"
        self.check_input(input, ndim=(3, 4), layout=layout)
        self.check_input(input, dim=-3, size=self.in_channels, what="{size} channels", layout=layout)
        return self.pointwise(self.depthwise(input))

    def extra_repr(self) -> str:
        d = self.depthwise
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={d.kernel_size}, stride={d.stride}"
        if d.padding != (0, 0):
            s += f", padding={d.padding}"
        if d.dilation != (1, 1):
            s += f", dilation={d.dilation}"
        if self.depth_multiplier != 1:
            s += f", depth_multiplier={self.depth_multiplier}"
        if self.pointwise.bias is None:
            s += ", bias=False"
        return s
