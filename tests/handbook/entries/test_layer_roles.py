"""layer-roles replayed in torch: the pooled net (trained by the entry's recipe) copied into a torch twin, its
stage features, their relative change under shifts (shifts written here with torch slicing), its accuracy on
shifted and half-size digits (avg_pool2d + pad), parameter counts of torch twins of all three nets, verdicts."""
import numpy as np
import torch
import torch.nn.functional as F

from gradbook import backend, handbook
from gradbook.handbook.entries import layer_roles as entry
from gradbook.handbook.entries._small_nets import digits_images, train_net
from tests.handbook.entries.torch_replay import copy_weights


def _shift(x, dy, dx):
    out = torch.zeros_like(x)
    H, W = x.shape[-2:]
    src = x[..., max(-dy, 0):H - max(dy, 0), max(-dx, 0):W - max(dx, 0)]
    out[..., max(dy, 0):max(dy, 0) + src.shape[-2], max(dx, 0):max(dx, 0) + src.shape[-1]] = src
    return out


def _twin(ours):
    net = torch.nn.Sequential(torch.nn.Conv2d(1, 16, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                              torch.nn.Conv2d(16, 32, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                              torch.nn.Flatten(), torch.nn.Linear(128, 10))
    copy_weights([m for m in net if hasattr(m, "weight")], [m for m in ours if hasattr(m, "weight")])
    return net


def _stages(net, x):
    h, out = x, {"input": x.flatten(1)}
    for i, layer in enumerate(net):
        h = layer(h)
        if i in (1, 2, 4, 5):
            out[{1: "conv1", 2: "pool1", 4: "conv2", 5: "pool2"}[i]] = h.flatten(1)
        if i == 4:
            out["global_max"] = h.amax(dim=(2, 3))
    return out


def test_layer_roles_against_torch():
    r = handbook.run("layer-roles", quick=True)
    n = r.numbers
    Xtr, ytr, Xte, yte = digits_images()
    backend.manual_seed(0)
    ours = entry.make_net("max pool 2x2")
    train_net(ours, Xtr[:entry.N_TRAIN], ytr[:entry.N_TRAIN], entry.STEPS, lr=entry.LR, seed=0)
    net, x, t = _twin(ours), torch.tensor(Xte), torch.tensor(yte)
    with torch.no_grad():
        for s in entry.SHIFTS:
            moves = [(0, 0)] if s == 0 else [(dy * s, dx * s) for dy, dx in entry.MOVES]
            acc = np.mean([(net(_shift(x, dy, dx)).argmax(1) == t).float().mean().item() for dy, dx in moves])
            assert abs(acc - n[f"acc_pool_shift{s}"]) <= 1 / len(yte) + 1e-9, s
        zoom = F.pad(F.avg_pool2d(x, 2), (2, 2, 2, 2))
        assert abs((net(zoom).argmax(1) == t).float().mean().item() - n["acc_pool_zoom"]) <= 1 / len(yte) + 1e-9
        base = _stages(net, x)
        for s in entry.SHIFTS[1:]:
            change = {k: 0.0 for k in base}
            for dy, dx in entry.MOVES:
                moved = _stages(net, _shift(x, dy * s, dx * s))
                for k, f in base.items():
                    norm = f.norm(dim=1)
                    keep = norm > 0
                    change[k] += ((moved[k] - f).norm(dim=1)[keep] / norm[keep]).mean().item() / 4
            for k, v in change.items():
                assert np.isclose(n[f"change_{k}_shift{s}"], v, rtol=1e-4), (k, s)
    linear = {"none": 32 * 64, "pool": 32 * 4, "global": 32}
    convs = sum(p.numel() for m in (torch.nn.Conv2d(1, 16, 3), torch.nn.Conv2d(16, 32, 3)) for p in m.parameters())
    for k, fan_in in linear.items():
        assert n[f"fc_{k}"] == fan_in * 10 + 10 and n[f"params_{k}"] == convs + fan_in * 10 + 10
    robust = n["change_pool1_shift1"] < n["change_conv1_shift1"] and n["drop_pool_shift1"] < n["drop_none_shift1"]
    keeps = (max(n["acc_pool_shift2"], n["acc_global_shift2"]) > n["acc_pool_shift0"] - 0.05
             and max(n["acc_pool_zoom"], n["acc_global_zoom"]) > n["acc_pool_shift0"] - 0.05)
    assert r.verdicts == {
        "pool-small-shifts": "confirmed" if robust else "depends"
        if n["change_pool1_shift1"] < n["change_conv1_shift1"] else "corrected",
        "pool-invariance": "confirmed" if keeps else "corrected",
        "pool-fewer-params": "confirmed" if n["acc_pool_shift0"] >= n["acc_none_shift0"] else "depends",
    }
