"""Sigmoid focal loss (Lin et al., 2017, "Focal Loss for Dense Object Detection"), with
torchvision's name, arguments and formula (``torchvision.ops.sigmoid_focal_loss``).

Composed from differentiable primitives (the stable BCE-with-logits, sigmoid, power), so its
gradient is the chain rule of those and its double backward comes for free.
"""
from __future__ import annotations

from ..autograd.tensor import Tensor
from .loss import _float_tensor, binary_cross_entropy_with_logits
from .elementwise import sigmoid

__all__ = ["sigmoid_focal_loss"]

_REDUCTIONS = ("none", "mean", "sum")


def sigmoid_focal_loss(inputs: Tensor, targets, alpha: float = 0.25, gamma: float = 2,
                       reduction: str = "none") -> Tensor:
    """FL = α_t · (1 − p_t)^γ · BCE(x, y), element by element.

        p = σ(x),  p_t = p·y + (1 − p)(1 − y),  α_t = α·y + (1 − α)(1 − y)  (no α_t when α < 0),
        BCE(x, y) = −y log σ(x) − (1 − y) log(1 − σ(x))  (computed stably from the logits)

    The factor (1 − p_t)^γ shrinks the loss of well-classified examples (p_t → 1), so the many easy
    negatives of a dense detector do not swamp the few hard ones; γ = 0 and α < 0 give plain BCE.

    Shapes: ``inputs`` any shape (logits); ``targets`` the same shape, 0/1 (or soft labels in [0, 1]).
    Output: the input's shape for ``reduction='none'``, a scalar for ``'mean'`` / ``'sum'``.
    """
    name = "sigmoid_focal_loss"
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{name}: reduction must be one of {_REDUCTIONS}, got {reduction!r}")
    if gamma < 0:
        raise ValueError(f"{name}: gamma must be non-negative, got {gamma}")
    if alpha > 1:
        raise ValueError(f"{name}: alpha must be at most 1 (or negative to switch it off), got {alpha}")
    x = _float_tensor(name, "inputs", inputs)
    y = _float_tensor(name, "targets", targets)
    if y.shape != x.shape:
        raise ValueError(f"{name}: targets of shape {y.shape} must have the inputs' shape {x.shape}")
    p = sigmoid(x)
    ce = binary_cross_entropy_with_logits(x, y, reduction="none")
    p_t = p * y + (1 - p) * (1 - y)
    loss = ce * (1 - p_t) ** gamma if gamma != 0 else ce
    if alpha >= 0:
        loss = (alpha * y + (1 - alpha) * (1 - y)) * loss
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss
