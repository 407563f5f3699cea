"""`gradbook train` / `gradbook evaluate` end to end."""
import re
import time

import numpy as np
import pytest
from typer.testing import CliRunner

import gradbook as gb
import gradbook.train
import gradbook.train.loop
from gradbook.cli import app
from gradbook.data import DataLoader
from gradbook.train import evaluate, recipes

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


def _rows(dataset) -> list[bytes]:
    x, y = dataset.tensors
    return [xi.tobytes() + bytes([int(yi)]) for xi, yi in zip(x, y)]


@pytest.mark.parametrize("name", ["mnist-sample", "digits"])
def test_validation_split_is_held_out_of_the_training_data(name):
    full = recipes.prepare(recipes.load_dataset(name), "lenet")
    d = recipes.hold_out_validation(full, 0.1)
    train, val, test, original = _rows(d.train), _rows(d.val), _rows(d.test), _rows(full.train)
    assert len(set(original)) == len(original)  # no duplicate rows: a row identifies an image
    # train and validation partition the original training rows; the test set is untouched and apart
    assert sorted(train + val) == sorted(original)
    assert not set(val) & set(train) and not set(val) & set(test) and not set(train) & set(test)
    assert _rows(d.test) == _rows(full.test)
    # 10% of every class (rounded per class): within one image per class of 10% overall
    assert abs(len(val) - 0.1 * len(original)) <= full.num_classes / 2
    y_all, y_val = full.train.tensors[1], d.val.tensors[1]
    np.testing.assert_allclose(np.bincount(y_val), np.round(np.bincount(y_all) * 0.1))
    # the same split whatever else happens in the process (resumed runs train on the same rows)
    gb.manual_seed(123)
    assert _rows(recipes.hold_out_validation(full, 0.1).val) == val
    assert recipes.hold_out_validation(full, 0).val is None


def test_train_validates_on_the_split_and_tests_once_at_the_end(tmp_path, monkeypatch):
    sizes = []  # the size of every set that training evaluates on, in order

    def spy(model, loader, loss_fn=None):
        sizes.append(len(loader.dataset))
        return evaluate(model, loader, loss_fn)

    monkeypatch.setattr(gradbook.train.loop, "evaluate", spy)  # fit's per-epoch validation
    monkeypatch.setattr(gradbook.train, "evaluate", spy)       # the command's final test
    out = tmp_path / "m.npz"
    res = runner.invoke(app, ["train", "--dataset", "digits", "--model", "mlp", "--epochs", "2", "--out", str(out)])
    assert res.exit_code == 0, res.output
    d = recipes.hold_out_validation(recipes.load_dataset("digits"), 0.1)
    n_val, n_test = len(d.val), len(d.test)
    assert f"{len(d.train)} train / {n_val} validation / {n_test} test images" in res.output
    assert sizes == [n_val, n_val, n_test]  # a validation after each epoch, the test set once
    # the printed figures are those of the saved model on each set
    model, _ = recipes.load_model(str(out))
    val_acc = evaluate(model, DataLoader(d.val, batch_size=500))["accuracy"]
    test_acc = evaluate(model, DataLoader(d.test, batch_size=500))["accuracy"]
    assert f"validation accuracy {val_acc:.2%} on {n_val}" in res.output
    assert f"test accuracy {test_acc:.2%} on {n_test}" in res.output


def test_val_split_zero_holds_out_nothing(tmp_path):
    res = runner.invoke(app, ["train", "--dataset", "digits", "--model", "mlp", "--epochs", "1", "--val-split", "0",
                              "--out", str(tmp_path / "m.npz")])
    assert res.exit_code == 0, res.output
    assert "1438 train / 359 test images" in res.output and "validation accuracy" not in res.output


@pytest.mark.parametrize("value", ["1.5", "-0.1", "1", "nan"])
def test_invalid_val_split_is_a_clear_error(value):
    res = runner.invoke(app, ["train", "--dataset", "digits", "--val-split", value])
    assert res.exit_code == 1
    expected = ("--val-split must be a fraction of the training data in [0, 1) (0.1 holds out 10%, 0 none), "
                f"got {float(value)}")
    assert expected in res.output


def test_val_split_too_small_to_hold_out_an_image_is_named():
    res = runner.invoke(app, ["train", "--dataset", "digits", "--val-split", "0.001"])
    assert res.exit_code == 1 and "--val-split 0.001 holds out no image of the 1438 training images" in res.output


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
