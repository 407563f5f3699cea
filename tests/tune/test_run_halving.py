"""tune.run(method='halving' | 'hyperband'): every evaluation a trial with its budget, the rungs
rederived by hand from the objective, the same brackets as tune.successive_halving / tune.hyperband,
resume after a crash, and clear errors."""
import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from gradbook import tune
from gradbook.tune import _testing
from gradbook.tune.objectives import learning_curve

SPACE = {"quality": tune.uniform(0, 1)}


@pytest.fixture
def threads():
    with ThreadPoolExecutor(2) as pool:
        yield pool


def hand_halving(n, budgets, eta, seed=0):
    """Successive halving written out: all n configs at budgets[0], the best ⌊n/η^(i+1)⌋ go on."""
    configs = tune.random(SPACE, n, seed)
    alive, rungs = list(range(n)), []
    for i, budget in enumerate(budgets):
        values = {j: _testing.crossing_curve(configs[j], budget) for j in alive}
        rungs.append((budget, values))
        alive = sorted(sorted(alive, key=lambda j: (values[j], j))[:int(n // eta ** (i + 1))])
    return configs, rungs


def test_halving_trials_follow_the_hand_written_rungs(threads):
    results = tune.run(_testing.crossing_curve, SPACE, "halving", n_trials=12, seed=0, executor=threads,
                       min_budget=1, max_budget=9, eta=3)
    configs, rungs = hand_halving(12, [1, 3, 9], 3)
    expected = [({**configs[j], "budget": b}, v) for b, values in rungs for j, v in values.items()]
    assert [(t.config, t.value) for t in results] == expected
    assert [len(v) for _, v in rungs] == [12, 4, 1]
    final_j, final_v = next(iter(rungs[-1][1].items()))
    assert results.best_config == {**configs[final_j], "budget": 9} and results.best_value == final_v
    same = tune.successive_halving(_testing.crossing_curve, SPACE, 12, 1, 9, eta=3, executor=threads)
    assert [r.values for r in same.brackets[0]] == [v for _, v in rungs]


def test_hyperband_through_run_equals_tune_hyperband(threads):
    results = tune.run(learning_curve, SPACE, "hyperband", n_trials=None, seed=2, executor=threads,
                       min_budget=1, max_budget=9, eta=3, mode="max")
    bands = tune.hyperband(learning_curve, SPACE, max_budget=9, min_budget=1, eta=3, seed=2, mode="max",
                           executor=threads)
    pairs = [(bands.configs[j], rung.budget, v) for bracket in bands.brackets for rung in bracket
             for j, v in rung.values.items()]
    assert [({k: v for k, v in t.config.items() if k != "budget"}, t.config["budget"], t.value)
            for t in results] == pairs
    assert len(results) == bands.evaluations == 9 + 3 + 1 + 5 + 1 + 3  # brackets s = 2, 1, 0 (Li et al.)
    assert results.best_config == {**bands.best_config, "budget": 9} and results.best_value == bands.best_value
    # a low-budget trial with a higher value is never the best: only budget-9 trials compete
    assert max(t.value for t in results) > results.best_value


def test_halving_resumed_after_a_crash_equals_uninterrupted(tmp_path, monkeypatch):
    options = dict(n_trials=9, seed=4, min_budget=1, max_budget=9, eta=3)
    with ThreadPoolExecutor(1) as one:
        full = tune.run(_testing.crossing_curve, SPACE, "halving", executor=one, **options)
        survivors = sorted(t.config["quality"] for t in full if t.config["budget"] == 3)
        path = tmp_path / "halving.jsonl"
        monkeypatch.setenv("GRADBOOK_TUNE_CRASH_ABOVE", str(survivors[0]))
        with pytest.raises(RuntimeError, match="simulated crash.*resume="):
            tune.run(_testing.crossing_curve, SPACE, "halving", executor=one, resume=path, **options)
        kept = [json.loads(line)["trial"] for line in path.read_text().splitlines()[1:]]
        assert 9 <= len(kept) < len(full)
        monkeypatch.delenv("GRADBOOK_TUNE_CRASH_ABOVE")
        resumed = tune.run(_testing.crossing_curve, SPACE, "halving", executor=one, resume=path, **options)
    assert resumed == full
    header = json.loads(path.read_text().splitlines()[0])
    assert header["method"] == "halving" and header["options"] == {"min_budget": 1, "max_budget": 9, "eta": 3}


@pytest.mark.parametrize("method, kwargs, message", [
    ("halving", dict(n_trials=4), "max_budget is required"),
    ("halving", dict(n_trials=0, max_budget=9), "n_trials .* must be an integer >= 1"),
    ("hyperband", dict(n_trials=5, max_budget=9), "pass n_trials=None"),
    ("hyperband", dict(max_budget=9, eta=1), "eta must be > 1"),
])
def test_bad_budgeted_arguments(method, kwargs, message):
    with pytest.raises(ValueError, match=message):
        tune.run(learning_curve, SPACE, method, **kwargs)
    with pytest.raises(ValueError, match="may not have a key 'budget'"):
        tune.run(learning_curve, {"budget": tune.uniform(0, 1)}, "halving", n_trials=3, max_budget=3)
