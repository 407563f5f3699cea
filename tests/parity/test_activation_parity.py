"""Every activation against torch.nn.functional: forward and gradient, random shapes and dtypes."""
import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes

import gradbook as gb
import gradbook.nn as gnn
import gradbook.nn.functional as F
from parity.harness import assert_matches_torch, assert_matches_torch_or_both_raise, random_array
from parity.strategies import edge_shapes

PAIRS = {
    "relu": (F.relu, TF.relu),
    "relu6": (F.relu6, TF.relu6),
    "leaky_relu": (lambda x: F.leaky_relu(x, 0.1), lambda x: TF.leaky_relu(x, 0.1)),
    "elu": (lambda x: F.elu(x, 0.8), lambda x: TF.elu(x, 0.8)),
    "selu": (F.selu, TF.selu),
    "celu": (lambda x: F.celu(x, 1.5), lambda x: TF.celu(x, 1.5)),
    "gelu": (F.gelu, TF.gelu),
    "gelu_tanh": (lambda x: F.gelu(x, approximate="tanh"), lambda x: TF.gelu(x, approximate="tanh")),
    "silu": (F.silu, TF.silu),
    "sigmoid": (F.sigmoid, torch.sigmoid),
    "tanh": (F.tanh, torch.tanh),
    "softplus": (F.softplus, TF.softplus),
    "softplus_args": (lambda x: F.softplus(x, 3.0, 2.0), lambda x: TF.softplus(x, 3.0, 2.0)),
    "logsigmoid": (F.logsigmoid, TF.logsigmoid),
    "softsign": (F.softsign, TF.softsign),
    "hardtanh": (lambda x: F.hardtanh(x, -0.5, 1.5), lambda x: TF.hardtanh(x, -0.5, 1.5)),
    "hardsigmoid": (F.hardsigmoid, TF.hardsigmoid),
    "hardswish": (F.hardswish, TF.hardswish),
}


def _tol(dtype):
    return dict(atol=1e-5, rtol=1e-4) if dtype == np.float32 else dict(atol=1e-10, rtol=1e-9)


@pytest.mark.parametrize("name", sorted(PAIRS))
@given(shape=array_shapes(min_dims=0, max_dims=4, max_side=5), seed=st.integers(0, 2**16),
       dtype=st.sampled_from([np.float32, np.float64]))
def test_activation_matches_torch(name, shape, seed, dtype):
    x = np.asarray(random_array(np.random.default_rng(seed), shape, dtype) * 4, dtype)
    tol = _tol(dtype)
    if name == "hardsigmoid" and dtype == np.float64:
        tol["rtol"] = 1e-7  # PyTorch's backward multiplies by a float32 1/6 even for float64 input
    assert_matches_torch(*PAIRS[name], [x], **tol)


@pytest.mark.parametrize("name", ["softmax", "log_softmax", "softmin"])
@given(shape=array_shapes(min_dims=1, max_dims=4, max_side=5), data=st.data(), seed=st.integers(0, 2**16),
       dtype=st.sampled_from([np.float32, np.float64]), scale=st.sampled_from([1.0, 100.0]))
def test_softmax_family_matches_torch(name, shape, data, seed, dtype, scale):
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    x = (random_array(np.random.default_rng(seed), shape, dtype) * scale).astype(dtype)
    assert_matches_torch(lambda a: getattr(F, name)(a, dim), lambda a: getattr(TF, name)(a, dim), [x], **_tol(dtype))


@given(shape=array_shapes(min_dims=2, max_dims=4, max_side=5), seed=st.integers(0, 2**16),
       shared=st.booleans(), dtype=st.sampled_from([np.float32, np.float64]))
def test_prelu_matches_torch(shape, seed, shared, dtype):
    rng = np.random.default_rng(seed)
    x = random_array(rng, shape, dtype)
    w = rng.uniform(-0.5, 0.5, 1 if shared else shape[1]).astype(dtype)
    assert_matches_torch(F.prelu, TF.prelu, [x, w], **_tol(dtype))


# ----------------------------------------------------------------------------- PyTorch's own edge cases
@pytest.mark.parametrize("name", ["softmax", "log_softmax", "softmin"])
@given(shape=edge_shapes(), data=st.data(), seed=st.integers(0, 2**16))
def test_softmax_family_on_0d_and_empty_tensors_matches_torch(name, shape, data, seed):
    """A 0-d tensor over dim 0 or -1, a size-0 dim normalised over or kept: values and gradients as
    torch's; a dim out of range (dim 1 of a scalar) is refused as torch refuses it."""
    n = max(len(shape), 1)
    dim = data.draw(st.integers(-n - 1, n))
    x = random_array(np.random.default_rng(seed), shape)
    assert_matches_torch_or_both_raise(lambda a: getattr(F, name)(a, dim), lambda a: getattr(TF, name)(a, dim),
                                       [x], op=name, **_tol(np.float64))


@pytest.mark.parametrize("name", sorted(PAIRS))
@given(shape=edge_shapes(), seed=st.integers(0, 2**16))
def test_activation_on_0d_and_empty_tensors_matches_torch(name, shape, seed):
    x = np.asarray(random_array(np.random.default_rng(seed), shape) * 4)
    tol = dict(_tol(np.float64), rtol=1e-7) if name == "hardsigmoid" else _tol(np.float64)
    assert_matches_torch(*PAIRS[name], [x], **tol)


@given(shape=st.one_of(st.just(()), array_shapes(min_dims=1, max_dims=4, min_side=0, max_side=4)),
       seed=st.integers(0, 2**16), weight_shape=st.sampled_from(["0-d", "one", "C"]),
       dtype=st.sampled_from([np.float32, np.float64]))
def test_prelu_with_one_or_c_weights_on_any_input_matches_torch(shape, seed, weight_shape, dtype):
    """One slope (shape (1,) or 0-d) on any input, 0-d and 1-d included; C slopes on dim 1 of an
    (N, C, *) input. Gradients to x and to every slope; torch's refusals met by ours."""
    rng = np.random.default_rng(seed)
    x = random_array(rng, shape, dtype)
    c = shape[1] if len(shape) >= 2 else 3
    w = {"0-d": np.array(0.25), "one": np.array([-0.3]), "C": rng.uniform(-0.5, 0.5, c)}[weight_shape].astype(dtype)
    assert_matches_torch_or_both_raise(F.prelu, TF.prelu, [x, w], op="prelu", **_tol(dtype))


@pytest.mark.parametrize("num_parameters", [1, 3])
@pytest.mark.parametrize("shape", [(2, 3, 4, 4), (2, 3, 5), (4, 3), (3,)])
def test_prelu_layer_weights_get_torchs_gradient(num_parameters, shape):
    rng = np.random.default_rng(num_parameters)
    x = random_array(rng, shape)
    w = rng.uniform(-0.5, 0.5, num_parameters)
    if len(shape) < 2 and num_parameters > 1:
        with pytest.raises(ValueError, match="PReLU"):
            gnn.PReLU(num_parameters)(gb.tensor(x))
        return
    ours, theirs = gnn.PReLU(num_parameters, init=0.1, dtype=np.float64), torch.nn.PReLU(num_parameters).double()
    ours.weight.data[...] = w
    with torch.no_grad():
        theirs.weight.copy_(torch.from_numpy(w))
    assert_matches_torch(ours, theirs, [x], atol=1e-12)  # backward under the same upstream gradient
    np.testing.assert_allclose(ours.weight.grad.data, theirs.weight.grad.numpy(), atol=1e-12)


@pytest.mark.parametrize("name", ["softmax", "log_softmax", "softmin"])
@pytest.mark.parametrize("shape,dim", [((), 0), ((), -1), ((0,), 0), ((2, 0), 1), ((2, 0), 0), ((0, 3), -1),
                                       ((0, 3), 0), ((2, 0, 3), 1), ((), 1), ((0,), -2)])
def test_softmax_family_on_a_scalar_and_on_empty_tensors_matches_torch(name, shape, dim):
    """The listed cases always run (the hypothesis test above draws them at random)."""
    x = random_array(np.random.default_rng(1), shape)
    assert_matches_torch_or_both_raise(lambda a: getattr(F, name)(a, dim), lambda a: getattr(TF, name)(a, dim),
                                       [x], op=name, atol=1e-12)
