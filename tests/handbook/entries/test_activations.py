import math

import numpy as np
import torch

from gradbook import handbook
from gradbook.handbook.entries.activations import FUNCTIONS, derivative


def test_activation_derivatives_match_torch():
    x = np.linspace(-6, 6, 121)
    twins = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu,
             "leaky_relu": lambda t: torch.nn.functional.leaky_relu(t, 0.01),
             "prelu": lambda t: torch.nn.functional.prelu(t, torch.tensor([0.25], dtype=t.dtype)),
             "elu": torch.nn.functional.elu}
    assert set(twins) == set(FUNCTIONS)
    for name, f in twins.items():
        t = torch.tensor(x, requires_grad=True)
        f(t).sum().backward()
        value, grad = derivative(name, x)
        np.testing.assert_allclose(value, f(torch.tensor(x)).numpy(), atol=1e-12)
        np.testing.assert_allclose(grad, t.grad.numpy(), atol=1e-12)


def test_activations_numbers_and_verdicts():
    r = handbook.run("activations", quick=True)
    s0 = 1 / (1 + math.exp(0))
    assert r.numbers["max_sigmoid_grad"] == s0 * (1 - s0) == 0.25   # σ(0)(1 − σ(0)) by hand
    assert r.numbers["max_tanh_grad"] == 1 - math.tanh(0) ** 2 == 1.0
    assert math.isclose(r.numbers["sigmoid_grad_at_5"], math.exp(-5) / (1 + math.exp(-5)) ** 2, rel_tol=1e-12)
    assert math.isclose(r.numbers["elu_grad_at_minus2"], math.exp(-2), rel_tol=1e-12)
    assert math.isclose(r.numbers["sigmoid_grad_10_layers"], 0.25 ** 10)
    # dying ReLU: more dead units at the large learning rate; leaky units always pass α·g back
    assert r.numbers["dead_relu_big_lr"] > r.numbers["dead_relu_small_lr"]
    assert r.numbers["zero_grad_leaky_big_lr"] == 0
    assert r.numbers["observed_ranking"] != "elu > leaky_relu > relu > tanh > sigmoid"
    assert r.verdicts == {"sigmoid-max-grad": "confirmed", "tanh-max-grad": "confirmed", "relu-dies": "confirmed",
                          "leaky-fixes-dying": "depends", "ranking": "contested", "leaky-larger-alpha": "contested"}
