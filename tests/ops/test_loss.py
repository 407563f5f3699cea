"""Losses: float64 gradchecks (random upstream gradient), the fused cross-entropy gradient
softmax − onehot, stability, and the errors for bad targets."""
import numpy as np
import pytest

import gradbook as gb
import gradbook.nn.functional as F
from gradbook.autograd import gradcheck

RNG = np.random.default_rng(0)


def _t(shape, seed, low=None, grad=True):
    rng = np.random.default_rng(seed)
    data = rng.standard_normal(shape) if low is None else low + (1 - 2 * low) * rng.random(shape)
    return gb.tensor(data, dtype="float64", requires_grad=grad)


def _idx(shape, c, seed):
    return gb.tensor(np.random.default_rng(seed).integers(0, c, shape))


W4 = np.array([0.5, 1.0, 2.0, 0.3])


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("smoothing", [0.0, 0.25])
def test_cross_entropy_gradcheck(reduction, smoothing):
    t = _idx((3, 2), 4, 1)
    t.data[0, 0] = -100   # ignored
    assert gradcheck(lambda x: F.cross_entropy(x, t, W4, reduction=reduction, label_smoothing=smoothing),
                     [_t((3, 4, 2), 0)])
    q = _t((3, 4), 5, low=0.05)
    assert gradcheck(lambda x, q: F.cross_entropy(x, q, W4, reduction=reduction, label_smoothing=smoothing),
                     [_t((3, 4), 2), q])


def test_cross_entropy_gradient_is_softmax_minus_onehot():
    x = _t((5, 4), 0)
    t = _idx((5,), 4, 1)
    F.cross_entropy(x, t, reduction="sum").backward()
    p = np.exp(x.data) / np.exp(x.data).sum(1, keepdims=True)
    np.testing.assert_allclose(x.grad.data, p - np.eye(4)[t.data], rtol=1e-12, atol=1e-14)


def test_cross_entropy_stable_and_hand_computed():
    x = gb.tensor([[1000.0, 0.0], [0.0, 0.0]], dtype="float64")
    loss = F.cross_entropy(x, gb.tensor([1, 0]), reduction="none").data
    np.testing.assert_allclose(loss, [1000.0, np.log(2.0)])   # −log softmax by hand
    unbatched = F.cross_entropy(gb.tensor([0.0, 0.0, np.log(2.0)], dtype="float64"), gb.tensor(2))
    np.testing.assert_allclose(unbatched.data, -np.log(2 / 4))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_nll_and_multi_margin_gradcheck(reduction):
    t = _idx((4,), 4, 3)
    t.data[1] = 7
    assert gradcheck(lambda x: F.nll_loss(x, t, W4, ignore_index=7, reduction=reduction), [_t((4, 4), 0)])
    t2 = _idx((5,), 4, 4)
    for p in (1, 2):
        assert gradcheck(lambda x: F.multi_margin_loss(x, t2, p, 0.8, W4, reduction=reduction),
                         [_t((5, 4), p)])


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_pointwise_losses_gradcheck(reduction):
    x, y, w = _t((3, 4), 0), _t((3, 4), 1), np.random.default_rng(2).random((3, 4))
    assert gradcheck(lambda x, y: F.mse_loss(x, y, reduction=reduction), [x, y])
    assert gradcheck(lambda x, y: F.mse_loss(x, y, reduction=reduction, weight=w), [x, y])
    assert gradcheck(lambda x, y: F.l1_loss(x, y, reduction=reduction, weight=w), [x, y])
    assert gradcheck(lambda x, y: F.smooth_l1_loss(x, y, reduction=reduction, beta=0.7), [x, y])
    assert gradcheck(lambda x, y: F.huber_loss(x, y, reduction=reduction, delta=0.6), [x, y])
    p, q = _t((3, 4), 3, low=0.05), _t((3, 4), 4, low=0.0)
    assert gradcheck(lambda p, q: F.binary_cross_entropy(p, q, w, reduction=reduction), [p, q])
    pw = np.array([0.5, 1.0, 2.0, 3.0])
    assert gradcheck(lambda x, q: F.binary_cross_entropy_with_logits(x, q, w, reduction=reduction, pos_weight=pw),
                     [x, q])
    assert gradcheck(lambda x, q: F.kl_div(x, q, reduction=reduction), [x, _t((3, 4), 5, low=0.05)])
    assert gradcheck(lambda x, q: F.kl_div(x, q, reduction=reduction, log_target=True), [x, y])


def test_kl_div_batchmean_and_bce_with_logits_stability():
    x = F.log_softmax(_t((4, 3), 0), dim=1)
    q = np.random.default_rng(1).dirichlet(np.ones(3), 4)
    want = (q * (np.log(q) - x.data)).sum() / 4   # the KL divergence per sample, by hand
    np.testing.assert_allclose(F.kl_div(x, q, reduction="batchmean").data, want)
    big = gb.tensor([800.0, -800.0], dtype="float64")
    out = F.binary_cross_entropy_with_logits(big, gb.tensor([0.0, 1.0], dtype="float64"), reduction="none")
    np.testing.assert_allclose(out.data, [800.0, 800.0])


def test_legacy_size_average_and_reduce():
    x, y = gb.randn(3, 2), gb.randn(3, 2)
    np.testing.assert_allclose(F.mse_loss(x, y, size_average=False).data, F.mse_loss(x, y, reduction="sum").data)
    assert F.mse_loss(x, y, reduce=False).shape == (3, 2)


def test_out_of_range_targets_name_loss_classes_and_value():
    x = gb.randn(4, 3)
    with pytest.raises(ValueError, match=r"cross_entropy: target 3 is out of range for 3 classes"):
        F.cross_entropy(x, gb.tensor([0, 1, 3, 2]))
    with pytest.raises(ValueError, match=r"nll_loss: target -1 is out of range for 3 classes"):
        F.nll_loss(x, gb.tensor([0, -1, 2, 2]))
    with pytest.raises(ValueError, match=r"multi_margin_loss: target 5 is out of range for 3 classes"):
        F.multi_margin_loss(x, gb.tensor([0, 5, 2, 2]))
    F.cross_entropy(x, gb.tensor([0, -100, 2, 2]))   # ignore_index is not out of range


def test_shape_mismatches_name_both_shapes():
    x = gb.randn(4, 3)
    with pytest.raises(ValueError, match=r"expected target of shape \(4,\) for input of shape \(4, 3\), got target of shape \(5,\)"):
        F.cross_entropy(x, gb.tensor([0, 1, 2, 0, 1]))
    with pytest.raises(ValueError, match=r"mse_loss: target shape \(5,\) cannot be broadcast to input shape \(4, 3\)"):
        F.mse_loss(x, gb.randn(5))
    with pytest.raises(ValueError, match=r"binary_cross_entropy: target shape \(4, 1\) must equal input shape \(4, 3\)"):
        F.binary_cross_entropy(gb.rand(4, 3), gb.rand(4, 1))
    with pytest.raises(ValueError, match=r"cross_entropy: expected weight of shape \(3,\)"):
        F.cross_entropy(x, gb.tensor([0, 1, 2, 0]), weight=gb.ones(4))


def test_other_bad_arguments():
    x = gb.randn(4, 3)
    with pytest.raises(ValueError, match="reduction must be one of"):
        F.mse_loss(x, x, reduction="avg")
    with pytest.raises(ValueError, match="only p=1 .* and p=2 .* are supported, got p=3"):
        F.multi_margin_loss(x, gb.tensor([0, 1, 2, 0]), p=3)
    with pytest.raises(ValueError, match="should be between 0 and 1"):
        F.binary_cross_entropy(x, x)
    with pytest.raises(ValueError, match="label_smoothing must be in"):
        F.cross_entropy(x, gb.tensor([0, 1, 2, 0]), label_smoothing=1.5)


def test_float32_stays_float32():
    x, t = gb.randn(4, 3), gb.tensor([0, 1, 2, 0])
    outs = [F.cross_entropy(x, t), F.nll_loss(x, t), F.multi_margin_loss(x, t), F.mse_loss(x, x * 2),
            F.kl_div(x, gb.rand(4, 3)), F.binary_cross_entropy_with_logits(x, gb.rand(4, 3))]
    assert all(o.dtype == np.float32 for o in outs)


def test_all_targets_ignored_gives_nan_mean_and_zero_sum():
    x, t = gb.randn(3, 4, requires_grad=True), gb.tensor([-100, -100, -100])
    with np.errstate(invalid="ignore"):
        assert np.isnan(F.cross_entropy(x, t).item())   # 0/0, as PyTorch returns
    assert F.cross_entropy(x, t, reduction="sum").item() == 0.0
