"""SeparableConv2d equals torch's depthwise Conv2d (groups = C_in) followed by a pointwise 1x1
Conv2d with the same weights: output, input gradient and every parameter's gradient, on random
shapes, strides, paddings, dilations and depth multipliers."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import gradbook as gb
from gradbook import nn
from parity.harness import assert_layer_matches_torch


class TorchSeparable(torch.nn.Module):
    def __init__(self, cin, cout, kernel, stride, padding, dilation, bias, multiplier, padding_mode="zeros"):
        super().__init__()
        self.depthwise = torch.nn.Conv2d(cin, cin * multiplier, kernel, stride, padding, dilation, groups=cin,
                                         bias=False, padding_mode=padding_mode)
        self.pointwise = torch.nn.Conv2d(cin * multiplier, cout, 1, bias=bias)

    def forward(self, x):
        return self.pointwise(self.depthwise(x))


@st.composite
def separable_cases(draw):
    stride = draw(st.sampled_from([1, 2, (1, 2)]))
    return dict(cin=draw(st.integers(1, 3)), cout=draw(st.integers(1, 4)),
                kernel=draw(st.sampled_from([1, 3, (3, 2)])), stride=stride,
                padding=draw(st.sampled_from([0, 1, (2, 1)] + (["same"] if stride == 1 else []))),
                dilation=draw(st.sampled_from([1, 2])), bias=draw(st.booleans()), multiplier=draw(st.integers(1, 3)),
                padding_mode=draw(st.sampled_from(["zeros", "replicate"])), n=draw(st.integers(1, 2)),
                hw=(draw(st.integers(5, 8)), draw(st.integers(5, 8))), seed=draw(st.integers(0, 2**16)))


@given(separable_cases())
def test_separable_conv2d_matches_torch_depthwise_then_pointwise(c):
    args = (c["cin"], c["cout"], c["kernel"], c["stride"], c["padding"], c["dilation"], c["bias"], c["multiplier"])
    torch.manual_seed(c["seed"])
    t_layer = TorchSeparable(*args, padding_mode=c["padding_mode"]).double()
    g_layer = nn.SeparableConv2d(*args, padding_mode=c["padding_mode"], dtype=np.float64)
    assert list(g_layer.state_dict()) == list(t_layer.state_dict())
    g_layer.load_state_dict({k: v.detach().numpy().copy() for k, v in t_layer.state_dict().items()})
    x = np.random.default_rng(c["seed"]).standard_normal((c["n"], c["cin"], *c["hw"]))
    assert_layer_matches_torch(g_layer, t_layer, x, seed=1)


def test_parameter_names_count_repr_and_initialisation():
    layer = nn.SeparableConv2d(8, 16, 3, padding=1, depth_multiplier=2)
    shapes = {k: v.shape for k, v in layer.state_dict().items()}
    assert shapes == {"depthwise.weight": (16, 1, 3, 3), "pointwise.weight": (16, 16, 1, 1), "pointwise.bias": (16,)}
    assert sum(p.numel() for p in layer.parameters()) == 8 * 2 * 9 + 16 * 16 + 16
    assert sum(p.numel() for p in nn.Conv2d(8, 16, 3).parameters()) == 8 * 16 * 9 + 16
    assert repr(layer).startswith("SeparableConv2d(\n  8, 16, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), "
                                  "depth_multiplier=2\n  (depthwise): Conv2d(8, 16, kernel_size=(3, 3)")
    assert nn.SeparableConv2d(3, 4, 3, bias=False).pointwise.bias is None
    assert layer(gb.randn(2, 8, 6, 6)).shape == (2, 16, 6, 6)
    assert layer(gb.randn(8, 6, 6)).shape == (16, 6, 6)


@pytest.mark.parametrize("call, message", [
    (lambda: nn.SeparableConv2d(3, 4, 3)(gb.randn(1, 2, 6, 6)),
     "SeparableConv2d(3, 4, kernel_size=(3, 3), stride=(1, 1)): expected input with 3 channels, got shape (1, 2, 6, 6)"),
    (lambda: nn.SeparableConv2d(3, 4, 3)(gb.randn(3, 6)), "expected a 3-D or 4-D input"),
    (lambda: nn.SeparableConv2d(3, 4, 3, depth_multiplier=0), "SeparableConv2d: depth_multiplier must be a positive int"),
])
def test_errors_name_the_layer(call, message):
    with pytest.raises(ValueError) as info:
        call()
    assert message in str(info.value)
