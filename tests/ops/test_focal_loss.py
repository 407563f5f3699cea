"""``F.sigmoid_focal_loss``: float64 gradcheck (random upstream gradient), the special cases
γ = 0 and α < 0 (plain BCE), a hand value, and clear errors."""
import numpy as np
import pytest

import gradbook as gb
import gradbook.nn.functional as F
from gradbook.autograd import gradcheck, gradgradcheck


def _t(shape, seed, grad=True):
    return gb.tensor(np.random.default_rng(seed).standard_normal(shape) * 2, requires_grad=grad)


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("alpha,gamma", [(0.25, 2.0), (-1.0, 1.5), (0.7, 0.0)])
def test_sigmoid_focal_loss_gradcheck(reduction, alpha, gamma):
    x = _t((3, 5), 0)
    soft = gb.tensor(np.random.default_rng(1).random((3, 5)), requires_grad=True)
    assert gradcheck(lambda x, y: F.sigmoid_focal_loss(x, y, alpha, gamma, reduction), [x, soft])


def test_hand_value_and_plain_bce_cases():
    x, y = np.array([2.0, -1.0, 0.5]), np.array([1.0, 0.0, 0.0])
    p = 1 / (1 + np.exp(-x))
    bce = -(y * np.log(p) + (1 - y) * np.log(1 - p))
    p_t = np.where(y == 1, p, 1 - p)
    want = np.where(y == 1, 0.25, 0.75) * (1 - p_t) ** 2 * bce
    got = F.sigmoid_focal_loss(gb.tensor(x), gb.tensor(y)).data
    np.testing.assert_allclose(got, want, rtol=1e-12)
    plain = F.sigmoid_focal_loss(gb.tensor(x), gb.tensor(y), alpha=-1, gamma=0).data
    np.testing.assert_allclose(plain, bce, rtol=1e-12)


def test_focal_loss_errors_name_the_argument():
    x = gb.tensor(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="sigmoid_focal_loss: targets of shape \\(3,\\)"):
        F.sigmoid_focal_loss(x, gb.tensor(np.zeros(3)))
    with pytest.raises(ValueError, match="reduction must be one of"):
        F.sigmoid_focal_loss(x, gb.tensor(np.zeros((2, 3))), reduction="batchmean")
    with pytest.raises(ValueError, match="gamma must be non-negative, got -1"):
        F.sigmoid_focal_loss(x, gb.tensor(np.zeros((2, 3))), gamma=-1)
    with pytest.raises(TypeError, match="expected targets to be a floating tensor"):
        F.sigmoid_focal_loss(x, gb.tensor(np.zeros((2, 3), np.int64)))


@pytest.mark.parametrize("alpha,gamma", [(0.25, 2.0), (-1.0, 1.5), (0.7, 0.0), (0.4, 3.0)])
def test_sigmoid_focal_loss_gradgradcheck(alpha, gamma):
    x = _t((2, 4), 3)
    soft = gb.tensor(np.random.default_rng(4).random((2, 4)) * 0.8 + 0.1, requires_grad=True)
    assert gradgradcheck(lambda x, y: F.sigmoid_focal_loss(x, y, alpha, gamma, "mean"), [x, soft])


def test_saturated_logits_give_finite_gradients():
    x = gb.tensor(np.array([60.0, -60.0, 60.0]), requires_grad=True)
    y = gb.tensor(np.array([1.0, 0.0, 0.0]))
    for gamma in (0.5, 2.0):
        x.grad = None
        F.sigmoid_focal_loss(x, y, gamma=gamma, reduction="sum").backward()
        assert np.all(np.isfinite(x.grad.data))
        np.testing.assert_allclose(x.grad.data[:2], 0, atol=1e-20)   # p_t = 1: nothing to learn
