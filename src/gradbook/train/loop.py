"""The training loop: :func:`fit`, :func:`evaluate`, :func:`predict`, and resumable checkpoints.

A checkpoint holds the model, the optimizer (and scheduler), the number of finished epochs, the
history and the random state of the library and of the loader, so that resuming gives the same
result as a run that was never stopped.
"""
from __future__ import annotations

import copy
import json
import math
import time
from typing import Callable, Iterable, Sequence

import numpy as np

from .. import backend
from ..autograd.grad_mode import no_grad
from .callbacks import Callback
from .history import History


class TrainingDiverged(RuntimeError):
    """The loss became NaN or infinite."""


def _arrays(batch):
    if not isinstance(batch, (tuple, list)) or len(batch) != 2:
        raise ValueError(f"fit: each batch must be a pair (inputs, targets), got {type(batch).__name__}")
    return batch


def _correct(output, target) -> int:
    out = output.data if hasattr(output, "data") else np.asarray(output)
    tgt = target.data if hasattr(target, "data") else np.asarray(target)
    if out.ndim < 2 or tgt.ndim != out.ndim - 1:
        return 0
    return int((out.argmax(axis=1) == tgt).sum())


def _random_state(loader) -> dict:
    gen = getattr(loader, "_generator", None)
    return {"library": json.dumps(backend.rng().bit_generator.state),
            "loader": json.dumps(gen.bit_generator.state) if gen is not None else ""}


def _restore_random_state(state: dict, loader) -> None:
    backend.rng().bit_generator.state = json.loads(state["library"])
    gen = getattr(loader, "_generator", None)
    if gen is not None and state.get("loader"):
        gen.bit_generator.state = json.loads(state["loader"])


class Trainer:
    """The state of one :func:`fit` call, handed to every callback."""

    def __init__(self, model, optimizer, loss_fn, train_loader, epochs, scheduler, history):
        self.model, self.optimizer, self.loss_fn = model, optimizer, loss_fn
        self.train_loader, self.epochs, self.scheduler = train_loader, epochs, scheduler
        self.history = history
        self.stop_training = False
        self.epochs_done = len(history)
        self.batches_per_epoch = len(train_loader) if hasattr(train_loader, "__len__") else None

    def checkpoint(self) -> dict:
        state = {"model": self.model.state_dict(), "optimizer": self.optimizer.state_dict(),
                 "epoch": self.epochs_done, "history": self.history.state_dict(),
                 "random": _random_state(self.train_loader)}
        if self.scheduler is not None and hasattr(self.scheduler, "state_dict"):
            state["scheduler"] = self.scheduler.state_dict()
        return state

    def save_checkpoint(self, path: str) -> None:
        from ..io import save

        save(self.checkpoint(), path)


def _step_scheduler(scheduler, logs: dict) -> None:
    if scheduler is None:
        return
    if type(scheduler).__name__ == "ReduceLROnPlateau":
        scheduler.step(logs.get("val_loss", logs["loss"]))
    else:
        scheduler.step()


def fit(model, train_loader: Iterable, loss_fn: Callable, optimizer, epochs: int, val_loader: Iterable | None = None,
        callbacks: Sequence[Callback] = (), scheduler=None, *, initial_epoch: int = 0,
        history: History | None = None, interrupt_checkpoint: str | None = None) -> History:
    """Train ``model`` for ``epochs`` epochs (counting from ``initial_epoch``) and return its History.

    Each epoch logs ``loss`` and ``accuracy`` (for class-index targets) over the training batches,
    ``val_loss`` and ``val_accuracy`` when ``val_loader`` is given, the learning rate and the time.
    A NaN or infinite loss raises :class:`TrainingDiverged` naming the epoch and the batch. Ctrl-C
    stops cleanly: with ``interrupt_checkpoint`` the state at the end of the last finished epoch
    is saved there (resume it with :func:`resume`), and the History comes back with
    ``interrupted=True``.
    """
    if not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"fit: epochs must be a positive int, got {epochs!r}")
    history = history if history is not None else History()
    trainer = Trainer(model, optimizer, loss_fn, train_loader, epochs, scheduler, history)
    trainer.epochs_done = initial_epoch
    last_good = trainer.checkpoint() if interrupt_checkpoint else None
    for cb in callbacks:
        cb.on_train_begin(trainer)
    try:
        for epoch in range(initial_epoch + 1, epochs + 1):
            for cb in callbacks:
                cb.on_epoch_begin(trainer, epoch)
            logs = _train_epoch(trainer, epoch, callbacks)
            if val_loader is not None:
                logs.update({f"val_{k}": v for k, v in evaluate(model, val_loader, loss_fn).items()})
            trainer.epochs_done = epoch
            history.epochs.append(logs)
            _step_scheduler(scheduler, logs)
            for cb in callbacks:
                cb.on_epoch_end(trainer, epoch, logs)
            if interrupt_checkpoint:
                last_good = copy.deepcopy(trainer.checkpoint())
            if trainer.stop_training:
                break
    except KeyboardInterrupt:
        history.interrupted = True
        if interrupt_checkpoint and last_good is not None:
            from ..io import save

            save(last_good, interrupt_checkpoint)
    finally:
        for cb in callbacks:
            cb.on_train_end(trainer)
    return history


def _train_epoch(trainer: Trainer, epoch: int, callbacks: Sequence[Callback]) -> dict:
    model, optimizer, loss_fn = trainer.model, trainer.optimizer, trainer.loss_fn
    model.train()
    start = time.perf_counter()
    total_loss, correct, seen = 0.0, 0, 0
    for b, batch in enumerate(trainer.train_loader, start=1):
        x, y = _arrays(batch)
        output = model(x)
        loss = loss_fn(output, y)
        value = float(loss.item())
        if not math.isfinite(value):
            raise TrainingDiverged(f"fit: the loss became {value} at epoch {epoch}, batch {b}; "
                                   f"try a lower learning rate or check the inputs for NaN")
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        n = len(y)
        total_loss += value * n
        correct += _correct(output, y)
        seen += n
        for cb in callbacks:
            cb.on_batch_end(trainer, b, {"loss": value, "running_loss": total_loss / seen, "size": n})
    if seen == 0:
        raise ValueError("fit: the training loader produced no batch")
    logs = {"epoch": epoch, "loss": total_loss / seen}
    if correct or _is_classification(output, y):
        logs["accuracy"] = correct / seen
    logs["lr"] = float(optimizer.param_groups[0]["lr"])
    logs["seconds"] = time.perf_counter() - start
    return logs


def _is_classification(output, target) -> bool:
    out = np.asarray(output.data if hasattr(output, "data") else output)
    tgt = np.asarray(target.data if hasattr(target, "data") else target)
    return out.ndim >= 2 and tgt.ndim == out.ndim - 1 and tgt.dtype.kind in "iu"


@no_grad()
def evaluate(model, loader: Iterable, loss_fn: Callable | None = None) -> dict:
    """Mean loss (when ``loss_fn`` is given) and accuracy of ``model`` over ``loader``, in eval mode."""
    was_training = getattr(model, "training", False)
    model.eval()
    total_loss, correct, seen, classify = 0.0, 0, 0, False
    try:
        for batch in loader:
            x, y = _arrays(batch)
            output = model(x)
            n = len(y)
            if loss_fn is not None:
                total_loss += float(loss_fn(output, y).item()) * n
            correct += _correct(output, y)
            classify = classify or _is_classification(output, y)
            seen += n
    finally:
        model.train(was_training)
    if seen == 0:
        raise ValueError("evaluate: the loader produced no batch")
    out = {}
    if loss_fn is not None:
        out["loss"] = total_loss / seen
    if classify:
        out["accuracy"] = correct / seen
    return out


@no_grad()
def predict(model, loader: Iterable) -> tuple[np.ndarray, np.ndarray]:
    """(targets, predicted classes) over ``loader``, in eval mode."""
    was_training = getattr(model, "training", False)
    model.eval()
    truth, preds = [], []
    try:
        for batch in loader:
            x, y = _arrays(batch)
            out = model(x)
            preds.append(np.asarray(out.data).argmax(axis=1))
            truth.append(np.asarray(y.data if hasattr(y, "data") else y))
    finally:
        model.train(was_training)
    return np.concatenate(truth), np.concatenate(preds)


def resume(path: str, model, optimizer, train_loader=None, scheduler=None) -> tuple[int, History]:
    """Load a checkpoint written by ``fit``/``ModelCheckpoint`` into ``model`` and ``optimizer``
    (and the random state); returns ``(initial_epoch, history)`` to pass on to :func:`fit`."""
    from ..io import load

    state = load(path)
    for key in ("model", "optimizer", "epoch", "history"):
        if key not in state:
            raise ValueError(f"resume: {path} is not a training checkpoint (no {key!r} entry)")
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    if scheduler is not None and "scheduler" in state:
        scheduler.load_state_dict(state["scheduler"])
    if "random" in state:
        _restore_random_state(state["random"], train_loader)
    return int(state["epoch"]), History.from_state_dict(state["history"])
