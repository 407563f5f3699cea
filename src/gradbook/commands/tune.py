"""``gradbook tune``: a hyperparameter search for a model on a dataset, with a live table."""
from __future__ import annotations

import os
from typing import Optional

import typer
from rich.console import Console
from rich.live import Live
from rich.table import Table


def _table(rows: list, names: list[str], metric: str, best_id: Optional[int], n_trials: Optional[int]) -> Table:
    table = Table(title=f"{len(rows)}/{n_trials} trials" if n_trials else f"{len(rows)} trials")
    for col in ["trial", *names, metric, "seconds"]:
        table.add_column(col, justify="right")
    for t in sorted(rows, key=lambda t: t.trial_id):
        cells = [str(t.trial_id), *(f"{t.config[k]:.4g}" if isinstance(t.config[k], float) else str(t.config[k])
                                    for k in names), f"{t.value:.4f}", f"{t.seconds:.1f}"]
        style = "bold green" if t.trial_id == best_id else None
        table.add_row(*cells, style=style)
    return table


def _executor(scheduler: Optional[str]):
    """None (local processes), a Dask client for dask://HOST:PORT, or 'ray' (ray, ray://HOST:PORT)."""
    if scheduler is None:
        return None
    if scheduler == "ray" or scheduler.startswith("ray://"):
        try:
            import ray
        except ImportError as exc:
            raise ValueError("--scheduler ray needs Ray: pip install 'gradbook[ray]'") from exc
        ray.init(address=None if scheduler == "ray" else scheduler)
        return "ray"
    if not scheduler.startswith("dask://"):
        raise ValueError(f"--scheduler must be dask://HOST:PORT (a Dask scheduler), ray or ray://HOST:PORT, "
                         f"got {scheduler!r}")
    try:
        from distributed import Client
    except ImportError as exc:
        raise ValueError("--scheduler dask://... needs Dask's distributed: pip install 'gradbook[dask]'") from exc
    return Client("tcp://" + scheduler[len("dask://"):])


def register(app: typer.Typer) -> None:
    @app.command("tune")
    def tune_command(model: str = typer.Option("mlp", "--model", help="mlp (searches lr, weight_decay, width) or "
                                                                      "lenet (lr, weight_decay)."),
                     dataset: str = typer.Option("digits", "--dataset", help="digits or mnist-sample (as gradbook train)."),
                     method: str = typer.Option("bayes", "--method", help="random, grid, bayes, halving (successive halving) or "
                                                                   "hyperband; the last two spend 1 to --epochs "
                                                                   "epochs per trial, going on with the best 1/--eta."),
                     trials: int = typer.Option(20, "--trials", min=1),
                     epochs: int = typer.Option(3, "--epochs", min=1, help="Epochs per trial (halving and "
                                                                           "hyperband: the largest budget)."),
                     eta: int = typer.Option(3, "--eta", min=2, help="halving / hyperband: keep the best 1/eta "
                                                                      "of each rung and give them eta times the epochs."),
                     seed: int = typer.Option(0, "--seed"),
                     workers: int = typer.Option(2, "--workers", min=1, help="Local worker processes."),
                     scheduler: Optional[str] = typer.Option(None, "--scheduler",
                                                             help="dask://HOST:PORT runs the trials on that Dask cluster; "
                                                                  "ray (a local Ray) or ray://HOST:PORT on Ray."),
                     results: Optional[str] = typer.Option(None, "--results",
                                                           help="Results file (JSON lines) to write, or to continue "
                                                                "when it exists."),
                     plot: str = typer.Option("tune_best.png", "--plot", help="Best-so-far plot (PNG).")) -> None:
        """Search the learning rate, weight decay (and MLP width) for the best validation accuracy.

        Each trial trains for --epochs and is scored on images held out of the training set; the
        test set is not read. Trials run in --workers local processes, or on a Dask cluster.

        Examples:
          [bold]gradbook tune --model mlp --dataset digits --method bayes --trials 20[/bold]
          [bold]gradbook tune --method hyperband --epochs 9[/bold]  (budgets of 1, 3 and 9 epochs)
          [bold]gradbook tune --results search.jsonl[/bold]  (run again after a crash: finished trials are kept)
        """
        from .. import tune
        from ..tune.training import TrainingObjective

        console = Console()
        try:
            if model not in ("mlp", "lenet"):
                raise ValueError(f"unknown model {model!r}: expected mlp or lenet")
            executor = _executor(scheduler)
        except ValueError as exc:
            Console(stderr=True).print(f"[red]gradbook tune: {exc}[/red]", soft_wrap=True)
            raise typer.Exit(1)
        objective = TrainingObjective(model, dataset, epochs=epochs, seed=seed)
        space = objective.space()
        budgeted = method in ("halving", "hyperband")
        names = list(space) + (["budget"] if budgeted else [])
        shown_trials = None if method == "hyperband" else trials
        finished: list = []
        where = f"Dask scheduler {scheduler}" if scheduler else f"{workers} local processes"
        plan = (f"{trials} configurations from 1 to {epochs} epochs (eta {eta})" if method == "halving" else
                f"brackets from 1 to {epochs} epochs (eta {eta})" if method == "hyperband" else
                f"{trials} trials of {epochs} epochs")
        console.print(f"tuning {model} on {dataset}: {method} search, {plan}, "
                      f"on {where}; seed {seed}", soft_wrap=True)
        resume = results if results is not None and os.path.exists(results) else None
        try:
            with Live(_table([], names, "val_accuracy", None, shown_trials), console=console, refresh_per_second=4,
                      transient=True) as live:
                def show(trial):
                    finished.append(trial)
                    best = max(finished, key=lambda t: (t.value, -t.trial_id)).trial_id
                    live.update(_table(finished, names, "val_accuracy", best, shown_trials))

                budgets = dict(min_budget=1, max_budget=epochs, eta=eta) if budgeted else {}
                found = tune.run(objective, space, method=method, n_trials=shown_trials, seed=seed,
                                 executor=executor, resume=resume, results_file=None if resume else results,
                                 mode="max", metric="val_accuracy", n_workers=workers, callback=show, **budgets)
        except (ValueError, RuntimeError, FileNotFoundError, OSError) as exc:
            Console(stderr=True).print(f"[red]gradbook tune: {exc}[/red]", soft_wrap=True)
            raise typer.Exit(1)
        finally:
            if executor == "ray":
                import ray

                ray.shutdown()
            elif executor is not None:
                executor.close()
        best = found.best
        console.print(_table(found.trials, names, "val_accuracy", best.trial_id, shown_trials))
        found.plot(plot, title=f"{method} search, {model} on {dataset}")
        settings = ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in best.config.items())
        console.print(f"[bold green]best validation accuracy {best.value:.2%}[/bold green] (trial {best.trial_id}): "
                      f"{settings}; best-so-far plot: {plot}" + (f"; results: {results}" if results else ""),
                      soft_wrap=True)
