"""Fast path: depthwise convolution, stride 1 (one input channel per group), as multiply-adds of
shifted maps on flat grids instead of a product with one row per group."""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ...autograd.function import Function
from .._parallel import map_pieces, pieces, totals
from .._windows import Pads, out_size
from . import grads
from .flat import from_grids, onto_grids, period, tap_shifts

__all__: list[str] = []  # conv2d's path for depthwise shapes (see .dispatch)


def fits(groups: int, in_channels: int, in_per_group: int, stride) -> bool:
    """Whether conv2d takes :class:`DepthwiseConv2d` (one input channel per group, stride 1)."""
    return groups == in_channels and in_per_group == 1 and groups > 1 and tuple(stride) == (1, 1)


class DepthwiseConv2d(Function):
    """Depthwise convolution, stride 1: one input channel per group, m = O/C filters per channel,

        y[n, c·m + r, p, q] = b[c·m + r] + Σ_{i,j} W[c·m + r, 0, i, j] · xp[n, c, p + i·dh, q + j·dw]

    done as KH·KW multiply-adds of shifted inputs on flat grids (:func:`.flat.onto_grids`: one long row per
    channel, a tap is a constant shift). A grouped product would have M = 1 and read KH·KW copies
    of the input. Backward: dW[·, i, j] = Σ dy·shift(xp) (one dot per channel and tap), and dx is
    the sum of the taps' W·dy shifted back. Worked on in pieces of a few samples so that the rows
    stay in cache, one thread each (64x64x32x32, 3x3, forward + backward through the layer: 82 → 40
    ms on 2 cores).
    Shapes: x (N, C, H, W), W (C·m, 1, KH, KW), b (C·m,), y (N, C·m, OH, OW).
    """

    fresh_grads = True

    def forward(ctx, x, w, b, pads: Pads, dilation):
        n, c, h, wd = x.shape
        o, _, kh, kw = w.shape
        m = o // c
        out_hw = (out_size(h, kh, 1, pads[0] + pads[1], dilation[0]),
                  out_size(wd, kw, 1, pads[2] + pads[3], dilation[1]))
        grid = period((h, wd), pads, out_hw)
        shifts = tap_shifts(grid, (kh, kw), dilation)
        taps = w.reshape(c, m, kh * kw)
        y = np.empty((n, o, *out_hw), dtype=np.result_type(x, w))
        steps = (dilation[0] * grid[1], dilation[1])

        def piece(start: int, stop: int) -> np.ndarray:
            size = (stop - start) * grid[0] * grid[1]
            xs = onto_grids(x[start:stop], grid, (pads[0], pads[2]), spill=shifts[-1])
            flat, _ = tap_products(xs, taps, (kh, kw), steps, size, y.dtype)
            maps = from_grids(flat.reshape(o, size), stop - start, grid, (0, 0), out_hw)
            if b is None:
                y[start:stop] = maps
            else:  # the bias added on the way out: one pass, not two
                np.add(maps, b.reshape(o, 1, 1), out=y[start:stop])
            return xs

        samples = pieces(n, o * grid[0] * grid[1] * y.itemsize, min_bytes=_DEPTHWISE_PIECE,
                         piece_bytes=_DEPTHWISE_PIECE)
        inputs = map_pieces(piece, samples)
        needs = getattr(ctx, "needs_input_grad", None)
        if needs is not None:
            ctx.grids = inputs if needs[1] else [None] * len(samples)
            ctx.taps, ctx.pieces = taps, samples
            ctx.geom = (x.shape, grid, pads, shifts, out_hw, (kh, kw))
            ctx.dilation = dilation
        return y

    def backward(ctx, dy):
        x_shape, grid, pads, shifts, out_hw, kernel = ctx.geom
        c, m, taps = x_shape[1], ctx.taps.shape[1], ctx.taps
        need_dx, need_dw = ctx.needs_input_grad[0], ctx.needs_input_grad[1]
        dx = np.empty(x_shape, dtype=dy.dtype) if need_dx else None
        steps = (ctx.dilation[0] * grid[1], ctx.dilation[1])
        # dx is the correlation of dy (on grids after `lead` zeros) with the flipped kernel: with
        # L = the largest shift, L − shift[K−1−k] = shift[k], so the transposed shifts are shifts again
        flipped = np.ascontiguousarray(taps[:, :, ::-1]).reshape(c, 1, -1)
        lead = shifts[-1]

        def piece(start: int, stop: int, xs):
            size = (stop - start) * grid[0] * grid[1]
            g = onto_grids(dy[start:stop], grid, (0, 0), lead=lead)
            flat, dots = tap_products(g, flipped, kernel, steps, size, dy.dtype, against=xs if need_dw else None)
            if need_dx:
                dx[start:stop] = from_grids(flat.reshape(c, size), stop - start, grid, (pads[0], pads[2]),
                                            x_shape[2:])
            db = g[:, lead:].sum(axis=-1)
            # dW[c, r, k] = Σ_t xs[c, t]·g[c·m + r, t − shift_k] = Σ_t xs[c, t]·columns[c, r·K + K−1−k, t]
            return (None if dots is None else dots.reshape(c, m, -1)[:, :, ::-1]), db

        dw, db = totals(map_pieces(piece, [(start, stop, xs) for (start, stop), xs in zip(ctx.pieces, ctx.grids)]))
        dw = dw.reshape(c * m, 1, *kernel) if need_dw else None
        return dx, dw, db if ctx.needs_input_grad[2] else None

    def differentiable_backward(ctx, dy):
        x_shape, _, pads, _, _, kernel = ctx.geom
        return grads.conv2d_grads(ctx, dy, kernel, (1, 1), pads, ctx.dilation, x_shape[1])


def _columns(flat: np.ndarray, kernel, steps, begin: int, out: np.ndarray) -> np.ndarray:
    """The taps' columns of flat grids ``flat`` (R, ·) at positions begin..begin + B, into ``out``
    (R, KH·KW, B): out[r, i·KW + j, s] = flat[r, begin + s + i·steps[0] + j·steps[1]], one copy
    of a strided (overlapping) view."""
    r, width = flat.shape[0], out.shape[-1]
    row, item = flat.strides
    view = as_strided(flat[:, begin:], (r, kernel[0], kernel[1], width),
                      (row, steps[0] * item, steps[1] * item, item), writeable=False)
    np.copyto(out.reshape(r, kernel[0], kernel[1], width), view)
    return out


def _blocks(size: int, rows: int, itemsize: int):
    """Column blocks (begin, stop) of the flat positions, each block's columns about
    :data:`_COLUMN_BYTES` so that they stay in cache between the copy and the product."""
    width = max(256, _COLUMN_BYTES // max(1, rows * itemsize))
    return [(a, min(size, a + width)) for a in range(0, size, width)]


def tap_products(flat: np.ndarray, mats: np.ndarray, kernel, steps, size: int, dtype, against=None):
    """Σ_k mats[c, :, k] · flat[c·q + ·, s + shift_k] for s < ``size``, as (C, M, size): for flat
    grids (R, ·) with R = C·q rows and ``mats`` (C, M, q·KH·KW), block by block a batched product of
    the mats with the taps' columns (:func:`_columns`), one BLAS call per channel, instead of a
    multiply and an add per tap. With ``against`` (C, ≥ size) flat grids, also the columns' dots
    with it, Σ_s columns[c, j, s]·against[c, s], as (C, q·KH·KW) (else None)."""
    c, rows = mats.shape[0], flat.shape[0]
    k = kernel[0] * kernel[1]
    out = np.empty((c, mats.shape[1], size), dtype=dtype)
    dots = None if against is None else np.zeros((c, rows // c * k, 1), dtype=dtype)
    blocks = _blocks(size, rows * k, np.dtype(dtype).itemsize)
    cols = np.empty((rows, k, blocks[0][1] - blocks[0][0]), dtype=flat.dtype)
    for begin, stop in blocks:
        part = _columns(flat, kernel, steps, begin, cols[:, :, :stop - begin]).reshape(c, -1, stop - begin)
        np.matmul(mats, part, out=out[:, :, begin:stop])
        if against is not None:
            dots += np.matmul(part, against[:, begin:stop, None])
    return out, (None if dots is None else dots[..., 0])


_COLUMN_BYTES = 1 << 22  # one block's columns: 4 MiB measured best (0.5 MiB: +13%, 32 MiB: +80%)
_DEPTHWISE_PIECE = 1 << 20  # a few samples per piece: measured best for 64 channels on 32x32 maps
