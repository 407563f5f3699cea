"""Matrix product with NumPy's (and PyTorch's) rules: 1-D operands are promoted and the added
axis removed again, leading batch axes broadcast."""
from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from ._util import operand, shape_of


class MatMul(Function):
    """C = A B;  dA = dC Bᵀ,  dB = Aᵀ dC (batch axes summed back by the engine)."""

    def forward(ctx, a, b):
        ctx.a, ctx.b = a, b
        return np.matmul(a, b)

    def backward(ctx, g):
        a, b = ctx.a, ctx.b
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        if b.ndim == 1:
            g = np.expand_dims(g, -1)
        if a.ndim == 1:
            g = np.expand_dims(g, -2)
        ga = gb = None
        if ctx.needs_input_grad[0]:
            ga = np.matmul(g, np.swapaxes(b2, -1, -2))
            if a.ndim == 1:
                ga = ga[..., 0, :]
        if ctx.needs_input_grad[1]:
            gb = np.matmul(np.swapaxes(a2, -1, -2), g)
            if b.ndim == 1:
                gb = gb[..., 0]
            elif gb.ndim > b.ndim:
                gb = gb.sum(axis=tuple(range(gb.ndim - b.ndim)))
        return ga, gb

    def differentiable_backward(ctx, g):
        a, b = ctx.inputs
        a2 = a.unsqueeze(0) if a.ndim == 1 else a
        b2 = b.unsqueeze(1) if b.ndim == 1 else b
        if b.ndim == 1:
            g = g.unsqueeze(-1)
        if a.ndim == 1:
            g = g.unsqueeze(-2)
        ga = gb = None
        if ctx.needs_input_grad[0]:
            ga = g @ b2.transpose(-1, -2)
            if a.ndim == 1:
                ga = ga.squeeze(-2)
        if ctx.needs_input_grad[1]:
            gb = a2.transpose(-1, -2) @ g
            if b.ndim == 1:
                gb = gb.squeeze(-1)
        return ga, gb


def matmul(a, b) -> Tensor:
    a, b = operand(a), operand(b)
    sa, sb = shape_of(a), shape_of(b)
    if len(sa) == 0 or len(sb) == 0:
        raise ValueError(f"matmul: both operands need at least one dimension, got shapes {sa} and {sb}")
    k_a = sa[-1]
    k_b = sb[0] if len(sb) == 1 else sb[-2]
    if k_a != k_b:
        raise ValueError(f"matmul: shapes {sa} and {sb} do not align ({k_a} != {k_b})")
    try:
        np.broadcast_shapes(sa[:-2], sb[:-2])
    except ValueError:
        raise ValueError(f"matmul: batch dimensions of {sa} and {sb} cannot be broadcast") from None
    return MatMul.apply(a, b)
