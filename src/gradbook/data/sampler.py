"""Samplers: the order in which a ``DataLoader`` reads a dataset (``torch.utils.data``'s
``Sampler`` family), for class imbalance.

``WeightedRandomSampler`` draws indices with probability proportional to given weights, as
torch's does; ``ImbalancedSampler`` builds those weights from labels (1 / class count), so every
class is drawn equally often however rare it is. Pass either as ``DataLoader(..., sampler=...)``.

>>> s = WeightedRandomSampler([0.1, 0.9, 0.4, 0.7, 3.0, 0.6], 5, generator=0)
>>> len(list(s))
5
"""
from __future__ import annotations

from typing import Iterator, Sequence

import numpy as np

from .. import backend

__all__ = ["ImbalancedSampler", "Sampler", "WeightedRandomSampler"]


class Sampler:
    """Base class: an iterable of dataset indices with a length (``torch.utils.data.Sampler``)."""

    def __iter__(self) -> Iterator[int]:
        raise TypeError(f"{type(self).__name__} does not define __iter__; a sampler must yield indices")

    def __len__(self) -> int:
        raise TypeError(f"{type(self).__name__} does not define __len__")


def _generator_from(generator, name: str) -> np.random.Generator | None:
    """None (draw from ``backend.rng()`` at each pass), an int seed, or a NumPy Generator."""
    if generator is None or isinstance(generator, np.random.Generator):
        return generator
    if isinstance(generator, (int, np.integer)) and not isinstance(generator, bool):
        return np.random.default_rng(int(generator))
    raise TypeError(f"{name}: generator must be None, an int seed or a numpy.random.Generator, "
                    f"got {type(generator).__name__}")


class WeightedRandomSampler(Sampler):
    """Draw ``num_samples`` indices from [0, len(weights)) with P(i) = wᵢ / Σw (torch's
    ``WeightedRandomSampler``; weights need not sum to one).

    ``replacement=True``: independent draws (an index may repeat). ``replacement=False``: distinct
    indices, drawn one after another with the drawn one removed and the rest renormalised — done at
    once by the exponential-keys trick (kᵢ = Eᵢ / wᵢ, Eᵢ ~ Exp(1); the ``num_samples`` smallest keys
    come out in the sequential scheme's order and with its probabilities). As in torch, indices of
    weight zero come only after every positive one has been drawn (here in random order).

    ``generator``: None draws from ``gradbook.backend.rng()`` each pass (``gb.manual_seed`` fixes
    it); an int seeds the sampler's own stream (passes differ, a run is reproducible); or a NumPy
    Generator. Errors are raised when the sampler is built (torch raises some of them only when
    it is iterated): non-1-D, negative, NaN/inf or all-zero weights, a non-positive ``num_samples``,
    and ``num_samples`` above ``len(weights)`` without replacement.
    """

    def __init__(self, weights: Sequence[float], num_samples: int, replacement: bool = True, generator=None):
        name = type(self).__name__
        if not isinstance(num_samples, (int, np.integer)) or isinstance(num_samples, bool) or num_samples <= 0:
            raise ValueError(f"{name}: num_samples should be a positive integer value, but got "
                             f"num_samples={num_samples!r}")
        if not isinstance(replacement, bool):
            raise ValueError(f"{name}: replacement should be a boolean value, but got replacement={replacement!r}")
        w = np.asarray(getattr(weights, "data", weights), dtype=np.float64)
        if w.ndim != 1:
            raise ValueError(f"{name}: weights should be a 1d sequence but given weights have shape {w.shape}")
        if w.size == 0 or not np.all(np.isfinite(w)) or (w < 0).any() or w.sum() <= 0:
            bad = "empty" if w.size == 0 else (f"min {w.min():.4g}, sum {w.sum():.4g}")
            raise ValueError(f"{name}: weights must be finite, non-negative and not all zero; got {bad}")
        if not replacement and num_samples > w.size:
            raise ValueError(f"{name}: cannot draw num_samples={num_samples} distinct indices without replacement "
                             f"from {w.size} weights")
        self.weights, self.num_samples, self.replacement = w, int(num_samples), replacement
        self.generator = _generator_from(generator, name)

    def draw(self) -> np.ndarray:
        """One pass's indices, shape (num_samples,), int64."""
        rng = self.generator if self.generator is not None else backend.rng()
        p = self.weights / self.weights.sum()
        if self.replacement:
            return rng.choice(len(p), size=self.num_samples, p=p).astype(np.int64)
        with np.errstate(divide="ignore"):
            keys = rng.exponential(size=len(p)) / p  # zero weight: an infinite key, after every positive one
        ties = rng.random(len(p))                    # ... and the zero-weight ones in random order among them
        return np.lexsort((ties, keys))[:self.num_samples].astype(np.int64)

    def __iter__(self) -> Iterator[int]:
        return iter(self.draw().tolist())

    def __len__(self) -> int:
        return self.num_samples

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(n={len(self.weights)}, num_samples={self.num_samples}, "
                f"replacement={self.replacement})")


class ImbalancedSampler(WeightedRandomSampler):
    """Draw classes equally often: ``WeightedRandomSampler`` with wᵢ = 1 / count(labelᵢ), so each of
    the K classes present has probability Σ_{i in class} wᵢ / Σw = 1/K per draw.

    ``labels``: one class label per sample (any hashable values: ints, strings), shape (N,).
    ``num_samples`` defaults to N (one epoch's worth of draws). Attributes: ``classes_`` and
    ``class_counts_`` (sorted classes and their counts), ``weights`` (per sample).
    """

    def __init__(self, labels, num_samples: int | None = None, replacement: bool = True, generator=None):
        y = np.asarray(getattr(labels, "data", labels))
        if y.ndim != 1 or y.size == 0:
            raise ValueError(f"ImbalancedSampler: labels must be a non-empty 1d sequence, got shape {y.shape}")
        self.classes_, inverse, self.class_counts_ = np.unique(y, return_inverse=True, return_counts=True)
        weights = 1.0 / self.class_counts_[inverse]
        super().__init__(weights, len(y) if num_samples is None else num_samples, replacement, generator)
