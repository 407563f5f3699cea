"""Activation and dropout layers: the same repr, defaults and results as PyTorch's modules, and
PReLU's parameter, gradient and bad input."""
import numpy as np
import pytest
import torch

import gradbook as gb
from gradbook import nn

MAKERS = [
    lambda m: m.ReLU(), lambda m: m.ReLU(inplace=True), lambda m: m.ReLU6(), lambda m: m.LeakyReLU(),
    lambda m: m.LeakyReLU(0.2, inplace=True), lambda m: m.ELU(), lambda m: m.ELU(0.5), lambda m: m.SELU(),
    lambda m: m.CELU(1.5), lambda m: m.GELU(), lambda m: m.GELU("tanh"), lambda m: m.SiLU(), lambda m: m.Sigmoid(),
    lambda m: m.Tanh(), lambda m: m.Softplus(), lambda m: m.Softplus(2.0, 5.0), lambda m: m.Softsign(),
    lambda m: m.Hardtanh(), lambda m: m.Hardtanh(-2.0, 3.0), lambda m: m.Hardsigmoid(), lambda m: m.Hardswish(),
    lambda m: m.LogSigmoid(), lambda m: m.Softmax(dim=1), lambda m: m.LogSoftmax(dim=-1), lambda m: m.Softmin(dim=0),
    lambda m: m.PReLU(), lambda m: m.PReLU(3, init=0.1),
]


@pytest.mark.parametrize("make", MAKERS)
def test_activation_layer_matches_torch(make):
    ours, theirs = make(nn), make(torch.nn)
    assert repr(ours) == repr(theirs)
    x = np.random.default_rng(0).standard_normal((4, 3, 5)).astype(np.float32) * 3
    np.testing.assert_allclose(ours(gb.tensor(x)).data, theirs(torch.from_numpy(x.copy())).detach().numpy(),
                               rtol=1e-5, atol=1e-6)


def test_prelu_parameter_and_gradient():
    m = nn.PReLU(3, init=0.1)
    assert m.weight.shape == (3,) and np.allclose(m.weight.data, 0.1) and m.weight.dtype == np.float32
    assert [n for n, _ in m.named_parameters()] == ["weight"]
    x = gb.tensor(np.array([[[-1.0, 2.0], [-3.0, 4.0], [5.0, -6.0]]], np.float32))
    m(x).sum().backward()
    np.testing.assert_allclose(m.weight.grad.data, [-1.0, -3.0, -6.0])   # Σ x over x ≤ 0 per channel, by hand


def test_prelu_bad_input_names_the_layer():
    with pytest.raises(ValueError, match=r"PReLU\(num_parameters=3\): expected input with 3 channels in dimension 1, got shape \(2, 4\)"):
        nn.PReLU(3)(gb.randn(2, 4))
    with pytest.raises(ValueError, match="GELU: approximate must be"):
        nn.GELU("fast")


def test_dropout_layers_train_and_eval():
    for make in (lambda m: m.Dropout(), lambda m: m.Dropout(0.2), lambda m: m.Dropout2d(0.3), lambda m: m.Dropout1d(),
                 lambda m: m.AlphaDropout(0.1)):
        assert repr(make(nn)) == repr(make(torch.nn))
    d = nn.Dropout(0.25)
    x = gb.ones(100, 100)
    y = d(x).data
    assert abs((y != 0).mean() - 0.75) < 0.03 and np.allclose(y[y != 0], 1 / 0.75)
    d.eval()
    assert d(x) is x
    d2 = nn.Dropout2d(0.5).eval()
    assert d2(gb.randn(2, 3, 4, 4)).shape == (2, 3, 4, 4)


def test_dropout_layers_reproducible_and_bad_input():
    d = nn.Dropout(0.5)
    gb.manual_seed(3)
    a = d(gb.ones(8, 8)).data
    gb.manual_seed(3)
    np.testing.assert_array_equal(a, d(gb.ones(8, 8)).data)
    with pytest.raises(ValueError, match="Dropout: dropout probability has to be between 0 and 1, but got -0.1"):
        nn.Dropout(-0.1)
    with pytest.raises(ValueError, match=r"Dropout2d\(p=0.5, inplace=False\): expected a 3-D or 4-D input"):
        nn.Dropout2d()(gb.randn(4, 5))
