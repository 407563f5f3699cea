"""gradbook.nn.init: the gain table and fans against torch.nn.init, and each distribution's
bounds, mean and standard deviation against its formula (statistical tolerance: the sample std
of n draws is off by about σ/√(2n); the tolerances below are > 5 of those)."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy import stats

import gradbook as gb
from gradbook.nn import init

SHAPES = [(64, 128), (32, 16, 3, 3), (200, 10, 5)]


@pytest.mark.parametrize("name, param", [("linear", None), ("conv1d", None), ("conv2d", None),
                                         ("conv3d", None), ("conv_transpose2d", None), ("sigmoid", None),
                                         ("tanh", None), ("relu", None), ("leaky_relu", None),
                                         ("leaky_relu", 0.2), ("leaky_relu", 1), ("leaky_relu", math.sqrt(5)),
                                         ("selu", None)])
def test_gain_table_matches_torch(name, param):
    assert init.calculate_gain(name, param) == pytest.approx(torch.nn.init.calculate_gain(name, param), rel=1e-12)


def test_gain_rejects_unknown_and_bad_slope():
    with pytest.raises(ValueError, match="unsupported nonlinearity 'swish'"):
        init.calculate_gain("swish")
    with pytest.raises(ValueError, match="not a valid number"):
        init.calculate_gain("leaky_relu", True)


@pytest.mark.parametrize("shape", SHAPES + [(7, 3)])
def test_fans_match_torch(shape):
    got = init._calculate_fan_in_and_fan_out(gb.zeros(*shape))
    assert got == torch.nn.init._calculate_fan_in_and_fan_out(torch.zeros(shape))
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init._calculate_fan_in_and_fan_out(gb.zeros(5))


def _check_uniform(a: np.ndarray, bound: float):
    assert a.dtype == np.float32
    assert np.abs(a).max() <= bound * (1 + 1e-6) and np.abs(a).max() > 0.95 * bound
    assert abs(a.mean()) < 6 * bound / math.sqrt(3 * a.size)
    assert abs(a.std() / (bound / math.sqrt(3)) - 1) < 6 / math.sqrt(2 * a.size) + 0.01


def _check_normal(a: np.ndarray, std: float):
    assert a.dtype == np.float32
    assert abs(a.mean()) < 6 * std / math.sqrt(a.size)
    assert abs(a.std() / std - 1) < 6 / math.sqrt(2 * a.size)


@pytest.mark.parametrize("shape", SHAPES)
def test_xavier(shape):
    fan_in, fan_out = init._calculate_fan_in_and_fan_out(gb.zeros(*shape))
    t = init.xavier_uniform_(gb.zeros(*shape), gain=1.7)
    _check_uniform(t.data, 1.7 * math.sqrt(6 / (fan_in + fan_out)))
    _check_normal(init.xavier_normal_(gb.zeros(*shape), gain=0.5).data, 0.5 * math.sqrt(2 / (fan_in + fan_out)))


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("mode", ["fan_in", "fan_out"])
@pytest.mark.parametrize("nonlinearity, a", [("relu", 0), ("leaky_relu", 0.1), ("leaky_relu", math.sqrt(5)),
                                             ("tanh", 0)])
def test_kaiming(shape, mode, nonlinearity, a):
    fan_in, fan_out = init._calculate_fan_in_and_fan_out(gb.zeros(*shape))
    fan = fan_in if mode == "fan_in" else fan_out
    std = torch.nn.init.calculate_gain(nonlinearity, a) / math.sqrt(fan)  # the formula, gain from torch
    _check_uniform(init.kaiming_uniform_(gb.zeros(*shape), a, mode, nonlinearity).data, math.sqrt(3) * std)
    _check_normal(init.kaiming_normal_(gb.zeros(*shape), a, mode, nonlinearity).data, std)
    with pytest.raises(ValueError, match="fan_avg"):
        init.kaiming_normal_(gb.zeros(*shape), mode="fan_avg")


@pytest.mark.parametrize("shape", SHAPES)
def test_lecun(shape):
    fan_in, _ = init._calculate_fan_in_and_fan_out(gb.zeros(*shape))
    _check_uniform(init.lecun_uniform_(gb.zeros(*shape)).data, math.sqrt(3 / fan_in))
    _check_normal(init.lecun_normal_(gb.zeros(*shape)).data, 1 / math.sqrt(fan_in))


def test_uniform_normal_constant_ones_zeros_eye():
    t = gb.zeros(100, 100)
    init.uniform_(t, -2.0, 3.0)
    assert t.data.min() >= -2 and t.data.max() <= 3
    assert abs(t.data.mean() - 0.5) < 6 * (5 / math.sqrt(12)) / 100
    _check_normal(init.normal_(gb.zeros(100, 100), 0.0, 0.3).data, 0.3)
    assert abs(init.normal_(gb.zeros(100, 100), 4.0, 0.3).data.mean() - 4) < 6 * 0.3 / 100
    assert np.all(init.constant_(gb.zeros(3, 2), 0.25).data == 0.25)
    assert np.all(init.ones_(gb.zeros(3)).data == 1) and np.all(init.zeros_(gb.ones(3)).data == 0)
    np.testing.assert_array_equal(init.eye_(gb.zeros(3, 4)).data, np.eye(3, 4))


def test_trunc_normal_matches_scipy_truncnorm():
    mean, std, a, b = 0.5, 2.0, -1.0, 3.0
    t = init.trunc_normal_(gb.zeros(200, 200), mean, std, a, b)
    x = t.data.astype(np.float64)
    assert x.min() >= a and x.max() <= b
    ref = stats.truncnorm((a - mean) / std, (b - mean) / std, loc=mean, scale=std)
    assert abs(x.mean() - ref.mean()) < 6 * ref.std() / 200
    assert abs(x.std() / ref.std() - 1) < 6 / math.sqrt(2 * x.size)
    assert stats.kstest(x.ravel()[:5000], ref.cdf).pvalue > 1e-4
    with pytest.raises(ValueError, match="a < b"):
        init.trunc_normal_(gb.zeros(3), a=1, b=0)


@pytest.mark.parametrize("shape", [(20, 50), (50, 20), (8, 4, 3, 3), (30, 30)])
def test_orthogonal(shape):
    t = init.orthogonal_(gb.zeros(*shape, dtype=np.float64), gain=2.0)
    flat = t.data.reshape(shape[0], -1)
    rows, cols = flat.shape
    gram = flat @ flat.T if rows <= cols else flat.T @ flat
    np.testing.assert_allclose(gram, 4.0 * np.eye(min(rows, cols)), atol=1e-10)
    with pytest.raises(ValueError, match="2 or more dimensions"):
        init.orthogonal_(gb.zeros(4))


def test_orthogonal_sign_fix_makes_diag_r_positive():
    # with the sign fix, Q·R = A holds with diag(R) > 0 (the unique QR), as PyTorch documents
    rng = np.random.default_rng(3)
    t = init.orthogonal_(gb.zeros(6, 6, dtype=np.float64), generator=np.random.default_rng(3))
    a = rng.standard_normal((6, 6))
    r = t.data.T @ a
    np.testing.assert_allclose(np.tril(r, -1), 0, atol=1e-10)
    assert np.all(np.diag(r) > 0)


def test_draws_follow_manual_seed_and_generator_and_fill_in_place():
    p = gb.nn.Parameter(gb.zeros(10, 10))
    arr = p.data
    gb.manual_seed(7)
    init.kaiming_uniform_(p)
    first = p.data.copy()
    gb.manual_seed(7)
    init.kaiming_uniform_(p)
    assert p.data is arr and np.array_equal(p.data, first)
    g1 = init.normal_(gb.zeros(5), generator=np.random.default_rng(1)).data
    g2 = init.normal_(gb.zeros(5), generator=np.random.default_rng(1)).data
    assert np.array_equal(g1, g2)
    with pytest.raises(TypeError, match="Tensor"):
        init.zeros_([1.0, 2.0])
