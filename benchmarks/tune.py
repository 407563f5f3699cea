"""Hyperparameter search methods against each other and against Optuna's TPE sampler: how many
trials each needs to reach a target validation accuracy on a fixed objective (an MLP on
scikit-learn's digits, 3 epochs of Adam; search over lr, weight decay and hidden width; accuracy
on 20% of the training images held out, the test set unread), median over seeds.

Every method gets the same budget of trials and the same objective; the seed sets both the
search's draws and the network's initialisation and shuffling (TrainingObjective(seed=...)).
Trials are counted in trial-index order (for tune.run, the order in which trials were proposed;
Optuna runs one trial at a time). 'grid' walks a 3 x 3 x 3 grid in a fixed order. A method that
does not reach the target within the budget counts as budget + 1 in the median and is shown with
'>'. Optuna is used here only, not by gradbook.

    python benchmarks/tune.py [--target 0.95] [--trials 30] [--seeds 5] [--epochs 3]
"""
from __future__ import annotations

import argparse
import statistics
import time

from gradbook import tune
from gradbook.tune.training import TrainingObjective


def trials_to_target(values: list[float], target: float) -> int | None:
    for i, v in enumerate(values, 1):
        if v >= target:
            return i
    return None


def run_tune(method: str, objective: TrainingObjective, trials: int, seed: int) -> list[float]:
    space = objective.space()
    if method == "grid":
        space = {"lr": tune.grid_search([1e-3, 1e-2, 5e-2]), "weight_decay": tune.grid_search([1e-6, 1e-4, 1e-2]),
                 "width": tune.grid_search([32, 128, 256])}
    results = tune.run(objective, space, method=method, n_trials=trials, seed=seed, mode="max",
                       metric="val_accuracy", n_workers=2)
    return [t.value for t in results]


def run_optuna(objective: TrainingObjective, trials: int, seed: int) -> list[float]:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)

    def optuna_objective(trial):
        config = {"lr": trial.suggest_float("lr", 1e-4, 1e-1, log=True),
                  "weight_decay": trial.suggest_float("weight_decay", 1e-6, 1e-2, log=True),
                  "width": trial.suggest_int("width", 16, 256)}
        return objective(config)["val_accuracy"]

    study = optuna.create_study(direction="maximize", sampler=optuna.samplers.TPESampler(seed=seed))
    study.optimize(optuna_objective, n_trials=trials)
    return [t.value for t in study.trials]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--target", type=float, default=0.95)
    p.add_argument("--trials", type=int, default=30)
    p.add_argument("--seeds", type=int, default=5)
    p.add_argument("--epochs", type=int, default=3)
    args = p.parse_args()
    from rich.console import Console
    from rich.table import Table

    methods = ["grid", "random", "bayes", "optuna-tpe"]
    found: dict[str, list] = {m: [] for m in methods}
    best: dict[str, list] = {m: [] for m in methods}
    seconds: dict[str, float] = {m: 0.0 for m in methods}
    for seed in range(args.seeds):
        objective = TrainingObjective("mlp", "digits", epochs=args.epochs, seed=seed)
        for method in methods:
            start = time.perf_counter()
            values = (run_optuna(objective, args.trials, seed) if method == "optuna-tpe"
                      else run_tune(method, objective, args.trials, seed))
            seconds[method] += time.perf_counter() - start
            found[method].append(trials_to_target(values, args.target))
            best[method].append(max(values))

    table = Table(title=f"trials to reach validation accuracy {args.target:.3f} (MLP on digits, {args.epochs} epochs; "
                        f"budget {args.trials} trials, {args.seeds} seeds)")
    for col in ("method", "median trials", "per seed", "reached", "median best accuracy", "seconds"):
        table.add_column(col, justify="right")
    for method in methods:
        counts = [n if n is not None else args.trials + 1 for n in found[method]]
        median = statistics.median(counts)
        per_seed = " ".join(str(n) if n is not None else f">{args.trials}" for n in found[method])
        table.add_row(method, f">{args.trials}" if median > args.trials else f"{median:g}", per_seed,
                      f"{sum(n is not None for n in found[method])}/{args.seeds}",
                      f"{statistics.median(best[method]):.4f}", f"{seconds[method]:.1f}")
    Console().print(table)


if __name__ == "__main__":
    main()
