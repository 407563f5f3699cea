"""Blocks shared by the torchvision-named models: torchvision's ``Conv2dNormActivation`` (from
``torchvision.ops.misc``) and ``_make_divisible`` (from ``torchvision.models._utils``)."""
from __future__ import annotations

from typing import Callable

from ..nn import BatchNorm2d, Conv2d, Module, ReLU, Sequential

__all__ = ["Conv2dNormActivation", "make_divisible"]


class Conv2dNormActivation(Sequential):
    """conv → norm → activation as one Sequential, keys ``0`` (conv), ``1`` (norm), ``2`` (activation).

    ``padding=None`` keeps the size at stride 1: (kernel_size − 1)//2 · dilation. ``bias=None``
    gives the conv a bias only when there is no norm. ``norm_layer`` / ``activation_layer`` are
    factories (``None`` leaves that layer out); the activation gets ``inplace=inplace`` unless
    ``inplace`` is None. Input (N, in_channels, H, W) → (N, out_channels, H', W').
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int = 3, stride: int = 1,
                 padding: int | None = None, groups: int = 1,
                 norm_layer: Callable[..., Module] | None = BatchNorm2d,
                 activation_layer: Callable[..., Module] | None = ReLU, dilation: int = 1,
                 inplace: bool | None = True, bias: bool | None = None):
        if padding is None:
            padding = (kernel_size - 1) // 2 * dilation
        if bias is None:
            bias = norm_layer is None
        layers: list[Module] = [Conv2d(in_channels, out_channels, kernel_size, stride, padding,
                                       dilation=dilation, groups=groups, bias=bias)]
        if norm_layer is not None:
            layers.append(norm_layer(out_channels))
        if activation_layer is not None:
            layers.append(activation_layer(**({} if inplace is None else {"inplace": inplace})))
        super().__init__(*layers)
        self.out_channels = out_channels


def make_divisible(v: float, divisor: int, min_value: int | None = None) -> int:
    """v rounded to the nearest multiple of ``divisor`` (at least ``min_value``, default
    ``divisor``), one step up if rounding lost more than 10% (TensorFlow's MobileNet rule)."""
    if min_value is None:
        min_value = divisor
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:
        new_v += divisor
    return new_v
