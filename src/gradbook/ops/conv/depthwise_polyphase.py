"""Fast path: depthwise 3x3 convolution with stride 2 and padding 1 (MobileNetV2's downsampling), by
its four polyphase components, each a stride-1 correlation laid on flat grids.

With xp the padded input, phase (a, b) is P_ab[r, s] = xp[2r + a, 2s + b] = x[2r + a − 1, 2s + b − 1]
(zero outside x), and a tap (i, j) = (2u + a, 2v + b) reads P_ab[p + u, q + v] for output (p, q): a
stride-1 correlation of the phase with the sub-kernel W[a::2, b::2] (2x2, 2x1, 1x2, 1x1). The phases of
a block of samples lie channel-major on one flat row per channel, (phase, sample, Hq, Wq) with
Hq = OH + 1, Wq = OW + 1, so a tap is a constant shift (ab·nb·Hq·Wq + u·Wq + v) and the columns of all
the block's samples are one long run per channel and tap (four copies, one per phase): NumPy's short
inner loops (the strided path's im2col and col2im work in runs of OW elements, 4 on an 8x8 map) are
left only in moving maps onto the grids and back, and one BLAS product per channel covers the whole
block of samples. The outputs come on the Hq×Wq grid (a row and a column more, cropped off).

Why it exists, measured against :mod:`.depthwise_strided` (im2col, col2im by 9 strided adds) at
batch 128, no bias, medians of 10 in two runs each, forward / forward + backward: two threads
144@32x32 17-19 / 93-110 → 15.1-15.6 / 40-48 ms, 192@16x16 10.5-12 / 40-47 → 6.2-6.7 / 14.5-16 ms,
576@8x8 12.5-13.4 / 46-50 → 7.3-7.6 / 16-17 ms (torch: 10.3 / 52-95, 3.1-4.1 / 11-12, 2.9 / 9.4);
one thread 78 / 261-269 → 24-26 / 66-67, 25-26 / 90-92 → 11-13 / 27-28, 27-30 / 115-124 → 12.5 /
28-31 ms. Tried and left: grids of xp's two row phases only (no split of the columns, so placing
the maps copies runs of W, not W/2), the columns copied at stride 2: forward at one thread
144@32x32 30 → 34 ms, 576@8x8 16 → 19 ms (the strided copy costs more than the placing saves);
blocks of 16 MiB instead of 4: slower (32x32 backward copies 2x); dx as the product (C, 2, t, 2)
(xp's rows whole, the phases b interleaved, so that putting it back copies runs of W, not W/2):
its skinny products cost more than the copies save, dx at one thread 32x32 14.1 → 18.6 ms,
16x16 6.1 → 7.7 ms, 8x8 8.6 → 9.1 ms; grids, columns and products in fresh arrays per block
instead of buffers reused through a piece: forward 144@32x32 15-19 → 17-32 ms.
"""
from __future__ import annotations

import itertools

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ...autograd.function import Function
from .._parallel import map_pieces, pieces
from .._util import channel_sums
from . import grads

__all__: list[str] = []  # conv2d's path for MobileNet's strided depthwise shapes (see .dispatch)

PHASES = ((0, 0), (0, 1), (1, 0), (1, 1))
# the taps (i, j) = (2u + a, 2v + b) in the order their columns are copied: phase by phase, (u, v) within
TAPS = [(2 * u + a, 2 * v + b) for a, b in PHASES for u in range(2 - a) for v in range(2 - b)]


def fits(groups: int, in_channels: int, in_per_group: int, kernel, stride, pads, dilation) -> bool:
    """Whether conv2d takes :class:`PolyphaseDepthwiseConv2d`: depthwise, 3x3, stride 2, padding 1."""
    return (groups == in_channels and in_per_group == 1 and groups > 1 and tuple(kernel) == (3, 3)
            and tuple(stride) == (2, 2) and tuple(pads) == (1, 1, 1, 1) and tuple(dilation) == (1, 1))


class FlatGrids:
    """Zero grids (C, R, nb, Hq, Wq) on one flat row (and a few zeros after: the shifts' reach), for
    a block of ``nb`` samples of an H×W map's 3x3 stride-2 conv (OH = ⌈H/2⌉, Hq = OH + 1, Wq = OW + 1):
    R = 4 phases of x, or dy's m maps framed by a zero row and column at the top left. Output
    (n, p, q) sits at t = n·Hq·Wq + p·Wq + q of each plane; a shift of the row wraps onto zeros
    (the next row's first column, the next sample's first row) or onto outputs that are cropped."""

    def __init__(self, c: int, planes: int, nb: int, hw, dtype):
        self.hw = hw
        self.grid = (-(-hw[0] // 2) + 1, -(-hw[1] // 2) + 1)
        self.shape = (c, planes, nb, *self.grid)
        size = int(np.prod(self.shape))
        self.row = np.zeros(size + self.grid[1] + 1, dtype=dtype)
        self.planes = self.row[:size].reshape(self.shape)
        self.positions = nb * self.grid[0] * self.grid[1]

    def shifted(self, start: int, counts, steps, step: int) -> np.ndarray:
        """The (C, *counts, nb·Hq·Wq) read-only view [c, u, v, t] = channel c's row at start + t·step
        + u·steps[0] + v·steps[1]."""
        item = self.row.itemsize
        return as_strided(self.row[start:], (self.shape[0], *counts, self.positions),
                          (self.planes.strides[0], *(s * item for s in steps), step * item), writeable=False)


def _of_phase(a: int, size: int) -> tuple[slice, slice]:
    """Along one axis: the grid positions r of phase a (xp's 2r + a) that hold x, and x's positions there."""
    return slice(1 - a, 1 - a + (size + a) // 2), slice(1 - a, None, 2)


def _phase_pairs(planes: np.ndarray, maps: np.ndarray):
    """For each phase k = 2a + b: the part of ``planes`` (C, 4, nb, Hq, Wq) that holds maps, and the
    (nb, C, ·, ·) maps (H×W) there (P_ab[r, s] = xp[2r + a, 2s + b])."""
    h, w = maps.shape[2:]
    for k, (a, b) in enumerate(PHASES):
        (rows, of_rows), (cols, of_cols) = _of_phase(a, h), _of_phase(b, w)
        yield planes[:, k, :, rows, cols].transpose(1, 0, 2, 3), maps[:, :, of_rows, of_cols]


def place_phases(grids: FlatGrids, x: np.ndarray) -> None:
    """Write x (nb, C, H, W)'s four phases onto ``grids`` (C, 4, nb, Hq, Wq) (the pads stay zero)."""
    for on_grid, of_x in _phase_pairs(grids.planes, x):
        on_grid[...] = of_x


def gather_phases(phases: np.ndarray, dx: np.ndarray) -> None:
    """The inverse of :func:`place_phases`: ``dx`` (nb, C, H, W) from its phases (C, 4, nb, Hq, Wq)."""
    for on_grid, of_dx in _phase_pairs(phases, dx):
        of_dx[...] = on_grid


def tap_columns(grids: FlatGrids, cols: np.ndarray) -> np.ndarray:
    """The (C, 9, nb·Hq·Wq) columns of x's phase grids into ``cols``, taps in :data:`TAPS` order:
    [c, (i, j), t] = P_ab[n, c, p + u, q + v] at t = (n, p, q); one copy per phase (each a long run
    per channel and tap)."""
    wq = grids.shape[-1]
    first = 0
    for k, (a, b) in enumerate(PHASES):
        view = grids.shifted(k * grids.positions, (2 - a, 2 - b), (wq, 1), 1)
        np.copyto(cols[:, first:first + view.shape[1] * view.shape[2]].reshape(view.shape), view)
        first += view.shape[1] * view.shape[2]
    return cols


class PolyphaseDepthwiseConv2d(Function):
    """Depthwise 3x3 convolution, stride 2, padding 1: one input channel per group, m = O/C filters
    per channel. Per block of samples, on flat grids (:class:`FlatGrids`), with P_ab[p, q] =
    xp[2p + a, 2q + b] and dy⁺ = dy framed by a zero row and column at the top left:

        y[n, c·m + r, p, q] = b[c·m + r] + Σ_{i,j} W[c·m + r, i, j] · xp[n, c, 2p + i, 2q + j]
        dP_ab[n, c, p, q]   = Σ_{r,u',v'} W[c·m + r, 2(1−u') + a, 2(1−v') + b]·dy⁺[n, c·m + r, p + u', q + v']
        dW[c·m + r, i, j]   = Σ_{n,p,q} dy⁺[n, c·m + r, p + u', q + v'] · P_ab[n, c, p, q]

    with (i, j) = (2u + a, 2v + b), u' = 1 − u, v' = 1 − v.

    Forward: one BLAS product per channel of its W (m, 9) with the columns of all the block's
    samples (:func:`tap_columns`). Backward: the columns of dy⁺'s four shifts (:func:`dy_columns`)
    serve both dx (their product per channel with the sub-kernels (4, 4m) gives the four phases
    of dx, put back in place) and dW (their dots with x's phase grids, kept from the forward);
    db = Σ dy.
    Shapes: x (N, C, H, W), W (C·m, 1, 3, 3), b (C·m,), y (N, C·m, ⌈H/2⌉, ⌈W/2⌉).
    """

    fresh_grads = True

    def forward(ctx, x, w, b):
        n, c, h, wd = x.shape
        o = w.shape[0]
        m = o // c
        dtype = np.result_type(x, w)
        w4 = w.reshape(c, m, 3, 3).astype(dtype, copy=False)
        mats = np.stack([w4[:, :, i, j] for i, j in TAPS], axis=-1)
        needs = getattr(ctx, "needs_input_grad", (False, False))
        ctx.dx_mats = _dx_mats(w4) if needs[0] else None
        y = np.empty((n, o, -(-h // 2), -(-wd // 2)), dtype=dtype)
        grid = (y.shape[2] + 1, y.shape[3] + 1)

        def piece(start: int, stop: int) -> list:
            kept, blocks = [], _blocks(start, stop, c * len(TAPS) * grid[0] * grid[1] * y.itemsize)
            step = blocks[0][1] - blocks[0][0]
            cols = np.empty(c * len(TAPS) * step * grid[0] * grid[1], dtype=dtype)
            out = np.empty(c * m * step * grid[0] * grid[1], dtype=dtype)
            grids = None
            for s, t in blocks:  # buffers reused from block to block (the grids only when not kept)
                if grids is None or needs[1] or t - s != step:
                    grids = FlatGrids(c, 4, t - s, (h, wd), dtype)
                place_phases(grids, x[s:t])
                size = (t - s) * grid[0] * grid[1]
                product = np.matmul(mats, tap_columns(grids, cols[:c * len(TAPS) * size].reshape(c, -1, size)),
                                    out=out[:c * m * size].reshape(c, m, size))
                crop_into(product.reshape(c, m, t - s, *grid), y[s:t], b)
                kept.append((s, t, grids if needs[1] else None))  # x's phases, for dW
            return kept

        samples = pieces(n, x[0].nbytes * len(TAPS), min_bytes=_SPLIT, piece_bytes=_PIECE)
        ctx.pieces = map_pieces(piece, samples)
        ctx.shapes = (x.shape, w.shape)
        return y

    def backward(ctx, dy):
        (n, c, h, wd), (o, _, _, _) = ctx.shapes
        m = o // c
        need_dx, need_dw, need_db = ctx.needs_input_grad[:3]
        dx = np.empty((n, c, h, wd), dtype=dy.dtype) if need_dx else None
        mats = ctx.dx_mats.astype(dy.dtype, copy=False) if need_dx else None
        grid = (dy.shape[2] + 1, dy.shape[3] + 1)

        def piece(blocks: list) -> np.ndarray | None:
            step = blocks[0][1] - blocks[0][0]
            size = step * grid[0] * grid[1]
            cols, products = np.empty(c * 4 * m * size, dtype=dy.dtype), np.empty(c * 4 * size, dtype=dy.dtype)
            dy_grids, dots = None, None
            for s, t, grids in blocks:  # buffers reused from block to block
                if dy_grids is None or t - s != step:
                    dy_grids = FlatGrids(c, m, t - s, (h, wd), dy.dtype)
                size = (t - s) * grid[0] * grid[1]
                block_cols = dy_columns(dy[s:t], dy_grids, cols[:c * 4 * m * size].reshape(c, 4 * m, size))
                if need_dx:
                    phases = np.matmul(mats, block_cols, out=products[:c * 4 * size].reshape(c, 4, size))
                    gather_phases(phases.reshape(c, 4, t - s, *grid), dx[s:t])
                if need_dw:
                    dot = np.matmul(block_cols, grids.planes.reshape(c, 4, -1).transpose(0, 2, 1))
                    dots = dot if dots is None else dots + dot
            return dots

        parts = map_pieces(piece, [(blocks,) for blocks in ctx.pieces]) if need_dw or need_dx else []
        dw = _dw_from_dots(sum(parts[1:], parts[0]), o) if need_dw else None
        db = channel_sums(dy) if need_db else None
        return dx, dw, db

    def differentiable_backward(ctx, dy):
        c = ctx.shapes[0][1]
        return grads.conv2d_grads(ctx, dy, (3, 3), (2, 2), (1, 1, 1, 1), (1, 1), c)


def dy_columns(dy: np.ndarray, grids: FlatGrids, cols: np.ndarray) -> np.ndarray:
    """The columns [c, r·4 + 2u' + v', t] = dy⁺[n, c·m + r, p + u', q + v'] of a block's dy (nb, C·m,
    OH, OW) into ``cols`` (C, 4m, nb·Hq·Wq): dy⁺ on ``grids`` (C, m, nb, Hq, Wq), then one copy of
    their shifted view."""
    nb, o, oh, ow = dy.shape
    c, m = grids.shape[:2]
    grids.planes[:, :, :, 1:, 1:] = dy.reshape(nb, c, m, oh, ow).transpose(1, 2, 0, 3, 4)
    np.copyto(cols.reshape(c, m, 2, 2, -1), grids.shifted(0, (m, 2, 2), (grids.positions, ow + 1, 1), 1))
    return cols


def crop_into(out: np.ndarray, y: np.ndarray, b) -> None:
    """``y`` (nb, C·m, OH, OW) = ``out`` (C, m, nb, Hq, Wq) without its last row and column, plus the bias."""
    c, m, nb, hq, wq = out.shape
    maps = out[:, :, :, :hq - 1, :wq - 1].transpose(2, 0, 1, 3, 4)
    target = y.reshape(nb, c, m, hq - 1, wq - 1)
    if b is None:
        np.copyto(target, maps)
    else:
        np.add(maps, b.reshape(c, m, 1, 1), out=target)


def _dx_mats(w: np.ndarray) -> np.ndarray:
    """(C, 4, 4m): [c, 2a + b, r·4 + 2u' + v'] = W[c, r, 2(1−u') + a, 2(1−v') + b] (0 past the kernel)."""
    c, m = w.shape[:2]
    mats = np.zeros((c, 2, 2, m, 2, 2), dtype=w.dtype)
    for (a, u), (b, v) in itertools.product(itertools.product(range(2), repeat=2), repeat=2):
        i, j = 2 * (1 - u) + a, 2 * (1 - v) + b
        if i < 3 and j < 3:
            mats[:, a, b, :, u, v] = w[:, :, i, j]
    return mats.reshape(c, 4, 4 * m)


def _dw_from_dots(dots: np.ndarray, o: int) -> np.ndarray:
    """dW (O, 1, 3, 3) from the dots (C, 4m, 4) [c, r·4 + 2u' + v', 2a + b] of dy⁺'s shifts with x's
    phases: W[·, i, j] at u' = 1 − u, v' = 1 − v for (i, j) = (2u + a, 2v + b)."""
    c = dots.shape[0]
    dots = dots.reshape(c, o // c, 2, 2, 2, 2)
    dw = np.empty((c, o // c, 3, 3), dtype=dots.dtype)
    for i in range(3):
        for j in range(3):
            (u, a), (v, b) = divmod(i, 2), divmod(j, 2)
            dw[:, :, i, j] = dots[:, :, 1 - u, 1 - v, a, b]
    return dw.reshape(o, 1, 3, 3)


def _blocks(start: int, stop: int, bytes_each: int) -> list[tuple[int, int]]:
    """Consecutive (s, t) blocks of the samples start..stop, each with about :data:`_BLOCK` bytes of columns."""
    step = max(1, _BLOCK // max(1, bytes_each))
    return [(s, min(stop, s + step)) for s in range(start, stop, step)]


# bytes of one block's columns; forward at one thread, 144@32x32 / 576@8x8: 0.5 MiB 34 / 24 ms,
# 1 MiB 32 / 17, 2 MiB 42 / 20, 4 MiB 30 / 16 ms; 16 MiB slower in the backward (see above)
_BLOCK = 1 << 22
# bytes of one piece's columns (in practice one piece per thread) and the columns from which the
# work is split over the threads: depthwise_same's measured values, not re-measured here
_PIECE = 1 << 28
_SPLIT = 1 << 23
