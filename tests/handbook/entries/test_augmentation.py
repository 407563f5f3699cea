"""augmentation against torch twins of the plain and the rotation + shift runs (same initial weights, the
same augmented batches, torch's Adam and layers), and the gains, standard errors and verdicts recomputed
from the per-seed table."""
import numpy as np
import torch

from gradbook import backend, handbook
from gradbook.data import DataLoader, TensorDataset
from gradbook.handbook.entries import augmentation as aug
from gradbook.handbook.entries._small_nets import digits_images


def _torch_run(policy, seed, steps):
    Xtr, ytr, Xte, yte = digits_images()
    X, y = Xtr[:aug.N_TRAIN], ytr[:aug.N_TRAIN]
    backend.manual_seed(seed)
    ours = aug.small_cnn()
    net = torch.nn.Sequential(torch.nn.Conv2d(1, 8, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                              torch.nn.Conv2d(8, 16, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                              torch.nn.Flatten(), torch.nn.Linear(64, 10))
    with torch.no_grad():
        for theirs, mine in zip([m for m in net if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear))],
                                [m for m in ours if hasattr(m, "weight")]):
            theirs.weight.copy_(torch.tensor(mine.weight.data))
            theirs.bias.copy_(torch.tensor(mine.bias.data))
    make = aug.POLICIES[policy]
    if make is None:
        batches = [(X, y)] * steps
    else:  # the batches the entry's loader hands out: same seed, same transform
        loader = DataLoader(TensorDataset(X, y), batch_size=len(X), prefetch=0, seed=seed, transform=make())
        batches = [tuple(np.asarray(t.data if hasattr(t, "data") else t) for t in next(iter(loader)))
                   for _ in range(steps)]
    opt = torch.optim.Adam(net.parameters(), lr=aug.LR)
    for xb, yb in batches:
        opt.zero_grad()
        torch.nn.functional.cross_entropy(net(torch.tensor(xb)), torch.tensor(yb)).backward()
        opt.step()
    with torch.no_grad():
        return float((net(torch.tensor(Xte)).argmax(1).numpy() == yte).mean())


def _judge(gain, se):
    return "confirmed" if gain > 2 * se else "corrected" if gain < -2 * se else "depends"


def test_augmentation_against_torch_and_the_per_seed_table():
    r = handbook.run("augmentation", quick=True)
    n = r.numbers
    table = next(t for t in r.tables if t.title == "Test accuracy and cross-entropy by seed")
    acc, ce = {}, {}
    for policy, seed, a, c in table.rows:
        acc.setdefault(policy, []).append(a)
        ce.setdefault(policy, []).append(c)
    for policy in ("none", "affine"):
        theirs = _torch_run(policy, 0, n["steps"])
        assert abs(theirs - acc[policy][0]) <= 0.02, (policy, theirs, acc[policy][0])
    for policy in aug.POLICIES:
        assert np.isclose(n[f"{policy}_test_acc"], np.mean(acc[policy]))
        if policy == "none":
            continue
        diffs = np.subtract(acc[policy], acc["none"])
        se = np.sqrt(np.sum((diffs - diffs.mean()) ** 2) / (len(diffs) - 1) / len(diffs))
        assert np.isclose(n[f"{policy}_gain"], diffs.mean()) and np.isclose(n[f"{policy}_se"], se)
        if policy != "combined":
            assert r.verdicts[f"{policy}-helps"] == _judge(diffs.mean(), se)
    gain, se = n["combined_gain"], n["combined_se"]
    ratio = np.mean(ce["combined"]) / np.mean(ce["none"])
    assert np.isclose(n["combined_ce_ratio"], ratio)
    assert r.verdicts["prevents-overfitting"] == ("confirmed" if gain > 2 * se and ratio < 0.9 else
                                                  "corrected" if gain < -2 * se and ratio >= 0.9 else "depends")
    # a mirrored digit is another symbol (or none): the flip costs accuracy here
    assert r.verdicts["flip-helps"] == "corrected"
    assert [f.name for f in r.figures] == ["augmentation_policies"]
