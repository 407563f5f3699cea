"""lightweight recomputed by hand and in torch: each unit's parameters and multiply-adds by formula, SqueezeNet and
AlexNet counted from torchvision's definitions, MobileNet v1 and its full-conv twin by summing Table 1 of the
paper by hand, the channel shuffle's connectivity in torch, and the verdicts from those numbers."""
import numpy as np
import pytest
import torch

from gradbook import handbook
from gradbook.handbook.entries import lightweight as entry
from tests.models.torchvision_models import torchvision_models

C, HW = entry.C, entry.SIZE ** 2


@pytest.fixture(scope="module")
def run():
    return handbook.run("lightweight", quick=True)


def test_units_by_formula(run):
    n_ = run.numbers
    bn = 2  # γ and β per channel
    weights = {"plain": C * C * 9,
               "fire": C * 32 + 32 * 128 + 32 * 128 * 9,
               "separable": C * 9 + C * C,
               **{f"shuffle{g}": C * 64 // g + 64 * 9 + 64 * C // g for g in entry.SHUFFLE_GROUPS}}
    extra = {"plain": bn * C, "fire": 32 + 128 + 128, "separable": bn * 2 * C,
             **{f"shuffle{g}": bn * (64 + 64 + C) for g in entry.SHUFFLE_GROUPS}}
    for key, w in weights.items():
        assert n_[f"{key}_params"] == w + extra[key], key
        assert n_[f"{key}_macs"] == w * HW, key     # every unit keeps the 28x28 map
    assert np.isclose(n_["sep_ratio"], 1 / C + 1 / 9) and np.isclose(n_["sep_ratio_32"], 1 / 32 + 1 / 9)
    assert run.verdicts["separable-1-over-k2"] == ("confirmed" if abs(1 / C + 1 / 9 - 1 / 9) < 0.01 / 9
                                                   else "corrected")


def test_whole_networks_against_torchvision_and_table_1(run):
    n_ = run.numbers
    torchvision_models()
    from torchvision.models import alexnet, squeezenet1_0
    count = lambda m: sum(p.numel() for p in m.parameters())  # noqa: E731
    assert n_["squeezenet_params"] == count(squeezenet1_0()) and n_["alexnet_params"] == count(alexnet())
    # MobileNet v1 by hand (Table 1): stem 3x3/2 → 32 at 112x112, then (out, stride) units
    size, c = 112, 32
    macs = conv_macs = 112 * 112 * 27 * 32
    params = conv_params = 27 * 32 + 2 * 32
    table_1 = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2)] + [(512, 1)] * 5 + [(1024, 2), (1024, 1)]
    for out, stride in table_1:
        size //= stride
        macs += size * size * (9 * c + c * out)
        conv_macs += size * size * 9 * c * out
        params += 9 * c + 2 * c + c * out + 2 * out
        conv_params += 9 * c * out + 2 * out
        c = out
    params += 1024 * 1000 + 1000
    conv_params += 1024 * 1000 + 1000
    macs, conv_macs = macs + 1024 * 1000, conv_macs + 1024 * 1000
    assert (n_["mobilenet_params"], n_["mobilenet_macs"]) == (params, macs)
    assert (n_["conv_mobilenet_params"], n_["conv_mobilenet_macs"]) == (conv_params, conv_macs)
    assert run.verdicts["mobilenet-table"] == "confirmed"   # 4.2M / 29.3M / 569M / 4866M in the paper
    assert run.verdicts["squeezenet-50x"] == ("confirmed" if 45 <= n_["alexnet_params"] / n_["squeezenet_params"]
                                              <= 55 else "corrected")


def test_shuffle_connectivity_in_torch(run):
    g, c = run.numbers["groups"], 24
    torch.manual_seed(0)
    first, second = (torch.nn.Conv2d(c, c, 1, groups=g, bias=False) for _ in range(2))

    def joined(shuffle):
        def net(x):
            h = first(x)
            if shuffle:
                h = h.view(1, g, c // g, 1, 1).transpose(1, 2).reshape(1, c, 1, 1)
            return second(h)
        jac = torch.autograd.functional.jacobian(net, torch.randn(1, c, 1, 1)).reshape(c, c)
        blocks = jac.reshape(g, c // g, g, c // g).abs().amax(dim=(1, 3))
        return float((blocks > 0).float().mean())

    assert joined(False) == run.numbers["joined_plain"] == 1 / g
    assert joined(True) == run.numbers["joined_shuffled"] == 1.0
