"""Binary weights (BinaryConnect, BWN) and binary weights and activations (XNOR-Net), trained with
the straight-through estimator.

* BinaryConnect (Courbariaux et al. 2015): W_b = sign(W);
* BWN (Rastegari et al. 2016): W_b = α·sign(W) with one α per output filter, α = mean|W| over the
  filter (the α minimising ‖W − α·sign(W)‖²);
* XNOR-Net: BWN weights and binary inputs, y = (sign(x) ⊛ sign(W)) ⊙ K·α, where K is the mean |x|
  over the input channels averaged over each receptive field (a Linear layer: over the features).

sign(0) = +1. The real-valued weights W are kept and trained: sign's gradient is taken as the
straight-through estimator ∂sign(x)/∂x ≈ 1 for |x| ≤ 1 and 0 beyond (Hubara et al.'s clipping),
so with α = mean|W| (differentiated as well) ∂L/∂W_i = α·g_i·1{|W_i| ≤ 1} + sign(W_i)/n·Σ_j g_j sign(W_j)
over the n weights of the filter — XNOR-Net's weight gradient. K is treated as a constant.

An XNOR layer normalises its input first (``input_norm``, a BatchNorm as in XNOR-Net's block
BN → sign → conv): after a ReLU every input is ≥ 0 and sign(x) would be +1 everywhere.
"""
from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from ..nn import functional as F
from ..nn.conv import Conv2d
from ..nn.linear import Linear
from ..nn.module import Module
from ..nn.normalization import BatchNorm1d, BatchNorm2d

__all__ = ["MODES", "sign_ste", "binary_weight", "BinaryLinear", "BinaryConv2d", "binarize", "binarized_layers"]

MODES = ("binaryconnect", "bwn", "xnor")


class SignSTE(Function):
    """y = sign(x) (sign(0) = +1); the backward passes the gradient where |x| ≤ 1: g·1{|x| ≤ 1}."""

    fresh_grads = True

    def forward(ctx, x):
        ctx.inside = np.abs(x) <= 1
        return np.where(x >= 0, 1, -1).astype(x.dtype)

    def backward(ctx, grad):
        return grad * ctx.inside


def sign_ste(x: Tensor) -> Tensor:
    return SignSTE.apply(x)


def _check_mode(mode: str, where: str) -> str:
    if mode not in MODES:
        raise ValueError(f"{where}: mode must be one of {MODES}, got {mode!r}")
    return mode


def binary_weight(w: Tensor, mode: str) -> Tensor:
    """sign(W) (binaryconnect) or α·sign(W) with α = mean|W| per output filter (bwn, xnor)."""
    _check_mode(mode, "binary_weight")
    b = sign_ste(w)
    if mode == "binaryconnect":
        return b
    return b * w.abs().mean(dim=tuple(range(1, w.ndim)), keepdim=True)


class BinaryLinear(Linear):
    """``Linear`` with binary weights (and, for ``mode='xnor'``, binary inputs scaled by K = mean|x|)."""

    mode = "bwn"

    def __init__(self, in_features: int, out_features: int, bias: bool = True, mode: str = "bwn", dtype=None):
        super().__init__(in_features, out_features, bias, dtype)
        self.mode = _check_mode(mode, "BinaryLinear")
        _add_input_norm(self)

    def forward(self, input: Tensor) -> Tensor:
        self.check_input(input, dim=-1, size=self.in_features, what="last dimension {size}",
                         layout="(*, in_features)")
        w = binary_weight(self.weight, self.mode)
        if self.mode != "xnor":
            return F.linear(input, w, self.bias)
        input = self.input_norm(input)
        k = Tensor._wrap(np.abs(input.data).mean(axis=-1, keepdims=True))
        out = F.linear(sign_ste(input), w) * k
        return out if self.bias is None else out + self.bias

    def extra_repr(self) -> str:
        return f"{super().extra_repr()}, mode={self.mode!r}"


class BinaryConv2d(Conv2d):
    """``Conv2d`` with binary weights (and, for ``mode='xnor'``, binary inputs scaled by K)."""

    mode = "bwn"

    def __init__(self, *args, mode: str = "bwn", **kwargs):
        super().__init__(*args, **kwargs)
        self.mode = _check_mode(mode, "BinaryConv2d")
        _add_input_norm(self)

    def forward(self, input: Tensor) -> Tensor:
        self._check(input)
        if self.mode == "xnor":
            input = self.input_norm(input)
        x, padding = self._pad_by_mode(input)
        w = binary_weight(self.weight, self.mode)
        if self.mode != "xnor":
            return F.conv2d(x, w, self.bias, self.stride, padding, self.dilation, self.groups)
        a = np.abs(x.data).mean(axis=-3, keepdims=True)  # (N, 1, H, W): mean |x| over channels
        kh, kw = self.weight.shape[-2:]
        box = np.full((1, 1, kh, kw), 1.0 / (kh * kw), a.dtype)
        k = F.conv2d(Tensor._wrap(a), Tensor._wrap(box), None, self.stride, padding, self.dilation)
        out = F.conv2d(sign_ste(x), w, None, self.stride, padding, self.dilation, self.groups) * k
        return out if self.bias is None else out + self.bias.reshape(1, -1, 1, 1)

    def extra_repr(self) -> str:
        return f"{super().extra_repr()}, mode={self.mode!r}"


_BINARY = {Linear: BinaryLinear, Conv2d: BinaryConv2d}


def _add_input_norm(layer: Module) -> None:
    """XNOR layers normalise their input (BatchNorm1d/2d over the input features or channels)."""
    if layer.mode == "xnor":
        size = layer.in_features if isinstance(layer, Linear) else layer.in_channels
        norm = BatchNorm1d if isinstance(layer, Linear) else BatchNorm2d
        layer.input_norm = norm(size, dtype=layer.weight.dtype)


def binarized_layers(model: Module) -> list[tuple[str, Module]]:
    return [(n, m) for n, m in model.named_modules() if isinstance(m, (BinaryLinear, BinaryConv2d))]


def binarize(model: Module, mode: str = "bwn", skip_first_last: bool = True) -> Module:
    """Replace the ``Linear`` and ``Conv2d`` layers of ``model`` in place by their binary versions
    (same Parameters, same state-dict keys); the first and the last such layer stay full precision
    unless ``skip_first_last=False`` (as in the XNOR-Net and BWN papers). Returns ``model``."""
    _check_mode(mode, "binarize")
    found = [(parent, name, child) for _, parent in model.named_modules()
             for name, child in parent._modules.items() if type(child) in _BINARY]
    if skip_first_last:
        found = found[1:-1]
    if not found:
        raise ValueError(f"binarize: {type(model).__name__} has no Linear or Conv2d layer to binarise"
                         + (" besides its first and last (skip_first_last=True)" if skip_first_last else ""))
    for parent, name, child in found:
        new = _BINARY[type(child)].__new__(_BINARY[type(child)])
        new.__dict__.update(child.__dict__)
        new.mode = mode
        _add_input_norm(new)
        parent._modules[name] = new  # in place: a Sequential keeps its order
    return model
