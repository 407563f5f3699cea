"""`gradbook tune` end to end: a small search on digits, its table, plot and results file, a rerun
that resumes, and the errors."""
import json
import re

from typer.testing import CliRunner

from gradbook import tune
from gradbook.cli import app
from gradbook.tune.training import TrainingObjective

runner = CliRunner()


def test_tune_random_search_then_resume(tmp_path):
    plot, results = tmp_path / "best.png", tmp_path / "search.jsonl"
    args = ["tune", "--method", "random", "--trials", "3", "--epochs", "1", "--plot", str(plot), "--results", str(results)]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    best = float(re.search(r"best validation accuracy ([\d.]+)%", res.output).group(1)) / 100
    records = [json.loads(line) for line in results.read_text().splitlines()[1:]]
    assert len(records) == 3 and abs(best - max(r["value"] for r in records)) < 1e-4  # printed to 0.01%
    assert plot.read_bytes()[:4] == b"\x89PNG"
    # the same trials as the library call
    assert [r["config"] for r in sorted(records, key=lambda r: r["trial"])] == \
        tune.random(TrainingObjective().space(), 3, seed=0)
    more = runner.invoke(app, args[:4] + ["4"] + args[5:])  # four trials: three read back, one run
    assert more.exit_code == 0, more.output
    assert len(results.read_text().splitlines()) == 1 + 4


def test_tune_errors():
    res = runner.invoke(app, ["tune", "--model", "resnet"])
    assert res.exit_code == 1 and "unknown model 'resnet'" in res.output
    res = runner.invoke(app, ["tune", "--scheduler", "ray://x"])
    assert res.exit_code == 1 and "dask://HOST:PORT" in res.output
    res = runner.invoke(app, ["tune", "--method", "tpe", "--trials", "1"])
    assert res.exit_code == 1 and "method must be one of" in res.output
