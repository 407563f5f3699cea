"""SqueezeNet (Iandola et al. 2016) as torchvision builds it: ``squeezenet1_0`` and
``squeezenet1_1``, with torchvision's ``state_dict`` keys, shapes and order.

A Fire module squeezes with a 1x1 conv (→ s channels, ReLU), then expands with a 1x1 (e1) and a
3x3 (e3, padding 1) conv side by side, each with ReLU, concatenated: e1 + e3 channels out.

    1_0:  conv 7x7/2 (3 → 96), ReLU, maxpool 3/2 (ceil) → Fire ×3 → maxpool → Fire ×4 → maxpool → Fire
    1_1:  conv 3x3/2 (3 → 64), ReLU, maxpool 3/2 (ceil) → Fire ×2 → maxpool → Fire ×2 → maxpool → Fire ×4
    classifier: Dropout → conv 1x1 (512 → num_classes) → ReLU → adaptive average pool (1x1); flatten

1,248,424 (1_0) and 1,235,496 (1_1) parameters at 1000 classes. Inputs of at least 21x21 (1_0)
and 17x17 (1_1).
"""
from __future__ import annotations

from typing import Any

from ..autograd.tensor import Tensor
from ..nn import AdaptiveAvgPool2d, Conv2d, Dropout, MaxPool2d, Module, ReLU, Sequential, init
from ..ops.shape import cat
from ._weights import no_pretrained_weights

__all__ = ["Fire", "SqueezeNet", "squeezenet1_0", "squeezenet1_1"]


class Fire(Module):
    """torchvision's ``Fire(inplanes, squeeze_planes, expand1x1_planes, expand3x3_planes)``:
    y = cat(relu(e1(s)), relu(e3(s))), s = relu(squeeze(x)).
    Input (N, inplanes, H, W) → (N, expand1x1_planes + expand3x3_planes, H, W)."""

    def __init__(self, inplanes: int, squeeze_planes: int, expand1x1_planes: int, expand3x3_planes: int):
        super().__init__()
        self.inplanes = inplanes
        self.squeeze = Conv2d(inplanes, squeeze_planes, kernel_size=1)
        self.squeeze_activation = ReLU(inplace=True)
        self.expand1x1 = Conv2d(squeeze_planes, expand1x1_planes, kernel_size=1)
        self.expand1x1_activation = ReLU(inplace=True)
        self.expand3x3 = Conv2d(squeeze_planes, expand3x3_planes, kernel_size=3, padding=1)
        self.expand3x3_activation = ReLU(inplace=True)

    def forward(self, x: Tensor) -> Tensor:
        x = self.squeeze_activation(self.squeeze(x))
        return cat([self.expand1x1_activation(self.expand1x1(x)), self.expand3x3_activation(self.expand3x3(x))], 1)


class SqueezeNet(Module):
    """torchvision's ``SqueezeNet(version="1_0", num_classes=1000, dropout=0.5)``.

    Initialisation as torchvision: the final conv N(0, 0.01²), every other conv
    ``kaiming_uniform_`` (default arguments), all biases 0. Input (N, 3, H, W) → (N, num_classes).
    """

    def __init__(self, version: str = "1_0", num_classes: int = 1000, dropout: float = 0.5):
        super().__init__()
        self.num_classes = num_classes
        if version == "1_0":
            self.features = Sequential(
                Conv2d(3, 96, kernel_size=7, stride=2), ReLU(inplace=True),
                MaxPool2d(kernel_size=3, stride=2, ceil_mode=True),
                Fire(96, 16, 64, 64), Fire(128, 16, 64, 64), Fire(128, 32, 128, 128),
                MaxPool2d(kernel_size=3, stride=2, ceil_mode=True),
                Fire(256, 32, 128, 128), Fire(256, 48, 192, 192), Fire(384, 48, 192, 192), Fire(384, 64, 256, 256),
                MaxPool2d(kernel_size=3, stride=2, ceil_mode=True),
                Fire(512, 64, 256, 256))
        elif version == "1_1":
            self.features = Sequential(
                Conv2d(3, 64, kernel_size=3, stride=2), ReLU(inplace=True),
                MaxPool2d(kernel_size=3, stride=2, ceil_mode=True),
                Fire(64, 16, 64, 64), Fire(128, 16, 64, 64),
                MaxPool2d(kernel_size=3, stride=2, ceil_mode=True),
                Fire(128, 32, 128, 128), Fire(256, 32, 128, 128),
                MaxPool2d(kernel_size=3, stride=2, ceil_mode=True),
                Fire(256, 48, 192, 192), Fire(384, 48, 192, 192), Fire(384, 64, 256, 256), Fire(512, 64, 256, 256))
        else:
            raise ValueError(f"Unsupported SqueezeNet version {version}: 1_0 or 1_1 expected")
        final_conv = Conv2d(512, self.num_classes, kernel_size=1)
        self.classifier = Sequential(Dropout(p=dropout), final_conv, ReLU(inplace=True), AdaptiveAvgPool2d((1, 1)))
        for m in self.modules():
            if isinstance(m, Conv2d):
                if m is final_conv:
                    init.normal_(m.weight, mean=0.0, std=0.01)
                else:
                    init.kaiming_uniform_(m.weight)
                if m.bias is not None:
                    init.constant_(m.bias, 0)

    def forward(self, x: Tensor) -> Tensor:
        self.check_input(x, ndim=4, dim=1, size=3, what="3 channels (dimension 1)", layout="(N, 3, H, W)")
        return self.classifier(self.features(x)).flatten(1)


def squeezenet1_0(*, weights: Any = None, progress: bool = True, **kwargs: Any) -> SqueezeNet:
    """SqueezeNet 1.0; 1,248,424 parameters."""
    no_pretrained_weights("squeezenet1_0", weights)
    return SqueezeNet("1_0", **kwargs)


def squeezenet1_1(*, weights: Any = None, progress: bool = True, **kwargs: Any) -> SqueezeNet:
    """SqueezeNet 1.1 (2.4x less computation than 1.0, about the same accuracy); 1,235,496 parameters."""
    no_pretrained_weights("squeezenet1_1", weights)
    return SqueezeNet("1_1", **kwargs)
