"""``LeNet5``: LeCun et al.'s 1998 convolutional network in its common modern form."""
from __future__ import annotations

from ..autograd.tensor import Tensor
from ..nn import Conv2d, Flatten, Linear, MaxPool2d, Module, ReLU, Sequential

__all__ = ["LeNet5"]


class LeNet5(Module):
    """LeNet-5 for 28x28 images (ReLU and max pooling instead of the original tanh and
    subsampling; padding 2 on the first convolution so 28x28 inputs give the classic 5x5 maps).

    features:   Conv2d(in, 6, 5, padding=2) → ReLU → MaxPool2d(2)     (N, 6, 14, 14)
                Conv2d(6, 16, 5) → ReLU → MaxPool2d(2)                (N, 16, 5, 5)
    flatten:    (N, 400)
    classifier: Linear(400, 120) → ReLU → Linear(120, 84) → ReLU → Linear(84, num_classes)

    Input (N, in_channels, 28, 28) → logits (N, num_classes); 61,706 parameters for one input
    channel and ten classes. State-dict keys: ``features.0.weight``, ``features.3.weight``,
    ``classifier.0.weight``, ``classifier.2.weight``, ``classifier.4.weight`` (and biases).
    """

    def __init__(self, num_classes: int = 10, in_channels: int = 1):
        super().__init__()
        if num_classes < 1 or in_channels < 1:
            raise ValueError(f"LeNet5: num_classes and in_channels must be positive, got "
                             f"num_classes={num_classes}, in_channels={in_channels}")
        self.num_classes, self.in_channels = num_classes, in_channels
        self.features = Sequential(
            Conv2d(in_channels, 6, 5, padding=2), ReLU(), MaxPool2d(2),
            Conv2d(6, 16, 5), ReLU(), MaxPool2d(2))
        self.flatten = Flatten()
        self.classifier = Sequential(
            Linear(16 * 5 * 5, 120), ReLU(),
            Linear(120, 84), ReLU(),
            Linear(84, num_classes))

    def forward(self, x: Tensor) -> Tensor:
        self.check_input(x, ndim=4, dim=1, size=self.in_channels, what="{size} channels (dimension 1)",
                         layout="(N, C, 28, 28)")
        if tuple(x.shape[-2:]) != (28, 28):
            raise ValueError(f"{self.__class__.__name__}({self.extra_repr()}): expected 28x28 images "
                             f"(N, {self.in_channels}, 28, 28), got shape {tuple(x.shape)}")
        return self.classifier(self.flatten(self.features(x)))

    def extra_repr(self) -> str:
        return f"num_classes={self.num_classes}, in_channels={self.in_channels}"
