"""Every activation against torch.nn.functional: forward and gradient, random shapes and dtypes."""
import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes

import gradbook.nn.functional as F
from parity.harness import assert_matches_torch, random_array

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
