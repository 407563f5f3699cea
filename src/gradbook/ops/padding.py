"""Padding by reflection, replication and wrap-around: ``F.pad``'s modes 'reflect', 'replicate'
and 'circular' (PyTorch's semantics, errors included), each one gather with a scatter-sum backward.

Along each padded axis of size ``n`` with pads (l, r), output position j reads input index m(j):

    reflect    m(j) = |j − l| mirrored at n − 1          (needs l, r < n)       d c b | a b c d | c b a
    replicate  m(j) = clip(j − l, 0, n − 1)                                    a a a | a b c d | d d d
    circular   m(j) = lo + (j − l⁺) mod L over the kept core [lo, n − r⁻)      b c d | a b c d | a b c
               (lo = max(−l, 0), L = its length; needs l, r ≤ n)

A negative pad crops (PyTorch allows it in every mode). Applied axis by axis (each a slice copy of
the kept interior plus one copy per padded position), the maps give

    y = x[..., m_1(j_1), ..., m_k(j_k)],   dx[..., i_1, ..., i_k] = Σ_{j: m(j) = i} dy[..., j_1, ..., j_k]

The gather (:class:`GatherPad`) and the scatter-sum (:class:`ScatterPad`) are adjoint linear maps:
each one's backward is the other, so the pair is differentiable to any order.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor

__all__: list[str] = []  # reached through ``pad(x, pad, mode=...)`` (gradbook.pad, nn.functional.pad)

MODES = ("reflect", "replicate", "circular")


def source_index(size: int, left: int, right: int, mode: str) -> np.ndarray:
    """The input index that each output position along one axis copies (see the module docstring)."""
    if mode == "circular":
        lo = max(-left, 0)
        core = size - lo - max(-right, 0)
        return lo + np.arange(-max(left, 0), core + max(right, 0)) % core
    i = np.arange(-left, size + right)
    if mode == "replicate":
        return np.clip(i, 0, size - 1)
    i = np.abs(i)
    return np.where(i >= size, 2 * (size - 1) - i, i)


class AxisMap(NamedTuple):
    """One padded axis: output position j reads input ``index[j]``; the kept interior, output
    [out_start, out_start + length) ← input [in_start, in_start + length), is one slice copy, and only
    the padding (at most the positive pads) is copied position by position."""

    axis: int
    index: np.ndarray
    out_start: int
    in_start: int
    length: int


def _at(axis: int, where) -> tuple:
    return (slice(None),) * axis + (where,)


def _padding_positions(m: AxisMap):
    return (j for j in range(len(m.index)) if not m.out_start <= j < m.out_start + m.length)


def _gather(x: np.ndarray, maps) -> np.ndarray:
    """y = x[..., m_1(j_1), ..., m_k(j_k)], one axis at a time."""
    for m in maps:
        shape = list(x.shape)
        shape[m.axis] = len(m.index)
        y = np.empty(shape, dtype=x.dtype)
        y[_at(m.axis, slice(m.out_start, m.out_start + m.length))] = \
            x[_at(m.axis, slice(m.in_start, m.in_start + m.length))]
        for j in _padding_positions(m):
            y[_at(m.axis, j)] = x[_at(m.axis, m.index[j])]
        x = y
    return x


def _scatter(g: np.ndarray, maps, shape) -> np.ndarray:
    """dx[..., i] = Σ_{j: m(j) = i} g[..., j] along each axis (the adjoint of :func:`_gather`)."""
    for m in reversed(maps):
        size = list(g.shape)
        size[m.axis] = shape[m.axis]
        dx = np.zeros(size, dtype=g.dtype)
        dx[_at(m.axis, slice(m.in_start, m.in_start + m.length))] = \
            g[_at(m.axis, slice(m.out_start, m.out_start + m.length))]
        for j in _padding_positions(m):
            dx[_at(m.axis, m.index[j])] += g[_at(m.axis, j)]
        g = dx
    return g


class GatherPad(Function):
    """y = x[..., m_1, ..., m_k] over the last k axes;  dx = the scatter-sum of dy (:class:`ScatterPad`)."""

    fresh_grads = True

    def forward(ctx, x, maps):
        ctx.maps, ctx.shape = maps, x.shape
        return _gather(x, maps)

    def backward(ctx, g):
        return _scatter(g, ctx.maps, ctx.shape), None

    def differentiable_backward(ctx, g):
        return ScatterPad.apply(g, ctx.maps, ctx.shape), None


class ScatterPad(Function):
    """dx[..., i] = Σ_{j: m(j) = i} g[..., j] (the adjoint of :class:`GatherPad`); its backward gathers."""

    fresh_grads = True

    def forward(ctx, g, maps, shape):
        ctx.maps = maps
        return _scatter(g, maps, shape)

    def backward(ctx, gx):
        return _gather(gx, ctx.maps), None, None

    def differentiable_backward(ctx, gx):
        return GatherPad.apply(gx, ctx.maps), None, None


def pad_by_mode(x: Tensor, pad: tuple[int, ...], mode: str, op: object = "pad") -> Tensor:
    """``F.pad(x, pad, mode)`` for 'reflect', 'replicate' and 'circular': ``pad`` lists (left, right)
    pairs from the last axis backwards, for 1, 2 or 3 axes of a tensor with one or two more axes
    than that ((C, L) or (N, C, L) for one axis; (C, H, W) or (N, C, H, W) for two; ...). Errors
    as PyTorch's, worded with ``op``."""
    shape = tuple(x.shape)
    k = len(pad) // 2
    if k not in (1, 2, 3) or len(shape) not in (k + 1, k + 2):
        raise ValueError(f"{op}: mode={mode!r} pads 1, 2 or 3 trailing dimensions of a tensor with one or "
                         f"two more dimensions ((C, L)/(N, C, L), (C, H, W)/(N, C, H, W) or (C, D, H, W)/"
                         f"(N, C, D, H, W)); got {len(pad)} pad values for an input of shape {shape}")
    if mode != "circular":
        lead = 1 if len(shape) == k + 2 else 0  # a batch axis may be empty; no other may
        if any(n == 0 for n in shape[lead:]):
            raise ValueError(f"{op}: mode={mode!r} needs every dimension except the batch to be non-empty, got "
                             f"an input of shape {shape}")
    maps = []
    for i in range(k):
        axis = len(shape) - k + i  # pad's pairs run from the last axis backwards
        left, right = pad[2 * (k - 1 - i)], pad[2 * (k - 1 - i) + 1]
        n = shape[axis]
        if n + left + right < 0:
            raise ValueError(f"{op}: padding ({left}, {right}) of dimension {axis} (size {n}) of an input of "
                             f"shape {shape} gives a negative size {n + left + right}")
        if mode == "reflect" and (left >= n or right >= n):
            raise ValueError(f"{op}: reflect padding must be less than the padded dimension's size, got "
                             f"padding ({left}, {right}) for dimension {axis} of size {n} (input shape {shape})")
        if mode == "circular":
            core = n - max(-left, 0) - max(-right, 0)
            if left > n or right > n or (left > 0 and left > core) or (right > 0 and right > core):
                raise ValueError(f"{op}: circular padding may wrap around at most once: padding ({left}, "
                                 f"{right}) for dimension {axis} of size {n} (input shape {shape}) is too large")
        kept = max(n - max(-left, 0) - max(-right, 0), 0)
        maps.append(AxisMap(axis, source_index(n, left, right, mode), max(left, 0), max(-left, 0), kept))
    if mode != "circular" and not any(len(m.index) for m in maps):  # PyTorch's reflect/replicate kernels' rule
        raise ValueError(f"{op}: mode={mode!r} needs at least one padded dimension of size 1 or more, got padding "
                         f"{tuple(pad)} for an input of shape {shape}")
    return GatherPad.apply(x, tuple(maps))
