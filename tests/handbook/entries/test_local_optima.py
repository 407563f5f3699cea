"""local-optima against the same full-batch Adam runs in torch (same initial weights, float64) and the
Hessian of torch's own final weights from torch.autograd.functional.hessian; verdicts rederived."""
import numpy as np
import pytest
import torch

from gradbook import handbook
from gradbook.handbook.entries.local_optima import data

WIDTHS = (2, 4, 16, 64)


@pytest.fixture(scope="module")
def result():
    return handbook.run("local-optima", quick=True)


def initial_weights(width, seed):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=(64, width)) / 8.0, np.zeros(width),
            rng.normal(size=(width, 10)) / np.sqrt(width), np.zeros(10)]


def loss_fn(W1, b1, W2, b2, X, y):
    return torch.nn.functional.cross_entropy(torch.tanh(X @ W1 + b1) @ W2 + b2, y)


def torch_train(width, seed, steps, X, y):
    params = [torch.tensor(w, requires_grad=True) for w in initial_weights(width, seed)]
    opt = torch.optim.Adam(params, lr=0.02)
    for _ in range(steps):
        opt.zero_grad()
        loss_fn(*params, X, y).backward()
        opt.step()
    return [p.detach() for p in params]


def flat_loss(X, y, shapes):
    def f(theta):
        pieces, k = [], 0
        for shape in shapes:
            size = int(np.prod(shape))
            pieces.append(theta[k:k + size].reshape(shape))
            k += size
        return loss_fn(*pieces, X, y)
    return f


def test_runs_and_hessians_match_torch(result):
    n = result.numbers
    X, y = (torch.from_numpy(a) for a in data())
    for width in WIDTHS:
        finals = []
        for seed in range(n["seeds"]):
            params = torch_train(width, seed, n["steps"], X, y)
            finals.append(loss_fn(*params, X, y).item())
            if width == 2:
                theta = torch.cat([p.reshape(-1) for p in params])
                H = torch.autograd.functional.hessian(flat_loss(X, y, [p.shape for p in params]), theta).numpy()
                eig = np.linalg.eigvalsh(H)
                if seed == 0:
                    assert np.allclose(np.sort(n["eig_end"]), eig, atol=1e-6 * eig[-1])
                assert eig[0] / eig[-1] >= n["end_min_eig_rel_2"] - 1e-6
                assert np.mean(eig < -1e-6 * eig[-1]) <= n["end_negative_2"] + 1e-12
        finals = np.array(finals)
        assert np.isclose(n[f"loss_min_{width}"], finals.min(), rtol=1e-6), width
        assert np.isclose(n[f"loss_max_{width}"], finals.max(), rtol=1e-6), width
    theta0 = torch.cat([torch.from_numpy(w).reshape(-1) for w in initial_weights(2, 0)])
    H0 = torch.autograd.functional.hessian(flat_loss(X, y, [w.shape for w in initial_weights(2, 0)]), theta0).numpy()
    eig0 = np.linalg.eigvalsh(H0)
    assert np.allclose(np.sort(n["eig_init"]), eig0, atol=1e-9 * eig0[-1])
    assert n["init_negative_2"] == np.mean(eig0 < -1e-6 * eig0[-1])
    assert n["params_64"] == sum(w.size for w in initial_weights(64, 0))


def test_verdicts_follow_the_numbers(result):
    n = result.numbers
    worst = [n[f"loss_max_{w}"] for w in WIDTHS]
    spread = [n[f"loss_spread_{w}"] for w in WIDTHS]
    stuck = n["end_min_eig_rel_2"] < -1e-3 and n["end_grad_2"] < 1e-3
    assert result.verdicts == {
        "wide-avoids-bad": "confirmed" if np.all(np.diff(worst) < 0) and spread[-1] < spread[0] else "corrected",
        "saddle-trap": "confirmed" if stuck else "corrected" if n["init_negative_2"] > 0 else "contested",
    }
    assert [f.name for f in result.figures] == ["local_optima"]
