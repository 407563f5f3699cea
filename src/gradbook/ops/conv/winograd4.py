"""Winograd's minimal filtering F(4x4, 3x3) for conv2d with a 3x3 kernel, stride 1 and padding 1
on maps whose height and width are multiples of 4 (Lavin & Gray, 2016; points 0, ±1, ±2, ∞).

The output is cut into 4x4 tiles; tile (t, s) reads the 6x6 input patch d at rows 4t−1 … 4t+4 and
columns 4s−1 … 4s+4 (zero outside the map). One tile of one output channel is

    y = Aᵀ [Σ_c (G W[o, c] Gᵀ) ⊙ (Bᵀ d[c] B)] A,   M[e] (O, T) = U[e] (O, C) @ V[e] (C, T)

for the 36 elements e = (a, b) of the 6x6 transformed tile (:data:`B_T`, :data:`G`, :data:`A_T`):
V is 36/16 = 2.25x the input where F(2x2, 3x3)'s (:mod:`.winograd`) is 4x, and the products do
2.25 multiplications per output and channel where F(2x2, 3x3) does 4 (direct: 9). The backward is
the adjoint of every step, as in :mod:`.winograd`.

Each transform is two steps, one per direction: the tiles' six lines are gathered (:func:`_windows`:
six strided copies, the 4-line blocks of the map shifted by one block at the first and last) into
an array whose leading axis is the line, and the 6x6 matrix is applied to all of it by ONE matrix
product (for the second direction, one batched product). The adjoint scatters back with the same
copies, adding the two overlapping lines of neighbouring tiles.
"""
from __future__ import annotations

import numpy as np

from ...autograd.function import Function
from . import grads, winograd

__all__: list[str] = []  # conv2d's path for 3x3 'same' convs on maps of sides 4k (see .dispatch)

B_T = np.array([[4, 0, -5, 0, 1, 0],
                [0, -4, -4, 1, 1, 0],
                [0, 4, -4, -1, 1, 0],
                [0, -2, -1, 2, 1, 0],
                [0, 2, -1, -2, 1, 0],
                [0, 4, 0, -5, 0, 1]], dtype=float)
G = np.array([[1 / 4, 0, 0],
              [-1 / 6, -1 / 6, -1 / 6],
              [-1 / 6, 1 / 6, -1 / 6],
              [1 / 24, 1 / 12, 1 / 6],
              [1 / 24, -1 / 12, 1 / 6],
              [0, 0, 1]])
A_T = np.array([[1, 1, 1, 1, 1, 0],
                [0, 1, -1, 2, -2, 0],
                [0, 1, 1, 4, 4, 0],
                [0, 1, -1, 8, -8, 1]], dtype=float)
_BIAS_ELEMENT = 7  # e = (1, 1): A_T[i, 1]·A_T[j, 1] = 1 for every output (i, j), so the bias goes there once
# Pieces of a few samples, V of one piece about 1.5 MiB. Measured on resnet20's training step (batch 128,
# 2 threads, wall clock, sizes alternated step by step, medians of 8-10 steps): 1.5 MiB 311 / 336 ms
# against 3 MiB 341 / 342 (F(2x2, 3x3)'s size); 1 MiB 317, 2 MiB 315, 0.5 MiB 340, 6 MiB 376. One conv
# alone, forward + backward (1 / 1.5 / 3 MiB): 16 channels on 32x32 maps 18.2 / 18.1 / 18.8 ms, 32 on
# 16x16 11.0 / 12.1 / 12.1, 64 on 8x8 8.8 / 8.5 / 9.2.
PIECE_BYTES = 3 << 19


def applies(kernel, stride, dilation, groups: int, pads, hw) -> bool:
    """Whether :class:`Winograd4Conv2d` computes this conv2d: 3x3, stride 1, dilation 1, padding 1,
    one group, height and width multiples of 4."""
    return (winograd.applies(kernel, stride, dilation, groups, pads, hw)
            and hw[0] % 4 == 0 and hw[1] % 4 == 0)


def fits(kernel, stride, dilation, groups: int, pads, hw, channels: int, out_channels: int) -> bool:
    """Whether conv2d takes :class:`Winograd4Conv2d` rather than F(2x2, 3x3): wherever that one
    :func:`.winograd.fits` and this one :func:`applies`. Measured forward + backward, batch 128,
    float32, in-process medians of 10 A/B alternated (F(2x2, 3x3) → F(4x4, 3x3), ms):

    ============================  ===================  ===================
    shape (channels, map)          2 threads            1 thread
    ============================  ===================  ===================
    16 → 16 on 32x32               22.6 → 18.1          35.7 → 29.4
    32 → 32 on 16x16               14.8 → 10.4          25.9 → 17.9
    64 → 64 on 8x8                 11.1 → 8.5           19.0 → 13.7
    ============================  ===================  ===================

    Float32 error at resnet-like scales (unit-variance inputs, Kaiming weights, 64 channels on 32x32
    maps, against float64): y, dx, dW at most 8e-6 of their largest magnitude (rms 2-3e-6), where
    F(2x2, 3x3) and the direct product have 3-6e-7."""
    return (winograd.fits(kernel, stride, dilation, groups, pads, hw, channels, out_channels)
            and applies(kernel, stride, dilation, groups, pads, hw))


class Winograd4Conv2d(Function):
    """y[n, o, p, q] = b[o] + Σ_{c, i, j} W[o, c, i, j] · x[n, c, p + i − 1, q + j − 1] (zero off the map),
    computed tile by tile as Aᵀ [Σ_c U ⊙ V] A with 4x4 output tiles (see the module docstring).
    Shapes: x (N, C, H, W) with H, W multiples of 4, W (O, C, 3, 3), b (O,), y (N, O, H, W).
    """

    fresh_grads = True

    def forward(ctx, x, w, b):
        n, c, h, wd = x.shape
        o = w.shape[0]
        dtype = np.result_type(x, w)
        u = winograd.filter_transform(G, w, dtype)

        def piece(start: int, stop: int) -> np.ndarray:
            v = _input_transform(x[start:stop].astype(dtype, copy=False))
            m = np.matmul(u, v)
            if b is not None:
                m[_BIAS_ELEMENT] += b.reshape(o, 1)
            _output_transform(m, y[start:stop])
            return v

        y = np.empty((n, o, h, wd), dtype=dtype)
        winograd.forward_in_pieces(ctx, piece, x.shape, 36 * c * h * wd // 16 * np.dtype(dtype).itemsize, u,
                                   PIECE_BYTES)
        return y

    def backward(ctx, dy):
        need_dx, need_dw = ctx.needs_input_grad[0], ctx.needs_input_grad[1]
        dx = np.empty(ctx.x_shape, dtype=dy.dtype) if need_dx else None
        u_t = ctx.u.transpose(0, 2, 1)

        def piece(start: int, stop: int, v):
            dm = _output_transform_adjoint(dy[start:stop])
            if need_dx:
                _input_transform_adjoint(np.matmul(u_t, dm), dx[start:stop])
            du = np.matmul(dm, v.transpose(0, 2, 1)) if need_dw else None
            return du, dm[_BIAS_ELEMENT].sum(axis=-1)

        du, db = winograd.backward_in_pieces(ctx, piece)
        dw = winograd.filter_transform_adjoint(G, du).astype(dy.dtype, copy=False) if need_dw else None
        return dx, dw, db if ctx.needs_input_grad[2] else None

    def differentiable_backward(ctx, dy):
        return grads.conv2d_grads(ctx, dy, (3, 3), (1, 1), (1, 1, 1, 1), (1, 1), 1)


def _input_transform(x: np.ndarray) -> np.ndarray:
    """V = Bᵀ d B of every tile: (36, C, T) for the samples ``x`` (n, C, H, W), T = n·H/4·W/4,
    element e = 6a + b."""
    n, c, h, w = x.shape
    b_t = B_T.astype(x.dtype)
    rows = np.empty((6, c, n, h // 4, w), dtype=x.dtype)  # [line a, c, n, t, column]
    _windows(_row_blocks(x), rows, line=h // 4)
    rows = np.matmul(b_t, rows.reshape(6, -1))  # [a, (c, n, t, column)]
    patches = np.empty((6, 6, c * n * (h // 4) * (w // 4)), dtype=x.dtype)  # [a, line b, (c, n, t, s)]
    _windows(_column_blocks(rows), _column_lines(patches), line=w // 4)
    return np.matmul(b_t, patches).reshape(36, c, -1)


def _input_transform_adjoint(dv: np.ndarray, dx: np.ndarray) -> None:
    """dx (n, C, H, W) = Σ over tiles of B dV Bᵀ put back on each tile's patch: the adjoint of
    :func:`_input_transform`, for dV (36, C, T)."""
    n, c, h, w = dx.shape
    b = B_T.T.astype(dv.dtype)
    patches = np.matmul(b, dv.reshape(6, 6, -1))
    rows = np.empty((6, c * n * (h // 4) * w), dtype=dv.dtype)
    _windows_adjoint(_column_lines(patches), _column_blocks(rows), line=w // 4)
    rows = np.matmul(b, rows).reshape(6, c, n, h // 4, w)
    _windows_adjoint(rows, _row_blocks(dx), line=h // 4)


def _output_transform(m: np.ndarray, y: np.ndarray) -> None:
    """y (n, O, H, W) = Aᵀ M A of every tile, for M (36, O, T). The second product puts the tile's
    column j last, so that the copy into ``y`` runs along whole map rows."""
    n, o, h, w = y.shape
    a_t = A_T.astype(m.dtype)
    half = np.matmul(a_t, m.reshape(6, -1)).reshape(4, 6, -1)  # [i, b, (O, T)]
    tiles = np.matmul(half.transpose(0, 2, 1), a_t.T)  # [i, (o, n, t, s), j]
    np.copyto(_row_blocks(y), tiles.reshape(4, o, n, h // 4, w))


def _output_transform_adjoint(dy: np.ndarray) -> np.ndarray:
    """dM = A dY Aᵀ of every tile of ``dy`` (n, O, H, W): (36, O, T), the adjoint of :func:`_output_transform`."""
    n, o, h, w = dy.shape
    a = A_T.T.astype(dy.dtype)
    tiles = np.empty((4, o, n, h // 4, w), dtype=dy.dtype)  # [i, o, n, t, (s, j)]
    np.copyto(tiles, _row_blocks(dy))
    half = np.matmul(a, tiles.reshape(4, -1)).reshape(6, -1, 4)  # [a, (O, T), j]
    return np.matmul(a, half.transpose(0, 2, 1)).reshape(36, o, -1)


def _row_blocks(x: np.ndarray) -> np.ndarray:
    """(n, C, H, W) viewed as (4, C, n, H/4, W): [k, c, n, t] is row 4t + k."""
    n, c, h, w = x.shape
    return x.reshape(n, c, h // 4, 4, w).transpose(3, 1, 0, 2, 4)


def _column_blocks(rows: np.ndarray) -> np.ndarray:
    """rows (6, L·4) (L = C·n·H/4·W/4, columns last) viewed as (4, 6, L, 1): [k, a, ℓ] is column 4s + k
    (ℓ running over the tiles' columns s fastest; a uniformly strided view)."""
    return np.moveaxis(rows.reshape(6, -1, 4), -1, 0)[..., None]


def _column_lines(patches: np.ndarray) -> np.ndarray:
    """patches (6, 6, L) [a, b, ℓ] viewed as (6, 6, L, 1) [b, a, ℓ]: the line b leading."""
    return patches.transpose(1, 0, 2)[..., None]


def _windows(blocks: np.ndarray, out: np.ndarray, line: int) -> None:
    """The six lines of every tile: out[a, ..., t, :] = line 4t + a − 1 (zero off the map) for
    ``blocks`` (4, ..., T, R) holding line 4t + k at [k, ..., t, :] and ``out`` (6, ..., T, R); the
    tile axis T may run over several maps' lines of ``line`` tiles each (a shift by one then crosses
    from one to the next: those ends are set to zero). One copy per line k: a single copy of all
    four was 3-5x slower (NumPy's iteration order over the strided k)."""
    for k in range(4):
        np.copyto(out[k + 1], blocks[k])
    np.copyto(out[0, ..., 1:, :], blocks[3, ..., :-1, :])
    np.copyto(out[5, ..., :-1, :], blocks[0, ..., 1:, :])
    out[0, ..., ::line, :] = 0
    out[5, ..., line - 1::line, :] = 0


def _windows_adjoint(z: np.ndarray, blocks: np.ndarray, line: int) -> None:
    """The adjoint of :func:`_windows`: ``blocks`` (4, ..., T, R) = each line's sum over the tiles that
    read it, for z (6, ..., T, R) (whose off-map lines it zeroes, in place)."""
    z[0, ..., ::line, :] = 0
    z[5, ..., line - 1::line, :] = 0
    for k in range(4):
        np.copyto(blocks[k], z[k + 1])
    blocks[3, ..., :-1, :] += z[0, ..., 1:, :]
    blocks[0, ..., 1:, :] += z[5, ..., :-1, :]
