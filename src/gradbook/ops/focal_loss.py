"""Sigmoid focal loss (Lin et al., 2017, "Focal Loss for Dense Object Detection"), with
torchvision's name, arguments and formula (``torchvision.ops.sigmoid_focal_loss``).

One pointwise Function (the loss family's ``_Pointwise``: value, hand-derived partials, the same
partials as Tensor ops for a second derivative), instead of the dozen primitives torchvision's
formula composes.
"""
from __future__ import annotations

import numpy as np

from ..autograd.tensor import Tensor
from .activation import softplus
from .elementwise import sigmoid, stable_sigmoid
from .loss import _float_tensor, _pointwise, _Pointwise, _softplus

__all__ = ["sigmoid_focal_loss"]

_REDUCTIONS = ("none", "mean", "sum")


class SigmoidFocal(_Pointwise):
    """l = α_t·q^γ·CE per element, with p = σ(x), q = 1 − p_t = p + y − 2py, CE = softplus(x) − xy
    (BCE from the logit), α_t = αy + (1 − α)(1 − y) (1 when α < 0):

        ∂l/∂x = α_t·(γ q^(γ−1)·(1 − 2y)·p(1 − p)·CE + q^γ·(p − y))
        ∂l/∂y = α_t'·q^γ·CE + α_t·(γ q^(γ−1)·(1 − 2p)·CE − q^γ·x),   α_t' = 2α − 1 (0 when α < 0)

    The γ q^(γ−1) terms are taken as 0 where q = 0 (a saturated sigmoid), where q^γ is flat for γ ≥ 1."""

    def value(ctx, x, y, alpha, gamma):
        p = stable_sigmoid(x)
        q, ce = p + y - 2 * p * y, _softplus(x) - x * y
        a, qg = _alpha_t(y, alpha), q ** gamma
        ctx.saved = p, q, ce, a, qg  # the backward's ingredients, computed once
        return a * qg * ce

    def partials(ctx, x, y, alpha, gamma):
        p, q, ce, a, qg = ctx.saved
        with np.errstate(divide="ignore", invalid="ignore"):
            slope = np.where(q > 0, gamma * q ** (gamma - 1), 0.0) if gamma != 0 else np.zeros_like(q)
        dx = a * (slope * (1 - 2 * y) * p * (1 - p) * ce + qg * (p - y))
        dy = (2 * alpha - 1 if alpha >= 0 else 0.0) * qg * ce + a * (slope * (1 - 2 * p) * ce - qg * x)
        return dx, dy

    def tensor_partials(ctx, x, y, alpha, gamma):
        p = sigmoid(x)
        q, ce = p + y - 2 * p * y, softplus(x) - x * y
        a = _alpha_t(y, alpha)
        qg = q ** gamma if gamma != 0 else 1.0
        dx, dy = a * qg * (p - y), (2 * alpha - 1 if alpha >= 0 else 0.0) * qg * ce - a * qg * x
        if gamma != 0:  # the q^(γ−1) terms (gradbook's pow has a gradient at q = 0 only for γ − 1 ≥ 1)
            slope = gamma * q ** (gamma - 1)
            dx = dx + a * slope * (1 - 2 * y) * p * (1 - p) * ce
            dy = dy + a * slope * (1 - 2 * p) * ce
        return dx, dy


def _alpha_t(y, alpha: float):
    return alpha * y + (1 - alpha) * (1 - y) if alpha >= 0 else 1.0


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
    return _pointwise(SigmoidFocal, name, x, y, reduction, params=(float(alpha), float(gamma)), strict_shape=True)
