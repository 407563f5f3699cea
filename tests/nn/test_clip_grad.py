"""clip_grad_norm_ / clip_grad_value_ against torch.nn.utils on the same gradients."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import gradbook as gb
from gradbook.nn.utils import clip_grad_norm_, clip_grad_value_


def _pairs(seed: int, scale: float = 1.0):
    rng = np.random.default_rng(seed)
    grads = [rng.standard_normal(s) * scale for s in [(3, 4), (4,), (2, 2, 2)]]
    gps, tps = [], []
    for g in grads:
        p = gb.zeros(*g.shape, dtype="float64", requires_grad=True)
        p.grad = gb.tensor(g.copy())
        t = torch.zeros(g.shape, dtype=torch.float64, requires_grad=True)
        t.grad = torch.tensor(g.copy())
        gps.append(p), tps.append(t)
    gps.append(gb.zeros(2, requires_grad=True))  # no grad: skipped, as in torch
    tps.append(torch.zeros(2, requires_grad=True))
    return gps, tps


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, math.inf])
@pytest.mark.parametrize("max_norm", [0.5, 1e3])
def test_clip_grad_norm_matches_torch(norm_type, max_norm):
    gps, tps = _pairs(0)
    total = clip_grad_norm_(gps, max_norm, norm_type)
    ttotal = torch.nn.utils.clip_grad_norm_(tps, max_norm, norm_type)
    assert isinstance(total, gb.Tensor)
    np.testing.assert_allclose(float(total.item()), float(ttotal), rtol=1e-12)
    for p, t in zip(gps[:-1], tps[:-1]):
        np.testing.assert_allclose(p.grad.data, t.grad.numpy(), rtol=1e-12)


def test_clip_grad_norm_single_tensor_nonfinite_and_empty():
    p = gb.zeros(3, dtype="float64", requires_grad=True)
    p.grad = gb.tensor([3.0, 4.0, 0.0])
    assert float(clip_grad_norm_(p, 1.0).item()) == pytest.approx(5.0)
    np.testing.assert_allclose(p.grad.data, [3 / (5 + 1e-6), 4 / (5 + 1e-6), 0])
    p.grad = gb.tensor([np.inf, 1.0, 0.0])
    with pytest.raises(RuntimeError, match="non-finite"):
        clip_grad_norm_([p], 1.0, error_if_nonfinite=True)
    assert float(clip_grad_norm_([gb.zeros(2, requires_grad=True)], 1.0).item()) == 0.0


def test_clip_grad_value_matches_torch():
    gps, tps = _pairs(1, scale=2.0)
    assert clip_grad_value_(gps, 0.7) is None
    torch.nn.utils.clip_grad_value_(tps, 0.7)
    for p, t in zip(gps[:-1], tps[:-1]):
        np.testing.assert_array_equal(p.grad.data, t.grad.numpy())
