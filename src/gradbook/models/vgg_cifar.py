"""VGG with batch norm for 32x32 images: ``vgg_cifar(cfg="D")``.

The ImageNet VGG's convolutional ``features`` (torchvision's configurations A, B, D, E = VGG-11,
-13, -16, -19, 3x3 conv → BN → ReLU, 2x2 max pools), whose five pools take 32x32 to 1x1, then
one Linear (512 → num_classes) instead of the three 4096-wide layers, as is usual on CIFAR.
VGG-16 (D): 14,728,266 parameters at 10 classes.
"""
from __future__ import annotations

from typing import Any

from ..autograd.tensor import Tensor
from ..nn import Linear, Module
from .vgg import cfgs, init_vgg, make_layers

__all__ = ["CifarVGG", "vgg_cifar"]


class CifarVGG(Module):
    """``features`` (torchvision's ``make_layers(cfgs[cfg], batch_norm=True)``) → flatten →
    ``classifier`` Linear(512, num_classes). Initialisation as torchvision's VGG (convs He normal
    fan-out, zero bias; BN γ = 1, β = 0; linear N(0, 0.01²)). Input (N, 3, 32, 32) → (N, num_classes)."""

    def __init__(self, cfg: str = "D", num_classes: int = 10):
        super().__init__()
        if cfg not in cfgs:
            raise ValueError(f"CifarVGG: cfg must be one of {', '.join(cfgs)} (VGG-11, -13, -16, -19), got {cfg!r}")
        self.cfg = cfg
        self.features = make_layers(cfgs[cfg], batch_norm=True)
        self.classifier = Linear(512, num_classes)
        init_vgg(self)

    def forward(self, x: Tensor) -> Tensor:
        self.check_input(x, ndim=4, dim=1, size=3, what="3 channels (dimension 1)", layout="(N, 3, H, W)")
        if x.shape[-2:] != (32, 32):
            raise ValueError(f"CifarVGG: expected 32x32 images (five 2x2 pools to 1x1), "
                             f"got {x.shape[-2]}x{x.shape[-1]}")
        return self.classifier(self.features(x).flatten(1))

    def extra_repr(self) -> str:
        return f"cfg={self.cfg!r}"


def vgg_cifar(cfg: str = "D", **kwargs: Any) -> CifarVGG:
    """VGG-BN for CIFAR (default VGG-16, 14,728,266 parameters at 10 classes)."""
    return CifarVGG(cfg, **kwargs)
