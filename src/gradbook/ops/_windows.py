"""Sliding windows over the last two axes of an NCHW array: the one helper that convolution,
pooling and unfold share.

A window view is a zero-copy ``as_strided`` view ``(N, C, KH, KW, OH, OW)``:

    view[n, c, i, j, y, x] = xp[n, c, y·sh + i·dh, x·sw + j·dw]

``im2col`` copies it once into the matrix ``(N, C·KH·KW, OH·OW)`` that a convolution multiplies;
``col2im`` is its adjoint (the sum of every window back onto the grid), done with one strided add
per kernel offset (KH·KW NumPy calls), never a loop over pixels.
"""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

__all__: list[str] = []  # an internal helper: nothing here is public API

Pair = tuple[int, int]
Pads = tuple[int, int, int, int]  # top, bottom, left, right


def pair(value, name: str, op: object) -> Pair:
    """An int, a 1-tuple (or 1-list) of an int, or a pair of ints as a pair of Python ints: what
    PyTorch's 2-D convolution and pooling accept (a single value serves both axes)."""
    if isinstance(value, (tuple, list)) and len(value) == 1:
        value = value[0]
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return int(value), int(value)
    if isinstance(value, (tuple, list)) and len(value) == 2 and all(
            isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in value):
        return int(value[0]), int(value[1])
    raise ValueError(f"{op}: {name} must be an int or a tuple of one or two ints, got {value!r}")


def out_size(size: int, kernel: int, stride: int, pad_total: int, dilation: int = 1,
             ceil_mode: bool = False, pad_begin: int = 0) -> int:
    """Number of window positions: ⌊(size + pads − d(k−1) − 1)/s⌋ + 1 (⌈·⌉ with ``ceil_mode``, where,
    as in PyTorch, a last window that would start in the right padding is dropped)."""
    span = size + pad_total - dilation * (kernel - 1) - 1
    n = (span + (stride - 1 if ceil_mode else 0)) // stride + 1  # floor division, as PyTorch's div_rtn
    if ceil_mode and (n - 1) * stride >= size + pad_begin:
        n -= 1
    return n


def pad2d(x: np.ndarray, pads: Pads, value: float = 0.0, extra: Pair = (0, 0)) -> np.ndarray:
    """``x`` framed by ``pads`` (top, bottom, left, right) plus ``extra`` rows/columns at the
    bottom/right, filled with ``value``; ``x`` itself (no copy) when there is nothing to add."""
    top, bottom, left, right = pads
    bottom, right = bottom + extra[0], right + extra[1]
    if top == bottom == left == right == 0:
        return x
    n, c, h, w = x.shape
    out = np.empty((n, c, h + top + bottom, w + left + right), dtype=x.dtype)
    if value == 0:
        place(out, x, (top, left))
    else:
        out.fill(value)
        out[:, :, top:top + h, left:left + w] = x
    return out


def place(grid: np.ndarray, a: np.ndarray, corner: Pair) -> None:
    """Write ``a`` (..., h, w) into ``grid`` (..., Hp, Wp) (any strides, e.g. a transposed view)
    with its top-left element at ``corner``, and zero only the frame around it: the interior is
    written once, never zeroed first."""
    (top, left), (h, w) = corner, a.shape[-2:]
    grid[..., :top, :] = 0
    grid[..., top + h:, :] = 0
    grid[..., top:top + h, :left] = 0
    grid[..., top:top + h, left + w:] = 0
    grid[..., top:top + h, left:left + w] = a


def windows(xp: np.ndarray, kernel: Pair, stride: Pair, dilation: Pair, out_hw: Pair) -> np.ndarray:
    """The zero-copy window view ``(N, C, KH, KW, OH, OW)`` of the (already padded) ``xp``."""
    sn, sc, sh, sw = xp.strides
    (kh, kw), (st_h, st_w), (dh, dw), (oh, ow) = kernel, stride, dilation, out_hw
    return as_strided(xp, shape=(*xp.shape[:2], kh, kw, oh, ow),
                      strides=(sn, sc, sh * dh, sw * dw, sh * st_h, sw * st_w), writeable=False)


def offset_slice(k: Pair, stride: Pair, dilation: Pair, out_hw: Pair) -> tuple[slice, slice]:
    """The strided slice of the padded grid that kernel offset ``k = (i, j)`` reads for every output."""
    (i, j), (sh, sw), (dh, dw), (oh, ow) = k, stride, dilation, out_hw
    return (slice(i * dh, i * dh + (oh - 1) * sh + 1, sh), slice(j * dw, j * dw + (ow - 1) * sw + 1, sw))


def im2col(xp: np.ndarray, kernel: Pair, stride: Pair, dilation: Pair, out_hw: Pair,
           channel_major: bool = False) -> np.ndarray:
    """Copy the windows of ``xp`` into columns, rows ordered (c, i, j) like a flattened OIHW weight:
    batch-major ``(N, C·KH·KW, OH·OW)``, or channel-major ``(C·KH·KW, N·OH·OW)`` (one matrix for
    the whole batch, so a convolution is a single large matrix product)."""
    n, c = xp.shape[:2]
    view = windows(xp, kernel, stride, dilation, out_hw)
    if channel_major:
        cols = np.empty((c, *kernel, n, *out_hw), dtype=xp.dtype)
        np.copyto(cols, view.transpose(1, 2, 3, 0, 4, 5))
        return cols.reshape(c * kernel[0] * kernel[1], n * out_hw[0] * out_hw[1])
    cols = np.empty((n, c, *kernel, *out_hw), dtype=xp.dtype)
    np.copyto(cols, view)
    return cols.reshape(n, c * kernel[0] * kernel[1], out_hw[0] * out_hw[1])


def col2im(cols6: np.ndarray, grid_hw: Pair, stride: Pair, dilation: Pair,
           batch_inner: bool = False) -> np.ndarray:
    """Adjoint of :func:`im2col`: sum window values back onto a zero grid, one strided add per
    kernel offset. ``cols6`` is (A, B, KH, KW, OH, OW) (any strides; A, B are N, C or C, N) and the
    grid (A, B, *grid_hw); with ``batch_inner`` it is (C, KH, KW, OH, OW, N) and the grid
    (C, *grid_hw, N)."""
    if batch_inner:
        c, kh, kw, oh, ow, n = cols6.shape
        grid = np.zeros((c, *grid_hw, n), dtype=cols6.dtype)
    else:
        a, b, kh, kw, oh, ow = cols6.shape
        grid = np.zeros((a, b, *grid_hw), dtype=cols6.dtype)
    for i in range(kh):
        for j in range(kw):
            rows, columns = offset_slice((i, j), stride, dilation, (oh, ow))
            if batch_inner:
                target = grid[:, rows, columns]
                np.add(target, cols6[:, i, j], out=target)
            else:
                target = grid[:, :, rows, columns]
                np.add(target, cols6[:, :, i, j], out=target)
    return grid


def same_padding(kernel: Pair, dilation: Pair) -> Pads:
    """PyTorch's ``padding='same'`` for stride 1: d(k−1) split in two, the odd one on the bottom/right."""
    (kh, kw), (dh, dw) = kernel, dilation
    th, tw = dh * (kh - 1), dw * (kw - 1)
    return th // 2, th - th // 2, tw // 2, tw - tw // 2


def ceil_div(a: int, b: int) -> int:
    return -(-a // b)

