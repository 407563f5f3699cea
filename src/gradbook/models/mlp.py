"""``MLP``: a stack of fully connected layers."""
from __future__ import annotations

from typing import Any, Sequence

from ..autograd.tensor import Tensor
from ..nn import Dropout, Linear, Sequential
from ._layers import activation as make_activation

__all__ = ["MLP"]


class MLP(Sequential):
    """Linear → activation (→ Dropout) → ... → Linear, with ``sizes = [in, hidden..., out]``.

    ``MLP([784, 256, 10], 'relu', 0.1)`` is ``Sequential(Linear(784, 256), ReLU(), Dropout(0.1),
    Linear(256, 10))`` (the same state-dict keys: ``0.weight``, ``3.weight``, ...). The last layer
    has no activation. Input (N, *) is flattened to (N, sizes[0]) when it has more than two
    dimensions, so images go in directly. ``activation`` is a name (relu, tanh, sigmoid, gelu,
    leaky_relu, elu, selu, silu, softplus, identity) or a Module class.
    """

    def __init__(self, sizes: Sequence[int], activation: Any = "relu", dropout: float = 0.0):
        sizes = [int(s) for s in sizes]
        if len(sizes) < 2 or any(s <= 0 for s in sizes):
            raise ValueError(f"MLP: sizes must list at least an input and an output size, all positive, "
                             f"got {list(sizes)}")
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"MLP: dropout must be in [0, 1), got {dropout}")
        layers = []
        for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
            layers.append(Linear(a, b))
            if i < len(sizes) - 2:
                layers.append(make_activation(activation, "MLP"))
                if dropout > 0:
                    layers.append(Dropout(dropout))
        super().__init__(*layers)
        object.__setattr__(self, "sizes", tuple(sizes))

    def forward(self, input: Tensor) -> Tensor:
        if input.ndim > 2:
            input = input.flatten(1)
        self.check_input(input, ndim=(1, 2), dim=-1, size=self.sizes[0], layout="(N, features)",
                         what="{size} features (after flattening)")
        return super().forward(input)

    def extra_repr(self) -> str:
        return f"sizes={self.sizes}"
