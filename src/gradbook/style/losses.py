"""The three losses of neural style transfer (Gatys, Ecker & Bethge, 2016, "Image Style Transfer
Using Convolutional Neural Networks"), composed of differentiable primitives, with the paper's
normalisation. For one layer l with N_l = C feature maps of M_l = H·W positions, F ∈ ℝ^{C×M}:

    Gram matrix      G_ij = Σ_k F_ik F_jk                                   (eq. 3, unnormalised)
    style loss       E_l  = 1 / (4 N_l² M_l²) · Σ_ij (G_ij − A_ij)²          (eq. 4; A = the style image's G)
    content loss     L    = ½ Σ_ij (F_ij − P_ij)²                           (eq. 1; P = the content image's F)
    total variation  TV   = Σ (x_{i+1,j} − x_{i,j})² + (x_{i,j+1} − x_{i,j})²  (squared differences of
                                                                            neighbouring pixels)

A batch of N images sums its per-image losses (style transfer optimises one image, N = 1).
"""
from __future__ import annotations

import numpy as np

from ..autograd.tensor import Tensor

__all__ = ["content_loss", "gram_matrix", "style_loss", "total_variation_loss"]


def _features(name: str, x, what: str = "features") -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}: expected {what} to be a Tensor, got {type(x).__name__}")
    if x.ndim != 4 or x.dtype.kind != "f":
        raise ValueError(f"{name}: expected {what} of shape (N, C, H, W) and a floating dtype, got shape "
                         f"{x.shape} and dtype {x.dtype}")
    return x


def _target(name: str, target, shape: tuple, what: str) -> Tensor:
    t = target if isinstance(target, Tensor) else Tensor(np.asarray(target))
    if t.shape != shape:
        raise ValueError(f"{name}: {what} of shape {t.shape} does not match the expected shape {shape}")
    return t


def gram_matrix(features: Tensor) -> Tensor:
    """G = F Fᵀ per image: (N, C, H, W) → (N, C, C), G_ij = Σ_k F_ik F_jk over the H·W positions
    (Gatys eq. 3, no normalisation; ``style_loss`` divides by 4 N_l² M_l²)."""
    f = _features("gram_matrix", features)
    n, c, h, w = f.shape
    flat = f.reshape(n, c, h * w)
    return flat @ flat.transpose(1, 2)


def style_loss(features: Tensor, target_gram) -> Tensor:
    """E_l = Σ (G − A)² / (4 N_l² M_l²) with G = ``gram_matrix(features)``, N_l = C, M_l = H·W
    (Gatys eq. 4). ``target_gram``: (N, C, C), the style image's Gram matrix (broadcast over the batch
    when it is (1, C, C)). Returns a scalar."""
    name = "style_loss"
    f = _features(name, features)
    n, c, h, w = f.shape
    a = target_gram if isinstance(target_gram, Tensor) else Tensor(np.asarray(target_gram))
    if a.ndim != 3 or a.shape[1:] != (c, c) or a.shape[0] not in (1, n):
        raise ValueError(f"{name}: target Gram matrix of shape {a.shape} does not fit features of shape {f.shape}; "
                         f"expected ({n}, {c}, {c}) or (1, {c}, {c})")
    diff = gram_matrix(f) - a
    return (diff * diff).sum() / (4.0 * c * c * (h * w) ** 2)


def content_loss(features: Tensor, target) -> Tensor:
    """L = ½ Σ (F − P)² over every element (Gatys eq. 1); ``target`` P has the features' shape."""
    name = "content_loss"
    f = _features(name, features)
    diff = f - _target(name, target, f.shape, "target")
    return 0.5 * (diff * diff).sum()


def total_variation_loss(image: Tensor) -> Tensor:
    """Σ over channels and positions of (x_{i+1,j} − x_{i,j})² + (x_{i,j+1} − x_{i,j})², image
    (N, C, H, W): a smoothness prior that damps the high-frequency noise the optimisation adds."""
    x = _features("total_variation_loss", image, "image")
    dh = x[:, :, 1:, :] - x[:, :, :-1, :]
    dw = x[:, :, :, 1:] - x[:, :, :, :-1]
    return (dh * dh).sum() + (dw * dw).sum()
