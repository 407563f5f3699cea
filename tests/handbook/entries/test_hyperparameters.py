"""hyperparameters against the same SGD runs replayed in torch (same initial weights, same shuffles,
float64), the digits split rebuilt with scikit-learn's loader, and the ranking, the spreads and the
verdicts rederived from the replayed accuracies."""
import numpy as np
import pytest
import torch
from scipy.stats import spearmanr
from sklearn.datasets import load_digits

from gradbook import handbook
from gradbook.handbook.entries.hyperparameters import BASE, SWEEPS, data


@pytest.fixture(scope="module")
def result():
    return handbook.run("hyperparameters", quick=True)


def weights(layers, width, seed):
    rng = np.random.default_rng(seed)
    sizes = [64] + [width] * layers + [10]
    out = []
    for a, b in zip(sizes, sizes[1:]):
        out += [torch.tensor(rng.normal(size=(a, b)) * np.sqrt(2.0 / a), requires_grad=True),
                torch.zeros(b, dtype=torch.float64, requires_grad=True)]
    return out


def logits(params, X):
    for k in range(0, len(params), 2):
        X = X @ params[k] + params[k + 1]
        if k + 2 < len(params):
            X = torch.relu(X)
    return X


def torch_val_acc(config, seed, n_train=None):
    Xtr, ytr, Xva, yva = (torch.from_numpy(a) for a in data())
    if n_train is not None:
        Xtr, ytr = Xtr[:n_train], ytr[:n_train]
    params = weights(config["layers"], config["width"], seed)
    opt = torch.optim.SGD(params, lr=config["lr"], weight_decay=config["weight_decay"])
    rng = np.random.default_rng(seed + 1)
    for _ in range(config["epochs"]):
        order = torch.from_numpy(rng.permutation(len(ytr)))
        for b in range(0, len(ytr), config["batch_size"]):
            idx = order[b:b + config["batch_size"]]
            opt.zero_grad()
            torch.nn.functional.cross_entropy(logits(params, Xtr[idx]), ytr[idx]).backward()
            opt.step()
    with torch.no_grad():
        if not all(torch.isfinite(p).all() for p in params):
            return 0.1
        return (logits(params, Xva).argmax(1) == yva).double().mean().item()


def test_the_split_is_the_digits_training_images():
    Xtr, ytr, Xva, yva = data()
    assert len(ytr) + len(yva) == 1438 and Xtr.shape[1] == 64
    digits = load_digits()
    rows = {tuple(np.round(x * 16).astype(int)) for x in np.concatenate([Xtr, Xva])}
    assert rows <= {tuple(x.astype(int)) for x in digits.data}


def replay_sweep(n, name):
    """The sweep of ``name`` in torch: each value's mean accuracy equal to the entry's (to one digit of 360),
    the spread and the standard error recomputed."""
    seeds = n["seeds"]
    acc = np.array([[torch_val_acc({**BASE, name: v}, s) for s in range(seeds)] for v in SWEEPS[name]])
    mean = acc.mean(1)
    for i, m in enumerate(mean):
        assert abs(n[f"acc_{name}_{i}"] - m) <= 1 / 360 + 1e-12, (name, SWEEPS[name][i])
    assert n[f"spread_{name}"] == pytest.approx(mean.max() - mean.min(), abs=2 / 360 + 1e-12), name
    assert n[f"se_{name}"] == pytest.approx(np.sqrt(np.mean(acc.var(1, ddof=1)) / seeds), abs=2 / 360), name


def test_learning_rate_sweep_replayed_in_torch(result):
    replay_sweep(result.numbers, "lr")


@pytest.mark.slow
@pytest.mark.parametrize("name", [k for k in SWEEPS if k != "lr"])
def test_other_sweeps_replayed_in_torch(result, name):
    replay_sweep(result.numbers, name)


def test_ranking_and_verdicts_rederived(result):
    n = result.numbers
    ranking = sorted(SWEEPS, key=lambda k: -n[f"spread_{k}"])
    assert n["lr_rank"] == ranking.index("lr") + 1
    matter = sum(n[f"spread_{k}"] > 2 * max(n[f"se_{k}"], 0.005) for k in SWEEPS)
    assert n["n_matter"] == matter
    expected = {
        "main-list": "confirmed" if matter == 6 else "depends" if matter >= 3 else "corrected",
        "lr-first": "confirmed" if ranking[0] == "lr" else "depends" if ranking.index("lr") <= 1 else "corrected",
    }
    assert {k: result.verdicts[k] for k in expected} == expected


def test_broad_strategy_rederived(result):
    n = result.numbers
    small = [torch_val_acc({**BASE, "lr": v, "epochs": n["small_epochs"]}, 0, n_train=n["small_train"])
             for v in SWEEPS["lr"]]
    full = [torch_val_acc({**BASE, "lr": v}, 0) for v in SWEEPS["lr"]]
    assert n["small_best_lr"] == SWEEPS["lr"][int(np.argmax(small))]
    assert n["full_best_acc"] == pytest.approx(max(full), abs=1 / 360 + 1e-12)
    gap = max(full) - full[int(np.argmax(small))]
    assert n["small_choice_gap"] == pytest.approx(gap, abs=2 / 360 + 1e-12)
    assert n["small_full_spearman"] == pytest.approx(spearmanr(small, full)[0], abs=0.15)
    g = n["small_choice_gap"]
    assert result.verdicts["broad-strategy"] == ("confirmed" if g <= 0.02 else "depends" if g <= 0.1 else "corrected")
    assert [f.name for f in result.figures] == ["hyperparameters"]
