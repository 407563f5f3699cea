"""``grid`` and ``random``: the configurations a search tries, fixed before any trial runs.

``random(space, n_trials, seed)[i]`` is drawn from its own generator, seeded by ``(seed, i)``, so
trial i's configuration does not depend on how many trials there are, on the order in which
trials finish, or on whether the run was resumed. ``grid(space)`` is the Cartesian product of the
finite domains (``grid_search``, ``choice``, ``randint``) in the space's key order, the last key
varying fastest (as ``itertools.product`` and scikit-learn's ``ParameterGrid`` per dict).
"""
from __future__ import annotations

import itertools

import numpy as np

from .space import Domain, check_space, sample_space

__all__ = ["grid", "random", "trial_rng"]


def trial_rng(seed: int, index: int, stream: int = 0) -> np.random.Generator:
    """The generator of trial ``index`` (``stream`` separates uses within one trial)."""
    return np.random.default_rng([int(seed), int(index), int(stream)])


def random(space: dict, n_trials: int, seed: int = 0) -> list[dict]:
    """``n_trials`` independent configurations; the i-th is ``sample_space(space, trial_rng(seed, i))``."""
    check_space(space)
    if n_trials < 0:
        raise ValueError(f"tune.random: n_trials must be >= 0, got {n_trials}")
    return [sample_space(space, trial_rng(seed, i)) for i in range(n_trials)]


def grid(space: dict) -> list[dict]:
    """Every combination of the finite domains' values; constants are copied into each."""
    check_space(space)
    axes = []
    for name, domain in space.items():
        if isinstance(domain, Domain):
            values = domain.values()
            if values is None:
                raise ValueError(f"tune.grid: {name!r} is {domain!r}, a continuous domain with no grid; "
                                 "give it as grid_search([...]) values, or use method='random' or 'bayes'")
            axes.append(values)
        else:
            axes.append([domain])
    return [dict(zip(space, combo)) for combo in itertools.product(*axes)]
