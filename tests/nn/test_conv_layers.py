"""Conv1d / Conv2d / ConvTranspose2d layers: PyTorch's repr, weight layout, initial distribution,
equality with torch.nn layers given the same weights, and errors that name the layer."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import gradbook as gb
from gradbook import nn

CASES = [
    (nn.Conv2d, torch.nn.Conv2d, (3, 16, 3), {}),
    (nn.Conv2d, torch.nn.Conv2d, (4, 6, (3, 5)), dict(stride=2, padding=(1, 2), dilation=(2, 1), groups=2, bias=False)),
    (nn.Conv2d, torch.nn.Conv2d, (3, 6, 4), dict(padding="same", dilation=2)),
    (nn.Conv1d, torch.nn.Conv1d, (4, 8, 3), dict(stride=2, padding=1, groups=4)),
    (nn.ConvTranspose2d, torch.nn.ConvTranspose2d, (4, 6, 3), dict(stride=2, padding=1, output_padding=1, groups=2)),
]


@pytest.mark.parametrize("ours, theirs, args, kwargs", CASES)
def test_repr_shapes_and_forward_backward_match_torch(ours, theirs, args, kwargs):
    torch.manual_seed(0)
    t = theirs(*args, **kwargs)
    g = ours(*args, **kwargs)
    assert repr(g) == repr(t)
    assert {k: v.shape for k, v in g.state_dict().items()} == {k: tuple(v.shape) for k, v in t.state_dict().items()}
    g.load_state_dict({k: v.numpy() for k, v in t.state_dict().items()})
    spatial = (7,) if ours is nn.Conv1d else (7, 6)
    x = np.random.default_rng(0).standard_normal((2, args[0], *spatial)).astype(np.float32)
    xt = torch.from_numpy(x).requires_grad_(True)
    xg = gb.tensor(x, requires_grad=True)
    yt, yg = t(xt), g(xg)
    np.testing.assert_allclose(yg.data, yt.detach().numpy(), atol=1e-5, rtol=1e-5)
    v = np.random.default_rng(1).standard_normal(yg.shape).astype(np.float32)
    (yg * gb.tensor(v)).sum().backward()
    (yt * torch.from_numpy(v)).sum().backward()
    np.testing.assert_allclose(xg.grad.data, xt.grad.numpy(), atol=1e-4, rtol=1e-4)
    for name, p in t.named_parameters():
        np.testing.assert_allclose(dict(g.named_parameters())[name].grad.data, p.grad.numpy(), atol=1e-4, rtol=1e-4)


@pytest.mark.parametrize("layer, fan_in", [(nn.Conv2d(8, 32, 3, groups=2), 4 * 9),
                                           (nn.ConvTranspose2d(8, 32, 3, groups=2), 16 * 9)])
def test_default_init_is_pytorchs(layer, fan_in):
    # kaiming_uniform_(a=√5) gives U(±1/√fan_in) on the weight; the bias is U(±1/√fan_in) too
    bound = 1 / math.sqrt(fan_in)
    w, b = layer.weight.data, layer.bias.data
    assert w.dtype == b.dtype == np.float32
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.1 * bound / math.sqrt(3)  # the std of U(±a) is a/√3
    assert np.abs(b).max() <= bound


def test_init_follows_the_library_seed():
    gb.manual_seed(3)
    a = nn.Conv2d(3, 4, 3).weight.data.copy()
    gb.manual_seed(3)
    np.testing.assert_array_equal(nn.Conv2d(3, 4, 3).weight.data, a)


def test_wrong_channel_count_names_the_layer():
    layer = nn.Conv2d(3, 16, 3)
    with pytest.raises(ValueError) as info:
        layer(gb.randn(2, 4, 8, 8))
    assert str(info.value).startswith("Conv2d(3, 16, kernel_size=(3, 3), stride=(1, 1)): expected input with 3 "
                                      "channels, got shape (2, 4, 8, 8)")
    with pytest.raises(ValueError, match=r"Conv2d\(3, 16.*\): the kernel .* is larger than the padded input"):
        layer(gb.randn(2, 3, 2, 2))
    with pytest.raises(ValueError, match=r"ConvTranspose2d\(4, 2.*expected input with 4 channels"):
        nn.ConvTranspose2d(4, 2, 3)(gb.randn(1, 3, 5, 5))
    with pytest.raises(ValueError, match=r"Conv1d\(2, 2.*expected a 2-D or 3-D input"):
        nn.Conv1d(2, 2, 3)(gb.randn(1, 2, 5, 5))


@pytest.mark.parametrize("kwargs, message", [
    (dict(groups=2, in_channels=3), "divisible by groups"),
    (dict(padding_mode="reflection"), "padding_mode must be one of 'zeros', 'reflect', 'replicate', 'circular', "
                                      "got 'reflection'"),
    (dict(padding="same", stride=2), "padding='same' is not supported for strided"),
    (dict(kernel_size=(3, 3, 3)), "kernel_size must be an int or a tuple of 2 ints"),
])
def test_bad_constructor_arguments(kwargs, message):
    args = dict(in_channels=4, out_channels=8, kernel_size=3) | kwargs
    with pytest.raises(ValueError) as info:
        nn.Conv2d(**args)
    assert message in str(info.value)


def test_conv_transpose_output_size_picks_output_padding():
    torch.manual_seed(0)
    t = torch.nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1)
    g = nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1)
    g.load_state_dict({k: v.numpy() for k, v in t.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((1, 2, 4, 4)).astype(np.float32)
    want = t(torch.from_numpy(x), output_size=[8, 8]).detach().numpy()
    np.testing.assert_allclose(g(gb.tensor(x), output_size=(8, 8)).data, want, atol=1e-5)
    with pytest.raises(ValueError, match="not reachable"):
        g(gb.tensor(x), output_size=(10, 10))
