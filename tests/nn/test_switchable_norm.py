"""SwitchableNorm1d/2d (no torch twin): equal to the paper's formulas written directly in torch (each
statistic from its definition, not from IN's) in training and evaluation, outputs, every gradient
and the running statistics; pinned mixture weights reproduce torch's BatchNorm, LayerNorm over
(C, H, W) (GroupNorm with one group) and InstanceNorm; gradcheck in float64; clear errors."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import gradbook as gb
from gradbook import nn
from gradbook.autograd import gradcheck, gradgradcheck
from gradbook.nn.switchable_norm import switchable_norm
from parity.harness import assert_layer_matches_torch, assert_matches_torch


def torch_switchable_norm(x, weight, bias, mean_logits, var_logits, running_mean, running_var, training,
                          momentum=0.1, eps=1e-5, using_bn=True):
    """Luo et al. (2018), eqs. 3-5, each statistic from its definition over its own axes:
    IN over the spatial axes, LN over (C, spatial), BN over (N, spatial); population variances;
    BatchNorm's running-statistics rule. An input without spatial axes has no IN term."""
    spatial = tuple(range(2, x.dim()))
    stats = []
    if spatial:
        stats.append((x.mean(spatial, keepdim=True), x.var(spatial, unbiased=False, keepdim=True)))
    ln = tuple(range(1, x.dim()))
    stats.append((x.mean(ln, keepdim=True), x.var(ln, unbiased=False, keepdim=True)))
    if using_bn:
        bn = (0,) + spatial
        view = (1, -1) + (1,) * len(spatial)
        if training:
            stats.append((x.mean(bn, keepdim=True), x.var(bn, unbiased=False, keepdim=True)))
            with torch.no_grad():
                running_mean.mul_(1 - momentum).add_(momentum * x.mean(bn))
                running_var.mul_(1 - momentum).add_(momentum * x.var(bn, unbiased=True))
        else:
            stats.append((running_mean.reshape(view), running_var.reshape(view)))
    logits_m, logits_v = (mean_logits, var_logits) if spatial else (mean_logits[1:], var_logits[1:])
    wm, wv = torch.softmax(logits_m, 0), torch.softmax(logits_v, 0)
    mean = sum(wm[k] * m for k, (m, _) in enumerate(stats))
    var = sum(wv[k] * v for k, (_, v) in enumerate(stats))
    view = (1, -1) + (1,) * len(spatial)
    return (x - mean) / torch.sqrt(var + eps) * weight.reshape(view) + bias.reshape(view)


@st.composite
def sn_cases(draw):
    ndim = draw(st.sampled_from([2, 3, 4]))
    shape = (draw(st.integers(2, 4)), draw(st.integers(1, 4))) + tuple(draw(st.integers(1, 4)) for _ in range(ndim - 2))
    return dict(shape=shape, using_bn=draw(st.booleans()), training=draw(st.booleans()),
                momentum=draw(st.sampled_from([0.1, 0.5, 1.0])), seed=draw(st.integers(0, 2**16)))


@given(sn_cases())
def test_switchable_norm_equals_the_papers_formulas_in_torch(case):
    rng = np.random.default_rng(case["seed"])
    c, k = case["shape"][1], 3 if case["using_bn"] else 2
    inputs = [rng.standard_normal(case["shape"]) * 2 + 1, rng.standard_normal(c), rng.standard_normal(c),
              rng.standard_normal(k), rng.standard_normal(k)]
    running = rng.standard_normal(c), rng.random(c) + 0.5
    gb_running = [gb.tensor(r.copy()) for r in running]
    th_running = [torch.from_numpy(r.copy()) for r in running]
    opts = dict(training=case["training"], momentum=case["momentum"], using_bn=case["using_bn"])
    assert_matches_torch(
        lambda x, w, b, lm, lv: switchable_norm(x, lm, lv, w, b, *gb_running, **opts),
        lambda x, w, b, lm, lv: torch_switchable_norm(x, w, b, lm, lv, *th_running, **opts),
        inputs, atol=1e-10, rtol=1e-8)
    for got, want in zip(gb_running, th_running):
        np.testing.assert_allclose(got.data, want.numpy(), atol=1e-12, rtol=1e-12)


@pytest.mark.parametrize("using_moving_average", [True, False])
def test_module_running_statistics_over_training_steps_then_evaluation(using_moving_average):
    """Three training batches then evaluation: the running statistics follow BatchNorm's rule
    (exponential with momentum) or the plain average of the batches (using_moving_average=False)."""
    rng = np.random.default_rng(0)
    layer = nn.SwitchableNorm2d(3, momentum=0.3, using_moving_average=using_moving_average, dtype=np.float64)
    layer.mean_weight.data[...] = rng.standard_normal(3)
    layer.var_weight.data[...] = rng.standard_normal(3)
    means, variances = [], []
    for _ in range(3):
        x = rng.standard_normal((4, 3, 5, 5)) * 3 - 1
        layer(gb.tensor(x))
        means.append(x.mean((0, 2, 3)))
        variances.append(x.var((0, 2, 3), ddof=1))
    if using_moving_average:
        want_mean, want_var = np.zeros(3), np.ones(3)
        for m, v in zip(means, variances):
            want_mean, want_var = 0.7 * want_mean + 0.3 * m, 0.7 * want_var + 0.3 * v
    else:
        want_mean, want_var = np.mean(means, 0), np.mean(variances, 0)
    np.testing.assert_allclose(layer.running_mean.data, want_mean, rtol=1e-12)
    np.testing.assert_allclose(layer.running_var.data, want_var, rtol=1e-12)
    assert int(layer.num_batches_tracked.data) == 3
    layer.eval()
    x = rng.standard_normal((2, 3, 5, 5))
    want = torch_switchable_norm(torch.from_numpy(x), torch.ones(3, dtype=torch.float64),
                                 torch.zeros(3, dtype=torch.float64), torch.from_numpy(layer.mean_weight.data),
                                 torch.from_numpy(layer.var_weight.data), torch.from_numpy(want_mean),
                                 torch.from_numpy(want_var), training=False)
    np.testing.assert_allclose(layer(gb.tensor(x)).data, want.numpy(), atol=1e-12)


def _pinned(layer, branch: int) -> None:
    """One-hot mixture weights: the logit of ``branch`` far above the others (softmax gives exactly 1, 0, 0)."""
    logits = np.full(layer.mean_weight.shape, -1e4)
    logits[branch] = 1e4
    layer.mean_weight.data[...] = logits
    layer.var_weight.data[...] = logits


@pytest.mark.parametrize("shape", [(4, 3, 5, 6), (6, 3), (4, 3, 7)])
def test_pinned_to_batch_norm_is_batch_norm_in_training_and_evaluation(shape):
    rng = np.random.default_rng(2)
    sn = (nn.SwitchableNorm2d if len(shape) == 4 else nn.SwitchableNorm1d)(3, momentum=0.2, dtype=np.float64)
    bn = (torch.nn.BatchNorm2d if len(shape) == 4 else torch.nn.BatchNorm1d)(3, momentum=0.2).double()
    _pinned(sn, 2)
    with torch.no_grad():
        bn.weight.copy_(torch.from_numpy(rng.standard_normal(3)))
        bn.bias.copy_(torch.from_numpy(rng.standard_normal(3)))
    sn.weight.data[...], sn.bias.data[...] = bn.weight.detach().numpy(), bn.bias.detach().numpy()
    for _ in range(2):
        assert_layer_matches_torch(sn, bn, rng.standard_normal(shape) * 2 + 0.5, rtol=1e-8, params=["weight", "bias"],
                                   seed=1)
        np.testing.assert_allclose(sn.running_mean.data, bn.running_mean.numpy(), rtol=1e-12)
        np.testing.assert_allclose(sn.running_var.data, bn.running_var.numpy(), rtol=1e-12)
    sn.eval(), bn.eval()
    assert_layer_matches_torch(sn, bn, rng.standard_normal(shape), rtol=1e-8, params=["weight", "bias"], seed=1)


@pytest.mark.parametrize("training", [True, False])
def test_pinned_to_layer_norm_and_instance_norm_are_those_norms(training):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((3, 4, 5, 6)) * 3 + 2
    gamma, beta = rng.standard_normal(4), rng.standard_normal(4)
    ln = torch.nn.GroupNorm(1, 4).double()  # LayerNorm over (C, H, W) with a per-channel affine
    inorm = torch.nn.InstanceNorm2d(4, affine=True).double()
    for branch, twin in ((1, ln), (0, inorm)):
        sn = nn.SwitchableNorm2d(4, dtype=np.float64)
        _pinned(sn, branch)
        with torch.no_grad():
            twin.weight.copy_(torch.from_numpy(gamma))
            twin.bias.copy_(torch.from_numpy(beta))
        sn.weight.data[...], sn.bias.data[...] = gamma, beta
        sn.train(training), twin.train(training)
        assert_layer_matches_torch(sn, twin, x, rtol=1e-8, params=["weight", "bias"], seed=1)
    sn = nn.SwitchableNorm1d(4, using_bn=False, dtype=np.float64)  # (N, C): LN over the features alone
    sn.weight.data[...], sn.bias.data[...] = gamma, beta
    layer_norm = torch.nn.LayerNorm(4).double()
    with torch.no_grad():
        layer_norm.weight.copy_(torch.from_numpy(gamma))
        layer_norm.bias.copy_(torch.from_numpy(beta))
    assert_layer_matches_torch(sn, layer_norm, x[:, :, 0, 0], rtol=1e-8, params=["weight", "bias"], seed=1)


@pytest.mark.parametrize("training, using_bn, shape", [(True, True, (3, 2, 2, 3)), (False, True, (2, 2, 3, 2)),
                                                       (True, False, (2, 3, 4)), (True, True, (4, 3))])
def test_switchable_norm_gradcheck(training, using_bn, shape):
    rng = np.random.default_rng(4)
    c, k = shape[1], 3 if using_bn else 2
    x, w, b, lm, lv = (gb.tensor(a, requires_grad=True) for a in (
        rng.standard_normal(shape), rng.standard_normal(c), rng.standard_normal(c), rng.standard_normal(k),
        rng.standard_normal(k)))
    running = gb.tensor(rng.standard_normal(c)), gb.tensor(rng.random(c) + 0.5)
    assert gradcheck(lambda *a: switchable_norm(a[0], a[3], a[4], a[1], a[2], *running, training=training,
                                                using_bn=using_bn, momentum=0.0), [x, w, b, lm, lv])


def test_switchable_norm_gradgradcheck():
    """Composed of Tensor ops that each differentiate twice, so the layer does too (gradient penalties)."""
    rng = np.random.default_rng(5)
    x, w, b, lm, lv = (gb.tensor(a, requires_grad=True) for a in (
        rng.standard_normal((3, 2, 2, 2)), rng.standard_normal(2), rng.standard_normal(2), rng.standard_normal(3),
        rng.standard_normal(3)))
    running = gb.tensor(rng.standard_normal(2)), gb.tensor(rng.random(2) + 0.5)
    assert gradgradcheck(lambda *a: switchable_norm(a[0], a[3], a[4], a[1], a[2], *running, momentum=0.0),
                         [x, w, b, lm, lv])


def test_parameters_buffers_repr_and_state_dict():
    layer = nn.SwitchableNorm2d(5)
    assert repr(layer) == ("SwitchableNorm2d(5, eps=1e-05, momentum=0.1, using_moving_average=True, using_bn=True, "
                           "affine=True)")
    assert [name for name, _ in layer.named_parameters()] == ["weight", "bias", "mean_weight", "var_weight"]
    assert sorted(layer.state_dict()) == sorted(["weight", "bias", "mean_weight", "var_weight", "running_mean",
                                                 "running_var", "num_batches_tracked"])
    no_bn = nn.SwitchableNorm1d(5, using_bn=False)
    assert no_bn.mean_weight.shape == (2,) and no_bn.running_mean is None
    x = gb.randn(4, 5, 3)
    no_bn.eval()
    out_eval = no_bn(x).data
    no_bn.train()
    np.testing.assert_array_equal(no_bn(x).data, out_eval)  # IN and LN: no batch statistics, same in both modes


@pytest.mark.parametrize("call, message", [
    (lambda: nn.SwitchableNorm2d(3)(gb.randn(2, 4, 5, 5)),
     "SwitchableNorm2d(3, eps=1e-05, momentum=0.1, using_moving_average=True, using_bn=True, affine=True): "
     "expected input with 3 channels, got shape (2, 4, 5, 5)"),
    (lambda: nn.SwitchableNorm2d(3)(gb.randn(2, 3, 5)), "expected a 4-D input (N, C, H, W), got shape (2, 3, 5)"),
    (lambda: nn.SwitchableNorm1d(3)(gb.randn(1, 3)), "expected more than 1 value per channel when training"),
    (lambda: nn.SwitchableNorm1d(0), "SwitchableNorm1d: num_features must be a positive int, got 0"),
])
def test_errors_name_the_layer(call, message):
    with pytest.raises(ValueError) as info:
        call()
    assert message in str(info.value)
