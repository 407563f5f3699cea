"""`gradbook train` / `gradbook evaluate` end to end."""
import re
import time

import numpy as np
import pytest
from typer.testing import CliRunner

import gradbook as gb
from gradbook.cli import app
from gradbook.train import recipes

runner = CliRunner()


def _accuracy(output: str) -> float:
    m = re.search(r"test accuracy ([\d.]+)%", output)
    assert m, output
    return float(m.group(1)) / 100


def test_train_one_epoch_on_digits_then_evaluate(tmp_path):
    out = tmp_path / "digits.npz"
    res = runner.invoke(app, ["train", "--dataset", "digits", "--epochs", "1", "--out", str(out),
                              "--plot", str(tmp_path / "curves.png")])
    assert res.exit_code == 0, res.output
    assert _accuracy(res.output) > 0.5  # one epoch of LeNet-5 on 1,438 digits: far above chance (0.1)
    assert (tmp_path / "curves.png").read_bytes()[:4] == b"\x89PNG"
    # the saved file rebuilds the model and reproduces its predictions
    model, cfg = recipes.load_model(str(out))
    assert cfg["model"] == "lenet" and cfg["dataset"] == "digits"
    ev = runner.invoke(app, ["evaluate", str(out)])
    assert ev.exit_code == 0, ev.output
    assert f"accuracy {_accuracy(res.output):.2%}" in ev.output
    assert "confusion matrix" in ev.output


def test_mlp_resume_matches_uninterrupted(tmp_path):
    ck = tmp_path / "ck.npz"
    a = runner.invoke(app, ["train", "--dataset", "digits", "--model", "mlp", "--epochs", "2", "--out",
                            str(tmp_path / "a.npz")])
    b1 = runner.invoke(app, ["train", "--dataset", "digits", "--model", "mlp", "--epochs", "1", "--checkpoint",
                             str(ck), "--out", str(tmp_path / "b.npz")])
    b2 = runner.invoke(app, ["train", "--dataset", "digits", "--model", "mlp", "--epochs", "2", "--resume", str(ck),
                             "--out", str(tmp_path / "b.npz")])
    assert a.exit_code == b1.exit_code == b2.exit_code == 0, (a.output, b1.output, b2.output)
    wa = gb.load(str(tmp_path / "a.npz"))["state_dict"]
    wb = gb.load(str(tmp_path / "b.npz"))["state_dict"]
    for k in wa:
        np.testing.assert_array_equal(wa[k], wb[k], err_msg=k)


def test_bad_dataset_and_missing_model_file_are_clear(tmp_path):
    res = runner.invoke(app, ["train", "--dataset", "imagenet"])
    assert res.exit_code == 1 and "unknown dataset 'imagenet'" in res.output
    res = runner.invoke(app, ["evaluate", str(tmp_path / "nope.npz")])
    assert res.exit_code == 1 and "does not exist" in res.output


def test_to_lenet_size_upscales_pads_and_crops():
    x = np.arange(2 * 64, dtype=np.float32).reshape(2, 1, 8, 8)
    y = recipes.to_lenet_size(x)
    assert y.shape == (2, 1, 28, 28)
    np.testing.assert_array_equal(y[:, :, 2:5, 2:5], np.broadcast_to(x[:, :, :1, :1], (2, 1, 3, 3)))
    assert y[:, :, :2].sum() == 0 and y[:, :, 26:].sum() == 0
    big = np.random.default_rng(0).random((1, 3, 32, 32)).astype(np.float32)
    np.testing.assert_array_equal(recipes.to_lenet_size(big), big[:, :, 2:30, 2:30])


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_default_training_reaches_95_percent_within_a_minute(tmp_path, seed):
    start = time.perf_counter()
    res = runner.invoke(app, ["train", "--seed", str(seed), "--out", str(tmp_path / "m.npz")])
    seconds = time.perf_counter() - start
    assert res.exit_code == 0, res.output
    assert _accuracy(res.output) >= 0.95
    assert seconds <= 60, f"default training took {seconds:.1f} s on this machine"
