"""bn-why against a torch twin of the BN and plain nets (same initial weights, same shuffles, torch's SGD and
BatchNorm1d) and the largest trainable lr, steps and verdicts recomputed from the per-seed table."""
import numpy as np
import torch

from gradbook import backend, handbook
from gradbook.handbook.entries import bn_why
from gradbook.handbook.entries._small_nets import digits_images


def _torch_run(bn, lr, seed, epochs):
    """The entry's net rebuilt in torch from gradbook's initial weights, trained on the same batch orders."""
    Xtr, ytr, Xte, yte = digits_images()
    backend.manual_seed(seed)
    ours = bn_why.make_net(bn)
    layers, size = [torch.nn.Flatten()], 64
    for _ in range(bn_why.DEPTH):
        layers += [torch.nn.Linear(size, bn_why.WIDTH)] + ([torch.nn.BatchNorm1d(bn_why.WIDTH)] if bn else [])
        layers.append(torch.nn.ReLU())
        size = bn_why.WIDTH
    net = torch.nn.Sequential(*layers, torch.nn.Linear(bn_why.WIDTH, 10))
    with torch.no_grad():
        for theirs, mine in zip([m for m in net if isinstance(m, torch.nn.Linear)],
                                [m for m in ours if type(m).__name__ == "Linear"]):
            theirs.weight.copy_(torch.tensor(mine.weight.data))
            theirs.bias.copy_(torch.tensor(mine.bias.data))
    opt = torch.optim.SGD(net.parameters(), lr=lr)
    rng = np.random.default_rng(seed)
    for _ in range(epochs):
        order = rng.permutation(len(Xtr))
        for start in range(0, len(order), bn_why.BATCH):
            idx = order[start:start + bn_why.BATCH]
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(net(torch.tensor(Xtr[idx])), torch.tensor(ytr[idx]))
            if not torch.isfinite(loss) or loss.item() > 1e3:
                return 0.1
            loss.backward()
            opt.step()
    net.eval()
    with torch.no_grad():
        return float((net(torch.tensor(Xte)).argmax(1).numpy() == yte).mean())


def test_bn_why_against_torch_and_the_per_seed_table():
    r = handbook.run("bn-why", quick=True)
    n = r.numbers
    table = next(t for t in r.tables if t.title == "Test accuracy by seed")
    acc, steps = {}, {}
    for net, lr, seed, a, s in table.rows:
        acc.setdefault((net, lr), {})[seed] = a
        steps.setdefault((net, lr), []).append(s if s is not None else n["total_steps"])
    # the BN net at its best lr and the plain net at its best lr, seed 0, replayed in torch
    for net, lr in (("BN", n["best_lr_bn"]), ("plain", n["best_lr_plain"])):
        theirs = _torch_run(net == "BN", lr, 0, n["epochs"])
        assert abs(theirs - acc[net, lr][0]) <= 0.02, (net, lr, theirs, acc[net, lr][0])
    # 6 epochs of 23 batches: ceil(1438 / 64) steps per epoch
    assert n["total_steps"] == n["epochs"] * int(np.ceil(1438 / bn_why.BATCH))
    mean = {k: np.mean(list(v.values())) for k, v in acc.items()}
    for net, tag in (("plain", "plain"), ("BN", "bn")):
        lrs = [lr for (name, lr) in mean if name == net]
        trains = [lr for lr in lrs if mean[net, lr] > 0.5]
        assert n[f"max_lr_{tag}"] == (max(trains) if trains else 0.0)
        best = max(lrs, key=lambda lr: mean[net, lr])
        assert n[f"best_lr_{tag}"] == best and np.isclose(n[f"best_acc_{tag}"], mean[net, best])
        assert np.isclose(n[f"steps_{tag}"], np.mean(steps[net, best]))
    shared = n["best_lr_plain"]
    diffs = np.array([acc["BN", shared][s] - acc["plain", shared][s] for s in acc["BN", shared]])
    assert np.isclose(n["acc_gain_shared"], diffs.mean())
    assert np.isclose(n["acc_gain_se"], np.sqrt(np.sum((diffs - diffs.mean()) ** 2) / (len(diffs) - 1) / len(diffs)))
    faster = n["steps_bn"] < 0.8 * n["steps_plain"]
    assert r.verdicts == {
        "higher-lr": "confirmed" if n["max_lr_bn"] >= 3 * n["max_lr_plain"] else
                     "depends" if n["max_lr_bn"] > n["max_lr_plain"] else "corrected",
        "faster": "confirmed" if faster else "depends" if n["steps_bn"] <= n["steps_plain"] else "corrected",
        "covariate-shift": "contested" if n["drift_bn"] / n["drift_plain"] < 0.5 and faster else "corrected",
        "regularizer": "confirmed" if diffs.mean() > 2 * n["acc_gain_se"] and n["gap_bn"] < n["gap_plain"] else
                       "corrected" if diffs.mean() < -2 * n["acc_gain_se"] else "depends",
    }
    # on this set-up BN lets SGD use a learning rate at least 3x larger and reach the target loss sooner
    assert r.verdicts["higher-lr"] == "confirmed" and r.verdicts["faster"] == "confirmed"
    assert [f.name for f in r.figures] == ["bn_why_lr_sweep"]


def test_drift_is_the_relative_change_of_the_last_layer_inputs():
    before = np.array([[1.0, 0.0], [0.0, 2.0]])
    after = np.array([[1.0, 1.0], [0.0, 2.0]])
    assert np.isclose(bn_why.stat_drift(before, after), 1 / np.sqrt(5))
