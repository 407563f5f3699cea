"""Fast path: depthwise convolution on small maps (H·W ≤ 64: MobileNet's last stages), each channel's
convolution one dense (H·W, m·OH·OW) matrix T_c, built from its taps and applied to all the samples
in one product. On an 8x8 or 4x4 map the other paths make one BLAS call per map on rows of a few
dozen numbers, and the calls' overhead is the work; T_c holds mostly zeros (a 3x3 tap touches 9 of
an output's H·W inputs), but one product over all samples is 128 rows of BLAS at full speed.

Measured, forward + backward, batch 128, 3x3 padding 1, no bias, 2 threads, each in its own process
(ms: the path this one replaced → this one, PyTorch): 960 channels on 4x4 maps 34 → 5.5 (6.1); 384
on 8x8 24 → 12.9 (10.4); 576 on 8x8 at stride 2 45 → 8.2 (8.9). On 16x16 maps the zeros cost more
than the calls save (192 channels at stride 2: 37 against 41 ms on the strided path, one thread).
"""
from __future__ import annotations

import functools

import numpy as np

from ...autograd.function import Function
from .._parallel import map_pieces, pieces
from .._util import channel_sums
from .._windows import Pads, out_size
from . import grads

__all__: list[str] = []  # conv2d's path for depthwise convs on small maps (see .dispatch)

MAX_PIXELS = 64  # input maps of at most this many pixels (8x8): see the module docstring


def fits(groups: int, in_channels: int, in_per_group: int, hw) -> bool:
    """Whether conv2d takes :class:`DenseDepthwiseConv2d`: depthwise, maps of at most :data:`MAX_PIXELS`."""
    return groups == in_channels and in_per_group == 1 and groups > 1 and hw[0] * hw[1] <= MAX_PIXELS


@functools.lru_cache(maxsize=64)
def _links(hw, kernel, stride, pads: Pads, dilation, out_hw):
    """Where the taps land: flat input index, flat output index and tap (i·KW + j) of every (output,
    tap) pair whose input lies on the map (the others read padding), and the (pairs, KH·KW) 0/1
    matrix that sums the pairs of each tap."""
    (h, w), (kh, kw), (oh, ow) = hw, kernel, out_hw
    i, j, p, q = np.meshgrid(np.arange(kh), np.arange(kw), np.arange(oh), np.arange(ow), indexing="ij")
    rows, cols = p * stride[0] + i * dilation[0] - pads[0], q * stride[1] + j * dilation[1] - pads[2]
    inside = (rows >= 0) & (rows < h) & (cols >= 0) & (cols < w)
    inputs, outputs, taps = (rows * w + cols)[inside], (p * ow + q)[inside], (i * kw + j)[inside]
    per_tap = np.zeros((taps.size, kh * kw))
    per_tap[np.arange(taps.size), taps] = 1
    return inputs, outputs, taps, per_tap


class DenseDepthwiseConv2d(Function):
    """Depthwise convolution (any stride, padding, dilation; m = O/C filters per channel) on small
    maps, with T_c[(a, b), (r, p, q)] = W[c·m + r, 0, i, j] where input (a, b) is tap (i, j) of
    output (p, q), else 0:

        y[:, c]  = x[:, c] @ T_c + b_c              (N, m·OH·OW) = (N, H·W) @ (H·W, m·OH·OW)
        dx[:, c] = dy[:, c] @ T_cᵀ
        dW[c·m + r, 0, i, j] = Σ over the (p, q) of tap (i, j) of (x[:, c]ᵀ @ dy[:, c])[(a, b), (r, p, q)]

    T_c is rebuilt in the backward (cheaper than keeping it); channels are split over the threads.
    Shapes: x (N, C, H, W), W (C·m, 1, KH, KW), b (C·m,), y (N, C·m, OH, OW).
    """

    fresh_grads = True

    def forward(ctx, x, w, b, stride, pads: Pads, dilation):
        n, c, h, wd = x.shape
        o, _, kh, kw = w.shape
        out_hw = (out_size(h, kh, stride[0], pads[0] + pads[1], dilation[0]),
                  out_size(wd, kw, stride[1], pads[2] + pads[3], dilation[1]))
        links = _links((h, wd), (kh, kw), tuple(stride), tuple(pads), tuple(dilation), out_hw)
        dtype = np.result_type(x, w)
        y = np.empty((n, o, *out_hw), dtype=dtype)
        xs, ys = _by_channel(x, c), _by_channel(y, c)

        def piece(start: int, stop: int) -> None:
            np.matmul(xs[start:stop], _dense(w, o // c, start, stop, (h, wd), links, out_hw, dtype),
                      out=ys[start:stop])

        map_pieces(piece, pieces(c, x[:, 0].nbytes + y[:, 0].nbytes * (o // c), min_bytes=_SPLIT))
        if b is not None:
            y += b.reshape(o, 1, 1)
        ctx.geom = ((h, wd), (kh, kw), tuple(stride), tuple(pads), tuple(dilation), out_hw, links)
        ctx.x, ctx.w = x, w
        return y

    def backward(ctx, dy):
        hw, kernel, stride, pads, dilation, out_hw, links = ctx.geom
        x, w = ctx.x, ctx.w
        c = x.shape[1]
        m = w.shape[0] // c
        need_dx, need_dw, need_db = ctx.needs_input_grad[:3]
        dx = np.empty(x.shape, dtype=dy.dtype) if need_dx else None
        dys, xs = _by_channel(dy, c), _by_channel(x, c)
        dxs = _by_channel(dx, c) if need_dx else None
        inputs, outputs, _, per_tap = links

        def piece(start: int, stop: int):
            if need_dx:
                dense = _dense(w, m, start, stop, hw, links, out_hw, dy.dtype)
                np.matmul(dys[start:stop], dense.transpose(0, 2, 1), out=dxs[start:stop])
            dw = None
            if need_dw:  # the pairs of x[:, c]ᵀ dy[:, c] at the taps' places, summed per tap
                dense_grad = np.matmul(xs[start:stop].transpose(0, 2, 1), dys[start:stop])
                at_taps = dense_grad.reshape(stop - start, -1, m, out_hw[0] * out_hw[1])[:, inputs, :, outputs]
                dw = (per_tap.T.astype(dy.dtype) @ at_taps.reshape(inputs.size, (stop - start) * m)).T.reshape(
                    stop - start, m, -1)
            return dw

        parts = map_pieces(piece, pieces(c, x[:, 0].nbytes + dy[:, 0].nbytes * m, min_bytes=_SPLIT))
        dw = np.concatenate(parts).reshape(w.shape) if need_dw else None
        return dx, dw, channel_sums(dy) if need_db else None

    def differentiable_backward(ctx, dy):
        _, kernel, stride, pads, dilation, _, _ = ctx.geom
        return grads.conv2d_grads(ctx, dy, kernel, stride, pads, dilation, ctx.inputs[0].shape[1])


def _by_channel(a: np.ndarray, c: int) -> np.ndarray:
    """The (C, N, rest) view of an (N, C·k, ...) array: channel c's rows for all samples (strided,
    as BLAS takes them)."""
    return a.reshape(a.shape[0], c, -1).transpose(1, 0, 2)


def _dense(w: np.ndarray, m: int, start: int, stop: int, hw, links, out_hw, dtype) -> np.ndarray:
    """T_c for channels start..stop: (C', H·W, m·OH·OW), the taps of W scattered to their places."""
    inputs, outputs, taps, _ = links
    mats = w.reshape(-1, m, w.shape[2] * w.shape[3])[start:stop].astype(dtype, copy=False)
    dense = np.zeros((stop - start, hw[0] * hw[1], m, out_hw[0] * out_hw[1]), dtype=dtype)
    dense[:, inputs, :, outputs] = np.moveaxis(mats[:, :, taps], -1, 0)
    return dense.reshape(stop - start, hw[0] * hw[1], -1)


# bytes (inputs and outputs) from which the channels are split over the threads; forward + backward,
# 2 threads, split against unsplit (ms): batch 128 960@4x4 5.5 / 7.4, 384@8x8 12.9 / 23.2; small
# batches too: 8x960@4x4 (1 MB) 0.92 / 1.13, 16x96@8x8 (0.8 MB) 0.96 / 1.56, 4x384@8x8 2.4 / 4.5
_SPLIT = 1 << 18
