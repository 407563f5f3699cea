"""Elementwise ops: arithmetic, unary maths, clamp/maximum/minimum/where, casts and comparisons.

Each backward returns the gradient in the broadcast shape; the engine sums it back to each
input's shape (``autograd.function.unbroadcast``).
"""
from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from ._parallel import elementwise
from ._util import check_broadcast, operand


def _binary(op_cls, name: str, a, b) -> Tensor:
    a, b = operand(a), operand(b)
    check_broadcast(name, a, b)
    return op_cls.apply(a, b)


class Add(Function):
    def forward(ctx, a, b):
        return np.add(a, b)

    def backward(ctx, g):
        return g, g

    def differentiable_backward(ctx, g):
        return g, g


class Sub(Function):
    def forward(ctx, a, b):
        return np.subtract(a, b)

    def backward(ctx, g):
        return g, -g

    def differentiable_backward(ctx, g):
        return g, -g


class Mul(Function):
    def forward(ctx, a, b):
        ctx.a, ctx.b = a, b
        return np.multiply(a, b)

    def backward(ctx, g):
        ga = g * ctx.b if ctx.needs_input_grad[0] else None
        gb = g * ctx.a if ctx.needs_input_grad[1] else None
        return ga, gb

    def differentiable_backward(ctx, g):
        a, b = ctx.inputs
        return (g * b if ctx.needs_input_grad[0] else None, g * a if ctx.needs_input_grad[1] else None)


class Div(Function):
    def forward(ctx, a, b):
        ctx.a, ctx.b = a, b
        return np.divide(a, b)

    def backward(ctx, g):
        ga = g / ctx.b if ctx.needs_input_grad[0] else None
        gb = -g * ctx.a / (ctx.b * ctx.b) if ctx.needs_input_grad[1] else None
        return ga, gb

    def differentiable_backward(ctx, g):
        a, b = ctx.inputs
        return (g / b if ctx.needs_input_grad[0] else None,
                -g * a / (b * b) if ctx.needs_input_grad[1] else None)


class Pow(Function):
    """y = a ** b;  dy/da = b a^(b-1),  dy/db = y log a (taken as 0 where a <= 0, as PyTorch does at a = 0)."""

    def forward(ctx, a, b):
        ctx.a, ctx.b = a, b
        ctx.y = np.power(a, b)
        return ctx.y

    def backward(ctx, g):
        a, b = ctx.a, ctx.b
        ga = gb = None
        if ctx.needs_input_grad[0]:
            ga = g * b * np.power(a, b - 1) if not np.isscalar(b) or b != 0 else np.zeros_like(g)
        if ctx.needs_input_grad[1]:
            a_arr = np.asarray(a)
            safe = np.where(a_arr > 0, a_arr, 1)
            gb = g * ctx.y * np.log(safe)
        return ga, gb

    def differentiable_backward(ctx, g):
        a, b = ctx.inputs
        ga = gb = None
        if ctx.needs_input_grad[0]:
            ga = g * b * a ** (b - 1) if not np.isscalar(b) or b != 0 else g * 0
        if ctx.needs_input_grad[1]:
            a_arr = a.data if isinstance(a, Tensor) else np.asarray(a)
            gb = g * a ** b * log(where(a_arr > 0, a, 1.0))
        return ga, gb


class Neg(Function):
    def forward(ctx, a):
        return np.negative(a)

    def backward(ctx, g):
        return -g

    def differentiable_backward(ctx, g):
        return -g


class Abs(Function):
    def forward(ctx, a):
        ctx.sign = np.sign(a)
        return np.abs(a)

    def backward(ctx, g):
        return g * ctx.sign

    def differentiable_backward(ctx, g):
        return g * Tensor._wrap(ctx.sign)


class Exp(Function):
    def forward(ctx, a):
        ctx.y = np.exp(a)
        return ctx.y

    def backward(ctx, g):
        return g * ctx.y

    def differentiable_backward(ctx, g):
        return g * exp(ctx.inputs[0])


class Log(Function):
    def forward(ctx, a):
        ctx.a = a
        return np.log(a)

    def backward(ctx, g):
        return g / ctx.a

    def differentiable_backward(ctx, g):
        return g / ctx.inputs[0]


class Sqrt(Function):
    def forward(ctx, a):
        ctx.y = np.sqrt(a)
        return ctx.y

    def backward(ctx, g):
        return g / (2 * ctx.y)

    def differentiable_backward(ctx, g):
        return g / (2 * sqrt(ctx.inputs[0]))


class Sin(Function):
    def forward(ctx, a):
        ctx.a = a
        return np.sin(a)

    def backward(ctx, g):
        return g * np.cos(ctx.a)

    def differentiable_backward(ctx, g):
        return g * cos(ctx.inputs[0])


class Cos(Function):
    def forward(ctx, a):
        ctx.a = a
        return np.cos(a)

    def backward(ctx, g):
        return -g * np.sin(ctx.a)

    def differentiable_backward(ctx, g):
        return -g * sin(ctx.inputs[0])


class Tanh(Function):
    def forward(ctx, a):
        ctx.y = np.tanh(a)
        return ctx.y

    def backward(ctx, g):
        return g * (1 - ctx.y * ctx.y)

    def differentiable_backward(ctx, g):
        y = tanh(ctx.inputs[0])
        return g * (1 - y * y)


def stable_sigmoid(a: np.ndarray) -> np.ndarray:
    """1 / (1 + e^-a) without overflow: e^-|a| never exceeds 1."""
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1 / (1 + e), e / (1 + e)).astype(a.dtype, copy=False)


class Sigmoid(Function):
    def forward(ctx, a):
        ctx.y = stable_sigmoid(a)
        return ctx.y

    def backward(ctx, g):
        return g * ctx.y * (1 - ctx.y)

    def differentiable_backward(ctx, g):
        y = sigmoid(ctx.inputs[0])
        return g * y * (1 - y)


class Relu(Function):
    """y = x·[x > 0]; dx = dy·[x > 0]. Large arrays are worked on in pieces over the BLAS threads."""

    fresh_grads = True

    def forward(ctx, a):
        ctx.mask = np.empty(a.shape, dtype=bool)
        y = np.empty_like(a)
        elementwise(lambda a, mask, y: np.multiply(a, np.greater(a, 0, out=mask), out=y), a, ctx.mask, y)
        return y

    def backward(ctx, g):
        return masked_grad(g, ctx.mask)

    def differentiable_backward(ctx, g):
        return g * Tensor._wrap(ctx.mask)


def masked_grad(g: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """dx = g·mask (a new array; a boolean mask of where the derivative is 1), large arrays in pieces
    over the BLAS threads: the backward of ReLU and hardtanh / relu6."""
    dx = np.empty(g.shape, dtype=g.dtype)
    elementwise(_multiply_into, g, mask, dx)
    return dx


def _multiply_into(a: np.ndarray, b: np.ndarray, out: np.ndarray) -> None:
    np.multiply(a, b, out=out)


class Clamp(Function):
    """y = min(max(a, lo), hi): where lo > hi every element is hi. The bounds are numbers or
    tensors broadcast with ``a``. PyTorch's gradients, both ends inclusive for ``a``:
    da = g where lo <= a <= hi;  dlo = g where a < lo (and lo < hi);  dhi = g where a > hi (or hi < lo)."""

    def forward(ctx, a, lo, hi):
        ctx.mask = True
        if lo is not None:
            ctx.mask = np.logical_and(ctx.mask, a >= lo)
        if hi is not None:
            ctx.mask = np.logical_and(ctx.mask, a <= hi)
        ctx.a, ctx.lo, ctx.hi = a, lo, hi  # references only: the bounds' masks are made if asked for
        floats = [b for b in (lo, hi) if isinstance(b, np.ndarray) and b.dtype.kind == "f"]
        return np.clip(a, lo, hi).astype(np.result_type(a, *floats), copy=False)

    def backward(ctx, g):
        zero = np.zeros((), g.dtype)
        ga = np.where(ctx.mask, g, zero) if ctx.needs_input_grad[0] else None
        a, lo, hi = ctx.a, ctx.lo, ctx.hi
        glo = ghi = None
        if ctx.needs_input_grad[1]:
            glo = np.where((a < lo) & (lo < hi) if hi is not None else a < lo, g, zero)
        if ctx.needs_input_grad[2]:
            ghi = np.where((a > hi) | (hi < lo) if lo is not None else a > hi, g, zero)
        return ga, glo, ghi

    def differentiable_backward(ctx, g):
        """The same masks with Tensor ops: they are constants, so clamp's second derivative is 0, but
        the bounds keep their first-order gradients inside a recorded backward."""
        a, lo, hi = ctx.a, ctx.lo, ctx.hi
        masks = (ctx.mask, None if lo is None else (a < lo) & (lo < hi) if hi is not None else a < lo,
                 None if hi is None else (a > hi) | (hi < lo) if lo is not None else a > hi)
        return tuple(where(np.broadcast_to(m, g.shape), g, 0.0) if need else None
                     for m, need in zip(masks, ctx.needs_input_grad))


class Maximum(Function):
    """Ties split the gradient evenly between both inputs (PyTorch's rule)."""

    def forward(ctx, a, b):
        ctx.a, ctx.b = a, b
        return np.maximum(a, b)

    def backward(ctx, g):
        share = np.where(ctx.a > ctx.b, 1.0, np.where(ctx.a == ctx.b, 0.5, 0.0)).astype(g.dtype)
        return g * share, g * (1 - share)

    def differentiable_backward(ctx, g):
        share = Tensor._wrap(np.where(ctx.a > ctx.b, 1.0, np.where(ctx.a == ctx.b, 0.5, 0.0)).astype(g.dtype))
        return g * share, g * (1 - share)


class Minimum(Function):
    def forward(ctx, a, b):
        ctx.a, ctx.b = a, b
        return np.minimum(a, b)

    def backward(ctx, g):
        share = np.where(ctx.a < ctx.b, 1.0, np.where(ctx.a == ctx.b, 0.5, 0.0)).astype(g.dtype)
        return g * share, g * (1 - share)

    def differentiable_backward(ctx, g):
        share = Tensor._wrap(np.where(ctx.a < ctx.b, 1.0, np.where(ctx.a == ctx.b, 0.5, 0.0)).astype(g.dtype))
        return g * share, g * (1 - share)


class Where(Function):
    def forward(ctx, cond, a, b):
        ctx.cond = cond
        return np.where(cond, a, b)

    def backward(ctx, g):
        zero = np.zeros((), g.dtype)
        return None, np.where(ctx.cond, g, zero), np.where(ctx.cond, zero, g)

    def differentiable_backward(ctx, g):
        return None, where(ctx.cond, g, 0.0), where(ctx.cond, 0.0, g)


class Cast(Function):
    def forward(ctx, a, dtype):
        return a.astype(dtype)

    def backward(ctx, g):
        return g, None  # the engine casts back to the input's dtype

    def differentiable_backward(ctx, g):
        return g, None


def add(a, b) -> Tensor: return _binary(Add, "add", a, b)
def sub(a, b) -> Tensor: return _binary(Sub, "sub", a, b)
def mul(a, b) -> Tensor: return _binary(Mul, "mul", a, b)
def div(a, b) -> Tensor: return _binary(Div, "div", a, b)
def pow(a, b) -> Tensor: return _binary(Pow, "pow", a, b)
def neg(a) -> Tensor: return Neg.apply(a)
def abs(a) -> Tensor: return Abs.apply(a)
def exp(a) -> Tensor: return Exp.apply(a)
def log(a) -> Tensor: return Log.apply(a)
def sqrt(a) -> Tensor: return Sqrt.apply(a)
def sin(a) -> Tensor: return Sin.apply(a)
def cos(a) -> Tensor: return Cos.apply(a)
def tanh(a) -> Tensor: return Tanh.apply(a)
def sigmoid(a) -> Tensor: return Sigmoid.apply(a)
def relu(a) -> Tensor: return Relu.apply(a)
def maximum(a, b) -> Tensor: return _binary(Maximum, "maximum", a, b)
def minimum(a, b) -> Tensor: return _binary(Minimum, "minimum", a, b)


def clamp(a: Tensor, min=None, max=None) -> Tensor:
    """Each element limited to [min, max]; a bound is a number or a tensor that broadcasts with ``a``
    (and receives a gradient where it is the value taken)."""
    if min is None and max is None:
        raise ValueError("clamp: at least one of min and max must be given")
    min, max = (None if b is None else operand(b) for b in (min, max))
    check_broadcast("clamp", a, *(b for b in (min, max) if isinstance(b, Tensor)))
    return Clamp.apply(a, min, max)


def where(condition, a, b) -> Tensor:
    cond = condition.data if isinstance(condition, Tensor) else np.asarray(condition)
    if cond.dtype != bool:
        raise ValueError(f"where: condition must be a bool tensor, got dtype {cond.dtype}")
    a, b = operand(a), operand(b)
    check_broadcast("where", cond, a, b)
    return Where.apply(cond, a, b)


def cast(a: Tensor, dtype: np.dtype) -> Tensor:
    if a.dtype == dtype:
        return a
    if dtype.kind != "f":
        return Tensor._wrap(a.data.astype(dtype))
    return Cast.apply(a, dtype)


def compare(ufunc, a, b) -> Tensor:
    """A comparison: not differentiable, returns a bool tensor."""
    a_arr = a.data if isinstance(a, Tensor) else a
    b_arr = b.data if isinstance(b, Tensor) else b
    check_broadcast(ufunc.__name__, a_arr, b_arr)
    return Tensor._wrap(ufunc(a_arr, b_arr))
