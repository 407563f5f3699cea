"""Fast path: depthwise convolution, stride 1, 'same' size (the output keeps H×W), straight from the
maps as they lie: sample by sample, each channel's map is one flat row and a kernel tap one constant
shift of it, so the taps' columns are copies of long contiguous rows (the wrapped edge entries
zeroed) and the product with the weights writes the output sample in place, with no padded grid
to lay the maps on and no crop to take them off."""
from __future__ import annotations

import numpy as np

from ...autograd.function import Function
from .._parallel import map_pieces, pieces, totals
from .._windows import Pads, out_size
from . import grads

__all__: list[str] = []  # conv2d's path for 'same' depthwise shapes (see .dispatch)


def fits(groups: int, in_channels: int, in_per_group: int, stride, x_hw, kernel, pads: Pads, dilation) -> bool:
    """Whether conv2d takes :class:`SameDepthwiseConv2d`: depthwise, stride 1, output of the input's size."""
    return (groups == in_channels and in_per_group == 1 and groups > 1 and tuple(stride) == (1, 1)
            and all(out_size(x_hw[a], kernel[a], 1, pads[2 * a] + pads[2 * a + 1], dilation[a]) == x_hw[a]
                    for a in range(2)))


def columns(maps: np.ndarray, kernel, corner, dilation, out: np.ndarray) -> np.ndarray:
    """The taps' columns of one sample's maps (R, H, W) into ``out`` (R, KH·KW, H·W) (a row of ones
    after them, if ``out`` has one more, is left alone):

        out[r, i·KW + j, p·W + q] = maps[r, p + i·dh − top, q + j·dw − left]   (0 off the map)

    On the flat row the tap is the shift δ = (i·dh − top)·W + (j·dw − left): one contiguous copy
    per tap, then zeros where the shift left the map (the rows it ran past, and the columns it
    wrapped round to the next or previous row)."""
    r, h, w = maps.shape
    flat, hw = maps.reshape(r, h * w), h * w
    for i in range(kernel[0]):
        for j in range(kernel[1]):
            di, dj = i * dilation[0] - corner[0], j * dilation[1] - corner[1]
            delta, k = di * w + dj, i * kernel[1] + j
            lo, hi = min(hw, max(0, -delta)), max(0, min(hw, hw - delta))
            row = out[:, k]
            row[:, lo:hi] = flat[:, lo + delta:hi + delta]
            row[:, :lo] = 0
            row[:, max(lo, hi):] = 0
            if dj:
                on_map = row.reshape(r, h, w)
                (on_map[:, :, :min(-dj, w)] if dj < 0 else on_map[:, :, max(w - dj, 0):])[...] = 0
    return out


class SameDepthwiseConv2d(Function):
    """Depthwise convolution, stride 1, output of the input's size; m = O/C filters per channel:

        y[n, c·m + r] = b[c·m + r] + W[c] @ cols_x[n, c]          (cols: :func:`columns`, (KH·KW, H·W))
        dx[n, c]      = W̃[c] @ cols_dy[n, c]                       (W̃: the kernel flipped, the pads swapped)
        dW[c, r, k]   = Σ_n cols_dy[n, c, r·K + K−1−k] · x[n, c]    (the same columns, dotted with x)

    dx is the correlation of dy with the flipped kernel (the transposed shifts are the shifts of
    the swapped pads), and its columns, dotted with x, give dW too: one column build for both
    gradients. One BLAS product per channel and sample, the bias as a row of ones in the columns.
    Shapes: x (N, C, H, W), W (C·m, 1, KH, KW), b (C·m,), y (N, C·m, H, W).
    """

    fresh_grads = True

    def forward(ctx, x, w, b, pads: Pads, dilation):
        n, c, h, wd = x.shape
        o, _, kh, kw = w.shape
        m, k = o // c, kh * kw
        dtype = np.result_type(x, w)
        mats = w.reshape(c, m, k) if b is None else np.concatenate([w.reshape(c, m, k), b.reshape(c, m, 1)], -1)
        mats = mats.astype(dtype, copy=False)
        y = np.empty((n, o, h, wd), dtype=dtype)

        step = _samples_a_block(x[0].nbytes * mats.shape[-1])

        def piece(start: int, stop: int) -> None:
            cols = np.empty((min(step, stop - start) * c, mats.shape[-1], h * wd), dtype=dtype)
            cols[:, k:] = 1
            for s in range(start, stop, step):
                t = min(stop, s + step)
                part = columns(x[s:t].reshape(-1, h, wd), (kh, kw), (pads[0], pads[2]), dilation, cols[:(t - s) * c])
                np.matmul(mats, part.reshape(t - s, c, -1, h * wd), out=y[s:t].reshape(t - s, c, m, h * wd))

        map_pieces(piece, pieces(n, x[0].nbytes * k, min_bytes=_PIECE, piece_bytes=_PIECE))
        ctx.geom = (x.shape, w.shape, pads, dilation)
        ctx.x = x if getattr(ctx, "needs_input_grad", (False, True))[1] else None
        ctx.flipped = np.ascontiguousarray(w.reshape(c, m, k)[:, :, ::-1]).reshape(c, 1, m * k)
        return y

    def backward(ctx, dy):
        (n, c, h, wd), (o, _, kh, kw), pads, dilation = ctx.geom
        m, k = o // c, kh * kw
        need_dx, need_dw = ctx.needs_input_grad[0], ctx.needs_input_grad[1]
        corner = (dilation[0] * (kh - 1) - pads[0], dilation[1] * (kw - 1) - pads[2])
        dx = np.empty((n, c, h, wd), dtype=dy.dtype) if need_dx else None
        x, flipped = ctx.x, ctx.flipped.astype(dy.dtype, copy=False)

        step = _samples_a_block(dy[0].nbytes * k)

        def piece(start: int, stop: int):
            cols = np.empty((min(step, stop - start) * o, k, h * wd), dtype=dy.dtype)
            dots = np.zeros((c, m * k, 1), dtype=dy.dtype) if need_dw else None
            for s in range(start, stop, step):
                t = min(stop, s + step)
                part = columns(dy[s:t].reshape(-1, h, wd), (kh, kw), corner, dilation, cols[:(t - s) * o])
                per_channel = part.reshape(t - s, c, m * k, h * wd)
                if need_dx:
                    np.matmul(flipped, per_channel, out=dx[s:t].reshape(t - s, c, 1, h * wd))
                if need_dw:
                    dots += np.matmul(per_channel, x[s:t].reshape(t - s, c, h * wd, 1)).sum(axis=0)
            db = dy[start:stop].sum(axis=(0, 2, 3))
            return (None if dots is None else dots.reshape(c, m, k)[:, :, ::-1]), db

        dw, db = totals(map_pieces(piece, pieces(n, dy[0].nbytes * k, min_bytes=_PIECE, piece_bytes=_PIECE)))
        dw = dw.reshape(o, 1, kh, kw) if need_dw else None
        return dx, dw, db if ctx.needs_input_grad[2] else None

    def differentiable_backward(ctx, dy):
        (_, c, _, _), (_, _, kh, kw), pads, dilation = ctx.geom
        return grads.conv2d_grads(ctx, dy, (kh, kw), (1, 1), pads, dilation, c)


def _samples_a_block(bytes_each: int) -> int:
    """Samples whose columns are built and multiplied together: about :data:`_BLOCK` bytes of columns
    (fewer, longer NumPy calls; still in cache between the copy and the product)."""
    return max(1, _BLOCK // max(1, bytes_each))


_BLOCK = 1 << 23  # 8 MiB: measured best for 64 channels of 32x32 (one sample, 2.6 MiB: +8%; 32 MiB: +80%)
_PIECE = 1 << 21  # bytes of one piece's columns: a few samples a thread
