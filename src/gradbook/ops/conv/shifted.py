"""Fast path: the columns of a stride-1 convolution whose output is as large as its input ('same'
padding), built by shifting flat maps instead of gathering windows."""
from __future__ import annotations

import numpy as np

from .._windows import Pads
from .flat import flat_sum, from_grids, onto_grids

__all__: list[str] = []  # internal to the conv family


class ShiftedTaps:
    """A stride-1 convolution whose output is as large as its input, on maps laid flat channel by
    channel, (C, n·H·W). For every output position, kernel tap (i, j) reads the input value a
    constant ``shift`` = (i·dh − top)·W + (j·dw − left) further on, except where the window hangs
    over the map's border (the padding): those positions are zeroed (the top or bottom output
    rows of a kernel row, the left or right output columns of a kernel column).

    The columns are then KH·KW contiguous copies plus a few zeroed rows and columns, instead of a
    strided gather, in im2col's own layout; dx is the masked Wᵀ dy added back at the same shifts,
    one contiguous row per channel. Measured, forward + backward on 2 threads: 7% faster than
    im2col on 64x32x32x32 (3x3), 7% on 16x16 maps, 12% on 8x8 ones, and 8% faster than padded
    flat grids, whose spare row and column per sample cost 6% more product work; LeNet-5's first
    conv (one input channel, 5x5) is as fast as with im2col."""

    def __init__(self, hw, pads: Pads, kernel, dilation):
        self.hw, self.kernel = hw, kernel
        rows = [i * dilation[0] - pads[0] for i in range(kernel[0])]  # tap (i, j) reads (p + di, q + dj)
        columns = [j * dilation[1] - pads[2] for j in range(kernel[1])]
        self.shifts = [di * hw[1] + dj for di in rows for dj in columns]
        self.front = -min(self.shifts[0], 0)  # the shifts grow with (i, j)
        self.row_borders = [(max(-di, 0), max(di, 0)) for di in rows]  # output rows read off the map
        self.column_borders = [(max(-dj, 0), max(dj, 0)) for dj in columns]

    def columns(self, x: np.ndarray) -> np.ndarray:
        """im2col's channel-major columns (C·KH·KW, n·H·W) of the samples ``x`` (n, C, H, W)."""
        n, c, h, w = x.shape
        size, front = n * h * w, self.front
        maps = onto_grids(x, self.hw, (0, 0), spill=max(self.shifts[-1], 0), lead=front)
        cols = np.empty((c, len(self.shifts), size), dtype=x.dtype)
        for k, shift in enumerate(self.shifts):
            cols[:, k] = maps[:, front + shift:front + shift + size]
        self._zero_borders(cols, n)
        return cols.reshape(-1, size)

    def input_grad(self, g: np.ndarray, wg: np.ndarray, n: int) -> np.ndarray:
        """dx (n, C, H, W) (a view) for dy as ``g`` (G, O/G, n·H·W): Σ_k shift_k⁻¹(masked W_kᵀ dy)."""
        c = wg.shape[0] * wg.shape[2] // len(self.shifts)
        flat = flat_sum(g, wg, c, [s + self.front for s in self.shifts], lambda dcols: self._zero_borders(dcols, n))
        return from_grids(flat[:, self.front:], n, self.hw, (0, 0), self.hw)

    def _zero_borders(self, cols: np.ndarray, n: int) -> None:
        """Zero the positions of the (C, KH·KW, n·H·W) tap rows that read the padding:
        per kernel row its top or bottom output rows, per kernel column its left or right ones."""
        (h, w), (kh, kw) = self.hw, self.kernel
        maps = cols.reshape(cols.shape[0], kh, kw, n, h, w)
        for i, (top, bottom) in enumerate(self.row_borders):
            if top:
                maps[:, i, :, :, :top] = 0
            if bottom:
                maps[:, i, :, :, max(h - bottom, 0):] = 0
        for j, (left, right) in enumerate(self.column_borders):
            if left:
                maps[:, :, j, :, :, :left] = 0
            if right:
                maps[:, :, j, :, :, max(w - right, 0):] = 0
