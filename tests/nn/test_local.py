"""LocallyConnected2d (no torch twin): equal, in values and every gradient, to a loop reference made
of one ``torch.nn.functional.linear`` per output position; equal to ``conv2d`` when every position
holds the same weights; gradcheck and gradgradcheck in float64; clear errors."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from hypothesis import given
from hypothesis import strategies as st

import gradbook as gb
from gradbook import nn
from gradbook.autograd import gradcheck, gradgradcheck
from gradbook.ops.local_conv import locally_connected2d
from parity.harness import assert_matches_torch


def torch_local_reference(x, w, b, stride, padding):
    """y[:, :, p, q] = linear(window(p, q) flattened, W[p, q] flattened, b[:, p, q]), one call per
    position: the definition, written with torch's own ops."""
    (sh, sw), (ph, pw) = stride, padding
    oh, ow, o, c, kh, kw = w.shape
    xp = TF.pad(x, (pw, pw, ph, ph))
    rows = []
    for p in range(oh):
        row = []
        for q in range(ow):
            patch = xp[:, :, p * sh:p * sh + kh, q * sw:q * sw + kw].reshape(x.shape[0], -1)
            row.append(TF.linear(patch, w[p, q].reshape(o, -1), None if b is None else b[:, p, q]))
        rows.append(torch.stack(row, dim=-1))
    return torch.stack(rows, dim=-2)


@st.composite
def local_cases(draw):
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    padding = (draw(st.integers(0, 1)), draw(st.integers(0, 2)))
    hw = tuple(draw(st.integers(max(k - 2 * p, 1), 6)) for k, p in zip(kernel, padding))
    return dict(n=draw(st.integers(1, 3)), c=draw(st.integers(1, 3)), o=draw(st.integers(1, 3)), kernel=kernel,
                stride=stride, padding=padding, hw=hw, bias=draw(st.booleans()),
                dtype=draw(st.sampled_from([np.float32, np.float64])), seed=draw(st.integers(0, 2**16)))


def _out_hw(c):
    return tuple((n + 2 * p - k) // s + 1 for n, k, s, p in zip(c["hw"], c["kernel"], c["stride"], c["padding"]))


def _inputs(c):
    rng = np.random.default_rng(c["seed"])
    oh, ow = _out_hw(c)
    arrays = [rng.standard_normal((c["n"], c["c"], *c["hw"])), rng.standard_normal((oh, ow, c["o"], c["c"], *c["kernel"]))]
    if c["bias"]:
        arrays.append(rng.standard_normal((c["o"], oh, ow)))
    return [a.astype(c["dtype"]) for a in arrays]


TOL = {np.float64: dict(atol=1e-10, rtol=1e-9), np.float32: dict(atol=2e-4, rtol=2e-4)}


@given(local_cases())
def test_locally_connected2d_equals_a_loop_of_torch_linear_calls(c):
    opts = dict(stride=c["stride"], padding=c["padding"])
    assert_matches_torch(lambda x, w, b=None: locally_connected2d(x, w, b, **opts),
                         lambda x, w, b=None: torch_local_reference(x, w, b, **opts), _inputs(c), **TOL[c["dtype"]])


@given(local_cases())
def test_locally_connected2d_with_shared_weights_is_conv2d(c):
    """Every position holding one Conv2d weight and bias: the output is conv2d's, the input gradient
    conv2d's, and the per-position weight and bias gradients sum to conv2d's."""
    c = dict(c, dtype=np.float64)
    rng = np.random.default_rng(c["seed"])
    x = rng.standard_normal((c["n"], c["c"], *c["hw"]))
    w = rng.standard_normal((c["o"], c["c"], *c["kernel"]))
    b = rng.standard_normal(c["o"])
    oh, ow = _out_hw(c)
    w_local = gb.tensor(np.broadcast_to(w, (oh, ow, *w.shape)).copy(), requires_grad=True)
    b_local = gb.tensor(np.broadcast_to(b[:, None, None], (c["o"], oh, ow)).copy(), requires_grad=True)
    xg, xt = gb.tensor(x, requires_grad=True), torch.from_numpy(x).requires_grad_(True)
    wt, bt = torch.from_numpy(w).requires_grad_(True), torch.from_numpy(b).requires_grad_(True)
    yg = locally_connected2d(xg, w_local, b_local, c["stride"], c["padding"])
    yt = TF.conv2d(xt, wt, bt, c["stride"], c["padding"])
    np.testing.assert_allclose(yg.data, yt.detach().numpy(), atol=1e-10, rtol=1e-9)
    v = rng.standard_normal(yt.shape)
    (yg * gb.tensor(v)).sum().backward()
    yt.backward(torch.from_numpy(v))
    np.testing.assert_allclose(xg.grad.data, xt.grad.numpy(), atol=1e-10, rtol=1e-9)
    np.testing.assert_allclose(w_local.grad.data.sum((0, 1)), wt.grad.numpy(), atol=1e-10, rtol=1e-9)
    np.testing.assert_allclose(b_local.grad.data.sum((1, 2)), bt.grad.numpy(), atol=1e-10, rtol=1e-9)


@pytest.mark.parametrize("stride, padding, bias", [(1, 0, True), ((2, 1), (1, 2), True), (2, 1, False)])
def test_locally_connected2d_gradcheck_and_gradgradcheck(stride, padding, bias):
    rng = np.random.default_rng(3)
    x = gb.tensor(rng.standard_normal((2, 2, 3, 4)), requires_grad=True)
    oh, ow = nn.LocallyConnected2d(2, 2, (2, 3), (3, 4), stride, padding).out_size
    w = gb.tensor(rng.standard_normal((oh, ow, 2, 2, 2, 3)), requires_grad=True)
    b = gb.tensor(rng.standard_normal((2, oh, ow)), requires_grad=True) if bias else None
    inputs = [x, w] + ([b] if bias else [])
    fn = lambda x, w, b=None: locally_connected2d(x, w, b, stride, padding)  # noqa: E731
    assert gradcheck(fn, inputs)
    assert gradgradcheck(fn, inputs)


def test_layer_shapes_repr_init_and_unbatched_input():
    layer = nn.LocallyConnected2d(3, 4, 3, in_size=(6, 7), stride=2, padding=1)
    assert repr(layer) == ("LocallyConnected2d(3, 4, kernel_size=(3, 3), in_size=(6, 7), stride=(2, 2), "
                           "padding=(1, 1))")
    assert layer.weight.shape == (3, 4, 4, 3, 3, 3) and layer.bias.shape == (4, 3, 4)
    assert layer.out_size == (3, 4)
    bound = 1 / np.sqrt(3 * 9)
    assert np.abs(layer.weight.data).max() <= bound and np.abs(layer.weight.data).max() > 0.8 * bound
    assert sum(p.numel() for p in layer.parameters()) == 3 * 4 * 4 * 27 + 4 * 12
    x = gb.randn(3, 6, 7)
    np.testing.assert_allclose(layer(x).data, layer(x.unsqueeze(0)).data[0], rtol=1e-6)
    assert nn.LocallyConnected2d(2, 2, 2, 4, bias=False).bias is None


def test_layer_trains_through_state_dict_round_trip():
    torch.manual_seed(0)
    layer = nn.LocallyConnected2d(2, 3, 2, 4, dtype=np.float64)
    copy = nn.LocallyConnected2d(2, 3, 2, 4, dtype=np.float64)
    copy.load_state_dict(layer.state_dict())
    x = gb.tensor(np.random.default_rng(0).standard_normal((2, 2, 4, 4)))
    np.testing.assert_array_equal(layer(x).data, copy(x).data)


@pytest.mark.parametrize("call, message", [
    (lambda m: m(gb.randn(2, 5, 6, 7)), "LocallyConnected2d(3, 4, kernel_size=(3, 3), in_size=(6, 7), stride=(1, 1)): "
                                        "expected input with 3 channels, got shape (2, 5, 6, 7)"),
    (lambda m: m(gb.randn(2, 3, 6, 8)), "LocallyConnected2d(3, 4, kernel_size=(3, 3), in_size=(6, 7), stride=(1, 1)): "
                                        "expected input with spatial size (6, 7) (in_size), got shape (2, 3, 6, 8)"),
    (lambda m: m(gb.randn(6, 7)), "expected a 3-D or 4-D input (N, C, H, W) or (C, H, W), got shape (6, 7)"),
    (lambda m: nn.LocallyConnected2d(3, 4, 5, in_size=3), "LocallyConnected2d: a (5, 5) kernel does not fit"),
    (lambda m: nn.LocallyConnected2d(3, 0, 3, in_size=3), "LocallyConnected2d: out_channels must be a positive int"),
    (lambda m: locally_connected2d(gb.randn(1, 3, 6, 7), m.weight, None, 2),
     "locally_connected2d: weight of shape (4, 5, 4, 3, 3, 3) holds 4x5 positions, but a 3x3 kernel with stride "
     "(2, 2) and padding (0, 0) has 2x3 over an input of shape (1, 3, 6, 7)"),
    (lambda m: locally_connected2d(gb.randn(1, 3, 6, 7), m.weight, gb.randn(4)),
     "locally_connected2d: bias must have shape (4, 4, 5) (C_out, OH, OW), got (4,)"),
    (lambda m: locally_connected2d(gb.randn(1, 3, 6, 7), gb.randn(4, 5, 3, 3)), "weight must be 6-D"),
])
def test_errors_name_the_layer_and_say_what_was_expected(call, message):
    layer = nn.LocallyConnected2d(3, 4, 3, in_size=(6, 7))
    with pytest.raises(ValueError) as info:
        call(layer)
    assert message in str(info.value)
