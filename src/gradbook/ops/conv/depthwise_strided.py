"""Fast path: depthwise convolution with a stride (one input channel per group, stride ≠ 1), as one
batched product per channel over its own columns, instead of the column product's one tiny
product per channel and sample."""
from __future__ import annotations

import numpy as np

from ...autograd.function import Function
from .._parallel import map_pieces, pieces, totals
from .._windows import Pads, col2im, im2col, out_size, pad2d
from . import grads

__all__: list[str] = []  # conv2d's path for strided depthwise shapes (see .dispatch)


def fits(groups: int, in_channels: int, in_per_group: int, stride) -> bool:
    """Whether conv2d takes :class:`StridedDepthwiseConv2d` (one input channel per group, a stride)."""
    return groups == in_channels and in_per_group == 1 and groups > 1 and tuple(stride) != (1, 1)


class StridedDepthwiseConv2d(Function):
    """Depthwise convolution, any stride s: one input channel per group, m = O/C filters per channel,

        cols[c, (i, j), (n, p, q)] = xp[n, c, p·sh + i·dh, q·sw + j·dw]        (C, KH·KW, N·OH·OW)
        y[n, c·m + r, p, q]        = b[c·m + r] + (W[c] @ cols[c])[r, (n, p, q)]   W[c] (m, KH·KW)
        dW[c] = dy[c] @ cols[c]ᵀ,   dx = crop(col2im(W[c]ᵀ @ dy[c]))

    with dy[c] the (m, N·OH·OW) gradient of channel c's outputs: one BLAS product per channel for
    the whole piece of samples. Worked on in pieces of a few samples (cache), one thread each.
    Shapes: x (N, C, H, W), W (C·m, 1, KH, KW), b (C·m,), y (N, C·m, OH, OW).
    """

    fresh_grads = True

    def forward(ctx, x, w, b, stride, pads: Pads, dilation):
        n, c, h, wd = x.shape
        o, _, kh, kw = w.shape
        m = o // c
        out_hw = (out_size(h, kh, stride[0], pads[0] + pads[1], dilation[0]),
                  out_size(wd, kw, stride[1], pads[2] + pads[3], dilation[1]))
        taps = w.reshape(c, m, kh * kw)
        y = np.empty((n, o, *out_hw), dtype=np.result_type(x, w))

        def piece(start: int, stop: int) -> np.ndarray:
            cols = im2col(pad2d(x[start:stop], pads), (kh, kw), stride, dilation, out_hw,
                          channel_major=True).reshape(c, kh * kw, -1)
            maps = np.matmul(taps, cols).reshape(o, stop - start, *out_hw).transpose(1, 0, 2, 3)
            if b is None:
                y[start:stop] = maps
            else:
                np.add(maps, b.reshape(o, 1, 1), out=y[start:stop])
            return cols

        samples = pieces(n, x[0].nbytes * kh * kw, min_bytes=_PIECE, piece_bytes=_PIECE)
        ctx.cols, ctx.pieces = map_pieces(piece, samples), samples
        ctx.geom = (x.shape, taps, stride, pads, dilation, out_hw, (kh, kw))
        return y

    def backward(ctx, dy):
        (n, c, h, wd), taps, stride, pads, dilation, out_hw, kernel = ctx.geom
        m = taps.shape[1]
        need_dx, need_dw = ctx.needs_input_grad[0], ctx.needs_input_grad[1]
        dx = np.empty((n, c, h, wd), dtype=dy.dtype) if need_dx else None
        grid_hw = (h + pads[0] + pads[1], wd + pads[2] + pads[3])

        def piece(start: int, stop: int, cols):
            g = np.ascontiguousarray(dy[start:stop].transpose(1, 0, 2, 3)).reshape(c, m, -1)
            if need_dx:
                dcols = np.matmul(taps.transpose(0, 2, 1), g).reshape(c, *kernel, stop - start, *out_hw)
                dxp = col2im(dcols.transpose(3, 0, 1, 2, 4, 5), grid_hw, stride, dilation)
                dx[start:stop] = dxp[:, :, pads[0]:pads[0] + h, pads[2]:pads[2] + wd]
            return (np.matmul(g, cols.transpose(0, 2, 1)) if need_dw else None), g.sum(axis=-1).reshape(-1)

        dw, db = totals(map_pieces(piece, [(start, stop, cols) for (start, stop), cols in zip(ctx.pieces, ctx.cols)]))
        dw = dw.reshape(c * m, 1, *kernel) if need_dw else None
        return dx, dw, db if ctx.needs_input_grad[2] else None

    def differentiable_backward(ctx, dy):
        (_, c, _, _), _, stride, pads, dilation, _, kernel = ctx.geom
        return grads.conv2d_grads(ctx, dy, kernel, stride, pads, dilation, c)


_PIECE = 1 << 21  # bytes of one piece's columns (a few samples): kept in cache between copy and product
