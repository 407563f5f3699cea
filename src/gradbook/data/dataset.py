"""Datasets (PyTorch's ``torch.utils.data`` names): ``Dataset``, ``TensorDataset``, ``Subset``,
``random_split``.

A dataset maps an index to a sample. Datasets backed by arrays also offer ``get_batch(indices)``,
which returns a whole batch with one fancy index per field; the ``DataLoader`` uses it to build a
batch in one step instead of sample by sample.
"""
from __future__ import annotations

import math
import warnings
from typing import Any, Sequence

import numpy as np

from .. import backend
from ..autograd.tensor import Tensor


class Dataset:
    """Base class: subclasses implement ``__getitem__(index)`` and ``__len__()``.

    Optionally ``get_batch(indices) -> tuple of arrays`` (a whole batch, already stacked, first axis
    the batch) which the loader prefers when no ``collate_fn`` is given.
    """

    def __getitem__(self, index: int) -> Any:
        raise TypeError(f"{type(self).__name__} does not define __getitem__; a Dataset subclass must")

    def __len__(self) -> int:
        raise TypeError(f"{type(self).__name__} does not define __len__; a Dataset subclass must")

    def __add__(self, other: "Dataset") -> "ConcatDataset":
        return ConcatDataset([self, other])


def _as_field(x: Any) -> np.ndarray:
    """A dataset field as an array: Tensors give their data, ndarrays stay as they are (dtype kept),
    anything else follows gb.tensor's rules (Python floats take the default dtype, ints int64)."""
    if isinstance(x, Tensor):
        return x.data
    if isinstance(x, np.ndarray):
        return x
    return Tensor(x).data


class TensorDataset(Dataset):
    """Samples are the ``index``-th rows of equally long arrays: ``ds[i] == (a[i], b[i], ...)``.

    Fields keep their dtype (float32 images stay float32); ``get_batch(idx)`` returns
    ``(a[idx], b[idx], ...)`` with one fancy index per field.

    >>> ds = TensorDataset(np.zeros((10, 1, 28, 28), np.float32), np.arange(10))
    >>> len(ds), int(ds[3][1])
    (10, 3)
    """

    def __init__(self, *tensors: Any):
        if not tensors:
            raise ValueError("TensorDataset: expected at least one array, got none")
        arrays = tuple(_as_field(t) for t in tensors)
        for k, a in enumerate(arrays):
            if a.ndim == 0:
                raise ValueError(f"TensorDataset: field {k} is 0-d; every field needs a first (sample) axis")
        sizes = [a.shape[0] for a in arrays]
        if len(set(sizes)) != 1:
            raise ValueError(f"TensorDataset: all fields must have the same first dimension, got sizes {sizes}")
        self.tensors = arrays

    def __getitem__(self, index: int) -> tuple:
        return tuple(a[index] for a in self.tensors)

    def get_batch(self, indices: np.ndarray) -> tuple[np.ndarray, ...]:
        return tuple(a[indices] for a in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].shape[0]

    def __repr__(self) -> str:
        fields = ", ".join(f"{a.dtype}{list(a.shape)}" for a in self.tensors)
        return f"TensorDataset({fields})"


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order (``Subset(ds, [4, 1])[0] is ds[4]``)."""

    def __init__(self, dataset: Dataset, indices: Sequence[int]):
        self.dataset = dataset
        self.indices = np.asarray(indices, dtype=np.int64).reshape(-1)

    def __getitem__(self, index: int) -> Any:
        return self.dataset[int(self.indices[index])]

    def __len__(self) -> int:
        return len(self.indices)

    def __getattr__(self, name: str):
        # get_batch exists exactly when the wrapped dataset has it
        if name == "get_batch" and hasattr(self.dataset, "get_batch"):
            return lambda indices: self.dataset.get_batch(self.indices[np.asarray(indices)])
        raise AttributeError(f"'Subset' object has no attribute {name!r}")


class ConcatDataset(Dataset):
    """Datasets one after another (``ds1 + ds2``)."""

    def __init__(self, datasets: Sequence[Dataset]):
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset: expected at least one dataset")
        self.cumulative_sizes = np.cumsum([len(d) for d in self.datasets]).tolist()

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, index: int) -> Any:
        n = len(self)
        if not -n <= index < n:
            raise IndexError(f"ConcatDataset: index {index} out of range for length {n}")
        index %= n
        k = int(np.searchsorted(self.cumulative_sizes, index, side="right"))
        start = self.cumulative_sizes[k - 1] if k else 0
        return self.datasets[k][index - start]


def _split_lengths(n: int, lengths: Sequence[float]) -> list[int]:
    """Integer lengths as torch.utils.data.random_split computes them (fractions: floor, then the
    remainder handed out one by one from the first split)."""
    total = sum(lengths)
    if math.isclose(total, 1) and total <= 1:
        if any(not 0 <= f <= 1 for f in lengths):
            raise ValueError(f"random_split: fractions must lie in [0, 1], got {list(lengths)}")
        sizes = [int(math.floor(n * f)) for f in lengths]
        for i in range(n - sum(sizes)):
            sizes[i % len(sizes)] += 1
        for i, s in enumerate(sizes):
            if s == 0:
                warnings.warn(f"random_split: length of split at index {i} is 0", stacklevel=3)
        return sizes
    if any(int(v) != v or v < 0 for v in lengths):
        raise ValueError(f"random_split: lengths must be non-negative integers or fractions summing to 1, "
                         f"got {list(lengths)}")
    if total != n:
        raise ValueError(f"random_split: the lengths sum to {total}, but the dataset has {n} samples")
    return [int(v) for v in lengths]


def random_split(dataset: Dataset, lengths: Sequence[float],
                 generator: np.random.Generator | int | None = None) -> list[Subset]:
    """Split ``dataset`` into non-overlapping random ``Subset``s of the given lengths.

    ``lengths`` are sample counts summing to ``len(dataset)`` or fractions summing to 1 (PyTorch's
    rule for the remainder). The permutation comes from ``generator`` (a NumPy Generator or a seed),
    else from the library generator ``gradbook.backend.rng()``.
    """
    sizes = _split_lengths(len(dataset), lengths)
    if generator is None:
        generator = backend.rng()
    elif not isinstance(generator, np.random.Generator):
        generator = np.random.default_rng(generator)
    perm = generator.permutation(sum(sizes))
    bounds = np.cumsum([0] + sizes)
    return [Subset(dataset, perm[a:b]) for a, b in zip(bounds[:-1], bounds[1:])]
