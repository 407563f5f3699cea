"""conv2d's dense depthwise path (ops.conv.depthwise_dense: small maps, one dense matrix per
channel) against torch's conv2d on the shapes it takes: strides, asymmetric pads, dilation, m > 1,
no bias, partial gradients, channels split over threads; a float64 gradient check; dispatch."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import gradbook as gb
from gradbook.ops.conv import depthwise_dense
from gradbook.ops.conv.depthwise_dense import DenseDepthwiseConv2d


def _both(shape, m, kernel, stride, pads, dilation, bias, needs=(True, True, True), seed=0, dtype=np.float64):
    """(gradbook's, torch's) (y, dx, dW, db) for a random upstream gradient (None where not needed)."""
    rng = np.random.default_rng(seed)
    n, c = shape[:2]
    arrays = [rng.standard_normal(shape), rng.standard_normal((c * m, 1, *kernel)),
              rng.standard_normal(c * m) if bias else None]
    arrays = [None if a is None else a.astype(dtype) for a in arrays]
    x, w, b = (None if a is None else gb.tensor(a, requires_grad=need) for a, need in zip(arrays, needs))
    y = DenseDepthwiseConv2d.apply(x, w, b, stride=stride, pads=pads, dilation=dilation)
    g = rng.standard_normal(y.shape).astype(dtype)
    y.backward(gb.tensor(g))
    ours = [y.data] + [None if t is None or t.grad is None else t.grad.data for t in (x, w, b)]
    xt, wt, bt = (None if a is None else torch.tensor(a, requires_grad=need) for a, need in zip(arrays, needs))
    yt = TF.conv2d(TF.pad(xt, (pads[2], pads[3], pads[0], pads[1])), wt, bt, stride=stride, dilation=dilation, groups=c)
    yt.backward(torch.tensor(g))
    theirs = [yt.detach().numpy()] + [None if t is None or t.grad is None else t.grad.numpy() for t in (xt, wt, bt)]
    return ours, theirs


def _assert_equal(ours, theirs, tol):
    for what, a, b in zip(("y", "dx", "dW", "db"), ours, theirs):
        assert (a is None) == (b is None), what
        if b is not None:
            assert a.dtype == b.dtype and a.shape == b.shape, what
            np.testing.assert_allclose(a, b, **tol, err_msg=what)


@pytest.mark.parametrize("shape, m, kernel, stride, pads, dilation, bias", [
    ((5, 6, 4, 4), 1, (3, 3), (1, 1), (1, 1, 1, 1), (1, 1), True),    # MobileNet's last stage
    ((3, 4, 8, 8), 1, (3, 3), (2, 2), (1, 1, 1, 1), (1, 1), False),   # its downsampling, no bias
    ((2, 3, 5, 7), 2, (3, 2), (2, 1), (1, 0, 0, 1), (1, 2), True),    # odd map, asymmetric pads, m = 2
    ((2, 3, 3, 3), 3, (5, 5), (1, 1), (2, 2, 2, 2), (1, 1), True),    # kernel wider than the map
    ((4, 2, 1, 1), 1, (1, 1), (1, 1), (0, 0, 0, 0), (1, 1), True),    # one pixel, one tap
    ((2, 3, 6, 6), 1, (3, 3), (3, 3), (0, 0, 0, 0), (1, 1), True),    # no padding, stride 3
    ((1, 2, 1, 1), 1, (1, 1), (2, 1), (1, 0, 0, 0), (1, 1), True),    # no output reads the map: dW = 0
])
def test_dense_depthwise_equals_torch(shape, m, kernel, stride, pads, dilation, bias):
    _assert_equal(*_both(shape, m, kernel, stride, pads, dilation, bias), dict(atol=1e-10, rtol=1e-9))


def test_dense_depthwise_float32_equals_torch():
    ours, theirs = _both((8, 16, 8, 8), 1, (3, 3), (1, 1), (1, 1, 1, 1), (1, 1), True, dtype=np.float32)
    _assert_equal(ours, theirs, dict(atol=1e-4, rtol=1e-4))


@pytest.mark.parametrize("needs", [(False, True, True), (True, False, False), (False, False, True)])
def test_dense_depthwise_partial_gradients(needs):
    """A first layer, a frozen weight, only the bias: exactly the gradients asked for."""
    _assert_equal(*_both((3, 4, 4, 4), 2, (3, 3), (2, 2), (1, 1, 1, 1), (1, 1), True, needs),
                  dict(atol=1e-10, rtol=1e-9))


def test_dense_depthwise_channels_split_over_threads(monkeypatch):
    """In pieces of one channel over two workers, the results are the unsplit ones."""
    from gradbook.ops import _parallel

    args = ((6, 10, 5, 5), 2, (3, 3), (1, 1), (1, 1, 1, 1), (1, 1), True)
    whole = _both(*args)[0]
    monkeypatch.setitem(_parallel._state, "workers", 2)
    monkeypatch.setattr(_parallel, "PIECE_BYTES", 1)
    monkeypatch.setattr(depthwise_dense, "_SPLIT", 0)
    seen = []
    monkeypatch.setattr(depthwise_dense, "map_pieces", lambda fn, parts: seen.append(len(parts)) or
                        _parallel.map_pieces(fn, parts))
    for a, b in zip(_both(*args)[0], whole):
        np.testing.assert_allclose(a, b, rtol=1e-14, atol=1e-14)
    assert seen == [10, 10]  # forward and backward, one piece per channel


def test_dense_depthwise_gradcheck():
    rng = np.random.default_rng(3)
    inputs = [gb.tensor(rng.standard_normal(s), requires_grad=True) for s in ((2, 3, 4, 3), (6, 1, 3, 2), (6,))]
    assert gb.gradcheck(lambda x, w, b: DenseDepthwiseConv2d.apply(x, w, b, stride=(2, 1), pads=(1, 1, 0, 1),
                                                                    dilation=(1, 2)), inputs)


def test_dense_depthwise_fits_small_depthwise_maps_only():
    fits = depthwise_dense.fits
    assert fits(64, 64, 1, (8, 8)) and fits(960, 960, 1, (4, 4)) and fits(3, 3, 1, (1, 64))
    assert not fits(64, 64, 1, (8, 9))          # more than 64 pixels
    assert not fits(32, 64, 2, (8, 8))          # two input channels per group
    assert not fits(1, 1, 1, (4, 4))            # a single group is a plain conv
