"""tune.run: the same table from any executor, a results file that survives a crash, resume
without re-running finished trials, and clear errors."""
import json
import os
from concurrent.futures import ThreadPoolExecutor

import pytest

from gradbook import tune
from gradbook.tune import _testing
from gradbook.tune.objectives import quadratic
from gradbook.tune.results import FORMAT, VERSION

SPACE = {"x": tune.uniform(-1, 1), "lr": tune.loguniform(1e-4, 1), "tag": tune.choice(["a", "b"])}


@pytest.fixture
def threads():
    with ThreadPoolExecutor(2) as pool:
        yield pool


def test_random_search_in_a_process_pool_equals_the_same_search_in_threads(threads):
    in_pool = tune.run(quadratic, SPACE, "random", n_trials=6, seed=3)  # default: local ProcessPoolExecutor
    in_threads = tune.run(quadratic, SPACE, "random", n_trials=6, seed=3, executor=threads)
    assert in_pool == in_threads
    assert [t.trial_id for t in in_pool] == list(range(6))
    assert [t.config for t in in_pool] == tune.random(SPACE, 6, seed=3)
    assert [t.value for t in in_pool] == [quadratic(c) for c in tune.random(SPACE, 6, seed=3)]
    assert in_pool.best.value == min(t.value for t in in_pool)


def test_grid_runs_every_combination(threads):
    space = {"x": tune.grid_search([0.0, 0.3, 0.6]), "lr": tune.grid_search([1e-3, 1e-2])}
    results = tune.run(quadratic, space, "grid", n_trials=None, executor=threads)
    assert [t.config for t in results] == tune.grid(space)
    assert results.best_config == {"x": 0.3, "lr": 1e-2} and results.best_value == 0.0
    assert len(tune.run(quadratic, space, "grid", n_trials=4, executor=threads)) == 4


def test_max_mode_dict_results_and_metric(threads):
    results = tune.run(_testing.metrics, SPACE, "random", n_trials=5, seed=0, executor=threads, mode="max",
                       metric="accuracy")
    assert results.best.value == max(t.value for t in results)
    assert results.best.result["loss"] == min(t.result["loss"] for t in results)
    assert isinstance(results.best.result["accuracy"], float) and isinstance(results.best.result["curve"], list)
    rows = results.to_rows()
    assert set(rows[0]) == {"trial_id", "x", "lr", "tag", "value"}
    assert "<- best" in str(results)


def test_the_file_holds_a_versioned_header_and_one_line_per_finished_trial(tmp_path, threads):
    path = tmp_path / "search.jsonl"
    results = tune.run(quadratic, SPACE, "random", n_trials=4, seed=0, executor=threads, results_file=path)
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert lines[0]["format"] == FORMAT and lines[0]["version"] == VERSION
    assert lines[0]["method"] == "random" and lines[0]["seed"] == 0
    assert sorted(r["trial"] for r in lines[1:]) == [0, 1, 2, 3]
    assert {r["trial"]: r["value"] for r in lines[1:]} == {t.trial_id: t.value for t in results}
    assert not [p for p in os.listdir(tmp_path) if p != "search.jsonl"]  # no temporary file left behind
    with pytest.raises(FileExistsError, match="resume="):
        tune.run(quadratic, SPACE, "random", n_trials=4, seed=0, executor=threads, results_file=path)


@pytest.mark.parametrize("method", ["random", "bayes"])
def test_interrupted_then_resumed_equals_uninterrupted(tmp_path, method, monkeypatch):
    options = dict(seed=5, n_initial=3, batch_size=2) if method == "bayes" else dict(seed=5)
    space = {"x": tune.uniform(0, 1), "lr": tune.loguniform(1e-3, 1e-1)}
    with ThreadPoolExecutor(1) as one:  # one worker: trials finish in index order, so the crash point is known
        full = tune.run(quadratic, space, method, n_trials=9, executor=one, **options)
        crash_x = sorted(t.config["x"] for t in full)[6]  # trials whose x is above this one crash
        first_crash = min(t.trial_id for t in full if t.config["x"] > crash_x)
        path = tmp_path / "run.jsonl"
        monkeypatch.setenv("GRADBOOK_TUNE_CRASH_ABOVE", str(crash_x))
        with pytest.raises(RuntimeError, match=f"trial {first_crash} .*simulated crash.*resume="):
            tune.run(_testing.crash_after_marker, space, method, n_trials=9, executor=one, resume=path, **options)
        kept = [json.loads(line)["trial"] for line in path.read_text().splitlines()[1:]]
        assert 0 < len(kept) < 9 and first_crash not in kept
        monkeypatch.delenv("GRADBOOK_TUNE_CRASH_ABOVE")
        calls = []
        resumed = tune.run(_Counting(calls), space, method, n_trials=9, executor=one, resume=path, **options)
    assert resumed == full
    assert sorted(calls) == sorted(t.config["x"] for t in full if t.trial_id not in kept)  # finished: not re-run
    # a longer search continues the same file
    with ThreadPoolExecutor(1) as one:
        longer = tune.run(quadratic, space, method, n_trials=11, executor=one, resume=path, **options)
    assert longer.trials[:9] == full.trials


class _Counting:
    """quadratic, noting which x it was called for (threads share the list)."""

    def __init__(self, calls):
        self.calls = calls

    def __call__(self, config):
        self.calls.append(config["x"])
        return quadratic(config)


def test_resume_refuses_a_different_search(tmp_path, threads):
    path = tmp_path / "run.jsonl"
    tune.run(quadratic, SPACE, "random", n_trials=2, seed=0, executor=threads, resume=path)
    with pytest.raises(ValueError, match="different search.*seed: file 0, now 1"):
        tune.run(quadratic, SPACE, "random", n_trials=2, seed=1, executor=threads, resume=path)
    path.write_text('{"format": "gradbook.tune.results", "version": 99}\n')
    with pytest.raises(ValueError, match="format version 99"):
        tune.run(quadratic, SPACE, "random", n_trials=2, executor=threads, resume=path)
    path.write_text("x,y\n1,2\n")
    with pytest.raises(ValueError, match="not a gradbook tune results file"):
        tune.run(quadratic, SPACE, "random", n_trials=2, executor=threads, resume=path)


def test_unpicklable_objective_is_named_in_the_error():
    with pytest.raises(TypeError, match="objective must be picklable to run in a process pool.*lambda"):
        tune.run(lambda config: 0.0, SPACE, "random", n_trials=2)


def test_unpicklable_objective_runs_in_threads(threads):
    assert len(tune.run(lambda config: config["x"], SPACE, "random", n_trials=2, executor=threads)) == 2


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(method="tpe"), ValueError, "method must be one of"),
    (dict(mode="best"), ValueError, "mode must be 'min' or 'max'"),
    (dict(n_trials=-1), ValueError, "n_trials must be an integer >= 0"),
    (dict(n_trials=None), ValueError, "only grid search has a natural number of trials"),
    (dict(executor=object()), TypeError, "executor must be None"),
])
def test_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        tune.run(quadratic, SPACE, **{"method": "random", "n_trials": 2, **kwargs})


def test_ray_without_ray_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "ray", None)  # as if Ray were not installed
    with pytest.raises(ImportError, match=r"executor='ray' needs Ray: pip install 'gradbook\[ray\]'"):
        tune.run(quadratic, SPACE, "random", n_trials=2, executor="ray")


@pytest.mark.parametrize("method", ["random", "bayes"])
def test_nan_trials_are_kept_but_never_best(threads, method):
    results = tune.run(_testing.nan_for_negative_x, SPACE, method, n_trials=9, seed=0, executor=threads, n_initial=4)
    values = [t.value for t in results]
    assert any(v != v for v in values) and results.best.value == min(v for v in values if v == v)
    assert results.best_so_far()[-1] == results.best.value


def test_a_configuration_the_file_cannot_hold_fails_before_any_trial(threads):
    calls = []
    with pytest.raises(TypeError, match="trial 0's configuration: object value .* cannot be written"):
        tune.run(_Counting(calls), {"x": 0.3, "f": tune.choice([object()])}, "random", n_trials=2, executor=threads)
    assert calls == []


def test_objective_returning_a_dict_without_metric_or_a_string(threads):
    with pytest.raises(ValueError, match="pass metric="):
        tune.run(_testing.metrics, SPACE, "random", n_trials=1, executor=threads)
    with pytest.raises(TypeError, match="not a number"):
        tune.run(lambda c: "bad", SPACE, "random", n_trials=1, executor=threads)
