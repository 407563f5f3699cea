"""Convolutions (``conv2d``, ``conv_transpose2d``, ``conv1d``), NCHW, each a single Function with a
hand-written backward.

Both are one batched matrix product over the group axis on im2col columns (``_windows``):

    conv2d:            y[n, g] = W[g] (O/G, C/G·KH·KW) @ cols(x)[n, g] (C/G·KH·KW, OH·OW)
    conv_transpose2d:  y = col2im(Wᵀ[g] @ x[n, g])   (the adjoint of conv2d's input map)

so grouped and depthwise convolutions are the same code path as a dense one (the group axis is a
batch axis of ``np.matmul``, never a Python loop). Two shapes take their own path, chosen by
measurement: depthwise convs (:class:`DepthwiseConv2d`) and large 3x3 'same' convs, which take
Winograd's F(2x2, 3x3) (:mod:`gradbook.ops.winograd`, 2.25x fewer multiplications). Each backward is the other's forward: conv2d's
input gradient is a transposed convolution of the upstream gradient (``Wᵀ g`` then ``col2im``), and
conv_transpose2d's input gradient is a convolution of it.

Higher-order gradients (``create_graph=True``) use that closure: conv2d's dx is conv_transpose2d(dy, W),
conv_transpose2d's dx is conv2d(dy, W), and both weight gradients are one bilinear op,
:class:`Conv2dWeightGrad` (x, dy) ↦ dW, whose own gradients are those two convolutions again; so
every order of derivative is made of the same three ops, on every path conv2d takes.
"""
from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ..autograd.grad_mode import no_grad
from ..autograd.tensor import Tensor
from . import winograd
from ._parallel import map_pieces, pieces, totals
from ._util import operand, shape_of
from ._windows import Pads, col2im, im2col, out_size, pad2d, pair, place, same_padding, windows

__all__ = ["conv1d", "conv2d", "conv_transpose2d"]


def _group_matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a`` (G, M, K) @ ``b`` (..., G, K, L) → (..., G, M, L): the group axis is a batch axis."""
    return np.matmul(a, b)


def _weight_grad(g: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Σₙ g[n] @ cols[n]ᵀ for g (N, G, M, L) and cols (N, G, K, L) → (G, M, K)."""
    return np.matmul(g, cols.transpose(0, 1, 3, 2)).sum(axis=0)


def _batch_inner(n: int, out_w: int) -> bool:
    """Whether conv2d lays its columns out with the sample as the innermost axis ((C, H, W, N)
    grids, :func:`_batch_inner_columns`): its copies and strided adds then run over OW·N (or N)
    contiguous values instead of OW, worth the transposes around them only for narrow maps.
    Measured: dx alone 2x faster for 8x8 and 10x10 maps at batch 32-256 (a LeNet's second conv),
    5-10% slower for 16x16 and 32x32; the forward of a LeNet's second conv at batch 256 4.9 → 3.4 ms."""
    return out_w <= 12 and n >= 16


class Conv2d(Function):
    """y[n, o, p, q] = b[o] + Σ_{c∈group(o), i, j} W[o, c, i, j] · xp[n, c, p·sh + i·dh, q·sw + j·dw]

    With channel-major columns cols (G, C/G·KH·KW, N·OH·OW) a batch is one product per group,
    y = W cols, and
        dW = dy colsᵀ,  dcols = Wᵀ dy → dx = col2im(dcols) cropped,  db = Σ dy
    (dy read as (G, O/G, N·OH·OW)). One large BLAS call instead of N small ones keeps both
    threads busy. A stride-1 conv whose output is as large as its input ('same' padding) builds
    its columns and sums its dx by shifts of flat maps (:class:`_ShiftedTaps`); one on narrow maps
    lays them out with the sample innermost (:func:`_batch_inner`), so that dy is transposed once for
    both dW and dx; any other builds them with :func:`gradbook.ops._windows.im2col` and sums dx per
    :func:`_input_grad`.
    A large batch is worked on in pieces of consecutive samples, one thread each (``_parallel``),
    so the copies and strided adds around the products use every core.
    Shapes: x (N, C, H, W), W (O, C/G, KH, KW), b (O,), y (N, O, OH, OW).
    """

    fresh_grads = True

    def forward(ctx, x, w, b, stride, pads: Pads, dilation, groups):
        n, c, h, wd = x.shape
        o, cg, kh, kw = w.shape
        oh = out_size(h, kh, stride[0], pads[0] + pads[1], dilation[0])
        ow = out_size(wd, kw, stride[1], pads[2] + pads[3], dilation[1])
        taps, batch_inner = _column_layout(x.shape, pads, (kh, kw), stride, dilation, (oh, ow))
        wg = w.reshape(groups, o // groups, cg * kh * kw)
        y = np.empty((n, o, oh, ow), dtype=np.result_type(x, w))

        def piece(start: int, stop: int) -> np.ndarray:
            cols = _columns(x[start:stop], taps, batch_inner, pads, (kh, kw), stride, dilation, (oh, ow))
            cols = cols.reshape(groups, -1, (stop - start) * oh * ow)
            y_t = _group_matmul(wg, cols)
            if batch_inner:  # (O, OH, OW, n)
                y_t = y_t.reshape(o, oh, ow, stop - start).transpose(3, 0, 1, 2)
            else:  # (O, n, OH, OW)
                y_t = y_t.reshape(o, stop - start, oh, ow).transpose(1, 0, 2, 3)
            if b is None:
                np.copyto(y[start:stop], y_t)
            else:
                np.add(y_t, b.reshape(o, 1, 1), out=y[start:stop])
            return cols

        samples = pieces(n, c * kh * kw * oh * ow * x.itemsize, piece_bytes=CONV_PIECE_BYTES)
        cols = map_pieces(piece, samples)
        needs = getattr(ctx, "needs_input_grad", None)
        if needs is not None:
            ctx.cols = cols if needs[1] else None
            ctx.wg = wg if needs[0] else None
            ctx.pieces = samples
            ctx.geom = (x.shape, taps, batch_inner, pads, (kh, kw), stride, dilation, groups, (oh, ow))
        return y

    def backward(ctx, dy):
        x_shape, taps, batch_inner, pads, kernel, stride, dilation, groups, out_hw = ctx.geom
        o = dy.shape[1]
        need_dx, need_dw = ctx.needs_input_grad[0], ctx.needs_input_grad[1]
        dx = np.empty(x_shape, dtype=dy.dtype) if need_dx else None

        def piece(start: int, stop: int, cols):
            dy_k = dy[start:stop]
            g = None  # dy as (G, O/G, positions) in the columns' order: for dW, and for dx by shifts
            if need_dw or (need_dx and (batch_inner or taps is not None)):
                g = _grad_rows(dy_k, groups, batch_inner)
            if need_dx:
                if taps is not None:
                    dx[start:stop] = taps.input_grad(g, ctx.wg, stop - start)
                elif batch_inner:
                    dx[start:stop] = _batch_inner_input_grad(g, ctx.wg, x_shape, pads, kernel, stride, dilation, out_hw)
                else:
                    dx[start:stop] = _input_grad(dy_k, ctx.wg, x_shape, pads, kernel, stride, dilation, out_hw)
            if not need_dw:
                return None, (dy_k.sum(axis=(0, 2, 3)) if g is None else g.sum(axis=-1).reshape(-1))
            return np.matmul(g, cols.transpose(0, 2, 1)), g.sum(axis=-1).reshape(-1)

        cols = ctx.cols if need_dw else [None] * len(ctx.pieces)
        dw, db = totals(map_pieces(piece, [(start, stop, c) for (start, stop), c in zip(ctx.pieces, cols)]))
        dw = dw.reshape(o, -1, *kernel) if need_dw else None
        return dx, dw, db if ctx.needs_input_grad[2] else None

    def differentiable_backward(ctx, dy):
        _, _, _, pads, kernel, stride, dilation, groups, _ = ctx.geom
        return _conv2d_grads(ctx, dy, kernel, stride, pads, dilation, groups)


def _conv2d_grads(ctx, dy: Tensor, kernel, stride, pads: Pads, dilation, groups: int) -> tuple:
    """conv2d's (dx, dW, db) as Tensor ops, for every path that computes conv2d: dx is the transposed
    convolution of dy by W (:func:`_conv2d_input_grad`), dW the bilinear :class:`Conv2dWeightGrad`
    of (x, dy), db = Σ dy. Each is an op with a differentiable backward of its own, so conv2d's
    gradients can be differentiated any number of times."""
    x, w = ctx.inputs[0], ctx.inputs[1]
    need = ctx.needs_input_grad
    dx = _conv2d_input_grad(dy, w, x.shape[2:], stride, pads, dilation, groups) if need[0] else None
    dw = Conv2dWeightGrad.apply(x, dy, kernel, stride, pads, dilation, groups) if need[1] else None
    db = dy.sum((0, 2, 3)) if len(need) > 2 and need[2] else None
    return dx, dw, db


def _conv2d_input_grad(dy: Tensor, w: Tensor, x_hw, stride, pads: Pads, dilation, groups: int) -> Tensor:
    """conv2d's input gradient Cᵀ dy as a differentiable op: the transposed convolution of dy by W
    cropped at the top/left padding, with the output_padding that brings it to the input's size
    (the rows and columns a strided window never reached); cut when the bottom/right padding is
    the smaller one (an asymmetric 'same')."""
    (h, w_), (kh, kw) = x_hw, w.shape[2:]
    reached = ((dy.shape[2] - 1) * stride[0] + dilation[0] * (kh - 1) + 1,
               (dy.shape[3] - 1) * stride[1] + dilation[1] * (kw - 1) + 1)
    extra = (h + 2 * pads[0] - reached[0], w_ + 2 * pads[2] - reached[1])
    dx = ConvTranspose2d.apply(dy, w, None, stride=tuple(stride), padding=(pads[0], pads[2]),
                               output_padding=(max(extra[0], 0), max(extra[1], 0)), groups=groups,
                               dilation=tuple(dilation))
    return dx if min(extra) >= 0 else dx[:, :, :h, :w_]


def _conv2d_cropped(x: Tensor, w: Tensor, stride, pads: Pads, dilation, groups: int, out_hw) -> Tensor:
    """conv2d(x, W) by the path conv2d would take, its output cut to ``out_hw`` (conv_transpose2d's
    input is smaller than the convolution of its output when output_padding ≥ stride)."""
    y = _conv2d_by_path(x, w, None, tuple(stride), tuple(pads), tuple(dilation), groups)
    return y if y.shape[2:] == tuple(out_hw) else y[:, :, :out_hw[0], :out_hw[1]]


class Conv2dWeightGrad(Function):
    """conv2d's weight gradient as an op, bilinear in the input x and the upstream gradient g:

        dW[o, c, i, j] = Σ_{n, p, q} g[n, o, p, q] · xp[n, c, p·sh + i·dh, q·sw + j·dw]

    computed as :class:`Conv2d`'s backward computes it (its columns, one product per group).
    For an upstream H shaped like W, ⟨H, dW(x, g)⟩ = ⟨g, conv2d(x, H)⟩, so its gradients are
    conv2d's input gradient of g by H (for x) and conv2d(x, H) (for g): differentiable ops, which
    close conv2d's derivatives of every order. g may be smaller than conv2d(x)'s output
    (conv_transpose2d's weight gradient with output_padding ≥ stride reads the windows it covers).
    Shapes: x (N, C, H, W), g (N, O, OH, OW), dW (O, C/G, KH, KW)."""

    fresh_grads = True

    def forward(ctx, x, g, kernel, stride, pads: Pads, dilation, groups):
        n, c = x.shape[:2]
        o, out_hw = g.shape[1], g.shape[2:]
        taps, batch_inner = _column_layout(x.shape, pads, kernel, stride, dilation, out_hw)

        def piece(start: int, stop: int) -> tuple[np.ndarray]:
            cols = _columns(x[start:stop], taps, batch_inner, pads, kernel, stride, dilation, out_hw)
            cols = cols.reshape(groups, -1, (stop - start) * out_hw[0] * out_hw[1])
            return (np.matmul(_grad_rows(g[start:stop], groups, batch_inner), cols.transpose(0, 2, 1)),)

        per_sample = c * kernel[0] * kernel[1] * out_hw[0] * out_hw[1] * x.itemsize
        dw, = totals(map_pieces(piece, pieces(n, per_sample, piece_bytes=CONV_PIECE_BYTES)))
        ctx.geom = (tuple(kernel), tuple(stride), tuple(pads), tuple(dilation), groups)
        return dw.reshape(o, c // groups, *kernel)

    def backward(ctx, h):
        return _numpy_grads(ctx, h)

    def differentiable_backward(ctx, h):
        x, g = ctx.inputs[0], ctx.inputs[1]
        _, stride, pads, dilation, groups = ctx.geom
        need = ctx.needs_input_grad
        dx = _conv2d_input_grad(g, h, x.shape[2:], stride, pads, dilation, groups) if need[0] else None
        dg = _conv2d_cropped(x, h, stride, pads, dilation, groups, g.shape[2:]) if need[1] else None
        return dx, dg, None, None, None, None, None


def _numpy_grads(ctx, *grads) -> tuple:
    """The first-order backward of an op whose backward is written once, with Tensor ops
    (``differentiable_backward``): run it unrecorded on NumPy gradients."""
    with no_grad():
        out = ctx.differentiable_backward(*(Tensor._wrap(g) for g in grads))
    return tuple(None if t is None else t.data for t in out)


def _column_layout(x_shape, pads: Pads, kernel, stride, dilation, out_hw):
    """How conv2d lays out its columns: ``(taps, batch_inner)``, taps a :class:`_ShiftedTaps` for a
    stride-1 conv whose output is as large as its input (else None), batch_inner per
    :func:`_batch_inner`; im2col's channel-major columns when neither."""
    h, w = x_shape[2:]
    taps = _ShiftedTaps((h, w), pads, kernel, dilation) if stride == (1, 1) and tuple(out_hw) == (h, w) else None
    return taps, taps is None and _batch_inner(x_shape[0], out_hw[1])


def _columns(x: np.ndarray, taps, batch_inner: bool, pads: Pads, kernel, stride, dilation, out_hw) -> np.ndarray:
    """conv2d's columns (C·KH·KW, positions) of the samples ``x`` in the layout of :func:`_column_layout`."""
    if taps is not None:
        return taps.columns(x)
    if batch_inner:
        return _batch_inner_columns(x, pads, kernel, stride, dilation, out_hw)
    return im2col(pad2d(x, pads), kernel, stride, dilation, out_hw, channel_major=True)


def _grad_rows(dy: np.ndarray, groups: int, batch_inner: bool) -> np.ndarray:
    """dy (n, O, OH, OW) as (G, O/G, positions) in the columns' order (:func:`_columns`)."""
    axes = (1, 2, 3, 0) if batch_inner else (1, 0, 2, 3)
    return np.ascontiguousarray(dy.transpose(*axes)).reshape(groups, dy.shape[1] // groups, -1)


# Pieces of a few samples: the columns a piece's product reads were just written and are still in
# cache. Measured on a 64x32x32x32 3x3 conv, forward + backward, 2 threads: 5% faster than 16 MiB.
CONV_PIECE_BYTES = 4 << 20


class _ShiftedTaps:
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
        maps = _onto_grids(x, self.hw, (0, 0), spill=max(self.shifts[-1], 0), lead=front)
        cols = np.empty((c, len(self.shifts), size), dtype=x.dtype)
        for k, shift in enumerate(self.shifts):
            cols[:, k] = maps[:, front + shift:front + shift + size]
        self._zero_borders(cols, n)
        return cols.reshape(-1, size)

    def input_grad(self, g: np.ndarray, wg: np.ndarray, n: int) -> np.ndarray:
        """dx (n, C, H, W) (a view) for dy as ``g`` (G, O/G, n·H·W): Σ_k shift_k⁻¹(masked W_kᵀ dy)."""
        c = wg.shape[0] * wg.shape[2] // len(self.shifts)
        flat = _flat_sum(g, wg, c, [s + self.front for s in self.shifts], lambda dcols: self._zero_borders(dcols, n))
        return _from_grids(flat[:, self.front:], n, self.hw, (0, 0), self.hw)

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


def _period(in_hw, pads: Pads, out_hw) -> tuple[int, int]:
    """Rows and columns of one sample's grid when a stride-1 convolution runs on flat grids: the
    map plus the larger of its two paddings (the next sample's top rows, and the next row's left
    columns, serve as this one's bottom and right padding), and at least the output's size."""
    (h, w), (oh, ow) = in_hw, out_hw
    return max(oh, h + max(pads[0], pads[1])), max(ow, w + max(pads[2], pads[3]))


def _batch_inner_columns(x: np.ndarray, pads: Pads, kernel, stride, dilation, out_hw) -> np.ndarray:
    """im2col's rows (c, i, j) with the sample as the innermost axis, (C·KH·KW, OH·OW·n) for the
    samples ``x`` (n, C, H, W): for narrow maps (:func:`_batch_inner`) each copied run is OW·n
    values long instead of OW (one window row of every sample at once)."""
    n, c, h, w = x.shape
    top, bottom, left, right = pads
    grid = np.empty((c, h + top + bottom, w + left + right, n), dtype=x.dtype).transpose(3, 0, 1, 2)
    place(grid, x, (top, left))  # a (n, C, Hp, Wp) view of (C, Hp, Wp, n) memory
    view = windows(grid, kernel, stride, dilation, out_hw)  # (n, C, KH, KW, OH, OW)
    cols = np.empty((c, *kernel, *out_hw, n), dtype=x.dtype)
    np.copyto(cols, view.transpose(1, 2, 3, 4, 5, 0))
    return cols.reshape(c * kernel[0] * kernel[1], -1)


def _batch_inner_input_grad(g, wg, x_shape, pads: Pads, kernel, stride, dilation, out_hw) -> np.ndarray:
    """conv2d's dx (n, C, H, W) (a view) from dy as ``g`` (G, O/G, OH·OW·n), the sample innermost:
    Wᵀ g summed back onto a (C, Hp, Wp, n) grid, one strided add per kernel offset over runs of n."""
    c, h, w = x_shape[1:]
    top, bottom, left, right = pads
    dcols = _group_matmul(wg.transpose(0, 2, 1), g).reshape(c, *kernel, *out_hw, -1)
    dxp = col2im(dcols, (h + top + bottom, w + left + right), stride, dilation, batch_inner=True)
    return dxp[:, top:top + h, left:left + w].transpose(3, 0, 1, 2)


def _input_grad(dy, wg, x_shape, pads: Pads, kernel, stride, dilation, out_hw) -> np.ndarray:
    """conv2d's dx for the samples of ``dy`` when the forward used im2col columns: dcols = Wᵀ dy
    per group summed back onto the padded grid, cropped, as (n, C, H, W). Two ways, chosen by
    measurement (narrow maps take :func:`_batch_inner_input_grad`):

    - stride 1 (:func:`_flat_sum`): dy is laid out on flat grids (:func:`_period`), so a window
      offset (i, j) is one constant shift and every add runs over one long row per channel
      (64x32x32x32, 3x3, one thread: the sums 17 → 7 ms, the product unchanged).
    - otherwise one strided add per offset over (C, N, Hp, Wp)."""
    n, o = dy.shape[:2]
    c, h, w = x_shape[1:]
    groups = wg.shape[0]
    top, left = pads[0], pads[2]
    if stride == (1, 1):
        period = _period((h, w), pads, out_hw)
        flat = _flat_sum(_onto_grids(dy, period, (0, 0)), wg, c, _shifts(period, kernel, dilation))
        return _from_grids(flat, n, period, (top, left), (h, w))
    grid = (h + pads[0] + pads[1], w + pads[2] + pads[3])
    # windows (C, N, KH, KW, OH, OW) onto a (C, N, Hp, Wp) grid
    g = np.ascontiguousarray(dy.transpose(1, 0, 2, 3)).reshape(groups, o // groups, -1)
    dcols = _group_matmul(wg.transpose(0, 2, 1), g)
    cols6 = dcols.reshape(c, *kernel, n, *out_hw).transpose(0, 3, 1, 2, 4, 5)
    dxp = col2im(cols6, grid, stride, dilation)[:, :, top:top + h, left:left + w]
    return dxp.transpose(1, 0, 2, 3)


def _flat_sum(g: np.ndarray, wg: np.ndarray, c: int, shifts: list[int], mask=None) -> np.ndarray:
    """Stride-1 col2im on flat grids: Σ_k shift_k(W_kᵀ g) as (C, size + largest shift), for g the
    upstream gradient on flat grids (O, size), zero off the outputs (:func:`_onto_grids`);
    ``mask`` may zero entries of the (C, KH·KW, size) products first (:class:`_ShiftedTaps`).

    Output position (p, q) and window offset (i, j) land on grid element (p + i·dh, q + j·dw) of
    the same sample, flat index (p·Wg + q) + (i·dh·Wg + j·dw): one constant shift per offset, so each
    of the KH·KW adds runs over one contiguous row per channel (NumPy pays per row, not per element:
    rows of OW would cost 2.4x). The zero positions make the shifted rows spill only zeros."""
    groups, size = wg.shape[0], g.shape[-1]
    dcols = _group_matmul(wg.transpose(0, 2, 1), g.reshape(groups, -1, size)).reshape(c, len(shifts), size)
    if mask is not None:
        mask(dcols)
    return _sum_shifted(lambda k: dcols[:, k], c, size, shifts, g.dtype)


def _sum_shifted(term, c: int, size: int, shifts: list[int], dtype) -> np.ndarray:
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


def _shifts(grid, kernel, dilation) -> list[int]:
    """Flat offsets i·dh·Wp + j·dw of the kernel taps on a row-major grid of width Wp."""
    return [i * dilation[0] * grid[1] + j * dilation[1] for i in range(kernel[0]) for j in range(kernel[1])]


def _onto_grids(a: np.ndarray, grid, corner, spill: int = 0, lead: int = 0) -> np.ndarray:
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


def _from_grids(flat: np.ndarray, n: int, grid, corner, hw) -> np.ndarray:
    """The (N, C, h, w) view of the maps at ``corner`` of ``flat``'s grids (:func:`_onto_grids`)."""
    (hp, wp), (top, left), (h, w) = grid, corner, hw
    grids = flat[:, :n * hp * wp].reshape(flat.shape[0], n, hp, wp)
    return grids[:, :, top:top + h, left:left + w].transpose(1, 0, 2, 3)


class DepthwiseConv2d(Function):
    """Depthwise convolution, stride 1: one input channel per group, m = O/C filters per channel,

        y[n, c·m + r, p, q] = b[c·m + r] + Σ_{i,j} W[c·m + r, 0, i, j] · xp[n, c, p + i·dh, q + j·dw]

    done as KH·KW multiply-adds of shifted inputs on flat grids (:func:`_onto_grids`: one long row per
    channel, a tap is a constant shift). A grouped product would have M = 1 and read KH·KW copies
    of the input. Backward: dW[·, i, j] = Σ dy·shift(xp) (one dot per channel and tap), and dx is
    the sum of the taps' W·dy shifted back. Worked on in pieces of a few samples so that the rows
    stay in cache, one thread each (64x64x32x32, 3x3, forward + backward through the layer: 82 → 40
    ms on 2 cores).
    Shapes: x (N, C, H, W), W (C·m, 1, KH, KW), b (C·m,), y (N, C·m, OH, OW).
    """

    fresh_grads = True

    def forward(ctx, x, w, b, pads: Pads, dilation):
        n, c, h, wd = x.shape
        o, _, kh, kw = w.shape
        m = o // c
        out_hw = (out_size(h, kh, 1, pads[0] + pads[1], dilation[0]),
                  out_size(wd, kw, 1, pads[2] + pads[3], dilation[1]))
        grid = _period((h, wd), pads, out_hw)
        shifts = _shifts(grid, (kh, kw), dilation)
        taps = w.reshape(c, m, kh * kw)
        y = np.empty((n, o, *out_hw), dtype=np.result_type(x, w))

        def piece(start: int, stop: int) -> np.ndarray:
            size = (stop - start) * grid[0] * grid[1]
            xs = _onto_grids(x[start:stop], grid, (pads[0], pads[2]), spill=shifts[-1])
            acc, product = np.empty((c, m, size), dtype=y.dtype), np.empty((c, m, size), dtype=y.dtype)
            for k, shift in enumerate(shifts):
                np.multiply(xs[:, None, shift:shift + size], taps[:, :, k, None], out=acc if k == 0 else product)
                if k:
                    acc += product
            y[start:stop] = _from_grids(acc.reshape(o, size), stop - start, grid, (0, 0), out_hw)
            if b is not None:
                y[start:stop] += b.reshape(o, 1, 1)
            return xs

        samples = pieces(n, o * grid[0] * grid[1] * y.itemsize, min_bytes=_DEPTHWISE_PIECE,
                         piece_bytes=_DEPTHWISE_PIECE)
        inputs = map_pieces(piece, samples)
        needs = getattr(ctx, "needs_input_grad", None)
        if needs is not None:
            ctx.grids = inputs if needs[1] else [None] * len(samples)
            ctx.taps, ctx.pieces = taps, samples
            ctx.geom = (x.shape, grid, pads, shifts, out_hw, (kh, kw))
            ctx.dilation = dilation
        return y

    def backward(ctx, dy):
        x_shape, grid, pads, shifts, out_hw, kernel = ctx.geom
        c, m, taps = x_shape[1], ctx.taps.shape[1], ctx.taps
        need_dx, need_dw = ctx.needs_input_grad[0], ctx.needs_input_grad[1]
        dx = np.empty(x_shape, dtype=dy.dtype) if need_dx else None

        def piece(start: int, stop: int, xs):
            size = (stop - start) * grid[0] * grid[1]
            g = _onto_grids(dy[start:stop], grid, (0, 0)).reshape(c, m, size)
            if need_dx:  # tap k brings Σ_r W[c·m + r, k]·dy[c·m + r] back to the input grid
                tap_sum = np.empty((c, size), dtype=dy.dtype)

                def term(k: int) -> np.ndarray:
                    np.multiply(g[:, 0], taps[:, 0, k, None], out=tap_sum)
                    for r in range(1, m):
                        np.add(tap_sum, g[:, r] * taps[:, r, k, None], out=tap_sum)
                    return tap_sum

                flat = _sum_shifted(term, c, size, shifts, dy.dtype)
                dx[start:stop] = _from_grids(flat, stop - start, grid, (pads[0], pads[2]), x_shape[2:])
            db = g.sum(axis=-1).reshape(-1)
            if not need_dw:
                return None, db
            return np.stack([np.matmul(g, xs[:, shift:shift + size, None])[..., 0] for shift in shifts], axis=-1), db

        dw, db = totals(map_pieces(piece, [(start, stop, xs) for (start, stop), xs in zip(ctx.pieces, ctx.grids)]))
        dw = dw.reshape(c * m, 1, *kernel) if need_dw else None
        return dx, dw, db if ctx.needs_input_grad[2] else None

    def differentiable_backward(ctx, dy):
        x_shape, _, pads, _, _, kernel = ctx.geom
        return _conv2d_grads(ctx, dy, kernel, (1, 1), pads, ctx.dilation, x_shape[1])


_DEPTHWISE_PIECE = 1 << 20  # a few samples per piece: measured best for 64 channels on 32x32 maps


class ConvTranspose2d(Function):
    """The adjoint of conv2d's input map (the "deconvolution"):

        y_full = col2im(W[g]ᵀ @ x[n, g]),  y = y_full[p_h : p_h + OH, p_w : p_w + OW] (+ b)

    with OH = (H−1)·sh − 2p_h + dh(KH−1) + output_padding_h + 1.
    Backward: dx = conv2d(dy padded by p, W) and dW[g] = Σₙ x[n, g] cols(dy)[n, g]ᵀ.
    Shapes: x (N, C, H, W), W (C, O/G, KH, KW), b (O,), y (N, O, OH, OW).
    """

    def forward(ctx, x, w, b, stride, padding, output_padding, groups, dilation):
        n, c, h, wd = x.shape
        _, og, kh, kw = w.shape
        full = ((h - 1) * stride[0] + dilation[0] * (kh - 1) + 1 + output_padding[0],
                (wd - 1) * stride[1] + dilation[1] * (kw - 1) + 1 + output_padding[1])
        wg = w.reshape(groups, c // groups, og * kh * kw)
        xg = x.reshape(n, groups, c // groups, h * wd)
        cols = _group_matmul(wg.transpose(0, 2, 1), xg).reshape(n, groups * og * kh * kw, h * wd)
        y_full = col2im(cols.reshape(n, -1, kh, kw, h, wd), full, stride, dilation)
        oh = full[0] - 2 * padding[0]
        ow = full[1] - 2 * padding[1]
        y = y_full[:, :, padding[0]:padding[0] + oh, padding[1]:padding[1] + ow]
        if b is not None:
            y = y + b.reshape(-1, 1, 1)
        else:
            y = np.ascontiguousarray(y)
        needs = getattr(ctx, "needs_input_grad", None)
        if needs is not None:
            ctx.xg = xg if needs[1] else None
            ctx.wg = wg if needs[0] else None
            ctx.geom = ((h, wd), (kh, kw), stride, padding, output_padding, dilation, groups)
        return y

    def backward(ctx, dy):
        hw, kernel, stride, padding, output_padding, dilation, groups = ctx.geom
        n, o = dy.shape[:2]
        # dy sits at [p : p + OH] of y_full (height H_full = OH + 2p); pad it back and read windows
        dyp = pad2d(dy, (padding[0], padding[0], padding[1], padding[1]))
        cols = im2col(dyp, kernel, stride, dilation, hw).reshape(n, groups, -1, hw[0] * hw[1])
        dx = dw = db = None
        if ctx.needs_input_grad[0]:
            dx = _group_matmul(ctx.wg, cols).reshape(n, -1, *hw)
        if ctx.needs_input_grad[1]:
            dw = _weight_grad(ctx.xg, cols).reshape(-1, o // groups, *kernel)
        if ctx.needs_input_grad[2]:
            db = dy.sum(axis=(0, 2, 3))
        return dx, dw, db

    def differentiable_backward(ctx, dy):
        """dx = conv2d(dy, W) (cut to x's size), dW = conv2d's weight gradient of (dy, x)."""
        x, w = ctx.inputs[0], ctx.inputs[1]
        hw, kernel, stride, padding, _, dilation, groups = ctx.geom
        pads = (padding[0], padding[0], padding[1], padding[1])
        need = ctx.needs_input_grad
        dx = _conv2d_cropped(dy, w, stride, pads, dilation, groups, hw) if need[0] else None
        dw = Conv2dWeightGrad.apply(dy, x, kernel, stride, pads, dilation, groups) if need[1] else None
        db = dy.sum((0, 2, 3)) if len(need) > 2 and need[2] else None
        return dx, dw, db


class EmptyBatchConv(Function):
    """conv2d or conv_transpose2d of an empty batch (N = 0), as PyTorch gives it: an empty output of
    the shape the arguments imply; the weight's and bias's gradients are sums over no samples, 0."""

    def forward(ctx, x, w, b, out_shape):
        ctx.shapes = (x.shape, w.shape, None if b is None else b.shape)
        return np.zeros((0, *out_shape), np.result_type(x, w))

    def backward(ctx, g):
        return (*(None if s is None else np.zeros(s, g.dtype) for s in ctx.shapes), None)

    def differentiable_backward(ctx, g):
        return (*(None if s is None else Tensor._wrap(np.zeros(s, g.dtype)) for s in ctx.shapes), None)


# ----------------------------------------------------------------------------- argument checks
def _batched(op: object, x, weight, bias, spatial: int):
    """Validate ranks; an unbatched input gains a batch axis (removed again by the caller)."""
    xs, ws = shape_of(x), shape_of(weight)
    if len(ws) != spatial + 2:
        raise ValueError(f"{op}: expected a {spatial + 2}-D weight, got shape {tuple(ws)}")
    if len(xs) == spatial + 1:
        return x.unsqueeze(0) if isinstance(x, Tensor) else Tensor._wrap(np.asarray(x)[None]), True
    if len(xs) != spatial + 2:
        names = "(N, C, H, W) or (C, H, W)" if spatial == 2 else "(N, C, L) or (C, L)"
        raise ValueError(f"{op}: expected a {spatial + 2}-D input {names}, got shape {tuple(xs)}")
    return x, False


def _check_groups(op: object, groups, in_ch: int, out_ch: int) -> int:
    if not isinstance(groups, (int, np.integer)) or isinstance(groups, bool) or groups < 1:
        raise ValueError(f"{op}: groups must be a positive int, got {groups!r}")
    if in_ch % groups or out_ch % groups:
        raise ValueError(f"{op}: in_channels ({in_ch}) and out_channels ({out_ch}) must both be "
                         f"divisible by groups ({groups})")
    return int(groups)


def _check_bias(op: object, bias, out_ch: int) -> None:
    if bias is not None and tuple(shape_of(bias)) != (out_ch,):
        raise ValueError(f"{op}: expected a bias of shape ({out_ch},), got {tuple(shape_of(bias))}")


def _check_positive(op: object, name: str, p) -> None:
    if min(p) < 1:
        raise ValueError(f"{op}: {name} must be positive, got {p}")


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups: int = 1) -> Tensor:
    """2-D cross-correlation (``torch.nn.functional.conv2d``).

    ``padding`` is an int, a pair, ``'valid'`` (no padding) or ``'same'`` (stride 1 only; the
    output keeps H×W, an odd total padding puts the extra row/column at the bottom/right).
    Shapes: input (N, C, H, W) or (C, H, W); weight (O, C/groups, KH, KW); bias (O,);
    output (N, O, ⌊(H + 2p − d(KH−1) − 1)/s⌋ + 1, ...).
    """
    return _conv2d("conv2d", input, weight, bias, stride, padding, dilation, groups)


def _conv2d(op: object, input, weight, bias, stride, padding, dilation, groups) -> Tensor:
    """conv2d whose errors name ``op`` (the function, or the layer that calls it)."""
    input, weight, bias = operand(input), operand(weight), None if bias is None else operand(bias)
    x, unbatched = _batched(op, input, weight, bias, 2)
    n, c, h, w = shape_of(x)
    o, cg, kh, kw = shape_of(weight)
    if not isinstance(groups, (int, np.integer)) or isinstance(groups, bool) or groups < 1:
        raise ValueError(f"{op}: groups must be a positive int, got {groups!r}")
    if c != cg * groups:
        raise ValueError(f"{op}: expected input with {cg * groups} channels (weight of shape "
                         f"{tuple(shape_of(weight))}, groups={groups}), got input of shape "
                         f"{tuple(shape_of(input))} with {c} channels")
    groups = _check_groups(op, groups, c, o)
    _check_bias(op, bias, o)
    stride, dilation = pair(stride, "stride", op), pair(dilation, "dilation", op)
    _check_positive(op, "stride", stride)
    _check_positive(op, "dilation", dilation)
    if isinstance(padding, str):
        if padding == "valid":
            pads = (0, 0, 0, 0)
        elif padding == "same":
            if stride != (1, 1):
                raise ValueError(f"{op}: padding='same' is not supported for strided convolutions "
                                 f"(stride={stride})")
            pads = same_padding((kh, kw), dilation)
        else:
            raise ValueError(f"{op}: padding must be an int, a pair, 'same' or 'valid', got {padding!r}")
    else:
        ph, pw = pair(padding, "padding", op)
        if min(ph, pw) < 0:
            raise ValueError(f"{op}: padding must be non-negative, got {(ph, pw)}")
        pads = (ph, ph, pw, pw)
    oh = out_size(h, kh, stride[0], pads[0] + pads[1], dilation[0])
    ow = out_size(w, kw, stride[1], pads[2] + pads[3], dilation[1])
    if oh < 1 or ow < 1:
        raise ValueError(f"{op}: the kernel ({kh}x{kw}, dilation {dilation}) is larger than the padded "
                         f"input ({h + pads[0] + pads[1]}x{w + pads[2] + pads[3]}) of shape "
                         f"{tuple(shape_of(input))}")
    if n == 0:
        y = EmptyBatchConv.apply(x, weight, bias, out_shape=(o, oh, ow))
    else:
        y = _conv2d_by_path(x, weight, bias, stride, pads, dilation, groups)
    return y.squeeze(0) if unbatched else y


def _conv2d_by_path(x: Tensor, weight: Tensor, bias, stride, pads: Pads, dilation, groups: int) -> Tensor:
    """conv2d of checked arguments by the Function chosen for its shape: depthwise, Winograd, or
    the column product."""
    n, c, h, w = shape_of(x)
    o, cg, kh, kw = shape_of(weight)
    if _depthwise(groups, c, cg, stride):
        return DepthwiseConv2d.apply(x, weight, bias, pads=pads, dilation=dilation)
    if winograd.fits((kh, kw), stride, dilation, groups, pads, (h, w), c, o):
        return winograd.WinogradConv2d.apply(x, weight, bias)
    return Conv2d.apply(x, weight, bias, stride=stride, pads=pads, dilation=dilation, groups=groups)


def _depthwise(groups: int, in_channels: int, in_per_group: int, stride) -> bool:
    """Whether conv2d takes :class:`DepthwiseConv2d` (one input channel per group, stride 1)."""
    return groups == in_channels and in_per_group == 1 and groups > 1 and stride == (1, 1)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups: int = 1,
                     dilation=1) -> Tensor:
    """2-D transposed convolution (``torch.nn.functional.conv_transpose2d``), the gradient of
    conv2d with respect to its input.

    Shapes: input (N, C, H, W) or (C, H, W); weight (C, O/groups, KH, KW); bias (O,);
    output (N, O, (H−1)·s − 2p + d(KH−1) + output_padding + 1, ...).
    """
    return _conv_transpose2d("conv_transpose2d", input, weight, bias, stride, padding, output_padding,
                             groups, dilation)


def _conv_transpose2d(op: object, input, weight, bias, stride, padding, output_padding, groups, dilation) -> Tensor:
    """conv_transpose2d whose errors name ``op``."""
    input, weight, bias = operand(input), operand(weight), None if bias is None else operand(bias)
    x, unbatched = _batched(op, input, weight, bias, 2)
    n, c, h, w = shape_of(x)
    cw, og, kh, kw = shape_of(weight)
    if c != cw:
        raise ValueError(f"{op}: expected input with {cw} channels (weight of shape "
                         f"{tuple(shape_of(weight))}), got input of shape {tuple(shape_of(input))} "
                         f"with {c} channels")
    groups = _check_groups(op, groups, c, og * groups if isinstance(groups, (int, np.integer)) else 1)
    _check_bias(op, bias, og * groups)
    stride, dilation = pair(stride, "stride", op), pair(dilation, "dilation", op)
    padding, output_padding = pair(padding, "padding", op), pair(output_padding, "output_padding", op)
    _check_positive(op, "stride", stride)
    _check_positive(op, "dilation", dilation)
    if min(padding) < 0 or min(output_padding) < 0:
        raise ValueError(f"{op}: padding and output_padding must be non-negative, got {padding} and "
                         f"{output_padding}")
    for a in range(2):
        if output_padding[a] >= max(stride[a], dilation[a]):
            raise ValueError(f"{op}: output_padding must be smaller than either stride or dilation, got "
                             f"output_padding={output_padding}, stride={stride}, dilation={dilation}")
    oh = (h - 1) * stride[0] - 2 * padding[0] + dilation[0] * (kh - 1) + output_padding[0] + 1
    ow = (w - 1) * stride[1] - 2 * padding[1] + dilation[1] * (kw - 1) + output_padding[1] + 1
    if oh < 1 or ow < 1:
        raise ValueError(f"{op}: padding {padding} leaves an empty output ({oh}x{ow}) for input of shape "
                         f"{tuple(shape_of(input))} and kernel {kh}x{kw}")
    if n == 0:
        y = EmptyBatchConv.apply(x, weight, bias, out_shape=(og * groups, oh, ow))
    else:
        y = ConvTranspose2d.apply(x, weight, bias, stride=stride, padding=padding,
                                  output_padding=output_padding, groups=groups, dilation=dilation)
    return y.squeeze(0) if unbatched else y


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups: int = 1) -> Tensor:
    """1-D cross-correlation (``torch.nn.functional.conv1d``): conv2d on a height-1 view.

    Shapes: input (N, C, L) or (C, L); weight (O, C/groups, K); bias (O,); output (N, O, L_out).
    """
    op = "conv1d"
    input, weight = operand(input), operand(weight)
    x, unbatched = _batched(op, input, weight, bias, 1)
    if shape_of(x)[1] != shape_of(weight)[1] * groups:
        raise ValueError(f"{op}: expected input with {shape_of(weight)[1] * groups} channels (weight of "
                         f"shape {tuple(shape_of(weight))}, groups={groups}), got input of shape "
                         f"{tuple(shape_of(input))} with {shape_of(x)[1]} channels")

    def one(v, name):
        if isinstance(v, str):
            return v
        if isinstance(v, (tuple, list)) and len(v) == 1:
            v = v[0]
        if not isinstance(v, (int, np.integer)) or isinstance(v, bool):
            raise ValueError(f"{op}: {name} must be an int, got {v!r}")
        return (1 if name != "padding" else 0, int(v))

    y = conv2d(x.unsqueeze(2), weight.unsqueeze(2), bias, one(stride, "stride"), one(padding, "padding"),
               one(dilation, "dilation"), groups).squeeze(2)
    return y.squeeze(0) if unbatched else y

