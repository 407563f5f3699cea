"""inception recomputed by hand and in torch: the n×n vs 1×n + n×1 counts from torch Conv2d layers, torchvision's
InceptionC counted, the v1 (3a) figures by the conv-BN formula, the rank-one identity of the factorised pair in
torch, and the verdicts from those numbers."""
import numpy as np
import pytest
import torch

from gradbook import handbook
from gradbook.handbook.entries import inception as entry
from tests.models.torchvision_models import torchvision_models


@pytest.fixture(scope="module")
def run():
    return handbook.run("inception", quick=True)


def _n(module):
    return sum(p.numel() for p in module.parameters())


def _basic(cin, cout, kh, kw=None):
    """conv without bias + BN (γ, β): cin·cout·kh·kw + 2·cout."""
    return cin * cout * kh * (kw or kh) + 2 * cout


def test_factorisation_counts(run):
    n_, c = run.numbers, entry.C
    for k in entry.KERNELS:
        full = _n(torch.nn.Conv2d(c, c, k, bias=False))
        pair = _n(torch.nn.Conv2d(c, c, (1, k), bias=False)) + _n(torch.nn.Conv2d(c, c, (k, 1), bias=False))
        assert (n_[f"full_{k}"], n_[f"pair_{k}"]) == (full, pair)
        assert np.isclose(n_[f"saved_{k}"], 1 - 2 / k) and np.isclose(n_[f"macs_saved_{k}"], 1 - 2 / k)
    assert np.isclose(n_["two_3x3_saved"], 1 - 18 / 25)


def test_v3_module_against_torchvision(run):
    n_ = run.numbers
    torchvision_models()   # registers torchvision's model code without its compiled operators
    from torchvision.models.inception import InceptionC
    assert n_["v3_module"] == _n(InceptionC(768, 192))
    c7 = 192
    unfact = (_basic(768, 192, 1) + _basic(768, c7, 1) + _basic(c7, 192, 7) + _basic(768, c7, 1)
              + _basic(c7, c7, 7) + _basic(c7, 192, 7) + _basic(768, 192, 1))
    assert n_["v3_unfactorised"] == unfact
    # multiply-adds of the factorised module on 17x17, by hand: Σ cin·cout·kh·kw · 17²
    macs = 17 * 17 * (768 * 192 + 768 * c7 + c7 * c7 * 7 + c7 * 192 * 7 + 768 * c7 + 3 * c7 * c7 * 7
                      + c7 * 192 * 7 + 768 * 192)
    assert n_["v3_macs"] == macs
    assert (n_["v3_relus"], n_["v3_unfactorised_relus"]) == (10, 7)


def test_v1_counts_by_formula(run):
    n_ = run.numbers
    with_red = (_basic(192, 64, 1) + _basic(192, 96, 1) + _basic(96, 128, 3) + _basic(192, 16, 1)
                + _basic(16, 32, 5) + _basic(192, 32, 1))
    without = _basic(192, 64, 1) + _basic(192, 128, 3) + _basic(192, 32, 5) + _basic(192, 32, 1)
    assert (n_["v1_with"], n_["v1_without"], n_["v1_plain"]) == (with_red, without, _basic(192, 256, 5))
    assert run.verdicts["v1-small-kernels-save"] == ("confirmed" if with_red < _basic(192, 256, 5) / 2
                                                     else "corrected")


def test_factorised_pair_is_a_rank_one_kernel_in_torch(run):
    g = torch.Generator().manual_seed(3)
    row, col = torch.randn(1, 1, 1, 7, generator=g, dtype=torch.float64), torch.randn(1, 1, 7, 1, generator=g,
                                                                                        dtype=torch.float64)
    x = torch.randn(2, 1, 11, 11, generator=g, dtype=torch.float64)
    F = torch.nn.functional
    pair = F.conv2d(F.conv2d(x, row, padding=(0, 3)), col, padding=(3, 0))
    full = F.conv2d(x, (col[0, 0] @ row[0, 0])[None, None], padding=3)
    assert torch.allclose(pair, full, atol=1e-12)
    assert run.numbers["gap_7"] < 1e-9 and run.numbers["rank_7"] == 1


def test_bn_and_identity_verdicts(run):
    n_ = run.numbers
    assert n_["bn_layers"] == n_["conv_layers"] == 10
    assert n_["resnet_identity_gap"] == 0.0 and n_["v4_identity_gap"] > 0.1
    assert run.verdicts["v2-bn-at-input"] == "corrected" and run.verdicts["v4-adds-resnet"] == "corrected"
    assert run.verdicts["v3-factorisation"] == "confirmed"


def test_shortcut_is_the_only_difference_and_the_speed_verdict(run):
    from gradbook import backend
    from gradbook.autograd import Tensor, no_grad
    backend.manual_seed(0)
    with_x = entry.InceptionResNetA(32)
    without = entry.NoShortcutResNetA(32)
    without.load_state_dict(with_x.state_dict())
    for block in (with_x, without):
        block.activation = False
        block.eval()
    x = np.random.default_rng(0).standard_normal((2, 32, 5, 5)).astype(np.float32)
    with no_grad():
        assert np.allclose(with_x(Tensor(x)).data - without(Tensor(x)).data, x, atol=1e-5)
    n_ = run.numbers
    ratio = n_["incres_loss"] / n_["noshort_loss"]
    assert np.isclose(n_["incres_loss_ratio"], ratio)
    assert run.verdicts["residual-for-speed"] == ("confirmed" if ratio < 0.8 else "corrected" if ratio > 1.25
                                                  else "contested")
