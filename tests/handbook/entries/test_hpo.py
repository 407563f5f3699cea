"""hpo against grids rebuilt with scikit-learn's ParameterGrid and the landscapes written out by hand,
random search's hit rate against the target region's area (a band of width 0.1; a disc of radius 0.1),
and the verdicts rederived from the entry's numbers."""
import numpy as np
import pytest
from sklearn.model_selection import ParameterGrid

from gradbook import handbook, tune

BUDGET = 36
TARGETS = {"lopsided": 0.04, "balanced": 0.16}
WEIGHTS = {"lopsided": (16.0, 0.16), "balanced": (16.0, 16.0)}


@pytest.fixture(scope="module")
def result():
    return handbook.run("hpo", quick=True)


def optimum(seed):
    return np.random.default_rng([seed, 7919]).uniform(0.1, 0.9, 2)


def value(name, seed, lr, m):
    a, b = WEIGHTS[name]
    u_star, m_star = optimum(seed)
    return a * ((np.log10(lr) + 4) / 4 - u_star) ** 2 + b * (m - m_star) ** 2


def grid_hits(name, seed):
    hit, best = None, None
    for side in (2, 3, 4, 5, 6):
        centres = (np.arange(side) + 0.5) / side
        values = [value(name, seed, p["lr"], p["m"]) for p in ParameterGrid({"lr": 10 ** (-4 + 4 * centres),
                                                                             "m": centres})]
        if hit is None and min(values) < TARGETS[name]:
            hit = side * side
        best = min(values)
    return hit, best


def random_values(name, seed):
    configs = tune.random({"lr": tune.loguniform(1e-4, 1.0), "m": tune.uniform(0.0, 1.0)}, BUDGET, seed)
    return np.array([value(name, seed, c["lr"], c["m"]) for c in configs])


def target_area(name, seed):
    """Area of {a (u − u*)² + b (m − m*)² < target} in the unit square: the u-width 2 √((t − b Δm²)/a) averaged
    over m (the u-interval stays inside [0, 1] because u* ∈ [0.1, 0.9] and the half-width is ≤ 0.1)."""
    a, b = WEIGHTS[name]
    m = (np.arange(200_000) + 0.5) / 200_000
    return np.mean(2 * np.sqrt(np.maximum(TARGETS[name] - b * (m - optimum(seed)[1]) ** 2, 0) / a))


def median(hits):
    return float(np.median([BUDGET + 1 if h is None else h for h in hits]))


def test_grid_and_random_search_rederived(result):
    n = result.numbers
    seeds = n["seeds"]
    for name, target in TARGETS.items():
        grids = [grid_hits(name, s) for s in range(seeds)]
        assert n[f"median_{name}_grid"] == median([h for h, _ in grids]), name
        assert np.isclose(n[f"best_{name}_grid"], np.median([b for _, b in grids])), name
        values = [random_values(name, s) for s in range(seeds)]
        hits = [int(np.flatnonzero(v < target)[0]) + 1 if np.any(v < target) else None for v in values]
        assert n[f"median_{name}_random"] == median(hits), name
        assert n[f"median_{name}_random_bayes_seeds"] == median(hits[:n["bayes_seeds"]]), name
        assert np.isclose(n[f"best_{name}_random"], np.median([v.min() for v in values])), name
        # each random trial lands in the target region with probability equal to its area
        area = np.mean([target_area(name, s) for s in range(seeds)])
        rate = np.mean(np.concatenate(values) < target)
        assert abs(rate - area) < 4 * np.sqrt(area * (1 - area) / (seeds * BUDGET)), name
    assert n["distinct_lr_grid"] == 6 and n["distinct_lr_random"] == BUDGET


def test_verdicts_follow_the_numbers(result):
    n = result.numbers
    adv = {k: n[f"median_{k}_grid"] / n[f"median_{k}_random"] for k in TARGETS}
    bayes = [n[f"median_{k}_bayes"] < n[f"median_{k}_random_bayes_seeds"] for k in TARGETS]
    expected = {
        "grid-best": "confirmed" if n["best_lopsided_grid"] <= n["best_lopsided_random"] else "corrected",
        "random-beats-grid": "confirmed" if adv["lopsided"] > 1 and adv["balanced"] > 1
        else "depends" if adv["lopsided"] > 1 else "corrected",
        "random-reason": "corrected" if adv["lopsided"] > adv["balanced"] else "contested",
        "bayes-model": "confirmed" if all(bayes) else "depends" if any(bayes) else "corrected",
    }
    assert result.verdicts == expected
    assert [f.name for f in result.figures] == ["hpo"]
