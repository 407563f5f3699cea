"""``gradbook style`` (``runner`` from conftest.py): writes a stylised PNG of the content's size and
a loss plot, with either extractor; a file that is not an image, or is missing, is a clear error
naming the path; bad option values are named."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from gradbook.cli import app


@pytest.fixture
def images(tmp_path):
    rng = np.random.default_rng(0)
    Image.fromarray((rng.random((20, 30, 3)) * 255).astype(np.uint8)).save(tmp_path / "content.png")
    stripes = np.zeros((16, 16, 3), np.uint8)
    stripes[::2] = 255
    Image.fromarray(stripes).save(tmp_path / "style.jpg")
    return tmp_path


def test_style_writes_the_image_and_the_plot(runner, images):
    out, plot = images / "out.png", images / "loss.png"
    result = runner.invoke(app, ["style", str(images / "content.png"), str(images / "style.jpg"), "-o", str(out),
                                 "--steps", "3", "--size", "15", "--plot", str(plot)])
    assert result.exit_code == 0, result.output
    with Image.open(out) as im:
        assert im.size == (15, 10) and im.mode == "RGB"   # longer side 15, aspect kept
    with Image.open(plot) as im:
        assert im.format == "PNG"
    assert "after 3 lbfgs steps" in result.stdout and "loss" in result.stdout


@pytest.mark.slow   # trains the digits filters (60 Adam steps on 1,438 images)
def test_style_with_the_digits_extractor(runner, images):
    result = runner.invoke(app, ["style", str(images / "content.png"), str(images / "style.jpg"), "-o",
                                 str(images / "out.png"), "--steps", "2", "--size", "12", "--optimizer", "adam",
                                 "--extractor", "digits"])
    assert result.exit_code == 0 and "after 2 adam steps" in result.stdout, result.output


def test_not_an_image_and_missing_files_are_named(runner, images):
    (images / "notes.png").write_text("not an image")
    result = runner.invoke(app, ["style", str(images / "notes.png"), str(images / "style.jpg"),
                                 "-o", str(images / "o.png"), "--steps", "1"])
    assert result.exit_code == 2
    assert "notes.png' is not an image file Pillow can read" in result.stderr
    result = runner.invoke(app, ["style", str(images / "content.png"), str(images / "nope.png"),
                                 "-o", str(images / "o.png"), "--steps", "1"])
    assert result.exit_code == 2 and "nope.png': no such file" in result.stderr
    assert not (images / "o.png").exists()
    result = runner.invoke(app, ["style", str(images / "content.png"), str(images / "style.jpg"),
                                 "-o", str(images / "o.png"), "--optimizer", "sgd"])
    assert result.exit_code == 2 and "must be lbfgs or adam" in result.stderr
    result = runner.invoke(app, ["style", str(images / "content.png"), str(images / "style.jpg"),
                                 "-o", str(images / "o.png"), "--extractor", "vgg"])
    assert result.exit_code == 2 and "must be random or digits" in result.stderr
