"""vanishing-gradients against the same nets in torch (the entry's initial weights copied into
torch.nn.Linear / BatchNorm1d, torch's autograd and clip_grad_norm_, torch.optim.SGD) and the
sigmoid's slope from calculus."""
import numpy as np
import pytest
import torch

from gradbook import handbook
from gradbook.handbook.entries.vanishing_gradients import CONFIGS, DEPTH, DeepMLP, _tag, batch


class TorchMLP(torch.nn.Module):
    def __init__(self, ours: DeepMLP, activation: str, batch_norm: bool, residual: bool):
        super().__init__()
        self.act = torch.sigmoid if activation == "sigmoid" else torch.relu
        self.residual = residual

        def linear(layer):
            t = torch.nn.Linear(*layer.weight.shape[::-1]).double()
            with torch.no_grad():
                t.weight.copy_(torch.from_numpy(np.array(layer.weight.data)))
                t.bias.copy_(torch.from_numpy(np.array(layer.bias.data)))
            return t

        self.inp, self.out = linear(ours.inp), linear(ours.out)
        self.hidden = torch.nn.ModuleList([linear(layer) for layer in ours.hidden])
        width = ours.hidden[0].weight.shape[0]
        self.norms = (torch.nn.ModuleList([torch.nn.BatchNorm1d(width).double() for _ in ours.hidden])
                      if batch_norm else None)

    def features(self, x):
        h = self.act(self.inp(x))
        for i, layer in enumerate(self.hidden):
            z = layer(h)
            z = self.act(self.norms[i](z) if self.norms is not None else z)
            h = h + z if self.residual else z
        return h

    def forward(self, x):
        return self.out(self.features(x))


def torch_twin(name):
    activation, bn, residual, init = CONFIGS[name]
    return TorchMLP(DeepMLP(activation, bn, residual, init), activation, bn, residual)


@pytest.fixture(scope="module")
def result():
    return handbook.run("vanishing-gradients", quick=True)


def test_layer_gradients_match_torch(result):
    n = result.numbers
    x, y = (torch.from_numpy(a) for a in batch())
    for name in list(CONFIGS) + ["ReLU, 1.5 × He init, clipped"]:
        net = torch_twin(name.replace(", clipped", ""))
        torch.nn.functional.cross_entropy(net(x), y).backward()
        if name.endswith("clipped"):
            torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
        g = np.array([layer.weight.grad.norm().item() for layer in net.hidden])
        tag = _tag(name)
        assert np.isclose(n[f"first_{tag}"], g[0], rtol=1e-7), name
        assert np.isclose(n[f"last_{tag}"], g[-1], rtol=1e-7), name
        assert np.isclose(n[f"ratio_{tag}"], g[0] / g[-1], rtol=1e-7), name
    with torch.no_grad():
        he, big = torch_twin("ReLU, He init").features(x), torch_twin("ReLU, 1.5 × He init").features(x)
    assert np.isclose(n["forward_factor"], (big.norm() / he.norm()).item(), rtol=1e-9)
    # He init: N(0, 2/fan_in) for the hidden weights
    w = np.concatenate([np.array(layer.weight.data).ravel() for layer in DeepMLP(*CONFIGS["ReLU, He init"]).hidden])
    assert abs(w.std() / np.sqrt(2 / 64) - 1) < 0.02


def test_moves_and_slope(result):
    n = result.numbers
    # σ'(z) = σ(z)(1 − σ(z)) peaks at z = 0 with 1/4; σ'(4) = e⁻⁴/(1 + e⁻⁴)²
    assert n["sigmoid_slope_max"] == 0.25
    assert np.isclose(n["sigmoid_slope_at_4"], np.exp(-4) / (1 + np.exp(-4)) ** 2, rtol=1e-12)
    x, y = (torch.from_numpy(a) for a in batch())
    for name in ("sigmoid", "ReLU, He init", "ReLU + residual"):
        net = torch_twin(name)
        before = [layer.weight.detach().clone() for layer in net.hidden]
        opt = torch.optim.SGD(net.parameters(), lr=0.1)
        for _ in range(n["move_steps"]):
            opt.zero_grad()
            torch.nn.functional.cross_entropy(net(x), y).backward()
            opt.step()
        moves = [((layer.weight - w).norm() / w.norm()).item() for layer, w in zip(net.hidden, before)]
        tag = _tag(name)
        assert np.isclose(n[f"move_first_{tag}"], moves[0], rtol=1e-6), name
        assert np.isclose(n[f"move_last_{tag}"], moves[-1], rtol=1e-6), name
    assert n["gain_power"] == 1.5 ** DEPTH
    assert result.verdicts == {"early-layers-slow": "confirmed", "sigmoid-quarter": "confirmed",
                               "relu-fixes": "depends", "bn-helps": "depends", "residual-helps": "confirmed",
                               "clipping": "depends"}
    assert [f.name for f in result.figures] == ["layer_gradients"]
