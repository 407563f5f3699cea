"""F.linear and nn.Linear against PyTorch: forward and every gradient on random shapes."""
from __future__ import annotations

import numpy as np
import torch
from hypothesis import given
from hypothesis import strategies as st

import gradbook as gb
from gradbook import nn
from gradbook.nn import functional as F
from parity.harness import assert_matches_torch, random_array


@given(lead=st.lists(st.integers(1, 4), min_size=0, max_size=3), n_in=st.integers(1, 9),
       n_out=st.integers(1, 9), bias=st.booleans(), dtype=st.sampled_from([np.float32, np.float64]),
       seed=st.integers(0, 2**31 - 1))
def test_functional_linear_matches_torch(lead, n_in, n_out, bias, dtype, seed):
    rng = np.random.default_rng(seed)
    args = [random_array(rng, (*lead, n_in), dtype), random_array(rng, (n_out, n_in), dtype)]
    if bias:
        args.append(random_array(rng, (n_out,), dtype))
    tol = 1e-5 if dtype == np.float32 else 1e-12
    assert_matches_torch(F.linear, torch.nn.functional.linear, args, atol=tol, rtol=tol * 10)


def test_linear_module_with_torch_weights_matches_torch_layer():
    ref = torch.nn.Linear(7, 4)
    ours = nn.Linear(7, 4)
    ours.load_state_dict({k: v.detach().numpy() for k, v in ref.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((3, 5, 7)).astype(np.float32)
    xt, xg = torch.tensor(x, requires_grad=True), gb.tensor(x, requires_grad=True)
    v = np.random.default_rng(1).standard_normal((3, 5, 4)).astype(np.float32)
    yt, yg = ref(xt), ours(xg)
    (yt * torch.from_numpy(v)).sum().backward()
    (yg * gb.tensor(v)).sum().backward()
    np.testing.assert_allclose(yg.data, yt.detach().numpy(), atol=1e-5)
    np.testing.assert_allclose(xg.grad.data, xt.grad.numpy(), atol=1e-5)
    np.testing.assert_allclose(ours.weight.grad.data, ref.weight.grad.numpy(), atol=1e-5)
    np.testing.assert_allclose(ours.bias.grad.data, ref.bias.grad.numpy(), atol=1e-5)
    assert repr(ours) == repr(ref)
    assert list(ours.state_dict()) == list(ref.state_dict())


def test_linear_default_init_has_torchs_distribution():
    torch.manual_seed(0)
    ref = torch.nn.Linear(300, 200)
    ours = nn.Linear(300, 200)
    for name in ("weight", "bias"):
        a, b = getattr(ours, name).data, getattr(ref, name).detach().numpy()
        # same support U(-1/√300, 1/√300): the extremes and the spread agree
        assert abs(np.abs(a).max() - np.abs(b).max()) < 0.05 * np.abs(b).max()
        assert abs(a.std() - b.std()) < 6 * b.std() / np.sqrt(2 * b.size)


@given(lead=st.lists(st.integers(0, 3), min_size=0, max_size=3), n_in=st.integers(0, 3), n_out=st.integers(0, 3),
       bias=st.booleans(), seed=st.integers(0, 2**16))
def test_functional_linear_on_empty_sizes_matches_torch(lead, n_in, n_out, bias, seed):
    """PyTorch's own edge cases: an empty batch, no input features (y = b), no output features."""
    rng = np.random.default_rng(seed)
    args = [random_array(rng, (*lead, n_in)), random_array(rng, (n_out, n_in))]
    if bias:
        args.append(random_array(rng, (n_out,)))
    assert_matches_torch(F.linear, torch.nn.functional.linear, args, atol=1e-12)
