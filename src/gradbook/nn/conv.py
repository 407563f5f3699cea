"""Convolution layers: ``Conv1d``, ``Conv2d``, ``ConvTranspose2d`` (NCHW, PyTorch's arguments,
defaults, weight layouts, initialisation and ``repr``)."""
from __future__ import annotations


import numpy as np

from .. import backend
from ..autograd.tensor import Tensor
from ..ops.conv import _conv2d, _conv_transpose2d, conv1d
from ..ops.padding import pad_by_mode
from . import init
from .module import Module, Parameter

__all__ = ["Conv1d", "Conv2d", "ConvTranspose2d"]

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def _tuple(value, n: int, name: str, layer: str) -> tuple[int, ...]:
    """``value`` for each of the ``n`` spatial axes. As in PyTorch, stride, padding, dilation and
    output_padding may also be given as a 1-tuple (one value for every axis); kernel_size may not."""
    if name != "kernel_size" and isinstance(value, (tuple, list)) and len(value) == 1:
        value = value[0]
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return (int(value),) * n
    if isinstance(value, (tuple, list)) and len(value) == n and all(
            isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in value):
        return tuple(int(v) for v in value)
    raise ValueError(f"{layer}: {name} must be an int or a tuple of {n} ints, got {value!r}")


class _ConvNd(Module):
    """Shared parameters, initialisation and ``repr`` of the convolution layers.

    Initialisation as PyTorch's: W ~ U(−b, b) with b = 1/√fan_in (``kaiming_uniform_(a=√5)``),
    bias ~ U(−1/√fan_in, 1/√fan_in), fan_in computed from the weight's shape.
    """

    _dims = 2
    _transposed = False

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride, padding, dilation,
                 groups: int, bias: bool, padding_mode: str, output_padding=0, dtype=None):
        super().__init__()
        name, n = type(self).__name__, self._dims
        for what, v in (("in_channels", in_channels), ("out_channels", out_channels), ("groups", groups)):
            if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v < (1 if what == "groups" else 0):
                raise ValueError(f"{name}: {what} must be a {'positive' if what == 'groups' else 'non-negative'} "
                                 f"int, got {v!r}")
        if in_channels % groups or out_channels % groups:
            raise ValueError(f"{name}: in_channels ({in_channels}) and out_channels ({out_channels}) must "
                             f"both be divisible by groups ({groups})")
        if padding_mode not in _PADDING_MODES:
            raise ValueError(f"{name}: padding_mode must be one of {', '.join(map(repr, _PADDING_MODES))}, "
                             f"got {padding_mode!r}")
        if self._transposed and padding_mode != "zeros":
            raise ValueError(f"{name}: only padding_mode='zeros' is supported for a transposed convolution, "
                             f"got {padding_mode!r}")
        self.in_channels, self.out_channels, self.groups = int(in_channels), int(out_channels), int(groups)
        self.kernel_size = _tuple(kernel_size, n, "kernel_size", name)
        self.stride = _tuple(stride, n, "stride", name)
        self.dilation = _tuple(dilation, n, "dilation", name)
        if isinstance(padding, str):
            if padding not in ("same", "valid") or self._transposed:
                allowed = "an int or a tuple of ints" + ("" if self._transposed else ", 'same' or 'valid'")
                raise ValueError(f"{name}: padding must be {allowed}, got {padding!r}")
            if padding == "same" and any(s != 1 for s in self.stride):
                raise ValueError(f"{name}: padding='same' is not supported for strided convolutions "
                                 f"(stride={self.stride})")
            self.padding = padding
        else:
            self.padding = _tuple(padding, n, "padding", name)
        self.output_padding = _tuple(output_padding, n, "output_padding", name)
        self.padding_mode = padding_mode
        dt = backend.get_default_dtype() if dtype is None else np.dtype(dtype)
        if self._transposed:
            shape = (self.in_channels, self.out_channels // self.groups, *self.kernel_size)
        else:
            shape = (self.out_channels, self.in_channels // self.groups, *self.kernel_size)
        self.weight = Parameter(np.empty(shape, dt))
        if bias:
            self.bias = Parameter(np.empty(self.out_channels, dt))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init._layer_default_(self.weight, self.bias)

    def _pad_by_mode(self, x: Tensor) -> tuple[Tensor, object]:
        """(input, padding) for the convolution. As PyTorch's, a ``padding_mode`` other than 'zeros'
        pads the input itself (``F.pad(x, pads, mode=padding_mode)``, 'same' split with the odd
        one at the bottom/right) and the convolution then pads nothing."""
        if self.padding_mode == "zeros":
            return x, self.padding
        if self.padding == "same":
            totals = [d * (k - 1) for d, k in zip(self.dilation, self.kernel_size)]
            pairs = [(t // 2, t - t // 2) for t in totals]
        else:
            pairs = [(p, p) for p in (self.padding if self.padding != "valid" else (0,) * self._dims)]
        pads = tuple(v for pair in reversed(pairs) for v in pair)  # F.pad lists the last axis first
        return pad_by_mode(x, pads, self.padding_mode, op=self), 0

    def _check(self, x) -> None:
        layout = "(N, C, H, W) or (C, H, W)" if self._dims == 2 else "(N, C, L) or (C, L)"
        self.check_input(x, ndim=(self._dims + 1, self._dims + 2), layout=layout)
        self.check_input(x, dim=-self._dims - 1, size=self.in_channels, what="{size} channels", layout=layout)

    def extra_repr(self) -> str:
        n = self._dims
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0,) * n:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * n:
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * n:
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class Conv2d(_ConvNd):
    """2-D convolution (cross-correlation) over an NCHW input.

        y[n, o] = b[o] + Σ_{c ∈ group(o)} W[o, c] ⋆ x[n, c]

    Input (N, C_in, H, W) or (C_in, H, W) → output (N, C_out, H_out, W_out) with
    H_out = ⌊(H + 2·padding − dilation·(k − 1) − 1)/stride⌋ + 1.
    weight: (C_out, C_in/groups, kH, kW); bias: (C_out,). ``padding`` may be 'same' (stride 1)
    or 'valid'. ``padding_mode`` 'zeros' (default), 'reflect', 'replicate' or 'circular' fills the
    padding as ``F.pad``'s modes do (reflect needs padding < H and < W).
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0, dilation=1,
                 groups: int = 1, bias: bool = True, padding_mode: str = "zeros", device=None, dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
                         padding_mode, dtype=dtype)

    def forward(self, input: Tensor) -> Tensor:
        self._check(input)
        x, padding = self._pad_by_mode(input)
        return _conv2d(self, x, self.weight, self.bias, self.stride, padding, self.dilation, self.groups)


class Conv1d(_ConvNd):
    """1-D convolution over an NCL input (``conv2d`` on a height-1 view).

    Input (N, C_in, L) or (C_in, L) → output (N, C_out, L_out),
    L_out = ⌊(L + 2·padding − dilation·(k − 1) − 1)/stride⌋ + 1; weight (C_out, C_in/groups, k).
    """

    _dims = 1

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0, dilation=1,
                 groups: int = 1, bias: bool = True, padding_mode: str = "zeros", device=None, dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
                         padding_mode, dtype=dtype)

    def forward(self, input: Tensor) -> Tensor:
        self._check(input)
        x, padding = self._pad_by_mode(input)
        return conv1d(x, self.weight, self.bias, self.stride, padding, self.dilation, self.groups)


class ConvTranspose2d(_ConvNd):
    """2-D transposed convolution (the gradient of Conv2d with respect to its input).

    Input (N, C_in, H, W) or (C_in, H, W) → output (N, C_out, H_out, W_out) with
    H_out = (H − 1)·stride − 2·padding + dilation·(k − 1) + output_padding + 1.
    weight: (C_in, C_out/groups, kH, kW); bias: (C_out,).
    """

    _transposed = True

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 output_padding=0, groups: int = 1, bias: bool = True, dilation=1, padding_mode: str = "zeros",
                 device=None, dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
                         padding_mode, output_padding=output_padding, dtype=dtype)

    def forward(self, input: Tensor, output_size=None) -> Tensor:
        self._check(input)
        output_padding = self.output_padding
        if output_size is not None:
            output_padding = self._output_padding_for(input, output_size)
        return _conv_transpose2d(self, input, self.weight, self.bias, self.stride, self.padding,
                                 output_padding, self.groups, self.dilation)

    def _output_padding_for(self, input: Tensor, output_size) -> tuple[int, int]:
        """The output_padding that gives ``output_size`` (its last two entries), as PyTorch's."""
        want = tuple(int(v) for v in tuple(output_size)[-2:])
        pads = []
        for a in range(2):
            smallest = ((input.shape[-2 + a] - 1) * self.stride[a] - 2 * self.padding[a]
                        + self.dilation[a] * (self.kernel_size[a] - 1) + 1)
            extra = want[a] - smallest
            if not 0 <= extra < max(self.stride[a], self.dilation[a]):
                raise ValueError(f"{self!r}: requested output_size {want} is not reachable from input of "
                                 f"shape {tuple(input.shape)} (valid sizes along dim {a}: {smallest} to "
                                 f"{smallest + max(self.stride[a], self.dilation[a]) - 1})")
            pads.append(extra)
        return tuple(pads)
