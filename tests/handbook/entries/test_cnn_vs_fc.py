"""cnn-vs-fc against torch: parameter counts of torch twins (the unshared net by formula), seed 0's CNN and MLP
retrained in torch from the entry's initial weights (test accuracy on the digits and moved digits, to a test
image or two), and the verdicts rederived from the entry's per-seed table."""
import numpy as np
import torch

from gradbook import backend, handbook
from gradbook.handbook.entries import cnn_vs_fc as entry
from gradbook.handbook.entries._small_nets import digits_images
from tests.handbook.entries.torch_replay import accuracy, copy_weights, train_full_batch


def _torch_net(kind, ours):
    if kind == "cnn":
        net = torch.nn.Sequential(torch.nn.Conv2d(1, 16, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                                  torch.nn.Conv2d(16, 32, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                                  torch.nn.Flatten(), torch.nn.Linear(128, 10))
    else:
        h = entry.mlp_width()
        net = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(64, h), torch.nn.ReLU(), torch.nn.Linear(h, 10))
    copy_weights([m for m in net if hasattr(m, "weight")], [m for m in ours.modules() if hasattr(m, "weight")])
    return net


def _shift(x, dy, dx):
    out = torch.zeros_like(x)
    out[..., max(dy, 0):8 + min(dy, 0), max(dx, 0):8 + min(dx, 0)] = x[..., max(-dy, 0):8 + min(-dy, 0),
                                                                       max(-dx, 0):8 + min(-dx, 0)]
    return out


def test_cnn_vs_fc_against_torch():
    r = handbook.run("cnn-vs-fc", quick=True)
    n = r.numbers
    Xtr, ytr, Xte, yte = digits_images()
    xt = torch.tensor(Xte)
    by_seed = next(tb for tb in r.tables if tb.title == "Test accuracy by seed").rows
    for col, kind in ((1, "mlp"), (3, "cnn")):
        backend.manual_seed(0)
        net = _torch_net(kind, entry.make_net(kind))
        assert n[f"params_{kind}"] == sum(p.numel() for p in net.parameters())
        train_full_batch(net, Xtr[:entry.N_TRAIN], ytr[:entry.N_TRAIN], entry.STEPS, entry.LR)
        acc = accuracy(net, Xte, yte)
        assert abs(acc - by_seed[0][col]) <= 2 / len(yte) + 1e-9, kind
    assert abs(n["params_mlp"] - n["params_cnn"]) <= 75          # the nearest width
    assert n["params_local"] == 64 * 16 * (9 + 1) + 16 * 32 * (16 * 9 + 1) + 128 * 10 + 10
    acc = np.array([row[1:] for row in by_seed])
    d = acc[:, 2] - acc[:, 0]
    margin = max(2 / len(yte), 2 * d.std(ddof=1) / np.sqrt(len(d)))
    assert np.isclose(n["cnn_edge"], d.mean()) and np.isclose(n["acc_local"], acc[:, 1].mean())
    same = n["params_local"] == n["params_cnn"] and abs(acc[:, 2].mean() - acc[:, 1].mean()) < 2 / len(yte)
    assert r.verdicts == {"only-connectivity": "confirmed" if same else "corrected",
                          "cnn-wins-matched": "confirmed" if d.mean() > margin else "corrected" if d.mean() < -margin
                          else "depends"}
    # the moved digits: the shift helper against the one written here
    from gradbook.handbook.entries._small_nets import shift_images
    for dy, dx in ((1, 0), (-1, 0), (0, 1), (0, -1)):
        assert np.array_equal(shift_images(Xte[:20], dy, dx), _shift(xt[:20], dy, dx).numpy())
