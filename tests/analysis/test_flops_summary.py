"""flops and summary: multiply-adds by hand formula, conv/transposed-conv adjoint symmetry, the
summary's rows against running layers, and the model left as it was."""
from __future__ import annotations

import pytest

import gradbook.nn as nn
from gradbook.analysis import conv_output_shape, count_params, flops, summary, trace
from gradbook.models import LeNet5


def test_lenet5_multiply_adds_by_hand():
    f = flops(LeNet5(), (1, 28, 28))
    assert f["features.0"] == 28 * 28 * 6 * (1 * 5 * 5)
    assert f["features.3"] == 10 * 10 * 16 * (6 * 5 * 5)
    assert f["classifier.0"] + f["classifier.2"] + f["classifier.4"] == 400 * 120 + 120 * 84 + 84 * 10
    assert f["features.1"] == 0 and f["total"] == 117600 + 240000 + 48000 + 10080 + 840


def test_transposed_conv_costs_what_its_forward_conv_costs():
    conv = nn.Sequential(nn.Conv2d(3, 8, 3, stride=2, padding=1, groups=1))
    n_out = conv_output_shape(16, 3, 2, 1)
    deconv = nn.Sequential(nn.ConvTranspose2d(8, 3, 3, stride=2, padding=1, output_padding=1))
    assert flops(conv, (3, 16, 16))["total"] == flops(deconv, (8, n_out, n_out))["total"]


def test_recurrent_multiply_adds():
    m = nn.LSTM(3, 5, num_layers=2, bidirectional=True)
    T = 7
    want = T * 2 * 4 * 5 * (3 + 5) + T * 2 * 4 * 5 * (10 + 5)
    assert flops(m, (T, 3), batch_dim=1)["total"] == want
    assert flops(nn.Sequential(nn.GRUCell(4, 6)), (4,))["total"] == 3 * 6 * (4 + 6)


def test_projected_lstm_multiply_adds_are_its_weight_matrices_per_step():
    m = nn.LSTM(3, 5, num_layers=2, bidirectional=True, proj_size=2)
    T = 7  # every weight matrix (W_ih, W_hh, W_hr of each layer and direction) is applied once per step
    want = T * sum(p.data.size for name, p in m.named_parameters() if name.startswith("weight"))
    assert flops(m, (T, 3), batch_dim=1)["total"] == want


def test_summary_rows_and_totals():
    model = LeNet5()
    model.train()
    s = summary(model, (1, 28, 28))
    assert s.total_params == count_params(model) == s.trainable_params
    assert [r.output_shape for r in s.rows][:3] == [(1, 6, 28, 28)] * 2 + [(1, 6, 14, 14)]
    assert s.rows[-1].output_shape == (1, 10)
    assert sum(r.params for r in s.rows) == s.total_params
    text = str(s)
    assert f"{s.total_params:,}" in text and "Mult-Adds" in text and "features.3 (Conv2d)" in text
    assert model.training and "forward" not in model.features[0].__dict__  # left as it was


def test_trace_error_names_the_model():
    with pytest.raises(ValueError, match="LeNet5 failed on an input of shape"):
        trace(LeNet5(), (3, 28, 28))


def test_locally_connected_costs_what_the_same_conv_costs():
    """Unshared weights change the parameter count, not the arithmetic: OH·OW·C_out·C_in·k² either way."""
    conv = nn.Sequential(nn.Conv2d(3, 4, 3, stride=2, padding=1))
    local = nn.Sequential(nn.LocallyConnected2d(3, 4, 3, 9, stride=2, padding=1))
    by_hand = 5 * 5 * 4 * 3 * 3 * 3
    assert flops(conv, (3, 9, 9))["total"] == flops(local, (3, 9, 9))["total"] == by_hand
    assert count_params(local[0]) == 5 * 5 * count_params(conv[0])
