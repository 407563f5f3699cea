"""Parameter formulas against count_params of built layers (gradbook's and torch's), and the
textbook / Keras conventions against their weight shapes."""
from __future__ import annotations

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import gradbook.nn as nn
from gradbook.analysis import conv_params, count_params, fc_params, rnn_params
from gradbook.models import LeNet5

KINDS = {"rnn": (nn.RNN, torch.nn.RNN, 1), "gru": (nn.GRU, torch.nn.GRU, 3), "lstm": (nn.LSTM, torch.nn.LSTM, 4)}


@given(sizes=st.lists(st.integers(1, 40), min_size=2, max_size=5), bias=st.booleans())
def test_fc_params_equals_built_stack(sizes, bias):
    model = nn.Sequential(*[nn.Linear(a, b, bias=bias) for a, b in zip(sizes[:-1], sizes[1:])])
    assert fc_params(sizes, bias=bias) == count_params(model)


@given(cin_g=st.integers(1, 4), cout_g=st.integers(1, 4), groups=st.integers(1, 3),
       kh=st.integers(1, 5), kw=st.integers(1, 5), bias=st.booleans())
def test_conv_params_equals_built_layers(cin_g, cout_g, groups, kh, kw, bias):
    cin, cout = cin_g * groups, cout_g * groups
    n = conv_params(cin, cout, (kh, kw), groups=groups, bias=bias)
    assert n == count_params(nn.Conv2d(cin, cout, (kh, kw), groups=groups, bias=bias))
    assert n == sum(p.numel() for p in torch.nn.Conv2d(cin, cout, (kh, kw), groups=groups, bias=bias).parameters())
    if kh == kw:
        assert conv_params(cin, cout, kh, groups=groups, bias=bias) == n


@given(kind=st.sampled_from(sorted(KINDS)), i=st.integers(1, 12), h=st.integers(1, 12),
       layers=st.integers(1, 3), bidirectional=st.booleans(), bias=st.booleans())
def test_rnn_params_pytorch_convention_equals_built_layers(kind, i, h, layers, bidirectional, bias):
    ours, theirs, _ = KINDS[kind]
    n = rnn_params(kind, i, h, layers, bidirectional, bias="double" if bias else "none")
    assert n == rnn_params(kind, i, h, layers, bidirectional, bias=bias)
    assert n == count_params(ours(i, h, num_layers=layers, bidirectional=bidirectional, bias=bias))
    assert n == sum(p.numel() for p in theirs(i, h, num_layers=layers, bidirectional=bidirectional,
                                              bias=bias).parameters())


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("i,h", [(3, 2), (16, 32), (1, 7)])
def test_single_and_keras_conventions(kind, i, h):
    g = KINDS[kind][2]
    assert rnn_params(kind, i, h, bias="single") == g * (h * (h + i) + h)  # the textbook formula
    # Keras: kernel (i, g·h) + recurrent_kernel (h, g·h) + bias (g·h,), GRU reset_after bias (2, g·h)
    keras_bias = 2 * g * h if kind == "gru" else g * h
    assert rnn_params(kind, i, h, bias="keras") == i * g * h + h * g * h + keras_bias
    # with two directions and layers the convention applies per layer and direction
    assert rnn_params(kind, i, h, 2, True, bias="single") == \
        2 * g * (h * (h + i) + h) + 2 * g * (h * (h + 2 * h) + h)


def test_handbook_cases():
    assert fc_params([3, 5, 2]) == 3 * 5 + 5 + 5 * 2 + 2
    assert rnn_params("lstm", 3, 2) == count_params(nn.LSTM(3, 2)) == 4 * 2 * (3 + 2) + 2 * 4 * 2
    assert rnn_params("lstm", 3, 2, bias="single") == 4 * (2 * (2 + 3) + 2)
    stacked = nn.Sequential(nn.GRU(8, 5, bidirectional=True), nn.LSTM(10, 50))
    assert count_params(stacked) == rnn_params("gru", 8, 5, bidirectional=True) + rnn_params("lstm", 10, 50)
    assert conv_params(1, 3, 2) == count_params(nn.Conv2d(1, 3, 2)) == 3 * 4 + 3
    assert conv_params(3, 1, 2) == count_params(nn.Conv2d(3, 1, 2)) == 3 * 4 + 1


def test_count_params_shared_and_trainable():
    lin = nn.Linear(4, 3)
    tied = nn.Sequential(lin, nn.ReLU(), lin)  # the same layer twice counts once
    assert count_params(tied) == 15
    model = LeNet5()
    total = count_params(model)
    model.features[0].weight.requires_grad_(False)
    assert count_params(model, trainable_only=True) == total - model.features[0].weight.numel()


def test_errors():
    with pytest.raises(ValueError, match="kind must be one of"):
        rnn_params("transformer", 3, 2)
    with pytest.raises(ValueError, match="bias must be one of"):
        rnn_params("lstm", 3, 2, bias="triple")
    with pytest.raises(ValueError, match="at least two sizes"):
        fc_params([3])
    with pytest.raises(ValueError, match="divisible by groups"):
        conv_params(3, 4, 3, groups=2)
    with pytest.raises(ValueError, match="expected a Module"):
        count_params([1, 2])
