"""Synthetic objectives with known optima, defined at module level so process pools and Dask
workers can unpickle them; tests, examples and the handbook use them.

    quadratic(config) = (x − 0.3)² + (log10 lr + 2)²                 minimum 0 at x = 0.3, lr = 1e-2
    branin(config)    = (x2 − 5.1 x1²/(4π²) + 5 x1/π − 6)² + 10 (1 − 1/(8π)) cos x1 + 10
                        on x1 ∈ [−5, 10], x2 ∈ [0, 15]; minimum 0.397887 at (−π, 12.275), (π, 2.275), (9.42478, 2.475)
    learning_curve(config, budget) = quality + 1/(1 + budget):  every configuration improves with budget
                        and the ranking by ``quality`` holds at every budget (successive halving's ideal case)
"""
from __future__ import annotations

import math

__all__ = ["quadratic", "branin", "learning_curve", "BRANIN_MINIMUM"]

BRANIN_MINIMUM = 0.39788735772973816


def quadratic(config: dict) -> float:
    return (config["x"] - 0.3) ** 2 + (math.log10(config.get("lr", 1e-2)) + 2.0) ** 2


def branin(config: dict) -> float:
    x1, x2 = config["x1"], config["x2"]
    a, b, c, r, s, t = 1.0, 5.1 / (4 * math.pi ** 2), 5 / math.pi, 6.0, 10.0, 1 / (8 * math.pi)
    return a * (x2 - b * x1 ** 2 + c * x1 - r) ** 2 + s * (1 - t) * math.cos(x1) + s


def learning_curve(config: dict, budget: float) -> float:
    return config["quality"] + 1.0 / (1.0 + budget)
