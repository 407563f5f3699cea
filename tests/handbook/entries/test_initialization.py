import math

import numpy as np
import torch

from gradbook import backend, handbook
from gradbook.handbook.entries.initialization import blobs


def _torch_relu_last_over_first(init_fn, depth, width):
    g = torch.Generator().manual_seed(0)
    h = torch.randn(4 * width, width, generator=g, dtype=torch.float64)
    stds = []
    for _ in range(depth):
        w = torch.empty(width, width, dtype=torch.float64)
        init_fn(w, generator=g)
        h = torch.relu(h @ w.T)
        stds.append(h.std().item())
    return stds[-1] / stds[0]


def test_initialization_scales_follow_the_variance_recursion():
    r = handbook.run("initialization", quick=True)
    n, depth = r.numbers["width"], r.numbers["depth"]
    ratio = lambda k: r.numbers[f"relu_{k}_last"] / r.numbers[f"relu_{k}_l1"]  # noqa: E731
    # Var(z_{l+1}) = n·Var(W)·E[relu(z)²] = n·Var(W)·Var(z)/2, so the std changes by √(n·Var(W)/2) per layer
    per_layer = {"xavier": math.sqrt(n * (1 / n) / 2), "kaiming": math.sqrt(n * (2 / n) / 2),
                 "std002": math.sqrt(n * 0.02 ** 2 / 2)}
    for k, f in per_layer.items():
        expected = f ** (depth - 1)
        assert abs(math.log10(ratio(k)) - math.log10(expected)) < 1.0, (k, ratio(k), expected)
    # the notes' rand code: weights with mean 0.5·√(2/n) > 0, so positive activations grow by about
    # n·E[w] = √(n/2) per layer
    assert abs(math.log10(ratio("notes")) - (depth - 1) * math.log10(math.sqrt(n / 2))) < 1.5
    # PyTorch's own initialisers give the same picture
    t_xavier = _torch_relu_last_over_first(torch.nn.init.xavier_uniform_, depth, n)
    t_kaiming = _torch_relu_last_over_first(
        lambda w, generator: torch.nn.init.kaiming_normal_(w, nonlinearity="relu", generator=generator), depth, n)
    assert abs(math.log10(ratio("xavier")) - math.log10(t_xavier)) < 1.0
    assert abs(math.log10(ratio("kaiming")) - math.log10(t_kaiming)) < 0.6
    # symmetry: units trained from a constant stay identical; from zeros nothing but the output bias moves
    assert r.numbers["const_unit_spread"] == 0 and r.numbers["zero_hidden_max"] == 0
    _, y = blobs(300, backend.spawn_rng(5))
    assert r.numbers["acc_zero"] == np.bincount(y).max() / len(y)   # predicts the majority class only
    # one layer's factor √(n·Var(W)/2): He 1, Xavier 1/√2 — the measured per-layer factors sit on them
    he_factor, xavier_factor = r.numbers["relu_kaiming_factor"], r.numbers["relu_xavier_factor"]
    assert abs(he_factor - per_layer["kaiming"]) < 0.05 and abs(xavier_factor - per_layer["xavier"]) < 0.05
    # fan_in of a conv weight (16, 3, 3, 3) is in·k² = 27 in torch too; the notes' "output channels" is 16
    w = torch.empty(16, 3, 3, 3)
    torch_fan_in, torch_fan_out = torch.nn.init._calculate_fan_in_and_fan_out(w)
    assert (r.numbers["conv_fan_in"], r.numbers["conv_fan_out"]) == (torch_fan_in, torch_fan_out) == (27, 144)
    # widening ReLU MLP, He scale with the fan taken as the output units: Var(z) halves per layer
    layers = r.numbers["widening_layers"]
    assert abs(math.log2(r.numbers["widening_fan_out_ratio"]) - (layers - 1) * math.log2(math.sqrt(0.5))) < 0.5
    assert abs(math.log2(r.numbers["widening_fan_in_ratio"])) < 0.5
    # the snippet's variance with randn is 2/fan_in (He), Glorot's 2/(fan_in + fan_out) = 1/256 on a square layer
    assert abs(r.numbers["snippet_var"] - 2 / 256) < 0.05 * 2 / 256
    assert abs(r.numbers["he_var"] - 2 / 256) < 0.05 * 2 / 256 and abs(r.numbers["xavier_var"] - 1 / 256) < 0.05 / 256
    expected = {
        # Xavier with ReLU loses a factor √2 per layer: (1/√2)^(depth−1) is far below 1/100
        "xavier-tanh-not-relu": "confirmed" if per_layer["xavier"] ** (depth - 1) < 1e-2 else "corrected",
        "he-keeps-relu": "confirmed" if abs(he_factor - 1) < 0.05 else "corrected",
        "fan-in-output-channels": "confirmed" if torch_fan_in == w.shape[0] else "corrected",
        "notes-code-is-xavier": "confirmed" if math.isclose(2 / 256, 2 / (256 + 256), rel_tol=0.1) else "corrected",
        # std 0.02 at width n scales by √(n·0.0004/2) < 1 per layer: the ReLU signal dies
        "std-002": "confirmed" if 0.5 < per_layer["std002"] ** (depth - 1) < 2 else "corrected",
        # rand's weights are all positive: the measured ratio is far outside [0.5, 2]
        "notes-code-rand": "confirmed" if 0.5 < ratio("notes") < 2 else "corrected",
        "equal-init-symmetric": "confirmed",
    }
    assert expected["fan-in-output-channels"] == expected["notes-code-is-xavier"] == "corrected"
    assert r.verdicts == expected
