"""conv2d's gradients as differentiable ops, shared by every path (reference and fast): what makes
double backward (``create_graph=True``) work on all of them.

conv2d's dx is conv_transpose2d(dy, W), conv_transpose2d's dx is conv2d(dy, W), and both weight
gradients are one bilinear op, :class:`.columns.Conv2dWeightGrad` (x, dy) ↦ dW, whose own
gradients are those two convolutions again; so every order of derivative is made of the same
three ops.
"""
from __future__ import annotations

from ...autograd.grad_mode import no_grad
from ...autograd.tensor import Tensor
from .._windows import Pads
from . import columns, dispatch, transpose

__all__: list[str] = []  # internal to the conv family


def conv2d_grads(ctx, dy: Tensor, kernel, stride, pads: Pads, dilation, groups: int) -> tuple:
    """conv2d's (dx, dW, db) as Tensor ops, for every path that computes conv2d: dx is the transposed
    convolution of dy by W (:func:`conv2d_input_grad`), dW the bilinear Conv2dWeightGrad of (x, dy),
    db = Σ dy. Each is an op with a differentiable backward of its own, so conv2d's gradients can
    be differentiated any number of times."""
    x, w = ctx.inputs[0], ctx.inputs[1]
    need = ctx.needs_input_grad
    dx = conv2d_input_grad(dy, w, x.shape[2:], stride, pads, dilation, groups) if need[0] else None
    dw = columns.Conv2dWeightGrad.apply(x, dy, kernel, stride, pads, dilation, groups) if need[1] else None
    db = dy.sum((0, 2, 3)) if len(need) > 2 and need[2] else None
    return dx, dw, db


def conv2d_input_grad(dy: Tensor, w: Tensor, x_hw, stride, pads: Pads, dilation, groups: int) -> Tensor:
    """conv2d's input gradient Cᵀ dy as a differentiable op: the transposed convolution of dy by W
    cropped at the top/left padding, with the output_padding that brings it to the input's size
    (the rows and columns a strided window never reached); cut when the bottom/right padding is
    the smaller one (an asymmetric 'same')."""
    (h, w_), (kh, kw) = x_hw, w.shape[2:]
    reached = ((dy.shape[2] - 1) * stride[0] + dilation[0] * (kh - 1) + 1,
               (dy.shape[3] - 1) * stride[1] + dilation[1] * (kw - 1) + 1)
    extra = (h + 2 * pads[0] - reached[0], w_ + 2 * pads[2] - reached[1])
    dx = transpose.ConvTranspose2d.apply(dy, w, None, stride=tuple(stride), padding=(pads[0], pads[2]),
                                         output_padding=(max(extra[0], 0), max(extra[1], 0)), groups=groups,
                                         dilation=tuple(dilation))
    return dx if min(extra) >= 0 else dx[:, :, :h, :w_]


def conv2d_cropped(x: Tensor, w: Tensor, stride, pads: Pads, dilation, groups: int, out_hw) -> Tensor:
    """conv2d(x, W) by the path conv2d would take, its output cut to ``out_hw`` (conv_transpose2d's
    input is smaller than the convolution of its output when output_padding ≥ stride)."""
    y = dispatch.conv2d_by_path(x, w, None, tuple(stride), tuple(pads), tuple(dilation), groups)
    return y if y.shape[2:] == tuple(out_hw) else y[:, :, :out_hw[0], :out_hw[1]]


def numpy_grads(ctx, *grads) -> tuple:
    """The first-order backward of an op whose backward is written once, with Tensor ops
    (``differentiable_backward``): run it unrecorded on NumPy gradients."""
    with no_grad():
        out = ctx.differentiable_backward(*(Tensor._wrap(g) for g in grads))
    return tuple(None if t is None else t.data for t in out)
