"""conv_output_shape against running gradbook's Conv2d / MaxPool2d (ceil_mode) / ConvTranspose2d
and torch's twins on random geometries."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import assume, given
from hypothesis import strategies as st

import gradbook as gb
import gradbook.nn as nn
from gradbook.analysis import conv_output_shape, conv_transpose_output_shape, pool_output_shape

geometry = dict(h=st.integers(1, 12), w=st.integers(1, 12), k=st.integers(1, 4), s=st.integers(1, 3),
                p=st.integers(0, 2), d=st.integers(1, 2))


@given(**geometry)
def test_conv_matches_running_layers(h, w, k, s, p, d):
    assume((h + 2 * p - d * (k - 1) - 1) >= 0 and (w + 2 * p - d * (k - 1) - 1) >= 0)
    want = tuple(torch.nn.Conv2d(1, 1, k, s, p, d)(torch.zeros(1, 1, h, w)).shape[2:])
    assert conv_output_shape((h, w), k, s, p, d) == want
    assert nn.Conv2d(1, 1, k, s, p, d)(gb.zeros(1, 1, h, w)).shape[2:] == want
    assert conv_output_shape(h, k, s, p, d) == want[0]


@given(ceil_mode=st.booleans(), **geometry)
def test_pool_matches_running_layers(h, w, k, s, p, d, ceil_mode):
    assume(p <= k // 2 and (h + 2 * p - d * (k - 1) - 1) >= 0 and (w + 2 * p - d * (k - 1) - 1) >= 0)
    want = tuple(torch.nn.MaxPool2d(k, s, p, d, ceil_mode=ceil_mode)(torch.zeros(1, 1, h, w)).shape[2:])
    assert conv_output_shape((h, w), k, s, p, d, ceil_mode=ceil_mode) == want
    assert nn.MaxPool2d(k, s, p, d, ceil_mode=ceil_mode)(gb.zeros(1, 1, h, w)).shape[2:] == want


@given(op=st.integers(0, 2), **geometry)
def test_transposed_matches_running_layers(h, w, k, s, p, d, op):
    assume(op < max(s, d))
    try:
        want = tuple(torch.nn.ConvTranspose2d(1, 1, k, s, p, op, dilation=d)(torch.zeros(1, 1, h, w)).shape[2:])
    except RuntimeError:
        assume(False)
    assume(min(want) > 0)
    assert conv_output_shape((h, w), k, s, p, d, transposed=True, output_padding=op) == want
    assert conv_transpose_output_shape((h, w), k, s, p, op, d) == want
    layer = nn.ConvTranspose2d(1, 1, k, s, p, output_padding=op, dilation=d)
    assert layer(gb.zeros(1, 1, h, w)).shape[2:] == want


def test_examples_and_errors():
    assert conv_output_shape(32, 5) == 28
    assert conv_output_shape((224, 224), 7, 2, 3) == (112, 112)
    assert conv_output_shape((17, 9), (3, 1), (2, 1), (1, 0)) == (9, 9)
    assert conv_output_shape(10, 3, padding="same") == 10
    assert pool_output_shape(7, 2) == 3 and pool_output_shape(7, 2, ceil_mode=True) == 4
    with pytest.raises(ValueError, match="too small"):
        conv_output_shape(2, 5)
    with pytest.raises(ValueError, match="same"):
        conv_output_shape(10, 3, stride=2, padding="same")
    with pytest.raises(ValueError, match="kernel_size must be an int or 2 ints"):
        conv_output_shape((4, 4), (3, 3, 3))
    assert np.array(conv_output_shape((8, 8), 1)).tolist() == [8, 8]  # 1x1 conv keeps the size
