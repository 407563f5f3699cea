"""local-conv recomputed with torch: parameter counts from torch's Conv2d times the positions and DeepFace's
layers by hand; the teachers' targets through torch (conv2d, and per-position F.linear on unfolded patches),
each student's least-squares optimum by torch.linalg.lstsq; the verdicts rederived."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from gradbook import backend, handbook, nn
from gradbook.handbook.entries import local_conv as entry
from tests.handbook.entries.torch_replay import accuracy, copy_weights, train_full_batch


def _teachers():
    """The entry's inputs and teachers (its seeds), as arrays."""
    backend.manual_seed(0)
    X = backend.spawn_rng(1).standard_normal((entry.N_FIT, 1, entry.SIDE, entry.SIDE))
    conv = nn.Conv2d(1, 1, 3, padding=1, dtype="float64")
    local = nn.LocallyConnected2d(1, 1, 3, entry.SIDE, padding=1, dtype="float64")
    return X, conv, local


def _torch_patches(x):
    """(N, 1, 8, 8) → (N, 64, 9): torch's unfold, position-major."""
    return F.unfold(x, 3, padding=1).transpose(1, 2)


def _lstsq_residual(A, y):
    A1 = torch.cat([A, torch.ones(len(A), 1, dtype=A.dtype)], 1)
    w = torch.linalg.lstsq(A1, y.unsqueeze(1), driver="gelsd").solution
    return float(((A1 @ w).squeeze(1) - y).pow(2).sum())


def test_local_conv_against_torch():
    r = handbook.run("local-conv", quick=True)
    n = r.numbers
    w = entry.WIDTH
    conv_count = sum(p.numel() for p in torch.nn.Conv2d(w, w, 3, padding=1).parameters())
    assert n["params_conv"] == conv_count
    assert n["params_local"] == 64 * conv_count and n["positions"] == 64
    assert n["macs_conv"] == n["macs_local"] == 64 * w * w * 9
    assert n["deepface_L4"] == 55 * 55 * 16 * (16 * 81 + 1)
    assert n["deepface_L5"] == 25 * 25 * 16 * (16 * 49 + 1)
    assert n["deepface_L6"] == 21 * 21 * 16 * (16 * 25 + 1)
    assert n["deepface_conv_total"] == sum(16 * (16 * k * k + 1) for k in (9, 7, 5))

    X, conv, local = _teachers()
    x = torch.tensor(X)
    P = _torch_patches(x)                                            # (N, 64, 9)
    y_conv = F.conv2d(x, torch.tensor(conv.weight.data), torch.tensor(conv.bias.data), padding=1)
    Wl = torch.tensor(local.weight.data).reshape(64, 9)              # one filter per position
    y_local = (P * Wl).sum(-1) + torch.tensor(local.bias.data).reshape(64)
    for name, Y in (("conv", y_conv.reshape(len(x), 64)), ("local", y_local)):
        var = float(Y.var(unbiased=False)) * Y.numel()
        shared = _lstsq_residual(P.reshape(-1, 9), Y.reshape(-1)) / var
        per_position = sum(_lstsq_residual(P[:, k], Y[:, k]) for k in range(64)) / var
        assert np.isclose(n[f"fit_{name}_by_conv"], shared, rtol=1e-6, atol=1e-12), name
        assert np.isclose(n[f"fit_{name}_by_local"], per_position, atol=1e-12), name

    fits = n["fit_local_by_local"] < 1e-6 and n["fit_local_by_conv"] > 0.1 and n["fit_conv_by_local"] < 1e-6
    margin = 2 / 359
    assert r.verdicts == {
        "more-params": "confirmed" if n["params_local"] == 64 * conv_count and n["macs_local"] == n["macs_conv"]
        else "corrected",
        "position-specific": "confirmed" if fits else "corrected",
        "aligned-faces": "confirmed" if n["edge_aligned"] > margin and n["edge_aligned"] > n["edge_shifted"]
        else "depends",
    }
    assert np.isclose(n["edge_aligned"], n["acc_aligned_local"] - n["acc_aligned_conv"])


class _TorchLocal(torch.nn.Module):
    """LocallyConnected2d(C, O, 3, 8, padding=1) in torch: unfold, then one (O, C·9) matrix per position."""

    def __init__(self, ours):
        super().__init__()
        oh, ow, o, c, kh, kw = ours.weight.shape
        self.weight = torch.nn.Parameter(torch.tensor(ours.weight.data).reshape(oh * ow, o, c * kh * kw))
        self.bias = torch.nn.Parameter(torch.tensor(ours.bias.data).reshape(o, oh * ow))
        self.side = oh

    def forward(self, x):
        cols = F.unfold(x, 3, padding=1)                                  # (N, C·9, positions)
        y = torch.einsum("nkp,pok->nop", cols, self.weight) + self.bias
        return y.reshape(len(x), -1, self.side, self.side)


def _torch_digit_net(ours):
    layers = []
    for m in ours:
        name = type(m).__name__
        if name == "LocallyConnected2d":
            layers.append(_TorchLocal(m))
        elif name in ("Conv2d", "Linear"):
            layer = torch.nn.Conv2d(m.in_channels, m.out_channels, 3, padding=1) if name == "Conv2d" else \
                torch.nn.Linear(m.in_features, m.out_features)
            copy_weights([layer], [m])
            layers.append(layer)
        else:
            layers.append({"ReLU": torch.nn.ReLU(), "MaxPool2d": torch.nn.MaxPool2d(2),
                           "Flatten": torch.nn.Flatten()}[name])
    return torch.nn.Sequential(*layers)


@pytest.mark.slow
def test_local_conv_digits_replayed_in_torch():
    """The aligned and shifted digit nets (seed 0) trained again in torch from the entry's initial weights."""
    from gradbook.handbook.entries._small_nets import digits_images

    n = handbook.run("local-conv", quick=True).numbers
    Xtr, ytr, Xte, yte = digits_images()
    data = {"aligned": (Xtr[:entry.N_TRAIN], Xte), "shifted": (entry.shifted(Xtr[:entry.N_TRAIN], 1),
                                                               entry.shifted(Xte, 2))}
    for cond, (A, B) in data.items():
        for second in ("conv", "local"):
            backend.manual_seed(0)
            net = _torch_digit_net(entry.digit_net(second))
            train_full_batch(net, A, ytr[:entry.N_TRAIN], entry.STEPS, entry.LR)
            acc = accuracy(net, B, yte)
            assert abs(acc - n[f"acc_{cond}_{second}"]) <= 2 / len(yte), (cond, second, acc)
