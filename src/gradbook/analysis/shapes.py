"""Output sizes of convolution and pooling layers, the formulas PyTorch uses.

Convolution / pooling (per spatial axis, k_eff = dilation·(k − 1) + 1):

    out = ⌊(n + 2p − k_eff) / s⌋ + 1          (⌈·⌉ with ``ceil_mode``, pooling only; a last
                                              window that would start in the right padding is dropped)

Transposed convolution:

    out = (n − 1)·s − 2p + k_eff + output_padding
"""
from __future__ import annotations

from typing import Iterable

__all__ = ["conv_output_shape", "pool_output_shape", "conv_transpose_output_shape"]


def _per_axis(value, n: int, name: str) -> tuple[int, ...]:
    vals = (value,) * n if isinstance(value, int) else tuple(value)
    if len(vals) != n or any(isinstance(v, bool) or not isinstance(v, int) for v in vals):
        raise ValueError(f"conv_output_shape: {name} must be an int or {n} ints, got {value!r}")
    return tuple(int(v) for v in vals)


def _axis(n: int, k: int, s: int, p: int, d: int, ceil_mode: bool, transposed: bool, op: int) -> int:
    k_eff = d * (k - 1) + 1
    if transposed:
        return (n - 1) * s - 2 * p + k_eff + op
    span = n + 2 * p - k_eff
    if span < 0:
        return 0
    if ceil_mode:
        out = -(-span // s) + 1
        if (out - 1) * s >= n + p:  # the last window must start inside the input or left padding
            out -= 1
        return out
    return span // s + 1


def conv_output_shape(input_size: int | Iterable[int], kernel_size: int | Iterable[int], stride=1, padding=0,
                      dilation=1, *, ceil_mode: bool = False, transposed: bool = False,
                      output_padding=0) -> int | tuple[int, ...]:
    """Spatial output size of a convolution, pooling or (``transposed=True``) transposed
    convolution layer; ``input_size`` an int (one axis) or the spatial sizes, e.g. (H, W).

    ``padding`` may be an int, a tuple, or "same"/"valid" (stride-1 convolutions). Returns an int
    for an int input, else a tuple. Raises ``ValueError`` when the output would be empty.

    >>> conv_output_shape(32, 5), conv_output_shape((28, 28), 3, stride=2, padding=1)
    (28, (14, 14))
    >>> conv_output_shape(6, 3, 2, ceil_mode=True), conv_output_shape(7, 3, 2, 1, transposed=True, output_padding=1)
    (3, 14)
    """
    scalar = isinstance(input_size, int)
    sizes = (int(input_size),) if scalar else tuple(int(v) for v in input_size)
    n = len(sizes)
    k, s, d = (_per_axis(v, n, name) for v, name in ((kernel_size, "kernel_size"), (stride, "stride"),
                                                      (dilation, "dilation")))
    if isinstance(padding, str):
        if padding == "valid":
            p = (0,) * n
        elif padding == "same" and not transposed and all(v == 1 for v in s):
            return input_size if scalar else sizes
        else:
            raise ValueError(f"conv_output_shape: padding={padding!r} needs 'valid', or 'same' with stride 1")
    else:
        p = _per_axis(padding, n, "padding")
    op = _per_axis(output_padding, n, "output_padding")
    if any(v < 1 for v in (*k, *s, *d)) or any(v < 0 for v in (*p, *op, *sizes)):
        raise ValueError(f"conv_output_shape: kernel_size, stride, dilation must be >= 1 and padding, "
                         f"output_padding, input sizes >= 0; got input {sizes}, kernel {k}, stride {s}, "
                         f"padding {p}, dilation {d}, output_padding {op}")
    out = tuple(_axis(*a, ceil_mode, transposed, o) for a, o in zip(zip(sizes, k, s, p, d), op))
    if any(v <= 0 for v in out):
        raise ValueError(f"conv_output_shape: input {sizes} is too small for kernel {k} with dilation {d} "
                         f"and padding {p} (output {out})")
    return out[0] if scalar else out


def pool_output_shape(input_size, kernel_size, stride=None, padding=0, dilation=1, ceil_mode: bool = False):
    """Pooling output size; ``stride`` defaults to ``kernel_size`` as in PyTorch's pooling layers."""
    return conv_output_shape(input_size, kernel_size, kernel_size if stride is None else stride, padding,
                             dilation, ceil_mode=ceil_mode)


def conv_transpose_output_shape(input_size, kernel_size, stride=1, padding=0, output_padding=0, dilation=1):
    """Transposed convolution output size (ConvTranspose2d's argument order)."""
    return conv_output_shape(input_size, kernel_size, stride, padding, dilation, transposed=True,
                             output_padding=output_padding)
