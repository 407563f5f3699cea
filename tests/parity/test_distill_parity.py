"""distillation_loss equals the torch expression α·T²·KL(softmax(t/T) ‖ softmax(s/T)) (batchmean) +
(1 − α)·CE(s, y), values and gradients (the teacher's logits get none), on random shapes."""
import numpy as np
import torch
from hypothesis import given, strategies as st

from gradbook.autograd import gradcheck
from gradbook.compress.distill import distillation_loss
import gradbook as gb

from .harness import assert_matches_torch


def _torch_loss(s, t, y, T, alpha):
    t = t.detach()
    soft = torch.nn.functional.kl_div(torch.log_softmax(s / T, 1), torch.softmax(t / T, 1), reduction="batchmean")
    return alpha * T * T * soft + (1 - alpha) * torch.nn.functional.cross_entropy(s, y)


@given(n=st.integers(1, 6), c=st.integers(2, 7), T=st.floats(0.5, 8), alpha=st.floats(0, 1),
       seed=st.integers(0, 10**6))
def test_distillation_loss_matches_torch(n, c, T, alpha, seed):
    rng = np.random.default_rng(seed)
    s, t = rng.standard_normal((n, c)) * 3, rng.standard_normal((n, c)) * 3
    y = rng.integers(0, c, n)
    assert_matches_torch(lambda a, b, y: distillation_loss(a, b, y, T, alpha),
                         lambda a, b, y: _torch_loss(a, b, y, T, alpha), [s, t, y], atol=1e-10, rtol=1e-8)


def test_distillation_loss_gradcheck():
    rng = np.random.default_rng(0)
    s = gb.tensor(rng.standard_normal((4, 5)), requires_grad=True)
    t, y = gb.tensor(rng.standard_normal((4, 5))), gb.tensor(rng.integers(0, 5, 4))
    assert gradcheck(lambda a: distillation_loss(a, t, y, 3.0, 0.7), [s])
