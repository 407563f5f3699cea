"""A 2-d convolution written out as the matrix of its linear map (the bias left out)."""
from __future__ import annotations

from typing import Iterable

import numpy as np

from ..ops._windows import out_size, pair

__all__ = ["conv_matrix"]

MAX_ENTRIES = 50_000_000  # a dense (O·OH·OW) x (C·H·W) matrix; larger ones are refused, not allocated


def conv_matrix(weight, input_shape: Iterable[int], stride=1, padding=0, dilation=1, groups: int = 1) -> np.ndarray:
    """The matrix C with ``conv2d(x, weight, None, stride, padding, dilation, groups).reshape(-1) ==
    C @ x.reshape(-1)`` for one sample ``x`` of ``input_shape`` (C_in, H, W), built from the
    definition: row (o, p, q), column (c, p·s − pad + i·d, q·s − pad + j·d) holds W[o, c, i, j]
    (taps that fall on the padding have no column). Shape (O·OH·OW, C_in·H·W), dense, the
    weight's dtype. Its transpose is the transposed convolution with the same arguments, and
    conv2d's input gradient is Cᵀ g.

    >>> conv_matrix(np.ones((1, 1, 3, 3)), (1, 4, 4)).shape
    (4, 16)
    """
    w = np.asarray(getattr(weight, "data", weight))
    if w.ndim != 4:
        raise ValueError(f"conv_matrix: weight must be (out_channels, in_channels/groups, kH, kW), got shape {w.shape}")
    shape = tuple(int(v) for v in input_shape)
    if len(shape) != 3:
        raise ValueError(f"conv_matrix: input_shape must be (channels, height, width), got {shape}")
    o, cg, kh, kw = w.shape
    c, h, wd = shape
    if groups < 1 or o % groups or c != cg * groups:
        raise ValueError(f"conv_matrix: weight of shape {w.shape} with groups={groups} expects {cg * groups} input "
                         f"channels and out_channels divisible by groups, got input_shape {shape}")
    sh, sw = pair(stride, "stride", "conv_matrix")
    ph, pw = pair(padding, "padding", "conv_matrix")
    dh, dw = pair(dilation, "dilation", "conv_matrix")
    if min(sh, sw, dh, dw) < 1 or min(ph, pw) < 0:
        raise ValueError(f"conv_matrix: stride and dilation must be >= 1 and padding >= 0, got stride {(sh, sw)}, "
                         f"padding {(ph, pw)}, dilation {(dh, dw)}")
    oh, ow = out_size(h, kh, sh, 2 * ph, dh), out_size(wd, kw, sw, 2 * pw, dw)
    if oh < 1 or ow < 1:
        raise ValueError(f"conv_matrix: the {kh}x{kw} kernel (dilation {(dh, dw)}) does not fit the padded "
                         f"{h + 2 * ph}x{wd + 2 * pw} input")
    if o * oh * ow * c * h * wd > MAX_ENTRIES:
        raise ValueError(f"conv_matrix: a dense {o * oh * ow} x {c * h * wd} matrix is too large "
                         f"(over {MAX_ENTRIES:,} entries); use a smaller input_shape")
    # index arrays broadcast to (O, C/G, rows, columns): output channel, and the input channels it reads
    out_ch = np.arange(o)[:, None, None, None]
    in_ch = ((np.arange(o) // (o // groups))[:, None] * cg + np.arange(cg))[:, :, None, None]
    matrix = np.zeros((o * oh * ow, c * h * wd), dtype=w.dtype)
    blocks = matrix.reshape(o, oh, ow, c, h, wd)
    for i in range(kh):
        for j in range(kw):  # tap (i, j): output (p, q) reads input (p·s − pad + i·d, q·s − pad + j·d)
            p, rows = _reads(oh, sh, ph, i * dh, h)
            q, cols = _reads(ow, sw, pw, j * dw, wd)
            blocks[out_ch, p[:, None], q, in_ch, rows[:, None], cols] = w[:, :, i, j, None, None]
    return matrix


def _reads(out: int, stride: int, pad: int, offset: int, size: int) -> tuple[np.ndarray, np.ndarray]:
    """The output positions whose tap at ``offset`` falls on the input, and the input positions read."""
    positions = np.arange(out)
    reads = positions * stride - pad + offset
    inside = (reads >= 0) & (reads < size)
    return positions[inside], reads[inside]
