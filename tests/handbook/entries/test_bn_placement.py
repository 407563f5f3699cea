"""bn-placement replayed in torch: seed 0's two nets rebuilt as torch Sequentials from the same initial
weights, trained the entry's way, their test accuracies and initial active shares compared; the paired
statistics and the verdict rederived from the entry's per-seed table."""
import numpy as np
import torch

from gradbook import handbook
from gradbook.handbook.entries import bn_placement as entry
from gradbook.handbook.entries._small_nets import digits_images
from tests.handbook.entries.torch_replay import accuracy, copy_weights, train_full_batch


def _torch_cnn(order, start):
    layers, c_in = [], 1
    for c_out in entry.CHANNELS:
        conv, bn = torch.nn.Conv2d(c_in, c_out, 3, padding=1, bias=False), torch.nn.BatchNorm2d(c_out)
        layers += [conv, bn, torch.nn.ReLU()] if order == "before" else [conv, torch.nn.ReLU(), bn]
        c_in = c_out
    net = torch.nn.Sequential(*layers, torch.nn.MaxPool2d(2), torch.nn.Flatten(), torch.nn.Linear(c_in * 16, 10))
    copy_weights([m for m in net if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear))], entry.weighted(start))
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
    x = torch.tensor(Xtr[:entry.N_TRAIN])
    rows = np.array(next(tb for tb in r.tables if tb.title.startswith("Test accuracy by seed")).rows)
    starts = entry.same_start(0)
    for col, order in ((0, "before"), (1, "after")):
        net = _torch_cnn(order, starts[order])
        with torch.no_grad():
            assert abs(_first_relu_active(net, x) - n[f"active_init_{order}"]) < 1e-6
        train_full_batch(net, Xtr[:entry.N_TRAIN], ytr[:entry.N_TRAIN], entry.STEPS, entry.LR)
        running = accuracy(net.eval(), Xte, yte)
        batch = accuracy(net.train(), Xte, yte)  # training mode: the test set's own statistics (run last: it
                                                 # moves the running averages)
        # float32 may flip an image or two
        assert abs(running - rows[0, 1 + col]) <= 2 / len(yte), (order, running, rows[0])
        assert abs(batch - rows[0, 3 + col]) <= 2 / len(yte), (order, batch, rows[0])
    sign = {}
    for m, cols in (("eval", (1, 2)), ("batch", (3, 4))):
        d = rows[:, cols[1]] - rows[:, cols[0]]
        se = d.std(ddof=1) / np.sqrt(len(d))
        assert np.isclose(n[f"diff_{m}"], d.mean()) and np.isclose(n[f"diff_{m}_se"], se)
        margin = max(2 * se, 1 / len(yte))
        sign[m] = 1 if d.mean() > margin else -1 if d.mean() < -margin else 0
    for o, col in (("before", 1), ("after", 2)):
        assert np.isclose(n[f"stat_gap_{o}"], rows[:, col + 2].mean() - rows[:, col].mean())
    same = sign["eval"] == sign["batch"]
    expected = ("confirmed" if same and sign["eval"] == 1 else "corrected" if same and sign["eval"] == -1
                else "contested" if same else "depends")
    assert r.verdicts == {"after-is-better": expected,
                          "half-active": "confirmed" if abs(n["active_init_before"] - 0.5) < 0.1 else "corrected"}
