"""lstm against torch: the same layers (gradbook's initial weights loaded into torch.nn.RNN / GRU / LSTM),
the same memory-task batches rebuilt by hand, ∂L_T/∂x_t by torch's autograd, the per-step factors refitted
with scipy's linregress, the mean forget gate from torch's own gate activations, W_hh's spectral radius
from torch.linalg, and the verdicts rederived from the numbers."""
import numpy as np
import pytest
import torch
from scipy.stats import linregress

from gradbook import handbook
from gradbook.handbook.entries.lstm import FORGET_BIASES, make

TORCH = {"rnn": lambda: torch.nn.RNN(4, 32), "relu": lambda: torch.nn.RNN(4, 32, nonlinearity="relu"),
         "irnn": lambda: torch.nn.RNN(4, 32, nonlinearity="relu"), "gru": lambda: torch.nn.GRU(4, 32),
         "lstm": lambda: torch.nn.LSTM(4, 32)}


@pytest.fixture(scope="module")
def result():
    return handbook.run("lstm", quick=True)


def batch(seed, length):
    rng = np.random.default_rng([seed, 1])
    y = rng.integers(0, 2, 64)
    x = rng.standard_normal((length, 64, 4)) * 0.5
    x[0, :, 0] = np.where(y == 1, 1.0, -1.0)
    return torch.tensor(x, requires_grad=True), torch.tensor(y)


def torch_pair(variant, seed, bias):
    core, head = make(variant, seed, bias)
    tcore, thead = TORCH[variant]().double(), torch.nn.Linear(32, 2).double()
    tcore.load_state_dict({k: torch.tensor(np.asarray(v)) for k, v in core.state_dict().items()})
    thead.load_state_dict({k: torch.tensor(np.asarray(v)) for k, v in head.state_dict().items()})
    return tcore, thead


def norms_and_forget(variant, seed, bias, length):
    core, head = torch_pair(variant, seed, bias)
    x, y = batch(seed, length)
    out, _ = core(x)
    torch.nn.functional.cross_entropy(head(out[-1]), y).backward()
    norms = x.grad.norm(dim=2).mean(dim=1).numpy()
    forget = None
    if variant == "lstm":  # torch's own forget gates, step by step through an LSTMCell with the same weights
        cell = torch.nn.LSTMCell(4, 32).double()
        cell.load_state_dict({k[:-3]: v for k, v in core.state_dict().items()})
        h = c = torch.zeros(64, 32, dtype=torch.float64)
        gates = []
        with torch.no_grad():
            for x_t in x:
                z = x_t @ cell.weight_ih.T + cell.bias_ih + h @ cell.weight_hh.T + cell.bias_hh
                gates.append(torch.sigmoid(z[:, 32:64]))
                h, c = cell(x_t, (h, c))
        forget = torch.stack(gates).mean().item()
    radius = torch.linalg.eigvals(core.weight_hh_l0).abs().max().item() if variant == "rnn" else None
    return norms, forget, radius


def refit(norms):
    distance = np.arange(len(norms))[::-1]
    keep = norms > 0
    fit = linregress(distance[keep], np.log10(norms[keep]))
    return 10 ** fit.slope, fit.rvalue ** 2


def test_gradients_through_time_match_torch_and_verdicts_follow(result):
    n = result.numbers
    length, seeds = n["length"], n["seeds"]
    settings = [(v, 0.0) for v in ("rnn", "relu", "irnn", "gru", "lstm")] + [("lstm", b) for b in FORGET_BIASES[1:]]
    radii = []
    for variant, bias in settings:
        key = variant if variant != "lstm" else f"lstm_f{bias:g}"
        factors, fits, firsts, forgets = [], [], [], []
        for seed in range(seeds):
            norms, forget, radius = norms_and_forget(variant, seed, bias, length)
            factor, fit = refit(norms)
            factors.append(factor)
            fits.append(fit)
            firsts.append(norms[0] / norms[-1])
            forgets.append(forget)
            radii.append(radius)
        assert n[f"factor_{key}"] == pytest.approx(np.exp(np.mean(np.log(factors))), rel=1e-6), key
        assert n[f"r2_{key}"] == pytest.approx(min(fits), abs=1e-6), key
        assert n[f"survive_{key}"] == pytest.approx(np.exp(np.mean(np.log(firsts))), rel=1e-5), key
        if variant == "lstm":
            assert n[f"forget_{key}"] == pytest.approx(np.mean(forgets), rel=1e-10), key
    assert n["radius_whh"] == pytest.approx(np.mean([r for r in radii if r is not None]), rel=1e-10)

    steady = 0.9
    expected = {
        "chain-product": "confirmed" if n["r2_rnn"] >= 0.95 and n["factor_rnn"] < 1 else "depends",
        "relu-instead": "confirmed" if n["factor_relu"] >= steady else "depends" if n["factor_irnn"] >= steady
        else "corrected",
        "lstm-eases": "confirmed" if n["factor_lstm_f0"] >= steady
        else "depends" if max(n[f"factor_lstm_f{b:g}"] for b in FORGET_BIASES) >= steady
        and n["factor_lstm_f0"] > n["factor_rnn"] else "corrected",
    }
    assert result.verdicts == expected
    assert [f.name for f in result.figures] == ["lstm-cell", "lstm-gradients"]
    assert all(f.png[:4] == b"\x89PNG" for f in result.figures)
