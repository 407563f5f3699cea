"""Fast path: depthwise convolution, stride 1 (one input channel per group), as multiply-adds of
shifted maps on flat grids instead of a product with one row per group."""
from __future__ import annotations

import numpy as np

from ...autograd.function import Function
from .._parallel import map_pieces, pieces, totals
from .._windows import Pads, out_size
from . import grads
from .flat import from_grids, onto_grids, period, sum_shifted, tap_shifts

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

        def piece(start: int, stop: int) -> np.ndarray:
            size = (stop - start) * grid[0] * grid[1]
            xs = onto_grids(x[start:stop], grid, (pads[0], pads[2]), spill=shifts[-1])
            acc, product = np.empty((c, m, size), dtype=y.dtype), np.empty((c, m, size), dtype=y.dtype)
            for k, shift in enumerate(shifts):
                np.multiply(xs[:, None, shift:shift + size], taps[:, :, k, None], out=acc if k == 0 else product)
                if k:
                    acc += product
            y[start:stop] = from_grids(acc.reshape(o, size), stop - start, grid, (0, 0), out_hw)
            if b is not None:
                y[start:stop] += b.reshape(o, 1, 1)
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

        def piece(start: int, stop: int, xs):
            size = (stop - start) * grid[0] * grid[1]
            g = onto_grids(dy[start:stop], grid, (0, 0)).reshape(c, m, size)
            if need_dx:  # tap k brings Σ_r W[c·m + r, k]·dy[c·m + r] back to the input grid
                tap_sum = np.empty((c, size), dtype=dy.dtype)

                def term(k: int) -> np.ndarray:
                    np.multiply(g[:, 0], taps[:, 0, k, None], out=tap_sum)
                    for r in range(1, m):
                        np.add(tap_sum, g[:, r] * taps[:, r, k, None], out=tap_sum)
                    return tap_sum

                flat = sum_shifted(term, c, size, shifts, dy.dtype)
                dx[start:stop] = from_grids(flat, stop - start, grid, (pads[0], pads[2]), x_shape[2:])
            db = g.sum(axis=-1).reshape(-1)
            if not need_dw:
                return None, db
            return np.stack([np.matmul(g, xs[:, shift:shift + size, None])[..., 0] for shift in shifts], axis=-1), db

        dw, db = totals(map_pieces(piece, [(start, stop, xs) for (start, stop), xs in zip(ctx.pieces, ctx.grids)]))
        dw = dw.reshape(c * m, 1, *kernel) if need_dw else None
        return dx, dw, db if ctx.needs_input_grad[2] else None

    def differentiable_backward(ctx, dy):
        x_shape, _, pads, _, _, kernel = ctx.geom
        return grads.conv2d_grads(ctx, dy, kernel, (1, 1), pads, ctx.dilation, x_shape[1])


_DEPTHWISE_PIECE = 1 << 20  # a few samples per piece: measured best for 64 channels on 32x32 maps
