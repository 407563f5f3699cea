"""Successive halving and Hyperband on a synthetic learning curve whose ranking is known at every
budget, and Hyperband's bracket sizes against Li et al. (2018), Table 1."""
from concurrent.futures import ThreadPoolExecutor

import pytest

from gradbook import tune
from gradbook.tune.objectives import learning_curve

SPACE = {"quality": tune.uniform(0, 1)}


@pytest.fixture
def threads():
    with ThreadPoolExecutor(2) as pool:
        yield pool


def _quality(results, i):
    return results.configs[i]["quality"]


def test_successive_halving_keeps_exactly_the_best_third_at_each_rung(threads):
    results = tune.successive_halving(learning_curve, SPACE, n_configs=27, min_budget=1, max_budget=9, eta=3,
                                      seed=0, executor=threads)
    (rungs,) = results.brackets
    assert [r.budget for r in rungs] == [1, 3, 9] and [len(r.values) for r in rungs] == [27, 9, 3]
    by_quality = sorted(range(27), key=lambda i: _quality(results, i))
    assert sorted(rungs[1].values) == sorted(by_quality[:9])
    assert sorted(rungs[2].values) == sorted(by_quality[:3])
    assert results.best_config == results.configs[by_quality[0]]
    assert results.best_value == pytest.approx(_quality(results, by_quality[0]) + 1 / 10)
    assert results.total_budget == 27 * 1 + 9 * 3 + 3 * 9  # 81, against 243 to run all 27 to budget 9
    assert results.configs == dict(enumerate(tune.random(SPACE, 27, seed=0)))


def test_successive_halving_in_a_process_pool_equals_threads_and_max_mode(threads):
    pooled = tune.successive_halving(_negated_curve, SPACE, n_configs=9, min_budget=1, max_budget=9, mode="max")
    threaded = tune.successive_halving(_negated_curve, SPACE, n_configs=9, min_budget=1, max_budget=9, mode="max",
                                       executor=threads)
    assert pooled == threaded
    assert pooled.best_config["quality"] == min(c["quality"] for c in pooled.configs.values())


def _negated_curve(config, budget):
    return -learning_curve(config, budget)


def test_hyperband_brackets_follow_li_et_al_table_1(threads):
    results = tune.hyperband(learning_curve, SPACE, max_budget=81, min_budget=1, eta=3, seed=1, executor=threads)
    sizes = [[len(r.values) for r in bracket] for bracket in results.brackets]
    budgets = [[r.budget for r in bracket] for bracket in results.brackets]
    assert sizes == [[81, 27, 9, 3, 1], [34, 11, 3, 1], [15, 5, 1], [8, 2], [5]]
    assert budgets == [[1, 3, 9, 27, 81], [3, 9, 27, 81], [9, 27, 81], [27, 81], [81]]
    # the best at budget 81 is the best quality among the bracket winners
    winners = [min(bracket[-1].values, key=lambda i: _quality(results, i)) for bracket in results.brackets]
    assert results.best[0] == min(winners, key=lambda i: _quality(results, i))
    # bracket s = 4 sees all of its 81 configurations, so its winner is their best
    first = range(81)
    assert results.brackets[0][-1].values.keys() == {min(first, key=lambda i: _quality(results, i))}


def test_halving_errors():
    with pytest.raises(ValueError, match="eta must be > 1"):
        tune.successive_halving(learning_curve, SPACE, 9, 1, 9, eta=1)
    with pytest.raises(ValueError, match="0 < min_budget <= max_budget"):
        tune.hyperband(learning_curve, SPACE, max_budget=1, min_budget=3)
    with pytest.raises(TypeError, match="must be picklable"):
        tune.successive_halving(lambda c, b: 0.0, SPACE, 3, 1, 3)
    with ThreadPoolExecutor(1) as one, pytest.raises(RuntimeError, match="config 0 .*budget 1 raised ZeroDivision"):
        tune.successive_halving(lambda c, b: 1 / 0, SPACE, 1, 1, 3, executor=one)


def test_successive_halving_of_real_training_runs(threads):
    from gradbook.tune.training import TrainingObjective

    objective = TrainingObjective("mlp", "digits", metric="val_accuracy")
    results = tune.successive_halving(objective, objective.space(), n_configs=3, min_budget=1, max_budget=3,
                                      mode="max", executor=threads)
    assert [list(r.values) for r in results.brackets[0]][0] == [0, 1, 2]
    survivor = max(results.brackets[0][0].values, key=lambda i: (results.brackets[0][0].values[i], -i))
    assert list(results.brackets[0][1].values) == [survivor] and results.brackets[0][1].budget == 3
    assert 0.1 < results.best_value <= 1.0
