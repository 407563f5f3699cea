import torch

from gradbook import handbook


def _n(module):
    return sum(p.numel() for p in module.parameters())


def test_param_count_numbers_against_hand_formulas_and_torch():
    r = handbook.run("param-count", quick=True)
    assert r.numbers["fc_formula"] == (3 * 5 + 5 * 2) + (5 + 2)
    g, h, i = 4, 2, 3
    assert r.numbers["lstm_single"] == g * (h * (h + i) + h) == 48
    assert r.numbers["lstm_double"] == _n(torch.nn.LSTM(3, 2)) == 56
    gru, lstm = torch.nn.GRU(8, 5, bidirectional=True), torch.nn.LSTM(10, 50)
    assert r.numbers["stacked_double"] == _n(gru) + _n(lstm)
    assert r.numbers["stacked_single"] == 2 * 3 * (5 * (5 + 8) + 5) + 4 * (50 * (50 + 10) + 50)
    # Keras: LSTM one bias per gate, GRU (reset_after) two
    assert r.numbers["stacked_keras"] == _n(gru) + 4 * (50 * (50 + 10) + 50)
    assert r.numbers["conv_1to3"] == _n(torch.nn.Conv2d(1, 3, 2)) == 15
    assert r.numbers["conv_3to1"] == _n(torch.nn.Conv2d(3, 1, 2)) == 13
    assert r.verdicts == {"fc-3-5-2": "confirmed", "rnn-textbook-counts": "depends", "conv-counts": "confirmed",
                          "formulas-match-built-layers": "confirmed"}
