"""why-cnn replayed in torch: every detection net (the unshared one as an einsum over unfolded windows) and the
two-layer order net rebuilt from the entry's initial weights, trained with torch's Adam on the entry's data,
their accuracies compared (to two test sequences); the verdicts rederived from the entry's numbers."""
import torch

from gradbook import backend, handbook
from gradbook.handbook.entries import why_cnn as entry
from tests.handbook.entries.torch_replay import accuracy, copy_weights, train_full_batch


class _Local(torch.nn.Module):
    """LocallyConnected2d for 1 x k windows on (N, 1, 1, L): out[n, o, 0, q] = Σ_k W[0, q, o, 0, 0, k]·x[q + k]."""

    def __init__(self, ours):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.tensor(ours.weight.data))
        self.bias = torch.nn.Parameter(torch.tensor(ours.bias.data))

    def forward(self, x):
        windows = x[:, 0, 0].unfold(-1, self.weight.shape[-1], 1)          # (N, positions, k)
        return torch.einsum("nqk,qok->noq", windows, self.weight[0, :, :, 0, 0]).unsqueeze(2) + self.bias


def _twin(ours):
    layers = []
    for m in ours:
        name = type(m).__name__
        if name == "Conv2d":
            layer = torch.nn.Conv2d(m.in_channels, m.out_channels, m.kernel_size)
        elif name == "Linear":
            layer = torch.nn.Linear(m.in_features, m.out_features)
        elif name == "LocallyConnected2d":
            layers.append(_Local(m))
            continue
        else:
            layers.append({"ReLU": torch.nn.ReLU(), "Flatten": torch.nn.Flatten(),
                           "AdaptiveMaxPool2d": torch.nn.AdaptiveMaxPool2d(1),
                           "MaxPool2d": torch.nn.MaxPool2d((1, 2))}[name])
            continue
        copy_weights([layer], [m])
        layers.append(layer)
    return torch.nn.Sequential(*layers)


def _train(net, X, y, steps):
    """Full-batch Adam; returns the first step whose loss is below 0.1."""
    losses = train_full_batch(net, X, y, steps, entry.LR)
    return next((i + 1 for i, v in enumerate(losses) if v < 0.1), steps + 1)


def test_why_cnn_against_torch():
    r = handbook.run("why-cnn", quick=True)
    n = r.numbers
    Xtr, ytr = entry.detection_set(entry.N_TRAIN, entry.SEEN, 1)
    tests = {"seen": entry.detection_set(entry.N_TEST, entry.SEEN, 2),
             "unseen": entry.detection_set(entry.N_TEST, entry.UNSEEN, 3)}
    for kind in entry.ABLATIONS:
        backend.manual_seed(0)
        ours = entry.detector(kind)
        net = _twin(ours)
        assert n[f"{kind.replace('-', '_')}_params"] == sum(p.numel() for p in net.parameters())
        fit = _train(net, Xtr, ytr, entry.STEPS)
        assert abs(fit - n[f"{kind.replace('-', '_')}_fit_steps"]) <= 2, kind
        for name, (X, y) in tests.items():
            assert abs(accuracy(net, X, y) - n[f"{kind.replace('-', '_')}_{name}"]) <= 2 / entry.N_TEST, (kind, name)
    backend.manual_seed(0)
    net = _twin(entry.order_net(2))
    _train(net, *entry.order_set(2 * entry.N_TRAIN, 4), entry.ORDER_STEPS)
    assert abs(accuracy(net, *entry.order_set(entry.N_TEST, 5)) - n["order_2"]) <= 2 / entry.N_TEST

    shown = (n["conv_unseen"] > 0.9 and all(n[f"{k}_unseen"] < 0.75 for k in ("mlp", "local", "conv_flat"))
             and n["order_2"] > 0.9 and n["order_1"] < 0.75)
    fewer = n["conv_params"] < min(n["mlp_params"], n["local_params"])
    faster = n["conv_fit_steps"] < min(n["mlp_fit_steps"], n["local_fit_steps"])
    assert r.verdicts == {"four-means": "confirmed" if shown else "depends",
                          "sharing-eases-training": "confirmed" if fewer and faster else "depends" if fewer
                          else "corrected"}
