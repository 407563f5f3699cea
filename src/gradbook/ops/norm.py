"""Normalisation ops: batch_norm, layer_norm, group_norm, instance_norm, local_response_norm.

Each is one fused Function. All four standardisations share one forward (x̂ = (x − μ)/σ over some
axes) and one hand-derived backward: with ĝ = γ·dy and n values per statistic,

    dx = (1/n)·(1/σ)·(n·ĝ − Σĝ − x̂·Σ(ĝ·x̂)),   dγ = Σ dy·x̂,   dβ = Σ dy,

which for batch norm is dx = (1/N)·γ/σ·(N·dy − Σdy − x̂·Σ(dy·x̂)) (γ is constant per channel).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from ._parallel import map_pieces, pieces, totals
from .shape import Pad

__all__ = ["batch_norm", "group_norm", "instance_norm", "layer_norm", "local_response_norm"]


def _mean_kept(a: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
    """The mean over ``axes``, kept as size-1 axes: Σ/n, as ``a.mean`` computes it, but without NumPy's
    "Mean of empty slice" warning for an empty batch (whose statistics are empty too)."""
    return a.sum(axis=axes, keepdims=True) / int(np.prod([a.shape[i] for i in axes]))


def _standardize(x: np.ndarray, axes: tuple[int, ...], eps: float):
    """x̂, μ, biased σ², 1/σ over ``axes`` (statistics keep their axes so they broadcast)."""
    mean = _mean_kept(x, axes)
    centered = x - mean
    var = _mean_kept(np.square(centered), axes)
    invstd = 1 / np.sqrt(var + eps)
    return np.multiply(centered, invstd, out=centered), mean, var, invstd


def _standardize_backward(ghat: np.ndarray, xhat: np.ndarray, invstd: np.ndarray, axes) -> np.ndarray:
    """dx for x̂ = (x − μ)/σ given ĝ = dL/dx̂:  (1/σ)·(ĝ − mean ĝ − x̂·mean(ĝ·x̂))."""
    return invstd * (ghat - _mean_kept(ghat, axes) - xhat * _mean_kept(ghat * xhat, axes))


def _standardize_tensor(x: Tensor, axes: tuple[int, ...], eps: float):
    """:func:`_standardize` with Tensor ops (recorded, for double backward): x̂ and 1/σ."""
    centred = x - x.mean(axes, keepdim=True)
    invstd = 1 / ((centred * centred).mean(axes, keepdim=True) + eps).sqrt()
    return centred * invstd, invstd


def _standardize_backward_tensor(ghat: Tensor, xhat: Tensor, invstd: Tensor, axes) -> Tensor:
    """:func:`_standardize_backward` with Tensor ops: (1/σ)·(ĝ − mean ĝ − x̂·mean(ĝ·x̂))."""
    return invstd * (ghat - ghat.mean(axes, keepdim=True) - xhat * (ghat * xhat).mean(axes, keepdim=True))


def _times_weight(g: Tensor, weight, shape) -> Tensor:
    return g if weight is None else g * weight.reshape(shape)


def _affine_grads_tensor(ctx, g: Tensor, xhat: Tensor, param_axes) -> tuple:
    """:func:`_affine_grads` with Tensor ops: dγ = Σ g·x̂, dβ = Σ g over ``param_axes`` (none: as is)."""
    def total(t: Tensor) -> Tensor:
        return t.sum(param_axes) if param_axes else t

    gw = total(g * xhat) if ctx.needs_input_grad[1] else None
    gb = total(g) if ctx.needs_input_grad[2] else None
    return gw, gb


def _affine(xhat, weight, bias, shape):
    if weight is None:
        return xhat if bias is None else xhat + bias.reshape(shape)
    y = xhat * weight.reshape(shape)
    return y if bias is None else np.add(y, bias.reshape(shape), out=y)


def _affine_grads(ctx, g, xhat, param_axes, shape):
    """dγ = Σ g·x̂, dβ = Σ g over every axis but the parameters' own."""
    gw = (g * xhat).sum(axis=param_axes).reshape(shape) if ctx.needs_input_grad[1] else None
    gb = g.sum(axis=param_axes).reshape(shape) if ctx.needs_input_grad[2] else None
    return gw, gb


class BatchNorm(Function):
    """y = γ·(x − μ_c)/√(σ²_c + eps) + β over axes (0, 2, 3, ...); statistics from the batch when
    ``training``, else the given running ones (then dx = γ·dy/σ, an affine map).

    In training a large input is worked on in pieces of consecutive samples, one thread each
    (``_parallel``): the per-channel sums are partial sums per piece, added in order. Pieces of
    samples are contiguous memory, where pieces of channels are N strided runs each: measured on
    128x32x16x16, backward, 2 threads, 1.16 ms by channels (no faster than one piece) against 0.78
    ms by samples."""

    fresh_grads = True

    def forward(ctx, x, weight, bias, running_mean, running_var, training, momentum, eps):
        axes = (0,) + tuple(range(2, x.ndim))
        ctx.cshape = (1, x.shape[1]) + (1,) * (x.ndim - 2)
        ctx.axes, ctx.training, ctx.weight = axes, training, weight
        if not training:
            ctx.invstd = (1 / np.sqrt(running_var + eps)).astype(x.dtype, copy=False).reshape(ctx.cshape)
            ctx.xhat = (x - running_mean.astype(x.dtype, copy=False).reshape(ctx.cshape)) * ctx.invstd
            return _affine(ctx.xhat, weight, bias, ctx.cshape)
        y, ctx.centred, mean, var, ctx.invstd = _batch_norm_train_forward(x, weight, bias, eps)
        if running_mean is not None:
            n = x.size // x.shape[1]
            _update_running(running_mean, mean, momentum)
            _update_running(running_var, var * (n / (n - 1)), momentum)
        return y

    def backward(ctx, g):
        if ctx.training:
            return (*_batch_norm_train_backward(ctx, g), None, None, None, None, None)
        gx = None
        if ctx.needs_input_grad[0]:
            gx = g * ctx.invstd if ctx.weight is None else g * (ctx.invstd * ctx.weight.reshape(ctx.cshape))
        gw, gb = _affine_grads(ctx, g, ctx.xhat, ctx.axes, (-1,))
        return gx, gw, gb, None, None, None, None, None

    def differentiable_backward(ctx, g):
        """Training: the standardisation's backward with μ, σ recomputed from x (Tensor ops);
        evaluation: the affine map's, the running statistics constants."""
        x, weight, eps = ctx.inputs[0], ctx.inputs[1], ctx.inputs[7]
        if ctx.training:
            xhat, invstd = _standardize_tensor(x, ctx.axes, eps)
            gx = _standardize_backward_tensor(_times_weight(g, weight, ctx.cshape), xhat, invstd, ctx.axes) \
                if ctx.needs_input_grad[0] else None
        else:
            invstd = Tensor._wrap(ctx.invstd)
            mean = np.asarray(ctx.inputs[3], x.dtype).reshape(ctx.cshape)
            xhat = (x - Tensor._wrap(mean)) * invstd
            gx = _times_weight(g, weight, ctx.cshape) * invstd if ctx.needs_input_grad[0] else None
        return (gx, *_affine_grads_tensor(ctx, g, xhat, ctx.axes), None, None, None, None, None)


# Re-measured with OpenBLAS's idle threads asleep, 2 threads, resnet20's training step at batch 128
# (inputs of 8, 4 and 2 MB): batch norm forward + backward 52 ms a step at 2 MiB, 56.5 at 8 MiB
# (only the 8 MB ones split), 69 unsplit; 512 KiB made mobilenet_v2_cifar's slower (463 -> 536 ms).
BN_MIN_SPLIT_BYTES = 2 << 20


def _sample_pieces(x: np.ndarray) -> list[tuple[int, int]]:
    return pieces(x.shape[0], x[:1].nbytes, min_bytes=BN_MIN_SPLIT_BYTES)


def _per_channel_sums(fn, cut) -> list[np.ndarray]:
    """``fn(start, stop)``'s per-channel partial sums over samples start:stop, added up piece by
    piece in order (the pieces depend on the sizes and the worker count, never on the timing)."""
    return totals(map_pieces(fn, cut))


def _batch_norm_train_forward(x: np.ndarray, weight, bias, eps: float):
    """y, the centred input x − μ, and the per-channel μ, σ² (biased), 1/σ (each (C,)). Three
    passes over pieces of consecutive samples (contiguous memory; the per-channel sums are partial
    sums per piece, added in order): Σx; x − μ and Σ(x − μ)²; y = (x − μ)·γ/σ + β. The sums are
    einsum reductions that write nothing, and x̂ itself is never stored (the backward folds 1/σ
    into its coefficients)."""
    c = x.shape[1]
    n = x.size // max(c, 1)
    x3 = x.reshape(x.shape[0], c, -1)
    centred, y = np.empty_like(x3), np.empty_like(x3)
    cut = _sample_pieces(x)
    mean, = _per_channel_sums(lambda start, stop: (np.einsum("ncl->c", x3[start:stop]),), cut)
    mean /= n

    def centre(start: int, stop: int) -> tuple[np.ndarray]:
        part = centred[start:stop]
        np.subtract(x3[start:stop], mean[:, None], out=part)
        return (np.einsum("ncl,ncl->c", part, part),)

    var, = _per_channel_sums(centre, cut)
    var /= n
    invstd = 1 / np.sqrt(var + eps)
    scale = (invstd if weight is None else invstd * weight)[:, None]

    def affine(start: int, stop: int) -> None:
        np.multiply(centred[start:stop], scale, out=y[start:stop])
        if bias is not None:
            y[start:stop] += bias[:, None]

    map_pieces(affine, cut)
    return y.reshape(x.shape), centred, mean, var, invstd


def _batch_norm_train_backward(ctx, g: np.ndarray):
    """The per-channel sums Σdy and Σdy·(x − μ) are taken once (einsum, nothing written) and serve
    dγ = Σdy·x̂, dβ = Σdy and
        dx = γ/σ · (dy − Σdy/n − (x − μ)·Σ(dy·x̂)/(n·σ)),
    built in place in dx in four passes; both steps over pieces of consecutive samples."""
    c = g.shape[1]
    n = g.size // max(c, 1)
    g3, centred = g.reshape(g.shape[0], c, -1), ctx.centred
    cut = _sample_pieces(g)
    sum_g, sum_gx = _per_channel_sums(
        lambda start, stop: (np.einsum("ncl->c", g3[start:stop]),
                             np.einsum("ncl,ncl->c", g3[start:stop], centred[start:stop])), cut)
    invstd = ctx.invstd
    sum_gx *= invstd
    gx = None
    if ctx.needs_input_grad[0]:
        gx = np.empty_like(g3)
        x_coef, g_mean = (invstd * sum_gx / n)[:, None], (sum_g / n)[:, None]
        scale = (invstd if ctx.weight is None else invstd * ctx.weight)[:, None]

        def input_grad(start: int, stop: int) -> None:
            out = gx[start:stop]
            np.multiply(centred[start:stop], x_coef, out=out)
            out += g_mean
            np.subtract(g3[start:stop], out, out=out)
            out *= scale

        map_pieces(input_grad, cut)
        gx = gx.reshape(g.shape)
    gw = sum_gx if ctx.needs_input_grad[1] else None
    gb = sum_g if ctx.needs_input_grad[2] else None
    return gx, gw, gb


class GroupNorm(Function):
    """Standardise each sample over groups of channels (with every spatial position), then apply a
    per-channel affine. Covers instance norm (one channel per group). x: (N, C, *)."""

    def forward(ctx, x, weight, bias, groups, eps):
        n, c = x.shape[:2]
        grouped = x.reshape(n, groups, x[:1].size // groups)  # sizes spelled out: n may be 0
        xhat, _, _, ctx.invstd = _standardize(grouped, (2,), eps)
        ctx.xhat = xhat.reshape(x.shape)
        ctx.groups, ctx.weight = groups, weight
        ctx.cshape = (1, c) + (1,) * (x.ndim - 2)
        return _affine(ctx.xhat, weight, bias, ctx.cshape)

    def backward(ctx, g):
        x_shape, n = g.shape, g.shape[0]
        gx = None
        if ctx.needs_input_grad[0]:
            ghat = g if ctx.weight is None else g * ctx.weight.reshape(ctx.cshape)
            per_group = g[:1].size // ctx.groups
            gx = _standardize_backward(ghat.reshape(n, ctx.groups, per_group),
                                       ctx.xhat.reshape(n, ctx.groups, per_group), ctx.invstd, (2,)).reshape(x_shape)
        param_axes = (0,) + tuple(range(2, g.ndim))
        gw, gb = _affine_grads(ctx, g, ctx.xhat, param_axes, (-1,))
        return gx, gw, gb, None, None

    def differentiable_backward(ctx, g):
        x, weight, eps = ctx.inputs[0], ctx.inputs[1], ctx.inputs[4]
        grouped = (x.shape[0], ctx.groups, x.data[:1].size // ctx.groups)
        xhat, invstd = _standardize_tensor(x.reshape(grouped), (2,), eps)
        gx = None
        if ctx.needs_input_grad[0]:
            ghat = _times_weight(g, weight, ctx.cshape).reshape(grouped)
            gx = _standardize_backward_tensor(ghat, xhat, invstd, (2,)).reshape(x.shape)
        param_axes = (0,) + tuple(range(2, g.ndim))
        return (gx, *_affine_grads_tensor(ctx, g, xhat.reshape(x.shape), param_axes), None, None)


class LayerNorm(Function):
    """Standardise over the last k axes (``normalized_shape``), then an elementwise affine of that shape."""

    def forward(ctx, x, weight, bias, k, eps):
        ctx.axes = tuple(range(x.ndim - k, x.ndim))
        ctx.xhat, _, _, ctx.invstd = _standardize(x, ctx.axes, eps)
        ctx.weight = weight
        return _affine(ctx.xhat, weight, bias, x.shape[x.ndim - k:])

    def backward(ctx, g):
        gx = None
        if ctx.needs_input_grad[0]:
            ghat = g if ctx.weight is None else g * ctx.weight
            gx = _standardize_backward(ghat, ctx.xhat, ctx.invstd, ctx.axes)
        lead = tuple(range(g.ndim - len(ctx.axes)))
        gw, gb = _affine_grads(ctx, g, ctx.xhat, lead, g.shape[g.ndim - len(ctx.axes):])
        return gx, gw, gb, None, None

    def differentiable_backward(ctx, g):
        x, weight, eps = ctx.inputs[0], ctx.inputs[1], ctx.inputs[4]
        xhat, invstd = _standardize_tensor(x, ctx.axes, eps)
        gx = None
        if ctx.needs_input_grad[0]:
            gx = _standardize_backward_tensor(g if weight is None else g * weight, xhat, invstd, ctx.axes)
        return (gx, *_affine_grads_tensor(ctx, g, xhat, tuple(range(g.ndim - len(ctx.axes)))), None, None)


def _window_sum(a: np.ndarray, before: int, after: int) -> np.ndarray:
    """s[c] = Σ a[c − before .. c + after] along axis 1, zero outside (a running-sum difference)."""
    pad = [(0, 0)] * a.ndim
    pad[1] = (before + 1, after)
    cs = np.cumsum(np.pad(a, pad), axis=1)
    c = a.shape[1]
    return cs[:, before + 1 + after:before + 1 + after + c] - cs[:, :c]


class LocalResponseNorm(Function):
    """y_c = x_c / d_c^β,  d_c = k + (α/n)·Σ_{j ∈ window(c)} x_j², the window n channels wide
    (n//2 before, (n−1)//2 after);
    dx_i = g_i/d_i^β − (2αβ/n)·x_i·Σ_{c: i ∈ window(c)} g_c·x_c/d_c^{β+1}."""

    def forward(ctx, x, size, alpha, beta, k):
        ctx.x, ctx.params = x, (size, alpha, beta)
        ctx.d = k + (alpha / size) * _window_sum(x * x, size // 2, (size - 1) // 2)
        ctx.scale = ctx.d ** -beta
        return x * ctx.scale

    def backward(ctx, g):
        size, alpha, beta = ctx.params
        x = ctx.x
        inner = _window_sum(g * x * ctx.scale / ctx.d, (size - 1) // 2, size // 2)
        return g * ctx.scale - (2 * alpha * beta / size) * x * inner, None, None, None, None

    def differentiable_backward(ctx, g):
        x, (size, alpha, beta), k = ctx.inputs[0], ctx.params, ctx.inputs[4]
        d = k + (alpha / size) * _window_sum_tensor(x * x, size // 2, (size - 1) // 2)
        scale = d ** -beta
        inner = _window_sum_tensor(g * x * scale / d, (size - 1) // 2, size // 2)
        return g * scale - (2 * alpha * beta / size) * x * inner, None, None, None, None


def _window_sum_tensor(a: Tensor, before: int, after: int) -> Tensor:
    """:func:`_window_sum` with Tensor ops: the before + after + 1 shifted copies of ``a`` along
    axis 1 (zero-padded) added up."""
    c = a.shape[1]
    padded = Pad.apply(a, ((0, 0), (before, after)) + ((0, 0),) * (a.ndim - 2), 0.0)
    total = padded[:, :c]
    for shift in range(1, before + after + 1):
        total = total + padded[:, shift:shift + c]
    return total


# ----------------------------------------------------------------------------- checks
def _array(t):
    return t.data if isinstance(t, Tensor) else (None if t is None else np.asarray(t))


def _check_param(name: str, what: str, p, shape: tuple[int, ...]) -> None:
    if p is not None and tuple(p.shape) != tuple(shape):
        raise ValueError(f"{name}: expected {what} of shape {tuple(shape)}, got {tuple(p.shape)}")


def _check_channels(name: str, x: Tensor) -> int:
    if not isinstance(x, Tensor) or x.dtype.kind != "f":
        raise TypeError(f"{name}: expected a floating Tensor input, got "
                        f"{x.dtype if isinstance(x, Tensor) else type(x).__name__}")
    if x.ndim < 2:
        raise ValueError(f"{name}: expected an input of shape (N, C, *) with at least 2 dimensions, "
                         f"got shape {x.shape}")
    return x.shape[1]


def _update_running(running, batch_value: np.ndarray, momentum: float) -> None:
    """running ← (1 − momentum)·running + momentum·batch_value, written into the buffer itself."""
    buf = _array(running)
    if buf is None:
        return
    buf *= 1 - momentum
    buf += momentum * batch_value.astype(buf.dtype, copy=False)


# ----------------------------------------------------------------------------- public
def batch_norm(input: Tensor, running_mean, running_var, weight: Tensor | None = None,
               bias: Tensor | None = None, training: bool = False, momentum: float = 0.1,
               eps: float = 1e-5) -> Tensor:
    """Batch normalisation over (N, C, *): y = γ·(x − μ)/√(σ² + eps) + β per channel.

    Training: μ, σ² are the batch's (biased) statistics, and the running buffers (arrays or
    Tensors, shape (C,)) are updated in place: mean ← (1 − m)·mean + m·μ, var ← (1 − m)·var +
    m·σ²·n/(n − 1) (the unbiased variance, as PyTorch does). Evaluation: the running statistics.
    ``momentum`` is the update factor; a BatchNorm layer with ``momentum=None`` passes
    1/num_batches_tracked (a cumulative average).
    """
    c = _check_channels("batch_norm", input)
    rm, rv = _array(running_mean), _array(running_var)
    for what, p in (("running_mean", rm), ("running_var", rv), ("weight", weight), ("bias", bias)):
        _check_param("batch_norm", what, p, (c,))
    if not training and (rm is None or rv is None):
        raise ValueError("batch_norm: running_mean and running_var must be given when training=False")
    n = input.data.size // c if c else 0
    if training and n == 1:
        raise ValueError(f"batch_norm: expected more than 1 value per channel when training, got input "
                         f"of shape {input.shape}")
    if training and n == 0:  # an empty batch, as in PyTorch: an empty output, zero gradients for γ and β and
        # the running statistics left alone; any statistics give that, so take the evaluation path with 0 and 1
        rm, rv, training = np.zeros(c, input.dtype), np.ones(c, input.dtype), False
    if training and momentum is None and rm is not None:
        raise ValueError("batch_norm: momentum=None is a layer option (cumulative average); pass the "
                         "factor 1/num_batches_tracked as momentum")
    return BatchNorm.apply(input, weight, bias, rm, rv, training, momentum, eps)


def layer_norm(input: Tensor, normalized_shape: Sequence[int] | int, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Normalise over the trailing ``normalized_shape`` axes: y = γ·(x − μ)/√(σ² + eps) + β,
    γ and β of shape ``normalized_shape``. Input (*, *normalized_shape)."""
    shape = (normalized_shape,) if isinstance(normalized_shape, (int, np.integer)) else tuple(normalized_shape)
    if not isinstance(input, Tensor) or input.dtype.kind != "f":
        raise TypeError("layer_norm: expected a floating Tensor input")
    if len(shape) == 0 or input.shape[input.ndim - len(shape):] != shape or input.ndim < len(shape):
        raise ValueError(f"layer_norm: expected an input whose trailing dimensions are {list(shape)}, "
                         f"got shape {input.shape}")
    _check_param("layer_norm", "weight", weight, shape)
    _check_param("layer_norm", "bias", bias, shape)
    return LayerNorm.apply(input, weight, bias, len(shape), eps)


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None, bias: Tensor | None = None,
               eps: float = 1e-5) -> Tensor:
    """Split the C channels of (N, C, *) into ``num_groups`` groups and normalise each sample's group
    (channels and positions together); then a per-channel affine γ_c, β_c."""
    c = _check_channels("group_norm", input)
    if num_groups <= 0 or c % num_groups:
        raise ValueError(f"group_norm: expected the number of channels ({c}) to be divisible by "
                         f"num_groups ({num_groups}), got input of shape {input.shape}")
    _check_param("group_norm", "weight", weight, (c,))
    _check_param("group_norm", "bias", bias, (c,))
    if input.shape[0] == 1 and c == num_groups and int(np.prod(input.shape[2:])) == 1:
        # PyTorch's rule (its _verify_batch_size on (N·C/G, G, *spatial)): one value in all
        raise ValueError(f"group_norm: expected more than 1 value per group, got input of shape {input.shape} "
                         f"with num_groups={num_groups}")
    return GroupNorm.apply(input, weight, bias, num_groups, eps)


def instance_norm(input: Tensor, running_mean=None, running_var=None, weight: Tensor | None = None,
                  bias: Tensor | None = None, use_input_stats: bool = True, momentum: float = 0.1,
                  eps: float = 1e-5) -> Tensor:
    """Normalise each (sample, channel) over its spatial positions; input (N, C, *spatial).

    With ``use_input_stats`` and running buffers, they are updated in place with the batch average
    of the per-instance mean and unbiased variance (PyTorch's rule); without ``use_input_stats``
    the running statistics are used, as batch_norm does in evaluation."""
    c = _check_channels("instance_norm", input)
    if input.ndim < 3:
        raise ValueError(f"instance_norm: expected an input of shape (N, C, *spatial), got {input.shape}")
    if not use_input_stats:
        return batch_norm(input, running_mean, running_var, weight, bias, False, momentum, eps)
    _check_param("instance_norm", "weight", weight, (c,))
    _check_param("instance_norm", "bias", bias, (c,))
    if input.shape[0] == 0:  # PyTorch refuses an empty batch here too (with an error from deep inside)
        raise ValueError(f"instance_norm: expected a non-empty batch, got input of shape {input.shape}")
    spatial = int(np.prod(input.shape[2:]))
    if spatial <= 1:
        raise ValueError(f"instance_norm: expected more than 1 spatial element when training, got input "
                         f"of shape {input.shape}")
    out = GroupNorm.apply(input, weight, bias, c, eps)
    if running_mean is not None or running_var is not None:
        axes = tuple(range(2, input.ndim))
        x = input.data
        if running_mean is not None:
            _update_running(running_mean, x.mean(axis=axes).mean(axis=0), momentum)
        if running_var is not None:
            _update_running(running_var, x.var(axis=axes, ddof=1).mean(axis=0), momentum)
    return out


def local_response_norm(input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75,
                        k: float = 1.0) -> Tensor:
    """y_c = x_c / (k + α/n·Σ_{window} x_j²)^β across channels (dim 1) of (N, C, *)."""
    _check_channels("local_response_norm", input)
    if input.ndim < 3:
        raise ValueError(f"local_response_norm: expected 3 or more dimensions, got input of shape {input.shape}")
    if size <= 0:
        raise ValueError(f"local_response_norm: size must be positive, got {size}")
    return LocalResponseNorm.apply(input, size, alpha, beta, k)
