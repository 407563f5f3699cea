"""Callbacks hook into :func:`gradbook.train.fit`: progress, early stopping, checkpoints, CSV logs.

Each method receives the running :class:`~gradbook.train.loop.Trainer`; set
``trainer.stop_training = True`` to stop after the current epoch.
"""
from __future__ import annotations

import copy
import csv
import math
import os
import time

import numpy as np


class Callback:
    def on_train_begin(self, trainer) -> None: ...
    def on_epoch_begin(self, trainer, epoch: int) -> None: ...
    def on_batch_end(self, trainer, batch: int, logs: dict) -> None: ...
    def on_epoch_end(self, trainer, epoch: int, logs: dict) -> None: ...
    def on_train_end(self, trainer) -> None: ...


def _mode(monitor: str, mode: str) -> str:
    if mode == "auto":
        return "max" if any(w in monitor for w in ("acc", "auc", "f1", "precision", "recall")) else "min"
    if mode not in ("min", "max"):
        raise ValueError(f"mode must be 'min', 'max' or 'auto', got {mode!r}")
    return mode


def _monitored(logs: dict, monitor: str, who: str) -> float:
    if monitor not in logs:
        raise ValueError(f"{who}: monitored value {monitor!r} is not logged; logged values: {sorted(logs)}")
    return float(logs[monitor])


class ProgressBar(Callback):
    """A rich progress bar: epoch, batch, running loss, samples per second and time left.

    When the output is not a terminal it prints one line per epoch instead.
    """

    def __init__(self, console=None):
        from rich.console import Console

        self.console = console or Console(stderr=True)
        self.progress = None

    def on_train_begin(self, trainer) -> None:
        from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

        if self.console.is_terminal:
            self.progress = Progress(TextColumn("[bold]epoch {task.fields[epoch]}"), BarColumn(),
                                     TextColumn("{task.completed}/{task.total}"),
                                     TextColumn("loss {task.fields[loss]:.4f}"),
                                     TextColumn("{task.fields[speed]:,.0f} samples/s"), TimeRemainingColumn(),
                                     console=self.console, transient=False)
            self.progress.start()

    def on_epoch_begin(self, trainer, epoch: int) -> None:
        self._start, self._seen = time.perf_counter(), 0
        if self.progress is not None:
            self.task = self.progress.add_task("train", total=trainer.batches_per_epoch,
                                               epoch=f"{epoch}/{trainer.epochs}", loss=math.nan, speed=0.0)

    def on_batch_end(self, trainer, batch: int, logs: dict) -> None:
        self._seen += logs["size"]
        if self.progress is not None:
            speed = self._seen / max(time.perf_counter() - self._start, 1e-9)
            self.progress.update(self.task, advance=1, loss=logs["running_loss"], speed=speed)

    def on_epoch_end(self, trainer, epoch: int, logs: dict) -> None:
        if self.progress is None:
            shown = "  ".join(f"{k} {v:.4f}" for k, v in logs.items() if k not in ("epoch", "seconds", "lr"))
            self.console.print(f"epoch {epoch}/{trainer.epochs}  {shown}  ({logs['seconds']:.1f} s)", soft_wrap=True)

    def on_train_end(self, trainer) -> None:
        if self.progress is not None:
            self.progress.stop()
            self.progress = None


class EarlyStopping(Callback):
    """Stop when ``monitor`` has not improved by more than ``min_delta`` for ``patience`` epochs;
    with ``restore_best`` the model gets back the weights of its best epoch."""

    def __init__(self, monitor: str = "val_loss", patience: int = 3, min_delta: float = 0.0,
                 restore_best: bool = False, mode: str = "auto"):
        if patience < 0:
            raise ValueError(f"EarlyStopping: patience must be >= 0, got {patience}")
        self.monitor, self.patience, self.min_delta = monitor, patience, abs(min_delta)
        self.restore_best, self.mode = restore_best, _mode(monitor, mode)
        self.best, self.best_epoch, self.wait, self.best_state = None, 0, 0, None

    def _improved(self, value: float) -> bool:
        if self.best is None:
            return True
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def on_epoch_end(self, trainer, epoch: int, logs: dict) -> None:
        value = _monitored(logs, self.monitor, "EarlyStopping")
        if self._improved(value):
            self.best, self.best_epoch, self.wait = value, epoch, 0
            if self.restore_best:
                self.best_state = copy.deepcopy(trainer.model.state_dict())
            return
        self.wait += 1
        if self.wait >= self.patience:
            trainer.stop_training = True
            trainer.history.stopped_early = True

    def on_train_end(self, trainer) -> None:
        if self.restore_best and self.best_state is not None and trainer.history.stopped_early:
            trainer.model.load_state_dict(self.best_state)


class ModelCheckpoint(Callback):
    """Save a resumable checkpoint (model, optimizer, epoch, history, random state) after each
    epoch, or only when ``monitor`` improves (``save_best_only``). ``path`` may contain
    ``{epoch}``."""

    def __init__(self, path: str, monitor: str = "val_loss", save_best_only: bool = False, mode: str = "auto"):
        self.path, self.monitor, self.save_best_only = path, monitor, save_best_only
        self.mode = _mode(monitor, mode)
        self.best = None
        self.saved: list[str] = []

    def on_epoch_end(self, trainer, epoch: int, logs: dict) -> None:
        if self.save_best_only:
            value = _monitored(logs, self.monitor, "ModelCheckpoint")
            better = self.best is None or (value < self.best if self.mode == "min" else value > self.best)
            if not better:
                return
            self.best = value
        path = self.path.format(epoch=epoch)
        trainer.save_checkpoint(path)
        self.saved.append(path)


class CSVLogger(Callback):
    """Append each epoch's logs as a row of a CSV file (header written once)."""

    def __init__(self, path: str):
        self.path = path

    def on_epoch_end(self, trainer, epoch: int, logs: dict) -> None:
        new = not os.path.exists(self.path) or os.path.getsize(self.path) == 0
        with open(self.path, "a", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(logs))
            if new:
                writer.writeheader()
            writer.writerow({k: (float(v) if isinstance(v, (float, np.floating)) else v) for k, v in logs.items()})
