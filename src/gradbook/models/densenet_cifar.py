"""DenseNets for CIFAR (Huang et al. 2017, section 3 and Table 2): ``densenet_cifar(depth,
growth_rate, bottleneck, compression)`` and ``densenet_bc_40``.

Three dense blocks on 32x32, 16x16 and 8x8 maps, two transitions between them:

    conv 3x3 (3 → c0) → block → transition → block → transition → block → BN → ReLU → pool → fc

* DenseNet: each layer is BN → ReLU → conv 3x3 (→ k), (depth − 4)/3 layers per block, c0 = 16.
* -B (bottleneck): each layer is BN → ReLU → conv 1x1 (→ 4k) → BN → ReLU → conv 3x3 (→ k), so
  two convs per layer: (depth − 4)/6 layers per block; c0 = 2k.
* -C (compression θ < 1): a transition (BN → ReLU → conv 1x1 → 2x2 average pool) keeps ⌊θ·m⌋ of
  its m channels. -BC is both (θ = 0.5 in the paper).

Parameters at 10 classes, the paper's Table 2 figures rounded to 0.1M: DenseNet (L = 40, k = 12)
1.0M, (100, 12) 7.0M, (100, 24) 27.2M; DenseNet-BC (100, 12) 0.8M, (250, 24) 15.3M, (190, 40)
25.6M. ``densenet_bc_40`` (L = 40, k = 12, -BC: 6 layers per block) has 176,122 parameters, well
below the 0.8M of the paper's smallest BC network (L = 100).
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Any

from ..autograd.tensor import Tensor
from ..nn import AdaptiveAvgPool2d, BatchNorm2d, Conv2d, Linear, Module, ModuleDict, ReLU, Sequential
from ..ops.elementwise import relu
from ..ops.shape import cat
from .densenet import _DenseLayer, _Transition, init_densenet

__all__ = ["PlainDenseLayer", "CifarDenseNet", "densenet_cifar", "densenet_bc_40"]


class PlainDenseLayer(Module):
    """DenseNet's layer without bottleneck: conv(relu(norm(cat(inputs)))), a 3x3 conv to k channels."""

    def __init__(self, num_input_features: int, growth_rate: int):
        super().__init__()
        self.norm = BatchNorm2d(num_input_features)
        self.relu = ReLU(inplace=True)
        self.conv = Conv2d(num_input_features, growth_rate, 3, padding=1, bias=False)

    def forward(self, input: Tensor | list[Tensor]) -> Tensor:
        return self.conv(self.relu(self.norm(cat([input] if isinstance(input, Tensor) else input, 1))))


class _CifarDenseBlock(ModuleDict):
    def __init__(self, num_layers: int, num_input_features: int, growth_rate: int, bottleneck: bool):
        super().__init__()
        for i in range(num_layers):
            c = num_input_features + i * growth_rate
            layer = _DenseLayer(c, growth_rate, 4, 0.0) if bottleneck else PlainDenseLayer(c, growth_rate)
            self.add_module(f"denselayer{i + 1}", layer)

    def forward(self, init_features: Tensor) -> Tensor:
        features = [init_features]
        for _, layer in self.items():
            features.append(layer(features))
        return cat(features, 1)


class CifarDenseNet(Module):
    """See the module docstring. Initialisation as torchvision's DenseNet (convs He normal, BN
    γ = 1, β = 0, classifier bias 0). Input (N, 3, H, W) (32x32) → (N, num_classes)."""

    def __init__(self, depth: int = 40, growth_rate: int = 12, bottleneck: bool = True, compression: float = 0.5,
                 num_classes: int = 10):
        super().__init__()
        per_conv = 6 if bottleneck else 3
        if not isinstance(depth, int) or depth < 4 + per_conv or (depth - 4) % per_conv:
            raise ValueError(f"CifarDenseNet: depth must be 4 + {per_conv}·n with n ≥ 1 "
                             f"({'bottleneck' if bottleneck else 'plain'} layers), got {depth!r}")
        if not 0 < compression <= 1:
            raise ValueError(f"CifarDenseNet: compression θ must be in (0, 1], got {compression!r}")
        self.depth, self.growth_rate, self.bottleneck, self.compression = depth, growth_rate, bottleneck, compression
        n = (depth - 4) // per_conv
        channels = 2 * growth_rate if bottleneck else 16
        self.features = Sequential(OrderedDict([("conv0", Conv2d(3, channels, 3, padding=1, bias=False))]))
        for i in range(3):
            self.features.add_module(f"denseblock{i + 1}", _CifarDenseBlock(n, channels, growth_rate, bottleneck))
            channels += n * growth_rate
            if i < 2:
                out = int(compression * channels)
                self.features.add_module(f"transition{i + 1}", _Transition(channels, out))
                channels = out
        self.features.add_module("norm_final", BatchNorm2d(channels))
        self.avgpool = AdaptiveAvgPool2d((1, 1))
        self.classifier = Linear(channels, num_classes)
        init_densenet(self)

    def forward(self, x: Tensor) -> Tensor:
        self.check_input(x, ndim=4, dim=1, size=3, what="3 channels (dimension 1)", layout="(N, 3, H, W)")
        return self.classifier(self.avgpool(relu(self.features(x))).flatten(1))

    def extra_repr(self) -> str:
        return (f"depth={self.depth}, growth_rate={self.growth_rate}, bottleneck={self.bottleneck}, "
                f"compression={self.compression:g}")


def densenet_cifar(depth: int = 40, growth_rate: int = 12, bottleneck: bool = True, compression: float = 0.5,
                   **kwargs: Any) -> CifarDenseNet:
    """A CIFAR DenseNet: plain (``bottleneck=False, compression=1``), -B, -C or -BC (the defaults)."""
    return CifarDenseNet(depth, growth_rate, bottleneck, compression, **kwargs)


def densenet_bc_40(**kwargs: Any) -> CifarDenseNet:
    """DenseNet-BC, L = 40, k = 12, θ = 0.5; 176,122 parameters at 10 classes."""
    return CifarDenseNet(40, 12, True, 0.5, **kwargs)
