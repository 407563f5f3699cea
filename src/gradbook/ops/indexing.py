"""Indexing ``x[...]``: basic slices and advanced (integer / boolean array) indices.

Backward writes the gradient back into a zero array; advanced indices may repeat an element, so
they scatter-add (``np.add.at``) instead of assigning.
"""
from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor


def as_index(index):
    """Turn tensors inside an index into arrays; lists become arrays (advanced indexing)."""
    if isinstance(index, tuple):
        return tuple(as_index(i) for i in index)
    if isinstance(index, Tensor):
        return index.data
    if isinstance(index, list):
        return np.asarray(index)
    return index


def _is_basic(index) -> bool:
    parts = index if isinstance(index, tuple) else (index,)
    return all(p is None or p is Ellipsis or isinstance(p, (slice, int, np.integer)) for p in parts)


class GetItem(Function):
    def forward(ctx, x, index):
        ctx.shape, ctx.dtype, ctx.index = x.shape, x.dtype, index
        return x[index]

    def backward(ctx, g):
        out = np.zeros(ctx.shape, ctx.dtype)
        if _is_basic(ctx.index):
            out[ctx.index] = g
        else:
            np.add.at(out, ctx.index, g)
        return out, None

    def differentiable_backward(ctx, g):
        return IndexScatter.apply(g, ctx.shape, ctx.index), None


class IndexScatter(Function):
    """``x[index]``'s backward as an op: g added into zeros of ``shape`` at ``index``. Its own
    gradient is ``h[index]``, so indexing can be differentiated any number of times."""

    def forward(ctx, g, shape, index):
        ctx.index = index
        out = np.zeros(shape, g.dtype)
        if _is_basic(index):
            out[index] = g
        else:
            np.add.at(out, index, g)
        return out

    def backward(ctx, h):
        return h[ctx.index], None, None

    def differentiable_backward(ctx, h):
        return GetItem.apply(h, ctx.index), None, None


def getitem(x: Tensor, index) -> Tensor:
    index = as_index(index)
    try:
        return GetItem.apply(x, index)
    except IndexError as exc:
        raise IndexError(f"index {index!r} is invalid for a tensor of shape {x.shape}: {exc}") from None
