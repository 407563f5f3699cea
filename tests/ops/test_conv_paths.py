"""Every fast path of conv2d (ops.conv.dispatch.PATHS: each column layout, Winograd, depthwise)
equals the plain im2col reference (ops.conv.reference) on random shapes: the forward and every
gradient (input, weight, bias) for a random upstream gradient, float32 and float64. The reference
itself is checked against torch and by a float64 gradient check."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from hypothesis import given, settings
from hypothesis import strategies as st

import gradbook as gb
from gradbook.ops._windows import same_padding
from gradbook.ops.conv import columns, dispatch

TOL = {np.float64: dict(atol=1e-10, rtol=1e-9), np.float32: dict(atol=1e-4, rtol=1e-4)}


@st.composite
def conv_shapes(draw):
    """Any stride, padding (also an asymmetric 'same'), dilation, groups, batch and channels; a third of
    the draws are shapes the specialised paths take (3x3 'same' on even maps, or depthwise, half of
    those 3x3 with stride 2 and padding 1)."""
    kind = draw(st.sampled_from(["any", "winograd", "depthwise"]))
    n = draw(st.integers(1, 18))
    if kind == "winograd":
        c, o, groups, kernel, stride, dilation = draw(st.integers(1, 4)), draw(st.integers(1, 4)), 1, (3, 3), (1, 1), (1, 1)
        pads, hw = (1, 1, 1, 1), (2 * draw(st.integers(1, 4)), 2 * draw(st.integers(1, 4)))
    else:
        groups = draw(st.integers(1, 3))
        c = groups if kind == "depthwise" else groups * draw(st.integers(1, 3))
        o = groups * draw(st.integers(1, 3))
        kernel = (draw(st.integers(1, 5)), draw(st.integers(1, 5)))
        dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
        stride = (1, 1) if draw(st.booleans()) else (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
        if stride == (1, 1) and draw(st.booleans()):
            pads = same_padding(kernel, dilation)
        else:
            ph, pw = draw(st.integers(0, 2)), draw(st.integers(0, 2))
            pads = (ph, ph, pw, pw)
        hw = tuple(max(1, d * (k - 1) + 1 - p) + draw(st.integers(0, 6))
                   for d, k, p in zip(dilation, kernel, (pads[0] + pads[1], pads[2] + pads[3])))
        if kind == "depthwise" and draw(st.booleans()):  # MobileNet's downsampling, any map size
            kernel, stride, pads, dilation = (3, 3), (2, 2), (1, 1, 1, 1), (1, 1)
    return dict(n=n, c=c, o=o, groups=groups, kernel=kernel, stride=stride, pads=pads, dilation=dilation, hw=hw,
                bias=draw(st.booleans()), dtype=draw(st.sampled_from([np.float32, np.float64])),
                seed=draw(st.integers(0, 2**16)))


def _arrays(s):
    rng = np.random.default_rng(s["seed"])
    arrays = [rng.standard_normal((s["n"], s["c"], *s["hw"])),
              rng.standard_normal((s["o"], s["c"] // s["groups"], *s["kernel"])),
              rng.standard_normal(s["o"]) if s["bias"] else None]
    return [None if a is None else a.astype(s["dtype"]) for a in arrays]


def _run(path: dispatch.Path, s, arrays, upstream_seed: int, needs=(True, True, True)):
    """(y, dx, dW, db) of one path, for a random upstream gradient (None for the inputs that
    ``needs`` leaves without gradient)."""
    x, w, b = (None if a is None else gb.tensor(a, requires_grad=need) for a, need in zip(arrays, needs))
    y = path.apply(x, w, b, s["stride"], s["pads"], s["dilation"], s["groups"])
    g = np.random.default_rng(upstream_seed).standard_normal(y.shape).astype(s["dtype"])
    y.backward(gb.tensor(g))
    return [y.data] + [None if t is None or t.grad is None else t.grad.data for t in (x, w, b)]


def _assert_equal_float64(got, want, needs=None):
    """A path's (y, dx, dW, db) equal the reference's, None in the same places (and, given ``needs``,
    exactly where no gradient was asked for)."""
    for what, a, b, need in zip(("y", "dx", "dW", "db"), got, want, (True, *(needs or (True,) * 3))):
        assert (a is None) == (b is None), what
        assert needs is None or (a is None) == (not need), what
        if b is not None:
            np.testing.assert_allclose(a, b, **TOL[np.float64], err_msg=what)


@settings(max_examples=60, deadline=None)
@given(conv_shapes())
def test_every_fast_path_equals_the_reference(s):
    arrays = _arrays(s)
    shapes = (arrays[0].shape, arrays[1].shape, s["stride"], s["pads"], s["dilation"], s["groups"])
    want = _run(dispatch.PATHS["reference"], s, arrays, s["seed"] + 1)
    ran = []
    for name, path in dispatch.PATHS.items():
        if name == "reference" or not path.applies(*shapes):
            continue
        got = _run(path, s, arrays, s["seed"] + 1)
        for what, a, b in zip(("y", "dx", "dW", "db"), got, want):
            if b is None:
                assert a is None
                continue
            assert a.dtype == b.dtype, (name, what)
            np.testing.assert_allclose(a, b, **TOL[s["dtype"]], err_msg=f"{name}: {what}")
        ran.append(name)
    assert {"columns:sample", "columns:channel", "columns:batch_inner"} <= set(ran)


def test_the_specialised_paths_are_drawn():
    """The strategy reaches Winograd and depthwise (they apply only to particular shapes)."""
    seen = set()

    @settings(max_examples=60, deadline=None, database=None, derandomize=True)  # the same draws every run
    @given(conv_shapes())
    def collect(s):
        shapes = ((s["n"], s["c"], *s["hw"]), (s["o"], s["c"] // s["groups"], *s["kernel"]), s["stride"], s["pads"],
                  s["dilation"], s["groups"])
        seen.update(name for name, path in dispatch.PATHS.items() if path.applies(*shapes))

    collect()
    assert {"winograd", "winograd4", "depthwise", "depthwise:same", "depthwise:dense", "depthwise:polyphase", "columns:taps"} <= seen


def test_strided_depthwise_path_equals_the_reference():
    """The general strided depthwise path (which the random draws reach only now and then) on a
    stride-2 conv with two filters per channel and an odd map equals the reference (conv2d sends
    this 3x3 stride-2 padding-1 shape to the polyphase path, but the strided one must compute it too)."""
    s = dict(n=3, c=5, o=10, groups=5, kernel=(3, 3), stride=(2, 2), pads=(1, 1, 1, 1), dilation=(1, 1), hw=(9, 8),
             bias=True, dtype=np.float64, seed=11)
    arrays = _arrays(s)
    assert dispatch.PATHS["depthwise:strided"].applies(arrays[0].shape, arrays[1].shape, s["stride"], s["pads"],
                                                        s["dilation"], s["groups"])
    want = _run(dispatch.PATHS["reference"], s, arrays, 5)
    got = _run(dispatch.PATHS["depthwise:strided"], s, arrays, 5)
    for what, a, b in zip(("y", "dx", "dW", "db"), got, want):
        np.testing.assert_allclose(a, b, **TOL[np.float64], err_msg=what)


def test_same_depthwise_blocks_of_samples_equal_the_reference(monkeypatch):
    """The 'same' depthwise path works on blocks of samples (here 2, 2 and a last block of 1)."""
    from gradbook.ops.conv import depthwise_same

    s = dict(n=5, c=3, o=6, groups=3, kernel=(3, 3), stride=(1, 1), pads=(1, 1, 1, 1), dilation=(1, 1), hw=(5, 4),
             bias=True, dtype=np.float64, seed=12)
    arrays = _arrays(s)
    monkeypatch.setattr(depthwise_same, "_BLOCK", 2 * arrays[0][0].nbytes * 10)
    assert depthwise_same._samples_a_block(arrays[0][0].nbytes * 10) == 2
    want = _run(dispatch.PATHS["reference"], s, arrays, 3)
    got = _run(dispatch.PATHS["depthwise:same"], s, arrays, 3)
    for what, a, b in zip(("y", "dx", "dW", "db"), got, want):
        np.testing.assert_allclose(a, b, **TOL[np.float64], err_msg=what)


@pytest.mark.parametrize("kernel, dilation, hw, o, bias, n", [
    ((3, 3), (1, 1), (7, 5), 3, False, 4),    # odd map, one filter per channel, no bias
    ((2, 4), (1, 1), (5, 6), 6, True, 3),     # even kernel: the 'same' padding is asymmetric
    ((3, 3), (2, 1), (6, 7), 6, True, 5),     # dilation along one axis, two filters per channel
    ((5, 3), (1, 2), (3, 2), 3, True, 3),     # kernel reaching past the map on every side
    ((1, 1), (1, 1), (4, 3), 3, False, 2),    # a single tap: no shift at all
    ((2, 2), (2, 2), (5, 6), 6, True, 3),     # no tap lands on the pads: db summed on its own
])
def test_same_depthwise_grids_equal_the_reference(monkeypatch, kernel, dilation, hw, o, bias, n):
    """The 'same' depthwise path on shapes the random draws seldom reach (asymmetric padding,
    dilation, m > 1, kernels wider than the map), in blocks of two samples (the last block
    shorter, its grids holding the previous block's maps) and in pieces of two samples."""
    from gradbook.ops.conv import depthwise_same

    s = dict(n=n, c=3, o=o, groups=3, kernel=kernel, stride=(1, 1), pads=same_padding(kernel, dilation),
             dilation=dilation, hw=hw, bias=bias, dtype=np.float64, seed=13)
    arrays = _arrays(s)
    assert dispatch.PATHS["depthwise:same"].applies(arrays[0].shape, arrays[1].shape, s["stride"], s["pads"],
                                                    s["dilation"], s["groups"])
    monkeypatch.setattr(depthwise_same, "_BLOCK", 2 * arrays[0][0].nbytes * (o // 3) * (kernel[0] * kernel[1] + 1))
    monkeypatch.setattr(depthwise_same, "_PIECE", 1)
    want = _run(dispatch.PATHS["reference"], s, arrays, 4)
    got = _run(dispatch.PATHS["depthwise:same"], s, arrays, 4)
    _assert_equal_float64(got, want)


@pytest.mark.parametrize("needs", [(True, False, True), (False, True, False), (False, False, True),
                                   (True, True, False)])
@pytest.mark.parametrize("kernel, dilation", [((3, 3), (1, 1)), ((2, 2), (2, 2))])
def test_same_depthwise_partial_gradients_equal_the_reference(needs, kernel, dilation):
    """A frozen weight, a first layer, only the bias, a bias without gradient: the 'same' depthwise
    backward (which takes db from dW's product where a tap lands on the pads, else sums dy) gives
    exactly the gradients asked for, equal to the reference's."""
    s = dict(n=3, c=4, o=8, groups=4, kernel=kernel, stride=(1, 1), pads=same_padding(kernel, dilation),
             dilation=dilation, hw=(6, 5), bias=True, dtype=np.float64, seed=14)
    arrays = _arrays(s)
    want = _run(dispatch.PATHS["reference"], s, arrays, 5, needs)
    got = _run(dispatch.PATHS["depthwise:same"], s, arrays, 5, needs)
    _assert_equal_float64(got, want, needs)


def _polyphase_case(hw, o, bias, n, seed):
    return dict(n=n, c=3, o=o, groups=3, kernel=(3, 3), stride=(2, 2), pads=(1, 1, 1, 1), dilation=(1, 1), hw=hw,
                bias=bias, dtype=np.float64, seed=seed)


@pytest.mark.parametrize("hw, o, bias, n", [
    ((9, 8), 6, True, 5),     # odd rows, two filters per channel
    ((7, 5), 3, False, 4),    # odd rows and columns, no bias
    ((1, 2), 9, True, 3),     # a map smaller than the kernel, three filters per channel
    ((8, 8), 3, True, 5),     # even map: the last row and column of the phases are x's
])
def test_polyphase_depthwise_equals_the_reference(monkeypatch, hw, o, bias, n):
    """The polyphase path (3x3, stride 2, padding 1) on odd and even maps, m ≥ 1, in blocks of two
    samples (the last block shorter) and in pieces of two samples."""
    from gradbook.ops.conv import depthwise_polyphase

    s = _polyphase_case(hw, o, bias, n, 15)
    arrays = _arrays(s)
    assert dispatch.PATHS["depthwise:polyphase"].applies(arrays[0].shape, arrays[1].shape, s["stride"], s["pads"],
                                                         s["dilation"], s["groups"])
    grid = (hw[0] + 1) // 2 + 1, (hw[1] + 1) // 2 + 1
    monkeypatch.setattr(depthwise_polyphase, "_BLOCK", 2 * 3 * 9 * grid[0] * grid[1] * 8)
    monkeypatch.setattr(depthwise_polyphase, "_PIECE", 1)
    monkeypatch.setattr(depthwise_polyphase, "_SPLIT", 0)
    want = _run(dispatch.PATHS["reference"], s, arrays, 6)
    got = _run(dispatch.PATHS["depthwise:polyphase"], s, arrays, 6)
    _assert_equal_float64(got, want)


@pytest.mark.parametrize("needs", [(True, False, True), (False, True, False), (False, False, True),
                                   (True, True, False)])
def test_polyphase_depthwise_partial_gradients_equal_the_reference(needs):
    """A frozen weight, a first layer, only the bias, a bias without gradient: the polyphase backward
    gives exactly the gradients asked for, equal to the reference's."""
    s = _polyphase_case((7, 6), 6, True, 3, 16)
    arrays = _arrays(s)
    want = _run(dispatch.PATHS["reference"], s, arrays, 5, needs)
    got = _run(dispatch.PATHS["depthwise:polyphase"], s, arrays, 5, needs)
    _assert_equal_float64(got, want, needs)


def test_polyphase_depthwise_takes_only_its_shapes():
    """conv2d sends 3x3 stride-2 padding-1 depthwise convs to the polyphase path and other strided
    depthwise shapes to the general strided one."""
    x_shape, w_shape = (2, 4, 9, 8), (8, 1, 3, 3)
    applies = dispatch.PATHS["depthwise:polyphase"].applies
    assert applies(x_shape, w_shape, (2, 2), (1, 1, 1, 1), (1, 1), 4)
    for stride, pads, dilation, kernel, groups in [((2, 1), (1, 1, 1, 1), (1, 1), (3, 3), 4),
                                                   ((2, 2), (0, 0, 0, 0), (1, 1), (3, 3), 4),
                                                   ((2, 2), (1, 1, 1, 1), (2, 2), (3, 3), 4),
                                                   ((2, 2), (1, 1, 1, 1), (1, 1), (5, 5), 4),
                                                   ((2, 2), (1, 1, 1, 1), (1, 1), (3, 3), 2)]:
        w = (8, 4 // groups, *kernel)
        assert not applies(x_shape, w, stride, pads, dilation, groups)
        assert dispatch.PATHS["depthwise:strided"].applies(x_shape, w, stride, pads, dilation, groups) == (groups == 4)


@given(conv_shapes())
@settings(max_examples=25, deadline=None)
def test_reference_matches_torch(s):
    arrays = [a.astype(np.float64) if a is not None else None for a in _arrays(s)]
    got = _run(dispatch.PATHS["reference"], dict(s, dtype=np.float64), arrays, 7)
    xt, wt = (torch.tensor(a, requires_grad=True) for a in arrays[:2])
    bt = None if arrays[2] is None else torch.tensor(arrays[2], requires_grad=True)
    top, bottom, left, right = s["pads"]
    xp = TF.pad(xt, (left, right, top, bottom))
    y = TF.conv2d(xp, wt, bt, stride=s["stride"], dilation=s["dilation"], groups=s["groups"])
    y.backward(torch.tensor(np.random.default_rng(7).standard_normal(y.shape)))
    for a, t in zip(got, (y, xt, wt, bt)):
        if t is None:
            continue
        np.testing.assert_allclose(a, (t if t is y else t.grad).detach().numpy(), atol=1e-10, rtol=1e-9)


def test_reference_gradcheck_and_double_backward():
    rng = np.random.default_rng(3)
    x, w, b = (gb.tensor(rng.standard_normal(shape), requires_grad=True) for shape in ((2, 4, 6, 5), (4, 2, 3, 2), (4,)))
    fn = lambda x, w, b: dispatch.PATHS["reference"].apply(x, w, b, (2, 1), (1, 0, 2, 2), (1, 2), 2)  # noqa: E731
    assert gb.gradcheck(fn, [x, w, b])
    assert gb.autograd.gradgradcheck(fn, [x, w, b])


def test_sample_major_layout_picks_its_input_gradient_by_shape():
    """conv2d takes sample-major columns (channel-major ones for maps under 8x8); in the sample
    layout dx is a convolution of dy for 'same' stride-1 convs, summed back with the sample
    innermost on narrow maps at larger batches, else on flat grids."""
    from gradbook.ops.conv.columns import _Geometry

    def dx_by(x_shape, w_shape, pads, stride, out_hw):
        return _Geometry(x_shape, w_shape, pads, stride, (1, 1), 1, out_hw, None).dx_by

    assert columns.choose_layout((256, 1, 28, 28), (6, 1, 5, 5), 1, (1, 1), (28, 28)) == "sample"
    assert columns.choose_layout((128, 320, 4, 4), (1280, 320, 1, 1), 1, (1, 1), (4, 4)) == "channel"
    assert dx_by((128, 16, 32, 32), (16, 16, 3, 3), (1, 1, 1, 1), (1, 1), (32, 32)) == "conv"
    assert dx_by((256, 6, 14, 14), (16, 6, 5, 5), (0, 0, 0, 0), (1, 1), (10, 10)) == "batch_inner"
    assert dx_by((8, 16, 32, 32), (32, 16, 3, 3), (1, 1, 1, 1), (2, 2), (16, 16)) == "plain"
