"""Double backward of the big fused ops against PyTorch, float64: convolutions (every path conv2d
takes: column product in each layout, depthwise, Winograd at the size it is chosen for), conv
transposes, pooling, normalisation (batch, group, instance, layer, local response) and dropout.

For each op: L = Σ v·y + Σ u·y² of y = op(*leaves) (quadratic, so that ops linear in x still have
a second derivative), g = grad(L, leaves, create_graph=True), then grad(Σ_k ⟨c_k, g_k⟩, leaves),
v, u, c_k random; both gradients equal torch's."""
from __future__ import annotations

from unittest import mock

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from hypothesis import given
from hypothesis import strategies as st

import gradbook as gb
from gradbook.autograd import grad
from gradbook.nn import functional as F
from gradbook.ops.conv import columns, winograd, winograd4
from parity.strategies import conv_cases

TOL = dict(atol=1e-10, rtol=1e-9)


def _second_order(lib, fn, arrays, seed):
    """(first-order gradients, gradients of Σ⟨c_k, g_k⟩) of L(fn(*leaves)) in ``lib`` (gb or torch)."""
    rng = np.random.default_rng(seed)
    if lib is gb:
        leaves = [gb.tensor(a, dtype="float64", requires_grad=True) for a in arrays]
        wrap, autograd_grad = (lambda a: gb.tensor(a, dtype="float64")), grad
    else:
        leaves = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays]
        wrap, autograd_grad = (lambda a: torch.tensor(a, dtype=torch.float64)), torch.autograd.grad
    y = fn(*leaves)
    v, u = rng.standard_normal(y.shape), rng.standard_normal(y.shape)
    loss = (y * wrap(v)).sum() + (y * y * wrap(u)).sum()
    first = autograd_grad(loss, leaves, create_graph=True)
    mix = None
    for g, a in zip(first, arrays):
        term = (g * wrap(rng.standard_normal(a.shape))).sum()
        mix = term if mix is None else mix + term
    second = autograd_grad(mix, leaves, allow_unused=True)
    as_array = (lambda t: np.zeros(()) if t is None else (t.data if lib is gb else t.detach().numpy()))
    return [as_array(g) for g in first], [as_array(g) for g in second]


def assert_double_backward_matches_torch(ours, theirs, arrays, seed=0, **tol):
    """First- and second-order gradients of ``ours`` (gradbook) equal those of ``theirs`` (torch)."""
    tol = {**TOL, **tol}
    got, want = _second_order(gb, ours, arrays, seed), _second_order(torch, theirs, arrays, seed)
    for order, (g_ours, g_theirs) in enumerate(zip(got, want), start=1):
        for k, (a, b) in enumerate(zip(g_ours, g_theirs)):
            np.testing.assert_allclose(np.broadcast_to(a, np.shape(b)), b, err_msg=f"order {order}, input {k}",
                                       **tol)


def _conv_arrays(c, w_shape, out_channels):
    rng = np.random.default_rng(c["seed"])
    arrays = [rng.standard_normal((c["n"], c["groups"] * c["cg"], *c["hw"])), rng.standard_normal(w_shape)]
    if c["bias"]:
        arrays.append(rng.standard_normal(out_channels))
    return arrays


# ----------------------------------------------------------------------------- convolutions
@given(conv_cases(), st.sampled_from(["auto", "batch_inner", "sample", "channel"]))
def test_conv2d_double_backward_matches_torch(c, layout):
    """Any stride, padding (also an asymmetric 'same'), dilation and groups; the weight gradient
    op's columns forced into each layout."""
    opts = dict(stride=c["stride"], padding=c["padding"], dilation=c["dilation"], groups=c["groups"])
    arrays = _conv_arrays(c, (c["groups"] * c["og"], c["cg"], *c["kernel"]), c["groups"] * c["og"])
    choose = columns.choose_layout if layout == "auto" else lambda *args: layout
    with mock.patch.object(columns, "choose_layout", choose):
        assert_double_backward_matches_torch(lambda *a: F.conv2d(*a, **opts), lambda *a: TF.conv2d(*a, **opts),
                                             arrays, seed=c["seed"])


@given(conv_cases(), st.data())
def test_conv_transpose2d_double_backward_matches_torch(c, data):
    """Including output_padding ≥ stride (allowed when the dilation is larger)."""
    padding = (0, 0) if c["padding"] == "same" else c["padding"]
    output_padding = tuple(data.draw(st.integers(0, max(s, d) - 1)) for s, d in zip(c["stride"], c["dilation"]))
    out = [(h - 1) * s - 2 * p + d * (k - 1) + op + 1 for h, s, p, d, k, op in
           zip(c["hw"], c["stride"], padding, c["dilation"], c["kernel"], output_padding)]
    if min(out) < 1:
        return
    opts = dict(stride=c["stride"], padding=padding, output_padding=output_padding, groups=c["groups"],
                dilation=c["dilation"])
    arrays = _conv_arrays(c, (c["groups"] * c["cg"], c["og"], *c["kernel"]), c["groups"] * c["og"])
    assert_double_backward_matches_torch(lambda *a: F.conv_transpose2d(*a, **opts),
                                         lambda *a: TF.conv_transpose2d(*a, **opts), arrays, seed=c["seed"])


@pytest.mark.parametrize("multiplier, dilation, padding, stride, path", [
    (1, 1, 1, 1, "SameDepthwiseConv2d"), (2, 2, "same", 1, "SameDepthwiseConv2d"), (3, 1, 0, 1, "DepthwiseConv2d"),
    (2, 1, 1, 2, "PolyphaseDepthwiseConv2d"), (2, 1, 0, 2, "StridedDepthwiseConv2d"),
    (2, 1, 1, 2, "DenseDepthwiseConv2d")])
def test_depthwise_conv2d_double_backward_matches_torch(multiplier, dilation, padding, stride, path):
    """Each depthwise path; maps of more than 64 pixels except for the dense path's."""
    rng = np.random.default_rng(multiplier)
    arrays = [rng.standard_normal((2, 3, *((6, 5) if path == "DenseDepthwiseConv2d" else (9, 8)))), rng.standard_normal((3 * multiplier, 1, 3, 3)),
              rng.standard_normal(3 * multiplier)]
    opts = dict(padding=padding, dilation=dilation, groups=3, stride=stride)
    assert type(F.conv2d(*(gb.tensor(a, requires_grad=True) for a in arrays), **opts).grad_fn).__name__ == path
    assert_double_backward_matches_torch(lambda *a: F.conv2d(*a, **opts), lambda *a: TF.conv2d(*a, **opts), arrays)


@pytest.mark.parametrize("side, path", [(32, winograd4.Winograd4Conv2d), (30, winograd.WinogradConv2d)])
def test_winograd_conv2d_double_backward_matches_torch(side, path):
    """At the smallest channel count conv2d sends to Winograd (too big for a numerical gradgradcheck):
    F(4x4, 3x3) on maps of sides 4k, F(2x2, 3x3) on other even ones."""
    rng = np.random.default_rng(3)
    arrays = [rng.standard_normal((1, 32, side, side)), rng.standard_normal((32, 32, 3, 3)) / 17,
              rng.standard_normal(32)]
    assert winograd.fits((3, 3), (1, 1), (1, 1), 1, (1, 1, 1, 1), (side, side), 32, 32)
    assert isinstance(F.conv2d(*(gb.tensor(a, requires_grad=True) for a in arrays), padding=1).grad_fn, path)
    assert_double_backward_matches_torch(lambda *a: F.conv2d(*a, padding=1), lambda *a: TF.conv2d(*a, padding=1),
                                         arrays, atol=1e-9)


def test_conv1d_double_backward_matches_torch():
    rng = np.random.default_rng(4)
    arrays = [rng.standard_normal((2, 4, 9)), rng.standard_normal((6, 2, 3))]
    opts = dict(stride=2, padding=1, dilation=2, groups=2)
    assert_double_backward_matches_torch(lambda *a: F.conv1d(*a, **opts), lambda *a: TF.conv1d(*a, **opts), arrays)


# ----------------------------------------------------------------------------- pooling
@pytest.mark.parametrize("kernel, stride, padding, dilation, ceil_mode", [
    (2, 2, 0, 1, False), (3, 2, 1, 1, True), (3, 1, 1, 1, False), ((2, 3), (1, 2), (1, 0), (2, 1), True)])
def test_max_pool2d_double_backward_matches_torch(kernel, stride, padding, dilation, ceil_mode):
    x = np.random.default_rng(5).standard_normal((2, 3, 7, 8))
    opts = dict(kernel_size=kernel, stride=stride, padding=padding, dilation=dilation, ceil_mode=ceil_mode)
    assert_double_backward_matches_torch(lambda x: F.max_pool2d(x, **opts), lambda x: TF.max_pool2d(x, **opts), [x])


@pytest.mark.parametrize("kernel, stride, padding, ceil_mode, count_include_pad, divisor_override", [
    (2, 2, 0, False, True, None), (3, 2, 1, True, False, None), (3, 1, 1, False, True, 4)])
def test_avg_pool2d_double_backward_matches_torch(kernel, stride, padding, ceil_mode, count_include_pad,
                                                  divisor_override):
    x = np.random.default_rng(6).standard_normal((2, 3, 7, 8))
    opts = dict(kernel_size=kernel, stride=stride, padding=padding, ceil_mode=ceil_mode,
                count_include_pad=count_include_pad, divisor_override=divisor_override)
    assert_double_backward_matches_torch(lambda x: F.avg_pool2d(x, **opts), lambda x: TF.avg_pool2d(x, **opts), [x])


@pytest.mark.parametrize("output_size", [(3, 2), 1, (5, 7)])
def test_adaptive_pools_double_backward_match_torch(output_size):
    x = np.random.default_rng(7).standard_normal((2, 3, 7, 5))
    assert_double_backward_matches_torch(lambda x: F.adaptive_avg_pool2d(x, output_size),
                                         lambda x: TF.adaptive_avg_pool2d(x, output_size), [x])
    assert_double_backward_matches_torch(lambda x: F.adaptive_max_pool2d(x, output_size),
                                         lambda x: TF.adaptive_max_pool2d(x, output_size), [x])


# ----------------------------------------------------------------------------- normalisation, dropout
@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("shape", [(4, 3), (3, 2, 4, 3), (2, 3, 5)])
def test_batch_norm_double_backward_matches_torch(shape, training):
    rng = np.random.default_rng(8)
    c = shape[1]
    arrays = [rng.standard_normal(shape) * 2 + 1, rng.standard_normal(c), rng.standard_normal(c)]
    mean, var = rng.standard_normal(c), rng.random(c) + 0.5

    def ours(x, w, b):
        return F.batch_norm(x, mean.copy(), var.copy(), w, b, training=training)

    def theirs(x, w, b):
        return TF.batch_norm(x, torch.tensor(mean), torch.tensor(var), w, b, training=training)

    assert_double_backward_matches_torch(ours, theirs, arrays)


def test_group_instance_and_layer_norm_double_backward_match_torch():
    rng = np.random.default_rng(9)
    arrays = [rng.standard_normal((2, 4, 3, 2)), rng.standard_normal(4), rng.standard_normal(4)]
    assert_double_backward_matches_torch(lambda x, w, b: F.group_norm(x, 2, w, b),
                                         lambda x, w, b: TF.group_norm(x, 2, w, b), arrays)
    assert_double_backward_matches_torch(lambda x, w, b: F.instance_norm(x, weight=w, bias=b),
                                         lambda x, w, b: TF.instance_norm(x, weight=w, bias=b), arrays)
    arrays = [rng.standard_normal((3, 2, 4)), rng.standard_normal((2, 4)), rng.standard_normal((2, 4))]
    assert_double_backward_matches_torch(lambda x, w, b: F.layer_norm(x, (2, 4), w, b),
                                         lambda x, w, b: TF.layer_norm(x, (2, 4), w, b), arrays)


@pytest.mark.parametrize("size", [2, 3])
def test_local_response_norm_double_backward_matches_torch(size):
    x = np.random.default_rng(12).standard_normal((2, 6, 3, 3))
    opts = dict(size=size, alpha=0.3, beta=0.75, k=1.2)
    assert_double_backward_matches_torch(lambda x: F.local_response_norm(x, **opts),
                                         lambda x: TF.local_response_norm(x, **opts), [x])


def test_dropout_double_backward_matches_torch_with_the_same_mask():
    """The mask is a constant of the backward: drawn once by gradbook, applied by both."""
    x = np.random.default_rng(10).standard_normal((4, 6))

    def ours(x):
        gb.manual_seed(0)
        return F.dropout(x, 0.4)

    gb.manual_seed(0)
    probe = F.dropout(gb.tensor(np.ones_like(x), dtype="float64"), 0.4).data
    assert_double_backward_matches_torch(ours, lambda x: x * torch.tensor(probe), [x])


# ----------------------------------------------------------------------------- a small CNN, end to end
def _critic(lib, fn, x, w1, gamma, beta, w2):
    """conv → batch norm → relu → max pool → grouped conv → avg pool, summed."""
    h = fn.conv2d(x, w1, padding=1)
    h = fn.relu(fn.batch_norm(h, None, None, gamma, beta, training=True))
    h = fn.conv2d(fn.max_pool2d(h, 2), w2, padding=1, groups=2)
    return fn.avg_pool2d(h, 2).sum()


def test_gradient_penalty_of_a_small_cnn_matches_torch():
    """P = ‖∂D/∂x‖² for a critic D using every op above, and ∂P/∂(x, weights) (WGAN-GP's penalty)."""
    rng = np.random.default_rng(11)
    arrays = [rng.standard_normal((2, 2, 8, 8)), rng.standard_normal((4, 2, 3, 3)), rng.standard_normal(4),
              rng.standard_normal(4), rng.standard_normal((4, 2, 3, 3))]
    results = []
    for lib, fn, autograd_grad in ((gb, F, grad), (torch, TF, torch.autograd.grad)):
        leaves = [lib.tensor(a, dtype=lib.float64, requires_grad=True) for a in arrays]
        (gx,) = autograd_grad(_critic(lib, fn, *leaves), [leaves[0]], create_graph=True)
        grads = autograd_grad((gx * gx).sum(), leaves, allow_unused=True)  # β: none (relu' is flat)
        results.append([np.zeros(a.shape) if g is None else g.data if lib is gb else g.numpy()
                        for g, a in zip(grads, arrays)])
    for k, (a, b) in enumerate(zip(*results)):
        np.testing.assert_allclose(a, b, err_msg=f"input {k}", **TOL)
