"""Precise batch-norm statistics (Wu & Johnson 2021, "Rethinking 'Batch' in BatchNorm", section 3):
after training, replace each BatchNorm's exponential moving averages by plain averages over a few
training batches computed with the final weights.

The moving averages mix statistics of weights from many steps ago; after a short or fast-changing
run they lag the final network and the eval-mode outputs suffer. With ``momentum=None`` a BatchNorm
keeps the cumulative average instead (PyTorch's semantics):

    running_mean = (1/B) Σ_b mean_b,   running_var = (1/B) Σ_b var_b (unbiased, per batch)

over the B batches seen since ``reset_running_stats()``.
"""
from __future__ import annotations

from typing import Iterable

from ..autograd.grad_mode import no_grad
from ..nn.normalization import _NormBase

__all__ = ["precise_bn"]


def precise_bn(model, loader: Iterable, num_batches: int) -> int:
    """Recompute every tracked norm layer's running statistics of ``model`` as the average over
    the first ``num_batches`` batches of ``loader`` (inputs first in each batch), without
    gradients and without changing any parameter; returns the number of batches used. Momenta
    and the train/eval mode are restored afterwards."""
    if num_batches < 1:
        raise ValueError(f"precise_bn: num_batches must be positive, got {num_batches!r}")
    norms = [m for m in model.modules() if isinstance(m, _NormBase) and m.track_running_stats]
    momenta = [m.momentum for m in norms]
    was_training = model.training
    for m in norms:
        m.reset_running_stats()
        m.momentum = None
    used = 0
    model.train()
    try:
        with no_grad():
            for batch in loader:
                model(batch[0] if isinstance(batch, (tuple, list)) else batch)
                used += 1
                if used == num_batches:
                    break
    finally:
        for m, momentum in zip(norms, momenta):
            m.momentum = momentum
        model.train(was_training)
    return used
