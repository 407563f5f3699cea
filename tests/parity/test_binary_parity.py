"""Binary layers against torch twins written from the papers' formulas: BinaryConnect, BWN
(α = mean|W| per filter) and XNOR (binary inputs scaled by K), forward values and the
straight-through gradients with their |x| <= 1 clipping (and XNOR-Net's weight gradient written out)."""
import numpy as np
import pytest
import torch

import gradbook as gb
from gradbook.compress import binary


class TorchSignSTE(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return torch.where(x >= 0, 1.0, -1.0).to(x.dtype)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * (x.abs() <= 1).to(g.dtype)


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
