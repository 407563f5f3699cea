"""Batch transforms, each against a hand computation: a Python loop over samples and pixels with the
parameters the transform drew (``params``), written independently of the vectorised ``apply``."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import gradbook as gb
from gradbook.data import transforms as T


def _batch(n=5, c=2, h=6, w=7, dtype=np.float32, seed=0):
    return np.random.default_rng(seed).standard_normal((n, c, h, w)).astype(dtype)


def _drawn(transform, x, seed):
    """The transform's output with generator ``seed``, and the parameters that generator gives."""
    return transform(x, np.random.default_rng(seed)), transform.params(x, np.random.default_rng(seed))


def test_normalize_per_channel_matches_formula_and_torch():
    x = _batch(c=3)
    mean, std = [0.1, -0.2, 0.3], [0.5, 2.0, 1.5]
    y = T.Normalize(mean, std)(x)
    expected = np.empty_like(x)
    for c in range(3):
        expected[:, c] = (x[:, c] - np.float32(mean[c])) / np.float32(std[c])
    np.testing.assert_allclose(y, expected, rtol=1e-6)
    assert y.dtype == np.float32
    t = (torch.from_numpy(x) - torch.tensor(mean).view(1, 3, 1, 1)) / torch.tensor(std).view(1, 3, 1, 1)
    np.testing.assert_allclose(y, t.numpy(), rtol=1e-6)
    assert T.Normalize(0.5, 0.25)(_batch(dtype=np.float64)).dtype == np.float64  # no dtype change
    with pytest.raises(ValueError, match="3 values, the batch has 2 channels"):
        T.Normalize(mean, std)(_batch(c=2))
    with pytest.raises(ValueError, match="zero"):
        T.Normalize(0.0, 0.0)


def test_random_crop_with_padding_matches_loop():
    x = _batch(n=6, h=5, w=6)
    crop = T.RandomCrop((4, 5), padding=(1, 2, 0, 3))  # left, top, right, bottom
    y, (top, left) = _drawn(crop, x, seed=3)
    padded = np.zeros((6, 2, 5 + 2 + 3, 6 + 1 + 0), np.float32)
    padded[:, :, 2:7, 1:7] = x
    assert y.shape == (6, 2, 4, 5) and y.dtype == np.float32
    for n in range(6):
        for c in range(2):
            for i in range(4):
                for j in range(5):
                    assert y[n, c, i, j] == padded[n, c, top[n] + i, left[n] + j]


def test_random_crop_covers_every_offset_and_varies_per_sample():
    x = np.zeros((400, 1, 4, 4), np.float32)
    crop = T.RandomCrop(4, padding=1)
    top, left = crop.params(x, np.random.default_rng(0))
    assert set(top.tolist()) == {0, 1, 2} and set(left.tolist()) == {0, 1, 2}


@pytest.mark.parametrize("mode", ["edge", "reflect", "symmetric"])
def test_random_crop_padding_modes_use_numpy_pad(mode):
    x = _batch(n=3, h=4, w=4)
    crop = T.RandomCrop(4, padding=2, padding_mode=mode)
    y, (top, left) = _drawn(crop, x, seed=1)
    padded = np.pad(x, ((0, 0), (0, 0), (2, 2), (2, 2)), mode=mode)
    for n in range(3):
        np.testing.assert_array_equal(y[n], padded[n, :, top[n]:top[n] + 4, left[n]:left[n] + 4])


def test_random_crop_pad_if_needed_and_errors():
    x = _batch(h=3, w=3)
    y = T.RandomCrop(5, pad_if_needed=True)(x, np.random.default_rng(0))
    assert y.shape == (5, 2, 5, 5)
    with pytest.raises(ValueError, match="larger than the padded image"):
        T.RandomCrop(5)(x)
    with pytest.raises(ValueError, match="padding_mode"):
        T.RandomCrop(2, padding_mode="wrap")
    with pytest.raises(ValueError, match=r"RandomCrop: expected a batch of shape \(N, C, H, W\)"):
        T.RandomCrop(2)(np.zeros((3, 4, 4)))


def test_random_shift_matches_loop():
    x = _batch(n=8, h=5, w=6)
    shift = T.RandomShift((2, 1), fill=-1.0)
    y, (dy, dx) = _drawn(shift, x, seed=4)
    assert y.shape == x.shape
    assert np.all(np.abs(dy) <= 2) and np.all(np.abs(dx) <= 1)
    for n in range(8):
        for c in range(2):
            for i in range(5):
                for j in range(6):
                    si, sj = i - dy[n], j - dx[n]
                    inside = 0 <= si < 5 and 0 <= sj < 6
                    assert y[n, c, i, j] == (x[n, c, si, sj] if inside else np.float32(-1.0))


def test_random_horizontal_flip_matches_loop_and_extremes():
    x = _batch(n=10)
    flip = T.RandomHorizontalFlip(0.5)
    y, mask = _drawn(flip, x, seed=2)
    assert 0 < mask.sum() < 10
    for n in range(10):
        for j in range(7):
            np.testing.assert_array_equal(y[n, :, :, j], x[n, :, :, 6 - j] if mask[n] else x[n, :, :, j])
    np.testing.assert_array_equal(T.RandomHorizontalFlip(1.0)(x), np.flip(x, axis=3))
    np.testing.assert_array_equal(T.RandomHorizontalFlip(0.0)(x), x)
    with pytest.raises(ValueError, match=r"p must lie in \[0, 1\]"):
        T.RandomHorizontalFlip(1.5)


def test_gaussian_noise_matches_formula_and_keeps_dtype():
    for dtype in (np.float32, np.float64):
        x = _batch(dtype=dtype)
        noise = T.GaussianNoise(0.3, mean=0.1)
        y, z = _drawn(noise, x, seed=5)
        assert y.dtype == dtype
        np.testing.assert_allclose(y, x + 0.1 + 0.3 * np.random.default_rng(5).standard_normal(x.shape, dtype=dtype),
                                   rtol=1e-6, atol=1e-6)
    big = T.GaussianNoise(2.0)(np.zeros((200, 1, 10, 10), np.float32), np.random.default_rng(0))
    assert abs(big.std() - 2.0) < 0.05 and abs(big.mean()) < 0.05
    with pytest.raises(ValueError, match="floating"):
        T.GaussianNoise(1.0)(np.zeros((1, 1, 2, 2), np.uint8))


def test_compose_order_tensors_and_generators():
    x = _batch()
    a = T.Compose([T.Normalize(1.0, 2.0), T.RandomHorizontalFlip(1.0)])
    np.testing.assert_allclose(a(x), np.flip((x - 1) / 2, axis=3), rtol=1e-6)
    t = a(gb.tensor(x))
    assert isinstance(t, gb.Tensor) and t.dtype == np.float32
    # own seed > passed generator > library generator
    seeded = T.RandomShift(2, seed=9)
    np.testing.assert_array_equal(seeded(x, np.random.default_rng(0)), T.RandomShift(2, seed=9)(x))
    free = T.RandomShift(2)
    gb.manual_seed(4)
    first = free(x)
    gb.manual_seed(4)
    np.testing.assert_array_equal(free(x), first)


def test_transforms_do_not_loop_over_samples_in_python():
    # checked structurally: one vectorised draw per parameter for the whole batch
    calls = []

    gen = np.random.default_rng(0)
    orig = gen.integers

    class Wrapper:
        def integers(self, *a, **k):
            calls.append(k.get("size"))
            return orig(*a, **k)

    T.RandomCrop(24, padding=2)(np.zeros((1000, 1, 24, 24), np.float32), Wrapper())
    assert calls == [1000, 1000]
