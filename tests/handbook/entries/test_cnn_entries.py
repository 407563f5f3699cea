"""receptive-field, why-3x3, conv-1x1 and conv-output-shape against hand formulas and torch."""
import math

import torch

from gradbook import handbook


def _rf(kernels, strides):
    """r_l = r_{l-1} + (k_l - 1) * prod(earlier strides), written out independently."""
    r, jump = 1, 1
    for k, s in zip(kernels, strides):
        r += (k - 1) * jump
        jump *= s
    return r


def test_receptive_field():
    r = handbook.run("receptive-field", quick=True)
    for n in (1, 2, 3, 4):
        assert r.numbers[f"rf_{n}x3x3"] == r.numbers[f"rf_{n}x3x3_gradient"] == _rf([3] * n, [1] * n)
    assert r.numbers["rf_stride2_then_3x3"] == _rf([3, 3], [2, 1]) == 7
    x = torch.zeros(1, 1, 28, 28)
    two = torch.nn.Sequential(torch.nn.Conv2d(1, 1, 3), torch.nn.Conv2d(1, 1, 3))
    assert r.numbers["out_two_3x3_on_28"] == two(x).shape[-1] == torch.nn.Conv2d(1, 1, 5)(x).shape[-1]
    # the increments by the recursion: 2 at stride 1, (k − 1)·2 after a stride-2 layer, d(k − 1) when dilated
    after_stride2 = _rf([3, 3], [2, 1]) - _rf([3], [2])
    dilated = (1 + 2 + 2 * 2) - _rf([3], [1])
    assert (r.numbers["add_after_stride2"], r.numbers["add_dilated"]) == (after_stride2, dilated) == (4, 4)
    stride1_two = all(_rf([3] * (n + 1), [1] * (n + 1)) - _rf([3] * n, [1] * n) == 2 for n in (1, 2, 3))
    assert r.verdicts == {"two-3x3-see-5x5": "confirmed", "three-3x3-see-7x7": "confirmed",
                          "same-output-size": "confirmed",
                          "grows-by-two": "depends" if stride1_two and (after_stride2, dilated) != (2, 2)
                          else "confirmed" if stride1_two else "corrected"}


def test_why_3x3():
    r = handbook.run("why-3x3", quick=True)
    c = r.numbers["channels"]
    assert r.numbers["weights_three_3x3"] == 3 * 3 * 3 * c * c
    assert r.numbers["weights_one_7x7"] == 7 * 7 * c * c
    assert r.numbers["macs_three_3x3"] == 3 * (9 * c) * c * 56 * 56
    assert r.numbers["macs_one_7x7"] == (49 * c) * c * 56 * 56
    assert set(r.verdicts.values()) == {"confirmed"}


def test_conv_1x1():
    r = handbook.run("conv-1x1", quick=True)
    assert r.numbers["weights_direct_5x5"] == 5 * 5 * 192 * 32
    assert r.numbers["weights_with_bottleneck"] == 192 * 16 + 5 * 5 * 16 * 32
    assert r.numbers["macs_direct"] == 28 * 28 * 32 * 5 * 5 * 192  # the classic 120 M multiply-adds
    assert r.numbers["macs_with_bottleneck"] == 28 * 28 * 16 * 192 + 28 * 28 * 32 * 5 * 5 * 16
    assert set(r.verdicts.values()) == {"confirmed"}


def test_conv_output_shape():
    r = handbook.run("conv-output-shape", quick=True)
    assert r.numbers["alexnet_224"] == math.floor((224 - 11) / 4) + 1 == 54
    assert r.numbers["alexnet_227"] == torch.nn.Conv2d(3, 1, 11, stride=4)(torch.zeros(1, 3, 227, 227)).shape[-1]
    pool = torch.nn.MaxPool2d(3, 2, ceil_mode=True)
    assert r.numbers["pool_ceil_on_6"] == pool(torch.zeros(1, 1, 6, 6)).shape[-1]
    assert r.numbers["conv_mismatches"] == r.numbers["pool_mismatches"] == r.numbers["conv_not_floor"] == 0
    # the entry's own random configurations, replayed through torch: how often does ceil mode round up?
    from gradbook import backend
    from gradbook.handbook.entries.conv_output_shape import _random_cases
    ups = 0
    for size, k, s, p, d in _random_cases(backend.spawn_rng(5), r.numbers["cases_checked"]):
        x = torch.zeros(1, 1, size, size)
        conv = torch.nn.Conv2d(1, 1, k, stride=s, padding=p, dilation=d)(x).shape[-1]
        assert conv == math.floor((size + 2 * p - d * (k - 1) - 1) / s) + 1
        ups += torch.nn.MaxPool2d(k, s, p, d, ceil_mode=True)(x).shape[-1] > conv
    assert r.numbers["pool_ceil_rounds_up"] == ups > 0
    assert r.verdicts == {"formula-matches-layers": "confirmed",
                          "alexnet-224-gives-55": "confirmed" if math.floor((224 - 11) / 4) + 1 == 55 else "corrected",
                          "floor-always": "depends" if ups else "confirmed"}
