"""mobilenet_v2, shufflenet_v2_*, squeezenet1_*, densenet*, googlenet and inception_v3 against
torchvision's own code (loaded through ``torchvision_models.py``): the same state_dict keys in
the same order with the same shapes and dtypes, torchvision's published parameter counts, and
(with torchvision's weights and random batch-norm statistics loaded strict) the same eval outputs.

Default suite: layout and parameter count of every builder (a twin on torch's meta device costs
nothing); full parity of mobilenet_v2, shufflenet_v2_x0_5 and squeezenet1_1 at 64x64; each
Inception v1/v3 module and a DenseNet block at their real widths on a small map; GoogLeNet's input
transform. ``slow``: full parity of the rest (densenet121, googlenet, inception_v3 at its
minimum 75x75, ...) and the training-mode outputs with the auxiliary classifiers.
"""
from __future__ import annotations

import importlib
import types

import numpy as np
import pytest
import torch

import gradbook as gb
from gradbook import models, nn
from gradbook.models.densenet import _DenseBlock
from gradbook.models.googlenet import Inception, InceptionAux, transform_input
from gradbook.models.inception import InceptionA, InceptionB, InceptionC, InceptionD, InceptionE
from gradbook.models.inception import InceptionAux as InceptionV3Aux

from .test_torchvision_models import _assert_same_layout, _assert_same_outputs, _randomize_norms
from .torchvision_models import torchvision_models

# torchvision's published parameter counts (its weights tables; GoogLeNet's without, Inception
# v3's with the auxiliary classifiers, as its weights are published), 1000 classes
PUBLISHED = {
    "mobilenet_v2": 3_504_872,
    "shufflenet_v2_x0_5": 1_366_792, "shufflenet_v2_x1_0": 2_278_604, "shufflenet_v2_x1_5": 3_503_624,
    "shufflenet_v2_x2_0": 7_393_996,
    "squeezenet1_0": 1_248_424, "squeezenet1_1": 1_235_496,
    "densenet121": 7_978_856, "densenet161": 28_681_000, "densenet169": 14_149_480, "densenet201": 20_013_928,
    "googlenet": 6_624_904, "inception_v3": 27_161_264,
}
# constructor arguments per case name: GoogLeNet's count is without its auxiliary heads
CASES = {name: (name, {}) for name in PUBLISHED}
CASES["googlenet"] = ("googlenet", {"aux_logits": False})
CASES.update({
    "googlenet_aux": ("googlenet", {}),
    "inception_v3_no_aux": ("inception_v3", {"aux_logits": False}),
    "shufflenet_v2_x0_5_10_classes": ("shufflenet_v2_x0_5", {"num_classes": 10}),
    "mobilenet_v2_width_0.5": ("mobilenet_v2", {"width_mult": 0.5}),
})
EXTRA_COUNTS = {"googlenet_aux": 13_004_888, "inception_v3_no_aux": 23_834_568}
# full parity: (case, input size); the default suite's cases cost well under a second each
FULL = [("mobilenet_v2", 64), ("shufflenet_v2_x0_5", 64), ("squeezenet1_1", 64)]
SLOW_FULL = [("shufflenet_v2_x1_0", 64), ("squeezenet1_0", 64), ("densenet121", 32), ("googlenet", 64),
             ("googlenet_aux", 64), ("inception_v3_no_aux", 75), ("inception_v3", 75),
             ("mobilenet_v2_width_0.5", 64)]
slow = pytest.mark.slow


def _twin(builder_name: str, kwargs: dict, meta: bool = False) -> torch.nn.Module:
    builder = getattr(torchvision_models(), builder_name)
    if builder_name in ("googlenet", "inception_v3"):
        kwargs = {"init_weights": True, **kwargs}  # torchvision warns when it is left None
    if meta:
        with torch.device("meta"):
            return builder(**kwargs)
    torch.manual_seed(0)
    return builder(**kwargs)


@pytest.mark.parametrize("case", list(CASES))
def test_state_dict_layout_and_parameter_count(case):
    name, kwargs = CASES[case]
    ours = models.get_model(name, **kwargs)
    _assert_same_layout(ours, _twin(name, kwargs, meta=True), "")
    expected = PUBLISHED.get(case, EXTRA_COUNTS.get(case))
    if expected is not None:
        assert sum(p.numel() for p in ours.parameters()) == expected


@pytest.mark.parametrize("case, size", FULL + [pytest.param(c, s, marks=slow) for c, s in SLOW_FULL])
def test_matches_torchvision(case, size):
    name, kwargs = CASES[case]
    twin = _randomize_norms(_twin(name, kwargs))
    ours = models.get_model(name, **kwargs)
    _assert_same_outputs(ours, twin, size)


def _tv_module(name: str):
    """A torchvision.models submodule (``torchvision.models.googlenet`` is the builder function)."""
    torchvision_models()
    return importlib.import_module(f"torchvision.models.{name}")


def _inception_blocks():
    """(name, torchvision block, gradbook block, input channels, map size) at the real widths."""
    tv_g, tv_i = _tv_module("googlenet"), _tv_module("inception")
    return {
        "googlenet_inception4e": (lambda: tv_g.Inception(528, 256, 160, 320, 32, 128, 128),
                                  lambda: Inception(528, 256, 160, 320, 32, 128, 128), 528, 5),
        "googlenet_aux": (lambda: tv_g.InceptionAux(512, 10), lambda: InceptionAux(512, 10), 512, 6),
        "inception_a": (lambda: tv_i.InceptionA(192, 32), lambda: InceptionA(192, 32), 192, 5),
        "inception_b": (lambda: tv_i.InceptionB(288), lambda: InceptionB(288), 288, 7),
        "inception_c": (lambda: tv_i.InceptionC(768, 128), lambda: InceptionC(768, 128), 768, 5),
        "inception_d": (lambda: tv_i.InceptionD(768), lambda: InceptionD(768), 768, 7),
        "inception_e": (lambda: tv_i.InceptionE(1280), lambda: InceptionE(1280), 1280, 3),
        "inception_aux": (lambda: tv_i.InceptionAux(768, 10), lambda: InceptionV3Aux(768, 10), 768, 17),
        "dense_block": (lambda: _tv_module("densenet")._DenseBlock(6, 64, 4, 32, 0.0),
                        lambda: _DenseBlock(6, 64, 4, 32, 0.0), 64, 6),
    }


@pytest.mark.parametrize("block", ["googlenet_inception4e", "googlenet_aux", "inception_a", "inception_b",
                                   "inception_c", "inception_d", "inception_e", "inception_aux", "dense_block"])
def test_blocks_match_torchvision(block):
    """Each branching module alone, at its real widths on a small map: the concatenation order,
    the factorised kernels' paddings, the pools between branches."""
    make_twin, make_ours, channels, size = _inception_blocks()[block]
    torch.manual_seed(0)
    twin, ours = _randomize_norms(make_twin()), make_ours()
    _assert_same_layout(ours, twin, "")
    models.load_torch_state_dict(ours, {k: v.numpy() for k, v in twin.state_dict().items()}, strict=True)
    x = np.random.default_rng(3).standard_normal((2, channels, size, size)).astype(np.float32)
    with torch.no_grad():
        ref = twin(torch.from_numpy(x)).numpy()
    with gb.no_grad():
        out = ours.eval()(gb.tensor(x)).data
    np.testing.assert_allclose(out, ref, rtol=1e-4, atol=2e-5 * float(np.abs(ref).max()))


def test_transform_input_matches_torchvision():
    x = np.random.default_rng(4).standard_normal((2, 3, 5, 4)).astype(np.float32)
    for cls in (_tv_module("googlenet").GoogLeNet, _tv_module("inception").Inception3):
        ref = cls._transform_input(types.SimpleNamespace(transform_input=True), torch.from_numpy(x)).numpy()
        np.testing.assert_allclose(transform_input(gb.tensor(x)).data, ref, rtol=1e-6, atol=1e-6)


@slow
@pytest.mark.parametrize("name, size", [("googlenet", 64), ("inception_v3", 299)])
def test_training_outputs_with_auxiliary_classifiers(name, size):
    """In training mode (batch statistics, dropout 0) the model returns torchvision's named tuple,
    each field equal to torchvision's. In float64: batch statistics over a batch of two divide by
    small variances a hundred times over, which float32 rounding does not survive to 1e-4."""
    kwargs = {"dropout": 0.0, **({"dropout_aux": 0.0} if name == "googlenet" else {})}
    twin = _randomize_norms(_twin(name, kwargs)).double().train()
    ours = models.get_model(name, **kwargs)
    models.load_torch_state_dict(ours, {k: v.numpy() for k, v in twin.state_dict().items()}, strict=True)
    ours.double()
    x = np.random.default_rng(5).standard_normal((2, 3, size, size))
    with torch.no_grad():
        ref = twin(torch.from_numpy(x))
    with gb.no_grad():
        out = ours.train()(gb.tensor(x))
    assert type(out).__name__ == type(ref).__name__ and out._fields == ref._fields
    for field in ref._fields:
        r, o = getattr(ref, field).numpy(), getattr(out, field).data
        assert o.dtype == np.float64
        np.testing.assert_allclose(o, r, rtol=1e-7, atol=1e-9 * float(np.abs(r).max()), err_msg=field)
    assert isinstance(ours.eval()(gb.tensor(x[:, :, :75, :75])), gb.Tensor)  # eval: the logits alone


def test_registry_has_the_models():
    assert set(PUBLISHED) <= set(models.list_models())
    assert isinstance(models.get_model("DenseNet121", num_classes=3), models.DenseNet)


def test_weights_argument_errors_point_to_load_torch_state_dict():
    for name in PUBLISHED:
        with pytest.raises(ValueError, match=f"{name}\\(weights=.*does not download weights.*load_torch_state_dict"):
            models.get_model(name, weights="IMAGENET1K_V1")


def test_bad_arguments_are_clear_errors():
    with pytest.raises(ValueError, match="DenseNet: memory_efficient=True .*not supported"):
        models.densenet121(memory_efficient=True)
    with pytest.raises(ValueError, match="Unsupported SqueezeNet version 1_2"):
        models.SqueezeNet("1_2")
    with pytest.raises(ValueError, match="stages_repeats as list of 3"):
        models.ShuffleNetV2([4, 8], [24, 48, 96, 192, 1024])
    with pytest.raises(ValueError, match="inverted_residual_setting should be non-empty"):
        models.mobilenet_v2(inverted_residual_setting=[[1, 16, 1]])
    with pytest.raises(ValueError, match="stride should be 1 or 2 instead of 3"):
        models.mobilenet_v2(inverted_residual_setting=[[1, 16, 1, 3]])
    with pytest.raises(ValueError, match="blocks length should be 3"):
        models.GoogLeNet(blocks=[])
    for net in (models.mobilenet_v2(), models.squeezenet1_1(), models.shufflenet_v2_x0_5()):
        with pytest.raises(ValueError, match="3 channels"):
            net(gb.randn(1, 1, 32, 32))


def test_initialisation_follows_torchvision():
    w = models.mobilenet_v2().features[2].conv[0][0].weight.data  # kaiming_normal_(fan_out): √(2 / (96·1·1))
    assert abs(w.std() / np.sqrt(2 / 96) - 1) < 0.03
    fc = models.inception_v3().AuxLogits.fc.weight.data  # the aux head's own stddev, 0.001
    assert abs(fc.std() / 0.001 - 1) < 0.03
    conv = models.googlenet(aux_logits=False).inception3a.branch1.conv.weight.data
    assert abs(conv.std() / 0.01 - 1) < 0.05
    final = models.squeezenet1_1().classifier[1]
    assert abs(final.weight.data.std() / 0.01 - 1) < 0.05 and np.all(final.bias.data == 0)
    assert all(np.all(m.weight.data == 1) for m in models.densenet121().modules() if isinstance(m, nn.BatchNorm2d))


@pytest.mark.parametrize("case", ["mobilenet_v2_width_0.5", "shufflenet_v2_x0_5", "squeezenet1_1"])
def test_training_gradients_match_torchvision(case):
    """One training-mode backward (batch statistics, dropout 0) in float64: the loss and every
    parameter's gradient equal torchvision's (depthwise convs, chunk, concatenation, shuffle)."""
    name, kwargs = CASES[case]
    kwargs = {**kwargs, **({"dropout": 0.0} if name != "shufflenet_v2_x0_5" else {})}
    twin = _randomize_norms(_twin(name, {**kwargs, "num_classes": 10})).double().train()
    ours = models.get_model(name, **kwargs, num_classes=10)
    models.load_torch_state_dict(ours, {k: v.numpy() for k, v in twin.state_dict().items()}, strict=True)
    ours.double().train()
    x = np.random.default_rng(6).standard_normal((2, 3, 32, 32))
    target = np.array([3, 7])
    loss_ref = torch.nn.functional.cross_entropy(twin(torch.from_numpy(x)), torch.from_numpy(target))
    loss_ref.backward()
    loss = nn.functional.cross_entropy(ours(gb.tensor(x)), gb.tensor(target))
    loss.backward()
    np.testing.assert_allclose(loss.data, loss_ref.item(), rtol=1e-10)
    grads = dict(ours.named_parameters())
    # one scale for all: a norm's bias feeding straight into another norm has a true gradient of 0,
    # computed as rounding noise (1e-14) on both sides
    scale = max(float(p.grad.abs().max()) for p in twin.parameters())
    for key, p in twin.named_parameters():
        np.testing.assert_allclose(grads[key].grad.data, p.grad.numpy(), rtol=1e-7, atol=1e-10 * scale, err_msg=key)
