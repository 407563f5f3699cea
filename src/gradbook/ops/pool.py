"""Pooling over NCHW inputs (``max_pool2d``, ``avg_pool2d``, ``adaptive_avg_pool2d``,
``adaptive_max_pool2d``), each a single Function with a hand-written backward.

Max and average pooling read the padded input through one strided slice per kernel offset
(KH·KW NumPy calls over whole tensors, ``_windows.offset_slice``): max pooling keeps a running
maximum and the offset that won (the arg-max), and its gradient goes to that element only;
average pooling sums the slices and spreads the gradient evenly back over them.
Adaptive average pooling is two small matrix products, y = P_h x P_wᵀ, with P the window-averaging
matrices, so uneven windows cost nothing extra.
"""
from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from ._parallel import map_pieces, pieces
from ._util import operand, shape_of
from ._windows import offset_slice, out_size, pad2d, pair

__all__ = ["adaptive_avg_pool2d", "adaptive_max_pool2d", "avg_pool2d", "max_pool2d"]


def _grid_extra(size: int, pad: int, out: int, kernel: int, stride: int, dilation: int) -> int:
    """Rows to add past the bottom/right padding so that every (ceil_mode) window lies inside."""
    return max(0, (out - 1) * stride + dilation * (kernel - 1) + 1 - (size + 2 * pad))


class MaxPool2d(Function):
    """y[n, c, p, q] = max_{i, j} xp[n, c, p·sh + i·dh, q·sw + j·dw]  (xp padded with −∞);
    dx receives dy at the arg-max of each window (the first one, in row-major order, on ties).
    A large batch is worked on in pieces of samples over the BLAS threads (``_parallel``)."""

    fresh_grads = True

    def forward(ctx, x, kernel, stride, padding, dilation, out_hw, sink=None):
        h, w = x.shape[2:]
        extra = tuple(_grid_extra(s, p, o, k, st, d)
                      for s, p, o, k, st, d in zip((h, w), padding, out_hw, kernel, stride, dilation))
        offsets = [(i, j) for i in range(kernel[0]) for j in range(kernel[1])]
        y = np.empty((*x.shape[:2], *out_hw), dtype=x.dtype)
        arg = np.zeros(y.shape, dtype=np.uint8 if len(offsets) < 256 else np.int32)

        def piece(start: int, stop: int) -> None:
            xp = pad2d(x[start:stop], (padding[0], padding[0], padding[1], padding[1]), -np.inf, extra)
            y_k, arg_k = y[start:stop], arg[start:stop]
            np.copyto(y_k, xp[(..., *offset_slice(offsets[0], stride, dilation, out_hw))])
            for k, off in enumerate(offsets[1:], start=1):
                v = xp[(..., *offset_slice(off, stride, dilation, out_hw))]
                # k·[v > running max]: offsets come in increasing k, so the max is the last strict winner
                won = np.greater(v, y_k).view(np.uint8).astype(arg.dtype, copy=False)
                np.maximum(arg_k, np.multiply(won, k, out=won), out=arg_k)
                np.maximum(y_k, v, out=y_k)  # NaN propagates, as in PyTorch

        map_pieces(piece, _sample_pieces(x))
        if sink is not None:  # the flat index into the unpadded H·W plane of every arg-max
            rows = np.arange(out_hw[0]) * stride[0] - padding[0]
            cols = np.arange(out_hw[1]) * stride[1] - padding[1]
            di = np.array([i * dilation[0] for i, _ in offsets])
            dj = np.array([j * dilation[1] for _, j in offsets])
            sink.append((rows[:, None] + di[arg]) * w + cols[None, :] + dj[arg])
        ctx.arg, ctx.offsets = arg, offsets
        ctx.geom = (x.shape, (h + 2 * padding[0] + extra[0], w + 2 * padding[1] + extra[1]), padding, stride,
                    dilation, out_hw)
        return y

    def backward(ctx, dy):
        x_shape, grid, padding, stride, dilation, out_hw = ctx.geom
        span = [d * (k - 1) + 1 for d, k in zip(dilation, (ctx.offsets[-1][0] + 1, ctx.offsets[-1][1] + 1))]
        disjoint = all(s >= e for s, e in zip(stride, span))
        tiled = disjoint and all(s == e and o * s == n for s, e, o, n in zip(stride, span, out_hw, grid))
        h, w = x_shape[2:]
        dx = np.empty(x_shape, dtype=dy.dtype)
        unpadded = tuple(grid) == (h, w)  # the grid is dx itself: write there, no crop copy

        def piece(start: int, stop: int) -> None:
            dxp = dx[start:stop] if unpadded else np.empty((stop - start, x_shape[1], *grid), dtype=dy.dtype)
            if not (tiled and dilation == (1, 1)):  # tiling windows write every element once
                dxp.fill(0)
            dy_k, arg_k = dy[start:stop], ctx.arg[start:stop]
            for k, off in enumerate(ctx.offsets):
                target = dxp[(..., *offset_slice(off, stride, dilation, out_hw))]
                if disjoint:  # each element is in at most one window: write, don't accumulate
                    np.multiply(dy_k, arg_k == k, out=target)
                else:
                    target += np.where(arg_k == k, dy_k, 0)
            if not unpadded:
                dx[start:stop] = dxp[:, :, padding[0]:padding[0] + h, padding[1]:padding[1] + w]

        map_pieces(piece, _sample_pieces(dx))
        return dx


POOL_MIN_SPLIT_BYTES = 8 << 20  # measured: 16.8 MB inputs 1.6x faster split; LeNet-5's 4.8 MB slower


def _sample_pieces(x: np.ndarray) -> list[tuple[int, int]]:
    """Pooling works on pieces of samples over the BLAS threads when the input is large."""
    return pieces(x.shape[0], x[:1].nbytes, min_bytes=POOL_MIN_SPLIT_BYTES)


class AvgPool2d(Function):
    """y[n, c, p, q] = Σ_{i, j} xp[n, c, p·sh + i, q·sw + j] / divisor[p, q]  (xp zero-padded);
    dx = the same windows, each receiving dy / divisor."""

    def forward(ctx, x, kernel, stride, padding, out_hw, divisor):
        h, w = x.shape[2:]
        extra = tuple(_grid_extra(s, p, o, k, st, 1)
                      for s, p, o, k, st in zip((h, w), padding, out_hw, kernel, stride))
        xp = pad2d(x, (padding[0], padding[0], padding[1], padding[1]), 0.0, extra)
        offsets = [(i, j) for i in range(kernel[0]) for j in range(kernel[1])]
        y = xp[(..., *offset_slice(offsets[0], stride, (1, 1), out_hw))].copy()
        for off in offsets[1:]:
            y += xp[(..., *offset_slice(off, stride, (1, 1), out_hw))]
        y *= divisor
        ctx.offsets, ctx.inv = offsets, divisor
        ctx.geom = (x.shape, xp.shape, padding, stride, out_hw)
        return y

    def backward(ctx, dy):
        x_shape, xp_shape, padding, stride, out_hw = ctx.geom
        share = dy * ctx.inv
        dxp = np.zeros(xp_shape, dtype=dy.dtype)
        for off in ctx.offsets:
            dxp[(..., *offset_slice(off, stride, (1, 1), out_hw))] += share
        h, w = x_shape[2:]
        return dxp[:, :, padding[0]:padding[0] + h, padding[1]:padding[1] + w]


class AdaptiveAvgPool2d(Function):
    """y = P_h x P_wᵀ with P[o, s_o:e_o] = 1/(e_o − s_o), s_o = ⌊o·H/OH⌋, e_o = ⌈(o+1)·H/OH⌉;
    dx = P_hᵀ dy P_w."""

    def forward(ctx, x, ph, pw):
        ctx.ph, ctx.pw = ph, pw
        return np.matmul(np.matmul(ph, x), pw.T)

    def backward(ctx, dy):
        return np.matmul(np.matmul(ctx.ph.T, dy), ctx.pw)


class AdaptiveMaxPool2d(Function):
    """y[n, c, p, q] = max of x over rows [s_p, e_p) and columns [s_q, e_q) (adaptive windows);
    dx receives dy at each window's arg-max (scattered with ``np.add.at``: windows may overlap)."""

    def forward(ctx, x, rows, cols, sink=None):
        n, c, h, w = x.shape
        oh, kh = rows.shape
        ow, kw = cols.shape
        win = x[:, :, rows[:, :, None, None], cols[None, None, :, :]]  # (N, C, OH, KH, OW, KW)
        win = win.transpose(0, 1, 2, 4, 3, 5).reshape(n, c, oh, ow, kh * kw)
        nan = np.isnan(win)
        arg = np.where(nan.any(-1), nan.argmax(-1), win.argmax(-1))
        flat = rows[np.arange(oh)[:, None], arg // kw] * w + cols[np.arange(ow)[None, :], arg % kw]
        if sink is not None:
            sink.append(flat)
        ctx.flat, ctx.shape = flat, x.shape
        return np.take_along_axis(win, arg[..., None], -1)[..., 0]

    def backward(ctx, dy):
        n, c, h, w = ctx.shape
        dx = np.zeros((n * c, h * w), dtype=dy.dtype)
        base = (np.arange(n * c) * (h * w)).reshape(n, c, 1, 1)
        np.add.at(dx.reshape(-1), (ctx.flat + base).reshape(-1), dy.reshape(-1))
        return dx.reshape(ctx.shape)


# ----------------------------------------------------------------------------- argument checks
def _nchw(op: object, input) -> tuple[Tensor, bool]:
    input = operand(input)
    s = shape_of(input)
    if len(s) == 3:
        return (input.unsqueeze(0), True)
    if len(s) != 4:
        raise ValueError(f"{op}: expected a 3-D (C, H, W) or 4-D (N, C, H, W) input, got shape {tuple(s)}")
    return input, False


def _window_args(op: object, x_shape, kernel_size, stride, padding, dilation, ceil_mode):
    kernel = pair(kernel_size, "kernel_size", op)
    stride = kernel if stride is None or (isinstance(stride, (tuple, list)) and len(stride) == 0) \
        else pair(stride, "stride", op)
    padding, dilation = pair(padding, "padding", op), pair(dilation, "dilation", op)
    if min(kernel) < 1 or min(stride) < 1 or min(dilation) < 1:
        raise ValueError(f"{op}: kernel_size, stride and dilation must be positive, got kernel_size="
                         f"{kernel}, stride={stride}, dilation={dilation}")
    if min(padding) < 0 or padding[0] > kernel[0] // 2 or padding[1] > kernel[1] // 2:
        raise ValueError(f"{op}: padding must be non-negative and at most half the kernel size, got "
                         f"padding={padding} for kernel_size={kernel}")
    h, w = x_shape[2:]
    out_hw = tuple(out_size(s, k, st, 2 * p, d, ceil_mode, p)
                   for s, k, st, p, d in zip((h, w), kernel, stride, padding, dilation))
    if min(out_hw) < 1:
        eff = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation))
        raise ValueError(f"{op}: the pooling window {eff[0]}x{eff[1]} is larger than the padded input "
                         f"{h + 2 * padding[0]}x{w + 2 * padding[1]} (input of shape {tuple(x_shape)}, "
                         f"kernel_size={kernel}, padding={padding}, dilation={dilation})")
    return kernel, stride, padding, dilation, out_hw


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode: bool = False,
               return_indices: bool = False):
    """2-D max pooling (``torch.nn.functional.max_pool2d``).

    Shapes: input (N, C, H, W) or (C, H, W); output (N, C, OH, OW) with
    OH = ⌊(H + 2p − d(k−1) − 1)/s⌋ + 1 (⌈·⌉ with ``ceil_mode``). With ``return_indices`` also the
    flat index (into H·W) of each maximum, as int64.
    """
    return _max_pool2d("max_pool2d", input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def _max_pool2d(op: object, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices):
    x, unbatched = _nchw(op, input)
    kernel, stride, padding, dilation, out_hw = _window_args(
        op, shape_of(x), kernel_size, stride, padding, dilation, ceil_mode)
    sink = [] if return_indices else None
    y = MaxPool2d.apply(x, kernel=kernel, stride=stride, padding=padding, dilation=dilation,
                        out_hw=out_hw, sink=sink)
    return _with_indices(y, sink, unbatched)


def _with_indices(y: Tensor, sink: list | None, unbatched: bool):
    """A max pooling's output, and with ``return_indices`` the int64 arg-max indices it recorded."""
    if unbatched:
        y = y.squeeze(0)
    if sink is None:
        return y
    idx = sink[0].astype(np.int64)
    return y, Tensor._wrap(idx[0] if unbatched else idx)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True, divisor_override: int | None = None) -> Tensor:
    """2-D average pooling (``torch.nn.functional.avg_pool2d``).

    The divisor of each window is ``divisor_override`` if given, else its size clipped to the
    padded input (``count_include_pad=True``) or the number of real input elements in it.
    Shapes: input (N, C, H, W) or (C, H, W); output (N, C, OH, OW) as for max_pool2d (d = 1).
    """
    return _avg_pool2d("avg_pool2d", input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                       divisor_override)


def _avg_pool2d(op: object, input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override):
    x, unbatched = _nchw(op, input)
    kernel, stride, padding, _, out_hw = _window_args(op, shape_of(x), kernel_size, stride, padding, 1,
                                                      ceil_mode)
    dtype = x.dtype
    if divisor_override is not None:
        if not isinstance(divisor_override, (int, np.integer)) or divisor_override == 0:
            raise ValueError(f"{op}: divisor_override must be a non-zero int, got {divisor_override!r}")
        inv = np.asarray(1.0 / divisor_override, dtype=dtype)
    else:
        sizes = []
        for size, k, s, p, o in zip(shape_of(x)[2:], kernel, stride, padding, out_hw):
            start = np.arange(o) * s - p
            end = np.minimum(start + k, size + p)
            full = end - start
            sizes.append(full if count_include_pad else np.minimum(end, size) - np.maximum(start, 0))
        inv = (1.0 / np.outer(sizes[0], sizes[1])).astype(dtype)
    y = AvgPool2d.apply(x, kernel=kernel, stride=stride, padding=padding, out_hw=out_hw, divisor=inv)
    return y.squeeze(0) if unbatched else y


def _adaptive_bounds(size: int, out: int) -> tuple[np.ndarray, np.ndarray]:
    o = np.arange(out)
    return (o * size) // out, -((-(o + 1) * size) // out)


def _adaptive_args(op: object, input, output_size):
    x, unbatched = _nchw(op, input)
    h, w = shape_of(x)[2:]
    if output_size is None or isinstance(output_size, (int, np.integer)):
        output_size = (output_size, output_size)
    if not isinstance(output_size, (tuple, list)) or len(output_size) != 2:
        raise ValueError(f"{op}: output_size must be an int, None or a pair, got {output_size!r}")
    out = tuple(s if o is None else o for o, s in zip(output_size, (h, w)))
    if any(not isinstance(o, (int, np.integer)) or o < 1 for o in out):
        raise ValueError(f"{op}: output_size must be positive ints, got {output_size!r}")
    if h < 1 or w < 1:
        raise ValueError(f"{op}: expected a non-empty H x W plane, got input of shape {tuple(shape_of(x))}")
    return x, unbatched, (h, w), out


def adaptive_avg_pool2d(input, output_size) -> Tensor:
    """Adaptive average pooling (``torch.nn.functional.adaptive_avg_pool2d``): window o covers
    [⌊o·H/OH⌋, ⌈(o+1)·H/OH⌉). Shapes: input (N, C, H, W) or (C, H, W); output (N, C, OH, OW)."""
    x, unbatched, hw, out = _adaptive_args("adaptive_avg_pool2d", input, output_size)
    mats = []
    for size, o in zip(hw, out):
        start, end = _adaptive_bounds(size, o)
        idx = np.arange(size)
        inside = (idx >= start[:, None]) & (idx < end[:, None])
        mats.append((inside / (end - start)[:, None]).astype(x.dtype))
    y = AdaptiveAvgPool2d.apply(x, ph=mats[0], pw=mats[1])
    return y.squeeze(0) if unbatched else y


def adaptive_max_pool2d(input, output_size, return_indices: bool = False):
    """Adaptive max pooling (``torch.nn.functional.adaptive_max_pool2d``), windows as in
    :func:`adaptive_avg_pool2d`; with ``return_indices`` also the flat (H·W) arg-max indices."""
    x, unbatched, hw, out = _adaptive_args("adaptive_max_pool2d", input, output_size)
    grids = []
    for size, o in zip(hw, out):
        start, end = _adaptive_bounds(size, o)
        k = int((end - start).max())
        # pad short windows by repeating their last element: a repeat never changes the max or arg-max
        grids.append(np.minimum(start[:, None] + np.arange(k), end[:, None] - 1))
    sink = [] if return_indices else None
    y = AdaptiveMaxPool2d.apply(x, rows=grids[0], cols=grids[1], sink=sink)
    return _with_indices(y, sink, unbatched)
