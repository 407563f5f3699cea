"""`gradbook train --model <CIFAR-scale net> --dataset cifar10:DIR` on a small synthetic CIFAR-10
directory written by the test (python-version batches): per-channel normalisation from the
training images, pad-4 crops and flips, the cosine schedule, and the saved model's evaluation."""
from __future__ import annotations

import math
import pickle
import re

import numpy as np
import pytest

import gradbook as gb
from gradbook.cli import app
from gradbook.train import recipes


def write_cifar_dir(root, per_batch: int, test_images: int, seed: int = 0):
    """Class c's images are a flat colour for c (as crops and flips leave it) plus pixel noise, as
    uint8 pickled batches."""
    rng = np.random.default_rng(seed)
    patterns = np.repeat(rng.integers(40, 216, (10, 3)), 1024, axis=1)
    d = root / "cifar-10-batches-py"
    d.mkdir()
    for name, n in [(f"data_batch_{i}", per_batch) for i in range(1, 6)] + [("test_batch", test_images)]:
        labels = rng.integers(0, 10, n)
        data = np.clip(patterns[labels] + rng.normal(0, 30, (n, 3072)), 0, 255).astype(np.uint8)
        (d / name).write_bytes(pickle.dumps({b"data": data, b"labels": labels.tolist()}, protocol=2))
    return d


def _accuracy(output: str) -> float:
    m = re.search(r"test accuracy ([\d.]+)%", output)
    assert m, output
    return float(m.group(1)) / 100


def test_resnet20_trains_on_a_cifar_directory_then_evaluates(tmp_path, runner):
    d = write_cifar_dir(tmp_path, per_batch=4, test_images=6)
    out, ck = tmp_path / "r20.npz", tmp_path / "ck.npz"
    res = runner.invoke(app, ["train", "--model", "resnet20", "--dataset", f"cifar10:{tmp_path}", "--epochs", "2",
                              "--batch-size", "20", "--val-split", "0", "--optimizer", "sgd", "--lr", "0.05",
                              "--out", str(out), "--checkpoint", str(ck)])
    assert res.exit_code == 0, res.output
    assert "(cosine)" in res.output and "augmented" in res.output
    model, cfg = recipes.load_model(str(out))
    assert cfg["model"] == "resnet20" and cfg["size"] == 32 and cfg["in_channels"] == 3
    raw = np.concatenate([pickle.loads((d / f"data_batch_{i}").read_bytes())[b"data"] for i in range(1, 6)])
    pixels = raw.reshape(-1, 3, 1024) / 255.0
    np.testing.assert_allclose(cfg["mean"], pixels.mean(axis=(0, 2)), rtol=1e-5)
    np.testing.assert_allclose(cfg["std"], pixels.std(axis=(0, 2)), rtol=1e-4)
    lrs = gb.load(str(ck))["history"]["lr"]
    # the rate used in epoch e (0-based) of a cosine over 2 epochs: 0.05 · (1 + cos(π e / 2)) / 2
    np.testing.assert_allclose(lrs, [0.05 * (1 + math.cos(math.pi * e / 2)) / 2 for e in range(2)], rtol=1e-6)
    ev = runner.invoke(app, ["evaluate", str(out)])
    assert ev.exit_code == 0, ev.output
    assert f"accuracy {_accuracy(res.output):.2%}" in ev.output


def test_constant_schedule_without_augmentation_and_bad_options(tmp_path, runner):
    write_cifar_dir(tmp_path, per_batch=2, test_images=2)
    res = runner.invoke(app, ["train", "--model", "resnet20", "--dataset", f"cifar10:{tmp_path}", "--epochs", "1",
                              "--val-split", "0", "--out", str(tmp_path / "m.npz"), "--schedule", "constant",
                              "--no-augment"])
    assert res.exit_code == 0, res.output
    assert "cosine" not in res.output and "augmented" not in res.output
    bad = runner.invoke(app, ["train", "--model", "resnet19", "--dataset", f"cifar10:{tmp_path}", "--val-split", "0"])
    assert bad.exit_code != 0 and "unknown model 'resnet19'" in bad.stderr
    bad = runner.invoke(app, ["train", "--model", "resnet20", "--dataset", f"cifar10:{tmp_path}", "--schedule", "step",
                                "--val-split", "0"])
    assert bad.exit_code != 0 and "--schedule must be" in bad.stderr


def test_grey_digits_become_3x32x32_for_the_cifar_models():
    d = recipes.prepare(recipes.load_dataset("digits"), "resnet20")
    x8 = recipes.load_dataset("digits").train.tensors[0]
    x = d.train.tensors[0]
    assert x.shape[1:] == (3, 32, 32)
    np.testing.assert_array_equal(x[:, 2], np.kron(x8[:, 0], np.ones((4, 4), np.float32)))  # 8x8 → 4x nearest


def test_augmentation_is_a_crop_of_the_padded_image_maybe_flipped():
    x = np.random.default_rng(0).standard_normal((6, 3, 32, 32)).astype(np.float32)
    y = recipes.cifar_augmentation()(x, np.random.default_rng(1))
    padded = np.pad(x, ((0, 0), (0, 0), (4, 4), (4, 4)))
    flips = 0
    for i in range(len(x)):
        found = [(t, l, f) for t in range(9) for l in range(9) for f in (0, 1)
                 if np.array_equal(y[i], (lambda c: c[..., ::-1] if f else c)(padded[i, :, t:t + 32, l:l + 32]))]
        assert found, f"image {i} is no crop of its padded original"
        flips += found[0][2]
    assert y.shape == x.shape


def test_standardize_uses_the_training_statistics():
    d = recipes.prepare(recipes.load_dataset("digits"), "resnet20")
    s = recipes.standardize(d)
    x = d.train.tensors[0].astype(np.float64)
    mean, std = x.mean(axis=(0, 2, 3)), x.std(axis=(0, 2, 3))
    np.testing.assert_allclose(s.test.tensors[0][:, 1], (d.test.tensors[0][:, 1] - mean[1]) / std[1], rtol=1e-4,
                               atol=1e-5)
    assert s.train.tensors[0].shape[1:] == (3, 32, 32)


@pytest.mark.slow
def test_preact_resnet20_learns_the_synthetic_classes(tmp_path, runner):
    write_cifar_dir(tmp_path, per_batch=120, test_images=200)
    res = runner.invoke(app, ["train", "--model", "preact_resnet20", "--dataset", f"cifar10:{tmp_path}", "--epochs",
                              "3", "--batch-size", "32", "--optimizer", "adam", "--lr", "0.002", "--val-split", "0",
                              "--out", str(tmp_path / "m.npz")])
    assert res.exit_code == 0, res.output
    assert _accuracy(res.output) > 0.6  # chance is 0.1
