"""The torchvision-named models against torchvision itself: the same state_dict keys in the same
order with the same shapes and dtypes, torchvision's published parameter counts, and (with
torchvision's weights and random batch-norm statistics loaded through load_torch_state_dict,
strict) the same eval-mode outputs. torchvision's model code is loaded through the stand-in
package of ``torchvision_models.py``.

Default suite (kept to seconds): full parity for resnet18, resnet50 and alexnet, for VGG's
``features`` (configuration A with batch norm) and for each ResNet option on a one-block-per-stage
network; layout and parameter count only (a twin on torch's meta device costs nothing) for
resnet34, resnet101, resnext50_32x4d, wide_resnet50_2 and vgg16. Full parity of every other
model is ``slow`` (VGG's 102M-parameter classifier makes each VGG cost seconds to build).
"""
from __future__ import annotations

import numpy as np
import pytest
import torch

import gradbook as gb
from gradbook import models, nn
from gradbook.models.resnet import BasicBlock, Bottleneck, ResNet

from .torchvision_models import torchvision_models

# torchvision's published parameter counts (its weights tables), 1000 classes
PUBLISHED = {
    "alexnet": 61_100_840,
    "resnet18": 11_689_512, "resnet34": 21_797_672, "resnet50": 25_557_032, "resnet101": 44_549_160,
    "resnet152": 60_192_808, "resnext50_32x4d": 25_028_904, "resnext101_32x8d": 88_791_336,
    "wide_resnet50_2": 68_883_240, "wide_resnet101_2": 126_886_696,
    "vgg11": 132_863_336, "vgg11_bn": 132_868_840, "vgg13": 133_047_848, "vgg13_bn": 133_053_736,
    "vgg16": 138_357_544, "vgg16_bn": 138_365_992, "vgg19": 143_667_240, "vgg19_bn": 143_678_248,
}
FULL = ["resnet18", "resnet50", "alexnet"]
LAYOUT_ONLY = ["resnet34", "resnet101", "resnext50_32x4d", "wide_resnet50_2", "vgg16"]
SLOW_FULL = ["resnet34", "resnet101", "resnet152", "resnext50_32x4d", "resnext101_32x8d", "wide_resnet50_2",
             "wide_resnet101_2", "vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16", "vgg16_bn", "vgg19", "vgg19_bn"]
slow = pytest.mark.slow


def _input_size(name: str) -> int:
    return 32 if name.startswith("vgg") else 64  # the smallest sizes the stems accept, about


def _torchvision(name: str, meta: bool = False, **kwargs) -> torch.nn.Module:
    builder = getattr(torchvision_models(), name)
    if meta:
        with torch.device("meta"):
            return builder(**kwargs)
    torch.manual_seed(0)
    return builder(**kwargs)


def _randomize_norms(model: torch.nn.Module, seed: int = 1) -> torch.nn.Module:
    """Batch-norm statistics and affine terms away from (0, 1), so eval mode is not a plain identity."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (torch.nn.BatchNorm2d, torch.nn.GroupNorm)):
                n = m.weight.shape[0]
                m.weight.copy_(0.5 + torch.rand(n, generator=gen))
                m.bias.copy_(0.4 * torch.rand(n, generator=gen) - 0.2)
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.copy_(torch.rand(n, generator=gen) - 0.5)
                m.running_var.copy_(0.5 + 1.5 * torch.rand(n, generator=gen))
                m.num_batches_tracked.fill_(7)
    return model.eval()


def _layout(state: dict) -> list[tuple[str, tuple[int, ...], str]]:
    return [(k, tuple(v.shape), str(v.dtype).replace("torch.", "")) for k, v in state.items()]


def _assert_same_layout(ours: nn.Module, twin: torch.nn.Module, name: str) -> None:
    assert _layout(ours.state_dict(keep_vars=True)) == _layout(twin.state_dict())
    count = sum(p.numel() for p in ours.parameters())
    assert count == sum(p.numel() for p in twin.parameters())
    if name in PUBLISHED:
        assert count == PUBLISHED[name]


def _assert_same_outputs(ours: nn.Module, twin: torch.nn.Module, size: int, batch: int = 2) -> None:
    """Load twin's state dict as arrays (strict) and compare eval outputs (float32; error relative
    to the output's scale)."""
    models.load_torch_state_dict(ours, {k: v.numpy() for k, v in twin.state_dict().items()}, strict=True)
    ours.eval()
    x = np.random.default_rng(2).standard_normal((batch, 3, size, size)).astype(np.float32)
    with torch.no_grad():
        ref = twin(torch.from_numpy(x)).numpy()
    with gb.no_grad():
        out = ours(gb.tensor(x)).data
    assert out.shape == ref.shape and out.dtype == np.float32
    np.testing.assert_allclose(out, ref, rtol=1e-4, atol=2e-5 * float(np.abs(ref).max()))


@pytest.mark.parametrize("name", FULL + [pytest.param(n, marks=slow) for n in SLOW_FULL])
def test_matches_torchvision(name):
    twin = _randomize_norms(_torchvision(name))
    ours = models.get_model(name)
    _assert_same_layout(ours, twin, name)
    _assert_same_outputs(ours, twin, _input_size(name))
    loaded = ours.state_dict(keep_vars=True)
    for key, value in twin.state_dict().items():  # buffers too, num_batches_tracked included
        np.testing.assert_array_equal(loaded[key].data, value.numpy(), err_msg=key)


@pytest.mark.parametrize("name", LAYOUT_ONLY)
def test_state_dict_layout_and_parameter_count(name):
    _assert_same_layout(models.get_model(name), _torchvision(name, meta=True), name)


@pytest.mark.parametrize("num_classes", [10, 1])
def test_num_classes(num_classes):
    ours, twin = models.resnet18(num_classes=num_classes), _torchvision("resnet18", meta=True, num_classes=num_classes)
    _assert_same_layout(ours, twin, "")
    assert ours.fc.weight.shape == (num_classes, 512)


# ResNet's options, each on a one-block-per-stage network (cheap) against torchvision's ResNet
VARIANTS = {
    "basic": (BasicBlock, {}),
    "groups_width": (Bottleneck, {"groups": 4, "width_per_group": 16}),
    "wide": (Bottleneck, {"width_per_group": 128}),
    "dilation": (Bottleneck, {"replace_stride_with_dilation": [False, True, True]}),
    "group_norm": (Bottleneck, {"norm_layer": "group_norm", "num_classes": 7}),
}


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_resnet_options_match_torchvision(variant):
    block, kwargs = VARIANTS[variant]
    tv = torchvision_models().resnet
    ours_kwargs, tv_kwargs = dict(kwargs), dict(kwargs)
    if kwargs.get("norm_layer") == "group_norm":
        ours_kwargs["norm_layer"] = lambda c: nn.GroupNorm(8, c)
        tv_kwargs["norm_layer"] = lambda c: torch.nn.GroupNorm(8, c)
    torch.manual_seed(0)
    twin = _randomize_norms(tv.ResNet(getattr(tv, block.__name__), [1, 1, 1, 1], **tv_kwargs))
    ours = ResNet(block, [1, 1, 1, 1], **ours_kwargs)
    _assert_same_layout(ours, twin, variant)
    _assert_same_outputs(ours, twin, 32)


@pytest.mark.parametrize("cfg, batch_norm", [("A", True), pytest.param("D", False, marks=slow)])
def test_vgg_features_match_torchvision(cfg, batch_norm):
    """VGG's convolutional part alone (the classifier is checked by the full, slow tests)."""
    from gradbook.models.vgg import cfgs, make_layers

    tv = torchvision_models().vgg
    torch.manual_seed(0)
    twin = _randomize_norms(torch.nn.Sequential(tv.make_layers(tv.cfgs[cfg], batch_norm), torch.nn.AdaptiveAvgPool2d(7)))
    ours = nn.Sequential(make_layers(cfgs[cfg], batch_norm), nn.AdaptiveAvgPool2d(7))
    _assert_same_layout(ours, twin, "")
    _assert_same_outputs(ours, twin, 32)


def test_zero_init_residual_zeroes_each_blocks_last_norm():
    for builder, last in ((models.resnet18, "bn2"), (models.resnet50, "bn3")):
        net = builder(zero_init_residual=True)
        blocks = [m for m in net.modules() if isinstance(m, (BasicBlock, Bottleneck))]
        assert blocks and all(np.all(getattr(b, last).weight.data == 0) for b in blocks)
        assert np.all(net.bn1.weight.data == 1)
    # so each block starts as its shortcut: in eval mode, a block without downsample is relu(x)
    block = models.resnet18(zero_init_residual=True).layer1[0].eval()
    x = gb.randn(1, 64, 8, 8)
    np.testing.assert_array_equal(block(x).data, np.maximum(x.data, 0))


def test_initialisation_follows_torchvision():
    net = models.resnet18()
    w = net.layer3[0].conv2.weight.data  # kaiming_normal_(fan_out, relu): std √(2 / (256·9))
    assert abs(w.std() / np.sqrt(2 / (256 * 9)) - 1) < 0.02 and abs(w.mean()) < 1e-3
    assert np.all(net.layer3[0].bn1.weight.data == 1) and np.all(net.layer3[0].bn1.bias.data == 0)
    assert all(m.inplace for m in net.modules() if isinstance(m, nn.ReLU))


def test_weights_argument_errors_point_to_load_torch_state_dict():
    for builder in (models.resnet18, models.resnext50_32x4d, models.alexnet, models.vgg11_bn):
        with pytest.raises(ValueError, match="does not download weights.*load_torch_state_dict"):
            builder(weights="IMAGENET1K_V1")


def test_bad_arguments_are_clear_errors():
    with pytest.raises(ValueError, match="BasicBlock only supports groups=1 and base_width=64"):
        models.resnet18(groups=2)
    with pytest.raises(NotImplementedError, match="Dilation > 1 not supported in BasicBlock"):
        models.resnet18(replace_stride_with_dilation=[False, False, True])
    with pytest.raises(ValueError, match="replace_stride_with_dilation should be None or a 3-element"):
        models.resnet18(replace_stride_with_dilation=[True])
    with pytest.raises(ValueError, match="resnext50_32x4d: groups is fixed at 32"):
        models.resnext50_32x4d(groups=8)
    with pytest.raises(ValueError, match="ResNet.*3 channels"):
        models.resnet18(num_classes=2)(gb.randn(1, 1, 64, 64))
    with pytest.raises(ValueError, match="layers must give 4 block counts"):
        ResNet(BasicBlock, [2, 2, 2])


def test_registry():
    names = models.list_models()
    assert names == sorted(names)
    assert set(PUBLISHED) | {"resnet20", "resnet32", "resnet56"} <= set(names)
    net = models.get_model("ResNet18", num_classes=3)
    assert isinstance(net, ResNet) and net.fc.out_features == 3
    with pytest.raises(ValueError, match="unknown model 'resnet19'.*did you mean"):
        models.get_model("resnet19")


def test_save_load_round_trip(tmp_path):
    net = models.resnet18(num_classes=5)
    for bn in (m for m in net.modules() if isinstance(m, nn.BatchNorm2d)):
        bn.running_mean.data[...] = np.random.default_rng(0).uniform(-1, 1, bn.num_features)
    net.eval()
    x = gb.randn(1, 3, 64, 64)
    for suffix in ("npz", "safetensors"):
        gb.save(net.state_dict(), tmp_path / f"r18.{suffix}")
        again = models.resnet18(num_classes=5)
        again.load_state_dict(gb.load(tmp_path / f"r18.{suffix}"))
        assert list(again.state_dict()) == list(net.state_dict())
        with gb.no_grad():
            np.testing.assert_array_equal(again.eval()(x).data, net(x).data)
