"""Activation functions with ``torch.nn.functional``'s names, arguments and gradients.

Each is one Function whose backward reuses what forward saved (the output, a mask or a sigmoid).
``inplace=True`` is accepted for signature compatibility: gradbook never writes into an op's input,
so the result is the same tensor values PyTorch returns, computed out of place.
Shapes: any input shape; the output has the input's shape (softmax/log_softmax normalise ``dim``).
"""
from __future__ import annotations

import math
import warnings

import numpy as np
from scipy.special import erf

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from ._parallel import elementwise
from ._util import normalize_dim
from .elementwise import masked_grad, minimum, relu, sigmoid, stable_sigmoid, tanh, where


__all__ = ["celu", "elu", "gelu", "hardsigmoid", "hardswish", "hardtanh", "leaky_relu", "log_softmax",
           "logsigmoid", "prelu", "relu", "relu6", "selu", "sigmoid", "silu", "softmax", "softmin",
           "softplus", "softsign", "tanh"]


SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


class LeakyRelu(Function):
    """y = x if x > 0 else slope·x;  dy/dx = 1 or slope."""

    def forward(ctx, x, slope):
        ctx.pos, ctx.slope = x > 0, slope
        return np.where(ctx.pos, x, x * slope)

    def backward(ctx, g):
        return np.where(ctx.pos, g, g * ctx.slope), None

    def differentiable_backward(ctx, g):
        return g * Tensor._wrap(np.where(ctx.pos, 1.0, ctx.slope).astype(g.dtype)), None


class Elu(Function):
    """PyTorch's ELU kernel, shared by elu, selu and celu:
    y = scale·x if x > 0 else scale·alpha·(exp(x·in_scale) − 1);
    dy/dx = scale if x > 0 else scale·alpha·in_scale·exp(x·in_scale)."""

    def forward(ctx, x, alpha, scale, in_scale):
        ctx.pos = x > 0
        ctx.neg_exp = np.exp(np.minimum(x, 0) * in_scale)  # clipped so large x never overflows
        ctx.k = (scale, scale * alpha * in_scale)
        return np.where(ctx.pos, x * scale, (ctx.neg_exp - 1) * (scale * alpha)).astype(x.dtype, copy=False)

    def backward(ctx, g):
        return np.where(ctx.pos, g * ctx.k[0], g * (ctx.k[1] * ctx.neg_exp)), None, None, None

    def differentiable_backward(ctx, g):
        x = ctx.inputs[0]
        inner = (minimum(x, 0.0) * ctx.inputs[3]).exp() * ctx.k[1]
        return g * where(ctx.pos, ctx.k[0], inner), None, None, None


class Hardtanh(Function):
    """y = clip(x, lo, hi);  dy/dx = 1 strictly inside (lo, hi), else 0 (PyTorch's rule at the ends).
    Large arrays are worked on in pieces over the BLAS threads (relu6 is MobileNetV2's activation)."""

    fresh_grads = True

    def forward(ctx, x, lo, hi):
        ctx.inside, y = np.empty(x.shape, dtype=bool), np.empty_like(x)
        elementwise(lambda x, inside, y: _clip_and_mask(x, lo, hi, inside, y), x, ctx.inside, y)
        return y

    def backward(ctx, g):
        return masked_grad(g, ctx.inside), None, None

    def differentiable_backward(ctx, g):
        return g * Tensor._wrap(ctx.inside), None, None


def _clip_and_mask(x: np.ndarray, lo, hi, inside: np.ndarray, y: np.ndarray) -> None:
    """y = clip(x, lo, hi) and inside = lo < x < hi, written into ``y`` and ``inside``."""
    np.greater(x, lo, out=inside)
    inside &= np.less(x, hi)
    np.clip(x, lo, hi, out=y)


class Hardsigmoid(Function):
    """y = relu6(x + 3) / 6;  dy/dx = 1/6 on (−3, 3)."""

    def forward(ctx, x):
        ctx.inside = (x > -3) & (x < 3)
        return (np.clip(x + 3, 0, 6) / 6).astype(x.dtype, copy=False)

    def backward(ctx, g):
        return g * ctx.inside / 6

    def differentiable_backward(ctx, g):
        return g * Tensor._wrap(ctx.inside / 6)


class Hardswish(Function):
    """y = x·relu6(x + 3)/6;  dy/dx = 0 below −3, x/3 + 1/2 on [−3, 3], 1 above."""

    def forward(ctx, x):
        ctx.x = x
        return (x * np.clip(x + 3, 0, 6) / 6).astype(x.dtype, copy=False)

    def backward(ctx, g):
        x = ctx.x
        return np.where(x < -3, 0, np.where(x <= 3, g * (x / 3 + 0.5), g)).astype(g.dtype, copy=False)

    def differentiable_backward(ctx, g):
        x = ctx.inputs[0]
        return g * where(ctx.x < -3, 0.0, where(ctx.x <= 3, x / 3 + 0.5, 1.0))


class Gelu(Function):
    """exact: y = x·Φ(x), dy/dx = Φ(x) + x·φ(x);
    tanh: y = ½x(1 + t), t = tanh(k(x + 0.044715x³)), dy/dx = ½(1 + t) + ½x(1 − t²)·k(1 + 3·0.044715x²)."""

    def forward(ctx, x, approximate):
        ctx.x, ctx.approximate = x, approximate
        if approximate == "tanh":
            k = math.sqrt(2 / math.pi)
            ctx.t = np.tanh(k * (x + 0.044715 * x ** 3))
            return 0.5 * x * (1 + ctx.t)
        ctx.cdf = 0.5 * (1 + erf(x / math.sqrt(2))).astype(x.dtype, copy=False)
        return x * ctx.cdf

    def backward(ctx, g):
        x = ctx.x
        if ctx.approximate == "tanh":
            k, t = math.sqrt(2 / math.pi), ctx.t
            return g * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * k * (1 + 3 * 0.044715 * x * x))
        pdf = np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)
        return g * (ctx.cdf + x * pdf)

    def differentiable_backward(ctx, g):
        x = ctx.inputs[0]
        if ctx.approximate == "tanh":
            k = math.sqrt(2 / math.pi)
            t = tanh(k * (x + 0.044715 * x ** 3))
            return g * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * k * (1 + 3 * 0.044715 * x * x)), None
        return g * GeluSlope.apply(x), None


class GeluSlope(Function):
    """s(x) = Φ(x) + x·φ(x), exact GELU's derivative, as an op for double backward:
    ds/dx = φ(x)·(2 − x²), written with Tensor ops so that it differentiates again."""

    def forward(ctx, x):
        ctx.x = x
        cdf = 0.5 * (1 + erf(x / math.sqrt(2)))
        return (cdf + x * np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)).astype(x.dtype, copy=False)

    def backward(ctx, g):
        x = ctx.x
        return g * np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi) * (2 - x * x)

    def differentiable_backward(ctx, g):
        x = ctx.inputs[0]
        return g * (-0.5 * x * x).exp() / math.sqrt(2 * math.pi) * (2 - x * x)


class Silu(Function):
    """y = x·σ(x);  dy/dx = σ(x)·(1 + x(1 − σ(x)))."""

    def forward(ctx, x):
        ctx.x, ctx.s = x, stable_sigmoid(x)
        return x * ctx.s

    def backward(ctx, g):
        s = ctx.s
        return g * s * (1 + ctx.x * (1 - s))

    def differentiable_backward(ctx, g):
        x = ctx.inputs[0]
        s = sigmoid(x)
        return g * s * (1 + x * (1 - s))


class Softplus(Function):
    """y = log(1 + e^{βx})/β, and y = x where βx > threshold;  dy/dx = σ(βx) (1 above the threshold)."""

    def forward(ctx, x, beta, threshold):
        z = x * beta
        ctx.linear, ctx.s = z > threshold, stable_sigmoid(z)
        soft = (np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))) / beta
        return np.where(ctx.linear, x, soft).astype(x.dtype, copy=False)

    def backward(ctx, g):
        return np.where(ctx.linear, g, g * ctx.s), None, None

    def differentiable_backward(ctx, g):
        x, beta = ctx.inputs[0], ctx.inputs[1]
        return g * where(ctx.linear, 1.0, sigmoid(x * beta)), None, None


class LogSigmoid(Function):
    """y = log σ(x) = −softplus(−x);  dy/dx = 1 − σ(x)."""

    def forward(ctx, x):
        ctx.s = stable_sigmoid(x)
        return (np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))).astype(x.dtype, copy=False)

    def backward(ctx, g):
        return g * (1 - ctx.s)

    def differentiable_backward(ctx, g):
        return g * (1 - sigmoid(ctx.inputs[0]))


class Softsign(Function):
    """y = x / (1 + |x|);  dy/dx = 1 / (1 + |x|)²."""

    def forward(ctx, x):
        ctx.d = 1 + np.abs(x)
        return x / ctx.d

    def backward(ctx, g):
        return g / (ctx.d * ctx.d)

    def differentiable_backward(ctx, g):
        d = 1 + ctx.inputs[0].abs()
        return g / (d * d)


class Prelu(Function):
    """y = x if x > 0 else a_c·x, one slope per channel (dim 1) or one shared;
    dx = g or a_c·g,  da_c = Σ g·x over the non-positive x of channel c."""

    def forward(ctx, x, a):
        shape = (1, a.size) + (1,) * (x.ndim - 2) if a.size != 1 else ()  # C slopes (C may be 0), or one
        ctx.x, ctx.a, ctx.neg = x, a.reshape(shape), x <= 0
        return np.where(ctx.neg, x * ctx.a, x)

    def backward(ctx, g):
        gx = np.where(ctx.neg, g * ctx.a, g) if ctx.needs_input_grad[0] else None
        ga = None
        if ctx.needs_input_grad[1]:
            gxa = np.where(ctx.neg, g * ctx.x, 0)
            axes = tuple(i for i in range(g.ndim) if i != 1) if ctx.a.size != 1 else None
            ga = gxa.sum(axis=axes).reshape(-1)
        return gx, ga

    def differentiable_backward(ctx, g):
        x, a = ctx.inputs
        gx = where(ctx.neg, g * a.reshape(ctx.a.shape), g) if ctx.needs_input_grad[0] else None
        ga = None
        if ctx.needs_input_grad[1]:
            axes = tuple(i for i in range(g.ndim) if i != 1) if ctx.a.size != 1 else None
            ga = where(ctx.neg, g * x, 0.0).sum(axes).reshape(-1)
        return gx, ga


class Softmax(Function):
    """y = e^{x − max} / Σ e^{x − max} along dim;  dx = y·(g − Σ g·y)."""

    def forward(ctx, x, dim):
        e = np.exp(x - x.max(axis=dim, keepdims=True, initial=-np.inf))  # initial: a size-0 dim is fine
        ctx.y, ctx.dim = e / e.sum(axis=dim, keepdims=True), dim
        return ctx.y

    def backward(ctx, g):
        y = ctx.y
        return y * (g - (g * y).sum(axis=ctx.dim, keepdims=True)), None

    def differentiable_backward(ctx, g):
        y = Softmax.apply(ctx.inputs[0], ctx.dim)
        return y * (g - (g * y).sum(ctx.dim, keepdim=True)), None


class LogSoftmax(Function):
    """y = x − max − log Σ e^{x − max} along dim;  dx = g − e^y·Σ g."""

    def forward(ctx, x, dim):
        shifted = x - x.max(axis=dim, keepdims=True, initial=-np.inf)
        with np.errstate(divide="ignore"):  # log 0 only over a size-0 dim, whose output is empty
            ctx.y = shifted - np.log(np.exp(shifted).sum(axis=dim, keepdims=True))
        ctx.dim = dim
        return ctx.y

    def backward(ctx, g):
        return g - np.exp(ctx.y) * g.sum(axis=ctx.dim, keepdims=True), None

    def differentiable_backward(ctx, g):
        y = LogSoftmax.apply(ctx.inputs[0], ctx.dim)
        return g - y.exp() * g.sum(ctx.dim, keepdim=True), None


def _float(x: Tensor, name: str) -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}: expected a Tensor, got {type(x).__name__}")
    if x.dtype.kind != "f":
        raise TypeError(f"{name}: expected a floating tensor, got dtype {x.dtype}")
    return x


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """min(max(x, 0), 6)."""
    return Hardtanh.apply(_float(input, "relu6"), 0.0, 6.0)


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> Tensor:
    if min_val > max_val:
        raise ValueError(f"hardtanh: min_val ({min_val}) must not exceed max_val ({max_val})")
    return Hardtanh.apply(_float(input, "hardtanh"), min_val, max_val)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    return LeakyRelu.apply(_float(input, "leaky_relu"), negative_slope)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x if x > 0 else α(eˣ − 1)."""
    return Elu.apply(_float(input, "elu"), alpha, 1.0, 1.0)


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """scale·elu(x, α) with the self-normalising constants α ≈ 1.6733, scale ≈ 1.0507."""
    return Elu.apply(_float(input, "selu"), SELU_ALPHA, SELU_SCALE, 1.0)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """max(0, x) + min(0, α(e^{x/α} − 1))."""
    if alpha == 0:
        raise ValueError("celu: alpha must not be 0")
    return Elu.apply(_float(input, "celu"), alpha, 1.0, 1.0 / alpha)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """x·Φ(x) (``approximate='none'``) or its tanh approximation (``'tanh'``)."""
    if approximate not in ("none", "tanh"):
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    return Gelu.apply(_float(input, "gelu"), approximate)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """x·σ(x) (also called swish)."""
    return Silu.apply(_float(input, "silu"))


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + e^{βx})/β, reverting to x where βx > threshold."""
    if beta == 0:
        raise ValueError("softplus: beta must not be 0")
    return Softplus.apply(_float(input, "softplus"), beta, threshold)


def logsigmoid(input: Tensor) -> Tensor:
    return LogSigmoid.apply(_float(input, "logsigmoid"))


def softsign(input: Tensor) -> Tensor:
    return Softsign.apply(_float(input, "softsign"))


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    return Hardsigmoid.apply(_float(input, "hardsigmoid"))


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    return Hardswish.apply(_float(input, "hardswish"))


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """x if x > 0 else a·x; ``weight`` holds one slope, or one per channel (dim 1 of ``input``)."""
    _float(input, "prelu")
    k = int(np.prod(weight.shape))
    if weight.ndim > 1:
        raise ValueError(f"prelu: weight must be 1-D (or a scalar), got shape {weight.shape}")
    if k != 1 and (input.ndim < 2 or input.shape[1] != k):
        got = input.shape[1] if input.ndim >= 2 else "no channel dimension"
        raise ValueError(f"prelu: weight has {k} slopes, so input dim 1 must have {k} channels; got input "
                         f"of shape {input.shape} ({got})")
    return Prelu.apply(input, weight)


def _softmax_dim(name: str, x: Tensor, dim: int | None) -> int | None:
    """The NumPy axis to normalise over; None for a 0-d tensor, whose only valid dims are 0 and −1."""
    if dim is None:  # PyTorch's legacy implicit choice, with its warning
        warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to "
                      "include dim=X as an argument.", UserWarning, stacklevel=3)
        dim = 0 if x.ndim in (0, 1, 3) else 1
    d = normalize_dim(dim, max(x.ndim, 1), name)
    return d if x.ndim else None


def _cast_for(x: Tensor, dtype) -> Tensor:
    return x if dtype is None else x.to(np.dtype(dtype))


def softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """exp(x_i) / Σ_j exp(x_j) along ``dim``, computed after subtracting the max (never overflows)."""
    x = _cast_for(_float(input, "softmax"), dtype)
    return Softmax.apply(x, _softmax_dim("softmax", x, dim))


def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """softmax(−x)."""
    x = _cast_for(_float(input, "softmin"), dtype)
    return Softmax.apply(-x, _softmax_dim("softmin", x, dim))


def log_softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """x_i − log Σ_j exp(x_j) along ``dim``, stable for any magnitude of x."""
    x = _cast_for(_float(input, "log_softmax"), dtype)
    return LogSoftmax.apply(x, _softmax_dim("log_softmax", x, dim))
