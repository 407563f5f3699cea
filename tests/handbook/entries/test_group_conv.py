"""group-conv recomputed with torch: parameter counts of torch's grouped Conv2d and of a depthwise + pointwise
pair, multiply-adds by formula, the group-to-group reach from torch's Jacobian through torch's ChannelShuffle,
and the verdicts rederived from the entry's tables."""
import numpy as np
import torch

from gradbook import handbook
from gradbook.handbook.entries import group_conv as entry


def _reach(shuffle):
    c, g = entry.SHUFFLE_C, entry.SHUFFLE_G
    layers = [torch.nn.Conv2d(c, c, 1, groups=g, bias=False), torch.nn.Conv2d(c, c, 1, groups=g, bias=False)]
    if shuffle:
        layers.insert(1, torch.nn.ChannelShuffle(g))
    net = torch.nn.Sequential(*layers)
    J = torch.autograd.functional.jacobian(lambda x: net(x).reshape(c), torch.randn(1, c, 1, 1)).reshape(c, c)
    blocks = (J.abs() > 0).reshape(g, c // g, g, c // g).any(3).any(1)
    return float(blocks.float().mean())


def test_group_conv_against_torch():
    r = handbook.run("group-conv", quick=True)
    n = r.numbers
    C, K, S = entry.C, entry.K, entry.SIDE
    plain = C * C * K * K
    for g in entry.GROUPS:
        assert n[f"params_g{g}"] == sum(p.numel() for p in torch.nn.Conv2d(C, C, K, groups=g, bias=False).parameters())
        assert n[f"params_g{g}"] * g == plain
        assert n[f"macs_g{g}"] == S * S * C * (C // g) * K * K
    sep = C * K * K + C * C
    assert np.isclose(n["sep_params_ratio"], sep / plain) and np.isclose(n["sep_ratio"], sep / plain)
    assert np.isclose(n["sep_ratio"], 1 / C + 1 / K ** 2)
    assert (n["reach_plain"], n["reach_shuffle"]) == (_reach(False), _reach(True)) == (1 / entry.SHUFFLE_G, 1.0)

    cost = next(t for t in r.tables if t.title.startswith("Conv2d(")).rows
    assert [row[5] for row in cost] == [n[f"ms_g{g}"] / n["ms_g1"] for g in entry.GROUPS]
    tracks = all(row[5] <= 2 / row[0] for row in cost)
    acc = np.array(next(t for t in r.tables if t.title.startswith("Test accuracy")).rows)[:, 1:]
    d = acc[:, 1] - acc[:, 0]
    margin = max(2 / 359, 2 * d.std(ddof=1) / np.sqrt(len(d)))
    assert np.isclose(n["acc_diff"], d.mean())
    assert r.verdicts == {
        "fewer-params": "confirmed",
        "faster": "confirmed" if tracks else "depends" if n["ms_g8"] / n["ms_g1"] < 0.9 else "corrected",
        "separable-ratio": "corrected",     # 1/N + 1/k² is not 1/(N k²)
        "shuffle-mixes": "confirmed",
        "regularises": "confirmed" if d.mean() > margin else "depends" if d.mean() < -margin else "contested",
    }
