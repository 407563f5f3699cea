"""``gradbook.models``: ready-made networks at MNIST/CIFAR scale, built from ``gradbook.nn``."""
from .lenet import LeNet5
from .mlp import MLP

__all__ = ["MLP", "LeNet5"]
