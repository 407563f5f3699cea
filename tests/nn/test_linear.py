"""F.linear (gradcheck, composed-from-primitives twin, errors) and the Linear/Identity/Flatten/
Unflatten modules."""
from __future__ import annotations

import math

import numpy as np
import pytest

import gradbook as gb
from gradbook import nn
from gradbook.nn import functional as F


@pytest.mark.parametrize("x_shape", [(5,), (4, 5), (2, 3, 5), (2, 1, 3, 5)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_gradcheck_float64_any_leading_dims(x_shape, bias):
    rng = np.random.default_rng(1)
    x = gb.tensor(rng.standard_normal(x_shape), requires_grad=True)
    w = gb.tensor(rng.standard_normal((3, 5)), requires_grad=True)
    inputs = [x, w] + ([gb.tensor(rng.standard_normal(3), requires_grad=True)] if bias else [])
    assert gb.gradcheck(lambda *a: F.linear(*a), inputs)


def test_linear_equals_the_same_map_from_primitives():
    rng = np.random.default_rng(2)
    xs = rng.standard_normal((2, 4, 6))
    ws, bs = rng.standard_normal((3, 6)), rng.standard_normal(3)
    leaves = [gb.tensor(a, requires_grad=True) for a in (xs, ws, bs)]
    twins = [gb.tensor(a, requires_grad=True) for a in (xs, ws, bs)]
    v = gb.tensor(rng.standard_normal((2, 4, 3)))
    y = F.linear(*leaves)
    (y * v).sum().backward()
    y2 = twins[0] @ twins[1].T + twins[2]
    (y2 * v).sum().backward()
    np.testing.assert_allclose(y.data, y2.data, atol=1e-12)
    for a, b in zip(leaves, twins):
        np.testing.assert_allclose(a.grad.data, b.grad.data, atol=1e-12)


def test_linear_keeps_float32_and_skips_unneeded_grads():
    x = gb.randn(4, 5)
    lin = nn.Linear(5, 3)
    y = lin(x)
    assert y.dtype == np.float32
    y.sum().backward()
    assert x.grad is None and lin.weight.grad.dtype == np.float32 and lin.bias.grad.shape == (3,)


def test_linear_functional_errors_name_the_function_and_shapes():
    with pytest.raises(ValueError, match=r"linear: .*\(4, 6\).*\(3, 5\)"):
        F.linear(gb.randn(4, 6), gb.randn(3, 5))
    with pytest.raises(ValueError, match="weight must be 2-D"):
        F.linear(gb.randn(4, 5), gb.randn(5))
    with pytest.raises(ValueError, match=r"bias must have shape \(3,\)"):
        F.linear(gb.randn(4, 5), gb.randn(3, 5), gb.randn(4))


def test_linear_module_wrong_feature_size_names_the_layer():
    lin = nn.Linear(20, 5)
    with pytest.raises(ValueError) as info:
        lin(gb.randn(4, 10))
    msg = str(info.value)
    assert msg.startswith("Linear(in_features=20, out_features=5")
    assert "last dimension 20" in msg and "(4, 10)" in msg
    with pytest.raises(ValueError, match=r"Linear\(in_features=20"):
        lin(gb.tensor(3.0))


def test_linear_module_parameters_repr_and_default_init_bounds():
    lin = nn.Linear(50, 40)
    assert [n for n, _ in lin.named_parameters()] == ["weight", "bias"]
    assert lin.weight.shape == (40, 50) and lin.weight.dtype == np.float32
    assert repr(lin) == "Linear(in_features=50, out_features=40, bias=True)"
    bound = 1 / math.sqrt(50)  # kaiming_uniform_(a=√5) gives exactly U(-1/√in, 1/√in)
    for p in (lin.weight, lin.bias):
        assert np.abs(p.data).max() <= bound
    assert np.abs(lin.weight.data).max() > 0.9 * bound
    # U(-b, b) has std b/√3; 2,000 draws put the sample std within a few percent
    assert abs(lin.weight.data.std() - bound / math.sqrt(3)) < 0.05 * bound / math.sqrt(3)
    nob = nn.Linear(3, 2, bias=False, dtype=np.float64)
    assert nob.bias is None and len(list(nob.parameters())) == 1 and nob.weight.dtype == np.float64
    assert "bias=False" in repr(nob)
    with pytest.raises(ValueError, match="in_features"):
        nn.Linear(-1, 3)


def test_linear_init_is_reproducible_under_manual_seed():
    gb.manual_seed(5)
    a = nn.Linear(4, 3)
    gb.manual_seed(5)
    b = nn.Linear(4, 3)
    assert np.array_equal(a.weight.data, b.weight.data) and np.array_equal(a.bias.data, b.bias.data)


def test_identity_flatten_unflatten():
    x = gb.randn(2, 3, 4, 5, requires_grad=True)
    assert nn.Identity(7, foo=1)(x) is x
    y = nn.Flatten()(x)
    assert y.shape == (2, 60)
    assert nn.Flatten(0, 2)(x).shape == (24, 5)
    assert nn.Flatten(-2)(x).shape == (2, 3, 20)
    z = nn.Unflatten(1, (3, 20))(y)
    assert z.shape == (2, 3, 20)
    assert nn.Unflatten(-1, (-1, 5))(y).shape == (2, 12, 5)
    z.sum().backward()
    assert x.grad.shape == x.shape and np.all(x.grad.data == 1)
    assert repr(nn.Flatten()) == "Flatten(start_dim=1, end_dim=-1)"
    assert repr(nn.Unflatten(1, (3, 20))) == "Unflatten(dim=1, unflattened_size=(3, 20))"
    with pytest.raises(ValueError, match=r"Unflatten\(dim=1, unflattened_size=\(7, 3\)\).*\(2, 60\)"):
        nn.Unflatten(1, (7, 3))(y)
    with pytest.raises(ValueError, match=r"Flatten\(start_dim=1, end_dim=-1\).*out of range"):
        nn.Flatten()(gb.randn(5))
