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
    # the notes' "1x1" greyscale-to-3 filter: a real 1x1 kernel has 1·1·1·3 weights + 3 biases
    true_1x1 = _n(torch.nn.Conv2d(1, 3, 1))
    assert r.numbers["conv_1to3_if_1x1"] == r.numbers["conv_1to3_if_1x1_built"] == true_1x1 == 1 * 1 * 1 * 3 + 3
    notes = {"fc": 32, "lstm": 48, "stacked": 12620, "conv_1to3": 15, "conv_3to1": 13}
    expected = {
        "fc-3-5-2": "confirmed" if (3 * 5 + 5 * 2) + (5 + 2) == notes["fc"] else "corrected",
        # right with one bias per gate, not with torch's two: a convention, so "depends"
        "rnn-textbook-counts": "depends" if g * (h * (h + i) + h) == notes["lstm"] != _n(torch.nn.LSTM(3, 2))
        else "corrected",
        "conv-1x1-gray-to-3": "confirmed" if true_1x1 == notes["conv_1to3"] else "corrected",
        "conv-2x2-rgb-to-1": "confirmed" if _n(torch.nn.Conv2d(3, 1, 2)) == notes["conv_3to1"] else "corrected",
        "formulas-match-built-layers": "confirmed",
    }
    assert expected["conv-1x1-gray-to-3"] == "corrected"
    assert r.verdicts == expected
