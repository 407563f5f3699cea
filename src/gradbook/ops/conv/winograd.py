"""Winograd's minimal filtering F(2x2, 3x3) for conv2d with a 3x3 kernel, stride 1 and padding 1
on maps of even height and width (Lavin & Gray, 2016).

The output is cut into 2x2 tiles; tile (t, s) reads the 4x4 input patch d at rows 2t−1 … 2t+2 and
columns 2s−1 … 2s+2 (zero outside the map). With

    Bᵀ = [[1, 0, −1, 0], [0, 1, 1, 0], [0, −1, 1, 0], [0, 1, 0, −1]]
    G  = [[1, 0, 0], [½, ½, ½], [½, −½, ½], [0, 0, 1]]
    Aᵀ = [[1, 1, 1, 0], [0, 1, −1, −1]]

one tile of one output channel is  y = Aᵀ [Σ_c (G W[o, c] Gᵀ) ⊙ (Bᵀ d[c] B)] A,  so the channel sum is
16 matrix products, one per element e = (a, b) of the 4x4 transformed tile:

    M[e] (O, T) = U[e] (O, C) @ V[e] (C, T),   U = G W Gᵀ,  V = Bᵀ d B  (T tiles)

with 16·O·C·T multiplications where the direct product has 36·O·C·T: 2.25x fewer. The backward is
the adjoint of every step: dU[e] = dM[e] V[e]ᵀ (dW = Gᵀ dU G), dV[e] = U[e]ᵀ dM[e], dM = A dy Aᵀ,
and dx = B dV Bᵀ added back onto the overlapping patches.

The transforms never gather patches: the maps are split into their four (row, column) parity
phases, and a patch's rows 2t−1, 2t, 2t+1, 2t+2 are then rows t−1, t, t, t+1 of the odd, even, odd
and even phase. Each transform step is a handful of contiguous operations on whole phases, shifted
by one tile row or column, with the ends of each line fixed up (:func:`_tile_rows`).
"""
from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from ...autograd.function import Function
from .._parallel import map_pieces, totals
from . import grads
from .columns import cache_pieces

__all__: list[str] = []  # conv2d's path for large 3x3 'same' convs (see .dispatch)

_G = np.array([[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]])
_A = np.array([[1, 1, 1, 0], [0, 1, -1, -1]])
# (Aᵀ ⊗ Aᵀ): output phase (r, c) = Σ_(a, b) A[r, a]·A[c, b]·M[(a, b)]
_A2 = np.einsum("ra,cb->rcab", _A, _A).reshape(4, 16)
_BIAS_ELEMENT = 5  # e = (1, 1): A[r, 1]·A[c, 1] = 1 for every output phase, so the bias goes there once

# Pieces of a few samples (V of one piece about 3 MiB). Measured on resnet20's training step (batch 128,
# 2 threads, wall clock, piece sizes alternated step by step, medians of 8-9 steps in three runs): 3 MiB
# 383 / 383 / 401 ms, 2 MiB 391 / 400 / 421, 1.5 MiB 382 / 388, 1 MiB 419, 4 MiB 443. (On one conv
# alone, forward + backward, 2 MiB was as fast or faster: 16 channels on 32x32 maps 36 ms against 41 for
# 4 MiB and 47 for 1 MiB.)
WINOGRAD_PIECE_BYTES = 3 << 20


def applies(kernel, stride, dilation, groups: int, pads, hw) -> bool:
    """Whether :class:`WinogradConv2d` computes this conv2d: 3x3, stride 1, dilation 1, padding 1,
    one group, even maps."""
    return (tuple(kernel) == (3, 3) and tuple(stride) == (1, 1) and tuple(dilation) == (1, 1)
            and groups == 1 and tuple(pads) == (1, 1, 1, 1) and hw[0] % 2 == 0 and hw[1] % 2 == 0)


def fits(kernel, stride, dilation, groups: int, pads, hw, channels: int, out_channels: int) -> bool:
    """Whether conv2d takes Winograd's filtering: where it :func:`applies`, on maps and channel
    counts large enough for the 16 smaller products to repay their transforms (measured below);
    F(4x4, 3x3) (:func:`.winograd4.fits`) where the maps' sides are multiples of 4, else this one."""
    return (applies(kernel, stride, dilation, groups, pads, hw)
            and min(hw) >= MIN_SIDE and min(channels, out_channels) >= MIN_CHANNELS)


# Forward + backward against the sample-major column product, batch 128, 2 threads, in-process A/B
# medians of 26, with F(4x4, 3x3)'s filter transform by G⊗G (ms, columns → Winograd): 48→12 channels
# (densenet_bc_40's 3x3 convs) on 32x32 61.9 → 37.8, 16x16 17.8 → 10.7, 8x8 4.2 → 3.0, on 30x30
# (F(2x2, 3x3)) 54.0 → 43.3; 12→12 on 32x32 20.1 → 11.3, on 14x14 5.0 → 4.5; 8→8 on 32x32 9.3 →
# 8.8, without the input's gradient 8.7 → 7.8; 8→16 the same without it (13.0 / 13.5). A first
# layer on RGB images keeps the columns: 3→16 on 32x32 without the input's gradient 4.8 → 10.5,
# 3→64 12.2 → 44.7 (its columns are small, Winograd's transforms are not); densenet_bc_40's step
# 1559 → 1108 ms going from 16 to 8 channels (from 16 to 3: resnet20 315 → 333, its RGB conv).
MIN_CHANNELS = 8
MIN_SIDE = 8


class WinogradConv2d(Function):
    """y[n, o, p, q] = b[o] + Σ_{c, i, j} W[o, c, i, j] · x[n, c, p + i − 1, q + j − 1] (zero off the map),
    computed tile by tile as Aᵀ [Σ_c U ⊙ V] A (see the module docstring).
    Shapes: x (N, C, H, W) with H, W even, W (O, C, 3, 3), b (O,), y (N, O, H, W).
    """

    fresh_grads = True

    def forward(ctx, x, w, b):
        n, c, h, wd = x.shape
        o = w.shape[0]
        dtype = np.result_type(x, w)
        u = filter_transform(_G, w, dtype)
        a2 = _A2.astype(dtype)
        y = np.empty((n, o, h, wd), dtype=dtype)

        def piece(start: int, stop: int) -> np.ndarray:
            v = _input_transform(x[start:stop].astype(dtype, copy=False))
            m = np.matmul(u, v)
            if b is not None:
                m[_BIAS_ELEMENT] += b.reshape(o, 1)
            _from_phases(np.matmul(a2, m.reshape(16, -1)).reshape(2, 2, o, -1), y[start:stop])
            return v

        forward_in_pieces(ctx, piece, x.shape, 4 * c * h * wd * np.dtype(dtype).itemsize, u)
        return y

    def backward(ctx, dy):
        (_, c, h, w), o = ctx.x_shape, dy.shape[1]
        need_dx, need_dw = ctx.needs_input_grad[0], ctx.needs_input_grad[1]
        dx = np.empty(ctx.x_shape, dtype=dy.dtype) if need_dx else None
        u_t = ctx.u.transpose(0, 2, 1) * _SIGNS.astype(dy.dtype).reshape(16, 1, 1)

        def piece(start: int, stop: int, v):
            dv = np.empty((16, c, (stop - start) * (h // 2) * (w // 2)), dtype=dy.dtype) if need_dx else None
            du = np.empty((16, o, c), dtype=dy.dtype) if need_dw else None
            for elements, dm in _output_transform_adjoint(dy[start:stop]):
                # both products of these elements e while their dM is in cache
                if need_dx:
                    np.matmul(u_t[elements], dm, out=dv[elements])
                if need_dw:
                    np.matmul(dm, v[elements].transpose(0, 2, 1), out=du[elements])
                if elements.start <= _BIAS_ELEMENT < elements.stop:
                    db = dm[_BIAS_ELEMENT - elements.start].sum(axis=-1)
            if need_dx:
                _input_transform_adjoint(dv, dx[start:stop])
            return du, db

        du, db = backward_in_pieces(ctx, piece)
        dw = filter_transform_adjoint(_G, du * _SIGNS.reshape(16, 1, 1)).astype(dy.dtype) if need_dw else None
        return dx, dw, db if ctx.needs_input_grad[2] else None

    def differentiable_backward(ctx, dy):
        return grads.conv2d_grads(ctx, dy, (3, 3), (1, 1), (1, 1, 1, 1), (1, 1), 1)


def filter_transform(g: np.ndarray, w: np.ndarray, dtype) -> np.ndarray:
    """U = G W Gᵀ of every filter: (E, O, C) for W (O, C, 3, 3) and G (√E, 3), element e = (a, b), as
    ONE matrix product by G ⊗ G (E, 9). Measured against einsum("ai,ocij,bj->aboc") (which loops
    without BLAS): 64 → 64 channels, F(4x4, 3x3), U + dW 6.0 → 0.35 ms (16 channels: 0.2 → 0.05)."""
    o, c = w.shape[:2]
    return (np.kron(g, g).astype(dtype) @ w.reshape(o * c, 9).T.astype(dtype, copy=False)).reshape(-1, o, c)


def filter_transform_adjoint(g: np.ndarray, du: np.ndarray) -> np.ndarray:
    """dW (O, C, 3, 3) = Gᵀ dU G of every filter: the adjoint of :func:`filter_transform`, for dU (E, O, C)."""
    e, o, c = du.shape
    return (du.reshape(e, o * c).T @ np.kron(g, g).astype(du.dtype)).reshape(o, c, 3, 3)


def forward_in_pieces(ctx, piece, x_shape, transformed_bytes_each: int, u: np.ndarray,
                      piece_bytes: int | None = None) -> None:
    """Runs a Winograd forward's ``piece(start, stop)`` (which returns the piece's V) on pieces of
    samples, V of one about ``piece_bytes`` (default :data:`WINOGRAD_PIECE_BYTES`;
    ``transformed_bytes_each`` a sample), and keeps on ``ctx`` what the backward needs: the pieces,
    their V (for dW), the transformed weight U."""
    samples = cache_pieces(x_shape[0], transformed_bytes_each, piece_bytes or WINOGRAD_PIECE_BYTES)
    transformed = map_pieces(piece, samples)
    needs = getattr(ctx, "needs_input_grad", None)
    if needs is not None:
        ctx.transformed = transformed if needs[1] else [None] * len(samples)
        ctx.u, ctx.pieces, ctx.x_shape = u, samples, x_shape


def backward_in_pieces(ctx, piece) -> tuple:
    """The totals (dU, db) of a Winograd backward's ``piece(start, stop, V)`` over the forward's pieces."""
    return totals(map_pieces(piece, [(start, stop, v) for (start, stop), v in zip(ctx.pieces, ctx.transformed)]))


def _phases(a: np.ndarray) -> np.ndarray:
    """(n, C, H, W) → (2, 2, C, n·H/2·W/2): [ρ, σ] holds a[:, :, ρ::2, σ::2], channel-major."""
    n, c, h, w = a.shape
    out = np.empty((2, 2, c, n, h // 2, w // 2), dtype=a.dtype)
    grid = a.reshape(n, c, h // 2, 2, w // 2, 2)
    for rho in range(2):
        for sigma in range(2):
            np.copyto(out[rho, sigma], grid[:, :, :, rho, :, sigma].transpose(1, 0, 2, 3))
    return out.reshape(2, 2, c, -1)


def _from_phases(p: np.ndarray, out: np.ndarray) -> None:
    """The inverse of :func:`_phases`: phases (2, 2, C, T) written into ``out`` (n, C, H, W)."""
    n, c, h, w = out.shape
    grid = out.reshape(n, c, h // 2, 2, w // 2, 2)
    for rho in range(2):
        for sigma in range(2):
            np.copyto(grid[:, :, :, rho, :, sigma], p[rho, sigma].reshape(c, n, h // 2, w // 2).transpose(1, 0, 2, 3))


def _output_transform_adjoint(dy: np.ndarray) -> Iterator[tuple[slice, np.ndarray]]:
    """dM = A dy Aᵀ of every tile of ``dy`` (n, O, H, W), up to sign: yields (a slice of elements e,
    D (that many, O, T)) with dM[e] = _SIGNS[e]·D. All 16 at once where they fit in
    :data:`DM_WHOLE_BYTES` (one batched product each for dV and dU: fewer NumPy calls), else
    element by element, each made just before its products use it (one dM[e] in cache at a time).
    Along either direction A's columns give (d0, d0 + d1, d0 − d1, −d1) from a tile's two output
    rows (d0, d1); the last one's sign goes to :data:`_SIGNS`."""
    q = _phases(dy)  # [r, c]
    o, tiles = q.shape[2:]
    if 16 * q[0, 0].nbytes <= DM_WHOLE_BYTES:
        rows = np.empty((4, 2, o, tiles), dtype=dy.dtype)  # [a, c]
        _a_columns(q[0], q[1], rows)
        d = np.empty((4, 4, o, tiles), dtype=dy.dtype)  # [a, b]
        _a_columns(rows[:, 0], rows[:, 1], d.transpose(1, 0, 2, 3))
        yield slice(0, 16), d.reshape(16, o, tiles)
        return
    for a, combine_rows in enumerate(_A_COLUMNS):
        d0, d1 = combine_rows(q[0], q[1])  # row a of every tile, (O, T) for each of its two columns
        for b, combine in enumerate(_A_COLUMNS):
            yield slice(4 * a + b, 4 * a + b + 1), combine(d0, d1)[None]


# The backward's whole dM (16 elements) at once up to this size. Measured backward, 2 threads, in-process
# medians: 16 channels on 32x32 maps at batch 128 (dM of 2.9 MiB a piece) 14.5 → 10.6 ms against element
# by element (32 on 16x16 and 64 on 8x8 the same either way); 32 → 64 channels on 32x32 maps at batch 64
# (6 MiB) 24.4 ms element by element, 28.1 whole.
DM_WHOLE_BYTES = 4 << 20

_A_COLUMNS = (lambda d0, d1: d0, np.add, np.subtract, lambda d0, d1: d1)  # up to the last one's sign


def _a_columns(d0: np.ndarray, d1: np.ndarray, out: np.ndarray) -> None:
    """``out`` (4, ...) = (d0, d0 + d1, d0 − d1, d1): A's columns applied to two output rows, up to
    the last one's sign."""
    np.copyto(out[0], d0)
    np.add(d0, d1, out=out[1])
    np.subtract(d0, d1, out=out[2])
    np.copyto(out[3], d1)


_SIGNS = np.outer([1, 1, 1, -1], [1, 1, 1, -1]).reshape(16)


def _input_transform(x: np.ndarray) -> np.ndarray:
    """V = Bᵀ d B of every tile: (16, C, T) for the samples ``x`` (n, C, H, W), T = n·H/2·W/2."""
    n, c, h, w = x.shape
    p = _phases(x)
    tiles = p.shape[-1]
    rows = np.empty((4, 2, c, tiles), dtype=x.dtype)  # [a, σ]: Bᵀ along the tile's rows
    _tile_rows(p[0], p[1], rows, line=tiles // n, step=w // 2)
    v = np.empty((4, 4, c, tiles), dtype=x.dtype)  # [a, b]
    _tile_rows(rows[:, 0], rows[:, 1], v.transpose(1, 0, 2, 3), line=w // 2, step=1)
    return v.reshape(16, c, tiles)


def _input_transform_adjoint(dv: np.ndarray, dx: np.ndarray) -> None:
    """dx (n, C, H, W) = Σ over tiles of B dV Bᵀ put back on each tile's patch: the adjoint of
    :func:`_input_transform`, for dV (16, C, T)."""
    n, c, h, w = dx.shape
    tiles = dv.shape[-1]
    dv = dv.reshape(4, 4, c, tiles)
    rows = np.empty((4, 2, c, tiles), dtype=dv.dtype)  # [a, σ]
    _tile_rows_adjoint(dv.transpose(1, 0, 2, 3), rows[:, 0], rows[:, 1], line=w // 2, step=1)
    p = np.empty((2, 2, c, tiles), dtype=dv.dtype)  # [ρ, σ]
    _tile_rows_adjoint(rows, p[0], p[1], line=tiles // n, step=w // 2)
    _from_phases(p, dx)


def _tile_rows(even: np.ndarray, odd: np.ndarray, out: np.ndarray, line: int, step: int) -> None:
    """Bᵀ along one direction of the tiles. A tile t reads (odd[t − 1], even[t], odd[t], even[t + 1]),
    neighbours ``step`` apart on the flat last axis, which holds lines of ``line`` elements with
    zeros beyond each line's ends (a sample's tile rows, or a tile row's columns):

        out[0] = odd[t−1] − odd[t],  out[1] = even + odd,  out[2] = odd − even,  out[3] = even[t] − even[t+1]

    for ``even``, ``odd`` (..., T) and ``out`` (4, ..., T)."""
    np.subtract(odd[..., :-step], odd[..., step:], out=out[0][..., step:])
    np.add(even, odd, out=out[1])
    np.subtract(odd, even, out=out[2])
    np.subtract(even[..., :-step], even[..., step:], out=out[3][..., :-step])
    # every line's first (last) tile has nothing before (after) it: set it, or undo what the flat
    # shift read. (Not np.negative: NumPy 2.4's float32 negative misreads strided views with a
    # length-1 axis.)
    np.multiply(_lines(odd, line)[..., :step], -1, out=_lines(out[0], line)[..., :step])
    np.copyto(_lines(out[3], line)[..., -step:], _lines(even, line)[..., -step:])


def _tile_rows_adjoint(z: np.ndarray, even: np.ndarray, odd: np.ndarray, line: int, step: int) -> None:
    """The adjoint of :func:`_tile_rows`: for z (4, ..., T),

        odd[t] = z1 + z2 − z0 + z0[t+1],   even[t] = z1 − z2 + z3 − z3[t−1]   (within a line)"""
    np.add(z[1], z[2], out=odd)
    odd -= z[0]
    odd[..., :-step] += z[0][..., step:]
    _lines(odd, line)[..., :-1, -step:] -= _lines(z[0], line)[..., 1:, :step]
    np.subtract(z[1], z[2], out=even)
    even += z[3]
    even[..., step:] -= z[3][..., :-step]
    _lines(even, line)[..., 1:, :step] += _lines(z[3], line)[..., :-1, -step:]


def _lines(a: np.ndarray, line: int) -> np.ndarray:
    """``a`` (..., T) viewed as (..., T / line, line) (a view, never a copy: it is written through)."""
    view = a.view()
    view.shape = (*a.shape[:-1], a.shape[-1] // line, line)
    return view
