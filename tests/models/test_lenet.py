"""LeNet5: structure, parameter count (from the layer formulas), shapes, errors, and a forward
pass equal to the same PyTorch network."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import gradbook as gb
from gradbook import models, nn


def _count(c_in, c_out, k):  # conv: weights + biases
    return c_out * c_in * k * k + c_out


def test_parameter_count_is_61706():
    expected = (_count(1, 6, 5) + _count(6, 16, 5) + 400 * 120 + 120 + 120 * 84 + 84 + 84 * 10 + 10)
    assert expected == 61706
    assert sum(p.numel() for p in models.LeNet5().parameters()) == expected
    three = sum(p.numel() for p in models.LeNet5(num_classes=5, in_channels=3).parameters())
    assert three == expected + 2 * 6 * 25 - 5 * 84 - 5


def test_structure_and_output_shape():
    net = models.LeNet5()
    assert isinstance(net.features[0], nn.Conv2d) and isinstance(net.features[2], nn.MaxPool2d)
    assert [type(m).__name__ for m in net.classifier] == ["Linear", "ReLU", "Linear", "ReLU", "Linear"]
    y = net(gb.randn(3, 1, 28, 28))
    assert y.shape == (3, 10) and y.dtype == np.float32
    y.sum().backward()
    assert all(p.grad is not None and p.grad.shape == p.shape for p in net.parameters())
    assert models.LeNet5(num_classes=4, in_channels=3)(gb.randn(2, 3, 28, 28)).shape == (2, 4)


def test_forward_equals_torch_with_copied_weights():
    from parity.test_lenet_parity import TorchLeNet5

    torch.manual_seed(3)
    ref = TorchLeNet5(num_classes=7, in_channels=2)
    net = models.LeNet5(num_classes=7, in_channels=2)
    net.load_state_dict({k: v.detach().numpy() for k, v in ref.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((4, 2, 28, 28)).astype(np.float32)
    with torch.no_grad():
        np.testing.assert_allclose(net(gb.tensor(x)).data, ref(torch.from_numpy(x)).numpy(), rtol=1e-4, atol=1e-5)


def test_bad_input_names_the_model():
    net = models.LeNet5()
    with pytest.raises(ValueError, match=r"LeNet5\(num_classes=10, in_channels=1\): expected input with 1 channels"
                                         r".*\(2, 3, 28, 28\)"):
        net(gb.randn(2, 3, 28, 28))
    with pytest.raises(ValueError, match=r"LeNet5.*28x28.*\(2, 1, 32, 32\)"):
        net(gb.randn(2, 1, 32, 32))
    with pytest.raises(ValueError, match=r"LeNet5.*4-D.*\(1, 28, 28\)"):
        net(gb.randn(1, 28, 28))
    with pytest.raises(ValueError, match="positive"):
        models.LeNet5(num_classes=0)
