"""The reference conv2d: plain im2col, forward and backward on one screen, no layout tricks.

Every fast path (:mod:`.dispatch`) must give what this gives; tests/ops/test_conv_paths.py
checks each on random shapes. It is also the definition to read first:

    cols[n, g] = im2col(pad(x))[n, g]                (N, G, C/G·KH·KW, OH·OW)
    y[n, g]    = W[g] @ cols[n, g] + b               W[g] (O/G, C/G·KH·KW)
    dW[g]      = Σₙ dy[n, g] @ cols[n, g]ᵀ
    dx         = crop(col2im(W[g]ᵀ @ dy[n, g]))      col2im: each window's values added back
    db         = Σ_{n, p, q} dy
"""
from __future__ import annotations

import numpy as np

from ...autograd.function import Function
from .._windows import Pads, col2im, im2col, out_size, pad2d
from . import grads

__all__: list[str] = []  # the definition the fast paths are tested against


class ReferenceConv2d(Function):
    """conv2d by the formulas above. Shapes: x (N, C, H, W), W (O, C/G, KH, KW), b (O,) or None,
    pads (top, bottom, left, right), y (N, O, OH, OW)."""

    def forward(ctx, x, w, b, stride, pads: Pads, dilation, groups: int):
        (n, c, h, wd), (o, cg, kh, kw) = x.shape, w.shape
        out_hw = (out_size(h, kh, stride[0], pads[0] + pads[1], dilation[0]),
                  out_size(wd, kw, stride[1], pads[2] + pads[3], dilation[1]))
        cols = im2col(pad2d(x, pads), (kh, kw), stride, dilation, out_hw).reshape(n, groups, cg * kh * kw, -1)
        wg = w.reshape(groups, o // groups, cg * kh * kw)
        y = np.matmul(wg, cols).reshape(n, o, *out_hw)
        ctx.saved = (cols, wg, x.shape, w.shape, stride, pads, dilation)
        return y if b is None else y + b.reshape(o, 1, 1)

    def backward(ctx, dy):
        cols, wg, (n, c, h, wd), w_shape, stride, pads, dilation = ctx.saved
        g = dy.reshape(n, wg.shape[0], wg.shape[1], -1)  # (N, G, O/G, OH·OW)
        dw = np.matmul(g, cols.transpose(0, 1, 3, 2)).sum(axis=0).reshape(w_shape)
        dcols = np.matmul(wg.transpose(0, 2, 1), g).reshape(n, c, *w_shape[2:], *dy.shape[2:])
        dxp = col2im(dcols, (h + pads[0] + pads[1], wd + pads[2] + pads[3]), stride, dilation)
        dx = dxp[:, :, pads[0]:pads[0] + h, pads[2]:pads[2] + wd]
        return dx, dw, dy.sum(axis=(0, 2, 3))

    def differentiable_backward(ctx, dy):
        _, wg, _, w_shape, stride, pads, dilation = ctx.saved
        return grads.conv2d_grads(ctx, dy, w_shape[2:], stride, pads, dilation, wg.shape[0])
