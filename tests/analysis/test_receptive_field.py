"""Receptive field: analytic recursion against hand calculation and against the gradient of one
output unit (random stacks), from specs, modules and models."""
from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import gradbook.nn as nn
from gradbook.analysis import receptive_field
from gradbook.models import LeNet5


def test_stacked_3x3_equals_one_larger_kernel():
    assert receptive_field(["conv3", "conv3"], (32, 32)).size == receptive_field(["conv5"], (32, 32)).size == (5, 5)
    assert receptive_field(["conv3"] * 3, (32, 32)).size == receptive_field(["conv7"], (32, 32)).size == (7, 7)
    assert receptive_field(["conv1"], (8, 8)).size == (1, 1)  # a 1x1 convolution mixes channels only


def test_hand_calculation():
    # k3 s2 p1 twice: r = 1 + 2·1 = 3, j = 2, start = 0; then r = 3 + 2·2 = 7, j = 4, start = 0
    rf = receptive_field(["conv3s2p1", "conv3s2p1"], (5, 5))
    (a, b) = rf.layers
    assert (a.size, a.jump, a.start, a.output) == ((3, 3), (2, 2), (0.0, 0.0), (3, 3))
    assert (b.size, b.jump, b.start, b.output) == ((7, 7), (4, 4), (0.0, 0.0), (2, 2))
    # a pool after a valid conv: start moves by (k-1)/2 · jump
    rf = receptive_field(["conv5", "pool2"], (28, 28))
    assert rf.size == (6, 6) and rf.jump == (2, 2) and rf.start == (2.5, 2.5)
    # dilation 2 makes a 3x3 kernel span 5
    assert receptive_field(["conv3d2"], (9, 9)).size == (5, 5)


@given(layers=st.lists(st.tuples(st.sampled_from(["conv", "maxpool"]), st.integers(1, 4), st.integers(1, 3),
                                 st.integers(0, 2), st.integers(1, 2)), min_size=1, max_size=4),
       n=st.integers(8, 40))
def test_analytic_box_confirmed_by_gradient(layers, n):
    specs = [f"{kind}{k}s{s}p{min(p, k // 2)}d{d}" for kind, k, s, p, d in layers]
    try:
        rf = receptive_field(specs, (n, n + 3))
    except ValueError:
        assume(False)  # the input is too small for this stack
    assume(rf.interior)  # some output unit's whole field lies inside the input
    assert rf.confirmed, (specs, rf.analytic_box, rf.empirical_box)


def test_modules_and_models():
    convs = [nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(4, 4, 3, dilation=2)]
    a = receptive_field(convs, (3, 32, 32))
    b = receptive_field(["conv3p1", "pool2", "conv3d2"], (32, 32))
    assert [r.size for r in a.layers] == [r.size for r in b.layers] and a.confirmed
    rf = receptive_field(LeNet5(), (1, 28, 28))
    assert rf.size == (16, 16) and rf.confirmed
    assert rf.skipped[0] == "flatten"  # stops where positions are mixed
    assert "RF size" in str(rf)
    one_d = receptive_field([nn.Conv1d(1, 1, 3), nn.Conv1d(1, 1, 3, stride=2)], (2, 20))
    assert one_d.size == (5,) and one_d.confirmed


def test_errors():
    with pytest.raises(ValueError, match="cannot read layer spec"):
        receptive_field(["conv"], (8, 8))
    with pytest.raises(ValueError, match="Linear.*not a convolution or pooling layer"):
        receptive_field([nn.Linear(3, 3)], (8, 8))
    with pytest.raises(ValueError, match="too small"):
        receptive_field(["conv5"], (3, 3))
