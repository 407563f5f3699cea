"""Normalisation layers: PyTorch's defaults, reprs and state_dict keys, train/eval behaviour,
running statistics equal to PyTorch's over many steps, and bad-input errors naming the layer."""
import numpy as np
import pytest
import torch

import gradbook as gb
from gradbook import nn

PAIRS = [
    (lambda m: m.BatchNorm1d(5), (6, 5)),
    (lambda m: m.BatchNorm1d(5, momentum=None), (6, 5, 3)),
    (lambda m: m.BatchNorm2d(3, eps=1e-3, momentum=0.3), (4, 3, 5, 5)),
    (lambda m: m.BatchNorm2d(3, affine=False), (4, 3, 2, 2)),
    (lambda m: m.BatchNorm2d(3, track_running_stats=False), (4, 3, 2, 2)),
    (lambda m: m.BatchNorm3d(2), (3, 2, 2, 2, 2)),
    (lambda m: m.LayerNorm((4, 3)), (2, 5, 4, 3)),
    (lambda m: m.LayerNorm(3, elementwise_affine=False), (2, 3)),
    (lambda m: m.LayerNorm(3, bias=False), (2, 3)),
    (lambda m: m.GroupNorm(2, 6), (3, 6, 2, 2)),
    (lambda m: m.InstanceNorm2d(3), (2, 3, 4, 4)),
    (lambda m: m.InstanceNorm2d(3, affine=True, track_running_stats=True), (2, 3, 4, 4)),
    (lambda m: m.InstanceNorm2d(3), (3, 4, 4)),
    (lambda m: m.InstanceNorm1d(3, track_running_stats=True, momentum=0.5), (2, 3, 6)),
    (lambda m: m.LocalResponseNorm(3, alpha=0.1), (2, 5, 3, 3)),
]


def _load_from_torch(ours, theirs):
    rng = np.random.default_rng(0)
    state = {k: v.detach().numpy().copy() for k, v in theirs.state_dict().items()}
    for k, v in state.items():   # non-trivial affine parameters on both sides
        if k in ("weight", "bias"):
            v[...] = rng.standard_normal(v.shape)
            theirs.state_dict()[k].copy_(torch.from_numpy(v))
    ours.load_state_dict(state)


@pytest.mark.parametrize("make, shape", PAIRS)
def test_layer_matches_torch_over_train_and_eval_steps(make, shape):
    ours, theirs = make(nn), make(torch.nn).double()
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours.double()
    _load_from_torch(ours, theirs)
    rng = np.random.default_rng(1)
    for step in range(12):
        train = step < 9
        ours.train(train), theirs.train(train)
        x = rng.standard_normal(shape) * (step + 1) + step
        gx, tx = gb.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        y, ty = ours(gx), theirs(tx)
        np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-8, atol=1e-9)
        g = rng.standard_normal(y.shape)
        y.backward(g), ty.backward(torch.from_numpy(g))
        np.testing.assert_allclose(gx.grad.data, tx.grad.numpy(), rtol=1e-7, atol=1e-8)
        for name, p in theirs.named_parameters():
            np.testing.assert_allclose(ours.get_parameter(name).grad.data, p.grad.numpy(), rtol=1e-7, atol=1e-8)
            p.grad = None
        ours.zero_grad()
        for k, v in theirs.state_dict().items():
            np.testing.assert_allclose(ours.state_dict()[k], v.numpy(), rtol=1e-10, atol=1e-10, err_msg=k)


def test_batchnorm_defaults_and_buffers():
    bn = nn.BatchNorm2d(4)
    assert (bn.eps, bn.momentum, bn.affine, bn.track_running_stats) == (1e-5, 0.1, True, True)
    assert bn.weight.dtype == np.float32 and (bn.weight.data == 1).all() and (bn.bias.data == 0).all()
    assert (bn.running_mean.data == 0).all() and (bn.running_var.data == 1).all()
    assert bn.num_batches_tracked.dtype == np.int64 and int(bn.num_batches_tracked.data) == 0
    bn(gb.randn(2, 4, 3, 3))
    bn(gb.randn(2, 4, 3, 3))
    assert int(bn.num_batches_tracked.data) == 2 and bn.running_mean.dtype == np.float32
    bn.eval()
    x = gb.randn(2, 4, 3, 3)
    want = ((x.data - bn.running_mean.data[:, None, None]) / np.sqrt(bn.running_var.data[:, None, None] + 1e-5))
    np.testing.assert_allclose(bn(x).data, want, rtol=1e-5, atol=1e-6)   # eval: running statistics
    assert int(bn.num_batches_tracked.data) == 2
    assert {n for n, _ in bn.named_buffers()} == {"running_mean", "running_var", "num_batches_tracked"}


def test_instance_norm_defaults():
    m = nn.InstanceNorm2d(3)
    assert not m.affine and not m.track_running_stats and m.weight is None and m.running_mean is None
    assert list(m.parameters()) == []


def test_bad_input_names_the_layer():
    bn = nn.BatchNorm2d(16)
    with pytest.raises(ValueError, match=r"^BatchNorm2d\(16, eps=1e-05, momentum=0.1, affine=True, bias=True, "
                                         r"track_running_stats=True\): expected input with 16 channels, got shape \(2, 3, 4, 4\)"):
        bn(gb.randn(2, 3, 4, 4))
    with pytest.raises(ValueError, match=r"BatchNorm2d\(16.*expected a 4-D input"):
        bn(gb.randn(16, 4, 4))
    with pytest.raises(ValueError, match=r"BatchNorm1d\(3.*expected a 2-D or 3-D input"):
        nn.BatchNorm1d(3)(gb.randn(2, 3, 4, 4))
    with pytest.raises(ValueError, match=r"LayerNorm\(\(4,\).*expected input with trailing dimensions \(4,\), got shape \(2, 5\)"):
        nn.LayerNorm(4)(gb.randn(2, 5))
    with pytest.raises(ValueError, match=r"GroupNorm\(2, 6.*expected input with 6 channels, got shape \(2, 4, 3\)"):
        nn.GroupNorm(2, 6)(gb.randn(2, 4, 3))
    with pytest.raises(ValueError, match=r"GroupNorm: num_channels \(5\) must be divisible by num_groups \(2\)"):
        nn.GroupNorm(2, 5)
    with pytest.raises(ValueError, match=r"InstanceNorm2d\(3.*expected input with 3 channels"):
        nn.InstanceNorm2d(3, affine=True)(gb.randn(2, 4, 3, 3))
    with pytest.raises(ValueError, match="num_features must be a positive int"):
        nn.BatchNorm2d(0)
    with pytest.raises(ValueError, match="expected more than 1 value per channel"):
        nn.BatchNorm1d(3)(gb.randn(1, 3))
