"""Dropout: keep rate, inverted scaling, train/eval behaviour, gradients and reproducibility."""
import numpy as np
import pytest

import gradbook as gb
import gradbook.nn.functional as F


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_keep_rate_and_scaling(p):
    x = gb.ones(200, 500)
    y = F.dropout(x, p, training=True).data
    kept = y != 0
    n = kept.size
    # the kept fraction is Binomial(n, 1 − p)/n: within 5 standard deviations
    assert abs(kept.mean() - (1 - p)) < 5 * np.sqrt(p * (1 - p) / n)
    np.testing.assert_allclose(y[kept], 1 / (1 - p), rtol=1e-6)
    assert abs(y.mean() - 1.0) < 5 * np.sqrt(p / (1 - p) / n)   # E[y] = x: inverted dropout


def test_gradient_is_the_same_mask():
    x = gb.randn(50, 40, requires_grad=True)
    y = F.dropout(x, 0.3)
    g = np.random.default_rng(1).standard_normal(y.shape).astype(np.float32)
    y.backward(g)
    scale = np.where(x.data != 0, y.data / x.data, 0)
    np.testing.assert_allclose(x.grad.data, g * scale, rtol=1e-5, atol=1e-6)


def test_eval_and_p0_are_identity_and_p1_zeroes():
    x = gb.randn(4, 5)
    assert F.dropout(x, 0.5, training=False) is x
    assert F.dropout(x, 0.0) is x
    assert F.dropout2d(gb.randn(2, 3, 4, 4), 0.5, training=False).shape == (2, 3, 4, 4)
    assert not F.dropout(x, 1.0).data.any()


def test_reproducible_with_manual_seed():
    x = gb.ones(10, 10)
    gb.manual_seed(7)
    a = F.dropout(x, 0.5).data
    gb.manual_seed(7)
    b = F.dropout(x, 0.5).data
    c = F.dropout(x, 0.5).data
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(b, c)


def test_dropout2d_drops_whole_channels():
    x = gb.ones(40, 50, 3, 3)
    y = F.dropout2d(x, 0.4).data
    per_channel = y.reshape(40, 50, -1)
    assert (per_channel.min(-1) == per_channel.max(-1)).all()   # each feature map all kept or all dropped
    kept = per_channel[..., 0] != 0
    assert abs(kept.mean() - 0.6) < 5 * np.sqrt(0.24 / kept.size)
    np.testing.assert_allclose(per_channel[kept], 1 / 0.6, rtol=1e-6)


def test_alpha_dropout_keeps_zero_mean_unit_variance():
    x = gb.randn(400, 500)
    y = F.alpha_dropout(x, 0.3, training=True).data
    assert abs(y.mean()) < 0.02 and abs(y.std() - 1) < 0.02
    assert F.alpha_dropout(x, 0.3) is x   # training defaults to False, as in PyTorch


def test_bad_probability():
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1, but got 1.5"):
        F.dropout(gb.randn(3), 1.5)
    with pytest.raises(ValueError, match=r"dropout2d: expected an input of shape \(N, C, ...\), got \(3,\)"):
        F.dropout2d(gb.randn(3), 0.5)
