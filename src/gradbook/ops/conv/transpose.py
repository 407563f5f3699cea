"""conv_transpose2d's Function: the adjoint of conv2d's input map, on im2col columns."""
from __future__ import annotations

import numpy as np

from ...autograd.function import Function
from .._util import channel_sums
from .._windows import col2im, im2col, pad2d
from . import columns, grads

__all__: list[str] = []  # the op behind conv_transpose2d (see .functional)


class ConvTranspose2d(Function):
    """The adjoint of conv2d's input map (the "deconvolution"):

        y_full = col2im(W[g]ᵀ @ x[n, g]),  y = y_full[p_h : p_h + OH, p_w : p_w + OW] (+ b)

    with OH = (H−1)·sh − 2p_h + dh(KH−1) + output_padding_h + 1.
    Backward: dx = conv2d(dy padded by p, W) and dW[g] = Σₙ x[n, g] cols(dy)[n, g]ᵀ.
    Shapes: x (N, C, H, W), W (C, O/G, KH, KW), b (O,), y (N, O, OH, OW).
    """

    def forward(ctx, x, w, b, stride, padding, output_padding, groups, dilation):
        n, c, h, wd = x.shape
        _, og, kh, kw = w.shape
        full = ((h - 1) * stride[0] + dilation[0] * (kh - 1) + 1 + output_padding[0],
                (wd - 1) * stride[1] + dilation[1] * (kw - 1) + 1 + output_padding[1])
        wg = w.reshape(groups, c // groups, og * kh * kw)
        xg = x.reshape(n, groups, c // groups, h * wd)
        cols = np.matmul(wg.transpose(0, 2, 1), xg).reshape(n, groups * og * kh * kw, h * wd)
        y_full = col2im(cols.reshape(n, -1, kh, kw, h, wd), full, stride, dilation)
        oh = full[0] - 2 * padding[0]
        ow = full[1] - 2 * padding[1]
        y = y_full[:, :, padding[0]:padding[0] + oh, padding[1]:padding[1] + ow]
        if b is not None:
            y = y + b.reshape(-1, 1, 1)
        else:
            y = np.ascontiguousarray(y)
        needs = getattr(ctx, "needs_input_grad", None)
        if needs is not None:
            ctx.xg = xg if needs[1] else None
            ctx.wg = wg if needs[0] else None
            ctx.geom = ((h, wd), (kh, kw), stride, padding, output_padding, dilation, groups)
        return y

    def backward(ctx, dy):
        hw, kernel, stride, padding, output_padding, dilation, groups = ctx.geom
        n, o = dy.shape[:2]
        # dy sits at [p : p + OH] of y_full (height H_full = OH + 2p); pad it back and read windows
        dyp = pad2d(dy, (padding[0], padding[0], padding[1], padding[1]))
        cols = im2col(dyp, kernel, stride, dilation, hw).reshape(n, groups, -1, hw[0] * hw[1])
        dx = dw = db = None
        if ctx.needs_input_grad[0]:
            dx = np.matmul(ctx.wg, cols).reshape(n, -1, *hw)
        if ctx.needs_input_grad[1]:
            dw = np.matmul(ctx.xg, cols.transpose(0, 1, 3, 2)).sum(axis=0).reshape(-1, o // groups, *kernel)
        if ctx.needs_input_grad[2]:
            db = channel_sums(dy)
        return dx, dw, db

    def differentiable_backward(ctx, dy):
        """dx = conv2d(dy, W) (cut to x's size), dW = conv2d's weight gradient of (dy, x)."""
        x, w = ctx.inputs[0], ctx.inputs[1]
        hw, kernel, stride, padding, _, dilation, groups = ctx.geom
        pads = (padding[0], padding[0], padding[1], padding[1])
        need = ctx.needs_input_grad
        dx = grads.conv2d_cropped(dy, w, stride, pads, dilation, groups, hw) if need[0] else None
        dw = columns.Conv2dWeightGrad.apply(dy, x, kernel, stride, pads, dilation, groups) if need[1] else None
        db = dy.sum((0, 2, 3)) if len(need) > 2 and need[2] else None
        return dx, dw, db
