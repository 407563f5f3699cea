"""ShuffleNet V2 (Ma et al. 2018) as torchvision builds it: ``shufflenet_v2_x0_5``, ``_x1_0``,
``_x1_5``, ``_x2_0``, with torchvision's ``state_dict`` keys, shapes and order.

    conv1:   3x3/2 conv (3 → 24) → BN → ReLU;  maxpool 3x3/2            (N, 24, H/4, W/4)
    stage2..stage4: 4, 8, 4 units; the first of each halves the size    (N, C4, H/32, W/32)
    conv5:   1x1 conv → BN → ReLU;  global average pool → fc

A unit at stride 1 splits the channels in two halves, keeps the first, sends the second through
branch2 (1x1 → 3x3 depthwise → 1x1), concatenates, and shuffles with 2 groups
(:func:`gradbook.nn.functional.channel_shuffle`); a stride-2 unit feeds the whole input to both
branch1 (3x3 depthwise/2 → 1x1) and branch2, doubling the channels. PyTorch's default layer
initialisation, as torchvision. Any input of at least 1x1.
"""
from __future__ import annotations

from typing import Any, Callable

from ..autograd.tensor import Tensor
from ..nn import BatchNorm2d, Conv2d, Linear, MaxPool2d, Module, ReLU, Sequential
from ..ops.shape import cat, channel_shuffle
from ._weights import no_pretrained_weights

__all__ = ["InvertedResidual", "ShuffleNetV2", "shufflenet_v2_x0_5", "shufflenet_v2_x1_0", "shufflenet_v2_x1_5",
           "shufflenet_v2_x2_0"]


class InvertedResidual(Module):
    """torchvision's ShuffleNet V2 unit ``InvertedResidual(inp, oup, stride)``; ``branch1`` is an
    empty Sequential at stride 1. Input (N, inp, H, W) → (N, oup, H/stride, W/stride)."""

    def __init__(self, inp: int, oup: int, stride: int):
        super().__init__()
        if not 1 <= stride <= 3:
            raise ValueError("illegal stride value")
        self.stride = stride
        branch_features = oup // 2
        if self.stride == 1 and inp != branch_features << 1:
            raise ValueError(f"Invalid combination of stride {stride}, inp {inp} and oup {oup} values. If stride == 1 "
                             "then inp should be equal to oup // 2 << 1.")
        if self.stride > 1:
            self.branch1 = Sequential(
                self.depthwise_conv(inp, inp, kernel_size=3, stride=self.stride, padding=1), BatchNorm2d(inp),
                Conv2d(inp, branch_features, kernel_size=1, stride=1, padding=0, bias=False),
                BatchNorm2d(branch_features), ReLU(inplace=True))
        else:
            self.branch1 = Sequential()
        self.branch2 = Sequential(
            Conv2d(inp if self.stride > 1 else branch_features, branch_features, kernel_size=1, stride=1, padding=0,
                   bias=False),
            BatchNorm2d(branch_features), ReLU(inplace=True),
            self.depthwise_conv(branch_features, branch_features, kernel_size=3, stride=self.stride, padding=1),
            BatchNorm2d(branch_features),
            Conv2d(branch_features, branch_features, kernel_size=1, stride=1, padding=0, bias=False),
            BatchNorm2d(branch_features), ReLU(inplace=True))

    @staticmethod
    def depthwise_conv(i: int, o: int, kernel_size: int, stride: int = 1, padding: int = 0,
                       bias: bool = False) -> Conv2d:
        return Conv2d(i, o, kernel_size, stride, padding, bias=bias, groups=i)

    def forward(self, x: Tensor) -> Tensor:
        if self.stride == 1:
            x1, x2 = x.chunk(2, dim=1)
            out = cat((x1, self.branch2(x2)), dim=1)
        else:
            out = cat((self.branch1(x), self.branch2(x)), dim=1)
        return channel_shuffle(out, 2)


class ShuffleNetV2(Module):
    """torchvision's ``ShuffleNetV2(stages_repeats, stages_out_channels, num_classes=1000,
    inverted_residual=InvertedResidual)``: ``stages_repeats`` 3 unit counts, ``stages_out_channels``
    5 widths (conv1, stage2..4, conv5). Input (N, 3, H, W) → (N, num_classes)."""

    def __init__(self, stages_repeats: list[int], stages_out_channels: list[int], num_classes: int = 1000,
                 inverted_residual: Callable[..., Module] = InvertedResidual):
        super().__init__()
        if len(stages_repeats) != 3:
            raise ValueError("expected stages_repeats as list of 3 positive ints")
        if len(stages_out_channels) != 5:
            raise ValueError("expected stages_out_channels as list of 5 positive ints")
        self._stage_out_channels = stages_out_channels
        input_channels, output_channels = 3, stages_out_channels[0]
        self.conv1 = Sequential(Conv2d(input_channels, output_channels, 3, 2, 1, bias=False),
                                BatchNorm2d(output_channels), ReLU(inplace=True))
        input_channels = output_channels
        self.maxpool = MaxPool2d(kernel_size=3, stride=2, padding=1)
        for name, repeats, output_channels in zip(("stage2", "stage3", "stage4"), stages_repeats,
                                                  stages_out_channels[1:]):
            seq = [inverted_residual(input_channels, output_channels, 2)]
            seq += [inverted_residual(output_channels, output_channels, 1) for _ in range(repeats - 1)]
            setattr(self, name, Sequential(*seq))
            input_channels = output_channels
        output_channels = stages_out_channels[-1]
        self.conv5 = Sequential(Conv2d(input_channels, output_channels, 1, 1, 0, bias=False),
                                BatchNorm2d(output_channels), ReLU(inplace=True))
        self.fc = Linear(output_channels, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        self.check_input(x, ndim=4, dim=1, size=3, what="3 channels (dimension 1)", layout="(N, 3, H, W)")
        x = self.maxpool(self.conv1(x))
        x = self.conv5(self.stage4(self.stage3(self.stage2(x))))
        return self.fc(x.mean([2, 3]))  # global average pool


def _shufflenetv2(name: str, weights: Any, stages_repeats: list[int], stages_out_channels: list[int],
                  **kwargs: Any) -> ShuffleNetV2:
    no_pretrained_weights(name, weights)
    return ShuffleNetV2(stages_repeats, stages_out_channels, **kwargs)


def shufflenet_v2_x0_5(*, weights: Any = None, progress: bool = True, **kwargs: Any) -> ShuffleNetV2:
    """ShuffleNet V2 0.5x (widths 24, 48, 96, 192, 1024); 1,366,792 parameters."""
    return _shufflenetv2("shufflenet_v2_x0_5", weights, [4, 8, 4], [24, 48, 96, 192, 1024], **kwargs)


def shufflenet_v2_x1_0(*, weights: Any = None, progress: bool = True, **kwargs: Any) -> ShuffleNetV2:
    """ShuffleNet V2 1.0x (widths 24, 116, 232, 464, 1024); 2,278,604 parameters."""
    return _shufflenetv2("shufflenet_v2_x1_0", weights, [4, 8, 4], [24, 116, 232, 464, 1024], **kwargs)


def shufflenet_v2_x1_5(*, weights: Any = None, progress: bool = True, **kwargs: Any) -> ShuffleNetV2:
    """ShuffleNet V2 1.5x (widths 24, 176, 352, 704, 1024); 3,503,624 parameters."""
    return _shufflenetv2("shufflenet_v2_x1_5", weights, [4, 8, 4], [24, 176, 352, 704, 1024], **kwargs)


def shufflenet_v2_x2_0(*, weights: Any = None, progress: bool = True, **kwargs: Any) -> ShuffleNetV2:
    """ShuffleNet V2 2.0x (widths 24, 244, 488, 976, 2048); 7,393,996 parameters."""
    return _shufflenetv2("shufflenet_v2_x2_0", weights, [4, 8, 4], [24, 244, 488, 976, 2048], **kwargs)
