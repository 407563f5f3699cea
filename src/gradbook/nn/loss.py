"""Loss layers: one module per loss in :mod:`gradbook.ops.loss`, PyTorch's names, arguments and
defaults. Class weights (``weight``, ``pos_weight``) are buffers, as in PyTorch, so they travel in
``state_dict``. A bad target or shape raises ``ValueError`` prefixed with the layer's repr."""
from __future__ import annotations

import numpy as np

from ..autograd.tensor import Tensor
from ..ops import loss as F
from .module import Module

__all__ = ["BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss", "HuberLoss", "KLDivLoss", "L1Loss", "MSELoss",
           "MultiMarginLoss", "NLLLoss", "SmoothL1Loss"]


def _buffer(w) -> Tensor | None:
    if w is None or isinstance(w, Tensor):
        return w
    return Tensor._wrap(np.asarray(w))


class _Loss(Module):
    """Stores ``reduction`` (legacy ``size_average``/``reduce`` mapped as PyTorch does) and names
    itself in the errors of the functional it calls."""

    def __init__(self, size_average=None, reduce=None, reduction: str = "mean", weight=None):
        super().__init__()
        extra = ("batchmean",) if isinstance(self, KLDivLoss) else ()
        self.reduction = F._reduction(type(self).__name__, reduction, size_average, reduce, extra)
        if self._weighted:  # a buffer even when None, as PyTorch's _WeightedLoss
            self.register_buffer("weight", _buffer(weight))

    _weighted = False

    def _call(self, fn, *args, **kwargs) -> Tensor:
        try:
            return fn(*args, **kwargs)
        except ValueError as exc:
            raise ValueError(f"{self!r}: {exc}") from None

    def forward(self, input: Tensor, target) -> Tensor:  # pragma: no cover - every subclass defines it
        raise TypeError(f"{type(self).__name__} does not define forward")


class CrossEntropyLoss(_Loss):
    """Softmax cross-entropy from logits (N, C) / (N, C, d1, ...) with class-index or class-probability
    targets; ``weight`` per class, ``ignore_index``, ``label_smoothing``."""

    _weighted = True

    def __init__(self, weight=None, size_average=None, ignore_index: int = -100, reduce=None,
                 reduction: str = "mean", label_smoothing: float = 0.0):
        super().__init__(size_average, reduce, reduction, weight)
        self.ignore_index, self.label_smoothing = ignore_index, label_smoothing

    def forward(self, input: Tensor, target) -> Tensor:
        return self._call(F.cross_entropy, input, target, self.weight,
                          ignore_index=self.ignore_index, reduction=self.reduction,
                          label_smoothing=self.label_smoothing)


class NLLLoss(_Loss):
    """−w_t·x_t on log-probabilities (N, C) / (N, C, d1, ...); ``weight`` per class, ``ignore_index``."""

    _weighted = True

    def __init__(self, weight=None, size_average=None, ignore_index: int = -100, reduce=None,
                 reduction: str = "mean"):
        super().__init__(size_average, reduce, reduction, weight)
        self.ignore_index = ignore_index

    def forward(self, input: Tensor, target) -> Tensor:
        return self._call(F.nll_loss, input, target, self.weight, ignore_index=self.ignore_index,
                          reduction=self.reduction)


class MultiMarginLoss(_Loss):
    """Multi-class hinge (p=1) or squared hinge (p=2): Σ_{j≠y} w_y·max(0, margin − x_y + x_j)^p / C."""

    _weighted = True

    def __init__(self, p: int = 1, margin: float = 1.0, weight=None, size_average=None, reduce=None,
                 reduction: str = "mean"):
        super().__init__(size_average, reduce, reduction, weight)
        if p not in (1, 2):
            raise ValueError(f"MultiMarginLoss: only p=1 and p=2 are supported, got p={p}")
        self.p, self.margin = p, margin

    def forward(self, input: Tensor, target) -> Tensor:
        return self._call(F.multi_margin_loss, input, target, self.p, self.margin, self.weight,
                          reduction=self.reduction)


class MSELoss(_Loss):
    """(x − y)², averaged or summed."""

    def forward(self, input: Tensor, target) -> Tensor:
        return self._call(F.mse_loss, input, target, reduction=self.reduction)


class L1Loss(_Loss):
    """|x − y|, averaged or summed."""

    def forward(self, input: Tensor, target) -> Tensor:
        return self._call(F.l1_loss, input, target, reduction=self.reduction)


class SmoothL1Loss(_Loss):
    """½d²/β for |d| < β, else |d| − β/2."""

    def __init__(self, size_average=None, reduce=None, reduction: str = "mean", beta: float = 1.0):
        super().__init__(size_average, reduce, reduction)
        self.beta = beta

    def forward(self, input: Tensor, target) -> Tensor:
        return self._call(F.smooth_l1_loss, input, target, reduction=self.reduction, beta=self.beta)


class HuberLoss(_Loss):
    """½d² for |d| < δ, else δ(|d| − δ/2)."""

    def __init__(self, reduction: str = "mean", delta: float = 1.0):
        super().__init__(reduction=reduction)
        self.delta = delta

    def forward(self, input: Tensor, target) -> Tensor:
        return self._call(F.huber_loss, input, target, reduction=self.reduction, delta=self.delta)


class BCELoss(_Loss):
    """−w·(y·log x + (1 − y)·log(1 − x)) on probabilities."""

    _weighted = True

    def __init__(self, weight=None, size_average=None, reduce=None, reduction: str = "mean"):
        super().__init__(size_average, reduce, reduction, weight)

    def forward(self, input: Tensor, target) -> Tensor:
        return self._call(F.binary_cross_entropy, input, target, self.weight,
                          reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Sigmoid + binary cross-entropy in one stable step; ``pos_weight`` weighs the positives."""

    _weighted = True

    def __init__(self, weight=None, size_average=None, reduce=None, reduction: str = "mean", pos_weight=None):
        super().__init__(size_average, reduce, reduction, weight)
        if pos_weight is not None:
            self.register_buffer("pos_weight", _buffer(pos_weight))
        else:
            self.pos_weight = None

    def forward(self, input: Tensor, target) -> Tensor:
        return self._call(F.binary_cross_entropy_with_logits, input, target, self.weight,
                          reduction=self.reduction, pos_weight=self.pos_weight)


class KLDivLoss(_Loss):
    """Σ y·(log y − x) for log-probabilities x; ``reduction='batchmean'`` gives the KL divergence per sample."""

    def __init__(self, size_average=None, reduce=None, reduction: str = "mean", log_target: bool = False):
        super().__init__(size_average, reduce, reduction)
        self.log_target = log_target

    def forward(self, input: Tensor, target) -> Tensor:
        return self._call(F.kl_div, input, target, reduction=self.reduction, log_target=self.log_target)
