"""``style.transfer``: the total loss falls with L-BFGS and with Adam; with style weight 0 the result's
features approach the content's (from noise); the random extractor's shapes and determinism;
argument errors."""
import numpy as np
import pytest
import torch

from gradbook.style import digits_cnn, random_cnn, transfer
from gradbook.autograd import Tensor

H = 12


def _images():
    yy, xx = np.mgrid[0:H, 0:H] / H
    content = np.stack([xx, yy, 0.5 * np.ones_like(xx)])
    style = np.stack([(np.sin(xx * 25) > 0) * 1.0, (np.sin(yy * 25) > 0) * 0.5, 0.2 * np.ones_like(xx)])
    return content, style


def _extractor():
    return random_cnn(3, widths=(8, 16), seed=1, dtype=np.float64)


@pytest.mark.parametrize("optimizer", ["lbfgs", "adam"])
def test_total_loss_falls(optimizer):
    content, style = _images()
    steps = []
    r = transfer(content, style, _extractor(), steps=8, optimizer=optimizer,
                 callback=lambda step, terms: steps.append(step))
    h = r.history
    assert steps == list(range(8)) and all(len(v) == 9 for v in h.values())
    assert h["total"][-1] < 0.8 * h["total"][0] and h["style"][-1] < h["style"][0]
    assert h["content"][0] == 0                      # started from the content image
    np.testing.assert_allclose(h["total"], np.add(h["content"], h["style"]), rtol=1e-12)
    assert r.image.shape == (3, H, H) and r.image.dtype == np.float32 and 0 <= r.image.min() <= r.image.max() <= 1


def test_style_weight_zero_reconstructs_the_content_features_from_noise():
    content, style = _images()
    ext = _extractor()
    r = transfer(content, style, ext, steps=60, weights={"style": 0}, init="noise", content_layers=["relu1"])
    relu = torch.nn.functional.relu  # the first layer recomputed in torch from the extractor's filters
    conv = next(m for m in ext.modules() if type(m).__name__ == "Conv2d")
    w, b = torch.from_numpy(conv.weight.data), torch.from_numpy(conv.bias.data)

    def features(img):
        x = (torch.from_numpy(np.asarray(img, np.float64))[None] - 0.5) / 0.25
        return relu(torch.nn.functional.conv2d(x, w, b, padding=1))

    start = np.random.default_rng(0).random(content.shape)
    gap_start = (features(start) - features(content)).norm()
    gap_end = (features(r.image) - features(content)).norm()
    assert gap_end < 0.05 * gap_start
    assert r.history["style"] == [0.0] * 61


def test_style_image_of_another_size_is_rescaled():
    content, style = _images()
    ext = _extractor()
    big = np.kron(style, np.ones((1, 2, 2)))         # each pixel 2x2: about 4x the positions, the same statistics
    small_loss = transfer(content, style, ext, steps=1, optimizer="adam", style_layers=["relu1"]).history["style"][0]
    big_loss = transfer(content, big, ext, steps=1, optimizer="adam", style_layers=["relu1"]).history["style"][0]
    # unscaled, the big image's Gram matrix would be ~4x the small one's and the losses ~10x apart
    assert 0.7 < big_loss / small_loss < 1.4


def test_random_cnn_shapes_and_determinism():
    ext = random_cnn(3, widths=(4, 6, 8), seed=2)
    out = ext(Tensor(np.zeros((1, 3, 16, 16), np.float32)))
    assert {k: v.shape for k, v in out.items()} == {"relu1": (1, 4, 16, 16), "relu2": (1, 6, 8, 8),
                                                   "relu3": (1, 8, 4, 4)}
    again = random_cnn(3, widths=(4, 6, 8), seed=2)
    for p, q in zip(ext.parameters(), again.parameters()):
        np.testing.assert_array_equal(p.data, q.data)
        assert not p.requires_grad
    with pytest.raises(ValueError, match=r"unknown layer\(s\) \['relu9'\]"):
        ext(Tensor(np.zeros((1, 3, 8, 8), np.float32)), ["relu9"])


def test_argument_errors():
    content, style = _images()
    ext = _extractor()
    with pytest.raises(ValueError, match="transfer: optimizer must be one of"):
        transfer(content, style, ext, steps=1, optimizer="sgd")
    with pytest.raises(ValueError, match="transfer: steps must be a positive int, got 0"):
        transfer(content, style, ext, steps=0)
    with pytest.raises(ValueError, match=r"transfer: unknown weight\(s\) \['colour'\]"):
        transfer(content, style, ext, steps=1, weights={"colour": 1})
    with pytest.raises(ValueError, match="transfer: content has 3 channels but style has 1"):
        transfer(content, style[:1], ext, steps=1)
    with pytest.raises(ValueError, match=r"transfer: style must be one image of shape \(C, H, W\)"):
        transfer(content, np.zeros((2, 3, 4, 4)), ext, steps=1)
    with pytest.raises(ValueError, match="transfer: init must be 'content', 'noise' or an image array"):
        transfer(content, style, ext, steps=1, init="zeros")


def test_digits_cnn_learns_digits_and_applies_its_filters_to_each_colour():
    ext = digits_cnn(steps=15)
    assert ext.test_accuracy_ > 0.6 and ext.train_accuracy_ > 0.6      # chance is 0.1
    convs = [m for m in ext.modules() if type(m).__name__ == "Conv2d"]
    assert [c.weight.shape for c in convs] == [(48, 1, 3, 3), (96, 16, 3, 3)] and convs[0].groups == 3
    rng = np.random.default_rng(0)
    rgb = rng.random((1, 3, 8, 8)).astype(np.float32)
    out = ext(Tensor(rgb))
    w1, b1 = torch.from_numpy(convs[0].weight.data[:16]), torch.from_numpy(convs[0].bias.data[:16])
    w2, b2 = torch.from_numpy(convs[1].weight.data[:32]), torch.from_numpy(convs[1].bias.data[:32])
    for g in range(3):   # each colour channel through the grayscale net's filters, in torch
        x = (torch.from_numpy(rgb[:, g:g + 1]) - 0.5) / 0.25
        h1 = torch.relu(torch.nn.functional.conv2d(x, w1, b1, padding=1))
        h2 = torch.relu(torch.nn.functional.conv2d(torch.nn.functional.avg_pool2d(h1, 2), w2, b2, padding=1))
        np.testing.assert_allclose(out["relu1"].data[:, 16 * g:16 * (g + 1)], h1.numpy(), rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(out["relu2"].data[:, 32 * g:32 * (g + 1)], h2.numpy(), rtol=1e-4, atol=1e-5)
    content, style = _images()
    h = transfer(content, style, ext, steps=5).history
    assert h["total"][-1] < h["total"][0]
