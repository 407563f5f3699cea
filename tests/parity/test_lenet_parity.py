"""Whole networks against PyTorch: PyTorch's initial weights copied in, then 5 steps of SGD with
momentum and 5 of Adam on the same batches; the loss, every gradient and every parameter must
agree to float32 tolerance at every step. A second, small net adds BatchNorm and Dropout: dropout
is compared in eval mode (the two libraries draw different masks), batch norm in training mode,
and its running statistics are compared after the steps."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn as tnn

import gradbook as gb
from gradbook import models, nn, optim
from gradbook.nn import functional as F

LOSS_TOL = dict(rtol=1e-5, atol=1e-6)
GRAD_TOL = dict(rtol=1e-4, atol=2e-6)
PARAM_TOL = dict(rtol=1e-4, atol=2e-6)


class TorchLeNet5(tnn.Module):
    """PyTorch's twin of gradbook.models.LeNet5, with the same module names."""

    def __init__(self, num_classes=10, in_channels=1):
        super().__init__()
        self.features = tnn.Sequential(tnn.Conv2d(in_channels, 6, 5, padding=2), tnn.ReLU(), tnn.MaxPool2d(2),
                                       tnn.Conv2d(6, 16, 5), tnn.ReLU(), tnn.MaxPool2d(2))
        self.flatten = tnn.Flatten()
        self.classifier = tnn.Sequential(tnn.Linear(400, 120), tnn.ReLU(), tnn.Linear(120, 84), tnn.ReLU(),
                                         tnn.Linear(84, num_classes))

    def forward(self, x):
        return self.classifier(self.flatten(self.features(x)))


def _batches(shape, n_classes, count=5, seed=0):
    rng = np.random.default_rng(seed)
    return [(rng.standard_normal((8, *shape)).astype(np.float32), rng.integers(0, n_classes, 8))
            for _ in range(count)]


def _copy_torch_weights(ours, ref):
    ours.load_state_dict({k: v.detach().numpy() for k, v in ref.state_dict().items()})


def _compare_params(ours, ref, what, tol):
    mine = dict(ours.named_parameters())
    for name, q in ref.named_parameters():
        p = mine[name]
        np.testing.assert_allclose(p.data, q.detach().numpy(), **tol, err_msg=f"{what}: {name}")


def _train_side_by_side(ours, ref, gb_opt, th_opt, batches):
    for step, (x, y) in enumerate(batches):
        gb_opt.zero_grad()
        th_opt.zero_grad()
        loss = F.cross_entropy(ours(gb.tensor(x)), gb.tensor(y))
        th_loss = torch.nn.functional.cross_entropy(ref(torch.from_numpy(x)), torch.from_numpy(y))
        loss.backward()
        th_loss.backward()
        np.testing.assert_allclose(loss.item(), th_loss.item(), **LOSS_TOL, err_msg=f"loss at step {step}")
        mine = dict(ours.named_parameters())
        for name, q in ref.named_parameters():
            np.testing.assert_allclose(mine[name].grad.data, q.grad.numpy(), **GRAD_TOL,
                                       err_msg=f"gradient of {name} at step {step}")
        gb_opt.step()
        th_opt.step()
        _compare_params(ours, ref, f"parameter after step {step}", PARAM_TOL)


OPTIMIZERS = {
    "sgd-momentum": (lambda p: optim.SGD(p, lr=0.05, momentum=0.9, weight_decay=1e-4),
                     lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, weight_decay=1e-4)),
    "adam": (lambda p: optim.Adam(p, lr=1e-3), lambda p: torch.optim.Adam(p, lr=1e-3)),
}


@pytest.mark.parametrize("opt_name, dtype", [("sgd-momentum", "float32"), ("adam", "float64")])
def test_lenet5_training_steps_match_torch(opt_name, dtype):
    # Adam in float64: it divides each step by √v, so on a weight whose gradient is near zero
    # float32 rounding (ours and torch's sum in different orders) grows into visible steps
    gb.set_default_dtype(dtype)
    torch.manual_seed(0)
    ref = TorchLeNet5().to(getattr(torch, dtype))
    ours = models.LeNet5()
    assert list(ours.state_dict()) == list(ref.state_dict())
    _copy_torch_weights(ours, ref)
    make_gb, make_th = OPTIMIZERS[opt_name]
    batches = [(x.astype(dtype), y) for x, y in _batches((1, 28, 28), 10)]
    _train_side_by_side(ours, ref, make_gb(ours.parameters()), make_th(ref.parameters()), batches)


def _bn_dropout_nets():
    # no bias right before a batch norm (the usual layout): its exact gradient is zero, so both
    # libraries would hand Adam pure rounding noise, which Adam scales up to ±lr steps
    def build(lib):
        return lib.Sequential(lib.Conv2d(2, 4, 3, padding=1, bias=False), lib.BatchNorm2d(4), lib.ReLU(),
                              lib.MaxPool2d(2), lib.Flatten(), lib.Linear(64, 32, bias=False), lib.BatchNorm1d(32),
                              lib.ReLU(),
                              lib.Dropout(0.5), lib.Linear(32, 5))

    torch.manual_seed(1)
    ref, ours = build(tnn), build(nn)
    assert list(ours.state_dict()) == list(ref.state_dict())
    _copy_torch_weights(ours, ref)
    for net in (ref, ours):
        net.train()
        net[8].eval()  # dropout off: both libraries then compute the same function
    return ours, ref


@pytest.mark.parametrize("opt_name", list(OPTIMIZERS))
def test_batchnorm_dropout_net_training_steps_match_torch(opt_name):
    ours, ref = _bn_dropout_nets()
    make_gb, make_th = OPTIMIZERS[opt_name]
    _train_side_by_side(ours, ref, make_gb(ours.parameters()), make_th(ref.parameters()),
                        _batches((2, 8, 8), 5, seed=3))
    mine = ours.state_dict()
    for key, value in ref.state_dict().items():  # running_mean, running_var, num_batches_tracked too
        np.testing.assert_allclose(mine[key], value.numpy(), **PARAM_TOL, err_msg=f"state {key}")
    assert int(mine["1.num_batches_tracked"]) == 5
    ours.eval()
    ref.eval()
    x = np.random.default_rng(9).standard_normal((6, 2, 8, 8)).astype(np.float32)
    with gb.no_grad(), torch.no_grad():
        np.testing.assert_allclose(ours(gb.tensor(x)).data, ref(torch.from_numpy(x)).numpy(), **PARAM_TOL)
