"""resnet replayed in torch: every quick-mode net rebuilt from torchvision's BasicBlock with the entry's initial
weights, its first- and last-layer gradient norms at initialisation recomputed (with and without BN), the
shortcut counts by hand and from torchvision's resnet18, the verdicts rederived; the slow test retrains the
deepest plain and residual nets in torch and compares their final training losses."""
import numpy as np
import pytest
import torch

from gradbook import backend, handbook
from gradbook.handbook.entries import resnet as entry
from gradbook.handbook.entries._small_nets import digits_images
from tests.models.torchvision_models import torchvision_models

QUICK_BLOCKS, N_TRAIN, STEPS = (1, 5), 150, 20


@pytest.fixture(scope="module")
def run():
    return handbook.run("resnet", quick=True)


class ZeroPad(torch.nn.Module):
    def forward(self, x):
        x = x[:, :, ::2, ::2]
        extra = x.shape[1]
        return torch.nn.functional.pad(x, (0, 0, 0, 0, extra // 2, extra - extra // 2))


def torch_net(blocks, residual, bn=True):
    torchvision_models()
    from torchvision.models.resnet import BasicBlock

    class Plain(BasicBlock):
        def forward(self, x):
            return self.relu(self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x))))))

    norm = torch.nn.BatchNorm2d if bn else (lambda c: torch.nn.Identity())
    block = BasicBlock if residual else Plain
    w = entry.WIDTH
    layers = [torch.nn.Conv2d(1, w, 3, padding=1, bias=False), norm(w), torch.nn.ReLU()]
    layers += [block(w, w, norm_layer=norm) for _ in range(blocks)]
    layers += [block(w, 2 * w, 2, ZeroPad() if residual else None, norm_layer=norm)]
    layers += [block(2 * w, 2 * w, norm_layer=norm) for _ in range(blocks - 1)]
    return torch.nn.Sequential(*layers, torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(), torch.nn.Linear(2 * w, 10))


def twin(blocks, residual, bn=True):
    """The entry's net (seed 0, as the entry draws it) and a torch copy with the same weights."""
    backend.manual_seed(0)
    ours = entry.digits_resnet(blocks, residual, bn=bn)
    theirs = torch_net(blocks, residual, bn)
    theirs.load_state_dict({k: torch.tensor(np.asarray(v)) for k, v in ours.state_dict().items()})
    return theirs


def data():
    Xtr, ytr, _, _ = digits_images()
    return torch.tensor(Xtr[:N_TRAIN]), torch.tensor(ytr[:N_TRAIN])


def grads(net, x, t):
    net.train()
    torch.nn.functional.cross_entropy(net(x), t).backward()
    return float(net[0].weight.grad.norm()), float(net[-1].weight.grad.norm())


def test_gradient_norms_at_init_against_torch(run):
    n_ = run.numbers
    x, t = data()
    for blocks in QUICK_BLOCKS:
        depth = 4 * blocks + 2
        for residual, kind in ((False, "plain"), (True, "residual")):
            first, last = grads(twin(blocks, residual), x, t)
            assert np.isclose(n_[f"grad_{kind}_{depth}"], first, rtol=1e-3), (kind, depth)
            assert np.isclose(n_[f"gradratio_{kind}_{depth}"], first / last, rtol=1e-3)
            first, last = grads(twin(blocks, residual, bn=False), x, t)
            assert np.isclose(n_[f"nobn_gradratio_{kind}_{depth}"], first / last, rtol=1e-3)
    shallow, deep = (4 * b + 2 for b in QUICK_BLOCKS)
    kept = n_[f"gradratio_plain_{deep}"] >= 0.1 * n_[f"gradratio_plain_{shallow}"]
    assert run.verdicts["vanishing-gradients"] == ("corrected" if kept else "confirmed")
    degraded = n_[f"loss_plain_{deep}"] > n_[f"loss_plain_{shallow}"] + 0.05 \
        and n_[f"loss_residual_{deep}"] < n_[f"loss_plain_{deep}"]
    assert run.verdicts["degradation"] == ("confirmed" if degraded else "corrected")


def test_shortcut_counts(run):
    n_ = run.numbers
    w = entry.WIDTH
    assert n_["option_a_params"] == 0 and n_["option_b_params"] == w * 2 * w + 2 * 2 * w
    torchvision_models()
    from torchvision.models import resnet18
    r18 = resnet18()
    assert n_["r18_params"] == sum(p.numel() for p in r18.parameters())
    assert n_["r18_downsample_params"] == sum(p.numel() for name, p in r18.named_parameters() if "downsample" in name)
    # hand count: 1x1 convs 64→128, 128→256, 256→512 plus their BN
    assert n_["r18_downsample_params"] == 64 * 128 + 128 * 256 + 256 * 512 + 2 * (128 + 256 + 512)
    assert n_["bottleneck_256"] == 256 * 64 + 64 * 64 * 9 + 64 * 256 + 2 * (64 + 64 + 256)
    assert n_["basic_256"] == 2 * (256 * 256 * 9 + 2 * 256)
    assert n_["residual_identity_gap"] == 0.0 and n_["plain_identity_gap"] > 0
    assert run.verdicts["identity-argument"] == "confirmed"


@pytest.mark.slow  # trains four nets in torch (~10 s)
def test_training_losses_replayed_in_torch(run):
    x, t = data()
    for blocks in QUICK_BLOCKS:
        for residual, kind in ((False, "plain"), (True, "residual")):
            net = twin(blocks, residual)
            opt = torch.optim.Adam(net.parameters(), lr=entry.LR)
            for _ in range(STEPS):
                opt.zero_grad()
                loss = torch.nn.functional.cross_entropy(net(x), t)
                loss.backward()
                opt.step()
            ours = run.numbers[f"loss_{kind}_{4 * blocks + 2}"]
            assert abs(loss.item() - ours) < 0.02 + 0.05 * ours, (kind, blocks, loss.item(), ours)


def test_preact_verdicts_follow_the_numbers(run):
    n_ = run.numbers
    ratio = n_["loss_preact_deep"] / n_["loss_residual_deep"]
    assert np.isclose(n_["preact_loss_ratio"], ratio)
    assert run.verdicts["v2-easier-optimisation"] == ("confirmed" if ratio < 0.9 else "depends" if ratio > 1.1
                                                      else "contested")
    change, margin = n_["gap_preact"] - n_["gap_residual"], 2 / 359
    assert run.verdicts["v2-less-overfitting"] == ("confirmed" if change < -margin else "corrected" if change > margin
                                                   else "contested")
    # the v2 net is the pre-activation shape: no BN/ReLU between the stem conv and the first block's BN
    net = entry.digits_preact_resnet(1)
    assert type(net[1]).__name__ == "PreActBlock" and type(net[-5]).__name__ == "BatchNorm2d"


def test_settled_bn_holds_the_training_batch_statistics():
    backend.manual_seed(0)
    net = entry.digits_resnet(1, True)
    x, _ = data()
    entry.settle_bn(net, x.numpy())
    bn = net[1]
    h = torch.nn.functional.conv2d(x, torch.tensor(np.asarray(net[0].weight.data)), padding=1)
    assert np.allclose(bn.running_mean, h.mean((0, 2, 3)).numpy(), atol=1e-5)
    assert np.allclose(bn.running_var, h.var((0, 2, 3), unbiased=True).numpy(), rtol=1e-4, atol=1e-6)
