"""ShuffleNet v1 (Zhang et al. 2017): grouped 1x1 convolutions with a channel shuffle between
them, so that each group of the next grouped conv sees every group of the previous one.

A unit (Figure 2 of the paper), bottleneck width m = out/4:

    h = BN(gconv1x1_g(m → out'))(dwconv3x3_stride(shuffle_g(ReLU(BN(gconv1x1_g(in → m))))))
    stride 1: y = ReLU(x + h)                                   (out' = out)
    stride 2: y = ReLU(cat(avgpool3x3/2(x), h))                 (out' = out − in)

The first 1x1 of the first unit of stage 2 is not grouped (24 input channels are too few).
Network (Table 1): conv 3x3/2 (24) → BN → ReLU → maxpool 3x3/2 → stages of 4, 8, 4 units (the
first of each with stride 2) → global average pool → fc. Stage widths for g = 1, 2, 3, 4, 8:
144/200/240/272/384 · (1, 2, 4), times the scale factor s. The paper gives 140 MFLOPs (multiply-
adds) for ShuffleNet 1x (g = 3) at 224x224.
"""
from __future__ import annotations

from typing import Any

from ..autograd.tensor import Tensor
from ..nn import (AdaptiveAvgPool2d, AvgPool2d, BatchNorm2d, ChannelShuffle, Conv2d, Linear, MaxPool2d, Module,
                  Sequential)
from ..ops.elementwise import relu
from ..ops.shape import cat
from .resnet import _init_resnet

__all__ = ["ShuffleUnit", "ShuffleNetV1", "shufflenet_v1"]

STAGE2_WIDTH = {1: 144, 2: 200, 3: 240, 4: 272, 8: 384}


class ShuffleUnit(Module):
    """One ShuffleNet unit (module docstring). ``group_first=False`` leaves the first 1x1 conv
    ungrouped. Input (N, in_channels, H, W) → (N, out_channels, H/stride, W/stride)."""

    def __init__(self, in_channels: int, out_channels: int, groups: int, stride: int = 1, group_first: bool = True):
        super().__init__()
        if stride not in (1, 2):
            raise ValueError(f"ShuffleUnit: stride must be 1 or 2, got {stride}")
        if stride == 1 and in_channels != out_channels:
            raise ValueError(f"ShuffleUnit: a stride-1 unit adds its input, so in_channels ({in_channels}) must equal "
                             f"out_channels ({out_channels})")
        mid = out_channels // 4
        branch_out = out_channels - in_channels if stride == 2 else out_channels
        first_groups = groups if group_first else 1
        for what, c in (("bottleneck width", mid), ("branch output", branch_out)):
            if c % groups:
                raise ValueError(f"ShuffleUnit: the {what} {c} is not divisible by groups={groups}")
        self.stride = stride
        self.conv1 = Conv2d(in_channels, mid, 1, groups=first_groups, bias=False)
        self.bn1 = BatchNorm2d(mid)
        self.shuffle = ChannelShuffle(groups)
        self.conv2 = Conv2d(mid, mid, 3, stride, 1, groups=mid, bias=False)
        self.bn2 = BatchNorm2d(mid)
        self.conv3 = Conv2d(mid, branch_out, 1, groups=groups, bias=False)
        self.bn3 = BatchNorm2d(branch_out)
        self.pool = AvgPool2d(3, 2, 1) if stride == 2 else None

    def forward(self, x: Tensor) -> Tensor:
        h = self.shuffle(relu(self.bn1(self.conv1(x))))
        h = self.bn3(self.conv3(self.bn2(self.conv2(h))))
        return relu(cat([self.pool(x), h], 1) if self.pool is not None else x + h)


class ShuffleNetV1(Module):
    """``ShuffleNetV1(groups=3, scale=1.0, num_classes=1000, stages_repeats=(4, 8, 4))``.
    Initialisation: convs He normal (fan-out), BN γ = 1, β = 0. Input (N, 3, H, W) → (N, num_classes)."""

    def __init__(self, groups: int = 3, scale: float = 1.0, num_classes: int = 1000,
                 stages_repeats: tuple[int, ...] = (4, 8, 4)):
        super().__init__()
        if groups not in STAGE2_WIDTH:
            raise ValueError(f"ShuffleNetV1: groups must be one of {sorted(STAGE2_WIDTH)}, got {groups!r}")
        self.groups = groups
        self.conv1 = Conv2d(3, 24, 3, 2, 1, bias=False)
        self.bn1 = BatchNorm2d(24)
        self.maxpool = MaxPool2d(3, 2, 1)
        channels = 24
        stages: list[Module] = []
        for i, repeats in enumerate(stages_repeats):
            width = int(STAGE2_WIDTH[groups] * scale) * 2 ** i
            units = [ShuffleUnit(channels, width, groups, 2, group_first=i > 0)]
            units += [ShuffleUnit(width, width, groups) for _ in range(1, repeats)]
            stages.append(Sequential(*units))
            channels = width
        self.stages = Sequential(*stages)
        self.avgpool = AdaptiveAvgPool2d((1, 1))
        self.fc = Linear(channels, num_classes)
        _init_resnet(self, False)

    def forward(self, x: Tensor) -> Tensor:
        self.check_input(x, ndim=4, dim=1, size=3, what="3 channels (dimension 1)", layout="(N, 3, H, W)")
        x = self.maxpool(relu(self.bn1(self.conv1(x))))
        return self.fc(self.avgpool(self.stages(x)).flatten(1))


def shufflenet_v1(**kwargs: Any) -> ShuffleNetV1:
    """ShuffleNet 1x with g = 3 (stage widths 240, 480, 960)."""
    return ShuffleNetV1(**kwargs)
