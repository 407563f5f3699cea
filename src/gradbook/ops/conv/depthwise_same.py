"""Fast path: depthwise convolution, stride 1, 'same' size (the output keeps H×W), block by block
of samples: the block's maps are laid on zero grids (each map plus its padding, all on one flat
row), on which a kernel tap is one constant shift of the flat index, so the taps' columns of all
the block's maps are one copy of an overlapping strided view, and one batched product with the
weights gives the outputs on the grids (a few padding columns more), cropped into place.

Measured on 64x64x32x32, 3x3, forward + backward, in-process: one thread (CPU time) 31.6 → 22.6 ms,
two threads 25.3 → 14.7 ms against the columns built straight from the maps, one copy per tap
with the entries that left the map zeroed row by row (NumPy's calls on short rows, and 8 MiB
blocks of columns out of cache, were the difference). Tried and left: grids with zero rows only
(no padding columns, so no crop; the wrapped entries zeroed in the columns): 10-15% faster on
MobileNet's 8x8 and 4x4 maps, ~7% slower on 32x32 (the zeroing touches every line of the
columns); the same with the wraps zeroed in one grid copy per kernel column: slower still;
blocks of a run of one sample's channels, so that the columns stay in L2 (1 MiB): two threads
14.0 → 23.4 ms at 1 MiB blocks; products into preallocated outputs: the same; the bias added in
the crop instead of a row of ones in the columns: forward 8.5 → 10.2 ms at one thread."""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ...autograd.function import Function
from .._parallel import map_pieces, pieces
from .._windows import Pads, out_size
from . import grads

__all__: list[str] = []  # conv2d's path for 'same' depthwise shapes (see .dispatch)


def fits(groups: int, in_channels: int, in_per_group: int, stride, x_hw, kernel, pads: Pads, dilation) -> bool:
    """Whether conv2d takes :class:`SameDepthwiseConv2d`: depthwise, stride 1, output of the input's size."""
    return (groups == in_channels and in_per_group == 1 and groups > 1 and tuple(stride) == (1, 1)
            and all(out_size(x_hw[a], kernel[a], 1, pads[2 * a] + pads[2 * a + 1], dilation[a]) == x_hw[a]
                    for a in range(2)))


class Grids:
    """Flat zero grids for the maps (R, H, W) of a block, a kernel (KH, KW) with ``dilation`` and
    pads (top, bottom, left, right): each map at the top left of its grid of Hp = H + max(top,
    bottom) rows by Wp = W + max(left, right) columns (the next map's top rows and the next row's
    left columns serve as the bottom and right padding), the grids one after another after
    ``top·Wp + left`` zeros. Output (p, q) of map r and tap (i, j) then read grid element
    r·Hp·Wp + p·Wp + q + i·dh·Wp + j·dw: the taps of all outputs (on the H×Wp grid rows: the
    padding columns give outputs that are cropped off) are a strided view of the row."""

    def __init__(self, planes: int, hw, kernel, pads: Pads, dilation, dtype, ones: bool = False):
        (h, w), (kh, kw) = hw, kernel
        self.hw, self.kernel, self.dilation = hw, kernel, dilation
        self.grid = (h + max(pads[0], pads[1]), w + max(pads[2], pads[3]))
        self.lead = pads[0] * self.grid[1] + pads[2]
        size = self.grid[0] * self.grid[1]
        reach = (kh - 1) * dilation[0] * self.grid[1] + (kw - 1) * dilation[1]
        grids_end = max(self.lead, reach) + planes * size + self.grid[1]
        self.row = np.zeros(grids_end + (planes * size if ones else 0), dtype=dtype)
        if ones:  # a grid of ones for every grid, at a fixed distance after it
            self.row[grids_end:] = 1
        self.ones_after = grids_end - self.lead

    def place(self, maps: np.ndarray) -> None:
        """Write ``maps`` (R', H, W) onto the first R' grids (their padding stays zero)."""
        hp, wp = self.grid
        r = maps.shape[0]
        on_grids = self.row[self.lead:self.lead + r * hp * wp].reshape(r, hp, wp)
        np.copyto(on_grids[:, :self.hw[0], :self.hw[1]], maps)

    def taps(self, planes: int) -> np.ndarray:
        """The (R', KH, KW, H·Wp) read-only view: [r, i, j, t] = grid element r·Hp·Wp + t + i·dh·Wp + j·dw."""
        (hp, wp), item = self.grid, self.row.itemsize
        return as_strided(self.row, (planes, *self.kernel, self.hw[0] * wp),
                          (hp * wp * item, self.dilation[0] * wp * item, self.dilation[1] * item, item),
                          writeable=False)

    def sums(self, samples: int, per_sample: int) -> np.ndarray:
        """Σ over the first ``samples`` × ``per_sample`` placed maps, per map of a sample (the
        padding is zero: one sum of the contiguous grids, still in cache)."""
        size = self.grid[0] * self.grid[1]
        on_grids = self.row[self.lead:self.lead + samples * per_sample * size]
        return on_grids.reshape(samples * per_sample, size).sum(axis=-1).reshape(samples, per_sample).sum(axis=0)

    def maps_on_rows(self, planes: int, ones: bool = False) -> np.ndarray:
        """The (R', H·Wp, 1) view of the placed maps with their padding columns (zeros) after each
        row; with ``ones`` (a grid built with ``ones=True``) (R', H·Wp, 2), the second column 1."""
        (hp, wp), item = self.grid, self.row.itemsize
        return as_strided(self.row[self.lead:], (planes, self.hw[0] * wp, 1 + ones),
                          (hp * wp * item, item, self.ones_after * item), writeable=False)


def crop(on_rows: np.ndarray, hw, out: np.ndarray) -> None:
    """``out`` (R, H, W) = the outputs ``on_rows`` (R, H·Wp) without the padding columns."""
    np.copyto(out, on_rows.reshape(out.shape[0], hw[0], -1)[:, :, :hw[1]])


class SameDepthwiseConv2d(Function):
    """Depthwise convolution, stride 1, output of the input's size; m = O/C filters per channel.
    Per block of samples, with cols the taps' columns on the grids (:class:`Grids`, (KH·KW, H·Wp)
    per map):

        y[n, c·m + r] = b[c·m + r] + W[c, r] · cols_x[n, c]
        dx[n, c]      = W̃[c] · cols_dy[n, c·m : c·m + m]          (W̃: the kernel flipped, the pads swapped)
        dW[c, r, k]   = Σ_n cols_dy[n, c·m + r][K−1−k] · x[n, c]   (the same columns, dotted with x)

    dx is the correlation of dy with the flipped kernel (the transposed shifts are the shifts of
    the swapped pads), and its columns, dotted with x, give dW too: one column build for both
    gradients. One BLAS product per map, the bias as a row of ones in the columns; db comes out of
    dW's product too (x's column beside a column of ones: the unshifted tap's column is dy itself,
    its padding zero): 64x64x32x32 forward + backward, 2 threads, in-process A/B, medians of 36
    in four runs: 14.7-18.3 → 13.4-16.3 ms, against a sum of dy's grids per block.
    Shapes: x (N, C, H, W), W (C·m, 1, KH, KW), b (C·m,), y (N, C·m, H, W).
    """

    fresh_grads = True

    def forward(ctx, x, w, b, pads: Pads, dilation):
        n, c, h, wd = x.shape
        o, _, kh, kw = w.shape
        m, k = o // c, kh * kw
        dtype = np.result_type(x, w)
        mats = w.reshape(c, m, k) if b is None else np.concatenate([w.reshape(c, m, k), b.reshape(c, m, 1)], -1)
        mats = mats.astype(dtype, copy=False)
        y = np.empty((n, o, h, wd), dtype=dtype)

        def piece(start: int, stop: int) -> None:
            step = max(1, min(_samples_a_block(c * mats.shape[-1] * h * wd * mats.itemsize), stop - start))
            grids = Grids(step * c, (h, wd), (kh, kw), pads, dilation, dtype)
            cols = np.empty((step, c, mats.shape[-1], h * grids.grid[1]), dtype=dtype)
            cols[:, :, k:] = 1
            taps = grids.taps(step * c)
            for s in range(start, stop, step):
                t = min(stop, s + step)
                grids.place(x[s:t].reshape((t - s) * c, h, wd))
                part = cols[:t - s]
                np.copyto(part[:, :, :k].reshape((t - s) * c, kh, kw, -1), taps[:(t - s) * c])
                crop(np.matmul(mats, part).reshape((t - s) * o, -1), (h, wd), y[s:t].reshape(-1, h, wd))

        map_pieces(piece, pieces(n, x[0].nbytes * k, min_bytes=_SPLIT, piece_bytes=_PIECE))
        ctx.geom = (x.shape, w.shape, pads, dilation)
        ctx.x = x if getattr(ctx, "needs_input_grad", (False, True))[1] else None
        ctx.flipped = np.ascontiguousarray(w.reshape(c, m, k)[:, :, ::-1]).reshape(c, 1, m * k)
        return y

    def backward(ctx, dy):
        (n, c, h, wd), (o, _, kh, kw), pads, dilation = ctx.geom
        m, k = o // c, kh * kw
        need_dx, need_dw, need_db = ctx.needs_input_grad[:3]
        swapped = (dilation[0] * (kh - 1) - pads[0], dilation[0] * (kh - 1) - pads[1],
                   dilation[1] * (kw - 1) - pads[2], dilation[1] * (kw - 1) - pads[3])
        # db from dW's product: the unshifted tap's column is dy itself, dotted with a column of ones
        still = _unshifted_tap(swapped, dilation, kw) if need_dw and need_db else None
        dx = np.empty((n, c, h, wd), dtype=dy.dtype) if need_dx else None
        x, flipped = ctx.x, ctx.flipped.astype(dy.dtype, copy=False)

        def piece(start: int, stop: int):
            step = max(1, min(_samples_a_block(o * k * h * wd * dy.itemsize), stop - start))
            grids = Grids(step * o, (h, wd), (kh, kw), swapped, dilation, dy.dtype)
            cols = np.empty((step, c, m * k, h * grids.grid[1]), dtype=dy.dtype)
            taps = grids.taps(step * o)
            if need_dw:
                inputs = Grids(step * c, (h, wd), (kh, kw), swapped, dilation, dy.dtype, ones=still is not None)
                x_rows = inputs.maps_on_rows(step * c, ones=still is not None)
                x_rows = x_rows.reshape(step, c, *x_rows.shape[1:])
                dots = np.zeros((c, m * k, x_rows.shape[-1]), dtype=dy.dtype)
            sums = np.zeros(o, dtype=dy.dtype) if need_db and still is None else None
            for s in range(start, stop, step):
                t = min(stop, s + step)
                grids.place(dy[s:t].reshape((t - s) * o, h, wd))
                part = cols[:t - s]
                np.copyto(part.reshape((t - s) * o, kh, kw, -1), taps[:(t - s) * o])
                if need_dx:
                    crop(np.matmul(flipped, part).reshape((t - s) * c, -1), (h, wd), dx[s:t].reshape(-1, h, wd))
                if need_dw:
                    inputs.place(x[s:t].reshape((t - s) * c, h, wd))
                    dots += np.matmul(part, x_rows[:t - s]).sum(axis=0)
                if sums is not None:
                    sums += grids.sums(t - s, o)
            if still is not None:
                sums = dots[:, :, 1].reshape(o, k)[:, still]
            return (dots[:, :, 0].reshape(c, m, k)[:, :, ::-1] if need_dw else None), sums

        parts = map_pieces(piece, pieces(n, dy[0].nbytes * k, min_bytes=_SPLIT, piece_bytes=_PIECE))
        dw = (sum(p[0] for p in parts[1:]) + parts[0][0]).reshape(o, 1, kh, kw) if need_dw else None
        db = sum(p[1] for p in parts[1:]) + parts[0][1] if need_db else None
        return dx, dw, db

    def differentiable_backward(ctx, dy):
        (_, c, _, _), (_, _, kh, kw), pads, dilation = ctx.geom
        return grads.conv2d_grads(ctx, dy, (kh, kw), (1, 1), pads, dilation, c)


def _unshifted_tap(pads: Pads, dilation, kw: int) -> int | None:
    """The tap (i·KW + j) whose column on :class:`Grids` with ``pads`` is the placed map itself
    (i·dh = top, j·dw = left), or None when no tap lands on the pads."""
    (i, di), (j, dj) = divmod(pads[0], dilation[0]), divmod(pads[2], dilation[1])
    return i * kw + j if di == dj == 0 else None


def _samples_a_block(bytes_each: int) -> int:
    """Samples whose columns are built and multiplied together: about :data:`_BLOCK` bytes of columns."""
    return max(1, _BLOCK // max(1, bytes_each))


# measured, forward + backward, 2 threads, in-process:
_BLOCK = 1 << 22  # bytes of one block's columns: 64x64x32x32 at 4 MiB (one sample) 14.2 ms, 8 MiB 17.2 ms
# bytes of one piece (of the taps' columns of all its samples): in practice one piece per thread.
# Each piece pays for its grids and columns and starts with a slow first block. A/B in-process,
# medians of 36, 16 / 32 / 64 / 128 MiB: 64x64x32x32 15.8 / 15.8 / 15.5 / 14.9 ms (a second run
# 15.0 / 14.6 / 14.5 / 13.9); 32 / 128 / 256 MiB / 1 GiB: 128x96x32x32 54.0 / 52.1 / 49.6 / 49.0 ms;
# 128x32x16x16 4.9 ms at every size.
_PIECE = 1 << 28
# columns from which the work is split over the threads: 64x32x32 maps at batch 2 (4.7 MB) 0.77 ms
# unsplit, 1.36 ms split; at batch 4 (9.4 MB) 1.47 ms unsplit, 1.29 ms split
_SPLIT = 1 << 23
