"""Loss functions with ``torch.nn.functional``'s names, argument orders, defaults and reductions.

Classification losses take logits or log-probabilities of shape (N, C) or (N, C, d1, ...) (or (C,)
unbatched) and class-index targets (N,) / (N, d1, ...); ``cross_entropy`` also takes class
probabilities of the input's shape. ``cross_entropy`` is one fused, stable Function whose gradient
is softmax − (weighted, smoothed) one-hot. Pointwise regression losses share one reduction helper.
The legacy ``size_average``/``reduce`` arguments are kept in PyTorch's positions and mapped to
``reduction`` as PyTorch does.
"""
from __future__ import annotations

import warnings

import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from .activation import LogSoftmax, softplus
from .elementwise import sigmoid, stable_sigmoid, where


__all__ = ["binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy", "huber_loss",
           "kl_div", "l1_loss", "mse_loss", "multi_margin_loss", "nll_loss", "smooth_l1_loss"]


_REDUCTIONS = ("mean", "sum", "none")


# ----------------------------------------------------------------------------- shared helpers
def _reduction(name: str, reduction: str, size_average=None, reduce=None, extra=()) -> str:
    if size_average is not None or reduce is not None:  # PyTorch's legacy_get_string
        size_average = True if size_average is None else size_average
        reduce = True if reduce is None else reduce
        reduction = "none" if not reduce else ("mean" if size_average else "sum")
    if reduction not in _REDUCTIONS + tuple(extra):
        raise ValueError(f"{name}: reduction must be one of {_REDUCTIONS + tuple(extra)}, got {reduction!r}")
    return reduction


def _reduce(loss: np.ndarray, reduction: str, denom) -> np.ndarray:
    if reduction == "none":
        return loss
    total = loss.sum()
    with np.errstate(divide="ignore", invalid="ignore"):  # the mean over no elements is NaN, silently as in torch
        return np.asarray(total if reduction == "sum" else total / denom, dtype=loss.dtype)


def _spread(g: np.ndarray, reduction: str, denom, shape) -> np.ndarray:
    """The upstream gradient as a per-element factor: g itself, or the scalar g (/ denom for 'mean')."""
    if reduction == "none":
        return g
    with np.errstate(divide="ignore", invalid="ignore"):  # denom 0 only when there is nothing to spread onto
        return np.broadcast_to(g / denom if reduction == "mean" else g, shape)


def _spread_tensor(g: Tensor, reduction: str, denom) -> Tensor:
    """:func:`_spread` for a recorded backward: the factor broadcasts where it is used."""
    return g / denom if reduction == "mean" else g


def _float_tensor(name: str, what: str, x) -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}: expected {what} to be a Tensor, got {type(x).__name__}")
    if x.dtype.kind != "f":
        raise TypeError(f"{name}: expected {what} to be a floating tensor, got dtype {x.dtype}")
    return x


def _target(t) -> Tensor:
    return t if isinstance(t, Tensor) else Tensor._wrap(np.asarray(t))


def _check_classes(name: str, target: np.ndarray, c: int, ignore_index: int | None) -> None:
    bad = (target < 0) | (target >= c)
    if ignore_index is not None:
        bad &= target != ignore_index
    if bad.any():
        value = int(target[bad].flat[0])
        ignore = f" (or ignore_index={ignore_index})" if ignore_index is not None else ""
        raise ValueError(f"{name}: target {value} is out of range for {c} classes; expected class "
                         f"indices in [0, {c - 1}]{ignore}")


def _class_input(name: str, input: Tensor, target: Tensor, probabilities_ok: bool) -> bool:
    """Validate (N, C, *) input against (N, *) index targets; True when target holds probabilities."""
    if input.ndim == 0:
        raise ValueError(f"{name}: expected input of shape (C,), (N, C) or (N, C, d1, ...), got a scalar")
    if probabilities_ok and target.dtype.kind == "f":
        if target.shape != input.shape:
            raise ValueError(f"{name}: class-probability target must have the input's shape {input.shape}, "
                             f"got {target.shape}")
        return True
    if target.dtype.kind not in "iu":
        raise TypeError(f"{name}: expected integer class-index targets, got dtype {target.dtype}")
    want = () if input.ndim == 1 else (input.shape[0],) + input.shape[2:]
    if target.shape != want:
        raise ValueError(f"{name}: expected target of shape {want} for input of shape {input.shape}, "
                         f"got target of shape {target.shape}")
    return False


def _class_weight(name: str, weight, c: int, dtype) -> np.ndarray | None:
    if weight is None:
        return None
    w = weight.data if isinstance(weight, Tensor) else np.asarray(weight)
    if w.shape != (c,):
        raise ValueError(f"{name}: expected weight of shape ({c},) (one per class), got {w.shape}")
    return w.astype(dtype, copy=False)


def _channel_view(w: np.ndarray, ndim: int) -> np.ndarray:
    """Per-class values shaped to broadcast along dim 1 of an (N, C, *) array."""
    return w.reshape((1, -1) + (1,) * (ndim - 2))


def _onehot(target: np.ndarray, c: int, dtype) -> np.ndarray:
    """(N, *) indices → (N, C, *) one-hot."""
    out = np.zeros((target.shape[0], c) + target.shape[1:], dtype)
    np.put_along_axis(out, target[:, None], 1, axis=1)
    return out


# ----------------------------------------------------------------------------- classification
class CrossEntropy(Function):
    """L_i = −Σ_c a_ic·log softmax(x_i)_c with a the target distribution, class weights folded in:
    indices: a = (1 − ε)·w_t·onehot(t) + (ε/C)·w (zero where t = ignore_index);
    probabilities: a = w·((1 − ε)·q + ε/C).  dL_i/dx_i = softmax(x_i)·Σ_c a_ic − a_i.
    'mean' divides by Σ w_t over the kept targets (indices) or by N·d1·... (probabilities)."""

    def forward(ctx, x, target, a, weight_eps, denom, reduction):
        shifted = x - x.max(axis=1, keepdims=True)
        logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        ctx.logp, ctx.a, ctx.reduction, ctx.denom = logp, a, reduction, denom
        ctx.weight_eps = weight_eps
        return _reduce(-(a * logp).sum(axis=1), reduction, denom)

    def backward(ctx, g):
        a, logp = ctx.a, ctx.logp
        g = np.expand_dims(_spread(g, ctx.reduction, ctx.denom, logp[:, 0].shape), 1)
        gx = g * (np.exp(logp) * a.sum(axis=1, keepdims=True) - a) if ctx.needs_input_grad[0] else None
        gt = None
        if ctx.needs_input_grad[1]:  # d/dq of −Σ w·(1 − ε)·q·log p
            weight, eps = ctx.weight_eps
            gt = -g * logp * (1 - eps) * (1 if weight is None else _channel_view(weight, logp.ndim))
        return gx, gt, None, None, None, None

    def differentiable_backward(ctx, g):
        x, target = ctx.inputs[0], ctx.inputs[1]
        logp = LogSoftmax.apply(x, 1)
        weight, eps = ctx.weight_eps
        w_view = 1 if weight is None else Tensor._wrap(_channel_view(weight, logp.ndim))
        if target is not None and target.requires_grad:  # a as a function of the probabilities q
            c = x.shape[1]
            a = (target * (1 - eps) + eps / c if eps else target) * w_view
        else:
            a = Tensor._wrap(ctx.a)
        g = _spread_tensor(g, ctx.reduction, ctx.denom).unsqueeze(1) if ctx.reduction == "none" \
            else _spread_tensor(g, ctx.reduction, ctx.denom)
        gx = g * (logp.exp() * a.sum(1, keepdim=True) - a) if ctx.needs_input_grad[0] else None
        gt = -g * logp * (1 - eps) * w_view if ctx.needs_input_grad[1] else None
        return gx, gt, None, None, None, None


class NllLoss(Function):
    """L_i = −w_{t_i}·x_{i, t_i} (x holds log-probabilities);  dL/dx = −w_t·onehot(t)."""

    def forward(ctx, x, a, denom, reduction):
        ctx.a, ctx.reduction, ctx.denom = a, reduction, denom
        return _reduce(-(a * x).sum(axis=1), reduction, denom)

    def backward(ctx, g):
        g = np.expand_dims(_spread(g, ctx.reduction, ctx.denom, ctx.a[:, 0].shape), 1)
        return -g * ctx.a, None, None, None

    def differentiable_backward(ctx, g):
        g = _spread_tensor(g, ctx.reduction, ctx.denom)
        if ctx.reduction == "none":
            g = g.unsqueeze(1)
        return -g * Tensor._wrap(ctx.a), None, None, None


def _index_weights(name, input, target, weight, ignore_index, dtype):
    """(N, C, *) input with (N, *) targets → (w_t·onehot masked by ignore_index, Σ kept w_t, C-weights)."""
    c = input.shape[1]
    t = target.data
    _check_classes(name, t, c, ignore_index)
    keep = t != ignore_index
    safe = np.where(keep, t, 0)
    w = _class_weight(name, weight, c, dtype)
    wt = (np.ones(t.shape, dtype) if w is None else w[safe]) * keep
    return _onehot(safe, c, dtype) * np.expand_dims(wt, 1), wt.sum(), w


def _as_batch(input: Tensor, target: Tensor, probs: bool = False):
    """A (C,) input (with a scalar or (C,) target) becomes a batch of one; the flag says so."""
    if input.ndim != 1:
        return input, target, False
    return input.reshape(1, -1), (target.reshape(1, -1) if probs else _target(target.data.reshape(1))), True


def _unbatch(out: Tensor, unbatched: bool, reduction: str) -> Tensor:
    return out.reshape(()) if unbatched and reduction == "none" else out


def cross_entropy(input: Tensor, target, weight=None, size_average=None, ignore_index: int = -100,
                  reduce=None, reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
    """Softmax cross-entropy from logits: −Σ_c a_c·log softmax(x)_c (see :class:`CrossEntropy`).

    input: (C,), (N, C) or (N, C, d1, ...); target: class indices (), (N,), (N, d1, ...) or class
    probabilities of the input's shape. Output: scalar, or (N, d1, ...) with reduction='none'.
    """
    name = "cross_entropy"
    reduction = _reduction(name, reduction, size_average, reduce)
    input, target = _float_tensor(name, "input", input), _target(target)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"{name}: label_smoothing must be in [0, 1], got {label_smoothing}")
    probs = _class_input(name, input, target, probabilities_ok=True)
    input, target, unbatched = _as_batch(input, target, probs)
    c, dtype, eps = input.shape[1], input.dtype, label_smoothing
    if probs:
        w = _class_weight(name, weight, c, dtype)
        q = target.data.astype(dtype, copy=False)
        a = q * (1 - eps) + eps / c if eps else q
        if w is not None:
            a = a * _channel_view(w, a.ndim)
        denom = q.size // c
        out = CrossEntropy.apply(input, target, a, (w, eps), denom, reduction)
    else:
        a, denom, w = _index_weights(name, input, target, weight, ignore_index, dtype)
        if eps:
            kept = np.expand_dims(target.data != ignore_index, 1)
            spread = np.ones((1, c) + (1,) * (input.ndim - 2), dtype) if w is None else _channel_view(w, input.ndim)
            a = (1 - eps) * a + (eps / c) * spread * kept
        out = CrossEntropy.apply(input, None, a, (w, eps), denom, reduction)
    return _unbatch(out, unbatched, reduction)


def nll_loss(input: Tensor, target, weight=None, size_average=None, ignore_index: int = -100, reduce=None,
             reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of log-probabilities: −w_t·x_t; 'mean' divides by Σ w_t over kept targets.
    input (C,), (N, C) or (N, C, d1, ...); target (), (N,) or (N, d1, ...)."""
    name = "nll_loss"
    reduction = _reduction(name, reduction, size_average, reduce)
    input, target = _float_tensor(name, "input", input), _target(target)
    _class_input(name, input, target, probabilities_ok=False)
    input, target, unbatched = _as_batch(input, target)
    a, denom, _ = _index_weights(name, input, target, weight, ignore_index, input.dtype)
    return _unbatch(NllLoss.apply(input, a, denom, reduction), unbatched, reduction)


class MultiMargin(Function):
    """L_i = Σ_{j≠y} w_y·max(0, margin − x_y + x_j)^p / C;  dx_j = w_y·p·z_j^{p−1}/C on active j ≠ y,
    dx_y = −Σ_j dx_j."""

    def forward(ctx, x, target, w_t, p, margin, reduction):
        c = x.shape[1]
        rows = np.arange(x.shape[0])
        z = margin - x[rows, target][:, None] + x
        z[rows, target] = 0
        active = z > 0
        h = np.where(active, z if p == 1 else z * z, 0)
        ctx.dh = np.where(active, 1.0 if p == 1 else 2 * z, 0).astype(x.dtype) * (w_t[:, None] / c)
        ctx.rows, ctx.target, ctx.reduction, ctx.n = rows, target, reduction, x.shape[0]
        return _reduce((h.sum(axis=1) * w_t / c).astype(x.dtype, copy=False), reduction, x.shape[0])

    def backward(ctx, g):
        g = _spread(g, ctx.reduction, ctx.n, (ctx.n,))[:, None]
        gx = g * ctx.dh
        gx[ctx.rows, ctx.target] = -gx.sum(axis=1)
        return gx, None, None, None, None, None


def multi_margin_loss(input: Tensor, target, p: int = 1, margin: float = 1.0, weight=None, size_average=None,
                      reduce=None, reduction: str = "mean") -> Tensor:
    """Multi-class hinge loss (p=1) or squared hinge (p=2) on scores (N, C) or (C,); target (N,) or ()."""
    name = "multi_margin_loss"
    reduction = _reduction(name, reduction, size_average, reduce)
    input, target = _float_tensor(name, "input", input), _target(target)
    if p not in (1, 2):
        raise ValueError(f"{name}: only p=1 (hinge) and p=2 (squared hinge) are supported, got p={p}")
    if input.ndim not in (1, 2):
        raise ValueError(f"{name}: expected input of shape (N, C) or (C,), got {input.shape}")
    _class_input(name, input, target, probabilities_ok=False)
    input, target, unbatched = _as_batch(input, target)
    c, t = input.shape[1], target.data
    _check_classes(name, t, c, None)
    w = _class_weight(name, weight, c, input.dtype)
    w_t = np.ones(t.shape, input.dtype) if w is None else w[t]
    return _unbatch(MultiMargin.apply(input, t, w_t, p, margin, reduction), unbatched, reduction)


# ----------------------------------------------------------------------------- pointwise losses
class _Pointwise(Function):
    """A loss l(x, y) per element times an optional weight, then reduced. Subclasses give
    ``value(x, y, *params)`` and ``partials(x, y, *params)`` → (∂l/∂x, ∂l/∂y)."""

    def forward(ctx, x, y, weight, reduction, denom, *params):
        ctx.x, ctx.y, ctx.weight, ctx.params = x, y, weight, params
        ctx.reduction, ctx.denom = reduction, denom
        loss = ctx.value(x, y, *params)
        if weight is not None:
            loss = loss * weight
        ctx.shape = loss.shape
        return _reduce(loss.astype(np.result_type(x, y), copy=False), reduction,
                       loss.size if denom is None else denom)

    def backward(ctx, g):
        g = _spread(g, ctx.reduction, np.prod(ctx.shape) if ctx.denom is None else ctx.denom, ctx.shape)
        if ctx.weight is not None:
            g = g * ctx.weight
        dx, dy = ctx.partials(ctx.x, ctx.y, *ctx.params)
        return (g * dx if ctx.needs_input_grad[0] else None,
                g * dy if ctx.needs_input_grad[1] else None, None, None, None) + (None,) * len(ctx.params)

    def differentiable_backward(ctx, g):
        partials = getattr(ctx, "tensor_partials", None)
        if partials is None:
            return super().differentiable_backward(g)  # first order only: no partials as Tensor ops
        x, y = ctx.inputs[0], ctx.inputs[1]
        g = _spread_tensor(g, ctx.reduction, np.prod(ctx.shape) if ctx.denom is None else ctx.denom)
        if ctx.weight is not None:
            g = g * Tensor._wrap(ctx.weight)
        dx, dy = partials(x, y, *ctx.params)
        return (g * dx if ctx.needs_input_grad[0] else None,
                g * dy if ctx.needs_input_grad[1] else None, None, None, None) + (None,) * len(ctx.params)


class MSE(_Pointwise):
    """(x − y)²;  ∂/∂x = 2(x − y) = −∂/∂y."""

    def value(ctx, x, y):
        d = x - y
        return d * d

    def partials(ctx, x, y):
        d = 2 * (x - y)
        return d, -d

    def tensor_partials(ctx, x, y):
        d = 2 * (x - y)
        return d, -d


class L1(_Pointwise):
    """|x − y|;  ∂/∂x = sign(x − y)."""

    def value(ctx, x, y):
        return np.abs(x - y)

    def partials(ctx, x, y):
        s = np.sign(x - y)
        return s, -s

    def tensor_partials(ctx, x, y):
        s = Tensor._wrap(np.sign(ctx.x - ctx.y))
        return s, -s


class SmoothL1(_Pointwise):
    """½d²/β where |d| < β, else |d| − β/2;  ∂/∂x = d/β or sign(d) (β = 0 is the L1 loss)."""

    def value(ctx, x, y, beta):
        a = np.abs(x - y)
        return np.where(a < beta, 0.5 * a * a / (beta or 1), a - 0.5 * beta)

    def partials(ctx, x, y, beta):
        d = x - y
        s = np.where(np.abs(d) < beta, d / (beta or 1), np.sign(d))
        return s, -s

    def tensor_partials(ctx, x, y, beta):
        d = ctx.x - ctx.y
        s = where(np.abs(d) < beta, (x - y) / (beta or 1), np.sign(d))
        return s, -s


class Huber(_Pointwise):
    """½d² where |d| < δ, else δ(|d| − δ/2);  ∂/∂x = clip(d, −δ, δ)."""

    def value(ctx, x, y, delta):
        a = np.abs(x - y)
        return np.where(a < delta, 0.5 * a * a, delta * (a - 0.5 * delta))

    def partials(ctx, x, y, delta):
        s = np.clip(x - y, -delta, delta)
        return s, -s

    def tensor_partials(ctx, x, y, delta):
        d = ctx.x - ctx.y
        s = where(np.abs(d) <= delta, x - y, np.clip(d, -delta, delta))
        return s, -s


class BCE(_Pointwise):
    """−(y·log x + (1 − y)·log(1 − x)), logs clamped at −100 as PyTorch does;
    ∂/∂x = (x − y)/max(x(1 − x), 1e-12),  ∂/∂y = log(1 − x) − log x (clamped)."""

    def value(ctx, x, y):
        with np.errstate(divide="ignore"):
            return -(y * np.maximum(np.log(x), -100) + (1 - y) * np.maximum(np.log1p(-x), -100))

    def partials(ctx, x, y):
        with np.errstate(divide="ignore"):
            dy = np.maximum(np.log1p(-x), -100) - np.maximum(np.log(x), -100)
        return (x - y) / np.maximum(x * (1 - x), 1e-12), dy


class BCEWithLogits(_Pointwise):
    """(1 − y)·softplus(x) + p·y·softplus(−x) (p = pos_weight, 1 by default), stable for any x;
    ∂/∂x = (1 − y)·σ(x) − p·y·(1 − σ(x)),  ∂/∂y = p·softplus(−x) − softplus(x)."""

    def value(ctx, x, y, pos_weight):
        sp_pos, sp_neg = _softplus(x), _softplus(-x)
        return (1 - y) * sp_pos + (y * sp_neg if pos_weight is None else pos_weight * y * sp_neg)

    def partials(ctx, x, y, pos_weight):
        s = stable_sigmoid(x)
        pw = 1 if pos_weight is None else pos_weight
        return (1 - y) * s - pw * y * (1 - s), pw * _softplus(-x) - _softplus(x)

    def tensor_partials(ctx, x, y, pos_weight):
        s = sigmoid(x)
        pw = 1 if pos_weight is None else Tensor._wrap(pos_weight)
        return (1 - y) * s - pw * y * (1 - s), pw * softplus(-x) - softplus(x)


class KLDiv(_Pointwise):
    """y·(log y − x) (0 where y = 0), or e^y·(y − x) with log_target;
    ∂/∂x = −y or −e^y,  ∂/∂y = log y + 1 − x (0 where y = 0) or e^y·(y − x + 1)."""

    def value(ctx, x, y, log_target):
        if log_target:
            return np.exp(y) * (y - x)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(y > 0, y * (np.log(np.where(y > 0, y, 1)) - x), 0)

    def partials(ctx, x, y, log_target):
        if log_target:
            e = np.exp(y)
            return -e, e * (y - x + 1)
        return -y, np.where(y > 0, np.log(np.where(y > 0, y, 1)) + 1 - x, 0)


def _softplus(x: np.ndarray) -> np.ndarray:
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


def _pointwise(cls, name: str, input, target, reduction: str, weight=None, params=(), weight_mean=False,
               strict_shape=False) -> Tensor:
    input = _float_tensor(name, "input", input)
    target = _float_tensor(name, "target", target if isinstance(target, Tensor) else _target(target))
    if input.shape != target.shape:
        if strict_shape:
            raise ValueError(f"{name}: target shape {target.shape} must equal input shape {input.shape}")
        try:
            np.broadcast_shapes(input.shape, target.shape)
        except ValueError:
            raise ValueError(f"{name}: target shape {target.shape} cannot be broadcast to input shape "
                             f"{input.shape}") from None
        warnings.warn(f"{name}: using a target size ({target.shape}) that is different to the input size "
                      f"({input.shape}); the two are broadcast.", UserWarning, stacklevel=3)
    w = None
    if weight is not None:
        w = weight.data if isinstance(weight, Tensor) else np.asarray(weight)
        if w.shape != input.shape:
            raise ValueError(f"{name}: weight of shape {w.shape} must have the input's shape {input.shape}")
        w = w.astype(input.dtype, copy=False)
    denom = float(w.sum()) if (w is not None and weight_mean) else None
    return cls.apply(input, target, w, reduction, denom, *params)


def mse_loss(input: Tensor, target, size_average=None, reduce=None, reduction: str = "mean",
             weight=None) -> Tensor:
    """mean/sum of (x − y)²·w; a weighted 'mean' divides by Σw (PyTorch's rule)."""
    reduction = _reduction("mse_loss", reduction, size_average, reduce)
    return _pointwise(MSE, "mse_loss", input, target, reduction, weight, weight_mean=True)


def l1_loss(input: Tensor, target, size_average=None, reduce=None, reduction: str = "mean",
            weight=None) -> Tensor:
    """mean/sum of |x − y|·w; a weighted 'mean' divides by Σw (PyTorch's rule)."""
    reduction = _reduction("l1_loss", reduction, size_average, reduce)
    return _pointwise(L1, "l1_loss", input, target, reduction, weight, weight_mean=True)


def smooth_l1_loss(input: Tensor, target, size_average=None, reduce=None, reduction: str = "mean",
                   beta: float = 1.0) -> Tensor:
    """½d²/β for |d| < β, else |d| − β/2, d = x − y."""
    reduction = _reduction("smooth_l1_loss", reduction, size_average, reduce)
    if beta < 0:
        raise ValueError(f"smooth_l1_loss: beta must be non-negative, got {beta}")
    return _pointwise(SmoothL1, "smooth_l1_loss", input, target, reduction, params=(beta,))


def huber_loss(input: Tensor, target, reduction: str = "mean", delta: float = 1.0, weight=None) -> Tensor:
    """½d² for |d| < δ, else δ(|d| − δ/2), d = x − y; a weighted 'mean' divides by the element count."""
    reduction = _reduction("huber_loss", reduction)
    if delta <= 0:
        raise ValueError(f"huber_loss: delta must be positive, got {delta}")
    return _pointwise(Huber, "huber_loss", input, target, reduction, weight, params=(delta,))


def binary_cross_entropy(input: Tensor, target, weight=None, size_average=None, reduce=None,
                         reduction: str = "mean") -> Tensor:
    """−w·(y·log x + (1 − y)·log(1 − x)) on probabilities x ∈ [0, 1]; target of the input's shape."""
    name = "binary_cross_entropy"
    reduction = _reduction(name, reduction, size_average, reduce)
    x = _float_tensor(name, "input", input)
    if x.data.size and (x.data.min() < 0 or x.data.max() > 1):
        raise ValueError(f"{name}: all elements of input should be between 0 and 1 (probabilities); got "
                         f"values in [{x.data.min():.4g}, {x.data.max():.4g}]")
    if weight is not None:
        weight = np.broadcast_to(weight.data if isinstance(weight, Tensor) else np.asarray(weight), x.shape)
    return _pointwise(BCE, name, x, target, reduction, weight, strict_shape=True)


def binary_cross_entropy_with_logits(input: Tensor, target, weight=None, size_average=None, reduce=None,
                                     reduction: str = "mean", pos_weight=None) -> Tensor:
    """−w·(p·y·log σ(x) + (1 − y)·log(1 − σ(x))) from logits, stable for any x; ``pos_weight``
    (broadcast along the last dim, one per class) weighs the positive term."""
    name = "binary_cross_entropy_with_logits"
    reduction = _reduction(name, reduction, size_average, reduce)
    x = _float_tensor(name, "input", input)
    if weight is not None:
        weight = np.broadcast_to(weight.data if isinstance(weight, Tensor) else np.asarray(weight), x.shape)
    pw = None
    if pos_weight is not None:
        pw = (pos_weight.data if isinstance(pos_weight, Tensor) else np.asarray(pos_weight)).astype(x.dtype)
        try:
            np.broadcast_shapes(pw.shape, x.shape)
        except ValueError:
            raise ValueError(f"{name}: pos_weight of shape {pw.shape} cannot be broadcast to input shape "
                             f"{x.shape}") from None
    return _pointwise(BCEWithLogits, name, x, target, reduction, weight, params=(pw,), strict_shape=True)


def kl_div(input: Tensor, target, size_average=None, reduce=None, reduction: str = "mean",
           log_target: bool = False) -> Tensor:
    """Σ y·(log y − x) with x = log q (and y given as log y when ``log_target``).
    reduction='batchmean' divides the sum by the batch size (the true KL divergence per sample);
    'mean' divides by the element count, as PyTorch does."""
    name = "kl_div"
    reduction = _reduction(name, reduction, size_average, reduce, extra=("batchmean",))
    x = _float_tensor(name, "input", input)
    if reduction == "batchmean":
        out = _pointwise(KLDiv, name, x, target, "sum", params=(bool(log_target),))
        return out / x.shape[0] if x.ndim else out
    return _pointwise(KLDiv, name, x, target, reduction, params=(bool(log_target),))
