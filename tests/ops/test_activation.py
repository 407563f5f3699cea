"""Float64 gradient checks (random upstream gradient) and input errors for every activation."""
import numpy as np
import pytest

import gradbook as gb
import gradbook.nn.functional as F
from gradbook.autograd import gradcheck

KINKS = np.array([-3.0, -1.0, 0.0, 1.0, 3.0, 6.0, 20.0])


def _away_from_kinks(shape, seed, low=-5.0, high=8.0):
    """Uniform draws, each at least 1e-2 from every point where an activation is not differentiable."""
    x = np.random.default_rng(seed).uniform(low, high, shape)
    near = np.abs(x[..., None] - KINKS).min(-1) < 1e-2
    return gb.tensor(np.where(near, x + 0.05, x), dtype="float64", requires_grad=True)


CASES = {
    "relu": lambda x: F.relu(x),
    "relu6": lambda x: F.relu6(x),
    "leaky_relu": lambda x: F.leaky_relu(x, 0.2),
    "elu": lambda x: F.elu(x, 1.3),
    "selu": lambda x: F.selu(x),
    "celu": lambda x: F.celu(x, 0.7),
    "gelu": lambda x: F.gelu(x),
    "gelu_tanh": lambda x: F.gelu(x, approximate="tanh"),
    "silu": lambda x: F.silu(x),
    "sigmoid": lambda x: F.sigmoid(x),
    "tanh": lambda x: F.tanh(x),
    "softplus": lambda x: F.softplus(x),
    "softplus_beta_threshold": lambda x: F.softplus(x, beta=2.0, threshold=5.0),
    "logsigmoid": lambda x: F.logsigmoid(x),
    "softsign": lambda x: F.softsign(x),
    "hardtanh": lambda x: F.hardtanh(x, -2.0, 2.5),
    "hardsigmoid": lambda x: F.hardsigmoid(x),
    "hardswish": lambda x: F.hardswish(x),
    "softmax_dim1": lambda x: F.softmax(x, dim=1),
    "softmax_dim0": lambda x: F.softmax(x, dim=0),
    "log_softmax_last": lambda x: F.log_softmax(x, dim=-1),
    "softmin": lambda x: F.softmin(x, dim=1),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_activation_gradcheck(name):
    assert gradcheck(CASES[name], [_away_from_kinks((3, 4, 2), seed=sorted(CASES).index(name))])


@pytest.mark.parametrize("slopes", [1, 4])
def test_prelu_gradcheck(slopes):
    w = gb.tensor(np.linspace(0.1, 0.5, slopes), dtype="float64", requires_grad=True)
    assert gradcheck(F.prelu, [_away_from_kinks((3, 4, 2), seed=slopes), w])


@pytest.mark.parametrize("x_shape,w_shape", [((), ()), ((5,), (1,)), ((3, 4), (4,)), ((2, 3, 2, 2), ()),
                                             ((0, 3, 2), (3,))])
def test_prelu_gradcheck_on_scalars_vectors_and_0d_weights(x_shape, w_shape):
    """PyTorch's own cases: a 0-d input, a 1-D input with one slope, a 0-d slope, an empty batch."""
    w = gb.tensor(np.full(w_shape, 0.3) + np.arange(int(np.prod(w_shape))).reshape(w_shape) * 0.1,
                  dtype="float64", requires_grad=True)
    x = _away_from_kinks(x_shape, seed=len(x_shape)) if int(np.prod(x_shape)) else gb.tensor(
        np.zeros(x_shape), dtype="float64", requires_grad=True)
    assert gradcheck(F.prelu, [x, w])


def test_softmax_is_stable_for_huge_logits():
    x = gb.tensor([[1000.0, 0.0, -1000.0], [-1e4, -1e4, -1e4]])
    p = F.softmax(x, dim=1).data
    logp = F.log_softmax(x, dim=1).data
    assert np.isfinite(p).all() and np.isfinite(logp).all()
    np.testing.assert_allclose(p.sum(1), 1.0, rtol=1e-6)
    np.testing.assert_allclose(logp[0], [0.0, -1000.0, -2000.0], rtol=1e-6)   # x − max − log Σ e^(x − max)
    np.testing.assert_allclose(p[1], [1 / 3] * 3, rtol=1e-6)


def test_softplus_and_logsigmoid_do_not_overflow():
    x = gb.tensor([-500.0, 500.0], dtype="float64")
    np.testing.assert_allclose(F.softplus(x).data, [np.exp(-500.0), 500.0])   # log1p(e^x) by hand
    np.testing.assert_allclose(F.logsigmoid(x).data, [-500.0, -np.exp(-500.0)])


def test_float32_stays_float32():
    x = gb.randn(3, 4)
    for name, fn in CASES.items():
        assert fn(x).dtype == np.float32, name


def test_softmax_implicit_dim_warns_like_torch():
    with pytest.warns(UserWarning, match="Implicit dimension"):
        y = F.softmax(gb.randn(2, 3))
    np.testing.assert_allclose(y.data.sum(1), 1.0, rtol=1e-6)  # dim 1 for 2-D input, as PyTorch picks


def test_bad_arguments_raise_clear_errors():
    x = gb.randn(2, 3, 4)
    with pytest.raises(ValueError, match="gelu: approximate must be 'none' or 'tanh', got 'fast'"):
        F.gelu(x, approximate="fast")
    with pytest.raises(ValueError, match=r"prelu: weight has 5 slopes.*3 channels|prelu: weight has 5 slopes"):
        F.prelu(x, gb.ones(5))
    with pytest.raises(IndexError, match="softmax: dim 3 is out of range"):
        F.softmax(x, dim=3)
    with pytest.raises(TypeError, match="relu6: expected a floating tensor"):
        F.relu6(gb.tensor([1, 2]))
    with pytest.raises(ValueError, match="hardtanh: min_val"):
        F.hardtanh(x, 2.0, 1.0)
