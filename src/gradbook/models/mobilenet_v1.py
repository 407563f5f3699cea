"""MobileNet v1 (Howard et al. 2017): a 3x3 stem then 13 depthwise separable units (Table 1 of
the paper), each a 3x3 depthwise conv → BN → ReLU → 1x1 pointwise conv → BN → ReLU.

    conv 3x3/2 (32) → units (out, stride): (64, 1) (128, 2) (128, 1) (256, 2) (256, 1) (512, 2)
    5 x (512, 1) (1024, 2) (1024, 1) → global average pool → fc          (N, 3, 224, 224)

The width multiplier α thins every layer to int(α·c) channels, so parameters and multiply-adds
fall roughly as α². The paper's Table 6: α = 1, 0.75, 0.5, 0.25 give 4.2M, 2.6M, 1.3M, 0.5M
parameters and 569M, 325M, 149M, 41M multiply-adds at 224x224.
"""
from __future__ import annotations

from typing import Any

from ..autograd.tensor import Tensor
from ..nn import AdaptiveAvgPool2d, Linear, Module, Sequential
from ._blocks import Conv2dNormActivation
from .resnet import _init_resnet

__all__ = ["DepthwiseSeparable", "MobileNetV1", "mobilenet_v1"]

# (output channels, stride) of the 13 depthwise separable units
UNITS = ((64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1), (512, 1), (512, 1), (512, 1),
         (512, 1), (1024, 2), (1024, 1))


class DepthwiseSeparable(Sequential):
    """``0``: depthwise 3x3 (stride) → BN → ReLU; ``1``: pointwise 1x1 → BN → ReLU.
    Input (N, in, H, W) → (N, out, ⌈H/stride⌉, ⌈W/stride⌉)."""

    def __init__(self, in_channels: int, out_channels: int, stride: int = 1):
        super().__init__(Conv2dNormActivation(in_channels, in_channels, 3, stride, groups=in_channels),
                         Conv2dNormActivation(in_channels, out_channels, 1))


class MobileNetV1(Module):
    """``MobileNetV1(num_classes=1000, width_mult=1.0, small_inputs=False)``: ``small_inputs``
    makes the stem stride 1 (32x32 images). Initialisation: convs He normal (fan-out), BN γ = 1,
    β = 0. Input (N, 3, H, W) → (N, num_classes)."""

    def __init__(self, num_classes: int = 1000, width_mult: float = 1.0, small_inputs: bool = False):
        super().__init__()
        if not width_mult > 0:
            raise ValueError(f"MobileNetV1: width_mult must be positive, got {width_mult!r}")
        self.width_mult = float(width_mult)
        channels = int(32 * width_mult)
        layers: list[Module] = [Conv2dNormActivation(3, channels, 3, 1 if small_inputs else 2)]
        for out, stride in UNITS:
            layers.append(DepthwiseSeparable(channels, int(out * width_mult), stride))
            channels = int(out * width_mult)
        self.features = Sequential(*layers)
        self.avgpool = AdaptiveAvgPool2d((1, 1))
        self.fc = Linear(channels, num_classes)
        _init_resnet(self, False)

    def forward(self, x: Tensor) -> Tensor:
        self.check_input(x, ndim=4, dim=1, size=3, what="3 channels (dimension 1)", layout="(N, 3, H, W)")
        return self.fc(self.avgpool(self.features(x)).flatten(1))

    def extra_repr(self) -> str:
        return f"width_mult={self.width_mult:g}"


def mobilenet_v1(**kwargs: Any) -> MobileNetV1:
    """MobileNet v1 (width multiplier ``width_mult``, default 1.0); 4,231,976 parameters at 1000 classes."""
    return MobileNetV1(**kwargs)
