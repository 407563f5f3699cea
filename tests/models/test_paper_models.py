"""The models torchvision lacks, built from their papers, and the CIFAR-scale networks:
parameter counts against the papers' figures (or a hand count, as each test says), output
shapes, eval outputs equal to torch twins written from the papers' figures (tests/models/
paper_twins.py) or assembled from torchvision's own blocks, and a gb.save / gb.load round trip."""
from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pytest
import torch

import gradbook as gb
from gradbook import models
from gradbook.analysis.flops import flops
from gradbook.models.densenet_cifar import PlainDenseLayer
from gradbook.models.mobilenet_v1 import DepthwiseSeparable

from . import paper_twins as twins
from .torchvision_models import torchvision_models


def count(net) -> int:
    return sum(p.numel() for p in net.parameters())


# ---------------------------------------------------------------- parameter counts and multiply-adds
def test_preact_resnet_parameters_by_hand():
    """Hand count: per block bn1 (2·in) + 3x3 (9·in·out) + bn2 (2·out) + 3x3 (9·out²), a 1x1
    projection (in·out) where the ImageNet net changes shape, the final BN and the fc."""
    def stages(widths, blocks, projection):
        n, cin = 0, widths[0]
        for w in widths:
            for b in range(blocks):
                n += 2 * cin + 9 * cin * w + 2 * w + 9 * w * w + (cin * w if projection and cin != w else 0)
                cin = w
        return n
    assert count(models.preact_resnet18()) == 49 * 3 * 64 + stages((64, 128, 256, 512), 2, True) + 2 * 512 + 513_000
    assert count(models.preact_resnet20()) == 27 * 16 + stages((16, 32, 64), 3, False) + 2 * 64 + 650
    assert count(models.preact_resnet20()) == count(models.resnet20())  # the BN moves, the count stays


def test_xception_has_the_papers_parameter_count():
    assert count(models.xception()) == 22_855_952  # Chollet 2017, Table 3


@pytest.mark.parametrize("alpha, params, macs", [(1.0, "4.2", 569), (0.75, "2.6", 325), (0.5, "1.3", 149),
                                                 (0.25, "0.5", 41)])
def test_mobilenet_v1_width_multiplier_matches_the_papers_table_6(alpha, params, macs):
    net = models.mobilenet_v1(width_mult=alpha)
    assert f"{count(net) / 1e6:.1f}" == params
    assert round(flops(net, (3, 224, 224))["total"] / 1e6) == macs


def test_shufflenet_v1_g3_complexity_is_the_papers():
    net = models.shufflenet_v1()
    assert [s[0].conv3.out_channels + s[0].conv1.in_channels for s in net.stages] == [240, 480, 960]
    assert net.stages[0][0].conv1.groups == 1 and net.stages[1][0].conv1.groups == 3
    assert abs(flops(net, (3, 224, 224))["total"] / 140e6 - 1) < 0.03  # Table 1: 140 MFLOPs (1x, g = 3)


def test_dpn92_matches_the_papers_size():
    assert abs(count(models.dpn92()) / 37.8e6 - 1) < 0.005  # Table 1: 37.8M (ours 37,668,392)


@pytest.mark.slow
def test_dpn92_matches_the_papers_flops():
    net = models.dpn92()
    assert round(flops(net, (3, 224, 224))["total"] / 1e9, 1) == 6.5  # Table 1: 6.5 GFLOPs (multiply-adds)


@pytest.mark.parametrize("depth, k, bottleneck, theta, paper", [
    (40, 12, False, 1.0, "1.0"), (100, 12, False, 1.0, "7.0"), (100, 12, True, 0.5, "0.8"),
    (250, 24, True, 0.5, "15.3")])
def test_densenet_cifar_parameters_are_the_papers_table_2(depth, k, bottleneck, theta, paper):
    assert f"{count(models.densenet_cifar(depth, k, bottleneck, theta)) / 1e6:.1f}" == paper


@pytest.mark.parametrize("bottleneck, theta", [(False, 1.0), (True, 1.0), (False, 0.5), (True, 0.5)])
def test_densenet_b_c_bc_parameters_by_hand(bottleneck, theta):
    """Hand count at L = 40, k = 12: per layer BN (2·c_in) + 3x3 conv (9·c_in·k), or with -B
    BN + 1x1 (c_in·4k) + BN (2·4k) + 3x3 (9·4k·k); transitions BN + 1x1 to ⌊θ·c⌋; c0 = 2k (-B) or 16."""
    k, layers = 12, (40 - 4) // (6 if bottleneck else 3)
    c = 2 * k if bottleneck else 16
    n = 27 * c
    for block in range(3):
        for i in range(layers):
            cin = c + k * i
            n += 2 * cin + (cin * 4 * k + 2 * 4 * k + 9 * 4 * k * k if bottleneck else 9 * cin * k)
        c += layers * k
        if block < 2:
            n += 2 * c + c * int(theta * c)
            c = int(theta * c)
    n += 2 * c + c * 10 + 10
    assert count(models.densenet_cifar(40, k, bottleneck, theta)) == n
    if bottleneck and theta == 0.5:
        assert count(models.densenet_bc_40()) == n == 176_122  # ≈ 0.18M; the paper's 0.8M is L = 100


def test_resnext29_8x64d_has_the_papers_parameter_count():
    assert f"{count(models.resnext_cifar(29, 8, 64, 64)) / 1e6:.1f}" == "34.4"  # Xie et al. 2017, Table 7


def test_vgg_cifar_parameters_by_hand():
    cfg = [64, 64, 128, 128, 256, 256, 256, 512, 512, 512, 512, 512, 512]
    widths = [3] + cfg
    n = sum(9 * a * b + b + 2 * b for a, b in zip(widths, cfg)) + 512 * 10 + 10
    assert count(models.vgg_cifar()) == n == 14_728_266


def test_mobilenet_v2_cifar_parameters_are_torchvisions_less_the_classifier():
    assert count(models.mobilenet_v2_cifar()) == 3_504_872 - 1281 * 1000 + 1281 * 10


# ---------------------------------------------------------------- output shapes
@pytest.mark.parametrize("name, size", [
    ("preact_resnet18", 64), ("dpn26", 64), pytest.param("xception", 71, marks=pytest.mark.slow),
    ("mobilenet_v1", 64), ("shufflenet_v1", 64), pytest.param("inception_v4", 75, marks=pytest.mark.slow)])
def test_imagenet_shaped_models_give_one_score_per_class(name, size):
    net = models.get_model(name, num_classes=7)
    with gb.no_grad():
        assert net.eval()(gb.randn(2, 3, size, size)).shape == (2, 7)


@pytest.mark.parametrize("name", ["preact_resnet20", "densenet_bc_40", "mobilenet_v2_cifar", "vgg_cifar",
                                  "resnext_cifar"])
def test_cifar_models_take_32x32_images(name):
    net = models.get_model(name)
    with gb.no_grad():
        assert net.eval()(gb.randn(1, 3, 32, 32)).shape == (1, 10)
    with pytest.raises(ValueError, match="3 channels"):
        net(gb.randn(2, 1, 32, 32))


@pytest.mark.slow
def test_inception_v4_block_shapes_follow_the_figures():
    with gb.no_grad():
        x = models.InceptionStem()(gb.randn(1, 3, 299, 299))
        assert x.shape == (1, 384, 35, 35)
        assert models.ReductionA()(gb.randn(1, 384, 35, 35)).shape == (1, 1024, 17, 17)
        assert models.ReductionB()(gb.randn(1, 1024, 17, 17)).shape == (1, 1536, 8, 8)
        assert models.ReductionResNetB()(gb.randn(1, 1088, 17, 17)).shape == (1, 2080, 8, 8)


# ---------------------------------------------------------------- blocks equal to their torch twins
def test_preact_blocks_match_torch():
    for cin, cout, stride, kind in ((16, 16, 1, "zero_pad"), (16, 32, 2, "zero_pad"), (8, 16, 2, "projection")):
        torch.manual_seed(cin + stride)
        twins.assert_twin_outputs(models.PreActBlock(cin, cout, stride, kind),
                                  twins.PreActBlock(cin, cout, stride, kind), (2, cin, 8, 8))


@pytest.mark.parametrize("projection, stride", [(True, 2), (False, 1)])
def test_dual_path_block_matches_torch(projection, stride):
    torch.manual_seed(0)
    cin = 24 if projection else 16 + 3 * 4
    args = (cin, 16, 16, 4, 4, stride, projection)
    twins.assert_twin_outputs(models.DualPathBlock(*args), twins.DualPathBlock(*args), (2, cin, 6, 6))


@pytest.mark.parametrize("args", [(8, 16, 2, 2, False, True), (16, 16, 3, 1, True, True), (16, 24, 2, 2, True, False)])
def test_xception_blocks_match_torch(args):
    torch.manual_seed(0)
    cin = args[0]
    twins.assert_twin_outputs(models.XceptionBlock(*args), twins.XceptionBlock(*args), (2, cin, 9, 9))


def test_mobilenet_v1_unit_matches_torch():
    torch.manual_seed(0)
    twin = torch.nn.Sequential(twins.conv_bn_relu(8, 8, 3, 2, groups=8), twins.conv_bn_relu(8, 16, 1))
    twins.assert_twin_outputs(DepthwiseSeparable(8, 16, 2), twin, (2, 8, 9, 9))


@pytest.mark.parametrize("cin, cout, stride, group_first", [(24, 60, 2, False), (60, 60, 1, True), (60, 120, 2, True)])
def test_shufflenet_unit_matches_torch(cin, cout, stride, group_first):
    torch.manual_seed(0)
    twins.assert_twin_outputs(models.ShuffleUnit(cin, cout, 3, stride, group_first),
                              twins.ShuffleUnit(cin, cout, 3, stride, group_first), (2, cin, 8, 8))


@pytest.mark.parametrize("ours, twin, shape", [
    (models.InceptionStem, twins.InceptionStem, (1, 3, 75, 75)),
    (models.InceptionA, twins.inception_a, (1, 384, 5, 5)),
    (models.ReductionA, twins.reduction_a, (1, 384, 7, 7)),
    (models.InceptionB, twins.inception_b, (1, 1024, 3, 3)),
    (models.ReductionB, twins.reduction_b, (1, 1024, 5, 5)),
    (models.InceptionC, twins.InceptionC, (1, 1536, 3, 3)),
    (models.InceptionResNetA, twins.inception_resnet_a, (1, 320, 5, 5)),
    (models.InceptionResNetB, twins.inception_resnet_b, (1, 1088, 3, 3)),
    (models.InceptionResNetC, twins.inception_resnet_c, (1, 2080, 3, 3)),
    (models.ReductionResNetB, twins.reduction_resnet_b, (1, 1088, 5, 5))])
def test_inception_v4_blocks_match_torch(ours, twin, shape):
    torch.manual_seed(0)
    twins.assert_twin_outputs(ours(), twin(), shape, rtol=2e-4)


def test_inception_resnet_scaling_and_final_block_without_relu():
    torch.manual_seed(0)
    twins.assert_twin_outputs(models.InceptionResNetC(64, scale=0.3, activation=False),
                              twins.inception_resnet_c(64, 0.3, False), (2, 64, 3, 3))


def test_inception_v4_count_equals_the_twin_built_from_the_figures():
    t = torch.nn.Sequential(twins.InceptionStem(), *(twins.inception_a() for _ in range(4)), twins.reduction_a(),
                            *(twins.inception_b() for _ in range(7)), twins.reduction_b(),
                            *(twins.InceptionC() for _ in range(3)), torch.nn.Linear(1536, 1000))
    assert count(models.inception_v4()) == sum(p.numel() for p in t.parameters()) == 42_679_816


def test_resnext_block_and_plain_dense_layer_match_torch():
    torch.manual_seed(0)
    twins.assert_twin_outputs(models.ResNeXtBlock(16, 32, 64, 4, 2), twins.ResNeXtBlock(16, 32, 64, 4, 2),
                              (2, 16, 8, 8))
    twins.assert_twin_outputs(PlainDenseLayer(16, 12), twins.PlainDenseLayer(16, 12), (2, 16, 8, 8))


# ---------------------------------------------------------------- whole networks equal to twins
def test_dpn26_matches_a_twin_of_dual_path_blocks():
    torch.manual_seed(0)
    stem = torch.nn.Sequential(torch.nn.Conv2d(3, 64, 7, 2, 3, bias=False), torch.nn.BatchNorm2d(64), torch.nn.ReLU(),
                               torch.nn.MaxPool2d(3, 2, 1))
    blocks, c = [stem], 64
    for s, inc in enumerate((16, 32, 24, 128)):
        mid, out = 96 * 2 ** s, 256 * 2 ** s
        blocks += [twins.DualPathBlock(c, mid, out, inc, 32, 1 if s == 0 else 2, True),
                   twins.DualPathBlock(out + 3 * inc, mid, out, inc, 32, 1, False)]
        c = out + 4 * inc
    twin = torch.nn.Module()
    twin.features, twin.bn, twin.avgpool, twin.fc = (torch.nn.Sequential(*blocks), torch.nn.BatchNorm2d(c),
                                                     torch.nn.AdaptiveAvgPool2d(1), torch.nn.Linear(c, 10))
    twin.forward = lambda x: twin.fc(twin.avgpool(torch.relu(twin.bn(twin.features(x)))).flatten(1))
    twins.assert_twin_outputs(models.dpn26(num_classes=10), twin, (2, 3, 32, 32), rtol=2e-4)


def test_preact_resnet20_matches_a_twin_of_preact_blocks():
    torch.manual_seed(0)
    twin = torch.nn.Module()
    twin.conv1 = torch.nn.Conv2d(3, 16, 3, 1, 1, bias=False)
    cin = 16
    for i, w in enumerate((16, 32, 64)):
        blocks = [twins.PreActBlock(cin, w, 1 if i == 0 else 2, "zero_pad")]
        blocks += [twins.PreActBlock(w, w, 1, "zero_pad") for _ in range(2)]
        setattr(twin, f"layer{i + 1}", torch.nn.Sequential(*blocks))
        cin = w
    twin.bn, twin.avgpool, twin.fc = torch.nn.BatchNorm2d(64), torch.nn.AdaptiveAvgPool2d(1), torch.nn.Linear(64, 10)
    twin.forward = lambda x: twin.fc(twin.avgpool(torch.relu(twin.bn(
        twin.layer3(twin.layer2(twin.layer1(twin.conv1(x))))))).flatten(1))
    twins.assert_twin_outputs(models.preact_resnet20(), twin, (2, 3, 16, 16), rtol=2e-4)


def test_densenet_bc_40_matches_torchvisions_dense_blocks():
    tv = torchvision_models().densenet
    torch.manual_seed(0)
    layers, c = [("conv0", torch.nn.Conv2d(3, 24, 3, 1, 1, bias=False))], 24
    for i in range(3):
        layers.append((f"denseblock{i + 1}", tv._DenseBlock(6, c, 4, 12, 0.0)))
        c += 72
        if i < 2:
            layers.append((f"transition{i + 1}", tv._Transition(c, c // 2)))
            c //= 2
    layers.append(("norm_final", torch.nn.BatchNorm2d(c)))
    twin = torch.nn.Module()
    twin.features = torch.nn.Sequential(OrderedDict(layers))
    twin.avgpool, twin.classifier = torch.nn.AdaptiveAvgPool2d(1), torch.nn.Linear(c, 10)
    twin.forward = lambda x: twin.classifier(twin.avgpool(torch.relu(twin.features(x))).flatten(1))
    twins.assert_twin_outputs(models.densenet_bc_40(), twin, (1, 3, 16, 16), rtol=2e-4)


def test_mobilenet_v2_cifar_matches_torchvision_with_the_two_strides_changed():
    tv = torchvision_models().mobilenetv2
    torch.manual_seed(0)
    rows = [[1, 16, 1, 1], [6, 24, 2, 1], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1]]
    twin = tv.MobileNetV2(num_classes=10, inverted_residual_setting=rows)
    from torchvision.ops.misc import Conv2dNormActivation
    twin.features[0] = Conv2dNormActivation(3, 32, stride=1, activation_layer=torch.nn.ReLU6)
    twins.assert_twin_outputs(models.mobilenet_v2_cifar(), twin, (2, 3, 32, 32), rtol=2e-4)


def test_vgg_cifar_matches_torchvisions_features_and_a_linear_head():
    tv = torchvision_models().vgg
    torch.manual_seed(0)
    twin = torch.nn.Module()
    twin.features, twin.classifier = tv.make_layers(tv.cfgs["A"], batch_norm=True), torch.nn.Linear(512, 10)
    twin.forward = lambda x: twin.classifier(twin.features(x).flatten(1))
    twins.assert_twin_outputs(models.vgg_cifar("A"), twin, (2, 3, 32, 32), rtol=2e-4)


def test_bad_configurations_are_refused():
    with pytest.raises(ValueError, match="CifarDenseNet: depth"):
        models.densenet_cifar(41, 12, True, 0.5)
    with pytest.raises(ValueError, match="compression"):
        models.densenet_cifar(40, 12, True, 0.0)
    with pytest.raises(ValueError, match="CifarResNeXt: depth"):
        models.resnext_cifar(12)
    with pytest.raises(ValueError, match="ShuffleNetV1: groups"):
        models.ShuffleNetV1(groups=5)
    with pytest.raises(ValueError, match="CifarVGG: expected 32x32"):
        models.vgg_cifar()(gb.randn(1, 3, 16, 16))


# ---------------------------------------------------------------- save / load
@pytest.mark.parametrize("name", ["preact_resnet20", "densenet_bc_40", "resnext_cifar", "shufflenet_v1"])
def test_round_trip_through_save_and_load(name, tmp_path):
    net = models.get_model(name, num_classes=10)
    with gb.no_grad():
        for p in net.parameters():
            p.data[...] = np.random.default_rng(p.numel()).standard_normal(p.shape)
    net.train()(gb.randn(4, 3, 32, 32))  # moves the running statistics off their defaults
    gb.save(net.state_dict(), tmp_path / "m.npz")
    again = models.get_model(name, num_classes=10)
    again.load_state_dict(gb.load(tmp_path / "m.npz"))
    x = gb.randn(2, 3, 32, 32)
    with gb.no_grad():
        np.testing.assert_array_equal(again.eval()(x).data, net.eval()(x).data)
