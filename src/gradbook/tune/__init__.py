"""Hyperparameter search: search spaces, grid / random / Bayesian samplers, ``tune.run`` over a
process pool or a Dask cluster with a results file that survives a crash, hypergradient learning
rates, and successive halving / Hyperband."""
from __future__ import annotations

from .samplers import grid, random
from .space import (Choice, Domain, GridSearch, LogUniform, RandInt, Uniform, choice, grid_search,
                    loguniform, randint, uniform)

__all__ = ["Choice", "Domain", "GridSearch", "LogUniform", "RandInt", "Uniform", "choice", "grid",
           "grid_search", "loguniform", "randint", "random", "uniform"]
