"""Binary layers: forward values as the papers define them (α = mean|W| per filter, XNOR's K),
the straight-through gradient with its |x| <= 1 clipping against a torch twin written from the
formula, and a binarised net that trains."""
import numpy as np
import pytest
import torch

import gradbook as gb
from gradbook import nn, optim
from gradbook.compress import binary
from gradbook.nn import functional as F


class TorchSignSTE(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return torch.where(x >= 0, 1.0, -1.0).to(x.dtype)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * (x.abs() <= 1).to(g.dtype)


def test_sign_ste_values_and_clipped_gradient():
    x = gb.tensor(np.array([-2.0, -1.0, -0.5, 0.0, 0.3, 1.0, 1.5]), requires_grad=True)
    y = binary.sign_ste(x)
    assert y.data.tolist() == [-1, -1, -1, 1, 1, 1, 1]
    g = np.arange(1.0, 8.0)
    (y * gb.tensor(g)).sum().backward()
    assert x.grad.data.tolist() == [0, 2, 3, 4, 5, 6, 0]


@pytest.mark.parametrize("mode", binary.MODES)
def test_binary_linear_forward_and_gradients_match_the_torch_formula(mode):
    rng = np.random.default_rng(0)
    layer = binary.BinaryLinear(6, 4, mode=mode, dtype=np.float64)
    layer.weight.data[...] = rng.standard_normal((4, 6)) * 0.8  # some |w| > 1: clipped
    layer.eval()  # XNOR's input BatchNorm uses its running statistics (0, 1): x / sqrt(1 + eps)
    x = rng.standard_normal((5, 6)) * 1.2
    g = rng.standard_normal((5, 4))
    xg = gb.tensor(x, requires_grad=True)
    out = layer(xg)
    (out * gb.tensor(g)).sum().backward()

    w = torch.tensor(layer.weight.data, requires_grad=True)
    xt = torch.tensor(x, requires_grad=True)
    wb = TorchSignSTE.apply(w)
    if mode != "binaryconnect":
        wb = wb * w.abs().mean(1, keepdim=True)
    if mode == "xnor":
        xn = xt / np.sqrt(1 + 1e-5)
        ref = (TorchSignSTE.apply(xn) @ wb.T) * xn.detach().abs().mean(1, keepdim=True)
    else:
        ref = xt @ wb.T
    ref = ref + torch.tensor(layer.bias.data)
    (ref * torch.tensor(g)).sum().backward()
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(layer.weight.grad.data, w.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(xg.grad.data, xt.grad.numpy(), rtol=1e-10, atol=1e-12)
    if mode == "bwn":  # the XNOR-Net weight gradient, written out
        W, G = layer.weight.data, g.T @ x
        alpha, s = np.abs(W).mean(1, keepdims=True), np.where(W >= 0, 1, -1)
        want = alpha * G * (np.abs(W) <= 1) + s / 6 * (G * s).sum(1, keepdims=True)
        np.testing.assert_allclose(layer.weight.grad.data, want, rtol=1e-10)


@pytest.mark.parametrize("mode", binary.MODES)
def test_binary_conv_matches_torch(mode):
    rng = np.random.default_rng(1)
    conv = binary.BinaryConv2d(3, 4, 3, stride=2, padding=1, mode=mode, dtype=np.float64)
    x = rng.standard_normal((2, 3, 7, 7))
    conv.eval()
    out = conv(gb.tensor(x))
    w = torch.tensor(conv.weight.data)
    wb = torch.where(w >= 0, 1.0, -1.0).double()
    if mode != "binaryconnect":
        wb = wb * w.abs().mean((1, 2, 3), keepdim=True)
    xt = torch.tensor(x)
    bias = torch.tensor(conv.bias.data)
    if mode == "xnor":
        xt = xt / np.sqrt(1 + 1e-5)
        k = torch.nn.functional.avg_pool2d(xt.abs().mean(1, keepdim=True), 3, 2, 1, count_include_pad=True)
        ref = torch.nn.functional.conv2d(torch.where(xt >= 0, 1.0, -1.0).double(), wb, None, 2, 1) * k
        ref = ref + bias.reshape(1, -1, 1, 1)
    else:
        ref = torch.nn.functional.conv2d(xt, wb, bias, 2, 1)
    np.testing.assert_allclose(out.data, ref.numpy(), rtol=1e-10, atol=1e-12)


def test_binarize_keeps_first_and_last_layers_and_trains():
    rng = np.random.default_rng(2)
    model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 2))
    binary.binarize(model, "bwn")
    assert [type(m).__name__ for m in model] == ["Linear", "ReLU", "BinaryLinear", "ReLU", "Linear"]
    assert set(model.state_dict()) == {f"{i}.{p}" for i in (0, 2, 4) for p in ("weight", "bias")}
    x = rng.standard_normal((128, 4)).astype(np.float32)
    y = (x[:, 0] + x[:, 1] > 0).astype(np.int64)
    opt = optim.Adam(model.parameters(), lr=1e-2)
    losses = []
    for _ in range(60):
        opt.zero_grad()
        loss = F.cross_entropy(model(gb.tensor(x)), gb.tensor(y))
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]
    w = binary.binary_weight(model[2].weight, "bwn").data
    assert np.allclose(np.abs(w), np.abs(model[2].weight.data).mean(1, keepdims=True))


def test_xnor_layers_normalise_their_input_and_keep_the_state_dict_consistent():
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 2))
    binary.binarize(model, "xnor")
    assert {"2.input_norm.running_mean", "2.input_norm.weight"} <= set(model.state_dict())
    fresh = binary.binarize(nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 2)),
                            "xnor")
    fresh.load_state_dict(model.state_dict())
    x = gb.tensor(np.abs(np.random.default_rng(0).standard_normal((6, 4))).astype(np.float32))
    model(x)  # after a ReLU the inputs are >= 0, yet the signs the layer sees are mixed
    seen = model[2].input_norm(model[1](model[0](x))).data
    assert (seen > 0).any() and (seen < 0).any()


def test_bad_mode_and_nothing_to_binarise():
    with pytest.raises(ValueError, match="mode must be one of"):
        binary.binarize(nn.Sequential(nn.Linear(2, 2)), "ternary")
    with pytest.raises(ValueError, match="besides its first and last"):
        binary.binarize(nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 2)))
