"""overfitting against a torch twin of the unregularised and weight-decay runs (same initial weights,
torch's Adam) and the statistics and verdicts recomputed from the per-seed table."""
import numpy as np
import torch

from gradbook import backend, handbook, models
from gradbook.handbook.entries import overfitting
from gradbook.handbook.entries._small_nets import digits_images


def _torch_run(seed, steps, weight_decay):
    """The no-remedy MLP trained in torch from gradbook's initial weights for that seed."""
    Xtr, ytr, Xte, yte = digits_images()
    backend.manual_seed(seed)
    ours = models.MLP([64, overfitting.WIDTH, overfitting.WIDTH, 10])
    net = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(64, overfitting.WIDTH), torch.nn.ReLU(),
                              torch.nn.Linear(overfitting.WIDTH, overfitting.WIDTH), torch.nn.ReLU(),
                              torch.nn.Linear(overfitting.WIDTH, 10))
    with torch.no_grad():
        for theirs, mine in zip([m for m in net if isinstance(m, torch.nn.Linear)],
                                [m for m in ours if hasattr(m, "weight")]):
            theirs.weight.copy_(torch.tensor(mine.weight.data))
            theirs.bias.copy_(torch.tensor(mine.bias.data))
    opt = torch.optim.Adam(net.parameters(), lr=overfitting.LR, weight_decay=weight_decay)
    x, y = torch.tensor(Xtr[:overfitting.N_TRAIN]), torch.tensor(ytr[:overfitting.N_TRAIN])
    for _ in range(steps):
        opt.zero_grad()
        torch.nn.functional.cross_entropy(net(x), y).backward()
        opt.step()
    with torch.no_grad():
        out = net(torch.tensor(Xte)).double()
    return (out.argmax(1).numpy() == yte).mean(), torch.nn.functional.cross_entropy(out, torch.tensor(yte)).item()


def _verdict(gain, se, ratio):
    if gain > 2 * se and ratio < 0.9:
        return "confirmed"
    if gain < -2 * se and ratio >= 0.9:
        return "corrected"
    return "depends"


def test_overfitting_against_torch_and_the_per_seed_table():
    r = handbook.run("overfitting", quick=True)
    n = r.numbers
    w = overfitting.WIDTH
    assert n["params"] == (64 * w + w) + (w * w + w) + (w * 10 + 10)
    table = next(t for t in r.tables if t.title.startswith("Test accuracy and cross-entropy by seed"))
    acc, ce = {}, {}
    for name, seed, a, c in table.rows:
        acc.setdefault(name, []).append(a)
        ce.setdefault(name, []).append(c)
    # seed 0 without a remedy and with weight decay, retrained in torch from the same weights
    for name, wd in (("none", 0.0), ("weight-decay", overfitting.WEIGHT_DECAY)):
        t_acc, t_ce = _torch_run(0, n["steps"], wd)
        assert abs(t_acc - acc[name][0]) <= 0.015, (name, t_acc, acc[name][0])
        assert abs(t_ce - ce[name][0]) <= 0.1 * t_ce, (name, t_ce, ce[name][0])
    # every remedy's gain, paired standard error, cross-entropy ratio and verdict, from the table
    base_acc, base_ce = np.mean(acc["none"]), np.mean(ce["none"])
    assert np.isclose(n["none_test_acc"], base_acc)
    for name in overfitting.REMEDIES:
        if name == "none":
            continue
        key = name.replace("-", "_")
        diffs = np.subtract(acc[name], acc["none"])
        se = np.sqrt(np.sum((diffs - diffs.mean()) ** 2) / (len(diffs) - 1) / len(diffs))
        ratio = np.mean(ce[name]) / base_ce
        assert np.isclose(n[f"{key}_acc_gain"], diffs.mean()) and np.isclose(n[f"{key}_acc_se"], se)
        assert np.isclose(n[f"{key}_ce_ratio"], ratio)
        assert r.verdicts[name] == _verdict(diffs.mean(), se, ratio), name
    # the ensemble's uncertainty is a single net's: the spread of the unregularised nets' accuracies
    single_se = np.std(acc["none"], ddof=1) / np.sqrt(len(acc["none"]))
    assert r.verdicts["ensemble"] == _verdict(n["ensemble_acc_gain"], single_se, n["ensemble_ce_ratio"])
    # more data is the remedy that moves accuracy most; the unregularised net memorises its 50 images
    assert n["more_data_acc_gain"] == max(n[f"{k.replace('-', '_')}_acc_gain"] for k in overfitting.REMEDIES
                                          if k != "none")
    assert n["none_train_acc"] == 1.0 and r.verdicts["more-data"] == "confirmed"
    assert [f.name for f in r.figures] == ["overfitting_remedies"]
