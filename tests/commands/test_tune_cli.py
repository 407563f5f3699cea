"""`gradbook tune` end to end: a small search on digits, its table, plot and results file, a rerun
that resumes, and the errors."""
import json
import re

import pytest
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
    res = runner.invoke(app, ["tune", "--scheduler", "spark://x"])
    assert res.exit_code == 1 and "dask://HOST:PORT" in res.output
    res = runner.invoke(app, ["tune", "--method", "tpe", "--trials", "1"])
    assert res.exit_code == 1 and "method must be one of" in res.output


@pytest.mark.slow
def test_tune_on_a_dask_scheduler_equals_the_local_search(tmp_path):
    distributed = pytest.importorskip("distributed")
    local = tmp_path / "local.jsonl"
    assert runner.invoke(app, ["tune", "--trials", "3", "--epochs", "1", "--method", "random", "--results", str(local),
                               "--plot", str(tmp_path / "a.png")]).exit_code == 0
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=40) as cluster:
        on_dask = tmp_path / "dask.jsonl"
        address = cluster.scheduler_address.replace("tcp://", "dask://")
        res = runner.invoke(app, ["tune", "--trials", "3", "--epochs", "1", "--method", "random", "--results",
                                  str(on_dask), "--scheduler", address, "--plot", str(tmp_path / "b.png")])
        assert res.exit_code == 0, res.output
    values = lambda path: {json.loads(l)["trial"]: json.loads(l)["value"] for l in path.read_text().splitlines()[1:]}  # noqa: E731,E741
    assert values(on_dask) == values(local)


def test_tune_successive_halving_spends_epochs_on_the_best(tmp_path):
    results = tmp_path / "halving.jsonl"
    res = runner.invoke(app, ["tune", "--method", "halving", "--trials", "3", "--epochs", "3", "--eta", "3",
                              "--plot", str(tmp_path / "best.png"), "--results", str(results)])
    assert res.exit_code == 0, res.output
    records = sorted((json.loads(line) for line in results.read_text().splitlines()[1:]), key=lambda r: r["trial"])
    assert [r["config"]["budget"] for r in records] == [1, 1, 1, 3]
    assert [r["result"]["epochs"] for r in records] == [1, 1, 1, 3]
    first = records[:3]  # the best of the first rung goes on (ties to the lower index)
    leader = max(first, key=lambda r: (r["value"], -r["trial"]))
    assert {k: v for k, v in records[3]["config"].items() if k != "budget"} == \
        {k: v for k, v in leader["config"].items() if k != "budget"}
    best = float(re.search(r"best validation accuracy ([\d.]+)%", res.output).group(1)) / 100
    assert abs(best - records[3]["value"]) < 1e-4
