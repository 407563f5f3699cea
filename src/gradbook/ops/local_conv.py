"""``locally_connected2d``: a convolution whose weights differ at every output position (DeepFace's
locally connected layer, an "unshared convolution"), one Function with a hand-written backward.

    y[n, o, p, q] = b[o, p, q] + Σ_{c, i, j} W[p, q, o, c, i, j] · xp[n, c, p·sh + i, q·sw + j]

(xp: x zero-padded). The windows are gathered once (``_windows``) into cols (P, N, K), with P = OH·OW
positions and K = C·KH·KW taps; then every position is one slice of a batched matrix product:

    y_P     = cols_P W_Pᵀ     (P, N, K) @ (P, K, O) → (P, N, O)
    dW_P    = g_Pᵀ cols_P     (P, O, N) @ (P, N, K) → (P, O, K)
    dcols_P = g_P W_P         (P, N, O) @ (P, O, K) → (P, N, K);   dx = col2im(dcols) cropped
    db      = Σ_n g

Weight layout (OH, OW, C_out, C_in, KH, KW): ``W[p, q]`` is the Conv2d weight that position (p, q)
uses, so a layer whose positions all hold one Conv2d weight is that convolution. Bias (C_out, OH, OW).
The backward is bilinear (dx in g and W, dW in g and x); its differentiable form uses the window
gather and its adjoint as a pair of Functions (:class:`Windows`, :class:`WindowsAdjoint`) around
Tensor matrix products, so the layer can be differentiated to any order.
"""
from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from ._util import operand, shape_of
from ._windows import Pair, col2im, out_size, pad2d, pair, windows

__all__ = ["locally_connected2d"]


def _gather(x: np.ndarray, kernel: Pair, stride: Pair, padding: Pair, out_hw: Pair) -> np.ndarray:
    """The windows of zero-padded ``x`` (N, C, H, W), copied once, position-major:
    (OH, OW, N, C, KH, KW)."""
    (ph, pw), (n, c) = padding, x.shape[:2]
    view = windows(pad2d(x, (ph, ph, pw, pw)), kernel, stride, (1, 1), out_hw)  # (N, C, KH, KW, OH, OW)
    cols = np.empty((*out_hw, n, c, *kernel), dtype=x.dtype)
    np.copyto(cols, view.transpose(4, 5, 0, 1, 2, 3))
    return cols


def _scatter(cols: np.ndarray, x_shape, stride: Pair, padding: Pair) -> np.ndarray:
    """Adjoint of :func:`_gather`: every window (OH, OW, N, C, KH, KW) summed back onto a grid of
    ``x_shape``, the padding cut away."""
    (ph, pw), (h, w) = padding, x_shape[2:]
    grid = col2im(cols.transpose(2, 3, 4, 5, 0, 1), (h + 2 * ph, w + 2 * pw), stride, (1, 1))
    return grid[:, :, ph:ph + h, pw:pw + w]


class Windows(Function):
    """cols = the windows of x (:func:`_gather`); a linear map whose adjoint is :class:`WindowsAdjoint`."""

    fresh_grads = True

    def forward(ctx, x, kernel, stride, padding, out_hw):
        ctx.args = x.shape, stride, padding
        return _gather(x, kernel, stride, padding, out_hw)

    def backward(ctx, g):
        return _scatter(g, *ctx.args), None, None, None, None

    def differentiable_backward(ctx, g):
        return WindowsAdjoint.apply(g, *ctx.args), None, None, None, None


class WindowsAdjoint(Function):
    """dx = the windows summed back onto the grid (:func:`_scatter`); its adjoint gathers them."""

    fresh_grads = True

    def forward(ctx, cols, x_shape, stride, padding):
        ctx.args = cols.shape[4:], stride, padding, cols.shape[:2]
        return _scatter(cols, x_shape, stride, padding)

    def backward(ctx, gx):
        return _gather(gx, *ctx.args), None, None, None

    def differentiable_backward(ctx, gx):
        return Windows.apply(gx, *ctx.args), None, None, None


class LocallyConnected2d(Function):
    """y = Σ_taps W[p, q] · window(p, q) + b per position: one batched product over positions (see
    the module docstring). Shapes: x (N, C, H, W), W (OH, OW, O, C, KH, KW), b (O, OH, OW) or None,
    y (N, O, OH, OW)."""

    fresh_grads = True

    def forward(ctx, x, w, b, stride, padding):
        oh, ow, o, c, kh, kw = w.shape
        n, p, k = x.shape[0], oh * ow, c * kh * kw
        cols = _gather(x, (kh, kw), stride, padding, (oh, ow)).reshape(p, n, k)
        y = np.matmul(cols, w.reshape(p, o, k).transpose(0, 2, 1))  # (P, N, O)
        y = np.ascontiguousarray(y.transpose(1, 2, 0)).reshape(n, o, oh, ow)
        if b is not None:
            y += b
        ctx.cols, ctx.w, ctx.x_shape, ctx.stride, ctx.padding = cols, w, x.shape, stride, padding
        return y

    def backward(ctx, g):
        oh, ow, o, c, kh, kw = ctx.w.shape
        n, p = g.shape[0], oh * ow
        need = ctx.needs_input_grad
        g_p = g.reshape(n, o, p).transpose(2, 0, 1)  # (P, N, O)
        dx = dw = db = None
        if need[0]:
            dcols = np.matmul(g_p, ctx.w.reshape(p, o, -1)).reshape(oh, ow, n, c, kh, kw)
            dx = _scatter(dcols, ctx.x_shape, ctx.stride, ctx.padding)
        if need[1]:
            dw = np.matmul(g_p.transpose(0, 2, 1), ctx.cols).reshape(ctx.w.shape)
        if len(need) > 2 and need[2]:
            db = g.sum(axis=0)
        return dx, dw, db, None, None

    def differentiable_backward(ctx, g):
        x, w = ctx.inputs[0], ctx.inputs[1]
        oh, ow, o, c, kh, kw = w.shape
        n, p = g.shape[0], oh * ow
        need = ctx.needs_input_grad
        g_p = g.reshape(n, o, p).permute(2, 0, 1)  # (P, N, O)
        dx = dw = db = None
        if need[0]:
            dcols = (g_p @ w.reshape(p, o, -1)).reshape(oh, ow, n, c, kh, kw)
            dx = WindowsAdjoint.apply(dcols, ctx.x_shape, ctx.stride, ctx.padding)
        if need[1]:
            cols = Windows.apply(x, (kh, kw), ctx.stride, ctx.padding, (oh, ow)).reshape(p, n, -1)
            dw = (g_p.transpose(1, 2) @ cols).reshape(*w.shape)
        if len(need) > 2 and need[2]:
            db = g.sum(0)
        return dx, dw, db, None, None


def locally_connected2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
                        op: object = "locally_connected2d") -> Tensor:
    """Locally connected 2-D layer (unshared convolution; formula in the module docstring).

    input (N, C, H, W) or (C, H, W); weight (OH, OW, C_out, C, KH, KW), where (OH, OW) must be the
    number of window positions over the padded input; bias (C_out, OH, OW) or None; returns
    (N, C_out, OH, OW) (or (C_out, OH, OW)). Errors name ``op``.
    """
    input, weight = operand(input), operand(weight)
    sx, sw = tuple(shape_of(input)), tuple(shape_of(weight))
    if len(sw) != 6:
        raise ValueError(f"{op}: weight must be 6-D (OH, OW, C_out, C_in, KH, KW), got shape {sw}")
    if len(sx) not in (3, 4):
        raise ValueError(f"{op}: expected a 3-D or 4-D input (C, H, W) or (N, C, H, W), got shape {sx}")
    unbatched = len(sx) == 3
    x = input.unsqueeze(0) if unbatched else input
    oh, ow, o, c, kh, kw = sw
    if x.shape[1] != c:
        raise ValueError(f"{op}: expected input with {c} channels (weight of shape {sw}), got input of shape {sx}")
    stride, padding = pair(stride, "stride", op), pair(padding, "padding", op)
    if min(stride) < 1 or min(padding) < 0:
        raise ValueError(f"{op}: stride must be positive and padding non-negative, got stride={stride}, "
                         f"padding={padding}")
    h, w = x.shape[2:]
    positions = (out_size(h, kh, stride[0], 2 * padding[0]), out_size(w, kw, stride[1], 2 * padding[1]))
    if positions != (oh, ow):
        raise ValueError(f"{op}: weight of shape {sw} holds {oh}x{ow} positions, but a {kh}x{kw} kernel with "
                         f"stride {stride} and padding {padding} has {positions[0]}x{positions[1]} over an "
                         f"input of shape {sx}")
    if bias is not None:
        bias = operand(bias)
        if tuple(shape_of(bias)) != (o, oh, ow):
            raise ValueError(f"{op}: bias must have shape {(o, oh, ow)} (C_out, OH, OW), got {tuple(shape_of(bias))}")
    y = LocallyConnected2d.apply(x, weight, bias, stride, padding)
    return y.squeeze(0) if unbatched else y
