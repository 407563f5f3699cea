"""``Tensor``: an array that remembers how it was made, so gradients can flow back through it.

Dtype rule (the same as PyTorch's): an operation between two tensors computes in the wider of
their dtypes (float32 with float64 gives float64); a Python number never widens a tensor
(``float32_tensor * 0.5`` stays float32); NumPy scalars are treated as Python numbers.
"""
from __future__ import annotations

from collections import namedtuple
from typing import Any, Iterable

import numpy as np

from .. import backend
from .grad_mode import is_grad_enabled

ReturnTypes = namedtuple("values_indices", ["values", "indices"])


def _as_array(data: Any, dtype=None) -> np.ndarray:
    if isinstance(data, Tensor):
        data = data.data
    if dtype is not None:
        return np.array(data, dtype=np.dtype(dtype))
    if isinstance(data, np.ndarray):
        return data.copy()
    arr = np.array(data)
    if arr.dtype.kind == "f":
        arr = arr.astype(backend.get_default_dtype())
    elif arr.dtype.kind in "iu":
        arr = arr.astype(np.int64)
    return arr


class Tensor:
    """An n-dimensional array with automatic differentiation (PyTorch's ``torch.Tensor``)."""

    __array_priority__ = 1000  # so ndarray <op> Tensor defers to Tensor's reflected operators
    __slots__ = ("data", "grad", "requires_grad", "_node", "_index", "_retain", "__weakref__")

    def __init__(self, data: Any, requires_grad: bool = False, dtype=None):
        self.data = _as_array(data, dtype)
        self.grad: Tensor | None = None
        self._node = None
        self._index = 0
        self._retain = False
        if requires_grad and self.data.dtype.kind not in "fc":
            raise RuntimeError(
                f"only floating point tensors can require gradients, got dtype {self.data.dtype}")
        self.requires_grad = bool(requires_grad)

    @classmethod
    def _wrap(cls, array, node=None, index: int = 0) -> "Tensor":
        """Wrap an op's output array without copying it."""
        t = cls.__new__(cls)
        t.data = array if isinstance(array, np.ndarray) else np.asarray(array)
        t.grad = None
        t._node = node
        t._index = index
        t._retain = False
        t.requires_grad = node is not None
        return t

    # ----------------------------------------------------------------- attributes
    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def is_leaf(self) -> bool:
        return self._node is None

    @property
    def grad_fn(self):
        return self._node

    def size(self, dim: int | None = None):
        return self.data.shape if dim is None else self.data.shape[dim]

    def dim(self) -> int:
        return self.data.ndim

    def numel(self) -> int:
        return int(self.data.size)

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.data.shape[0]

    def item(self):
        if self.data.size != 1:
            raise ValueError(f"item(): only one-element tensors can be converted, got shape {self.shape}")
        return self.data.item()

    def numpy(self) -> np.ndarray:
        return self.data

    def tolist(self):
        return self.data.tolist()

    def detach(self) -> "Tensor":
        return Tensor._wrap(self.data)

    def clone(self) -> "Tensor":
        return _sh.clone(self)

    def requires_grad_(self, mode: bool = True) -> "Tensor":
        if mode and self.data.dtype.kind not in "fc":
            raise RuntimeError(f"only floating point tensors can require gradients, got {self.dtype}")
        self.requires_grad = bool(mode)
        return self

    def retain_grad(self) -> None:
        """Keep ``.grad`` on this non-leaf tensor after backward (leaves always keep theirs)."""
        if self._node is not None:
            self._retain = True
            retained = self._node.__dict__.setdefault("retained", {})
            retained[self._index] = self

    # ----------------------------------------------------------------- in-place helpers
    def zero_(self) -> "Tensor":
        self.data[...] = 0
        return self

    def fill_(self, value) -> "Tensor":
        self.data[...] = value
        return self

    def copy_(self, other) -> "Tensor":
        src = other.data if isinstance(other, Tensor) else np.asarray(other)
        if src.shape != self.shape and np.broadcast_shapes(src.shape, self.shape) != self.shape:
            raise ValueError(f"copy_: cannot copy shape {src.shape} into shape {self.shape}")
        self.data[...] = src
        return self

    def to(self, dtype) -> "Tensor":
        return self.type(dtype)

    def type(self, dtype) -> "Tensor":
        return _ew.cast(self, np.dtype(dtype))

    def float(self) -> "Tensor":
        return self.type(np.float32)

    def double(self) -> "Tensor":
        return self.type(np.float64)

    def long(self) -> "Tensor":
        return Tensor._wrap(self.data.astype(np.int64))

    def bool(self) -> "Tensor":
        return Tensor._wrap(self.data.astype(bool))

    # ----------------------------------------------------------------- backward
    def backward(self, gradient=None, retain_graph: bool | None = None, create_graph: bool = False) -> None:
        """Accumulate d(self)/d(leaf) · gradient into every leaf's ``.grad`` (PyTorch semantics).

        ``create_graph=True`` records the backward pass, so the gradients can be differentiated
        again; ``retain_graph`` defaults to ``create_graph`` (see ``autograd/engine.py``)."""
        _engine.run_backward(self, gradient, retain_graph, create_graph)

    # ----------------------------------------------------------------- representation
    def __repr__(self) -> str:
        body = np.array2string(self.data, precision=4, separator=", ", prefix="tensor(")
        extras = []
        if self.data.dtype != backend.get_default_dtype() and self.data.dtype.kind == "f":
            extras.append(f"dtype={self.data.dtype}")
        if self._node is not None:
            extras.append(f"grad_fn=<{type(self._node).__name__}>")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        return "tensor(" + body + "".join(", " + e for e in extras) + ")"

    def __array__(self, dtype=None, copy=None):
        return self.data if dtype is None else self.data.astype(dtype)

    def __hash__(self):
        return id(self)

    def __bool__(self):
        if self.data.size != 1:
            raise RuntimeError(f"the truth value of a tensor with shape {self.shape} is ambiguous")
        return bool(self.data)

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    # ----------------------------------------------------------------- arithmetic
    def __add__(self, o): return _ew.add(self, o)
    def __radd__(self, o): return _ew.add(o, self)
    def __sub__(self, o): return _ew.sub(self, o)
    def __rsub__(self, o): return _ew.sub(o, self)
    def __mul__(self, o): return _ew.mul(self, o)
    def __rmul__(self, o): return _ew.mul(o, self)
    def __truediv__(self, o): return _ew.div(self, o)
    def __rtruediv__(self, o): return _ew.div(o, self)
    def __pow__(self, o): return _ew.pow(self, o)
    def __rpow__(self, o): return _ew.pow(o, self)
    def __neg__(self): return _ew.neg(self)
    def __pos__(self): return self
    def __abs__(self): return _ew.abs(self)
    def __matmul__(self, o): return _mm.matmul(self, o)
    def __rmatmul__(self, o): return _mm.matmul(o, self)
    def __getitem__(self, index): return _ix.getitem(self, index)
    def __setitem__(self, index, value):
        if self.requires_grad and is_grad_enabled():
            raise RuntimeError("in-place assignment into a tensor that requires grad is not supported; "
                               "build a new tensor (e.g. with gb.where) instead")
        self.data[_ix.as_index(index)] = value.data if isinstance(value, Tensor) else value

    # comparisons: not differentiable, return bool tensors
    def __eq__(self, o): return _ew.compare(np.equal, self, o)
    def __ne__(self, o): return _ew.compare(np.not_equal, self, o)
    def __lt__(self, o): return _ew.compare(np.less, self, o)
    def __le__(self, o): return _ew.compare(np.less_equal, self, o)
    def __gt__(self, o): return _ew.compare(np.greater, self, o)
    def __ge__(self, o): return _ew.compare(np.greater_equal, self, o)
    def __invert__(self): return Tensor._wrap(~self.data)
    def __and__(self, o): return _ew.compare(np.logical_and, self, o)
    def __or__(self, o): return _ew.compare(np.logical_or, self, o)

    # elementwise
    def abs(self): return _ew.abs(self)
    def exp(self): return _ew.exp(self)
    def log(self): return _ew.log(self)
    def sqrt(self): return _ew.sqrt(self)
    def sin(self): return _ew.sin(self)
    def cos(self): return _ew.cos(self)
    def tanh(self): return _ew.tanh(self)
    def sigmoid(self): return _ew.sigmoid(self)
    def relu(self): return _ew.relu(self)
    def clamp(self, min=None, max=None): return _ew.clamp(self, min, max)
    clip = clamp
    def clamp_min(self, min): return _ew.clamp(self, min, None)
    def clamp_max(self, max): return _ew.clamp(self, None, max)
    def pow(self, e): return _ew.pow(self, e)
    def maximum(self, o): return _ew.maximum(self, o)
    def minimum(self, o): return _ew.minimum(self, o)

    # reductions
    def sum(self, dim=None, keepdim=False): return _rd.sum(self, dim, keepdim)
    def mean(self, dim=None, keepdim=False): return _rd.mean(self, dim, keepdim)
    def var(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        return _rd.var(self, dim, unbiased, keepdim, correction=correction)
    def std(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        return _rd.std(self, dim, unbiased, keepdim, correction=correction)
    def max(self, dim=None, keepdim=False): return _rd.max(self, dim, keepdim)
    def min(self, dim=None, keepdim=False): return _rd.min(self, dim, keepdim)
    def amax(self, dim=None, keepdim=False): return _rd.amax(self, dim, keepdim)
    def amin(self, dim=None, keepdim=False): return _rd.amin(self, dim, keepdim)
    def argmax(self, dim=None, keepdim=False): return _rd.argmax(self, dim, keepdim)
    def argmin(self, dim=None, keepdim=False): return _rd.argmin(self, dim, keepdim)
    def logsumexp(self, dim, keepdim=False): return _rd.logsumexp(self, dim, keepdim)

    # shape
    def reshape(self, *shape): return _sh.reshape(self, *shape)
    def view(self, *shape): return _sh.reshape(self, *shape)
    def flatten(self, start_dim=0, end_dim=-1): return _sh.flatten(self, start_dim, end_dim)
    def squeeze(self, dim=None): return _sh.squeeze(self, dim)
    def unsqueeze(self, dim): return _sh.unsqueeze(self, dim)
    def transpose(self, dim0, dim1): return _sh.transpose(self, dim0, dim1)
    def permute(self, *dims): return _sh.permute(self, *dims)
    def expand(self, *sizes): return _sh.expand(self, *sizes)
    def split(self, split_size_or_sections, dim=0): return _sh.split(self, split_size_or_sections, dim)
    def chunk(self, chunks, dim=0): return _sh.chunk(self, chunks, dim)
    def contiguous(self): return self

    @property
    def T(self) -> "Tensor":
        return _sh.permute(self, *reversed(range(self.ndim)))


def zero_grads(params: Iterable["Tensor"], set_to_none: bool = True) -> None:
    """Reset the ``.grad`` of each tensor: drop it (``None``), or fill it with zeros in place."""
    for p in params:
        if p.grad is None:
            continue
        if set_to_none:
            p.grad = None
        else:
            p.grad.data[...] = 0


from . import engine as _engine  # noqa: E402  (the backward walk; read at call time)
from ..ops import elementwise as _ew  # noqa: E402  (methods resolve these at call time)
from ..ops import indexing as _ix  # noqa: E402
from ..ops import matmul as _mm  # noqa: E402
from ..ops import reduce as _rd  # noqa: E402
from ..ops import shape as _sh  # noqa: E402
