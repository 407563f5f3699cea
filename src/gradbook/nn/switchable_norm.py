"""Switchable Normalization (Luo et al. 2018, "Differentiable Learning-to-Normalize via Switchable
Normalization"): ``SwitchableNorm1d`` and ``SwitchableNorm2d``, built from Tensor ops (autograd
gives the backward).

Each layer normalises with a learned blend of instance-, layer- and batch-norm statistics. With
h of shape (N, C, L) (L = H·W, the spatial axes flattened) and, per the paper (eqs. 3-5),

    μ_in = mean_L h            σ²_in = mean_L (h − μ_in)²                     per (n, c)
    μ_ln = mean_C μ_in         σ²_ln = mean_C (σ²_in + μ_in²) − μ_ln²          per n
    μ_bn = mean_N μ_in         σ²_bn = mean_N (σ²_in + μ_in²) − μ_bn²          per c

(all population statistics; LN's and BN's reuse IN's, which is the paper's point), the output is

    ĥ = γ · (h − Σ_k w_k μ_k) / √(Σ_k w'_k σ²_k + ε) + β,   w = softmax(λ), w' = softmax(λ')

with separate learned logits λ (``mean_weight``) and λ' (``var_weight``) over k ∈ {in, ln, bn}
(initialised equal, as the paper's code) and a per-channel affine γ, β. In evaluation the BN
branch uses running statistics, kept as BatchNorm's are (unbiased running variance; see
:func:`switchable_norm`).
"""
from __future__ import annotations

import numpy as np

from .. import backend
from ..autograd.grad_mode import no_grad
from ..autograd.tensor import Tensor
from ..ops.activation import softmax
from .module import Module, Parameter

__all__ = ["SwitchableNorm1d", "SwitchableNorm2d"]


def switchable_norm(input: Tensor, mean_weight: Tensor, var_weight: Tensor, weight: Tensor | None = None,
                    bias: Tensor | None = None, running_mean: Tensor | None = None,
                    running_var: Tensor | None = None, training: bool = True, momentum: float = 0.1,
                    eps: float = 1e-5, using_bn: bool = True, op: object = "switchable_norm") -> Tensor:
    """Switchable normalisation of ``input`` (N, C, *) (formulas in the module docstring).

    ``mean_weight`` / ``var_weight``: the logits λ, λ' over (in, ln, bn), or (in, ln) without
    ``using_bn``. An input without spatial axes, (N, C), has no instance statistics: the IN entry
    (the first logit) is left out and the blend is over LN and BN. ``training`` with ``using_bn``
    normalises with the batch's BN statistics and, when running buffers are given, updates them in
    place as BatchNorm does: running ← (1 − momentum)·running + momentum·batch, the variance being
    the unbiased one (N·L/(N·L − 1)·σ²_bn). Otherwise (evaluation) the BN branch reads the running
    statistics. ``weight``/``bias``: per-channel γ, β (C,) or None.
    """
    shape = tuple(input.shape)
    n, c = shape[0], shape[1]
    h = input.reshape(n, c, -1)
    spatial = len(shape) > 2
    mean_in = h.mean(-1, keepdim=True)  # (N, C, 1)
    var_in = h.var(-1, keepdim=True, correction=0)
    mean_ln = mean_in.mean(1, keepdim=True)  # (N, 1, 1)
    second_in = var_in + mean_in * mean_in  # mean_L h², the moment LN and BN share
    var_ln = second_in.mean(1, keepdim=True) - mean_ln * mean_ln
    means, variances = [mean_in, mean_ln], [var_in, var_ln]
    if using_bn:
        if training:
            count = n * h.shape[2]
            if count < 2:
                raise ValueError(f"{op}: expected more than 1 value per channel when training (the batch-norm "
                                 f"branch), got input of shape {shape}")
            mean_bn = mean_in.mean(0, keepdim=True)  # (1, C, 1)
            var_bn = second_in.mean(0, keepdim=True) - mean_bn * mean_bn
            if running_mean is not None:
                with no_grad():
                    running_mean.data[...] = ((1 - momentum) * running_mean.data
                                              + momentum * mean_bn.data.reshape(c))
                    running_var.data[...] = ((1 - momentum) * running_var.data
                                             + momentum * var_bn.data.reshape(c) * count / (count - 1))
        else:
            if running_mean is None or running_var is None:
                raise ValueError(f"{op}: evaluation with the batch-norm branch needs running_mean and running_var")
            mean_bn = Tensor._wrap(running_mean.data.reshape(1, c, 1))
            var_bn = Tensor._wrap(running_var.data.reshape(1, c, 1))
        means.append(mean_bn)
        variances.append(var_bn)
    if not spatial:  # no instance statistics: blend LN (and BN) only
        means, variances = means[1:], variances[1:]
        mean_weight, var_weight = mean_weight[1:], var_weight[1:]
    w_mean, w_var = softmax(mean_weight, 0), softmax(var_weight, 0)
    mean = sum(w_mean[k] * m for k, m in enumerate(means))
    var = sum(w_var[k] * v for k, v in enumerate(variances))
    out = ((h - mean) / (var + eps).sqrt()).reshape(*shape)
    affine = (1, c) + (1,) * (len(shape) - 2)
    if weight is not None:
        out = out * weight.reshape(*affine)
    if bias is not None:
        out = out + bias.reshape(*affine)
    return out


class _SwitchableNorm(Module):
    """Parameters, buffers and forward shared by SwitchableNorm1d/2d (formulas in the module docstring).

    Parameters: ``weight`` γ (C,) = 1, ``bias`` β (C,) = 0 (with ``affine``); ``mean_weight`` and
    ``var_weight``, the logits over (IN, LN, BN) (or (IN, LN) without ``using_bn``), = 1.
    Buffers (with ``using_bn``): ``running_mean`` (C,) = 0, ``running_var`` (C,) = 1,
    ``num_batches_tracked``. ``using_moving_average=True`` keeps exponential moving averages with
    ``momentum`` (BatchNorm's convention: running ← (1 − momentum)·running + momentum·batch);
    ``False`` keeps the plain average of every training batch's statistics since the last
    :meth:`reset_running_stats` (the paper's "batch average"). Evaluation uses them for the BN branch.
    """

    _ndims: tuple[int, ...] = ()
    _layout = ""

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1,
                 using_moving_average: bool = True, using_bn: bool = True, affine: bool = True,
                 device=None, dtype=None):
        super().__init__()
        name = type(self).__name__
        if not isinstance(num_features, (int, np.integer)) or isinstance(num_features, bool) or num_features < 1:
            raise ValueError(f"{name}: num_features must be a positive int, got {num_features!r}")
        if not 0 <= momentum <= 1:
            raise ValueError(f"{name}: momentum must be in [0, 1], got {momentum!r}")
        if device not in (None, "cpu"):
            raise ValueError(f"{name}: device={device!r} is not supported: gradbook arrays live on the CPU (NumPy)")
        dt = backend.get_default_dtype() if dtype is None else np.dtype(dtype)
        self.num_features, self.eps, self.momentum = int(num_features), eps, momentum
        self.using_moving_average, self.using_bn, self.affine = bool(using_moving_average), bool(using_bn), affine
        c, k = self.num_features, 3 if using_bn else 2
        self.register_parameter("weight", Parameter(np.ones(c, dt)) if affine else None)
        self.register_parameter("bias", Parameter(np.zeros(c, dt)) if affine else None)
        self.mean_weight = Parameter(np.ones(k, dt))
        self.var_weight = Parameter(np.ones(k, dt))
        if using_bn:
            self.register_buffer("running_mean", Tensor._wrap(np.zeros(c, dt)))
            self.register_buffer("running_var", Tensor._wrap(np.ones(c, dt)))
            self.register_buffer("num_batches_tracked", Tensor._wrap(np.array(0, np.int64)))
        else:
            for buffer in ("running_mean", "running_var", "num_batches_tracked"):
                self.register_buffer(buffer, None)

    def reset_running_stats(self) -> None:
        if self.using_bn:
            self.running_mean.data[...] = 0
            self.running_var.data[...] = 1
            self.num_batches_tracked.data[...] = 0

    def reset_parameters(self) -> None:
        self.reset_running_stats()
        self.mean_weight.data[...] = 1
        self.var_weight.data[...] = 1
        if self.affine:
            self.weight.data[...] = 1
            self.bias.data[...] = 0

    def forward(self, input: Tensor) -> Tensor:
        self.check_input(input, ndim=self._ndims, layout=self._layout)
        self.check_input(input, dim=1, size=self.num_features, what="{size} channels", layout=self._layout)
        momentum = self.momentum
        if self.training and self.using_bn:
            n, count = input.shape[0], int(np.prod(input.shape[2:], dtype=np.int64))
            if n * count > 1:  # a refused batch (one value per channel) leaves the count as it was
                self.num_batches_tracked.data += 1
            if not self.using_moving_average:
                momentum = 1.0 / max(float(self.num_batches_tracked.data), 1.0)
        return switchable_norm(input, self.mean_weight, self.var_weight, self.weight, self.bias,
                               self.running_mean, self.running_var, self.training, momentum, self.eps,
                               self.using_bn, op=self)

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"using_moving_average={self.using_moving_average}, using_bn={self.using_bn}, affine={self.affine}")


class SwitchableNorm2d(_SwitchableNorm):
    """Switchable normalisation over (N, C, H, W): IN over (H, W), LN over (C, H, W), BN over
    (N, H, W), blended by learned softmax weights (see the module docstring). Output: the input's shape."""

    _ndims, _layout = (4,), "(N, C, H, W)"


class SwitchableNorm1d(_SwitchableNorm):
    """Switchable normalisation over (N, C, L) (IN over L, LN over (C, L), BN over (N, L)) or (N, C),
    where an instance has no spatial extent: then the IN logit is left out and LN (over C) and BN
    (over N) are blended. Output: the input's shape."""

    _ndims, _layout = (2, 3), "(N, C) or (N, C, L)"
