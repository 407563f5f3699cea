"""Xception (Chollet 2017): depthwise separable convolutions with residual connections, in an
entry, a middle and an exit flow (Figure 5 of the paper), for 299x299 images.

    entry:  conv 3x3/2 (32, valid) → BN → ReLU → conv 3x3 (64, valid) → BN → ReLU    (N, 64, 147, 147)
            3 blocks to 128, 256, 728 channels, each: [ReLU →] sep 3x3 → BN → ReLU → sep 3x3 → BN →
            maxpool 3x3/2, plus a 1x1/2 conv + BN shortcut                            (N, 728, 19, 19)
    middle: 8 blocks of 3 x (ReLU → sep 3x3 (728) → BN), identity shortcut
    exit:   ReLU → sep 3x3 (728) → BN → ReLU → sep 3x3 (1024) → BN → maxpool 3x3/2, + 1x1/2 conv
            + BN shortcut; sep 3x3 (1536) → BN → ReLU → sep 3x3 (2048) → BN → ReLU     (N, 2048, 10, 10)
    head:   global average pool → fc

"sep" is :class:`~gradbook.nn.SeparableConv2d` without bias (a BN follows). The first entry block
starts without the ReLU (its input has just been through one). 22,855,952 parameters at 1000
classes, the paper's Table 3 figure.
"""
from __future__ import annotations

from typing import Any

from ..autograd.tensor import Tensor
from ..nn import (AdaptiveAvgPool2d, BatchNorm2d, Conv2d, Identity, Linear, MaxPool2d, Module, ReLU,
                  SeparableConv2d, Sequential)
from .resnet import _init_resnet

__all__ = ["XceptionBlock", "Xception", "xception"]


class XceptionBlock(Module):
    """``reps`` times [ReLU →] SeparableConv2d 3x3 → BN (widths ``in → out`` on the first rep,
    or on the last when ``grow_first=False``), then a 3x3/2 max pool if ``stride`` is 2; plus the
    shortcut: identity when the shape is kept, else a 1x1 conv (stride) + BN.
    ``start_with_relu=False`` leaves out the first ReLU. Input (N, in, H, W) → (N, out, H', W')."""

    def __init__(self, in_channels: int, out_channels: int, reps: int, stride: int = 1, start_with_relu: bool = True,
                 grow_first: bool = True):
        super().__init__()
        if stride not in (1, 2):
            raise ValueError(f"XceptionBlock: stride must be 1 or 2, got {stride}")
        if out_channels != in_channels or stride != 1:
            self.skip = Conv2d(in_channels, out_channels, 1, stride, bias=False)
            self.skipbn = BatchNorm2d(out_channels)
        else:
            self.skip = self.skipbn = None
        widths = [in_channels] + ([out_channels] * reps if grow_first else [in_channels] * (reps - 1) + [out_channels])
        layers: list[Module] = []
        for i in range(reps):
            layers.append(ReLU() if (i > 0 or start_with_relu) else Identity())
            layers.append(SeparableConv2d(widths[i], widths[i + 1], 3, 1, 1, bias=False))
            layers.append(BatchNorm2d(widths[i + 1]))
        if stride != 1:
            layers.append(MaxPool2d(3, stride, 1))
        self.rep = Sequential(*layers)

    def forward(self, x: Tensor) -> Tensor:
        skip = self.skipbn(self.skip(x)) if self.skip is not None else x
        return self.rep(x) + skip


class Xception(Module):
    """Xception for ``num_classes`` classes; ``middle_blocks`` (8 in the paper) middle-flow
    blocks. Initialisation: convs He normal (fan-out), BN γ = 1, β = 0.
    Input (N, 3, H, W), 299x299 in the paper (at least 71x71) → (N, num_classes)."""

    def __init__(self, num_classes: int = 1000, middle_blocks: int = 8):
        super().__init__()
        self.conv1 = Conv2d(3, 32, 3, 2, 0, bias=False)
        self.bn1 = BatchNorm2d(32)
        self.relu = ReLU()
        self.conv2 = Conv2d(32, 64, 3, bias=False)
        self.bn2 = BatchNorm2d(64)
        entry = [XceptionBlock(64, 128, 2, 2, start_with_relu=False), XceptionBlock(128, 256, 2, 2),
                 XceptionBlock(256, 728, 2, 2)]
        middle = [XceptionBlock(728, 728, 3) for _ in range(middle_blocks)]
        self.blocks = Sequential(*entry, *middle, XceptionBlock(728, 1024, 2, 2, grow_first=False))
        self.conv3 = SeparableConv2d(1024, 1536, 3, 1, 1, bias=False)
        self.bn3 = BatchNorm2d(1536)
        self.conv4 = SeparableConv2d(1536, 2048, 3, 1, 1, bias=False)
        self.bn4 = BatchNorm2d(2048)
        self.avgpool = AdaptiveAvgPool2d((1, 1))
        self.fc = Linear(2048, num_classes)
        _init_resnet(self, False)

    def forward(self, x: Tensor) -> Tensor:
        self.check_input(x, ndim=4, dim=1, size=3, what="3 channels (dimension 1)", layout="(N, 3, H, W)")
        x = self.relu(self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x))))))
        x = self.blocks(x)
        x = self.relu(self.bn4(self.conv4(self.relu(self.bn3(self.conv3(x))))))
        return self.fc(self.avgpool(x).flatten(1))


def xception(**kwargs: Any) -> Xception:
    """Xception (entry, 8 middle, exit flow); 22,855,952 parameters at 1000 classes."""
    return Xception(**kwargs)
