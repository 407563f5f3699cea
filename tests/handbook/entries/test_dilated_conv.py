"""dilated-conv against the receptive-field recursion written out by hand and torch's own convolutions
and autograd (output sizes, and which input pixels reach the centre output)."""
import numpy as np
import torch

from gradbook import handbook
from gradbook.handbook.entries import dilated_conv


def _rf(dilations, kernel=3):
    """r = 1 + Σ d_l (k − 1) at stride 1."""
    return 1 + sum(d * (kernel - 1) for d in dilations)


def _torch_weights_one(model):
    for layer in model:
        if isinstance(layer, torch.nn.Conv2d):
            torch.nn.init.ones_(layer.weight)
    return model


def _torch_stack(dilations):
    return _torch_weights_one(torch.nn.Sequential(
        *[torch.nn.Conv2d(1, 1, 3, padding=d, dilation=d, bias=False) for d in dilations]))


def _torch_pooled():
    return _torch_weights_one(torch.nn.Sequential(
        torch.nn.Conv2d(1, 1, 3, padding=1, bias=False), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(1, 1, 3, padding=1, bias=False), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(1, 1, 3, padding=1, bias=False)))


def _torch_reach(model):
    """Input pixels with a nonzero gradient of the centre output, and the output side."""
    x = torch.tensor(np.random.default_rng(dilated_conv.INPUT_SEED).random((1, 1, 64, 64)), dtype=torch.float32,
                     requires_grad=True)
    y = model(x)
    side = y.shape[-1]
    y[0, 0, side // 2, side // 2].backward()
    return int((x.grad != 0).sum()), side


def test_dilated_conv_numbers_against_the_recursion_and_torch():
    r = handbook.run("dilated-conv", quick=True)
    for depth in range(1, 6):
        assert r.numbers[f"rf_plain_{depth}"] == _rf([1] * depth)
        assert r.numbers[f"rf_dilated_{depth}"] == _rf([2 ** i for i in range(depth)]) == 2 ** (depth + 1) - 1
    assert r.numbers["weights_plain_3"] == r.numbers["weights_dilated_3"] == 3 * 9 * 64 * 64
    for name, dilations in (("dilated_124", (1, 2, 4)), ("dilated_125", (1, 2, 5)), ("dilated_222", (2, 2, 2))):
        reached, side = _torch_reach(_torch_stack(dilations))
        assert r.numbers[f"rf_{name}"] == _rf(dilations)
        assert r.numbers[f"out_{name}"] == side == 64
        assert np.isclose(r.numbers[f"coverage_{name}"], reached / _rf(dilations) ** 2)
    # dilation 2 three times: only the 7 even offsets of 13 per axis are reached
    assert np.isclose(r.numbers["coverage_dilated_222"], (7 / 13) ** 2)
    reached, side = _torch_reach(_torch_pooled())
    assert r.numbers["rf_pooled"] == 18 and r.numbers["out_pooled"] == side == 16  # 3 → 4 → 8 → 10 → 18
    assert np.isclose(r.numbers["coverage_pooled"], reached / 18 ** 2)
    assert r.verdicts == {"rf-grows-exponentially": "confirmed", "keeps-resolution": "confirmed",
                          "no-pixel-skipped": "depends"}
    assert [f.name for f in r.figures] == ["dilated_coverage"]
