"""Embedding: lookup, scatter-add backward (gradcheck and torch parity), padding_idx, max_norm,
scale_grad_by_freq, from_pretrained, errors."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import gradbook as gb
import gradbook.nn as nn
from gradbook.autograd import gradcheck
from gradbook.ops.embedding import embedding


def test_gradcheck_with_repeated_indices():
    gb.set_default_dtype("float64")
    w = gb.randn(6, 3, requires_grad=True)
    idx = np.array([[0, 2, 2], [5, 1, 2]])
    assert gradcheck(lambda w: embedding(idx, w), [w])


@given(n=st.integers(1, 8), dim=st.integers(1, 4), shape=st.lists(st.integers(0, 4), min_size=1, max_size=3),
       pad=st.booleans(), scale=st.booleans(), seed=st.integers(0, 1000))
def test_matches_torch(n, dim, shape, pad, scale, seed):
    rng = np.random.default_rng(seed)
    w = rng.standard_normal((n, dim))
    idx = rng.integers(0, n, shape)
    padding_idx = int(rng.integers(0, n)) if pad else None
    g = nn.Embedding(n, dim, padding_idx=padding_idx, scale_grad_by_freq=scale, dtype="float64")
    t = torch.nn.Embedding(n, dim, padding_idx=padding_idx, scale_grad_by_freq=scale).double()
    t.load_state_dict({"weight": torch.tensor(w)})
    g.load_state_dict({"weight": w})
    v = rng.standard_normal((*shape, dim))
    out = g(idx)
    tout = t(torch.tensor(idx))
    np.testing.assert_array_equal(out.data, tout.detach().numpy())
    (out * gb.tensor(v)).sum().backward()
    (tout * torch.tensor(v)).sum().backward()
    np.testing.assert_allclose(g.weight.grad.data, t.weight.grad.numpy(), atol=1e-12)


def test_padding_row_starts_zero_and_max_norm_matches_torch():
    m = nn.Embedding(10, 4, padding_idx=-1)
    assert m.padding_idx == 9 and not m.weight.data[9].any()
    w = np.random.default_rng(0).standard_normal((10, 4)) * 3
    idx = np.array([1, 3, 3, 7])
    for norm_type in (2.0, 1.0):
        g = nn.Embedding(10, 4, max_norm=1.5, norm_type=norm_type, dtype="float64")
        t = torch.nn.Embedding(10, 4, max_norm=1.5, norm_type=norm_type).double()
        g.load_state_dict({"weight": w})
        t.load_state_dict({"weight": torch.tensor(w)})
        np.testing.assert_allclose(g(idx).data, t(torch.tensor(idx)).detach().numpy(), atol=1e-12)
        np.testing.assert_allclose(g.weight.data, t.weight.detach().numpy(), atol=1e-12)  # rows renormed in place


def test_from_pretrained_and_repr():
    w = np.arange(6.0).reshape(3, 2)
    m = nn.Embedding.from_pretrained(w)
    assert not m.weight.requires_grad
    np.testing.assert_array_equal(m(gb.tensor(np.array([2, 0]))).data, w[[2, 0]])
    assert nn.Embedding.from_pretrained(w, freeze=False).weight.requires_grad
    assert repr(nn.Embedding(5, 3, padding_idx=0)) == "Embedding(5, 3, padding_idx=0)"


def test_errors():
    m = nn.Embedding(5, 3)
    with pytest.raises(ValueError, match=r"index 5 is out of range for 5 embeddings"):
        m(np.array([0, 5]))
    with pytest.raises(ValueError, match="integer indices"):
        m(gb.randn(2))
    with pytest.raises(ValueError, match="sparse"):
        nn.Embedding(5, 3, sparse=True)
    with pytest.raises(ValueError, match="padding_idx"):
        nn.Embedding(5, 3, padding_idx=5)
