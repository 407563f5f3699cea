"""conv_matrix: C x equals torch's conv2d, Cᵀ y its conv_transpose2d, Cᵀ g conv2d's input gradient,
on random shapes, strides, paddings, dilations and groups; bad arguments get clear errors."""
import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from hypothesis import assume, given, settings

from gradbook.analysis import conv_matrix
from parity.strategies import conv_cases


@settings(deadline=None)
@given(conv_cases())
def test_conv_matrix_is_conv2d_and_its_transpose_is_conv_transpose2d(c):
    assume(c["padding"] != "same")  # conv_matrix takes symmetric paddings, as conv2d's int / pair
    rng = np.random.default_rng(c["seed"])
    channels, out_channels = c["groups"] * c["cg"], c["groups"] * c["og"]
    w = rng.standard_normal((out_channels, c["cg"], *c["kernel"]))
    x = rng.standard_normal((channels, *c["hw"]))
    opts = dict(stride=c["stride"], padding=c["padding"], dilation=c["dilation"], groups=c["groups"])
    matrix = conv_matrix(w, x.shape, **opts)
    tx = torch.tensor(x[None], requires_grad=True)
    y = TF.conv2d(tx, torch.tensor(w), **opts)
    np.testing.assert_allclose(matrix @ x.reshape(-1), y.detach().numpy().reshape(-1), atol=1e-12)
    g = rng.standard_normal(y.shape)
    y.backward(torch.tensor(g))
    np.testing.assert_allclose(matrix.T @ g.reshape(-1), tx.grad.numpy().reshape(-1), atol=1e-12)
    # the transposed convolution with the same arguments, output_padding chosen to land on x's shape
    oh, ow = y.shape[-2:]
    extra = tuple(size - ((o - 1) * s - 2 * p + d * (k - 1) + 1)
                  for size, o, s, p, d, k in zip(c["hw"], (oh, ow), c["stride"], c["padding"], c["dilation"], c["kernel"]))
    if all(0 <= e < max(s, d) for e, s, d in zip(extra, c["stride"], c["dilation"])):
        back = TF.conv_transpose2d(torch.tensor(g), torch.tensor(w), output_padding=extra, **opts)
        np.testing.assert_allclose(matrix.T @ g.reshape(-1), back.numpy().reshape(-1), atol=1e-12)


def test_the_classic_4x4_example():
    """4x4 input, 3x3 kernel, no padding: C is 4 x 16 with the 9 weights in every row."""
    w = np.arange(1.0, 10.0).reshape(1, 1, 3, 3)
    matrix = conv_matrix(w, (1, 4, 4))
    assert matrix.shape == (4, 16) and np.count_nonzero(matrix) == 36
    np.testing.assert_array_equal(matrix[0].reshape(4, 4)[:3, :3], w[0, 0])
    np.testing.assert_array_equal(matrix[3].reshape(4, 4)[1:, 1:], w[0, 0])


@pytest.mark.parametrize("args, match", [
    ((np.ones((3, 3)), (1, 4, 4)), "weight must be"),
    ((np.ones((1, 1, 3, 3)), (4, 4)), "input_shape must be"),
    ((np.ones((2, 1, 3, 3)), (3, 4, 4)), "expects 1 input channels"),
    ((np.ones((1, 1, 5, 5)), (1, 4, 4)), "does not fit"),
])
def test_conv_matrix_bad_arguments(args, match):
    with pytest.raises(ValueError, match=match):
        conv_matrix(*args)


def test_conv_matrix_refuses_a_huge_dense_matrix_and_bad_strides():
    with pytest.raises(ValueError, match="too large"):
        conv_matrix(np.ones((64, 64, 3, 3)), (64, 64, 64), padding=1)
    with pytest.raises(ValueError, match="stride and dilation must be >= 1"):
        conv_matrix(np.ones((1, 1, 3, 3)), (1, 4, 4), stride=0)
