"""Fast path: conv2d as matrix products on im2col columns, in one of four layouts
(:func:`choose_layout` picks ``sample``; the others are chosen with ``layout=``):

- ``"sample"``: sample-major columns (n, C·KH·KW, OH·OW), one product per sample written straight
  into the NCHW output: no transpose of y or dy;
- ``"taps"``: a stride-1 conv whose output is as large as its input builds its channel-major
  columns by shifts of flat maps (:mod:`.shifted`) and sums dx back at the same shifts;
- ``"batch_inner"``: the sample innermost (:mod:`.batch_inner`), for narrow maps;
- ``"channel"``: im2col's channel-major columns (C·KH·KW, n·OH·OW), one large product per group.

dx is a convolution of dy for 'same' stride-1 convs in the sample layout (:func:`_input_grad_by_conv`),
else Wᵀ dy summed back onto the input grid (by shifts, sample innermost, or strided adds).

The maths is :mod:`.reference`'s; only where the numbers sit in memory differs.
"""
from __future__ import annotations

import numpy as np

from ...autograd.function import Function
from .._parallel import map_pieces, pieces, totals, workers
from .._util import channel_sums
from .._windows import Pads, col2im, im2col, out_size, pad2d
from . import batch_inner, grads
from .flat import flat_sum, from_grids, onto_grids, period, tap_shifts
from .shifted import ShiftedTaps

__all__: list[str] = []  # conv2d's path for most shapes (see .dispatch)

LAYOUTS = ("taps", "batch_inner", "sample", "channel")


def cache_pieces(n: int, bytes_each: int, piece_bytes: int | None = None) -> list[tuple[int, int]]:
    """The sample layout's pieces (and Winograd's): as many as it takes for each piece's columns
    to stay within ``piece_bytes`` (default :data:`CONV_PIECE_BYTES`; they are read by the product
    right after they are written, from cache), also on one thread, and a multiple of the thread
    count (its products are small, one sample each, and run on one BLAS thread: the threads take
    whole pieces). Measured on 16 channels, 32x32 maps, batch 128, one thread: the backward 41 → 32
    ms against one piece."""
    k = workers() if n * bytes_each >= SAMPLE_MIN_SPLIT_BYTES else 1  # tiny convs: not worth a hand-off
    count = min(n, k * -(-n * bytes_each // (k * (piece_bytes or CONV_PIECE_BYTES))))
    bounds = [round(i * n / count) for i in range(count + 1)]
    return list(zip(bounds[:-1], bounds[1:]))


SAMPLE_MIN_SPLIT_BYTES = 1 << 20

# Pieces of a few samples: the columns a piece's product reads were just written and are still in
# cache. Measured on a 64x32x32x32 3x3 conv, forward + backward, 2 threads: 5% faster than 16 MiB.
# Re-measured with OpenBLAS's idle spin shortened (2 threads, batch 128, forward + backward medians):
# 16 channels on 32x32 maps 26.8 ms against 31.4 / 28.7 / 27.9 / 26.9 for 0.5 / 1 / 2 / 8 MiB;
# 16 → 32 channels with stride 2 the same within the noise (15.4-16.3 ms for 1-8 MiB).
CONV_PIECE_BYTES = 4 << 20


def choose_layout(x_shape, w_shape, groups: int, stride, out_hw) -> str:
    """The columns' layout for a conv of these shapes (one of :data:`LAYOUTS`), by measurement
    (forward + backward, process CPU time, one thread):

    - ``sample`` for output maps of 8x8 and more: as fast as or faster than every other layout on
      every such shape tried: LeNet-5's first conv at batch 256 12 → 6 ms, its second 16.0 → 14.2 ms;
      a CIFAR ResNet's 3x3 convs at batch 128 on 16 channels, 32x32 maps 86 → 53 ms, 32 on 16x16
      48 → 40 ms, 64 on 8x8 the same (32 ms), 16 → 32 channels with stride 2 32 → 28 ms;
      MobileNetV2's 1x1 convs 24 → 144 channels on 32x32 106 → 67 ms, 144 → 24 173 → 59 ms.
      Sample-major products need no transpose of y or dy, and for few output channels a product
      per sample, (O, K) @ (K, OH·OW), runs faster in OpenBLAS than one (O, K) @ (K, N·OH·OW);
    - ``channel`` for smaller maps, whose per-sample products are too thin (MobileNetV2's last
      1x1 conv, 320 → 1280 channels on 4x4 maps: 98 → 66 ms).
    The other layouts stay selectable (``layout=``) and tested against the reference."""
    return "sample" if out_hw[0] * out_hw[1] >= SAMPLE_MIN_POSITIONS else "channel"


SAMPLE_MIN_POSITIONS = 64


class Conv2d(Function):
    """y[n, o, p, q] = b[o] + Σ_{c∈group(o), i, j} W[o, c, i, j] · xp[n, c, p·sh + i·dh, q·sw + j·dw]

    With columns cols (G, C/G·KH·KW, positions) a batch is one product per group, y = W cols, and
        dW = dy colsᵀ,  dcols = Wᵀ dy → dx = col2im(dcols) cropped,  db = Σ dy
    (dy read as (G, O/G, positions) in the columns' order). The columns' layout is
    :func:`choose_layout`'s (or ``layout``), dx's method :class:`_Geometry`'s. A large batch is worked on in pieces of consecutive
    samples, one thread each (``_parallel``), so the copies and adds around the products use every core.
    Shapes: x (N, C, H, W), W (O, C/G, KH, KW), b (O,), y (N, O, OH, OW).
    """

    fresh_grads = True

    def forward(ctx, x, w, b, stride, pads: Pads, dilation, groups, layout: str | None = None):
        n, c, h, wd = x.shape
        o, cg, kh, kw = w.shape
        out_hw = (out_size(h, kh, stride[0], pads[0] + pads[1], dilation[0]),
                  out_size(wd, kw, stride[1], pads[2] + pads[3], dilation[1]))
        geom = _Geometry(x.shape, w.shape, pads, stride, dilation, groups, out_hw, layout)
        wg = w.reshape(groups, o // groups, cg * kh * kw)
        y = np.empty((n, o, *out_hw), dtype=np.result_type(x, w))

        def piece(start: int, stop: int) -> np.ndarray:
            cols = geom.columns(x[start:stop])
            if geom.layout == "sample":
                np.matmul(wg, cols, out=y[start:stop].reshape(stop - start, groups, o // groups, -1))
            else:
                np.copyto(y[start:stop], geom.from_rows(np.matmul(wg, cols), stop - start))
            if b is not None:
                y[start:stop] += b.reshape(o, 1, 1)
            return cols

        per_sample = c * kh * kw * out_hw[0] * out_hw[1] * x.itemsize
        if geom.layout == "sample":
            samples = cache_pieces(n, per_sample)
        else:
            samples = pieces(n, per_sample, piece_bytes=CONV_PIECE_BYTES)
        cols = map_pieces(piece, samples)
        needs = getattr(ctx, "needs_input_grad", None)
        if needs is not None:
            ctx.cols = cols if needs[1] else None
            ctx.wg = wg if needs[0] else None
            ctx.pieces, ctx.geom = samples, geom
        return y

    def backward(ctx, dy):
        geom = ctx.geom
        need_dx, need_dw, need_db = ctx.needs_input_grad[:3]
        dx = np.empty(geom.x_shape, dtype=dy.dtype) if need_dx else None

        def piece(start: int, stop: int, cols):
            dy_k = dy[start:stop]
            if need_dx:
                geom.input_grad(dy_k, ctx.wg, dx[start:stop])
            db = channel_sums(dy_k) if need_db else None
            return (geom.weight_grad(dy_k, cols) if need_dw else None), db

        cols = ctx.cols if need_dw else [None] * len(ctx.pieces)
        dw, db = totals(map_pieces(piece, [(start, stop, c) for (start, stop), c in zip(ctx.pieces, cols)]))
        dw = dw.reshape(geom.w_shape) if need_dw else None
        return dx, dw, db

    def differentiable_backward(ctx, dy):
        g = ctx.geom
        return grads.conv2d_grads(ctx, dy, g.w_shape[2:], g.stride, g.pads, g.dilation, g.groups)


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

    def forward(ctx, x, g, kernel, stride, pads: Pads, dilation, groups, layout: str | None = None):
        n, c = x.shape[:2]
        o, out_hw = g.shape[1], g.shape[2:]
        geom = _Geometry(x.shape, (o, c // groups, *kernel), pads, stride, dilation, groups, out_hw, layout)

        def piece(start: int, stop: int) -> tuple[np.ndarray]:
            return (geom.weight_grad(g[start:stop], geom.columns(x[start:stop])),)

        per_sample = c * kernel[0] * kernel[1] * out_hw[0] * out_hw[1] * x.itemsize
        dw, = totals(map_pieces(piece, pieces(n, per_sample, piece_bytes=CONV_PIECE_BYTES)))
        ctx.geom = (tuple(kernel), tuple(stride), tuple(pads), tuple(dilation), groups)
        return dw.reshape(geom.w_shape)

    def backward(ctx, h):
        return grads.numpy_grads(ctx, h)

    def differentiable_backward(ctx, h):
        x, g = ctx.inputs[0], ctx.inputs[1]
        _, stride, pads, dilation, groups = ctx.geom
        need = ctx.needs_input_grad
        dx = grads.conv2d_input_grad(g, h, x.shape[2:], stride, pads, dilation, groups) if need[0] else None
        dg = grads.conv2d_cropped(x, h, stride, pads, dilation, groups, g.shape[2:]) if need[1] else None
        return dx, dg, None, None, None, None, None


class _Geometry:
    """One conv's shapes and column layout, and the pieces of its work that depend on the layout:
    the columns of some samples, y from the product's rows, dW and dx of those samples."""

    def __init__(self, x_shape, w_shape, pads: Pads, stride, dilation, groups: int, out_hw, layout):
        self.x_shape, self.w_shape, self.pads, self.stride = tuple(x_shape), tuple(w_shape), pads, stride
        self.dilation, self.groups, self.out_hw = dilation, groups, tuple(out_hw)
        self.kernel = tuple(w_shape[2:])
        self.layout = layout or choose_layout(x_shape, w_shape, groups, stride, out_hw)
        same = tuple(stride) == (1, 1) and self.out_hw == tuple(x_shape[2:])
        if self.layout == "taps" and not same:
            raise ValueError(f"conv2d: the 'taps' layout needs stride 1 and an output as large as the input, "
                             f"got stride {stride}, input {x_shape[2:]}, output {out_hw}")
        self.taps = ShiftedTaps(tuple(x_shape[2:]), pads, self.kernel, dilation) if same else None
        # dx: by shifts for 'same' convs, sample innermost on narrow maps, else flat sums / strided adds
        self.dx_by = {"taps": "taps", "batch_inner": "batch_inner", "channel": "plain"}.get(self.layout) or (
            "conv" if same else "batch_inner" if batch_inner.fits(x_shape[0], out_hw[1]) else "plain")

    def columns(self, x: np.ndarray) -> np.ndarray:
        """The columns of the samples ``x``: (G, C/G·KH·KW, positions), or (n, G, C/G·KH·KW, OH·OW)
        for the sample layout."""
        args = (self.pads, self.kernel, self.stride, self.dilation, self.out_hw)
        if self.layout == "sample":
            cols = im2col(pad2d(x, self.pads), *args[1:])
            return cols.reshape(x.shape[0], self.groups, -1, cols.shape[-1])
        if self.layout == "taps":
            cols = self.taps.columns(x)
        elif self.layout == "batch_inner":
            cols = batch_inner.columns(x, *args)
        else:
            cols = im2col(pad2d(x, self.pads), *args[1:], channel_major=True)
        return cols.reshape(self.groups, -1, cols.shape[-1])

    def rows(self, dy: np.ndarray, order: str) -> np.ndarray:
        """dy (n, O, OH, OW) as (G, O/G, positions) with the positions in ``order``: the sample
        innermost (``batch_inner``) or outermost."""
        axes = (1, 2, 3, 0) if order == "batch_inner" else (1, 0, 2, 3)
        return np.ascontiguousarray(dy.transpose(*axes)).reshape(self.groups, dy.shape[1] // self.groups, -1)

    def from_rows(self, y_t: np.ndarray, n: int) -> np.ndarray:
        """The (n, O, OH, OW) view of a product (G, O/G, positions) in the columns' order."""
        o, (oh, ow) = self.w_shape[0], self.out_hw
        if self.layout == "batch_inner":
            return y_t.reshape(o, oh, ow, n).transpose(3, 0, 1, 2)
        return y_t.reshape(o, n, oh, ow).transpose(1, 0, 2, 3)

    def weight_grad(self, dy: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Σ over the samples of dy colsᵀ, (G, O/G, C/G·KH·KW)."""
        if self.layout == "sample":
            # one product per sample, the columns (n, G, K, OH·OW) against dy as it is, read transposed
            # (n, G, OH·OW, O/G): measured 1.6x faster than dy @ colsᵀ for a LeNet's second conv
            g = dy.reshape(dy.shape[0], self.groups, -1, cols.shape[-1])
            return np.matmul(cols, g.transpose(0, 1, 3, 2)).sum(axis=0).transpose(0, 2, 1)
        return np.matmul(self.rows(dy, self.layout), cols.transpose(0, 2, 1))

    def input_grad(self, dy: np.ndarray, wg: np.ndarray, out: np.ndarray) -> None:
        """dx (n, C, H, W) of the samples of ``dy``, written into ``out``."""
        n = dy.shape[0]
        args = (self.x_shape, self.pads, self.kernel, self.stride, self.dilation, self.out_hw)
        if self.dx_by == "conv":
            _input_grad_by_conv(dy, wg, self.pads, self.kernel, self.dilation, out)
        elif self.dx_by == "taps":
            out[...] = self.taps.input_grad(self.rows(dy, "channel"), wg, n)
        elif self.dx_by == "batch_inner":
            out[...] = batch_inner.input_grad(self.rows(dy, "batch_inner"), wg, *args)
        else:
            out[...] = _input_grad(dy, wg, *args)


def _input_grad_by_conv(dy: np.ndarray, wg: np.ndarray, pads: Pads, kernel, dilation, out: np.ndarray) -> None:
    """A stride-1 'same' conv's dx as a stride-1 convolution of dy, in sample-major columns:

        dx[n, c, y, x] = Σ_{o, i, j} W[o, c, KH−1−i, KW−1−j] · dyp[n, o, y + i·dh, x + j·dw]

    with dy padded by d(K−1) − p on each side (so the output is H x W again) and, per group, the
    kernel flipped and its two channel axes swapped, W' (C/G, O/G·KH·KW). Its product sums over
    O/G·KH·KW, where Wᵀ dy's sums over only O/G and writes KH·KW times dx's size before adding it
    up: for 16 channels on 32x32 maps (a CIFAR ResNet's first stage) the whole dx 1.5x faster.
    Writes ``out`` (n, C, H, W)."""
    n, (kh, kw), (dh, dw) = dy.shape[0], kernel, dilation
    groups, og = wg.shape[:2]
    cg = out.shape[1] // groups
    flipped = wg.reshape(groups, og, cg, kh, kw)[..., ::-1, ::-1].transpose(0, 2, 1, 3, 4).reshape(groups, cg, -1)
    back = (dh * (kh - 1) - pads[0], dh * (kh - 1) - pads[1], dw * (kw - 1) - pads[2], dw * (kw - 1) - pads[3])
    cols = im2col(pad2d(dy, back), kernel, (1, 1), dilation, out.shape[2:])
    np.matmul(flipped, cols.reshape(n, groups, -1, cols.shape[-1]), out=out.reshape(n, groups, cg, -1))


def _input_grad(dy, wg, x_shape, pads: Pads, kernel, stride, dilation, out_hw) -> np.ndarray:
    """conv2d's dx for the samples of ``dy``: dcols = Wᵀ dy per group summed back onto the padded
    grid, cropped, as (n, C, H, W). Two ways, chosen by measurement:

    - stride 1 (:func:`.flat.flat_sum`): dy is laid out on flat grids (:func:`.flat.period`), so a
      window offset (i, j) is one constant shift and every add runs over one long row per channel
      (64x32x32x32, 3x3, one thread: the sums 17 → 7 ms, the product unchanged).
    - otherwise one strided add per offset over (C, N, Hp, Wp)."""
    n, o = dy.shape[:2]
    c, h, w = x_shape[1:]
    groups = wg.shape[0]
    top, left = pads[0], pads[2]
    if tuple(stride) == (1, 1):
        grid = period((h, w), pads, out_hw)
        flat = flat_sum(onto_grids(dy, grid, (0, 0)), wg, c, tap_shifts(grid, kernel, dilation))
        return from_grids(flat, n, grid, (top, left), (h, w))
    grid = (h + pads[0] + pads[1], w + pads[2] + pads[3])
    # windows (C, N, KH, KW, OH, OW) onto a (C, N, Hp, Wp) grid
    g = np.ascontiguousarray(dy.transpose(1, 0, 2, 3)).reshape(groups, o // groups, -1)
    dcols = np.matmul(wg.transpose(0, 2, 1), g)
    cols6 = dcols.reshape(c, *kernel, n, *out_hw).transpose(0, 3, 1, 2, 4, 5)
    dxp = col2im(cols6, grid, stride, dilation)[:, :, top:top + h, left:left + w]
    return dxp.transpose(1, 0, 2, 3)
