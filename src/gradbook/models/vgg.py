"""VGG (Simonyan & Zisserman 2014) as torchvision builds it: ``vgg11/13/16/19`` and their ``_bn``
variants, with torchvision's ``state_dict`` keys, shapes and order.

    features:   3x3 convs (padding 1) + ReLU (+ BatchNorm2d between them in ``_bn``), max pool 2x2
                after each of 5 blocks                                      (N, 512, H/32, W/32)
    avgpool:    AdaptiveAvgPool2d((7, 7))                                   (N, 512, 7, 7)
    classifier: Linear(25088, 4096) → ReLU → Dropout → Linear(4096, 4096) → ReLU → Dropout
                → Linear(4096, num_classes)

Configurations (channels, "M" = max pool): A = VGG-11, B = VGG-13, D = VGG-16, E = VGG-19.
Inputs of at least 32x32 (the adaptive pool copies a 1x1 map to 7x7).
"""
from __future__ import annotations

from typing import Any

from ..autograd.tensor import Tensor
from ..nn import (AdaptiveAvgPool2d, BatchNorm2d, Conv2d, Dropout, Linear, MaxPool2d, Module, ReLU,
                  Sequential, init)
from ._weights import no_pretrained_weights

__all__ = ["VGG", "make_layers", "cfgs", "vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16", "vgg16_bn",
           "vgg19", "vgg19_bn"]

cfgs: dict[str, list[int | str]] = {
    "A": [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "B": [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "D": [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],
    "E": [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512, 512, 512, 512, "M"],
}


class VGG(Module):
    """torchvision's ``VGG(features, num_classes=1000, init_weights=True, dropout=0.5)``.

    ``init_weights``: convs ``kaiming_normal_(mode="fan_out", nonlinearity="relu")`` with zero bias,
    norms γ = 1, β = 0, linears N(0, 0.01²) with zero bias. Input (N, 3, H, W) → (N, num_classes).
    """

    def __init__(self, features: Module, num_classes: int = 1000, init_weights: bool = True, dropout: float = 0.5):
        super().__init__()
        self.features = features
        self.avgpool = AdaptiveAvgPool2d((7, 7))
        self.classifier = Sequential(
            Linear(512 * 7 * 7, 4096), ReLU(True), Dropout(p=dropout),
            Linear(4096, 4096), ReLU(True), Dropout(p=dropout),
            Linear(4096, num_classes))
        if init_weights:
            init_vgg(self)

    def forward(self, x: Tensor) -> Tensor:
        self.check_input(x, ndim=4, dim=1, size=3, what="3 channels (dimension 1)", layout="(N, 3, H, W)")
        return self.classifier(self.avgpool(self.features(x)).flatten(1))


def init_vgg(model: Module) -> None:
    """torchvision's VGG initialisation: convs He normal (fan-out) with zero bias, BN γ = 1,
    β = 0, linears N(0, 0.01²) with zero bias."""
    for m in model.modules():
        if isinstance(m, Conv2d):
            init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            if m.bias is not None:
                init.constant_(m.bias, 0)
        elif isinstance(m, BatchNorm2d):
            init.constant_(m.weight, 1)
            init.constant_(m.bias, 0)
        elif isinstance(m, Linear):
            init.normal_(m.weight, 0, 0.01)
            init.constant_(m.bias, 0)


def make_layers(cfg: list[int | str], batch_norm: bool = False) -> Sequential:
    """The ``features`` Sequential for a configuration: conv (+ BN) + ReLU per number, a pool per "M"."""
    layers: list[Module] = []
    in_channels = 3
    for v in cfg:
        if v == "M":
            layers.append(MaxPool2d(kernel_size=2, stride=2))
        else:
            layers.append(Conv2d(in_channels, int(v), kernel_size=3, padding=1))
            if batch_norm:
                layers.append(BatchNorm2d(int(v)))
            layers.append(ReLU(inplace=True))
            in_channels = int(v)
    return Sequential(*layers)


def _vgg(name: str, cfg: str, batch_norm: bool, weights: Any, **kwargs: Any) -> VGG:
    no_pretrained_weights(name, weights)
    return VGG(make_layers(cfgs[cfg], batch_norm=batch_norm), **kwargs)


def vgg11(*, weights: Any = None, progress: bool = True, **kwargs: Any) -> VGG:
    """VGG-11 (configuration A); 132,863,336 parameters."""
    return _vgg("vgg11", "A", False, weights, **kwargs)


def vgg11_bn(*, weights: Any = None, progress: bool = True, **kwargs: Any) -> VGG:
    """VGG-11 with batch norm; 132,868,840 parameters."""
    return _vgg("vgg11_bn", "A", True, weights, **kwargs)


def vgg13(*, weights: Any = None, progress: bool = True, **kwargs: Any) -> VGG:
    """VGG-13 (configuration B); 133,047,848 parameters."""
    return _vgg("vgg13", "B", False, weights, **kwargs)


def vgg13_bn(*, weights: Any = None, progress: bool = True, **kwargs: Any) -> VGG:
    """VGG-13 with batch norm; 133,053,736 parameters."""
    return _vgg("vgg13_bn", "B", True, weights, **kwargs)


def vgg16(*, weights: Any = None, progress: bool = True, **kwargs: Any) -> VGG:
    """VGG-16 (configuration D); 138,357,544 parameters."""
    return _vgg("vgg16", "D", False, weights, **kwargs)


def vgg16_bn(*, weights: Any = None, progress: bool = True, **kwargs: Any) -> VGG:
    """VGG-16 with batch norm; 138,365,992 parameters."""
    return _vgg("vgg16_bn", "D", True, weights, **kwargs)


def vgg19(*, weights: Any = None, progress: bool = True, **kwargs: Any) -> VGG:
    """VGG-19 (configuration E); 143,667,240 parameters."""
    return _vgg("vgg19", "E", False, weights, **kwargs)


def vgg19_bn(*, weights: Any = None, progress: bool = True, **kwargs: Any) -> VGG:
    """VGG-19 with batch norm; 143,678,248 parameters."""
    return _vgg("vgg19_bn", "E", True, weights, **kwargs)
