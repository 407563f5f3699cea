"""Loss layers: PyTorch's reprs, defaults, buffers and values; errors prefixed with the layer."""
import numpy as np
import pytest
import torch

import gradbook as gb
from gradbook import nn

pytestmark = pytest.mark.filterwarnings("ignore:size_average and reduce args:UserWarning")

RNG = np.random.default_rng(0)
X = RNG.standard_normal((6, 4)).astype(np.float32)
T = RNG.integers(0, 4, 6)
Y = RNG.random((6, 4)).astype(np.float32)
W = (RNG.random(4) + 0.5).astype(np.float32)

CASES = [  # (maker, input, target)
    (lambda m, w: m.CrossEntropyLoss(), X, T),
    (lambda m, w: m.CrossEntropyLoss(weight=w(W), ignore_index=2, label_smoothing=0.1), X, T),
    (lambda m, w: m.CrossEntropyLoss(reduction="sum"), X, Y),
    (lambda m, w: m.NLLLoss(weight=w(W), reduction="none"), X, T),
    (lambda m, w: m.MultiMarginLoss(p=2, margin=0.5, weight=w(W)), X, T),
    (lambda m, w: m.MSELoss(), X, Y),
    (lambda m, w: m.L1Loss(reduction="sum"), X, Y),
    (lambda m, w: m.SmoothL1Loss(beta=0.5), X, Y),
    (lambda m, w: m.HuberLoss(delta=0.3), X, Y),
    (lambda m, w: m.BCELoss(weight=w(W)), 1 / (1 + np.exp(-X)), Y),
    (lambda m, w: m.BCEWithLogitsLoss(pos_weight=w(W)), X, Y),
    (lambda m, w: m.KLDivLoss(reduction="batchmean"), X, Y),
    (lambda m, w: m.KLDivLoss(reduction="sum", log_target=True), X, Y),
    (lambda m, w: m.MSELoss(size_average=False), X, Y),
]


@pytest.mark.parametrize("make, x, t", CASES)
def test_loss_layer_matches_torch(make, x, t):
    ours, theirs = make(nn, gb.tensor), make(torch.nn, torch.from_numpy)
    assert repr(ours) == repr(theirs)
    assert ours.reduction == theirs.reduction
    assert list(ours.state_dict()) == list(theirs.state_dict())
    gx, tx = gb.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, tout = ours(gx, gb.tensor(t)), theirs(tx, torch.from_numpy(t))
    np.testing.assert_allclose(out.data, tout.detach().numpy(), rtol=1e-5, atol=1e-6)
    out.sum().backward(), tout.sum().backward()
    np.testing.assert_allclose(gx.grad.data, tx.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_defaults():
    ce = nn.CrossEntropyLoss()
    assert (ce.weight, ce.ignore_index, ce.reduction, ce.label_smoothing) == (None, -100, "mean", 0.0)
    assert nn.KLDivLoss().log_target is False and nn.SmoothL1Loss().beta == 1.0 and nn.HuberLoss().delta == 1.0
    mm = nn.MultiMarginLoss()
    assert (mm.p, mm.margin) == (1, 1.0)


def test_errors_name_the_layer_classes_and_value():
    with pytest.raises(ValueError, match=r"^CrossEntropyLoss\(\): cross_entropy: target 7 is out of range for 4 classes"):
        nn.CrossEntropyLoss()(gb.tensor(X), gb.tensor([0, 1, 7, 2, 0, 1]))
    with pytest.raises(ValueError, match=r"^NLLLoss\(\): nll_loss: target -3 is out of range for 4 classes"):
        nn.NLLLoss()(gb.tensor(X), gb.tensor([0, 1, -3, 2, 0, 1]))
    with pytest.raises(ValueError, match=r"^MSELoss\(\): mse_loss: target shape \(5,\) cannot be broadcast to input shape \(6, 4\)"):
        nn.MSELoss()(gb.tensor(X), gb.randn(5))
    with pytest.raises(ValueError, match="reduction must be one of"):
        nn.L1Loss(reduction="average")
    with pytest.raises(ValueError, match="MultiMarginLoss: only p=1 and p=2 are supported, got p=3"):
        nn.MultiMarginLoss(p=3)
