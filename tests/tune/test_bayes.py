"""Acquisition functions against their definitions, and the Bayesian sampler on functions whose
minimum is known."""
import math
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from scipy.integrate import quad

from gradbook import tune
from gradbook.tune.acquisition import expected_improvement, upper_confidence_bound
from gradbook.tune.bayes import BayesSampler
from gradbook.tune.objectives import BRANIN_MINIMUM, branin, quadratic


def _ei_closed_form(mu, sigma, best, xi):
    # written out here with math.erf, apart from the library's scipy.special.ndtr
    gain = best - xi - mu
    if sigma == 0:
        return max(gain, 0.0)
    z = gain / sigma
    return gain * 0.5 * (1 + math.erf(z / math.sqrt(2))) + sigma * math.exp(-z * z / 2) / math.sqrt(2 * math.pi)


def _ei_by_integration(mu, sigma, best, xi):
    # E[max(best − ξ − Y, 0)], Y ~ N(μ, σ²), as an integral over the density
    density = lambda y: math.exp(-((y - mu) / sigma) ** 2 / 2) / (sigma * math.sqrt(2 * math.pi))  # noqa: E731
    return quad(lambda y: (best - xi - y) * density(y), mu - 40 * sigma, best - xi, limit=200)[0] \
        if best - xi > mu - 40 * sigma else 0.0


def test_expected_improvement_is_its_closed_form_and_its_integral():
    rng = np.random.default_rng(0)
    mu, sigma = rng.normal(size=40), rng.uniform(0.05, 2.0, size=40)
    sigma[:3] = 0.0
    mu[:3] = [-1.0, 0.5, 2.0]
    best, xi = 0.3, 0.01
    ei = expected_improvement(mu, sigma, best, xi)
    np.testing.assert_allclose(ei, [_ei_closed_form(m, s, best, xi) for m, s in zip(mu, sigma)], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(ei[3:], [_ei_by_integration(m, s, best, xi) for m, s in zip(mu[3:], sigma[3:])],
                               rtol=1e-7, atol=1e-10)
    assert ei[:3].tolist() == [1.0 + 0.3 - 0.01, 0.0, 0.0]
    assert np.all(ei >= 0)


def test_upper_confidence_bound_of_minus_f():
    np.testing.assert_allclose(upper_confidence_bound([1.0, -2.0], [0.5, 0.0], kappa=3.0), [0.5, 2.0])


def test_bayes_finds_the_minimum_better_than_random_search():
    space = {"x1": tune.uniform(-5, 10), "x2": tune.uniform(0, 15)}
    with ThreadPoolExecutor(1) as pool:
        bayes = tune.run(branin, space, "bayes", n_trials=24, seed=0, executor=pool, batch_size=1)
        random = tune.run(branin, space, "random", n_trials=24, seed=0, executor=pool)
    assert bayes.best_value < BRANIN_MINIMUM + 0.05
    assert bayes.best_value < random.best_value
    assert bayes.trials[:5] == random.trials[:5]  # the initial design is the random search's start


@pytest.mark.parametrize("kernel, acquisition", [("rbf", "ucb"), ("matern52", "ei")])
def test_bayes_on_mixed_spaces_and_max_mode(kernel, acquisition):
    space = {"x": tune.uniform(-1, 1), "lr": tune.loguniform(1e-4, 1), "unused": tune.choice(["a", "b"]),
             "n": tune.randint(0, 3), "const": 7}
    with ThreadPoolExecutor(1) as pool:
        results = tune.run(_negated_quadratic, space, "bayes", n_trials=14, seed=1, executor=pool, mode="max",
                           kernel=kernel, acquisition=acquisition)
    assert results.best_value > -0.05  # maximum 0 at x = 0.3, lr = 1e-2
    assert all(t.config["const"] == 7 and t.config["n"] in (0, 1, 2) for t in results)


def _negated_quadratic(config):
    return -quadratic(config)


def test_batches_propose_distinct_points_and_are_reproducible():
    space = {"x": tune.uniform(0, 1)}
    sampler = BayesSampler(space)
    history = [({"x": x}, (x - 0.3) ** 2) for x in (0.0, 0.5, 1.0)]
    batch = sampler.propose(history, 3, np.random.default_rng(0))
    assert len({c["x"] for c in batch}) == 3
    assert batch == sampler.propose(history, 3, np.random.default_rng(0))


def test_bayes_rejects_unknown_options():
    with pytest.raises(ValueError, match="acquisition must be one of"):
        BayesSampler({"x": tune.uniform(0, 1)}, acquisition="pi")
    with pytest.raises(ValueError, match="kernel must be one of"):
        BayesSampler({"x": tune.uniform(0, 1)}, kernel="linear")
