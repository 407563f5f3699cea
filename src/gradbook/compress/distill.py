"""Knowledge distillation (Hinton, Vinyals & Dean 2015): a small student learns from a trained
teacher's softened outputs as well as from the labels.

    L = α · T² · KL(softmax(t/T) ‖ softmax(s/T)) + (1 − α) · CE(s, y)

with s, t the student's and teacher's logits (N, C), y the class indices (N,), T the temperature
and KL averaged over the batch. The soft term's gradient with respect to s is
(softmax(s/T) − softmax(t/T)) / T per sample, so the T² factor keeps its size comparable to the
hard term's as T changes. The teacher's logits are treated as constants (no gradient reaches them).
"""
from __future__ import annotations

import numbers
from typing import Iterable

import numpy as np

from ..autograd import no_grad
from ..autograd.tensor import Tensor
from ..nn import functional as F
from ..nn.module import Module

__all__ = ["distillation_loss", "fit"]


def _tensor(x, name: str) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor._wrap(np.asarray(x))


def distillation_loss(student_logits: Tensor, teacher_logits, targets, T: float = 4.0, alpha: float = 0.9) -> Tensor:
    """Hinton's distillation loss (module docstring); a scalar Tensor."""
    s, t = _tensor(student_logits, "student_logits"), _tensor(teacher_logits, "teacher_logits")
    if isinstance(T, bool) or not isinstance(T, numbers.Real) or not T > 0:
        raise ValueError(f"distillation_loss: T (the temperature) must be a positive number, got {T!r}")
    if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real) or not 0 <= alpha <= 1:
        raise ValueError(f"distillation_loss: alpha must lie in [0, 1], got {alpha!r}")
    if s.ndim != 2 or s.shape != t.shape:
        raise ValueError(f"distillation_loss: student_logits and teacher_logits must both be (N, C); got "
                         f"{tuple(s.shape)} and {tuple(t.shape)}")
    soft_targets = F.softmax(Tensor._wrap(t.data / T), dim=1)
    soft = F.kl_div(F.log_softmax(s / T, dim=1), soft_targets, reduction="batchmean")
    return soft * (alpha * T * T) + F.cross_entropy(s, targets) * (1 - alpha)


def fit(student: Module, teacher: Module, loader: Iterable, optimizer, epochs: int, T: float = 4.0,
        alpha: float = 0.9) -> list[float]:
    """Train ``student`` on the batches ``(x, y)`` of ``loader`` with :func:`distillation_loss`
    against ``teacher`` (in eval mode, no gradient); returns the mean loss of each epoch."""
    if isinstance(epochs, bool) or not isinstance(epochs, numbers.Integral) or epochs < 1:
        raise ValueError(f"distill.fit: epochs must be a positive int, got {epochs!r}")
    teacher.eval()
    student.train()
    losses = []
    for _ in range(epochs):
        total, seen = 0.0, 0
        for x, y in loader:
            with no_grad():
                t = teacher(x)
            loss = distillation_loss(student(x), t, y, T, alpha)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(y)
            seen += len(y)
        if seen == 0:
            raise ValueError("distill.fit: the loader produced no batch")
        losses.append(total / seen)
    return losses
