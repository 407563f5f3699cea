"""``linear``: the affine map of a fully connected layer, one Function with its backward."""
from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from ._util import operand, shape_of


__all__ = ["linear"]


class Linear(Function):
    """y = x Wᵀ + b over any leading dimensions.

    Shapes: x (*, in), W (out, in), b (out,) → y (*, out). With X the rows of x flattened to
    (M, in) and G the upstream gradient flattened to (M, out):
    dX = G W,  dW = Gᵀ X,  db = Σ_rows G.
    """

    def forward(ctx, x, weight, bias=None):
        x2 = x.reshape(int(np.prod(x.shape[:-1])), x.shape[-1]) if x.ndim != 2 else x  # no -1: sizes may be 0
        y = x2 @ weight.T
        if bias is not None:
            if np.result_type(y, bias) == y.dtype:
                y += bias  # in place: saves one (M, out) temporary
            else:
                y = y + bias
        ctx.x2, ctx.weight, ctx.x_shape = x2, weight, x.shape
        return y.reshape(*x.shape[:-1], weight.shape[0])

    def backward(ctx, g):
        g2 = g.reshape(ctx.x2.shape[0], g.shape[-1])
        gx = (g2 @ ctx.weight).reshape(ctx.x_shape) if ctx.needs_input_grad[0] else None
        gw = g2.T @ ctx.x2 if ctx.needs_input_grad[1] else None
        gb = g2.sum(axis=0) if len(ctx.needs_input_grad) > 2 and ctx.needs_input_grad[2] else None
        return gx, gw, gb

    def differentiable_backward(ctx, g):
        x, weight = ctx.inputs[0], ctx.inputs[1]
        g2 = g.reshape(-1, g.shape[-1])
        gx = (g2 @ weight).reshape(ctx.x_shape) if ctx.needs_input_grad[0] else None
        gw = g2.T @ x.reshape(-1, x.shape[-1]) if ctx.needs_input_grad[1] else None
        gb = g2.sum(0) if len(ctx.needs_input_grad) > 2 and ctx.needs_input_grad[2] else None
        return gx, gw, gb


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = input · weightᵀ + bias (``torch.nn.functional.linear``).

    input: (*, in_features); weight: (out_features, in_features); bias: (out_features,) or None;
    returns (*, out_features).
    """
    input, weight = operand(input), operand(weight)
    sx, sw = shape_of(input), shape_of(weight)
    if len(sw) != 2:
        raise ValueError(f"linear: weight must be 2-D (out_features, in_features), got shape {sw}")
    if len(sx) == 0 or sx[-1] != sw[1]:
        raise ValueError(f"linear: input's last dimension must equal weight's in_features {sw[1]}, "
                         f"got input shape {sx} and weight shape {sw}")
    if bias is None:
        return Linear.apply(input, weight)
    bias = operand(bias)
    if tuple(shape_of(bias)) != (sw[0],):
        raise ValueError(f"linear: bias must have shape ({sw[0]},) to match weight {sw}, "
                         f"got {shape_of(bias)}")
    return Linear.apply(input, weight, bias)
