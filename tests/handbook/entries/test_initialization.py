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
    assert r.verdicts == {"xavier-tanh-not-relu": "confirmed", "he-keeps-relu": "confirmed", "std-002": "corrected",
                          "notes-he-code": "corrected", "equal-init-symmetric": "confirmed"}
