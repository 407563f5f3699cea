"""RandomAffine, RandomErasing and Cutout against hand computations (a Python loop over pixels with the drawn
parameters, np.rot90, RandomShift), their probability p over many draws, and determinism under a seed."""
from __future__ import annotations

import math

import numpy as np
import pytest

import gradbook as gb
from gradbook.data import transforms as T


def _batch(n=4, c=2, h=7, w=7, seed=0):
    return np.random.default_rng(seed).standard_normal((n, c, h, w)).astype(np.float32)


def test_random_affine_quarter_turn_is_rot90_and_shift_is_random_shift():
    x = _batch(n=3, h=5, w=5)
    affine = T.RandomAffine(0)
    turned = affine.apply(x, (np.full(3, 90.0), np.zeros(3), np.zeros(3)))
    np.testing.assert_array_equal(turned, np.rot90(x, 1, axes=(2, 3)))  # counter-clockwise, as torchvision
    dy, dx = np.array([1, -2, 0]), np.array([2, 0, -1])
    np.testing.assert_array_equal(affine.apply(x, (np.zeros(3), dy.astype(float), dx.astype(float))),
                                  T.RandomShift(2).apply(x, (dy, dx)))


def test_random_affine_matches_a_pixel_loop():
    x = _batch(n=5, h=6, w=8)
    affine = T.RandomAffine(30, translate=(0.25, 0.2), fill=-9.0)
    angle, ty, tx = affine.params(x, np.random.default_rng(3))
    y = affine(x, np.random.default_rng(3))
    assert y.shape == x.shape and y.dtype == np.float32
    assert np.all(np.abs(angle) <= 30) and np.all(np.abs(tx) <= 2) and np.all(np.abs(ty) <= 1)
    cy, cx = 2.5, 3.5
    for n in range(5):
        c, s = math.cos(math.radians(angle[n])), math.sin(math.radians(angle[n]))
        for i in range(6):
            for j in range(8):
                u, v = j - cx - tx[n], i - cy - ty[n]
                sj, si = round(cx + u * c - v * s), round(cy + u * s + v * c)
                want = x[n, :, si, sj] if 0 <= si < 6 and 0 <= sj < 8 else np.full(2, -9.0, np.float32)
                np.testing.assert_array_equal(y[n, :, i, j], want)


def test_random_affine_seeded_and_errors():
    x = _batch()
    np.testing.assert_array_equal(T.RandomAffine(20, seed=1)(x), T.RandomAffine(20, seed=1)(x))
    gb.manual_seed(5)
    first = T.RandomAffine(20)(x)
    gb.manual_seed(5)
    np.testing.assert_array_equal(T.RandomAffine(20)(x), first)
    angle, _, _ = T.RandomAffine((10, 20)).params(np.zeros((500, 1, 4, 4)), np.random.default_rng(0))
    assert angle.min() >= 10 and angle.max() <= 20 and angle.max() - angle.min() > 9
    with pytest.raises(ValueError, match="RandomAffine: degrees"):
        T.RandomAffine(-1)
    with pytest.raises(ValueError, match="RandomAffine: translate"):
        T.RandomAffine(0, translate=(0.5, 2))


def _erased_by_loop(x, top, left, height, width, value):
    out = x.copy()
    for n in range(len(x)):
        for i in range(x.shape[2]):
            for j in range(x.shape[3]):
                if top[n] <= i < top[n] + height[n] and left[n] <= j < left[n] + width[n]:
                    out[n, :, i, j] = value
    return out


def test_random_erasing_matches_loop_and_box_limits():
    x = _batch(n=50, h=8, w=10)
    erasing = T.RandomErasing(p=1.0, scale=(0.1, 0.3), ratio=(0.5, 2.0), value=7.0)
    top, left, height, width = erasing.params(x, np.random.default_rng(2))
    y = erasing(x, np.random.default_rng(2))
    np.testing.assert_array_equal(y, _erased_by_loop(x, top, left, height, width, 7.0))
    area = height * width / 80
    assert np.all(area > 0.05) and np.all(area < 0.4)  # 0.1 … 0.3 of the image, up to rounding
    assert np.all(top + height <= 8) and np.all(left + width <= 10) and np.all(top >= 0) and np.all(left >= 0)


def test_cutout_hand_example_and_clipping_at_the_border():
    x = np.ones((2, 1, 5, 5), np.float32)
    cut = T.Cutout(3)
    # centre (2, 2): rows and columns 1..3; centre (0, 4): rows 0..1, columns 3..4 (clipped)
    top, left = np.array([1, 0]), np.array([1, 3])
    y = cut.apply(x, (top, left, np.array([3, 2]), np.array([3, 2])))
    expected = np.ones((2, 1, 5, 5), np.float32)
    expected[0, 0, 1:4, 1:4] = 0
    expected[1, 0, 0:2, 3:5] = 0
    np.testing.assert_array_equal(y, expected)
    t, l, h, w = cut.params(np.zeros((400, 1, 5, 5)), np.random.default_rng(0))
    assert np.all((h >= 2) & (h <= 3) & (w >= 2) & (w <= 3)) and np.all(t + h <= 5) and np.all(l + w <= 5)


@pytest.mark.parametrize("make", [lambda p: T.RandomErasing(p=p), lambda p: T.Cutout(2, p=p),
                                  lambda p: T.RandomHorizontalFlip(p)])
@pytest.mark.parametrize("p", [0.0, 0.3, 1.0])
def test_probability_p_is_honoured_over_many_draws(make, p):
    x = np.random.default_rng(0).random((4000, 1, 8, 8)).astype(np.float32) + 1  # no pixel equals the fill 0
    changed = np.any(make(p)(x, np.random.default_rng(1)) != x, axis=(1, 2, 3)).mean()
    # binomial standard error sqrt(p(1-p)/4000) <= 0.008; 4 of them
    assert abs(changed - p) <= 0.032, changed


def test_erasing_and_cutout_are_deterministic_under_a_seed_and_check_arguments():
    x = _batch()
    for make in (lambda: T.RandomErasing(0.5, seed=3), lambda: T.Cutout(3, p=0.5, seed=3)):
        np.testing.assert_array_equal(make()(x), make()(x))
    tensor_out = T.Cutout(3)(gb.tensor(x), np.random.default_rng(0))
    assert isinstance(tensor_out, gb.Tensor)
    with pytest.raises(ValueError, match="RandomErasing: scale"):
        T.RandomErasing(scale=(0.5, 0.1))
    with pytest.raises(ValueError, match="RandomErasing: p"):
        T.RandomErasing(p=2)
    with pytest.raises(ValueError, match="Cutout: size"):
        T.Cutout(-1)
