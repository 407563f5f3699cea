"""batch-size against the same SGD runs replayed in torch (same initial weights, same shuffles, float64),
the gradient noise against tr Σ / B · (N − B)/(N − 1) from all per-example gradients (torch.func), and
the verdicts rederived from the entry's numbers."""
import numpy as np
import pytest
import torch
from torch.func import functional_call, grad, vmap

from gradbook import handbook
from gradbook.handbook.entries.batch_size import data

BATCHES = (8, 32, 128, 512, 1438)


@pytest.fixture(scope="module")
def result():
    return handbook.run("batch-size", quick=True)


def initial_weights(seed=0):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=(64, 32)) / 8.0, np.zeros(32), rng.normal(size=(32, 10)) / np.sqrt(32), np.zeros(10)]


def loss_fn(params, X, y):
    W1, b1, W2, b2 = params
    return torch.nn.functional.cross_entropy(torch.tanh(X @ W1 + b1) @ W2 + b2, y)


def torch_run(batch_size, lr, epochs):
    Xtr, ytr, Xte, yte = (torch.from_numpy(a) for a in data())
    params = [torch.tensor(w, requires_grad=True) for w in initial_weights()]
    opt = torch.optim.SGD(params, lr=lr)
    rng = np.random.default_rng(0)
    losses = [loss_fn(params, Xtr, ytr).item()]
    for _ in range(epochs):
        order = torch.from_numpy(rng.permutation(len(ytr)))
        for b in range(0, len(ytr), batch_size):
            idx = order[b:b + batch_size]
            opt.zero_grad()
            loss_fn(params, Xtr[idx], ytr[idx]).backward()
            opt.step()
        with torch.no_grad():
            losses.append(loss_fn(params, Xtr, ytr).item())
    with torch.no_grad():
        W1, b1, W2, b2 = params
        acc = ((torch.tanh(Xte @ W1 + b1) @ W2 + b2).argmax(1) == yte).double().mean().item()
    return np.array(losses), acc


def test_training_runs_match_torch(result):
    n = result.numbers
    epochs, target = n["epochs"], n["target"]
    for B in BATCHES:
        losses, acc = torch_run(B, n["lr"], epochs)
        assert np.isclose(n[f"loss_{B}"], losses[-1], rtol=1e-8), B
        assert n[f"test_acc_{B}"] == acc, B
        hit = np.flatnonzero(losses < target)
        assert n[f"epochs_to_target_{B}"] == (int(hit[0]) if len(hit) else None), B
        scaled, _ = torch_run(B, 0.02 * B / 8, epochs)
        assert np.isclose(n[f"scaled_loss_{B}"], scaled[-1], rtol=1e-6) or not np.isfinite(scaled[-1]), B


def test_gradient_noise_follows_the_sampling_formula(result):
    n = result.numbers
    Xtr, ytr, _, _ = (torch.from_numpy(a) for a in data())
    params = tuple(torch.tensor(w) for w in initial_weights())

    def one(params, x, y):
        return loss_fn(params, x[None], y[None])

    per_example = vmap(grad(one), in_dims=(None, 0, 0))(params, Xtr, ytr)
    G = torch.cat([g.reshape(len(ytr), -1) for g in per_example], 1).numpy()
    full = G.mean(0)
    trace = np.sum((G - full) ** 2) / len(G)  # population covariance: the B = 1 variance
    N = len(G)
    assert np.isclose(n["full_grad_norm2"], full @ full, rtol=1e-10)
    for B in (1, 4, 16, 64, 256):
        expected = trace / B * (N - B) / (N - 1)
        assert abs(n[f"noise_{B}"] / expected - 1) < 0.25, B  # 200 random batches: sampling error ~10%
    assert np.isclose(n["noise_scale"], n["noise_1"] / n["full_grad_norm2"])
    assert abs(n["noise_scale"] / (trace / (full @ full)) - 1) < 0.25


def test_verdicts_follow_the_numbers(result):
    n = result.numbers
    cos = [n[f"cos_{B}"] for B in (1, 4, 16, 64, 256)]
    ms = [n[f"ms_per_epoch_{B}"] for B in BATCHES]
    seconds = {B: n[f"seconds_to_target_{B}"] for B in BATCHES if n[f"seconds_to_target_{B}"] is not None}
    epochs = [n[f"epochs_to_target_{B}"] for B in BATCHES]
    grows = all(b is None or (a is not None and a <= b) for a, b in zip(epochs, epochs[1:]))
    full_later = 1438 not in seconds or min(seconds, key=seconds.get) != 1438
    gains = np.diff(cos)
    expected = {
        "larger-more-accurate": "confirmed" if -1.2 < n["noise_slope"] < -0.8 and np.all(gains > 0) else "corrected",
        "epoch-faster": "confirmed" if np.all(np.diff(ms) < 0) else "corrected",
        "blind-increase-slower": "confirmed" if grows and full_later else "depends",
        "direction-saturates": "confirmed" if cos[-1] > 0.95 and gains[-1] < 0.05
        else "depends" if gains[-1] < gains.max() else "corrected",
    }
    assert result.verdicts == expected
    assert [f.name for f in result.figures] == ["batch_size"]
