"""``F.sigmoid_focal_loss`` against torchvision's formula written in torch (``import torchvision``
fails in this environment, so the twin is its five lines of torch): forward and the gradients of
logits and (soft) targets, random shapes, α (including α < 0: off), γ and every reduction."""
import numpy as np
import torch
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes

import gradbook.nn.functional as F
from parity.harness import assert_matches_torch, random_array


def torchvision_sigmoid_focal_loss(inputs, targets, alpha=0.25, gamma=2.0, reduction="none"):
    """torchvision.ops.sigmoid_focal_loss's formula (Lin et al. 2017), in torch."""
    p = torch.sigmoid(inputs)
    ce = torch.nn.functional.binary_cross_entropy_with_logits(inputs, targets, reduction="none")
    p_t = p * targets + (1 - p) * (1 - targets)
    loss = ce * ((1 - p_t) ** gamma)
    if alpha >= 0:
        loss = (alpha * targets + (1 - alpha) * (1 - targets)) * loss
    return {"none": loss, "mean": loss.mean(), "sum": loss.sum()}[reduction]


@given(shape=array_shapes(min_dims=1, max_dims=4, max_side=5), seed=st.integers(0, 2**16),
       alpha=st.sampled_from([0.25, 0.5, 0.9, -1.0]), gamma=st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.5]),
       reduction=st.sampled_from(["none", "mean", "sum"]), soft=st.booleans(),
       dtype=st.sampled_from([np.float32, np.float64]))
def test_sigmoid_focal_loss_matches_torchvision_formula(shape, seed, alpha, gamma, reduction, soft, dtype):
    rng = np.random.default_rng(seed)
    x = (random_array(rng, shape, dtype) * 3).astype(dtype)
    t = (rng.random(shape) if soft else rng.integers(0, 2, shape)).astype(dtype)
    tol = dict(atol=1e-5, rtol=1e-4) if dtype == np.float32 else dict(atol=1e-10, rtol=1e-9)
    assert_matches_torch(lambda x, t: F.sigmoid_focal_loss(x, t, alpha, gamma, reduction),
                         lambda x, t: torchvision_sigmoid_focal_loss(x, t, alpha, gamma, reduction),
                         [x, t], grad=[True, soft], **tol)
