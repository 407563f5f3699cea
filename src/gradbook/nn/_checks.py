"""Input checks shared by every layer: one place that words the error a user sees.

    check_input(self, x, ndim=(2, 3), layout="(N, C, L) or (C, L)")
    check_input(self, x, dim=-1, size=self.in_features, what="last dimension {size}")
    check_input(self, x, ndim=4, dim=1, size=self.in_channels, what="{size} channels",
                layout="(N, C, H, W)")

raise, for example::

    ValueError: Linear(in_features=20, out_features=5): expected input with last dimension 20,
    got shape (4, 10)

The layer is named by its ``repr`` (its ``extra_repr``), so the message says which layer, what it
expected and what it received. ``Module.check_input`` calls this function.
"""
from __future__ import annotations

from typing import Any, Iterable

import numpy as np


def _shape(x: Any) -> tuple[int, ...]:
    shape = getattr(x, "shape", None)
    return tuple(shape) if shape is not None else tuple(np.shape(x))


def _name(layer: Any) -> str:
    """The layer's one-line repr (its children left out, so a container's message stays short)."""
    if isinstance(layer, str):
        return layer
    extra = layer.extra_repr() if hasattr(layer, "extra_repr") else ""
    extra = extra.replace("\n", ", ")
    return f"{type(layer).__name__}({extra})"


def _ndims_text(ndim: int | Iterable[int]) -> str:
    dims = (ndim,) if isinstance(ndim, (int, np.integer)) else tuple(ndim)
    return " or ".join(f"{d}-D" for d in dims)


def check_input(layer: Any, x: Any, *, ndim: int | Iterable[int] | None = None, dim: int | None = None,
                size: int | None = None, what: str | None = None, layout: str | None = None) -> None:
    """Raise ``ValueError`` naming ``layer`` unless ``x`` has ``ndim`` dimensions (an int or the
    allowed ints) and ``x.shape[dim] == size``.

    ``what`` words the size check and may use ``{size}`` and ``{dim}`` ("last dimension {size}",
    "{size} channels"); the default is "size {size} in dimension {dim}". ``layout`` describes the
    expected layout in the ndim message ("(N, C, H, W)").
    """
    shape = _shape(x)
    if ndim is not None:
        allowed = (int(ndim),) if isinstance(ndim, (int, np.integer)) else tuple(int(d) for d in ndim)
        if len(shape) not in allowed:
            where = f" {layout}" if layout else ""
            raise ValueError(f"{_name(layer)}: expected a {_ndims_text(allowed)} input{where}, "
                             f"got shape {shape}")
    if dim is not None and size is not None:
        if not -len(shape) <= dim < len(shape):
            where = f" {layout}" if layout else ""
            raise ValueError(f"{_name(layer)}: expected an input with at least "
                             f"{dim + 1 if dim >= 0 else -dim} dimensions{where}, got shape {shape}")
        if shape[dim] != size:
            text = (what or "size {size} in dimension {dim}").format(size=size, dim=dim)
            raise ValueError(f"{_name(layer)}: expected input with {text}, got shape {shape}")
