"""Reductions over ``dim`` (int, tuple or None) with ``keepdim``: sum, mean, var, std, max, min,
amax, amin, argmax, argmin, logsumexp (PyTorch semantics)."""
from __future__ import annotations

import builtins

import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import ReturnTypes, Tensor
from ._util import normalize_dim, normalize_dims


def _kept_shape(shape, axes) -> tuple[int, ...]:
    """The reduced shape with size-1 axes kept, so a gradient broadcasts back."""
    if axes is None:
        return (1,) * len(shape)
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def _count(shape, axes) -> int:
    if axes is None:
        return int(np.prod(shape, dtype=np.int64))
    return int(np.prod([shape[i] for i in axes], dtype=np.int64))


def _mean(x: np.ndarray, axes, keepdims: bool) -> np.ndarray:
    """``x.mean``, NaN over no values without NumPy's "Mean of empty slice" warning (PyTorch is silent)."""
    if _count(x.shape, axes) == 0:
        return np.full(np.sum(x, axis=axes, keepdims=keepdims).shape, np.nan, x.dtype)
    return x.mean(axis=axes, keepdims=keepdims)


class Sum(Function):
    def forward(ctx, x, axes, keepdim):
        ctx.shape, ctx.axes = x.shape, axes
        return np.asarray(x.sum(axis=axes, keepdims=keepdim))

    def backward(ctx, g):
        return np.broadcast_to(g.reshape(_kept_shape(ctx.shape, ctx.axes)), ctx.shape), None, None

    def differentiable_backward(ctx, g):
        return g.reshape(_kept_shape(ctx.shape, ctx.axes)).expand(*ctx.shape), None, None


class Mean(Function):
    def forward(ctx, x, axes, keepdim):
        ctx.shape, ctx.axes = x.shape, axes
        return np.asarray(_mean(x, axes, keepdim))

    def backward(ctx, g):
        with np.errstate(divide="ignore", invalid="ignore"):  # the mean of no values: nothing to send back
            g = g.reshape(_kept_shape(ctx.shape, ctx.axes)) / _count(ctx.shape, ctx.axes)
        return np.broadcast_to(g, ctx.shape), None, None

    def differentiable_backward(ctx, g):
        g = g.reshape(_kept_shape(ctx.shape, ctx.axes)) / _count(ctx.shape, ctx.axes)
        return g.expand(*ctx.shape), None, None


class Var(Function):
    """var = Σ(x − x̄)² / (N − correction);  d var/dx = 2(x − x̄) / (N − correction)."""

    def forward(ctx, x, axes, keepdim, correction):
        ctx.centered = x - _mean(x, axes, True)
        ctx.axes, ctx.denom = axes, builtins.max(_count(x.shape, axes) - correction, 0)
        sq = np.square(ctx.centered).sum(axis=axes, keepdims=keepdim)
        return np.asarray(sq / ctx.denom if ctx.denom > 0 else sq * np.nan)

    def backward(ctx, g):
        g = g.reshape(_kept_shape(ctx.centered.shape, ctx.axes))
        scale = 2 / ctx.denom if ctx.denom > 0 else np.nan
        return g * scale * ctx.centered, None, None, None

    def differentiable_backward(ctx, g):
        x = ctx.inputs[0]
        g = g.reshape(_kept_shape(x.shape, ctx.axes))
        scale = 2 / ctx.denom if ctx.denom > 0 else np.nan
        return g * scale * (x - Mean.apply(x, ctx.axes, True)), None, None, None


class Std(Function):
    """std = sqrt(var);  d std/dx = (x − x̄) / ((N − correction) · std)."""

    def forward(ctx, x, axes, keepdim, correction):
        ctx.centered = x - _mean(x, axes, True)
        ctx.axes, ctx.denom = axes, builtins.max(_count(x.shape, axes) - correction, 0)
        sq = np.square(ctx.centered).sum(axis=axes, keepdims=True)
        ctx.std = np.sqrt(sq / ctx.denom) if ctx.denom > 0 else sq * np.nan
        out = ctx.std if keepdim else np.squeeze(ctx.std, axis=axes)
        return np.asarray(out)

    def backward(ctx, g):
        g = g.reshape(ctx.std.shape)
        with np.errstate(divide="ignore", invalid="ignore"):
            gx = g * ctx.centered / (ctx.denom * ctx.std)
        # where std = 0 (every value equal) PyTorch takes the gradient as 0, not 0/0
        return np.where(ctx.std == 0, 0, gx).astype(gx.dtype, copy=False), None, None, None

    def differentiable_backward(ctx, g):
        x = ctx.inputs[0]
        centered = x - Mean.apply(x, ctx.axes, True)
        std = Std.apply(x, ctx.axes, True, ctx.inputs[3])
        return g.reshape(ctx.std.shape) * centered / (std * ctx.denom), None, None, None


class Extreme(Function):
    """max/min over all elements or amax/amin over dims: ties share the gradient evenly."""

    def forward(ctx, x, axes, keepdim, largest):
        ctx.x, ctx.axes = x, axes
        y = (np.max if largest else np.min)(x, axis=axes, keepdims=True)
        ctx.y = y
        return np.asarray(y if keepdim else np.squeeze(y, axis=axes) if axes is not None else y.reshape(()))

    def backward(ctx, g):
        hit = ctx.x == ctx.y
        share = hit / hit.sum(axis=ctx.axes, keepdims=True)
        return g.reshape(ctx.y.shape) * share, None, None, None

    def differentiable_backward(ctx, g):
        hit = ctx.x == ctx.y
        share = Tensor._wrap(hit / hit.sum(axis=ctx.axes, keepdims=True))
        return g.reshape(ctx.y.shape) * share, None, None, None


class ExtremeAlong(Function):
    """max/min along one dim (values of ``x.max(dim)``): the gradient goes to the returned index."""

    def forward(ctx, x, dim, keepdim, largest):
        idx = (np.argmax if largest else np.argmin)(x, axis=dim)
        ctx.idx = np.expand_dims(idx, dim)
        ctx.shape, ctx.dim, ctx.keepdim = x.shape, dim, keepdim
        values = np.take_along_axis(x, ctx.idx, axis=dim)
        return values if keepdim else np.squeeze(values, axis=dim)

    def backward(ctx, g):
        if not ctx.keepdim:
            g = np.expand_dims(g, ctx.dim)
        out = np.zeros(ctx.shape, g.dtype)
        np.put_along_axis(out, ctx.idx, g, axis=ctx.dim)
        return out, None, None, None

    def differentiable_backward(ctx, g):
        if not ctx.keepdim:
            g = g.unsqueeze(ctx.dim)
        return PutAlongAxis.apply(g, ctx.idx, ctx.dim, ctx.shape), None, None, None


class PutAlongAxis(Function):
    """``g`` written into zeros of ``shape`` at one index per slice along ``dim`` (the backward of
    ``x.max(dim)`` as an op); its gradient reads those positions back."""

    def forward(ctx, g, idx, dim, shape):
        ctx.idx, ctx.dim = idx, dim
        out = np.zeros(shape, g.dtype)
        np.put_along_axis(out, idx, g, axis=dim)
        return out

    def backward(ctx, h):
        return np.take_along_axis(h, ctx.idx, axis=ctx.dim), None, None, None

    def differentiable_backward(ctx, h):
        return TakeAlongAxis.apply(h, ctx.idx, ctx.dim), None, None, None


class TakeAlongAxis(Function):
    """``x`` read at one index per slice along ``dim``; the adjoint of :class:`PutAlongAxis`."""

    def forward(ctx, x, idx, dim):
        ctx.idx, ctx.dim, ctx.shape = idx, dim, x.shape
        return np.take_along_axis(x, idx, axis=dim)

    def backward(ctx, g):
        out = np.zeros(ctx.shape, g.dtype)
        np.put_along_axis(out, ctx.idx, g, axis=ctx.dim)
        return out, None, None

    def differentiable_backward(ctx, g):
        return PutAlongAxis.apply(g, ctx.idx, ctx.dim, ctx.shape), None, None


class LogSumExp(Function):
    """log Σ exp(x), shifted by the max for stability; gradient softmax(x). Over no values the sum
    is 0 and the result −∞, as in PyTorch."""

    def forward(ctx, x, axes, keepdim):
        m = np.max(x, axis=axes, keepdims=True, initial=-np.inf)
        m = np.where(np.isfinite(m), m, 0)
        with np.errstate(divide="ignore"):
            s = np.log(np.exp(x - m).sum(axis=axes, keepdims=True)) + m
        ctx.x, ctx.s = x, s
        return s if keepdim else np.squeeze(s, axis=axes)

    def backward(ctx, g):
        return g.reshape(ctx.s.shape) * np.exp(ctx.x - ctx.s), None, None

    def differentiable_backward(ctx, g):
        x, axes = ctx.inputs[0], ctx.inputs[1]
        softmax = (x - LogSumExp.apply(x, axes, True)).exp()
        return g.reshape(ctx.s.shape) * softmax, None, None


def _correction(unbiased, correction) -> int:
    if correction is not None and unbiased is not None:
        raise ValueError("var/std: give either unbiased or correction, not both")
    if correction is not None:
        return correction
    return 0 if unbiased is False else 1


def sum(x: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    return Sum.apply(x, normalize_dims(dim, x.ndim, "sum"), keepdim)


def mean(x: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    if x.dtype.kind != "f":
        raise TypeError(f"mean: expected a floating tensor, got dtype {x.dtype}")
    return Mean.apply(x, normalize_dims(dim, x.ndim, "mean"), keepdim)


def var(x: Tensor, dim=None, unbiased=None, keepdim=False, *, correction=None) -> Tensor:
    return Var.apply(x, normalize_dims(dim, x.ndim, "var"), keepdim, _correction(unbiased, correction))


def std(x: Tensor, dim=None, unbiased=None, keepdim=False, *, correction=None) -> Tensor:
    return Std.apply(x, normalize_dims(dim, x.ndim, "std"), keepdim, _correction(unbiased, correction))


def _check_reducible(x: Tensor, axes, name: str) -> None:
    """max, min and their kin have no value over no elements: PyTorch raises, and so do we."""
    if x.data.size:
        return
    if axes is None:
        raise ValueError(f"{name}: the tensor of shape {x.shape} is empty; name a dim of non-zero size "
                         "to reduce over")
    for a in axes:
        if x.shape[a] == 0:
            raise IndexError(f"{name}: cannot reduce over dim {a}, which has size 0 (input of shape {x.shape})")


def _extreme(x: Tensor, dim, keepdim: bool, largest: bool, name: str):
    if dim is None:
        _check_reducible(x, None, name)
        return Extreme.apply(x, None, False, largest)
    d = normalize_dim(dim, builtins.max(x.ndim, 1), name)
    _check_reducible(x, (d,), name)
    # a 0-d tensor is its own max along dim 0 (or -1), and its index is 0, with or without keepdim
    values = ExtremeAlong.apply(x.reshape(1), 0, False, largest) if x.ndim == 0 else \
        ExtremeAlong.apply(x, d, keepdim, largest)
    return ReturnTypes(values, (argmax if largest else argmin)(x, d, keepdim))


def max(x: Tensor, dim=None, keepdim: bool = False):
    """``x.max()`` → tensor; ``x.max(dim)`` → (values, indices), as in PyTorch."""
    return _extreme(x, dim, keepdim, True, "max")


def min(x: Tensor, dim=None, keepdim: bool = False):
    return _extreme(x, dim, keepdim, False, "min")


def amax(x: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    axes = normalize_dims(dim, x.ndim, "amax")
    _check_reducible(x, axes, "amax")
    return Extreme.apply(x, axes, keepdim, True)


def amin(x: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    axes = normalize_dims(dim, x.ndim, "amin")
    _check_reducible(x, axes, "amin")
    return Extreme.apply(x, axes, keepdim, False)


def _arg(fn, x: Tensor, dim, keepdim, name) -> Tensor:
    if dim is None:
        _check_reducible(x, None, name)
        out = np.asarray(fn(x.data))
        return Tensor._wrap(out.reshape((1,) * x.ndim) if keepdim else out.astype(np.int64))
    d = normalize_dim(dim, builtins.max(x.ndim, 1), name)
    _check_reducible(x, (d,), name)
    return Tensor._wrap(fn(x.data, axis=d, keepdims=keepdim).astype(np.int64))


def argmax(x: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    return _arg(np.argmax, x, dim, keepdim, "argmax")


def argmin(x: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    return _arg(np.argmin, x, dim, keepdim, "argmin")


def logsumexp(x: Tensor, dim, keepdim: bool = False) -> Tensor:
    return LogSumExp.apply(x, normalize_dims(dim, x.ndim, "logsumexp"), keepdim)
