"""``tune.run``: evaluate an objective on the configurations a search method chooses, in parallel,
keeping every finished trial in a results file that ``resume=`` continues from.

    def objective(config):                     # top level of a module: it is pickled to the workers
        return train_and_validate(**config)     # a number, or a dict of numbers with metric= naming one

    results = tune.run(objective, {"lr": tune.loguniform(1e-4, 1e-1), "width": tune.randint(16, 129)},
                       method="bayes", n_trials=30, seed=0, results_file="search.jsonl")
    results.best_config

The table depends only on (objective, space, method, n_trials, seed, options), never on the
executor, the number of workers or the order in which trials finish:

- ``'grid'`` and ``'random'`` fix every configuration first (``tune.grid``, ``tune.random``) and run
  them all at once;
- ``'bayes'`` runs ``n_initial`` random trials, then rounds of ``batch_size`` trials, each round
  proposed by ``bayes.BayesSampler`` from all earlier trials in index order, with a generator
  seeded by (seed, first index of the round).

- ``'halving'`` and ``'hyperband'`` call ``objective(config, budget)``; every evaluation of a
  configuration at a budget is one trial, numbered bracket by bracket, rung by rung, configuration
  index within a rung (``halving.run_brackets`` plans them, as ``tune.successive_halving`` and
  ``tune.hyperband`` do), and recorded with its budget in the configuration (key ``'budget'``).
  Which configurations go on to the next rung depends only on earlier trials' values.

So a run interrupted after k trials and resumed from its file (finished trials are read back, not
re-run) gives the same table as a run that was never interrupted.
"""
from __future__ import annotations

import math
import numbers
import os
from typing import Any, Callable

from .bayes import BayesSampler
from .executors import TrialFailed, TrialRunner, timed_call
from .halving import check_halving, run_brackets
from .results import Results, ResultsFile, Trial, to_json_value
from .samplers import grid, random, trial_rng
from .space import check_space

__all__ = ["run"]

METHODS = ("random", "grid", "bayes", "halving", "hyperband")
BUDGETED = ("halving", "hyperband")


def run(objective: Callable[[dict], Any], space: dict, method: str = "random", n_trials: int | None = None,
        seed: int = 0, executor: Any = None, resume: str | os.PathLike | None = None, *, mode: str = "min",
        metric: str | None = None, results_file: str | os.PathLike | None = None, n_workers: int = 2,
        n_initial: int = 5, batch_size: int = 2, kernel: str = "matern52", acquisition: str = "ei",
        min_budget: float = 1.0, max_budget: float | None = None, eta: float = 3,
        callback: Callable[[Trial], Any] | None = None) -> Results:
    """Run a hyperparameter search and return its ``Results`` table (``.best``, ``.best_config``).

    Parameters
    ----------
    objective : called with one configuration (a dict); returns a number or a dict of
        JSON-writable values, of which ``metric`` is optimised. Must be picklable for process pools.
    space : a search space (see ``tune.space``).
    method : ``'random'``, ``'grid'``, ``'bayes'``, ``'halving'`` (successive halving) or
        ``'hyperband'``; the last two call ``objective(config, budget)``.
    n_trials : how many trials; required for random and Bayesian search; for grid search the first
        ``n_trials`` combinations, all of them when None; for ``'halving'`` the number of
        configurations in the bracket; None for ``'hyperband'`` (its brackets fix the number).
    executor : None (a local ``ProcessPoolExecutor`` with ``n_workers``), a
        ``concurrent.futures.Executor``, a Dask ``distributed.Client``, or ``'ray'``.
    resume : a results file to continue: its finished trials are read, not re-run, and new ones are
        appended to it (the file is created if missing). It must record the same search.
    mode : ``'min'`` or ``'max'``.
    results_file : where a new search writes its trials (an existing file is refused; resume it).
    n_initial, batch_size, kernel, acquisition : ``'bayes'`` only: random trials before the GP, trials
        per proposal round, ``'matern52'``/``'rbf'``, ``'ei'``/``'ucb'``.
    min_budget, max_budget, eta : ``'halving'``/``'hyperband'`` only: the smallest and the largest
        budget (required) and the factor η between rungs; ``Results.best`` is then the best trial at
        the largest budget reached.
    callback : called here (not in a worker) with each ``Trial`` as it finishes, resumed ones
        included (a live table, a progress bar).
    """
    check_space(space)
    if method not in METHODS:
        raise ValueError(f"tune.run: method must be one of {METHODS}, got {method!r}")
    if mode not in ("min", "max"):
        raise ValueError(f"tune.run: mode must be 'min' or 'max', got {mode!r}")
    if method in BUDGETED:
        _check_budgeted(method, space, n_trials, min_budget, max_budget, eta, mode)
    elif method != "grid" and (not isinstance(n_trials, numbers.Integral) or n_trials < 0):
        raise ValueError(f"tune.run: n_trials must be an integer >= 0 for method={method!r}, got {n_trials!r}"
                         + (" (only grid search has a natural number of trials)" if n_trials is None else ""))
    if not callable(objective):
        raise TypeError(f"tune.run: objective must be callable, got {type(objective).__name__}")
    if resume is not None and results_file is not None and os.fspath(resume) != os.fspath(results_file):
        raise ValueError("tune.run: give resume=PATH (continue and append there) or results_file=PATH, not both")

    options = {"n_initial": n_initial, "batch_size": batch_size, "kernel": kernel,
               "acquisition": acquisition} if method == "bayes" else {}
    if method in BUDGETED:
        options = {"min_budget": min_budget, "max_budget": max_budget, "eta": eta}
    header = {"method": method, "seed": int(seed), "mode": mode, "metric": metric, "space": repr(space),
              "options": options}
    log = ResultsFile(resume if resume is not None else results_file, header, resume=resume is not None)
    trials: dict[int, Trial] = {}
    sign = 1.0 if mode == "min" else -1.0

    def value_of(result: Any, trial_id: int) -> float:
        if metric is not None:
            if not isinstance(result, dict) or metric not in result:
                raise ValueError(f"tune.run: trial {trial_id}: metric={metric!r}, but the objective returned {result!r}")
            result = result[metric]
        elif isinstance(result, dict):
            raise ValueError(f"tune.run: trial {trial_id}: the objective returned a dict ({sorted(result)}); pass "
                             "metric= naming the value to optimise")
        if not isinstance(result, numbers.Real):
            raise TypeError(f"tune.run: trial {trial_id}: the objective returned {type(result).__name__} {result!r}, "
                            "not a number")
        return float(result)

    def record(trial_id: int, config: dict, saved: dict) -> None:
        trials[trial_id] = Trial(trial_id, config, float(saved["value"]), saved["result"], saved.get("seconds", 0.0))
        if callback is not None:
            callback(trials[trial_id])

    call = WithBudget(objective) if method in BUDGETED else objective

    with TrialRunner(executor, n_workers) as runner:

        def evaluate(batch: list[tuple[int, dict]]) -> None:
            todo = []
            for trial_id, config in batch:
                saved = log.records.get(trial_id)
                if saved is None:
                    todo.append((trial_id, config))
                    continue
                if saved["config"] != to_json_value(config, "tune.run"):
                    raise ValueError(f"tune.run: cannot resume {log.path}: trial {trial_id} was {saved['config']}, "
                                     f"this search proposes {config} (a different objective or search?)")
                record(trial_id, config, saved)
            if not todo:
                return
            for trial_id, config in todo:  # a value the results file cannot hold fails before any work
                to_json_value(config, f"tune.run: trial {trial_id}'s configuration")
            runner.check_picklable(call)
            configs = dict(todo)
            try:
                for trial_id, (result, seconds) in runner.map_unordered(
                        timed_call, [(i, (call, c)) for i, c in todo]):
                    config = configs[trial_id]
                    where = f"tune.run: trial {trial_id}"
                    saved = log.append({"trial": trial_id, "config": to_json_value(config, where),
                                        "result": to_json_value(result, where), "value": value_of(result, trial_id),
                                        "seconds": seconds})
                    record(trial_id, config, saved)
            except TrialFailed as failure:
                kept = f"; the {len(log.records)} finished trials are in {log.path} (resume= it)" if log.path else ""
                raise RuntimeError(f"tune.run: trial {failure.key} with config {configs[failure.key]} raised "
                                   f"{type(failure.error).__name__}: {failure.error}{kept}") from failure.error

        if method in ("grid", "random"):
            configs = grid(space) if method == "grid" else random(space, n_trials, seed)
            if method == "grid" and n_trials is not None:
                configs = configs[:n_trials]
            evaluate(list(enumerate(configs)))
        elif method == "bayes":
            sampler = BayesSampler(space, kernel=kernel, acquisition=acquisition)
            n_random = min(n_initial, n_trials)
            evaluate(list(enumerate(random(space, n_random, seed))))
            start = n_random
            while start < n_trials:
                size = min(batch_size, n_trials - start)
                history = [(trials[i].config, sign * trials[i].value) for i in range(start)]
                proposals = sampler.propose(history, size, trial_rng(seed, start, stream=1))
                evaluate(list(enumerate(proposals, start)))
                start += size
        else:
            def evaluate_rung(budget: float, alive: list[int], configs: dict[int, dict]) -> dict[int, float]:
                start = len(trials)
                evaluate([(start + k, {**configs[j], "budget": budget}) for k, j in enumerate(alive)])
                return {j: trials[start + k].value for k, j in enumerate(alive)}

            run_brackets(method, evaluate_rung, space, seed, n_trials, min_budget, max_budget, eta, mode)
            top = max(t.config["budget"] for t in trials.values())
            final = [i for i in sorted(trials) if trials[i].config["budget"] == top]
            return Results([trials[i] for i in sorted(trials)], mode=mode, metric=metric, candidates=final)

    return Results([trials[i] for i in sorted(trials)], mode=mode, metric=metric)


class WithBudget:
    """``objective(config, budget)`` called with a trial's configuration that carries its budget."""

    def __init__(self, objective: Callable[[dict, float], Any]):
        self.objective = objective

    def __call__(self, config: dict) -> Any:
        config = dict(config)
        budget = config.pop("budget")
        return self.objective(config, budget)


def _check_budgeted(method: str, space: dict, n_trials, min_budget, max_budget, eta, mode: str) -> None:
    caller = f"tune.run(method={method!r})"
    if max_budget is None:
        raise ValueError(f"{caller}: max_budget is required (the budget the best configuration is judged at)")
    check_halving(caller, space, min_budget, max_budget, eta, mode)
    if "budget" in space:
        raise ValueError(f"{caller}: the space may not have a key 'budget': each trial's configuration records "
                         "its budget under that name")
    if method == "halving" and (not isinstance(n_trials, numbers.Integral) or n_trials < 1):
        raise ValueError(f"{caller}: n_trials (the number of configurations) must be an integer >= 1, "
                         f"got {n_trials!r}")
    if method == "hyperband" and n_trials is not None:
        raise ValueError(f"{caller}: Hyperband's brackets fix the number of trials from min_budget, max_budget "
                         f"and eta; pass n_trials=None, got {n_trials!r}")
