"""MLP: layer layout, activations, dropout placement and modes, flattening, errors, and a forward
and backward pass equal to the same PyTorch Sequential."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import gradbook as gb
from gradbook import models, nn


def test_layout_and_parameter_count():
    m = models.MLP([10, 8, 6, 3])
    assert [type(l).__name__ for l in m] == ["Linear", "ReLU", "Linear", "ReLU", "Linear"]
    assert sum(p.numel() for p in m.parameters()) == 10 * 8 + 8 + 8 * 6 + 6 + 6 * 3 + 3
    assert list(m.state_dict())[:2] == ["0.weight", "0.bias"]
    d = models.MLP([10, 8, 3], activation="tanh", dropout=0.3)
    assert [type(l).__name__ for l in d] == ["Linear", "Tanh", "Dropout", "Linear"]
    assert d[2].p == 0.3
    assert [type(l).__name__ for l in models.MLP([4, 2])] == ["Linear"]


def test_matches_torch_sequential_forward_and_backward():
    torch.manual_seed(0)
    ref = torch.nn.Sequential(torch.nn.Linear(12, 7), torch.nn.Sigmoid(), torch.nn.Linear(7, 4))
    m = models.MLP([12, 7, 4], activation="sigmoid")
    m.load_state_dict({k: v.detach().numpy() for k, v in ref.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((5, 3, 4)).astype(np.float32)  # flattened to (5, 12)
    y = m(gb.tensor(x))
    yt = ref(torch.from_numpy(x).flatten(1))
    np.testing.assert_allclose(y.data, yt.detach().numpy(), rtol=1e-5, atol=1e-6)
    y.sum().backward()
    yt.sum().backward()
    for (name, p), q in zip(m.named_parameters(), ref.parameters()):
        np.testing.assert_allclose(p.grad.data, q.grad.numpy(), rtol=1e-5, atol=1e-6, err_msg=name)


def test_dropout_is_active_only_in_training():
    m = models.MLP([50, 200, 2], dropout=0.5)
    x = gb.ones(4, 50)
    gb.manual_seed(1)
    pre = m[1](m[0](x)).data
    post = m[2](gb.tensor(pre)).data
    alive = pre > 0
    dropped = float((post[alive] == 0).mean())
    assert 0.4 < dropped < 0.6  # p = 0.5 over ~400 live units
    kept = alive & (post != 0)
    np.testing.assert_allclose(post[kept], 2 * pre[kept], rtol=1e-6)  # inverted dropout: 1/(1-p)
    m.eval()
    a, b = m(x), m(x)
    assert np.array_equal(a.data, b.data)


def test_activation_by_class_and_errors():
    m = models.MLP([3, 4, 2], activation=nn.Identity)
    assert isinstance(m[1], nn.Identity)
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        models.MLP([3, 4, 2], activation="swish")
    with pytest.raises(ValueError, match="sizes"):
        models.MLP([3])
    with pytest.raises(ValueError, match="dropout"):
        models.MLP([3, 2], dropout=1.0)
    with pytest.raises(ValueError, match=r"MLP.*expected input with 3 features.*\(2, 5\)"):
        m(gb.randn(2, 5))
