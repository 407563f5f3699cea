"""``gradbook.models``: ready-made networks at MNIST/CIFAR scale, built from ``gradbook.nn``;
:func:`load_torch_state_dict` loads PyTorch state dicts (mappings, .safetensors, .npz) into them."""
from .lenet import LeNet5
from .mlp import MLP
from .torch_weights import load_torch_state_dict

__all__ = ["MLP", "LeNet5", "load_torch_state_dict"]
