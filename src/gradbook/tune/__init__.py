"""Hyperparameter search: search spaces, grid / random / Bayesian samplers, ``tune.run`` over a
process pool or a Dask cluster with a results file that survives a crash, hypergradient learning
rates, and successive halving / Hyperband.

>>> from gradbook import tune
>>> from gradbook.tune.objectives import quadratic
>>> from concurrent.futures import ThreadPoolExecutor
>>> space = {"x": tune.grid_search([0.0, 0.25, 0.5]), "lr": tune.choice([1e-3, 1e-2])}
>>> results = tune.run(quadratic, space, method="grid", n_trials=None, executor=ThreadPoolExecutor(1))
>>> results.best_config
{'x': 0.25, 'lr': 0.01}
"""
from __future__ import annotations

from . import bayes, hypergradient
from .halving import HalvingResults, hyperband, successive_halving
from .hypergradient import SGDHD
from .results import Results, Trial
from .run import run
from .samplers import grid, random
from .space import (Choice, Domain, GridSearch, LogUniform, RandInt, Uniform, choice, grid_search,
                    loguniform, randint, uniform)

__all__ = ["Choice", "Domain", "GridSearch", "HalvingResults", "LogUniform", "RandInt", "Results", "SGDHD", "Trial", "Uniform", "bayes",
           "choice", "grid", "grid_search", "hyperband", "hypergradient", "loguniform", "randint", "random", "run", "successive_halving", "uniform"]
