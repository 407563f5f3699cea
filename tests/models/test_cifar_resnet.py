"""CIFAR ResNets (He et al. 2016, section 4.2, option A shortcuts): the paper's parameter counts,
the zero-padding shortcut, outputs equal to the same network written in torch (torchvision's
BasicBlock with an option-A shortcut), and a short training run on synthetic CIFAR-shaped data."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import gradbook as gb
from gradbook import models, nn, optim

from .torchvision_models import torchvision_models


@pytest.mark.parametrize("name, blocks, count, paper", [
    ("resnet20", 3, 269_722, "0.27M"), ("resnet32", 5, 464_154, "0.46M"), ("resnet44", 7, 658_586, "0.66M"),
    ("resnet56", 9, 853_018, "0.85M"), ("resnet110", 18, 1_727_962, "1.7M")])
def test_parameter_counts_are_the_papers(name, blocks, count, paper):
    net = models.get_model(name)
    n = sum(p.numel() for p in net.parameters())
    # the layer formula: stem conv + BN, 3 stages of `blocks` pairs of 3x3 convs + BN, fc; no shortcut weights
    stages = sum(2 * blocks * (9 * c * c + 2 * c) for c in (16, 32, 64)) - 9 * (32 * 16 + 64 * 32)
    assert n == 9 * 3 * 16 + 2 * 16 + stages + 64 * 10 + 10 == count
    assert f"{n / 1e6:.2g}M" == paper  # He et al. 2016, Table 6
    assert 6 * blocks + 2 == int(name[6:])
    assert not any("downsample" in k and "weight" in k for k in net.state_dict())


def test_zero_pad_shortcut_subsamples_and_pads_channels():
    x = gb.randn(2, 16, 8, 8, requires_grad=True)
    y = models.ZeroPadShortcut(16, 32, stride=2)(x)
    ref = torch.nn.functional.pad(torch.from_numpy(x.data)[:, :, ::2, ::2], (0, 0, 0, 0, 8, 8))
    np.testing.assert_array_equal(y.data, ref.numpy())
    y.sum().backward()
    expected = np.zeros_like(x.data)
    expected[:, :, ::2, ::2] = 1
    np.testing.assert_array_equal(x.grad.data, expected)
    assert models.ZeroPadShortcut(16, 16, stride=1)(x) is x
    with pytest.raises(ValueError, match="ZeroPadShortcut: out_channels"):
        models.ZeroPadShortcut(32, 16)


class _TorchPadShortcut(torch.nn.Module):
    def __init__(self, extra):
        super().__init__()
        self.extra = extra

    def forward(self, x):
        return torch.nn.functional.pad(x[:, :, ::2, ::2], (0, 0, 0, 0, self.extra // 2, self.extra - self.extra // 2))


def _torch_cifar_resnet(blocks: int, num_classes: int = 10) -> torch.nn.Module:
    """The same network from torchvision's BasicBlock, for the output comparison."""
    block = torchvision_models().resnet.BasicBlock
    net = torch.nn.Module()
    net.conv1 = torch.nn.Conv2d(3, 16, 3, padding=1, bias=False)
    net.bn1 = torch.nn.BatchNorm2d(16)
    net.relu = torch.nn.ReLU(inplace=True)
    inplanes = 16
    for i, planes in enumerate((16, 32, 64)):
        stride = 1 if i == 0 else 2
        first = block(inplanes, planes, stride, _TorchPadShortcut(planes - inplanes) if stride != 1 else None)
        setattr(net, f"layer{i + 1}", torch.nn.Sequential(first, *(block(planes, planes) for _ in range(blocks - 1))))
        inplanes = planes
    net.avgpool = torch.nn.AdaptiveAvgPool2d((1, 1))
    net.fc = torch.nn.Linear(64, num_classes)
    net.forward = lambda x: net.fc(torch.flatten(net.avgpool(net.layer3(net.layer2(net.layer1(
        net.relu(net.bn1(net.conv1(x))))))), 1))
    return net


def test_resnet20_matches_the_torch_network():
    torch.manual_seed(0)
    twin = _torch_cifar_resnet(3)
    gen = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for m in twin.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.copy_(torch.rand(m.num_features, generator=gen) - 0.5)
                m.running_var.copy_(0.5 + torch.rand(m.num_features, generator=gen))
    twin.eval()
    ours = models.resnet20()
    assert [(k, v.shape) for k, v in ours.state_dict().items()] == \
        [(k, tuple(v.shape)) for k, v in twin.state_dict().items()]
    models.load_torch_state_dict(ours, twin.state_dict())
    x = np.random.default_rng(0).standard_normal((2, 3, 32, 32)).astype(np.float32)
    with torch.no_grad():
        ref = twin(torch.from_numpy(x)).numpy()
    with gb.no_grad():
        out = ours.eval()(gb.tensor(x)).data
    np.testing.assert_allclose(out, ref, rtol=1e-4, atol=1e-5 * np.abs(ref).max())


def test_resnet20_training_step_matches_the_torch_network():
    """Training mode in float64: the loss, every parameter's gradient and the updated running
    statistics equal torch's (batch statistics, the zero-padded shortcut's backward)."""
    gb.set_default_dtype("float64")
    torch.manual_seed(0)
    twin = _torch_cifar_resnet(3).double().train()
    ours = models.resnet20()
    models.load_torch_state_dict(ours, twin.state_dict())
    rng = np.random.default_rng(3)
    x, y = rng.standard_normal((4, 3, 32, 32)), rng.integers(0, 10, 4)
    ref_loss = torch.nn.functional.cross_entropy(twin(torch.from_numpy(x)), torch.from_numpy(y))
    ref_loss.backward()
    loss = nn.CrossEntropyLoss()(ours(gb.tensor(x)), gb.tensor(y))
    loss.backward()
    np.testing.assert_allclose(loss.item(), ref_loss.item(), rtol=1e-10)
    ref_params = dict(twin.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad.data, ref_params[name].grad.numpy(), rtol=1e-7, atol=1e-10, err_msg=name)
    ref_state = twin.state_dict()
    for name, value in ours.state_dict().items():
        np.testing.assert_allclose(value, ref_state[name].numpy(), rtol=1e-10, atol=1e-12, err_msg=name)


def test_resnet20_trains_on_synthetic_cifar_batches():
    """Two batches of eight 3x32x32 images whose class is a fixed per-class pattern plus noise:
    four SGD steps lower the loss on them by more than 20%."""
    rng = np.random.default_rng(0)
    patterns = rng.standard_normal((10, 3, 32, 32)).astype(np.float32)
    batches = []
    for _ in range(2):
        y = rng.integers(0, 10, 8)
        batches.append((gb.tensor(patterns[y] + 0.5 * rng.standard_normal((8, 3, 32, 32)).astype(np.float32)),
                        gb.tensor(y)))
    net = models.resnet20()
    opt = optim.SGD(net.parameters(), lr=0.05, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()

    def mean_loss():  # in training mode (batch statistics), as the steps see it
        with gb.no_grad():
            return np.mean([loss_fn(net(x), y).item() for x, y in batches])

    before = mean_loss()
    for _ in range(2):
        for x, y in batches:
            opt.zero_grad()
            loss_fn(net(x), y).backward()
            opt.step()
    after = mean_loss()
    assert np.isfinite(after) and after < 0.8 * before


def test_cifar_resnet_errors_and_repr():
    with pytest.raises(ValueError, match="blocks_per_stage must be positive"):
        models.CifarResNet(0)
    with pytest.raises(ValueError, match="CifarResNet.*3 channels"):
        models.resnet20()(gb.randn(1, 1, 32, 32))
    assert "depth=20" in repr(models.resnet20()) and "ZeroPadShortcut(16, 32, stride=2)" in repr(models.resnet20())
    assert models.resnet20(num_classes=100).fc.out_features == 100
