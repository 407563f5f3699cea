"""`gradbook compress` on a small MLP trained in the test: the table's sizes are the bytes of the
files it wrote, each file loads back to the accuracy it reports, and bad arguments are named."""
import os
import re

import numpy as np
import pytest
from typer.testing import CliRunner

from gradbook.cli import app
from gradbook.compress import pipeline
from gradbook.train import recipes

runner = CliRunner()


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    model = tmp_path_factory.mktemp("m") / "mlp.npz"
    res = runner.invoke(app, ["train", "--dataset", "digits", "--model", "mlp", "--epochs", "1", "--val-split", "0",
                              "--out", str(model)])
    assert res.exit_code == 0, res.output
    return model


def _check_rows(output: str, out_dir, names):
    d = recipes.load_dataset("digits")
    X, y = (np.asarray(t) for t in d.test.tensors)
    for name in names:
        path = out_dir / f"{name.replace('+', '_')}.npz"
        row = re.search(rf"^. {re.escape(name)}\s+.\s+([\d,]+)\s.*?([\d.]+)%", output, re.M)
        assert row, output
        assert int(row.group(1).replace(",", "")) == os.path.getsize(path)
        reloaded = pipeline.load_model(str(path))  # the file alone rebuilds the model (its gradbook train config)
        assert f"{pipeline.accuracy(reloaded, X, y):.2%}" == row.group(2) + "%"


def test_compress_a_trained_mlp(trained, tmp_path):
    out_dir, plot = tmp_path / "c", tmp_path / "c.png"
    names = ("dense", "prune+quantise+huffman", "bwn")
    res = runner.invoke(app, ["compress", str(trained), "--data", "digits", "--out-dir", str(out_dir), "--plot",
                              str(plot), "--methods", ",".join(names), "--epochs", "0"], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    assert plot.read_bytes()[:4] == b"\x89PNG"
    _check_rows(res.output, out_dir, names)
    sizes = {n: os.path.getsize(out_dir / f"{n}.npz") for n in ("dense", "prune_quantise_huffman")}
    assert sizes["prune_quantise_huffman"] * 8 < sizes["dense"]


@pytest.mark.slow
def test_compress_every_method_with_fine_tuning(trained, tmp_path):
    res = runner.invoke(app, ["compress", str(trained), "--out-dir", str(tmp_path), "--epochs", "1"],
                        env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    _check_rows(res.output, tmp_path, ("dense", "dense+fine-tune", "prune", "quantise", "quantise+huffman", "prune+quantise+huffman",
                                       "bwn", "xnor", "svd", "student", "distilled"))


def test_bad_arguments_are_named(trained, tmp_path):
    res = runner.invoke(app, ["compress", str(tmp_path / "missing.npz")])
    assert res.exit_code == 1 and "does not exist" in res.output
    model = trained
    for args, word in ((["--sparsity", "1.5"], "sparsity"), (["--bits", "0"], "bits"), (["--energy", "2"], "energy"),
                       (["--methods", "gzip"], "unknown method")):
        res = runner.invoke(app, ["compress", str(model), "--out-dir", str(tmp_path / "c"), *args])
        assert res.exit_code == 1 and word in res.output, res.output
