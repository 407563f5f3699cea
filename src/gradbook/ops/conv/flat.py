"""Maps laid flat on grids, channel by channel, (C, n·Hp·Wp): on them a stride-1 kernel tap is one
constant shift of the flat index, so a convolution's copies and adds run over one long contiguous
row per channel instead of one short row per output line (NumPy pays per row, not per element).
Used by the shifted-taps columns (:mod:`.shifted`), the flat col2im of the column product's input
gradient (:mod:`.columns`) and the depthwise convolution (:mod:`.depthwise`).
"""
from __future__ import annotations

import numpy as np

from .._windows import Pads, place

__all__: list[str] = []  # internal to the conv family


def period(in_hw, pads: Pads, out_hw) -> tuple[int, int]:
    """Rows and columns of one sample's grid when a stride-1 convolution runs on flat grids: the
    map plus the larger of its two paddings (the next sample's top rows, and the next row's left
    columns, serve as this one's bottom and right padding), and at least the output's size."""
    (h, w), (oh, ow) = in_hw, out_hw
    return max(oh, h + max(pads[0], pads[1])), max(ow, w + max(pads[2], pads[3]))


def flat_sum(g: np.ndarray, wg: np.ndarray, c: int, shifts: list[int], mask=None) -> np.ndarray:
    """Stride-1 col2im on flat grids: Σ_k shift_k(W_kᵀ g) as (C, size + largest shift), for g the
    upstream gradient on flat grids (O, size), zero off the outputs (:func:`onto_grids`);
    ``mask`` may zero entries of the (C, KH·KW, size) products first (:class:`.shifted.ShiftedTaps`).

    Output position (p, q) and window offset (i, j) land on grid element (p + i·dh, q + j·dw) of
    the same sample, flat index (p·Wg + q) + (i·dh·Wg + j·dw): one constant shift per offset, so each
    of the KH·KW adds runs over one contiguous row per channel (NumPy pays per row, not per element:
    rows of OW would cost 2.4x). The zero positions make the shifted rows spill only zeros."""
    groups, size = wg.shape[0], g.shape[-1]
    dcols = np.matmul(wg.transpose(0, 2, 1), g.reshape(groups, -1, size)).reshape(c, len(shifts), size)
    if mask is not None:
        mask(dcols)
    return sum_shifted(lambda k: dcols[:, k], c, size, shifts, g.dtype)


def sum_shifted(term, c: int, size: int, shifts: list[int], dtype) -> np.ndarray:
    """Σ_k shift_k(term(k)) on flat grids (C, size + largest shift): tap k's (C, size) values
    added in at offset ``shifts[k]``, one contiguous row per channel. The shifts grow with the tap
    (i, j) from 0, so the first tap is copied in and the rest added."""
    flat = np.empty((c, size + shifts[-1]), dtype=dtype)
    flat[:, :size] = term(0)
    flat[:, size:] = 0
    for k, shift in enumerate(shifts[1:], 1):
        target = flat[:, shift:shift + size]
        np.add(target, term(k), out=target)
    return flat


def tap_shifts(grid, kernel, dilation) -> list[int]:
    """Flat offsets i·dh·Wp + j·dw of the kernel taps on a row-major grid of width Wp."""
    return [i * dilation[0] * grid[1] + j * dilation[1] for i in range(kernel[0]) for j in range(kernel[1])]


def onto_grids(a: np.ndarray, grid, corner, spill: int = 0, lead: int = 0) -> np.ndarray:
    """``a`` (N, C, h, w) laid channel by channel on zero grids: (C, lead + N·Hp·Wp + spill) with
    each sample's map at ``corner`` = (top, left) of its Hp×Wp grid, the grids one after another
    after ``lead`` zeros (only the positions around the maps are zeroed: the maps are written next)."""
    n, c, h, w = a.shape
    (hp, wp), (top, left) = grid, corner
    flat = np.empty((c, lead + n * hp * wp + spill), dtype=a.dtype)
    flat[:, :lead] = 0
    flat[:, lead + n * hp * wp:] = 0
    place(flat[:, lead:lead + n * hp * wp].reshape(c, n, hp, wp), a.transpose(1, 0, 2, 3), (top, left))
    return flat


def from_grids(flat: np.ndarray, n: int, grid, corner, hw) -> np.ndarray:
    """The (N, C, h, w) view of the maps at ``corner`` of ``flat``'s grids (:func:`onto_grids`)."""
    (hp, wp), (top, left), (h, w) = grid, corner, hw
    grids = flat[:, :n * hp * wp].reshape(flat.shape[0], n, hp, wp)
    return grids[:, :, top:top + h, left:left + w].transpose(1, 0, 2, 3)
