"""ResNeXt for CIFAR (Xie et al. 2017, section 5.3): ``resnext_cifar(depth, cardinality,
bottleneck_width, base_channels)``.

conv 3x3 (3 → 64) → BN → ReLU, three stages of (depth − 2)/9 bottleneck blocks (stride 2 from the
second stage) → global average pool → fc. Stage s (0-based) outputs 4·base·2^s channels (256,
512, 1024 for the paper's base = 64); its blocks are

    y = ReLU(x + BN(conv1x1(ReLU(BN(gconv3x3_C(ReLU(BN(conv1x1(x)))))))))

with C = ``cardinality`` groups and a bottleneck of C·d·2^s channels (d = ``bottleneck_width``);
the first block of a stage projects x with a 1x1 conv (stride) + BN. The paper's ResNeXt-29
8x64d and 16x64d have 34.4M and 68.1M parameters. The default here is a small one for training on
a CPU: depth 11 (one block per stage), C = 4, d = 8, base 16 (stages 64, 128, 256 wide).
"""
from __future__ import annotations

from typing import Any

from ..autograd.tensor import Tensor
from ..nn import AdaptiveAvgPool2d, BatchNorm2d, Conv2d, Linear, Module, Sequential
from ..ops.elementwise import relu
from .resnet import _init_resnet

__all__ = ["ResNeXtBlock", "CifarResNeXt", "resnext_cifar"]


class ResNeXtBlock(Module):
    """The aggregated-transformation bottleneck (template (c) of the paper's Figure 3).
    Input (N, in, H, W) → (N, out, H/stride, W/stride)."""

    def __init__(self, in_channels: int, width: int, out_channels: int, cardinality: int, stride: int = 1):
        super().__init__()
        if width % cardinality:
            raise ValueError(f"ResNeXtBlock: the bottleneck width {width} is not divisible by "
                             f"cardinality {cardinality}")
        self.conv_reduce = Conv2d(in_channels, width, 1, bias=False)
        self.bn_reduce = BatchNorm2d(width)
        self.conv_conv = Conv2d(width, width, 3, stride, 1, groups=cardinality, bias=False)
        self.bn = BatchNorm2d(width)
        self.conv_expand = Conv2d(width, out_channels, 1, bias=False)
        self.bn_expand = BatchNorm2d(out_channels)
        self.shortcut = None
        if stride != 1 or in_channels != out_channels:
            self.shortcut = Sequential(Conv2d(in_channels, out_channels, 1, stride, bias=False),
                                       BatchNorm2d(out_channels))

    def forward(self, x: Tensor) -> Tensor:
        h = relu(self.bn_reduce(self.conv_reduce(x)))
        h = relu(self.bn(self.conv_conv(h)))
        h = self.bn_expand(self.conv_expand(h))
        return relu((self.shortcut(x) if self.shortcut is not None else x) + h)


class CifarResNeXt(Module):
    """See the module docstring. Initialisation as torchvision's ResNets.
    Input (N, 3, H, W) (32x32) → (N, num_classes)."""

    def __init__(self, depth: int = 29, cardinality: int = 8, bottleneck_width: int = 64, base_channels: int = 64,
                 num_classes: int = 10):
        super().__init__()
        if not isinstance(depth, int) or depth < 11 or (depth - 2) % 9:
            raise ValueError(f"CifarResNeXt: depth must be 9·n + 2 with n ≥ 1, got {depth!r}")
        self.depth, self.cardinality, self.bottleneck_width = depth, cardinality, bottleneck_width
        n = (depth - 2) // 9
        self.conv1 = Conv2d(3, 64, 3, 1, 1, bias=False)
        self.bn1 = BatchNorm2d(64)
        channels, stages = 64, []
        for s in range(3):
            width, out = cardinality * bottleneck_width * 2 ** s, 4 * base_channels * 2 ** s
            blocks = [ResNeXtBlock(channels, width, out, cardinality, 1 if s == 0 else 2)]
            blocks += [ResNeXtBlock(out, width, out, cardinality) for _ in range(1, n)]
            stages.append(Sequential(*blocks))
            channels = out
        self.stages = Sequential(*stages)
        self.avgpool = AdaptiveAvgPool2d((1, 1))
        self.fc = Linear(channels, num_classes)
        _init_resnet(self, False)

    def forward(self, x: Tensor) -> Tensor:
        self.check_input(x, ndim=4, dim=1, size=3, what="3 channels (dimension 1)", layout="(N, 3, H, W)")
        x = self.stages(relu(self.bn1(self.conv1(x))))
        return self.fc(self.avgpool(x).flatten(1))

    def extra_repr(self) -> str:
        return f"depth={self.depth}, cardinality={self.cardinality}, bottleneck_width={self.bottleneck_width}"


def resnext_cifar(depth: int = 11, cardinality: int = 4, bottleneck_width: int = 8, base_channels: int = 16,
                  **kwargs: Any) -> CifarResNeXt:
    """A small CIFAR ResNeXt by default; ``resnext_cifar(29, 8, 64, 64)`` is the paper's ResNeXt-29 8x64d."""
    return CifarResNeXt(depth, cardinality, bottleneck_width, base_channels, **kwargs)
