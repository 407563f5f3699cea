"""Pooling over NCHW inputs (``max_pool2d``, ``avg_pool2d``, ``adaptive_avg_pool2d``,
``adaptive_max_pool2d``), each a single Function with a hand-written backward.

Max and average pooling read the padded input through one strided slice per kernel offset
(KH·KW NumPy calls over whole tensors, ``_windows.offset_slice``): max pooling keeps a running
maximum and the offset that won (the arg-max), and its gradient goes to that element only;
average pooling sums the slices and spreads the gradient evenly back over them.
Adaptive average pooling is two small matrix products, y = P_h x P_wᵀ, with P the window-averaging
matrices, so uneven windows cost nothing extra.

Every backward here is linear in dy (the arg-max fixed), so for higher-order gradients each is an op
whose gradient is its adjoint: the scatter to the arg-maxes and the gather from them
(:class:`MaxPoolScatter` / :class:`MaxPoolGather`, :class:`PlaneScatter` / :class:`PlaneGather`),
the spread over the windows and the pooling itself (:class:`AvgPoolSpread` / :class:`AvgPool2d`).
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
        return _max_pool_scatter(dy, ctx.arg, ctx.offsets, ctx.geom)

    def differentiable_backward(ctx, dy):
        return MaxPoolScatter.apply(dy, ctx.arg, ctx.offsets, ctx.geom)


def _max_pool_scatter(dy: np.ndarray, arg: np.ndarray, offsets, geom) -> np.ndarray:
    """dx (N, C, H, W): each dy[n, c, p, q] sent to its window's arg-max (offset ``arg``)."""
    x_shape, grid, padding, stride, dilation, out_hw = geom
    span = [d * (k - 1) + 1 for d, k in zip(dilation, (offsets[-1][0] + 1, offsets[-1][1] + 1))]
    disjoint = all(s >= e for s, e in zip(stride, span))
    tiled = disjoint and all(s == e and o * s == n for s, e, o, n in zip(stride, span, out_hw, grid))
    h, w = x_shape[2:]
    dx = np.empty(x_shape, dtype=dy.dtype)
    unpadded = tuple(grid) == (h, w)  # the grid is dx itself: write there, no crop copy

    def piece(start: int, stop: int) -> None:
        dxp = dx[start:stop] if unpadded else np.empty((stop - start, x_shape[1], *grid), dtype=dy.dtype)
        if not (tiled and dilation == (1, 1)):  # tiling windows write every element once
            dxp.fill(0)
        dy_k, arg_k = dy[start:stop], arg[start:stop]
        for k, off in enumerate(offsets):
            target = dxp[(..., *offset_slice(off, stride, dilation, out_hw))]
            if disjoint:  # each element is in at most one window: write, don't accumulate
                np.multiply(dy_k, arg_k == k, out=target)
            else:
                target += np.where(arg_k == k, dy_k, 0)
        if not unpadded:
            dx[start:stop] = dxp[:, :, padding[0]:padding[0] + h, padding[1]:padding[1] + w]

    map_pieces(piece, _sample_pieces(dx))
    return dx


def _max_pool_gather(h: np.ndarray, arg: np.ndarray, offsets, geom) -> np.ndarray:
    """The adjoint of :func:`_max_pool_scatter`: h (N, C, H, W) read at every window's arg-max
    (zero-padded like the pooled input, whose padding never wins a window of real values)."""
    x_shape, grid, padding, stride, dilation, out_hw = geom
    extra = (grid[0] - x_shape[2] - 2 * padding[0], grid[1] - x_shape[3] - 2 * padding[1])
    hp = pad2d(h, (padding[0], padding[0], padding[1], padding[1]), 0.0, extra)
    out = np.empty(arg.shape, dtype=h.dtype)
    for k, off in enumerate(offsets):
        np.copyto(out, hp[(..., *offset_slice(off, stride, dilation, out_hw))], where=arg == k)
    return out


class MaxPoolScatter(Function):
    """max_pool2d's backward as an op: dy sent to each window's arg-max, linear in dy with the
    arg-max fixed (so max pooling's second derivative in x is zero). Its gradient reads an upstream
    h back at the arg-maxes (:class:`MaxPoolGather`), whose gradient is this op again."""

    fresh_grads = True

    def forward(ctx, dy, arg, offsets, geom):
        ctx.arg, ctx.offsets, ctx.geom = arg, offsets, geom
        return _max_pool_scatter(dy, arg, offsets, geom)

    def backward(ctx, h):
        return _max_pool_gather(h, ctx.arg, ctx.offsets, ctx.geom), None, None, None

    def differentiable_backward(ctx, h):
        return MaxPoolGather.apply(h, ctx.arg, ctx.offsets, ctx.geom), None, None, None


class MaxPoolGather(Function):
    """h read at max_pool2d's arg-maxes (the adjoint of :class:`MaxPoolScatter`)."""

    def forward(ctx, h, arg, offsets, geom):
        ctx.arg, ctx.offsets, ctx.geom = arg, offsets, geom
        return _max_pool_gather(h, arg, offsets, geom)

    def backward(ctx, g):
        return _max_pool_scatter(g, ctx.arg, ctx.offsets, ctx.geom), None, None, None

    def differentiable_backward(ctx, g):
        return MaxPoolScatter.apply(g, ctx.arg, ctx.offsets, ctx.geom), None, None, None


# Re-measured with OpenBLAS's idle threads asleep, 2 threads: LeNet-5's training step at batch 256
# (its first max-pool's input 4.8 MB) 18.1 -> 17.0 ms at 2 MiB against 8 MiB; 1 MiB (splitting its
# second, 1.6 MB, and batch 64's 1.2 MB) slower.
POOL_MIN_SPLIT_BYTES = 2 << 20


def _sample_pieces(x: np.ndarray) -> list[tuple[int, int]]:
    """Pooling works on pieces of samples over the BLAS threads when the input is large."""
    return pieces(x.shape[0], x[:1].nbytes, min_bytes=POOL_MIN_SPLIT_BYTES)


class AvgPool2d(Function):
    """y[n, c, p, q] = Σ_{i, j} xp[n, c, p·sh + i, q·sw + j] / divisor[p, q]  (xp zero-padded);
    dx = the same windows, each receiving dy / divisor."""

    def forward(ctx, x, kernel, stride, padding, out_hw, divisor):
        y, offsets, xp_shape = _avg_pool(x, kernel, stride, padding, out_hw, divisor)
        ctx.offsets, ctx.inv = offsets, divisor
        ctx.geom = (x.shape, xp_shape, padding, stride, out_hw)
        return y

    def backward(ctx, dy):
        return _avg_pool_spread(dy, ctx.inv, ctx.offsets, ctx.geom)

    def differentiable_backward(ctx, dy):
        return AvgPoolSpread.apply(dy, ctx.inv, ctx.offsets, ctx.geom)


def _avg_pool(x: np.ndarray, kernel, stride, padding, out_hw, divisor):
    """y = the window sums of zero-padded x times ``divisor``; also the offsets and padded shape."""
    h, w = x.shape[2:]
    extra = tuple(_grid_extra(s, p, o, k, st, 1)
                  for s, p, o, k, st in zip((h, w), padding, out_hw, kernel, stride))
    xp = pad2d(x, (padding[0], padding[0], padding[1], padding[1]), 0.0, extra)
    offsets = [(i, j) for i in range(kernel[0]) for j in range(kernel[1])]
    y = xp[(..., *offset_slice(offsets[0], stride, (1, 1), out_hw))].copy()
    for off in offsets[1:]:
        y += xp[(..., *offset_slice(off, stride, (1, 1), out_hw))]
    y *= divisor
    return y, offsets, xp.shape


def _avg_pool_spread(dy: np.ndarray, inv, offsets, geom) -> np.ndarray:
    """avg_pool2d's dx: dy·divisor added back over every window, cropped to the input."""
    x_shape, xp_shape, padding, stride, out_hw = geom
    share = dy * inv
    dxp = np.zeros(xp_shape, dtype=dy.dtype)
    for off in offsets:
        dxp[(..., *offset_slice(off, stride, (1, 1), out_hw))] += share
    h, w = x_shape[2:]
    return dxp[:, :, padding[0]:padding[0] + h, padding[1]:padding[1] + w]


class AvgPoolSpread(Function):
    """avg_pool2d's backward as an op (linear in dy): its gradient is avg_pool2d of the upstream h
    with the same windows and divisor, an op whose gradient is this one."""

    def forward(ctx, dy, inv, offsets, geom):
        ctx.inv, ctx.offsets, ctx.geom = inv, offsets, geom
        return _avg_pool_spread(dy, inv, offsets, geom)

    def backward(ctx, h):
        _, _, padding, stride, out_hw = ctx.geom
        kernel = (ctx.offsets[-1][0] + 1, ctx.offsets[-1][1] + 1)
        return _avg_pool(h, kernel, stride, padding, out_hw, ctx.inv)[0], None, None, None

    def differentiable_backward(ctx, h):
        _, _, padding, stride, out_hw = ctx.geom
        kernel = (ctx.offsets[-1][0] + 1, ctx.offsets[-1][1] + 1)
        return AvgPool2d.apply(h, kernel=kernel, stride=stride, padding=padding, out_hw=out_hw,
                               divisor=ctx.inv), None, None, None


class AdaptiveAvgPool2d(Function):
    """y = P_h x P_wᵀ with P[o, s_o:e_o] = 1/(e_o − s_o), s_o = ⌊o·H/OH⌋, e_o = ⌈(o+1)·H/OH⌉;
    dx = P_hᵀ dy P_w."""

    def forward(ctx, x, ph, pw):
        ctx.ph, ctx.pw = ph, pw
        return np.matmul(np.matmul(ph, x), pw.T)

    def backward(ctx, dy):
        return np.matmul(np.matmul(ctx.ph.T, dy), ctx.pw)

    def differentiable_backward(ctx, dy):  # P_hᵀ dy P_w is this op with the matrices transposed
        return AdaptiveAvgPool2d.apply(dy, ph=ctx.ph.T, pw=ctx.pw.T)


class GlobalAvgPool2d(Function):
    """AdaptiveAvgPool2d to 1x1 (the ResNets' head): y = Σ x / (H·W) over each map, dx = dy / (H·W)
    spread over the map. The matrix form takes two batched products of a row of H or W numbers per
    map (resnet20's head at batch 128, backward: 2.2 ms against 0.1 ms here)."""

    fresh_grads = True

    def forward(ctx, x):
        ctx.shape = x.shape
        n, c = x.shape[:2]
        return (np.einsum("ncl->nc", x.reshape(n, c, -1)) / (x.shape[2] * x.shape[3])).reshape(n, c, 1, 1)

    def backward(ctx, dy):
        dx = np.empty(ctx.shape, dy.dtype)
        np.copyto(dx, dy / (ctx.shape[2] * ctx.shape[3]))
        return dx

    def differentiable_backward(ctx, dy):
        return (dy / (ctx.shape[2] * ctx.shape[3])).expand(*ctx.shape)


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
        return _scatter_to_plane(dy, ctx.flat, ctx.shape)

    def differentiable_backward(ctx, dy):
        return PlaneScatter.apply(dy, ctx.flat, ctx.shape)


def _scatter_to_plane(dy: np.ndarray, flat: np.ndarray, shape) -> np.ndarray:
    """dx (N, C, H, W): dy (N, C, OH, OW) added in at the flat H·W indices ``flat`` (which may repeat)."""
    n, c, h, w = shape
    dx = np.zeros((n * c, h * w), dtype=dy.dtype)
    base = (np.arange(n * c) * (h * w)).reshape(n, c, 1, 1)
    np.add.at(dx.reshape(-1), (flat + base).reshape(-1), dy.reshape(-1))
    return dx.reshape(shape)


def _gather_from_plane(h: np.ndarray, flat: np.ndarray) -> np.ndarray:
    """The adjoint of :func:`_scatter_to_plane`: h (N, C, H, W) read at the flat H·W indices ``flat``."""
    n, c = h.shape[:2]
    return np.take_along_axis(h.reshape(n, c, -1), flat.reshape(n, c, -1), axis=2).reshape(flat.shape)


class PlaneScatter(Function):
    """adaptive_max_pool2d's backward as an op: dy added in at the arg-maxes' flat H·W indices
    (fixed); its gradient reads an upstream h back there (:class:`PlaneGather`), and that one's is this."""

    def forward(ctx, dy, flat, shape):
        ctx.flat = flat
        return _scatter_to_plane(dy, flat, shape)

    def backward(ctx, h):
        return _gather_from_plane(h, ctx.flat), None, None

    def differentiable_backward(ctx, h):
        return PlaneGather.apply(h, ctx.flat), None, None


class PlaneGather(Function):
    """h (N, C, H, W) read at flat H·W indices (the adjoint of :class:`PlaneScatter`)."""

    def forward(ctx, h, flat):
        ctx.flat, ctx.shape = flat, h.shape
        return _gather_from_plane(h, flat)

    def backward(ctx, g):
        return _scatter_to_plane(g, ctx.flat, ctx.shape), None

    def differentiable_backward(ctx, g):
        return PlaneScatter.apply(g, ctx.flat, ctx.shape), None


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
    if any(not isinstance(o, (int, np.integer)) or isinstance(o, bool) or o < 1 for o in out):
        raise ValueError(f"{op}: output_size must be positive ints, got {output_size!r}")
    if h < 1 or w < 1:
        raise ValueError(f"{op}: expected a non-empty H x W plane, got input of shape {tuple(shape_of(x))}")
    return x, unbatched, (h, w), out


def adaptive_avg_pool2d(input, output_size) -> Tensor:
    """Adaptive average pooling (``torch.nn.functional.adaptive_avg_pool2d``): window o covers
    [⌊o·H/OH⌋, ⌈(o+1)·H/OH⌉). Shapes: input (N, C, H, W) or (C, H, W); output (N, C, OH, OW)."""
    x, unbatched, hw, out = _adaptive_args("adaptive_avg_pool2d", input, output_size)
    if tuple(out) == (1, 1) and x.shape[0] * x.shape[1] > 0:
        y = GlobalAvgPool2d.apply(x)
        return y.squeeze(0) if unbatched else y
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
