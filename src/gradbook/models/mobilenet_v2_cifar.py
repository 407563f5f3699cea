"""MobileNetV2 for 32x32 images: ``mobilenet_v2_cifar``.

torchvision's :class:`~gradbook.models.mobilenetv2.MobileNetV2` with two strides set to 1 so
that a 32x32 image ends at 4x4 instead of 1x1: the stem (3x3/2 → 3x3/1) and the second row of the
setting ((6, 24, 2, 2) → (6, 24, 2, 1)); widths, blocks and head are unchanged, so the parameters
are torchvision's 3,504,872 less the classifier's difference: 2,236,682 at 10 classes.
"""
from __future__ import annotations

from typing import Any

from ..nn import ReLU6, init
from ._blocks import Conv2dNormActivation
from .mobilenetv2 import MobileNetV2

__all__ = ["CIFAR_SETTING", "mobilenet_v2_cifar"]

# t, c, n, s (torchvision's rows; the second row's stride 2 → 1)
CIFAR_SETTING = [[1, 16, 1, 1], [6, 24, 2, 1], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2],
                 [6, 320, 1, 1]]


def mobilenet_v2_cifar(num_classes: int = 10, width_mult: float = 1.0, **kwargs: Any) -> MobileNetV2:
    """MobileNetV2 with a stride-1 stem and CIFAR_SETTING. Input (N, 3, 32, 32) → (N, num_classes)."""
    net = MobileNetV2(num_classes=num_classes, width_mult=width_mult, inverted_residual_setting=CIFAR_SETTING,
                      **kwargs)
    stem = net.features[0]
    net.features[0] = Conv2dNormActivation(3, stem[0].out_channels, stride=1, activation_layer=ReLU6)
    init.kaiming_normal_(net.features[0][0].weight, mode="fan_out")
    return net
