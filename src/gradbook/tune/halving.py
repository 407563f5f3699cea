"""Successive halving and Hyperband: stop bad trials early by giving budget only to the best.

The objective takes a budget, ``objective(config, budget) -> value`` (epochs, training examples,
boosting rounds...), and its value at a small budget is taken as a guess of its value at a large
one. An objective that can continue from a checkpoint (keyed by its configuration) saves work on
the later rungs; one that starts afresh is still correct.

Successive halving (Jamieson & Talwalkar 2016), n configurations, smallest budget r, factor η:

    rung i = 0, 1, ..., s:  evaluate the n_i = ⌊n η^{−i}⌋ survivors at budget r_i = r η^i,
                            keep the best ⌊n_i / η⌋ (ties: the lower configuration index)

Hyperband (Li et al. 2018, Algorithm 1), budgets from ``min_budget`` to R = ``max_budget``:
s_max = ⌊log_η(R / min_budget)⌋, B = (s_max + 1) R; for each bracket s = s_max, ..., 0 successive
halving with n = ⌈(B/R) η^s / (s + 1)⌉ configurations from r = R η^{−s}. Every bracket ends at R;
the best configuration is the best value at R. Configuration j (counted across brackets) is drawn
from ``trial_rng(seed, j)``, as ``tune.random`` draws trial j.
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field
from typing import Any, Callable

from .executors import TrialFailed, TrialRunner
from .samplers import trial_rng
from .space import check_space, sample_space

__all__ = ["Rung", "HalvingResults", "successive_halving", "hyperband"]


@dataclass
class Rung:
    """One rung: the budget and the value of each configuration evaluated there (by config index)."""
    budget: float
    values: dict[int, float]


@dataclass
class HalvingResults:
    """The rungs of one or more successive-halving brackets; ``best`` is the best (index, value) at
    the largest budget."""
    configs: dict[int, dict]
    brackets: list[list[Rung]]
    mode: str = "min"
    evaluations: int = field(init=False)

    def __post_init__(self):
        self.evaluations = sum(len(rung.values) for bracket in self.brackets for rung in bracket)

    @property
    def total_budget(self) -> float:
        return sum(rung.budget * len(rung.values) for bracket in self.brackets for rung in bracket)

    @property
    def best(self) -> tuple[int, float]:
        top = max(rung.budget for bracket in self.brackets for rung in bracket)
        final = [(i, v) for bracket in self.brackets for rung in bracket if rung.budget == top
                 for i, v in rung.values.items() if math.isfinite(v)]
        if not final:
            raise ValueError("HalvingResults: no finite value at the largest budget")
        sign = 1.0 if self.mode == "min" else -1.0
        return min(final, key=lambda item: (sign * item[1], item[0]))

    @property
    def best_config(self) -> dict:
        return self.configs[self.best[0]]

    @property
    def best_value(self) -> float:
        return self.best[1]


def _call_with_budget(objective: Callable, config: dict, budget: float) -> Any:
    return objective(config, budget)


def check_halving(caller: str, space: dict, min_budget: float, max_budget: float, eta: float, mode: str) -> None:
    check_space(space)
    if not (min_budget > 0 and max_budget >= min_budget):
        raise ValueError(f"{caller}: need 0 < min_budget <= max_budget, got {min_budget}, {max_budget}")
    if not eta > 1:
        raise ValueError(f"{caller}: eta must be > 1, got {eta}")
    if mode not in ("min", "max"):
        raise ValueError(f"{caller}: mode must be 'min' or 'max', got {mode!r}")


def _n_rungs_above(min_budget: float, max_budget: float, eta: float) -> int:
    """The largest s with min_budget η^s <= max_budget (with a little slack for rounding)."""
    s = 0
    while min_budget * eta ** (s + 1) <= max_budget * (1 + 1e-9):
        s += 1
    return s


def _bracket(evaluate: Callable[[float, list[int]], dict[int, float]], n: int, indices: list[int],
             first_budget: float, s: int, eta: float, mode: str) -> list[Rung]:
    """Successive halving over the configurations ``indices``: ``evaluate(budget, alive)`` returns the
    value of each alive index at ``budget``; the best ⌊n η^{−(i+1)}⌋ go on to the next rung."""
    sign = 1.0 if mode == "min" else -1.0
    alive = sorted(indices)
    rungs = []
    for i in range(s + 1):
        budget = first_budget * eta ** i
        values = evaluate(budget, alive)
        rungs.append(Rung(budget, dict(sorted(values.items()))))
        keep = int(n // eta ** (i + 1))
        if i == s or keep < 1:
            break
        ranked = sorted(alive, key=lambda j: (sign * values[j] if math.isfinite(values[j]) else math.inf, j))
        alive = sorted(ranked[:keep])
    return rungs


def run_brackets(method: str, evaluate: Callable[[float, list[int], dict[int, dict]], dict[int, float]],
                 space: dict, seed: int, n_configs: int | None, min_budget: float, max_budget: float, eta: float,
                 mode: str) -> HalvingResults:
    """The brackets of ``method`` (``'halving'``: one bracket of ``n_configs`` from ``min_budget``;
    ``'hyperband'``: s_max + 1 brackets, see the module docstring). ``evaluate(budget, alive, configs)``
    evaluates the alive configuration indices at ``budget`` and returns {index: value}; it is the only
    place work happens, so ``successive_halving``/``hyperband`` and ``tune.run`` share this plan."""
    configs: dict[int, dict] = {}
    brackets = []
    s_max = _n_rungs_above(min_budget, max_budget, eta)
    plan = [(n_configs, min_budget, s_max)] if method == "halving" else [
        (math.ceil((s_max + 1) * eta ** s / (s + 1) - 1e-9), max_budget / eta ** s, s) for s in range(s_max, -1, -1)]
    for n, first_budget, s in plan:
        start = len(configs)
        configs.update({j: sample_space(space, trial_rng(seed, j)) for j in range(start, start + n)})
        brackets.append(_bracket(lambda budget, alive: evaluate(budget, alive, configs), n,
                                 list(range(start, start + n)), first_budget, s, eta, mode))
    return HalvingResults(configs, brackets, mode)


def _runner_evaluate(runner: TrialRunner, objective: Callable, caller: str):
    """``run_brackets``' evaluate on a ``TrialRunner``: ``objective(config, budget)`` for each alive index."""

    def evaluate(budget: float, alive: list[int], configs: dict[int, dict]) -> dict[int, float]:
        values: dict[int, float] = {}
        try:
            for index, result in runner.map_unordered(_call_with_budget,
                                                      [(j, (objective, configs[j], budget)) for j in alive]):
                if not isinstance(result, numbers.Real):
                    raise TypeError(f"{caller}: config {index} at budget {budget} returned {type(result).__name__} "
                                    f"{result!r}, not a number")
                values[index] = float(result)
        except TrialFailed as failure:
            raise RuntimeError(f"{caller}: config {failure.key} {configs[failure.key]} at budget {budget} raised "
                               f"{type(failure.error).__name__}: {failure.error}") from failure.error
        return values

    return evaluate


def successive_halving(objective: Callable[[dict, float], float], space: dict, n_configs: int, min_budget: float,
                       max_budget: float, eta: float = 3, seed: int = 0, mode: str = "min", executor: Any = None,
                       n_workers: int = 2) -> HalvingResults:
    """One bracket: ``n_configs`` random configurations from ``min_budget`` up to at most ``max_budget``
    (rungs at min_budget η^i), the best 1/η kept at each rung. ``executor`` as for ``tune.run``;
    ``tune.run(..., method='halving')`` runs the same bracket with a results file."""
    caller = "tune.successive_halving"
    check_halving(caller, space, min_budget, max_budget, eta, mode)
    if not (isinstance(n_configs, numbers.Integral) and n_configs >= 1):
        raise ValueError(f"{caller}: n_configs must be an integer >= 1, got {n_configs!r}")
    with TrialRunner(executor, n_workers, caller) as runner:
        runner.check_picklable(objective)
        return run_brackets("halving", _runner_evaluate(runner, objective, caller), space, seed, n_configs,
                            min_budget, max_budget, eta, mode)


def hyperband(objective: Callable[[dict, float], float], space: dict, max_budget: float, min_budget: float = 1.0,
              eta: float = 3, seed: int = 0, mode: str = "min", executor: Any = None,
              n_workers: int = 2) -> HalvingResults:
    """Hyperband's brackets s = s_max, ..., 0 (see the module docstring); one result for all of them.
    ``tune.run(..., method='hyperband')`` runs the same brackets with a results file."""
    caller = "tune.hyperband"
    check_halving(caller, space, min_budget, max_budget, eta, mode)
    with TrialRunner(executor, n_workers, caller) as runner:
        runner.check_picklable(objective)
        return run_brackets("hyperband", _runner_evaluate(runner, objective, caller), space, seed, None,
                            min_budget, max_budget, eta, mode)
