"""Making tensors: ``tensor``, ``zeros``, ``ones``, ``full``, ``empty``, ``arange``, ``linspace``,
``eye``, ``rand``, ``randn``, ``randint`` and their ``*_like`` forms (PyTorch's names)."""
from __future__ import annotations

import numpy as np

from . import backend
from .autograd.tensor import Tensor


def _shape(size) -> tuple[int, ...]:
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        return tuple(size[0])
    return tuple(size)


def _float(dtype) -> np.dtype:
    return backend.get_default_dtype() if dtype is None else np.dtype(dtype)


def _make(array: np.ndarray, requires_grad: bool) -> Tensor:
    t = Tensor._wrap(array)
    return t.requires_grad_(requires_grad) if requires_grad else t


def tensor(data, dtype=None, requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data``; Python floats get the default dtype."""
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)


def zeros(*size, dtype=None, requires_grad=False) -> Tensor:
    return _make(np.zeros(_shape(size), _float(dtype)), requires_grad)


def ones(*size, dtype=None, requires_grad=False) -> Tensor:
    return _make(np.ones(_shape(size), _float(dtype)), requires_grad)


def empty(*size, dtype=None, requires_grad=False) -> Tensor:
    return _make(np.empty(_shape(size), _float(dtype)), requires_grad)


def full(size, fill_value, dtype=None, requires_grad=False) -> Tensor:
    if dtype is None and isinstance(fill_value, (bool, int)) and not isinstance(fill_value, float):
        dtype = bool if isinstance(fill_value, bool) else np.int64
    return _make(np.full(tuple(size), fill_value, _float(dtype)), requires_grad)


def arange(start, end=None, step=1, dtype=None, requires_grad=False) -> Tensor:
    if end is None:
        start, end = 0, start
    ints = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
    dt = np.dtype(dtype) if dtype is not None else (np.dtype(np.int64) if ints else backend.get_default_dtype())
    return _make(np.arange(start, end, step).astype(dt), requires_grad)


def linspace(start, end, steps: int, dtype=None, requires_grad=False) -> Tensor:
    return _make(np.linspace(start, end, steps).astype(_float(dtype)), requires_grad)


def eye(n: int, m: int | None = None, dtype=None, requires_grad=False) -> Tensor:
    return _make(np.eye(n, m, dtype=_float(dtype)), requires_grad)


def rand(*size, dtype=None, requires_grad=False) -> Tensor:
    """Uniform on [0, 1), from the library's seeded generator."""
    return _make(backend.rng().random(_shape(size)).astype(_float(dtype)), requires_grad)


def randn(*size, dtype=None, requires_grad=False) -> Tensor:
    """Standard normal, from the library's seeded generator."""
    return _make(backend.rng().standard_normal(_shape(size)).astype(_float(dtype)), requires_grad)


def randint(low, high=None, size=(), dtype=None) -> Tensor:
    if high is None:
        low, high = 0, low
    return Tensor._wrap(backend.rng().integers(low, high, size=tuple(size)).astype(dtype or np.int64))


def zeros_like(t: Tensor, dtype=None, requires_grad=False) -> Tensor:
    return zeros(t.shape, dtype=dtype or t.dtype, requires_grad=requires_grad)


def ones_like(t: Tensor, dtype=None, requires_grad=False) -> Tensor:
    return ones(t.shape, dtype=dtype or t.dtype, requires_grad=requires_grad)


def full_like(t: Tensor, fill_value, dtype=None, requires_grad=False) -> Tensor:
    return full(t.shape, fill_value, dtype=dtype or t.dtype, requires_grad=requires_grad)


def empty_like(t: Tensor, dtype=None, requires_grad=False) -> Tensor:
    return empty(t.shape, dtype=dtype or t.dtype, requires_grad=requires_grad)


def rand_like(t: Tensor, dtype=None, requires_grad=False) -> Tensor:
    return rand(t.shape, dtype=dtype or t.dtype, requires_grad=requires_grad)


def randn_like(t: Tensor, dtype=None, requires_grad=False) -> Tensor:
    return randn(t.shape, dtype=dtype or t.dtype, requires_grad=requires_grad)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing memory with ``array`` (no copy), as ``torch.from_numpy``."""
    return Tensor._wrap(np.asarray(array))
