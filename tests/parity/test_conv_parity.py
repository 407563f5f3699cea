"""conv2d, conv_transpose2d and conv1d equal torch.nn.functional's (forward and every gradient)
on random shapes, strides, paddings, dilations and groups: tight in float64, float32 tolerance
in float32."""
from __future__ import annotations

from unittest import mock

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from hypothesis import given
from hypothesis import strategies as st

from gradbook.nn import functional as F
from gradbook.ops.conv import batch_inner, columns
from parity.harness import assert_matches_torch, assert_matches_torch_or_both_raise
from parity.strategies import conv_cases, window_arg

pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same'")

TOL = {np.float64: dict(atol=1e-10, rtol=1e-9), np.float32: dict(atol=2e-4, rtol=2e-4)}


def _inputs(c, w_shape):
    rng = np.random.default_rng(c["seed"])
    arrays = [rng.standard_normal((c["n"], c["groups"] * c["cg"], *c["hw"])), rng.standard_normal(w_shape)]
    if c["bias"]:
        arrays.append(rng.standard_normal(c["groups"] * c["og"]))
    return [a.astype(c["dtype"]) for a in arrays]


@given(conv_cases())
def test_conv2d_matches_torch(c):
    opts = dict(stride=c["stride"], padding=c["padding"], dilation=c["dilation"], groups=c["groups"])
    inputs = _inputs(c, (c["groups"] * c["og"], c["cg"], *c["kernel"]))
    assert_matches_torch(lambda *a: F.conv2d(*a, **opts), lambda *a: TF.conv2d(*a, **opts), inputs,
                         **TOL[c["dtype"]])


@given(conv_cases())
def test_conv2d_sample_innermost_input_gradient_matches_torch(c):
    """conv2d lays its columns out and sums dx back with the sample innermost, (C, H, W, N), for
    narrow maps at larger batches; force that path on every drawn shape (and check the rule that
    picks it)."""
    assert batch_inner.fits(256, 10) and not batch_inner.fits(64, 32)
    opts = dict(stride=c["stride"], padding=c["padding"], dilation=c["dilation"], groups=c["groups"])
    inputs = _inputs(c, (c["groups"] * c["og"], c["cg"], *c["kernel"]))
    with mock.patch.object(columns, "choose_layout", lambda *args: "batch_inner"):
        assert_matches_torch(lambda *a: F.conv2d(*a, **opts), lambda *a: TF.conv2d(*a, **opts), inputs,
                             **TOL[c["dtype"]])


@given(conv_cases(), st.sampled_from(["batch_inner", "sample", "channel"]), st.booleans(), st.booleans())
def test_conv2d_partial_gradients_match_torch(c, layout, grad_x, grad_w):
    """A first layer (input without gradient) or a frozen weight: each column layout computes only
    what is asked, and it equals torch's."""
    opts = dict(stride=c["stride"], padding=c["padding"], dilation=c["dilation"], groups=c["groups"])
    inputs = _inputs(c, (c["groups"] * c["og"], c["cg"], *c["kernel"]))
    grad = [grad_x, grad_w] + [True] * (len(inputs) - 2)
    with mock.patch.object(columns, "choose_layout", lambda *args: layout):
        assert_matches_torch(lambda *a: F.conv2d(*a, **opts), lambda *a: TF.conv2d(*a, **opts), inputs,
                             grad=grad, **TOL[c["dtype"]])


@given(conv_cases(), st.booleans())
def test_same_size_conv2d_by_shifts_or_im2col_matches_torch(c, shifted):
    """A stride-1 conv2d whose output is as large as its input ('same') builds its columns and
    sums dx by shifts of flat maps; force that or im2col on every drawn shape."""
    opts = dict(stride=1, padding="same", dilation=c["dilation"], groups=c["groups"])
    inputs = _inputs(c, (c["groups"] * c["og"], c["cg"], *c["kernel"]))
    with mock.patch.object(columns, "choose_layout", columns.choose_layout if shifted else lambda *args: "channel"):
        assert_matches_torch(lambda *a: F.conv2d(*a, **opts), lambda *a: TF.conv2d(*a, **opts), inputs,
                             **TOL[c["dtype"]])


@given(conv_cases(), st.data())
def test_conv_transpose2d_matches_torch(c, data):
    if c["padding"] == "same":
        c["padding"] = (0, 0)
    output_padding = tuple(data.draw(st.integers(0, max(s, d) - 1)) for s, d in zip(c["stride"], c["dilation"]))
    opts = dict(stride=c["stride"], padding=c["padding"], output_padding=output_padding, groups=c["groups"],
                dilation=c["dilation"])
    inputs = _inputs(c, (c["groups"] * c["cg"], c["og"], *c["kernel"]))
    out = [(h - 1) * s - 2 * p + d * (k - 1) + op + 1 for h, s, p, d, k, op in
           zip(c["hw"], c["stride"], c["padding"], c["dilation"], c["kernel"], output_padding)]
    if min(out) < 1:
        return
    assert_matches_torch(lambda *a: F.conv_transpose2d(*a, **opts), lambda *a: TF.conv_transpose2d(*a, **opts),
                         inputs, **TOL[c["dtype"]])


@given(conv_cases())
def test_conv1d_matches_torch(c):
    opts = dict(stride=c["stride"][1], padding="same" if c["padding"] == "same" else c["padding"][1],
                dilation=c["dilation"][1], groups=c["groups"])
    rng = np.random.default_rng(c["seed"])
    x = rng.standard_normal((c["n"], c["groups"] * c["cg"], c["hw"][1])).astype(c["dtype"])
    w = rng.standard_normal((c["groups"] * c["og"], c["cg"], c["kernel"][1])).astype(c["dtype"])
    assert_matches_torch(lambda *a: F.conv1d(*a, **opts), lambda *a: TF.conv1d(*a, **opts), [x, w],
                         **TOL[c["dtype"]])


def test_depthwise_and_grouped_at_benchmark_like_shapes():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 16, 9, 9)).astype(np.float32)
    for groups, cin in ((16, 1), (4, 4)):
        w = rng.standard_normal((32, cin, 3, 3)).astype(np.float32)
        assert_matches_torch(lambda x, w: F.conv2d(x, w, padding=1, groups=groups),
                             lambda x, w: TF.conv2d(x, w, padding=1, groups=groups), [x, w], **TOL[np.float32])
    assert torch.__version__  # the twin is PyTorch itself


# ----------------------------------------------------------------------------- PyTorch's own edge cases
@given(stride=window_arg(1, 3), padding=window_arg(0, 2), dilation=window_arg(1, 2), seed=st.integers(0, 2**16))
def test_conv2d_window_arguments_in_every_spelling_match_torch(stride, padding, dilation, seed):
    """stride, padding and dilation as n, (n,), [n] or (a, b): torch reads a 1-tuple as n for both
    axes, and so do we."""
    rng = np.random.default_rng(seed)
    x, w, b = rng.standard_normal((2, 4, 7, 6)), rng.standard_normal((3, 2, 3, 2)), rng.standard_normal(3)
    opts = dict(stride=stride, padding=padding, dilation=dilation, groups=2)
    assert_matches_torch_or_both_raise(lambda *a: F.conv2d(*a, **opts), lambda *a: TF.conv2d(*a, **opts), [x, w, b],
                                       op="conv2d", **TOL[np.float64])


@given(stride=window_arg(1, 3), padding=window_arg(0, 2), dilation=window_arg(1, 2), output_padding=window_arg(0, 2),
       seed=st.integers(0, 2**16))
def test_conv_transpose2d_window_arguments_in_every_spelling_match_torch(stride, padding, dilation, output_padding,
                                                                          seed):
    rng = np.random.default_rng(seed)
    x, w = rng.standard_normal((2, 4, 4, 5)), rng.standard_normal((4, 3, 3, 2))
    opts = dict(stride=stride, padding=padding, output_padding=output_padding, dilation=dilation)
    assert_matches_torch_or_both_raise(lambda *a: F.conv_transpose2d(*a, **opts),
                                       lambda *a: TF.conv_transpose2d(*a, **opts), [x, w], op="conv_transpose2d",
                                       **TOL[np.float64])


@pytest.mark.parametrize("name", ["stride", "padding", "dilation"])
@pytest.mark.parametrize("value", [(1, 1, 1), (), 1.0, True, (1.0,)], ids=["3-tuple", "empty", "float", "bool",
                                                                           "float-1-tuple"])
def test_conv2d_refuses_what_torch_refuses(name, value):
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal((1, 2, 5, 5)), rng.standard_normal((3, 2, 3, 3))
    assert assert_matches_torch_or_both_raise(lambda *a: F.conv2d(*a, **{name: value}),
                                              lambda *a: TF.conv2d(*a, **{name: value}), [x, w], op="conv2d") is None


@pytest.mark.parametrize("layer", ["Conv2d", "ConvTranspose2d"])
def test_conv_layers_take_1_tuples_like_torch(layer):
    """nn.Conv2d(4, 6, 3, stride=(2,), padding=(1,), dilation=(2,)) works in torch (a 1-tuple kernel
    does not, and is refused here when the layer is built)."""
    import gradbook.nn as gnn

    opts = dict(stride=(2,), padding=(1,), dilation=(2,))
    ours, theirs = getattr(gnn, layer)(4, 6, 3, dtype=np.float64, **opts), getattr(torch.nn, layer)(4, 6, 3, **opts)
    theirs = theirs.double()
    ours.weight.data[...] = theirs.weight.detach().numpy()
    ours.bias.data[...] = theirs.bias.detach().numpy()
    x = np.random.default_rng(1).standard_normal((2, 4, 7, 7))
    assert_matches_torch(ours, theirs, [x], **TOL[np.float64])
    with pytest.raises(ValueError, match="kernel_size"):
        getattr(gnn, layer)(4, 6, (3,))


@pytest.mark.parametrize("op", ["conv2d", "conv_transpose2d", "conv1d"])
@pytest.mark.parametrize("groups", [1, 2])
def test_convolutions_of_an_empty_batch_match_torch(op, groups):
    """N = 0: an empty output of the right shape, zero gradients for the weight and the bias."""
    rng = np.random.default_rng(4)
    spatial = (5,) if op == "conv1d" else (5, 6)
    w_shape = (4, 6 // groups, 3) if op == "conv1d" else (4, 6 // groups, 3, 2)
    if op == "conv_transpose2d":
        w_shape = (4, 3, 3, 2)
    x, w = np.zeros((0, 4 if op == "conv_transpose2d" else 6, *spatial)), rng.standard_normal(w_shape)
    b = rng.standard_normal(3 * groups if op == "conv_transpose2d" else 4)
    opts = dict(stride=2, padding=1, groups=groups)
    assert_matches_torch(lambda *a: getattr(F, op)(*a, **opts), lambda *a: getattr(TF, op)(*a, **opts), [x, w, b],
                         **TOL[np.float64])
