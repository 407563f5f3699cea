"""conv2d / conv_transpose2d / conv1d: float64 gradient checks (random upstream gradients),
dtype preservation and clear errors for bad arguments."""
from __future__ import annotations

import numpy as np
import pytest

import gradbook as gb
from gradbook.nn import functional as F
from gradbook.ops import conv as conv_ops
from gradbook.ops.conv import batch_inner, shifted


def _t(rng, shape):
    return gb.tensor(rng.standard_normal(shape), dtype="float64", requires_grad=True)


@pytest.mark.parametrize("stride, padding, dilation, groups", [
    (1, 0, 1, 1), (2, 1, 1, 1), ((1, 2), (2, 0), (2, 1), 1), (1, "same", 2, 2), (2, 1, 1, 4), (1, "valid", 1, 1)])
def test_conv2d_gradcheck(stride, padding, dilation, groups):
    rng = np.random.default_rng(0)
    x, w, b = _t(rng, (2, 4, 6, 5)), _t(rng, (4, 4 // groups, 3, 2)), _t(rng, (4,))
    assert gb.gradcheck(lambda x, w, b: F.conv2d(x, w, b, stride, padding, dilation, groups), [x, w, b])


@pytest.mark.parametrize("stride, padding, output_padding, groups, dilation", [
    (1, 0, 0, 1, 1), (2, 1, 1, 1, 1), ((2, 3), (0, 1), (1, 2), 2, 1), (1, 1, 1, 1, 2)])
def test_conv_transpose2d_gradcheck(stride, padding, output_padding, groups, dilation):
    rng = np.random.default_rng(1)
    x, w, b = _t(rng, (2, 4, 4, 3)), _t(rng, (4, 6 // groups, 3, 2)), _t(rng, (6,))
    assert gb.gradcheck(lambda x, w, b: F.conv_transpose2d(x, w, b, stride, padding, output_padding, groups,
                                                           dilation), [x, w, b])


def test_conv1d_gradcheck():
    rng = np.random.default_rng(2)
    x, w, b = _t(rng, (2, 4, 9)), _t(rng, (6, 2, 3)), _t(rng, (6,))
    assert gb.gradcheck(lambda x, w, b: F.conv1d(x, w, b, stride=2, padding=1, dilation=2, groups=2), [x, w, b])


def test_depthwise_gradcheck_and_unbatched_input():
    rng = np.random.default_rng(3)
    x, w = _t(rng, (3, 5, 5)), _t(rng, (6, 1, 3, 3))
    assert F.conv2d(x, w, groups=3, padding=1).shape == (6, 5, 5)
    assert gb.gradcheck(lambda x, w: F.conv2d(x, w, groups=3, padding=1), [x, w])


def test_gradcheck_with_the_sample_innermost_input_gradient():
    """N >= 16 and narrow maps take conv2d's (C, H, W, N) columns and col2im."""
    rng = np.random.default_rng(3)
    x = gb.tensor(rng.standard_normal((16, 4, 7, 6)), requires_grad=True)
    w = gb.tensor(rng.standard_normal((6, 2, 3, 2)), requires_grad=True)
    assert gb.gradcheck(lambda x, w: F.conv2d(x, w, stride=(2, 1), padding=1, dilation=(1, 2), groups=2), [x, w])


def test_sample_innermost_columns_equal_im2col_reordered():
    """The (C·KH·KW, OH·OW·N) columns with the sample innermost hold im2col's values, padding,
    stride and dilation included, only with the positions in (OH, OW, N) order."""
    from gradbook.ops._windows import im2col, pad2d

    x = np.random.default_rng(6).standard_normal((3, 2, 7, 6))
    pads, kernel, stride, dilation = (1, 2, 0, 1), (3, 2), (2, 1), (1, 2)
    out_hw = (4, 5)  # (7 + 3 − 3) // 2 + 1, (6 + 1 − 3) // 1 + 1
    want = im2col(pad2d(x, pads), kernel, stride, dilation, out_hw, channel_major=True)
    got = batch_inner.columns(x, pads, kernel, stride, dilation, out_hw)
    np.testing.assert_array_equal(got.reshape(-1, *out_hw, 3), want.reshape(-1, 3, *out_hw).transpose(0, 2, 3, 1))


@pytest.mark.parametrize("hw, kernel, dilation", [((6, 7), (3, 3), (1, 1)), ((5, 4), (4, 2), (2, 1)),
                                                    ((2, 3), (5, 5), (1, 2))])
def test_same_size_columns_by_shifts_equal_im2col(hw, kernel, dilation):
    """A stride-1 conv with an output as large as its input builds its columns by shifting flat
    maps and zeroing what hangs over the border; they equal im2col's of the padded input, also
    for even kernels ('same' puts the odd padding at the bottom/right) and kernels wider than the map."""
    from gradbook.ops._windows import im2col, pad2d, same_padding

    x = np.random.default_rng(5).standard_normal((3, 2, *hw))
    pads = same_padding(kernel, dilation)
    want = im2col(pad2d(x, pads), kernel, (1, 1), dilation, hw, channel_major=True)
    np.testing.assert_array_equal(shifted.ShiftedTaps(hw, pads, kernel, dilation).columns(x), want)


def test_same_size_conv_by_shifts_gradcheck():
    rng = np.random.default_rng(4)
    x, w, b = _t(rng, (2, 4, 6, 5)), _t(rng, (6, 2, 3, 2)), _t(rng, (6,))
    assert gb.gradcheck(lambda x, w, b: F.conv2d(x, w, b, padding="same", dilation=(1, 2), groups=2), [x, w, b])


def test_float32_stays_float32():
    x = gb.randn(2, 4, 7, 7, requires_grad=True)
    w = gb.randn(6, 2, 3, 3, requires_grad=True)
    b = gb.randn(6, requires_grad=True)
    y = F.conv2d(x, w, b, padding=1, groups=2)
    z = F.conv_transpose2d(y, gb.randn(6, 3, 2, 2, requires_grad=True), stride=2)
    assert y.dtype == np.float32 and z.dtype == np.float32
    (y.sum() + z.sum()).backward()
    assert x.grad.dtype == w.grad.dtype == b.grad.dtype == np.float32


def test_conv2d_matches_direct_sum():
    # an independent reference: the defining sum, written with explicit loops on a tiny case
    rng = np.random.default_rng(4)
    x, w = rng.standard_normal((1, 2, 5, 4)), rng.standard_normal((3, 2, 2, 3))
    got = F.conv2d(gb.tensor(x), gb.tensor(w), stride=(2, 1), padding=(1, 0)).data
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (0, 0)))
    want = np.zeros((1, 3, 3, 2))
    for o in range(3):
        for i in range(3):
            for j in range(2):
                want[0, o, i, j] = np.sum(xp[0, :, 2 * i:2 * i + 2, j:j + 3] * w[o])
    np.testing.assert_allclose(got, want, atol=1e-12)


@pytest.mark.parametrize("call, message", [
    (lambda: F.conv2d(gb.randn(2, 5, 8, 8), gb.randn(4, 3, 3, 3)), "conv2d: expected input with 3 channels"),
    (lambda: F.conv2d(gb.randn(2, 4, 8, 8), gb.randn(6, 2, 3, 3), groups=4), "conv2d: expected input with 8"),
    (lambda: F.conv2d(gb.randn(2, 4, 8, 8), gb.randn(6, 2, 3, 3), groups=2, bias=gb.randn(5)), "bias of shape (6,)"),
    (lambda: F.conv2d(gb.randn(2, 4, 8, 8), gb.randn(3, 2, 3, 3), groups=2), "divisible by groups"),
    (lambda: F.conv2d(gb.randn(2, 3, 8, 8), gb.randn(4, 3, 3, 3), stride=2, padding="same"), "'same'"),
    (lambda: F.conv2d(gb.randn(2, 3, 2, 2), gb.randn(4, 3, 3, 3)), "larger than the padded input"),
    (lambda: F.conv2d(gb.randn(3, 8, 8), gb.randn(4, 3, 3)), "4-D weight"),
    (lambda: F.conv2d(gb.randn(8, 8), gb.randn(4, 3, 3, 3)), "4-D input"),
    (lambda: F.conv2d(gb.randn(1, 3, 8, 8), gb.randn(4, 3, 3, 3), padding="full"), "padding must be"),
    (lambda: F.conv2d(gb.randn(1, 3, 8, 8), gb.randn(4, 3, 3, 3), stride=0), "stride must be positive"),
    (lambda: F.conv_transpose2d(gb.randn(1, 3, 4, 4), gb.randn(2, 3, 3, 3)), "conv_transpose2d: expected input with 2"),
    (lambda: F.conv_transpose2d(gb.randn(1, 2, 4, 4), gb.randn(2, 3, 3, 3), stride=2, output_padding=2),
     "output_padding must be smaller"),
    (lambda: F.conv1d(gb.randn(1, 3, 8), gb.randn(4, 2, 3)), "conv1d: expected input with 2 channels"),
])
def test_bad_arguments_raise_clear_errors(call, message):
    with pytest.raises(ValueError, match=None) as info:
        call()
    assert message in str(info.value)

