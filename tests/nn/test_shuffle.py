"""ChannelShuffle / channel_shuffle: equal to torch's (forward and gradient, random shapes), the
permutation written out by hand, a float64 gradient check, and clear errors."""
import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import gradbook as gb
from gradbook import nn
from gradbook.nn import functional as F
from parity.harness import assert_matches_torch


@given(n=st.integers(1, 3), groups=st.integers(1, 4), per_group=st.integers(1, 4),
       spatial=st.lists(st.integers(1, 4), min_size=1, max_size=2), seed=st.integers(0, 2**16))
def test_channel_shuffle_matches_torch(n, groups, per_group, spatial, seed):
    x = np.random.default_rng(seed).standard_normal((n, groups * per_group, *spatial))
    assert_matches_torch(nn.ChannelShuffle(groups), torch.nn.ChannelShuffle(groups), [x], atol=0, rtol=0)


def test_channel_shuffle_moves_channel_g_k_to_k_g():
    """Channel g·(C/G) + k lands at k·G + g: with 3 groups of 2, (0 1 | 2 3 | 4 5) → (0 2 4 1 3 5)."""
    x = np.arange(6.0).reshape(1, 6, 1, 1) * np.ones((1, 1, 2, 2))
    out = F.channel_shuffle(gb.tensor(x), 3).numpy()
    np.testing.assert_array_equal(out[0, :, 0, 0], [0, 2, 4, 1, 3, 5])


def test_channel_shuffle_gradcheck():
    x = gb.tensor(np.random.default_rng(1).standard_normal((2, 6, 3, 2)), requires_grad=True)
    assert gb.gradcheck(lambda t: F.channel_shuffle(t, 2), [x])


@pytest.mark.parametrize("make, shape, match", [
    (lambda: nn.ChannelShuffle(4), (1, 6, 2, 2), r"ChannelShuffle\(groups=4\): the 6 channels .* do not split into 4"),
    (lambda: nn.ChannelShuffle(2), (6, 4), r"ChannelShuffle\(groups=2\): expected an input of shape \(N, C, \*\)"),
])
def test_channel_shuffle_bad_input(make, shape, match):
    with pytest.raises(ValueError, match=match):
        make()(gb.tensor(np.zeros(shape)))


@pytest.mark.parametrize("groups", [0, 2.0, True])
def test_channel_shuffle_bad_groups(groups):
    with pytest.raises(ValueError, match="groups must be a positive int"):
        nn.ChannelShuffle(groups)
    with pytest.raises(ValueError, match="channel_shuffle: groups must be a positive int"):
        F.channel_shuffle(gb.tensor(np.zeros((1, 2, 2))), groups)
