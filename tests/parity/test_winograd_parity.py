"""Winograd F(2x2, 3x3) conv2d equals torch.nn.functional.conv2d(padding=1), forward and every
gradient, on random even map sizes and channel counts (the path forced with any channel count),
and conv2d takes it at the shape it is chosen for."""
from __future__ import annotations

import numpy as np
import pytest
import torch.nn.functional as TF
from hypothesis import given
from hypothesis import strategies as st

from gradbook.nn import functional as F
from gradbook.ops.conv import winograd, winograd4
from parity.harness import assert_matches_torch

TOL = {np.float64: dict(atol=1e-10, rtol=1e-9), np.float32: dict(atol=2e-4, rtol=2e-4)}


@given(n=st.integers(1, 3), c=st.integers(1, 6), o=st.integers(1, 6), h=st.integers(1, 6), w=st.integers(1, 6),
       bias=st.booleans(), dtype=st.sampled_from([np.float32, np.float64]), seed=st.integers(0, 2**16))
def test_winograd_conv2d_matches_torch(n, c, o, h, w, bias, dtype, seed):
    rng = np.random.default_rng(seed)
    inputs = [rng.standard_normal((n, c, 2 * h, 2 * w)).astype(dtype), rng.standard_normal((o, c, 3, 3)).astype(dtype)]
    if bias:
        inputs.append(rng.standard_normal(o).astype(dtype))

    def ours(x, weight, b=None):
        return winograd.WinogradConv2d.apply(x, weight, b)

    assert_matches_torch(ours, lambda *a: TF.conv2d(*a, padding=1), inputs, **TOL[dtype])


def test_winograd_one_channel_float32_matches_torch():
    """One channel in float32: the shape that caught NumPy 2.4's float32 np.negative misreading a
    strided view with a length-1 axis (the transforms no longer use it)."""
    rng = np.random.default_rng(0)
    inputs = [rng.standard_normal((1, 1, 2, 4)).astype(np.float32), rng.standard_normal((1, 1, 3, 3)).astype(np.float32)]
    assert_matches_torch(lambda x, w: winograd.WinogradConv2d.apply(x, w, None),
                         lambda *a: TF.conv2d(*a, padding=1), inputs, **TOL[np.float32])


def _benchmark_like_inputs():
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 32, 32, 32)).astype(np.float32)
    w = (rng.standard_normal((40, 32, 3, 3)) / 17).astype(np.float32)
    return [x, w, rng.standard_normal(40).astype(np.float32)]


def test_winograd_at_a_benchmark_like_shape_matches_torch():
    assert winograd.fits((3, 3), (1, 1), (1, 1), 1, (1, 1, 1, 1), (32, 32), 32, 40)
    assert_matches_torch(lambda *a: winograd.WinogradConv2d.apply(*a), lambda *a: TF.conv2d(*a, padding=1),
                         _benchmark_like_inputs(), atol=2e-4, rtol=2e-4)


def test_conv2d_by_winograd4_at_a_benchmark_like_shape_matches_torch():
    """conv2d takes F(4x4, 3x3) here. Its float32 error is about 1e-5 of each result's largest
    magnitude (F(2x2, 3x3): 1e-6); dW sums 2048 products of unit-variance numbers (entries of
    about 45), so its absolute tolerance is 1e-4 of that."""
    assert winograd4.fits((3, 3), (1, 1), (1, 1), 1, (1, 1, 1, 1), (32, 32), 32, 40)
    assert_matches_torch(lambda *a: F.conv2d(*a, padding=1), lambda *a: TF.conv2d(*a, padding=1),
                         _benchmark_like_inputs(), atol=5e-3, rtol=2e-4)


@pytest.mark.parametrize("grad", [(False, True, True), (True, False, True), (False, False, True)])
def test_winograd_partial_gradients_match_torch(grad):
    """A first layer (input without gradient), a frozen weight, or only the bias: the backward
    computes what is asked and it equals torch's."""
    rng = np.random.default_rng(7)
    inputs = [rng.standard_normal((2, 3, 4, 6)), rng.standard_normal((5, 3, 3, 3)), rng.standard_normal(5)]
    assert_matches_torch(lambda x, w, b: winograd.WinogradConv2d.apply(x, w, b),
                         lambda *a: TF.conv2d(*a, padding=1), inputs, grad=grad, **TOL[np.float64])
