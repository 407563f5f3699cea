"""Normalisation layers: BatchNorm1d/2d/3d, LayerNorm, GroupNorm, InstanceNorm1d/2d, LocalResponseNorm.

PyTorch's arguments, defaults, parameter and buffer names (``weight``, ``bias``, ``running_mean``,
``running_var``, ``num_batches_tracked``), so a PyTorch ``state_dict`` loads unchanged. The maths
lives in :mod:`gradbook.ops.norm` (one fused Function each).
"""
from __future__ import annotations

import warnings
from typing import Sequence

import numpy as np

from .. import backend
from ..autograd.tensor import Tensor
from ..ops import norm as F
from .module import Module, Parameter

__all__ = ["BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "GroupNorm", "InstanceNorm1d", "InstanceNorm2d",
           "LayerNorm", "LocalResponseNorm"]


def _dtype(device, dtype) -> np.dtype:
    if device not in (None, "cpu"):
        raise ValueError(f"device={device!r} is not supported: gradbook arrays live on the CPU (NumPy)")
    return backend.get_default_dtype() if dtype is None else np.dtype(dtype)


def _affine_params(module: Module, shape, dtype, affine: bool, bias: bool) -> None:
    """weight = 1 and bias = 0 (PyTorch's initialisation), or registered as None."""
    module.register_parameter("weight", Parameter(np.ones(shape, dtype)) if affine else None)
    module.register_parameter("bias", Parameter(np.zeros(shape, dtype)) if affine and bias else None)


class _NormBase(Module):
    """What batch and instance norm share: features, eps, momentum, affine parameters, running buffers."""

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True, device=None, dtype=None, *, bias: bool = True):
        super().__init__()
        if not isinstance(num_features, (int, np.integer)) or num_features <= 0:
            raise ValueError(f"{type(self).__name__}: num_features must be a positive int, got {num_features!r}")
        dt = _dtype(device, dtype)
        self.num_features, self.eps, self.momentum = int(num_features), eps, momentum
        self.affine, self.track_running_stats, self._bias = affine, track_running_stats, bias
        _affine_params(self, (self.num_features,), dt, affine, bias)
        if track_running_stats:
            self.register_buffer("running_mean", Tensor._wrap(np.zeros(self.num_features, dt)))
            self.register_buffer("running_var", Tensor._wrap(np.ones(self.num_features, dt)))
            self.register_buffer("num_batches_tracked", Tensor._wrap(np.array(0, np.int64)))
        else:
            for name in ("running_mean", "running_var", "num_batches_tracked"):
                self.register_buffer(name, None)

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            self.running_mean.data[...] = 0
            self.running_var.data[...] = 1
            self.num_batches_tracked.data[...] = 0

    def reset_parameters(self) -> None:
        self.reset_running_stats()
        if self.weight is not None:
            self.weight.data[...] = 1
        if self.bias is not None:
            self.bias.data[...] = 0

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"bias={self.affine and self._bias}, track_running_stats={self.track_running_stats}")


class _BatchNorm(_NormBase):
    """y = γ·(x − E[x])/√(Var[x] + eps) + β per channel (dim 1).

    Training: batch statistics; running_mean/var ← (1 − momentum)·running + momentum·batch (the
    unbiased batch variance), or their cumulative average when ``momentum=None``;
    ``num_batches_tracked`` counts the updates. Evaluation: the running statistics (batch
    statistics when ``track_running_stats=False``).
    """

    _ndims: tuple[int, ...] = ()
    _layout = ""

    def forward(self, input: Tensor) -> Tensor:
        self.check_input(input, ndim=self._ndims, layout=self._layout)
        self.check_input(input, dim=1, size=self.num_features, what="{size} channels", layout=self._layout)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked.data += 1
            if self.momentum is None:
                factor = 1.0 / float(self.num_batches_tracked.data)
        use_batch_stats = self.training or self.running_mean is None
        track = not self.training or self.track_running_stats
        return F.batch_norm(input, self.running_mean if track else None, self.running_var if track else None,
                            self.weight, self.bias, use_batch_stats, factor, self.eps)


class BatchNorm1d(_BatchNorm):
    """Batch norm over (N, C) or (N, C, L): statistics over N (and L) per channel C."""

    _ndims, _layout = (2, 3), "(N, C) or (N, C, L)"


class BatchNorm2d(_BatchNorm):
    """Batch norm over (N, C, H, W): statistics over N, H, W per channel C."""

    _ndims, _layout = (4,), "(N, C, H, W)"


class BatchNorm3d(_BatchNorm):
    """Batch norm over (N, C, D, H, W): statistics over N, D, H, W per channel C."""

    _ndims, _layout = (5,), "(N, C, D, H, W)"


class _InstanceNorm(_NormBase):
    """y = γ·(x − E[x])/√(Var[x] + eps) + β with statistics per sample and channel over the spatial
    axes. Defaults as PyTorch: affine=False, track_running_stats=False. An unbatched input (C, *)
    is read as a batch of one."""

    _spatial, _layout = 0, ""

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1, affine: bool = False,
                 track_running_stats: bool = False, device=None, dtype=None, *, bias: bool = True):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype, bias=bias)

    def forward(self, input: Tensor) -> Tensor:
        s = self._spatial
        self.check_input(input, ndim=(s + 1, s + 2), layout=self._layout)
        unbatched = input.ndim == s + 1
        x = input.unsqueeze(0) if unbatched else input
        if x.shape[1] != self.num_features:
            if self.affine or self.track_running_stats:
                self.check_input(x, dim=1, size=self.num_features, what="{size} channels")
            warnings.warn(f"{self!r}: expected {self.num_features} channels, got input of shape {input.shape}; "
                          "normalising anyway (affine=False)", UserWarning, stacklevel=2)
        use_input_stats = self.training or not self.track_running_stats
        out = F.instance_norm(x, self.running_mean, self.running_var, self.weight, self.bias, use_input_stats,
                              self.momentum if self.momentum is not None else 0.0, self.eps)
        return out.squeeze(0) if unbatched else out


class InstanceNorm1d(_InstanceNorm):
    """Instance norm over (N, C, L) or (C, L)."""

    _spatial, _layout = 1, "(N, C, L) or (C, L)"


class InstanceNorm2d(_InstanceNorm):
    """Instance norm over (N, C, H, W) or (C, H, W)."""

    _spatial, _layout = 2, "(N, C, H, W) or (C, H, W)"


class LayerNorm(Module):
    """y = γ·(x − E[x])/√(Var[x] + eps) + β over the trailing ``normalized_shape`` axes of each sample;
    γ (ones) and β (zeros) have shape ``normalized_shape``. Input (*, *normalized_shape)."""

    def __init__(self, normalized_shape: int | Sequence[int], eps: float = 1e-5, elementwise_affine: bool = True,
                 bias: bool = True, device=None, dtype=None):
        super().__init__()
        shape = (normalized_shape,) if isinstance(normalized_shape, (int, np.integer)) else tuple(normalized_shape)
        self.normalized_shape = tuple(int(n) for n in shape)
        self.eps, self.elementwise_affine, self._bias = eps, elementwise_affine, bias
        _affine_params(self, self.normalized_shape, _dtype(device, dtype), elementwise_affine, bias)

    def forward(self, input: Tensor) -> Tensor:
        k = len(self.normalized_shape)
        if tuple(input.shape[max(input.ndim - k, 0):]) != self.normalized_shape or input.ndim < k:
            raise ValueError(f"{self!r}: expected input with trailing dimensions {self.normalized_shape}, "
                             f"got shape {tuple(input.shape)}")
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}, "
                f"bias={self.elementwise_affine and self._bias}")


class GroupNorm(Module):
    """Split C channels into ``num_groups`` groups; normalise each sample's group over its channels
    and positions; then a per-channel affine γ (ones), β (zeros). Input (N, C, *)."""

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5, affine: bool = True, device=None,
                 dtype=None, *, bias: bool = True):
        super().__init__()
        if num_groups <= 0 or num_channels % num_groups:
            raise ValueError(f"GroupNorm: num_channels ({num_channels}) must be divisible by num_groups ({num_groups})")
        self.num_groups, self.num_channels, self.eps = int(num_groups), int(num_channels), eps
        self.affine, self._bias = affine, bias
        _affine_params(self, (self.num_channels,), _dtype(device, dtype), affine, bias)

    def forward(self, input: Tensor) -> Tensor:
        self.check_input(input, dim=1, size=self.num_channels, what="{size} channels", layout="(N, C, *)")
        return F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
                f"bias={self.affine and self._bias}")


class LocalResponseNorm(Module):
    """y_c = x_c / (k + α/n·Σ_{c' near c} x_{c'}²)^β across n neighbouring channels. Input (N, C, *)."""

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0):
        super().__init__()
        self.size, self.alpha, self.beta, self.k = size, alpha, beta, k

    def forward(self, input: Tensor) -> Tensor:
        self.check_input(input, ndim=(3, 4, 5), layout="(N, C, *spatial)")
        return F.local_response_norm(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self) -> str:
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"
