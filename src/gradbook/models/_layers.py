"""Activation modules by name, for the models' ``activation=`` arguments."""
from __future__ import annotations

from typing import Any

from .. import nn

# activation name → gradbook.nn module (PyTorch's class names)
ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "gelu": nn.GELU,
               "leaky_relu": nn.LeakyReLU, "elu": nn.ELU, "selu": nn.SELU, "silu": nn.SiLU,
               "softplus": nn.Softplus, "identity": nn.Identity}


def activation(spec: Any, owner: str) -> nn.Module:
    """A fresh activation module from a name ("relu", "tanh", ...) or a Module class/factory."""
    if not isinstance(spec, str):
        module = spec() if callable(spec) else None
        if not isinstance(module, nn.Module):
            raise ValueError(f"{owner}: activation must be a name or a Module class, got {spec!r}")
        return module
    cls = ACTIVATIONS.get(spec.lower())
    if cls is None:
        raise ValueError(f"{owner}: unknown activation {spec!r}; expected one of {', '.join(ACTIVATIONS)}")
    return cls()
