"""Pooling layers: PyTorch's repr and results, and errors that name the layer."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import gradbook as gb
from gradbook import nn

CASES = [
    (nn.MaxPool2d(2), torch.nn.MaxPool2d(2)),
    (nn.MaxPool2d(3, 2, 1, dilation=1, ceil_mode=True), torch.nn.MaxPool2d(3, 2, 1, dilation=1, ceil_mode=True)),
    (nn.MaxPool2d((2, 3), (1, 2), (1, 0), dilation=(2, 1)), torch.nn.MaxPool2d((2, 3), (1, 2), (1, 0), dilation=(2, 1))),
    (nn.AvgPool2d(3, 2, 1, count_include_pad=False), torch.nn.AvgPool2d(3, 2, 1, count_include_pad=False)),
    (nn.AvgPool2d(2, ceil_mode=True, divisor_override=3), torch.nn.AvgPool2d(2, ceil_mode=True, divisor_override=3)),
    (nn.AdaptiveAvgPool2d((3, None)), torch.nn.AdaptiveAvgPool2d((3, None))),
    (nn.AdaptiveAvgPool2d(1), torch.nn.AdaptiveAvgPool2d(1)),
    (nn.AdaptiveMaxPool2d((2, 3)), torch.nn.AdaptiveMaxPool2d((2, 3))),
]


@pytest.mark.parametrize("ours, theirs", CASES)
def test_repr_and_results_match_torch(ours, theirs):
    assert repr(ours) == repr(theirs)
    x = np.random.default_rng(0).standard_normal((2, 3, 7, 9)).astype(np.float32)
    xg, xt = gb.tensor(x, requires_grad=True), torch.from_numpy(x).requires_grad_(True)
    yg, yt = ours(xg), theirs(xt)
    np.testing.assert_allclose(yg.data, yt.detach().numpy(), atol=1e-6)
    v = np.random.default_rng(1).standard_normal(yg.shape).astype(np.float32)
    (yg * gb.tensor(v)).sum().backward()
    (yt * torch.from_numpy(v)).sum().backward()
    np.testing.assert_allclose(xg.grad.data, xt.grad.numpy(), atol=1e-6)


def test_return_indices():
    x = np.random.default_rng(0).standard_normal((2, 3, 6, 6)).astype(np.float32)
    y, idx = nn.MaxPool2d(2, return_indices=True)(gb.tensor(x))
    yt, it = torch.nn.MaxPool2d(2, return_indices=True)(torch.from_numpy(x))
    np.testing.assert_array_equal(idx.data, it.numpy())
    assert idx.dtype == np.int64


def test_window_larger_than_padded_input_names_the_layer():
    with pytest.raises(ValueError) as info:
        nn.MaxPool2d(4, padding=1)(gb.randn(1, 2, 1, 1))
    assert str(info.value).startswith("MaxPool2d(kernel_size=4, stride=4, padding=1, dilation=1, ceil_mode=False): "
                                      "the pooling window 4x4 is larger than the padded input 3x3")
    with pytest.raises(ValueError, match=r"^AvgPool2d\(kernel_size=3, stride=3, padding=2\): padding must be"):
        nn.AvgPool2d(3, padding=2)(gb.randn(1, 2, 8, 8))
    with pytest.raises(ValueError, match=r"^AdaptiveAvgPool2d\(output_size=2\): expected a 3-D or 4-D input"):
        nn.AdaptiveAvgPool2d(2)(gb.randn(8, 8))
