"""Dual Path Networks (Chen et al. 2017): ``dpn26`` (a small shape: two blocks per stage) and
``dpn92`` (the paper's Table 1 configuration).

A dual path block is a ResNeXt bottleneck whose output is split in two: the first ``out``
channels are *added* to the residual path (feature re-use, as ResNet), the remaining ``inc``
channels are *concatenated* to the densely connected path (new features, as DenseNet). The
network carries x = [residual (out channels) | dense (d channels)] and each block computes

    h = conv3(bnr(conv2(bnr(conv1(bnr(x))))))        bnr = BN → ReLU (pre-activation)
        conv1 1x1 → k_r·2^s, conv2 3x3 grouped (G groups, stride), conv3 1x1 → out + inc
    y = [x_res + h[:out] | x_dense | h[out:]]         (d + inc dense channels)

The first block of a stage projects x with a pre-activated 1x1 conv (stride) to
[residual (out) | dense (2·inc)]. Stem: conv 7x7/2 → BN → ReLU → maxpool 3x3/2; head: BN → ReLU
→ global average pool → fc. DPN-92: k_r = 96, G = 32, blocks (3, 4, 20, 3), out (256, 512,
1024, 2048), inc (16, 32, 24, 128); the paper gives 37.8M parameters and 6.5 GFLOPs at 224x224.
"""
from __future__ import annotations

from typing import Any, Sequence

from ..autograd.tensor import Tensor
from ..nn import AdaptiveAvgPool2d, BatchNorm2d, Conv2d, Linear, MaxPool2d, Module, ReLU, Sequential
from ..ops.elementwise import relu
from ..ops.shape import cat
from .resnet import _init_resnet

__all__ = ["BnReluConv", "DualPathBlock", "DPN", "dpn26", "dpn92"]


class BnReluConv(Module):
    """Pre-activated convolution: conv(relu(bn(x))), the conv without bias."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, stride: int = 1, groups: int = 1):
        super().__init__()
        self.bn = BatchNorm2d(in_channels)
        self.conv = Conv2d(in_channels, out_channels, kernel_size, stride, (kernel_size - 1) // 2, groups=groups,
                           bias=False)

    def forward(self, x: Tensor) -> Tensor:
        return self.conv(relu(self.bn(x)))


class DualPathBlock(Module):
    """One dual path block (see the module docstring). ``in_channels`` = out + d of the incoming
    x; ``mid`` the bottleneck width; ``projection`` for a stage's first block (which also sets
    the stride). Input (N, in_channels, H, W) → (N, out + d' + inc, H/stride, W/stride) with
    d' = 2·inc after a projection, d otherwise."""

    def __init__(self, in_channels: int, mid: int, out: int, inc: int, groups: int, stride: int = 1,
                 projection: bool = False):
        super().__init__()
        if mid % groups:
            raise ValueError(f"DualPathBlock: the bottleneck width {mid} is not divisible by groups={groups}")
        if not projection and stride != 1:
            raise ValueError("DualPathBlock: a stride other than 1 needs projection=True")
        self.out, self.inc = out, inc
        self.proj = BnReluConv(in_channels, out + 2 * inc, 1, stride) if projection else None
        self.conv1 = BnReluConv(in_channels, mid, 1)
        self.conv2 = BnReluConv(mid, mid, 3, stride, groups)
        self.conv3 = BnReluConv(mid, out + inc, 1)

    def forward(self, x: Tensor) -> Tensor:
        shortcut = self.proj(x) if self.proj is not None else x
        h = self.conv3(self.conv2(self.conv1(x)))
        out = self.out
        return cat([shortcut[:, :out] + h[:, :out], shortcut[:, out:], h[:, out:]], 1)


class DPN(Module):
    """``DPN(num_init_features, k_r, groups, k_sec, inc_sec, num_classes=1000, small_inputs=False)``:
    stage s (0-based) has ``k_sec[s]`` blocks of bottleneck width k_r·2^s, residual width
    256·2^s and dense increment ``inc_sec[s]``, stride 2 from the second stage.
    ``small_inputs=True`` swaps the stem for a 3x3 conv without pooling (32x32 images).
    Input (N, 3, H, W) → (N, num_classes)."""

    def __init__(self, num_init_features: int = 64, k_r: int = 96, groups: int = 32,
                 k_sec: Sequence[int] = (3, 4, 20, 3), inc_sec: Sequence[int] = (16, 32, 24, 128),
                 num_classes: int = 1000, small_inputs: bool = False):
        super().__init__()
        if len(k_sec) != len(inc_sec) or not k_sec or min(k_sec) < 1:
            raise ValueError(f"DPN: k_sec {tuple(k_sec)} and inc_sec {tuple(inc_sec)} must be non-empty, of equal "
                             "length, with at least one block per stage")
        if small_inputs:
            stem = [Conv2d(3, num_init_features, 3, 1, 1, bias=False), BatchNorm2d(num_init_features), ReLU()]
        else:
            stem = [Conv2d(3, num_init_features, 7, 2, 3, bias=False), BatchNorm2d(num_init_features), ReLU(),
                    MaxPool2d(3, 2, 1)]
        blocks: list[Module] = [Sequential(*stem)]
        channels = num_init_features
        for s, (n, inc) in enumerate(zip(k_sec, inc_sec)):
            mid, out = k_r * 2 ** s, 256 * 2 ** s
            blocks.append(DualPathBlock(channels, mid, out, inc, groups, 1 if s == 0 else 2, projection=True))
            channels = out + 3 * inc
            for _ in range(1, n):
                blocks.append(DualPathBlock(channels, mid, out, inc, groups))
                channels += inc
        self.features = Sequential(*blocks)
        self.bn = BatchNorm2d(channels)
        self.avgpool = AdaptiveAvgPool2d((1, 1))
        self.fc = Linear(channels, num_classes)
        self.num_features = channels
        _init_resnet(self, False)

    def forward(self, x: Tensor) -> Tensor:
        self.check_input(x, ndim=4, dim=1, size=3, what="3 channels (dimension 1)", layout="(N, 3, H, W)")
        return self.fc(self.avgpool(relu(self.bn(self.features(x)))).flatten(1))


def dpn26(**kwargs: Any) -> DPN:
    """A small DPN: DPN-92's widths with two blocks per stage."""
    return DPN(64, 96, 32, (2, 2, 2, 2), (16, 32, 24, 128), **kwargs)


def dpn92(**kwargs: Any) -> DPN:
    """DPN-92 (Table 1 of the paper): k_r = 96, G = 32, blocks (3, 4, 20, 3), inc (16, 32, 24, 128)."""
    return DPN(64, 96, 32, (3, 4, 20, 3), (16, 32, 24, 128), **kwargs)
