"""pseudo-label: the labelled-only run replayed in torch (gradbook's initial weights, full-batch Adam for
the same number of steps), the verdicts rederived from the per-seed table, and the pseudo-label counts
checked for consistency; the slow test replays the warm-up run in torch as well."""
import numpy as np
import pytest
import torch

from gradbook import backend, handbook, models
from gradbook.handbook.entries import pseudo_label as entry
from gradbook.semi import MixedBatches, lee_alpha


def _torch_net(seed):
    backend.manual_seed(seed)
    ours = models.MLP([64, entry.HIDDEN, 10])
    net = torch.nn.Sequential(torch.nn.Linear(64, entry.HIDDEN), torch.nn.ReLU(), torch.nn.Linear(entry.HIDDEN, 10))
    with torch.no_grad():
        for theirs, mine in zip([net[0], net[2]], [ours[0], ours[2]]):
            theirs.weight.copy_(torch.tensor(mine.weight.data))
            theirs.bias.copy_(torch.tensor(mine.bias.data))
    return net


def _accuracy(net, X, y):
    with torch.no_grad():
        return float((net(torch.tensor(X)).argmax(1).numpy() == y).mean())


def _supervised_in_torch(seed, data):
    X, y, _, _, Xte, yte = data
    net = _torch_net(seed)
    opt = torch.optim.Adam(net.parameters(), lr=entry.LR)
    for _ in range(entry.total_steps(len(X), len(data[2]))):  # every batch is all 50 labels: full batch
        opt.zero_grad()
        torch.nn.functional.cross_entropy(net(torch.tensor(X)), torch.tensor(y)).backward()
        opt.step()
    return _accuracy(net, Xte, yte)


def _rederived(table, names):
    acc = {name: np.array(row[1:-3], dtype=float) for name, row in zip(names, table.rows)}

    def paired(better, worse, margin):
        d = better - worse
        return "confirmed" if (d > 0).all() and d.mean() > margin else "corrected" if (d <= 0).all() else "depends"

    both = {paired(acc["warmup"], acc["supervised"], 0), paired(acc["warmup_threshold"], acc["supervised"], 0)}
    helps = both.pop() if len(both) == 1 and both != {"depends"} else "depends"
    return acc, {"warmup-helps": helps, "start-overfits": paired(acc["warmup"], acc["start"], 0.02)}


def test_pseudo_label_numbers_and_verdicts():
    r = handbook.run("pseudo-label", quick=True)
    data = entry.split()
    X, y, Xu, yu = data[:4]
    assert np.bincount(y).tolist() == [entry.PER_CLASS] * 10 and len(X) + len(Xu) == 1438
    assert r.numbers["steps"] == 150 + 12 * 22  # warm-up epochs of one batch, then ceil(1388 / 64) batches
    table = r.tables[0]
    acc, verdicts = _rederived(table, list(entry.ARMS))
    assert abs(acc["supervised"][0] - _supervised_in_torch(0, data)) <= 2 / len(data[5])
    for name in entry.ARMS:
        assert np.isclose(r.numbers[f"acc_{name}"], acc[name].mean())
        if name != "supervised":
            assert r.numbers[f"right_{name}"] <= r.numbers[f"used_{name}"] <= len(Xu) + 64
    assert r.numbers["used_start"] == r.numbers["used_warmup"] == 22 * 64  # no threshold: every unlabelled row
    assert {k: r.verdicts[k] for k in verdicts} == verdicts
    assert r.verdicts["warmup-helps"] == "confirmed" and r.verdicts["start-overfits"] == "confirmed"


@pytest.mark.slow
def test_warmup_run_matches_torch():
    """The 'after warm-up' run for seed 0, replayed in torch on the same batches."""
    r = handbook.run("pseudo-label", quick=True)
    data = entry.split()
    X, y, Xu, yu, Xte, yte = data
    warm, ramp, threshold, share = entry.ARMS["warmup"]
    net = _torch_net(0)
    opt = torch.optim.Adam(net.parameters(), lr=entry.LR)
    batches = MixedBatches(X, y, Xu, entry.BATCH, share, seed=0)
    for epoch in range(1, entry.epochs_for(entry.ARMS["warmup"], len(X), len(Xu)) + 1):
        alpha = lee_alpha(epoch, warm, ramp, entry.ALPHA)
        batches.active = alpha > 0
        for xb, tb in batches:
            out, t = net(torch.tensor(xb.data)), torch.tensor(tb.data)
            lab = t >= 0
            loss = torch.nn.functional.cross_entropy(out[lab], t[lab])
            if (~lab).any():
                guess = out[~lab].detach().argmax(1)
                loss = loss + alpha * torch.nn.functional.cross_entropy(out[~lab], guess)
            opt.zero_grad()
            loss.backward()
            opt.step()
    assert abs(r.tables[0].rows[2][1] - _accuracy(net, Xte, yte)) <= 3 / len(yte)
