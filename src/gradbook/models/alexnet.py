"""AlexNet (Krizhevsky et al. 2012) as torchvision builds it (the single-GPU "one weird trick"
variant: 64-192-384-256-256 channels, no local response norm), with torchvision's keys.

    features:   Conv2d(3, 64, 11, stride 4, pad 2) → ReLU → MaxPool 3/2
                → Conv2d(64, 192, 5, pad 2) → ReLU → MaxPool 3/2
                → Conv2d(192, 384, 3, pad 1) → ReLU → Conv2d(384, 256, 3, pad 1) → ReLU
                → Conv2d(256, 256, 3, pad 1) → ReLU → MaxPool 3/2
    avgpool:    AdaptiveAvgPool2d((6, 6))
    classifier: Dropout → Linear(9216, 4096) → ReLU → Dropout → Linear(4096, 4096) → ReLU
                → Linear(4096, num_classes)

61,100,840 parameters at 1000 classes; inputs of at least 63x63.
"""
from __future__ import annotations

from typing import Any

from ..autograd.tensor import Tensor
from ..nn import AdaptiveAvgPool2d, Conv2d, Dropout, Linear, MaxPool2d, Module, ReLU, Sequential
from ._weights import no_pretrained_weights

__all__ = ["AlexNet", "alexnet"]


class AlexNet(Module):
    """torchvision's ``AlexNet(num_classes=1000, dropout=0.5)``; PyTorch's default layer
    initialisation. Input (N, 3, H, W) → (N, num_classes)."""

    def __init__(self, num_classes: int = 1000, dropout: float = 0.5):
        super().__init__()
        self.features = Sequential(
            Conv2d(3, 64, kernel_size=11, stride=4, padding=2), ReLU(inplace=True),
            MaxPool2d(kernel_size=3, stride=2),
            Conv2d(64, 192, kernel_size=5, padding=2), ReLU(inplace=True),
            MaxPool2d(kernel_size=3, stride=2),
            Conv2d(192, 384, kernel_size=3, padding=1), ReLU(inplace=True),
            Conv2d(384, 256, kernel_size=3, padding=1), ReLU(inplace=True),
            Conv2d(256, 256, kernel_size=3, padding=1), ReLU(inplace=True),
            MaxPool2d(kernel_size=3, stride=2))
        self.avgpool = AdaptiveAvgPool2d((6, 6))
        self.classifier = Sequential(
            Dropout(p=dropout), Linear(256 * 6 * 6, 4096), ReLU(inplace=True),
            Dropout(p=dropout), Linear(4096, 4096), ReLU(inplace=True),
            Linear(4096, num_classes))

    def forward(self, x: Tensor) -> Tensor:
        self.check_input(x, ndim=4, dim=1, size=3, what="3 channels (dimension 1)", layout="(N, 3, H, W)")
        return self.classifier(self.avgpool(self.features(x)).flatten(1))


def alexnet(*, weights: Any = None, progress: bool = True, **kwargs: Any) -> AlexNet:
    """AlexNet; 61,100,840 parameters."""
    no_pretrained_weights("alexnet", weights)
    return AlexNet(**kwargs)
