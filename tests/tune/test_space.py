"""Search spaces and the grid / random samplers: seeded, bounded, reproducible per trial."""
import numpy as np
import pytest

import gradbook as gb
from gradbook import tune

SPACE = {"lr": tune.loguniform(1e-4, 1e-1), "momentum": tune.uniform(0.5, 0.99), "width": tune.randint(8, 13),
         "act": tune.choice(["relu", "tanh", "gelu"]), "depth": tune.grid_search([1, 2]), "epochs": 3}


def test_samples_lie_in_their_domains_with_the_right_distribution():
    configs = tune.random(SPACE, 2000, seed=1)
    lr = np.array([c["lr"] for c in configs])
    assert lr.min() >= 1e-4 and lr.max() <= 1e-1
    # log-uniform: each of the three decades holds about a third
    counts = np.histogram(np.log10(lr), bins=[-4, -3, -2, -1])[0]
    assert np.all(np.abs(counts / 2000 - 1 / 3) < 0.05)
    assert all(0.5 <= c["momentum"] <= 0.99 for c in configs)
    assert {c["width"] for c in configs} == set(range(8, 13))
    assert {c["act"] for c in configs} == {"relu", "tanh", "gelu"}
    assert {c["depth"] for c in configs} == {1, 2} and {c["epochs"] for c in configs} == {3}
    assert all(isinstance(c["width"], int) and isinstance(c["lr"], float) for c in configs)


def test_random_is_seeded_and_trial_i_does_not_depend_on_the_number_of_trials():
    assert tune.random(SPACE, 5, seed=3) == tune.random(SPACE, 5, seed=3)
    assert tune.random(SPACE, 5, seed=3) == tune.random(SPACE, 9, seed=3)[:5]
    assert tune.random(SPACE, 5, seed=3) != tune.random(SPACE, 5, seed=4)


def test_grid_is_the_cartesian_product_last_key_fastest():
    space = {"a": tune.grid_search([1, 2]), "b": tune.choice(["x", "y", "z"]), "c": 0.5}
    configs = tune.grid(space)
    assert configs[:4] == [{"a": 1, "b": "x", "c": 0.5}, {"a": 1, "b": "y", "c": 0.5},
                           {"a": 1, "b": "z", "c": 0.5}, {"a": 2, "b": "x", "c": 0.5}]
    assert len(configs) == 6 and len(tune.grid({"w": tune.randint(0, 4), "d": tune.grid_search([1, 2])})) == 8
    from sklearn.model_selection import ParameterGrid
    assert sorted(map(str, configs)) == sorted(map(str, ParameterGrid({"a": [1, 2], "b": ["x", "y", "z"], "c": [0.5]})))


def test_grid_refuses_a_continuous_domain_by_name():
    with pytest.raises(ValueError, match="'lr' is LogUniform.*continuous domain"):
        tune.grid({"lr": tune.loguniform(1e-3, 1e-1)})


@pytest.mark.parametrize("domain", [tune.uniform(-2, 3), tune.loguniform(1e-3, 10), tune.randint(-2, 5),
                                    tune.choice([None, "a", 2.5]), tune.grid_search([1, 2, 3])])
def test_unit_cube_round_trip(domain):
    rng = np.random.default_rng(0)
    for _ in range(50):
        value = domain.sample(rng)
        u = domain.to_unit(value)
        assert 0.0 <= u <= 1.0
        assert domain.from_unit(u) == pytest.approx(value) if isinstance(value, float) else domain.from_unit(u) == value
    assert domain.from_unit(-1.0) == domain.from_unit(0.0) and domain.from_unit(2.0) == domain.from_unit(1.0)


@pytest.mark.parametrize("make, message", [
    (lambda: tune.uniform(1, 1), "high must be > low"),
    (lambda: tune.loguniform(0, 1), "low must be > 0"),
    (lambda: tune.uniform(0, float("inf")), "bounds must be finite"),
    (lambda: tune.randint(3, 3), r"high must be > low \(high is excluded\)"),
    (lambda: tune.randint(0.5, 3), "must be integers"),
    (lambda: tune.choice([]), "at least one option"),
    (lambda: tune.random([("lr", 1)], 3), "a search space is a dict"),
])
def test_bad_domains_say_what_is_wrong(make, message):
    with pytest.raises((ValueError, TypeError), match=message):
        make()


def test_tune_is_a_lazy_family():
    assert gb.tune is tune
