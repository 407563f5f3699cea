"""Double backward of the convolutions, checked numerically in float64 (``gradgradcheck``: random
upstream gradients, derivatives with respect to the inputs and to the upstream gradient): conv2d
with stride, padding (also an asymmetric 'same'), dilation and groups, in each column layout;
depthwise and Winograd; conv_transpose2d; conv2d's weight-gradient op itself; and a third
derivative, which runs the differentiable backward of the gradient ops."""
from __future__ import annotations

from unittest import mock

import numpy as np
import pytest

import gradbook as gb
from gradbook.autograd import grad, gradgradcheck
from gradbook.nn import functional as F
from gradbook.ops import conv as conv_ops
from gradbook.ops.conv import columns, winograd
from gradbook.ops.conv.depthwise_polyphase import PolyphaseDepthwiseConv2d
from gradbook.ops.conv.depthwise_dense import DenseDepthwiseConv2d
from gradbook.ops.conv.depthwise_same import SameDepthwiseConv2d
from gradbook.ops.conv.depthwise_strided import StridedDepthwiseConv2d


def _t(rng, shape):
    return gb.tensor(rng.standard_normal(shape), dtype="float64", requires_grad=True)


def first_order(fn, n_inputs: int, seed: int = 0):
    """x ↦ the gradients of Σ v·fn(x) (v fixed, random), recorded: gradgradcheck of this checks
    fn's third derivatives, i.e. the differentiable backward of fn's gradient ops."""
    rng = np.random.default_rng(seed)
    upstream = {}

    def gradients(*inputs):
        y = fn(*inputs)
        if "v" not in upstream:
            upstream["v"] = gb.tensor(rng.standard_normal(y.shape), dtype="float64")
        return grad((y * y * upstream["v"]).sum(), list(inputs[:n_inputs]), create_graph=True)

    return gradients


@pytest.mark.parametrize("stride, padding, dilation, groups", [
    (1, 0, 1, 1), (2, 1, 1, 1), ((1, 2), (2, 0), (2, 1), 1), (1, "same", 1, 2), (1, "same", 2, 1), (2, 1, 1, 4),
    ((2, 3), (0, 1), (1, 2), 2)])
def test_conv2d_gradgradcheck(stride, padding, dilation, groups):
    rng = np.random.default_rng(0)
    x, w, b = _t(rng, (2, 4, 6, 5)), _t(rng, (4, 4 // groups, 3, 2)), _t(rng, (4,))
    assert gradgradcheck(lambda x, w, b: F.conv2d(x, w, b, stride, padding, dilation, groups), [x, w, b])


@pytest.mark.parametrize("layout", ["batch_inner", "sample", "channel"])
def test_conv2d_gradgradcheck_in_each_column_layout(layout):
    """The weight-gradient op lays out its columns as conv2d does: sample innermost (narrow maps,
    large batch), shifted flat maps ('same' stride 1) or im2col; force the first and last."""
    rng = np.random.default_rng(1)
    x, w = _t(rng, (2, 2, 5, 5)), _t(rng, (3, 2, 3, 3))
    with mock.patch.object(columns, "choose_layout", lambda *args: layout):
        assert gradgradcheck(lambda x, w: F.conv2d(x, w, padding=1), [x, w])
        assert gradgradcheck(lambda x, w: F.conv2d(x, w, stride=2, padding=(1, 0)), [x, w])


def test_conv2d_gradgradcheck_partial_inputs():
    """A frozen weight or a constant input: the double backward computes what is asked."""
    rng = np.random.default_rng(2)
    x, w = _t(rng, (2, 3, 5, 4)), _t(rng, (2, 3, 3, 3))
    frozen = gb.tensor(w.data, dtype="float64")
    constant = gb.tensor(x.data, dtype="float64")
    assert gradgradcheck(lambda x: F.conv2d(x * x, frozen, stride=2, padding=1), [x])
    assert gradgradcheck(lambda w: F.conv2d(constant, w * w, padding=1), [w])


@pytest.mark.parametrize("multiplier, padding, dilation, stride, path, hw", [
    (1, 1, 1, 1, SameDepthwiseConv2d, (9, 8)), (2, "same", 2, 1, SameDepthwiseConv2d, (9, 8)),
    (3, 0, 1, 1, conv_ops.DepthwiseConv2d, (9, 8)), (2, 1, 1, 2, PolyphaseDepthwiseConv2d, (9, 8)),
    (2, 0, 1, 2, StridedDepthwiseConv2d, (9, 8)), (2, 1, 1, 2, DenseDepthwiseConv2d, (5, 4))])
def test_depthwise_conv2d_gradgradcheck(multiplier, padding, dilation, stride, path, hw):
    """Each depthwise path (output of the input's size, smaller, 3x3 stride 2 padding 1, other
    strided; maps of more than 64 pixels, and the dense path below) has a double backward."""
    rng = np.random.default_rng(3)
    x, w, b = _t(rng, (1, 3, *hw)), _t(rng, (3 * multiplier, 1, 3, 3)), _t(rng, (3 * multiplier,))

    def conv(x, w, b):
        return F.conv2d(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=3)

    assert isinstance(conv(x, w, b).grad_fn, path)
    assert gradgradcheck(conv, [x, w, b])


def test_winograd_conv2d_gradgradcheck():
    """The Winograd Function itself on small even maps (conv2d chooses it only at sizes too large
    for a numerical check; the parity tests compare it with torch there)."""
    rng = np.random.default_rng(4)
    x, w, b = _t(rng, (2, 2, 4, 6)), _t(rng, (3, 2, 3, 3)), _t(rng, (3,))
    assert gradgradcheck(lambda x, w, b: winograd.WinogradConv2d.apply(x, w, b), [x, w, b])


@pytest.mark.parametrize("stride, padding, output_padding, groups, dilation", [
    (1, 0, 0, 1, 1), (2, 1, 1, 1, 1), ((2, 3), (0, 1), (1, 2), 2, 1), (1, 1, 1, 1, 2)])
def test_conv_transpose2d_gradgradcheck(stride, padding, output_padding, groups, dilation):
    """The last case has output_padding ≥ stride (dilation 2): its input is smaller than the
    convolution of its output, and the gradients are cut to it."""
    rng = np.random.default_rng(5)
    x, w, b = _t(rng, (2, 4, 4, 3)), _t(rng, (4, 6 // groups, 3, 2)), _t(rng, (6,))
    assert gradgradcheck(lambda x, w, b: F.conv_transpose2d(x, w, b, stride, padding, output_padding, groups,
                                                            dilation), [x, w, b])


def test_conv_transpose2d_gradgradcheck_same_size_with_output_padding_past_the_stride():
    """Stride 1, dilation 3, output_padding 1: the output keeps the input's size, so the weight
    gradient takes the shifted-map columns, on a grid whose convolution is a row and a column
    larger than the input it is cut to."""
    rng = np.random.default_rng(9)
    x, w = _t(rng, (2, 2, 4, 5)), _t(rng, (2, 3, 2, 2))
    opts = dict(stride=1, padding=2, output_padding=1, dilation=3)
    assert F.conv_transpose2d(x, w, **opts).shape == (2, 3, 4, 5)
    assert gradgradcheck(lambda x, w: F.conv_transpose2d(x, w, **opts), [x, w])


def test_conv2d_weight_grad_op_gradcheck_and_gradgradcheck():
    """The bilinear op dW(x, g) on its own: first and second derivatives in both arguments."""
    rng = np.random.default_rng(6)
    x, g = _t(rng, (2, 4, 5, 6)), _t(rng, (2, 6, 3, 5))
    opts = dict(kernel=(3, 2), stride=(2, 1), pads=(1, 1, 0, 1), dilation=(1, 2), groups=2)
    fn = lambda x, g: conv_ops.Conv2dWeightGrad.apply(x, g, **opts)  # noqa: E731
    assert gb.gradcheck(fn, [x, g])
    assert gradgradcheck(fn, [x, g])


@pytest.mark.parametrize("op", ["conv2d", "depthwise", "conv_transpose2d", "winograd"])
def test_third_derivative_gradgradcheck(op):
    """gradgradcheck of the (recorded) gradients: the differentiable backward of the gradient ops
    (Conv2dWeightGrad, the transposed convolution of conv2d's dx, conv2d in conv_transpose2d's)."""
    rng = np.random.default_rng(7)
    if op == "conv2d":
        x, w = _t(rng, (1, 4, 5, 4)), _t(rng, (2, 2, 3, 2))
        fn = lambda x, w: F.conv2d(x, w, stride=(2, 1), padding=(1, 0), dilation=(1, 2), groups=2)  # noqa: E731
    elif op == "depthwise":
        x, w = _t(rng, (1, 2, 4, 4)), _t(rng, (4, 1, 3, 3))
        fn = lambda x, w: F.conv2d(x, w, padding=1, groups=2)  # noqa: E731
    elif op == "conv_transpose2d":
        x, w = _t(rng, (1, 2, 3, 3)), _t(rng, (2, 2, 2, 3))
        fn = lambda x, w: F.conv_transpose2d(x, w, stride=2, padding=(0, 1), output_padding=1)  # noqa: E731
    else:
        x, w = _t(rng, (1, 2, 4, 4)), _t(rng, (2, 2, 3, 3))
        fn = lambda x, w: winograd.WinogradConv2d.apply(x, w, None)  # noqa: E731
    assert gradgradcheck(first_order(fn, 2), [x, w])


def test_recorded_gradients_equal_the_first_order_ones():
    """create_graph=True (the Tensor-op backward) gives the same gradients as the NumPy backward."""
    rng = np.random.default_rng(8)
    cases = [(lambda x, w: F.conv2d(x, w, stride=2, padding=1, groups=2), (3, 4, 7, 6), (6, 2, 3, 3)),
             (lambda x, w: F.conv2d(x, w, padding="same", dilation=2), (2, 3, 6, 6), (4, 3, 2, 3)),
             (lambda x, w: F.conv2d(x, w, padding=1, groups=3), (2, 3, 6, 6), (6, 1, 3, 3)),
             (lambda x, w: F.conv_transpose2d(x, w, stride=2, padding=1, output_padding=1), (2, 3, 4, 4),
              (3, 2, 3, 3))]
    for fn, xs, ws in cases:
        x, w = _t(rng, xs), _t(rng, ws)
        y = fn(x, w)
        v = gb.tensor(rng.standard_normal(y.shape), dtype="float64")
        recorded = grad(y, [x, w], v, create_graph=True)
        plain = grad(fn(x, w), [x, w], v)
        for a, b in zip(recorded, plain):
            np.testing.assert_allclose(a.data, b.data, rtol=1e-12, atol=1e-12)
