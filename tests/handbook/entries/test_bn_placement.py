"""bn-placement replayed in torch: seed 0's two nets rebuilt as torch Sequentials from the same initial
weights, trained the entry's way, their test accuracies and initial active shares compared; the paired
statistics and the verdict rederived from the entry's per-seed table."""
import numpy as np
import torch

from gradbook import handbook
from gradbook.handbook.entries import bn_placement as entry
from gradbook.handbook.entries._small_nets import digits_images


def _torch_cnn(order, start):
    layers, c_in = [], 1
    for c_out in entry.CHANNELS:
        conv, bn = torch.nn.Conv2d(c_in, c_out, 3, padding=1, bias=False), torch.nn.BatchNorm2d(c_out)
        layers += [conv, bn, torch.nn.ReLU()] if order == "before" else [conv, torch.nn.ReLU(), bn]
        c_in = c_out
    net = torch.nn.Sequential(*layers, torch.nn.MaxPool2d(2), torch.nn.Flatten(), torch.nn.Linear(c_in * 16, 10))
    theirs = [m for m in net if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear))]
    with torch.no_grad():
        for a, b in zip(theirs, entry.weighted(start)):
            a.weight.copy_(torch.tensor(b.weight.data))
            if a.bias is not None:
                a.bias.copy_(torch.tensor(b.bias.data))
    return net


def _first_relu_active(net, x):
    h = x
    for layer in net:
        h = layer(h)
        if isinstance(layer, torch.nn.ReLU):
            return float((h > 0).float().mean())


def test_bn_placement_against_torch():
    r = handbook.run("bn-placement", quick=True)
    n = r.numbers
    Xtr, ytr, Xte, yte = digits_images()
    x, t = torch.tensor(Xtr[:entry.N_TRAIN]), torch.tensor(ytr[:entry.N_TRAIN])
    rows = next(tb for tb in r.tables if tb.title.startswith("Test accuracy by seed")).rows
    starts = entry.same_start(0)
    for col, order in ((1, "before"), (2, "after")):
        net = _torch_cnn(order, starts[order])
        with torch.no_grad():
            assert abs(_first_relu_active(net, x) - n[f"active_init_{order}"]) < 1e-6
        opt = torch.optim.Adam(net.parameters(), lr=entry.LR)
        for _ in range(entry.STEPS):
            opt.zero_grad()
            torch.nn.functional.cross_entropy(net(x), t).backward()
            opt.step()
        net.eval()
        with torch.no_grad():
            acc = (net(torch.tensor(Xte)).argmax(1).numpy() == yte).mean()
        assert abs(acc - rows[0][col]) <= 2 / len(yte), (order, acc, rows[0][col])   # float32 may flip an image
    before, after = np.array([row[1] for row in rows]), np.array([row[2] for row in rows])
    d = after - before
    se = d.std(ddof=1) / np.sqrt(len(d))
    assert np.isclose(n["acc_before"], before.mean()) and np.isclose(n["acc_after"], after.mean())
    assert np.isclose(n["diff"], d.mean()) and np.isclose(n["diff_se"], se)
    margin = max(2 * se, 1 / len(yte))
    assert r.verdicts["after-is-better"] == ("confirmed" if d.mean() > margin else "corrected" if d.mean() < -margin
                                             else "contested")
    assert r.verdicts["half-active"] == ("confirmed" if abs(n["active_init_before"] - 0.5) < 0.1 else "corrected")
