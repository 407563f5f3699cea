"""CIFAR ResNets of He et al. 2016 (section 4.2): ``resnet20``, ``resnet32``, ``resnet44``,
``resnet56``, ``resnet110`` (depth 6n + 2).

    conv1 3x3 (3 → 16) → bn1 → relu                                  (N, 16, 32, 32)
    layer1: n BasicBlocks at 16 channels, layer2: n at 32 (first stride 2), layer3: n at 64 (first
    stride 2)                                                         (N, 64, 8, 8)
    avgpool (global) → flatten → fc (64 → num_classes)

Shortcuts are the paper's **option A**: identity everywhere; where a stage halves the size and
doubles the channels, the shortcut takes every second pixel (stride-2 subsampling) and pads the
new channels with zeros, so the shortcuts add no parameters (:class:`ZeroPadShortcut`). Blocks are
torchvision's :class:`~gradbook.models.resnet.BasicBlock` with that module as ``downsample``.
Parameters at 10 classes: resnet20 269,722 (0.27M), resnet32 464,154 (0.46M), resnet56 853,018
(0.85M), the paper's Table 6 figures.
"""
from __future__ import annotations

from typing import Any

from ..autograd.tensor import Tensor
from ..nn import AdaptiveAvgPool2d, BatchNorm2d, Conv2d, Linear, Module, ReLU, Sequential
from ..ops.shape import pad
from .resnet import BasicBlock, _init_resnet

__all__ = ["CifarResNet", "ZeroPadShortcut", "resnet20", "resnet32", "resnet44", "resnet56", "resnet110"]


class ZeroPadShortcut(Module):
    """Option A shortcut: y = x[:, :, ::stride, ::stride] with (out − in) zero channels added,
    half before and half after. No parameters. (N, in, H, W) → (N, out, ⌈H/stride⌉, ⌈W/stride⌉)."""

    def __init__(self, in_channels: int, out_channels: int, stride: int = 2):
        super().__init__()
        if out_channels < in_channels:
            raise ValueError(f"ZeroPadShortcut: out_channels ({out_channels}) must be at least in_channels "
                             f"({in_channels})")
        self.in_channels, self.out_channels, self.stride = in_channels, out_channels, stride

    def forward(self, x: Tensor) -> Tensor:
        if self.stride != 1:
            x = x[:, :, ::self.stride, ::self.stride]
        extra = self.out_channels - self.in_channels
        return pad(x, (0, 0, 0, 0, extra // 2, extra - extra // 2)) if extra else x

    def extra_repr(self) -> str:
        return f"{self.in_channels}, {self.out_channels}, stride={self.stride}"


class CifarResNet(Module):
    """He et al.'s CIFAR ResNet with ``blocks_per_stage`` = n BasicBlocks in each of three stages
    (16, 32, 64 channels; depth 6n + 2), option A shortcuts. Initialisation as the torchvision
    ResNets (He normal, fan-out). Input (N, 3, H, W) (32x32 for CIFAR) → (N, num_classes)."""

    def __init__(self, blocks_per_stage: int, num_classes: int = 10, zero_init_residual: bool = False):
        super().__init__()
        if blocks_per_stage < 1:
            raise ValueError(f"CifarResNet: blocks_per_stage must be positive, got {blocks_per_stage}")
        self.blocks_per_stage = blocks_per_stage
        self.conv1 = Conv2d(3, 16, kernel_size=3, padding=1, bias=False)
        self.bn1 = BatchNorm2d(16)
        self.relu = ReLU(inplace=True)
        self.inplanes = 16
        self.layer1 = self._make_layer(16, blocks_per_stage, stride=1)
        self.layer2 = self._make_layer(32, blocks_per_stage, stride=2)
        self.layer3 = self._make_layer(64, blocks_per_stage, stride=2)
        self.avgpool = AdaptiveAvgPool2d((1, 1))
        self.fc = Linear(64, num_classes)
        _init_resnet(self, zero_init_residual)

    def _make_layer(self, planes: int, blocks: int, stride: int) -> Sequential:
        shortcut = ZeroPadShortcut(self.inplanes, planes, stride) if stride != 1 or self.inplanes != planes else None
        layers = [BasicBlock(self.inplanes, planes, stride, shortcut)]
        self.inplanes = planes
        layers += [BasicBlock(planes, planes) for _ in range(1, blocks)]
        return Sequential(*layers)

    def forward(self, x: Tensor) -> Tensor:
        self.check_input(x, ndim=4, dim=1, size=3, what="3 channels (dimension 1)", layout="(N, 3, H, W)")
        x = self.relu(self.bn1(self.conv1(x)))
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.fc(self.avgpool(x).flatten(1))

    def extra_repr(self) -> str:
        return f"depth={6 * self.blocks_per_stage + 2}"


def resnet20(**kwargs: Any) -> CifarResNet:
    """ResNet-20 for CIFAR (n = 3); 269,722 parameters at 10 classes."""
    return CifarResNet(3, **kwargs)


def resnet32(**kwargs: Any) -> CifarResNet:
    """ResNet-32 for CIFAR (n = 5); 464,154 parameters."""
    return CifarResNet(5, **kwargs)


def resnet44(**kwargs: Any) -> CifarResNet:
    """ResNet-44 for CIFAR (n = 7); 658,586 parameters."""
    return CifarResNet(7, **kwargs)


def resnet56(**kwargs: Any) -> CifarResNet:
    """ResNet-56 for CIFAR (n = 9); 853,018 parameters."""
    return CifarResNet(9, **kwargs)


def resnet110(**kwargs: Any) -> CifarResNet:
    """ResNet-110 for CIFAR (n = 18); 1,727,962 parameters."""
    return CifarResNet(18, **kwargs)
