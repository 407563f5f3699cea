"""DenseNet-BC (Huang et al. 2016) as torchvision builds it: ``densenet121/161/169/201``, with
torchvision's ``state_dict`` keys, shapes and order (the current ones: ``norm1``, not the
legacy ``norm.1`` of torchvision's old checkpoints).

    features: conv0 7x7/2 → norm0 → relu0 → pool0 3x3/2        (N, F0, H/4, W/4)
              denseblock1 → transition1 → ... → denseblock4 → norm5
    head:     ReLU → adaptive average pool (1x1) → flatten → classifier (Linear)

Dense layer i of a block sees the concatenation of the block's input and every earlier layer's
output: BN → ReLU → 1x1 conv (→ bn_size·k) → BN → ReLU → 3x3 conv (→ k, the growth rate), so a
block of L layers adds L·k channels. A transition halves the channels (BN → ReLU → 1x1 conv)
and the size (2x2 average pool). densenet121: k = 32, blocks (6, 12, 24, 16), F0 = 64;
7,978,856 parameters at 1000 classes. Inputs of at least 29x29.
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Any

from ..autograd.tensor import Tensor
from ..nn import AvgPool2d, BatchNorm2d, Conv2d, Linear, MaxPool2d, Module, ModuleDict, ReLU, Sequential, init
from ..ops.dropout import dropout
from ..ops.elementwise import relu
from ..ops.pool import adaptive_avg_pool2d
from ..ops.shape import cat
from ._weights import no_pretrained_weights

__all__ = ["DenseNet", "densenet121", "densenet161", "densenet169", "densenet201"]


class _DenseLayer(Module):
    """new = conv2(relu2(norm2(conv1(relu1(norm1(cat(inputs))))))), dropout ``drop_rate`` after.
    Takes one tensor or the list of all earlier feature maps; returns the k new channels."""

    def __init__(self, num_input_features: int, growth_rate: int, bn_size: int, drop_rate: float,
                 memory_efficient: bool = False):
        super().__init__()
        _check_memory_efficient(memory_efficient)
        self.norm1 = BatchNorm2d(num_input_features)
        self.relu1 = ReLU(inplace=True)
        self.conv1 = Conv2d(num_input_features, bn_size * growth_rate, kernel_size=1, stride=1, bias=False)
        self.norm2 = BatchNorm2d(bn_size * growth_rate)
        self.relu2 = ReLU(inplace=True)
        self.conv2 = Conv2d(bn_size * growth_rate, growth_rate, kernel_size=3, stride=1, padding=1, bias=False)
        self.drop_rate = float(drop_rate)
        self.memory_efficient = memory_efficient

    def bn_function(self, inputs: list[Tensor]) -> Tensor:
        return self.conv1(self.relu1(self.norm1(cat(inputs, 1))))

    def forward(self, input: Tensor | list[Tensor]) -> Tensor:
        prev_features = [input] if isinstance(input, Tensor) else input
        new_features = self.conv2(self.relu2(self.norm2(self.bn_function(prev_features))))
        if self.drop_rate > 0:
            new_features = dropout(new_features, p=self.drop_rate, training=self.training)
        return new_features


class _DenseBlock(ModuleDict):
    """``num_layers`` dense layers (``denselayer1`` ...); the output concatenates the input and every
    layer's new features: num_input_features + num_layers·growth_rate channels."""

    def __init__(self, num_layers: int, num_input_features: int, bn_size: int, growth_rate: int,
                 drop_rate: float, memory_efficient: bool = False):
        super().__init__()
        for i in range(num_layers):
            self.add_module(f"denselayer{i + 1}", _DenseLayer(num_input_features + i * growth_rate, growth_rate,
                                                              bn_size, drop_rate, memory_efficient))

    def forward(self, init_features: Tensor) -> Tensor:
        features = [init_features]
        for _, layer in self.items():
            features.append(layer(features))
        return cat(features, 1)


class _Transition(Sequential):
    """norm → relu → 1x1 conv (num_input_features → num_output_features) → 2x2 average pool."""

    def __init__(self, num_input_features: int, num_output_features: int):
        super().__init__()
        self.norm = BatchNorm2d(num_input_features)
        self.relu = ReLU(inplace=True)
        self.conv = Conv2d(num_input_features, num_output_features, kernel_size=1, stride=1, bias=False)
        self.pool = AvgPool2d(kernel_size=2, stride=2)


class DenseNet(Module):
    """torchvision's ``DenseNet(growth_rate=32, block_config=(6, 12, 24, 16), num_init_features=64,
    bn_size=4, drop_rate=0, num_classes=1000, memory_efficient=False)``.

    ``memory_efficient=True`` (torchvision's gradient checkpointing of each bottleneck) is not
    implemented and raises. Initialisation as torchvision: convs ``kaiming_normal_`` (default
    arguments), norms γ = 1, β = 0, the classifier's bias 0 (its weight PyTorch's Linear default).
    Input (N, 3, H, W) → (N, num_classes).
    """

    def __init__(self, growth_rate: int = 32, block_config: tuple[int, int, int, int] = (6, 12, 24, 16),
                 num_init_features: int = 64, bn_size: int = 4, drop_rate: float = 0, num_classes: int = 1000,
                 memory_efficient: bool = False):
        super().__init__()
        _check_memory_efficient(memory_efficient)
        self.features = Sequential(OrderedDict([
            ("conv0", Conv2d(3, num_init_features, kernel_size=7, stride=2, padding=3, bias=False)),
            ("norm0", BatchNorm2d(num_init_features)),
            ("relu0", ReLU(inplace=True)),
            ("pool0", MaxPool2d(kernel_size=3, stride=2, padding=1))]))
        num_features = num_init_features
        for i, num_layers in enumerate(block_config):
            self.features.add_module(f"denseblock{i + 1}", _DenseBlock(num_layers, num_features, bn_size, growth_rate,
                                                                       drop_rate, memory_efficient))
            num_features = num_features + num_layers * growth_rate
            if i != len(block_config) - 1:
                self.features.add_module(f"transition{i + 1}", _Transition(num_features, num_features // 2))
                num_features = num_features // 2
        self.features.add_module("norm5", BatchNorm2d(num_features))
        self.classifier = Linear(num_features, num_classes)
        init_densenet(self)

    def forward(self, x: Tensor) -> Tensor:
        self.check_input(x, ndim=4, dim=1, size=3, what="3 channels (dimension 1)", layout="(N, 3, H, W)")
        out = adaptive_avg_pool2d(relu(self.features(x)), (1, 1))
        return self.classifier(out.flatten(1))


def init_densenet(model: Module) -> None:
    """torchvision's DenseNet initialisation: convs ``kaiming_normal_`` (default arguments), norms
    γ = 1, β = 0, linear biases 0 (weights keep PyTorch's Linear default)."""
    for m in model.modules():
        if isinstance(m, Conv2d):
            init.kaiming_normal_(m.weight)
        elif isinstance(m, BatchNorm2d):
            init.constant_(m.weight, 1)
            init.constant_(m.bias, 0)
        elif isinstance(m, Linear):
            init.constant_(m.bias, 0)


def _check_memory_efficient(memory_efficient: Any) -> None:
    if memory_efficient:
        raise ValueError(
            f"DenseNet: memory_efficient={memory_efficient!r} (gradient checkpointing of each dense layer's "
            "bottleneck) is not supported by gradbook; use memory_efficient=False (same outputs and gradients)")


def _densenet(name: str, growth_rate: int, block_config: tuple[int, int, int, int], num_init_features: int,
              weights: Any, **kwargs: Any) -> DenseNet:
    no_pretrained_weights(name, weights)
    return DenseNet(growth_rate, block_config, num_init_features, **kwargs)


def densenet121(*, weights: Any = None, progress: bool = True, **kwargs: Any) -> DenseNet:
    """DenseNet-121 (k = 32, blocks 6, 12, 24, 16); 7,978,856 parameters."""
    return _densenet("densenet121", 32, (6, 12, 24, 16), 64, weights, **kwargs)


def densenet161(*, weights: Any = None, progress: bool = True, **kwargs: Any) -> DenseNet:
    """DenseNet-161 (k = 48, blocks 6, 12, 36, 24, 96 initial features); 28,681,000 parameters."""
    return _densenet("densenet161", 48, (6, 12, 36, 24), 96, weights, **kwargs)


def densenet169(*, weights: Any = None, progress: bool = True, **kwargs: Any) -> DenseNet:
    """DenseNet-169 (k = 32, blocks 6, 12, 32, 32); 14,149,480 parameters."""
    return _densenet("densenet169", 32, (6, 12, 32, 32), 64, weights, **kwargs)


def densenet201(*, weights: Any = None, progress: bool = True, **kwargs: Any) -> DenseNet:
    """DenseNet-201 (k = 32, blocks 6, 12, 48, 32); 20,013,928 parameters."""
    return _densenet("densenet201", 32, (6, 12, 48, 32), 64, weights, **kwargs)
