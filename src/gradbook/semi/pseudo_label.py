"""Pseudo-labelling (Lee 2013): train on labelled batches, then also on the network's own confident
predictions for unlabelled data, with a weight that ramps up.

Each batch mixes labelled rows with a share of unlabelled rows. For an unlabelled row the target is
the class the network predicts right now (recomputed at every step, in training mode, as in the
paper), and it counts only when that prediction's probability is ≥ ``threshold``:

    L = (1/n) Σ_labelled CE(f(x), y) + α(t) (1/n') Σ_unlabelled 1[max p ≥ threshold] CE(f(x'), argmax p)

    α(t) = 0 for t ≤ T₁ (warm-up),  α_max · min(1, (t − T₁)/ramp) after   (Lee's eq. 16, t = epoch)

The training loop is :func:`gradbook.train.fit`; a callback sets α and the batch mix each epoch and
logs how many pseudo-labels were used and, when the true labels are given, how many were right.
"""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np

from ..autograd import Tensor, no_grad
from ..nn import functional as F
from ..train.callbacks import Callback
from ..train.history import History


def lee_alpha(epoch: int, warmup_epochs: int, ramp: int, alpha_max: float) -> float:
    """α for ``epoch`` (counted from 1): 0 during warm-up, then linear up to ``alpha_max`` over ``ramp`` epochs."""
    if epoch <= warmup_epochs:
        return 0.0
    return float(alpha_max) * (1.0 if ramp == 0 else min(1.0, (epoch - warmup_epochs) / ramp))


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


class MixedBatches:
    """Batches of ``batch_size`` rows: labelled ones and, while ``active``, a ``pseudo_share`` of
    unlabelled ones (target −1). An epoch passes once over the labelled rows (warm-up) or over the
    larger of the two sets, the smaller one cycling in fresh random orders."""

    def __init__(self, X, y, X_unlabelled, batch_size: int, pseudo_share: float, seed: int):
        self.X, self.y, self.Xu = X, y, X_unlabelled
        self.n_unlabelled = max(1, round(pseudo_share * batch_size))
        self.n_labelled = batch_size - self.n_unlabelled
        self.batch_size = batch_size
        self._generator = np.random.default_rng(seed)
        self.active = False
        self.unlabelled_rows = np.zeros(0, dtype=np.int64)  # rows of X_unlabelled in the current batch

    def __len__(self) -> int:
        if not self.active:
            return math.ceil(len(self.X) / self.batch_size)
        return max(math.ceil(len(self.X) / self.n_labelled), math.ceil(len(self.Xu) / self.n_unlabelled))

    def _stream(self, n: int, count: int) -> np.ndarray:
        """``count`` indices into range(n): whole random orders, one after another."""
        reps = math.ceil(count / n)
        return np.concatenate([self._generator.permutation(n) for _ in range(reps)])[:count]

    def __iter__(self):
        batches = len(self)
        if not self.active:
            order = self._generator.permutation(len(self.X))
            for b in range(batches):
                rows = order[b * self.batch_size:(b + 1) * self.batch_size]
                self.unlabelled_rows = np.zeros(0, dtype=np.int64)
                yield Tensor(self.X[rows]), Tensor(self.y[rows])
            return
        lab = self._stream(len(self.X), batches * self.n_labelled).reshape(batches, -1)
        unl = self._stream(len(self.Xu), batches * self.n_unlabelled).reshape(batches, -1)
        for li, ui in zip(lab, unl):
            self.unlabelled_rows = ui
            x = np.concatenate([self.X[li], self.Xu[ui]])
            t = np.concatenate([self.y[li], np.full(len(ui), -1, dtype=self.y.dtype)])
            yield Tensor(x), Tensor(t)


class _Schedule(Callback):
    def __init__(self, owner: "PseudoLabel"):
        self.owner = owner

    def on_epoch_begin(self, trainer, epoch: int) -> None:
        o = self.owner
        o.alpha_ = lee_alpha(epoch, o.warmup_epochs, o.ramp, o.alpha_max)
        o._batches.active = o.alpha_ > 0
        trainer.batches_per_epoch = len(o._batches)  # the mix changes the epoch's length (ProgressBar reads it)
        o._counts = dict.fromkeys(("labelled", "labelled_correct", "pseudo_seen", "pseudo_used", "pseudo_correct"), 0)

    def on_epoch_end(self, trainer, epoch: int, logs: dict) -> None:
        o, c = self.owner, self.owner._counts
        logs["accuracy"] = c["labelled_correct"] / c["labelled"]  # fit's own count would include the −1 rows
        logs.update(alpha=o.alpha_, pseudo_seen=c["pseudo_seen"], pseudo_used=c["pseudo_used"])
        if o._truth is not None:
            logs["pseudo_correct"] = c["pseudo_correct"]
            logs["pseudo_accuracy"] = c["pseudo_correct"] / c["pseudo_used"] if c["pseudo_used"] else float("nan")


class PseudoLabel:
    """Semi-supervised training of a classifier ``model`` (logits out) by pseudo-labelling.

    Parameters
    ----------
    model : gradbook Module mapping (N, ...) inputs to (N, C) logits
    threshold : float in [0, 1], default 0.95 — an unlabelled row counts when its top probability is
        ≥ threshold (0 keeps every row, as in Lee's paper)
    warmup_epochs : int ≥ 0, default 10 — epochs on labelled data only
    pseudo_share : float in (0, 1), default 0.25 — share of each batch that is unlabelled data
    ramp : int ≥ 0, default 10 — epochs over which α rises from 0 to ``alpha_max`` after warm-up
    alpha_max : float ≥ 0, default 3.0 — Lee's α_f
    optimizer : a gradbook optimizer over ``model.parameters()``; default Adam(lr)
    lr, batch_size, seed : used when building the optimizer and the batches

    Attributes
    ----------
    history_ : train.History — per epoch loss, accuracy (labelled rows), alpha, pseudo_seen (unlabelled
        rows visited), pseudo_used (above the threshold), pseudo_correct and pseudo_accuracy (when
        ``y_unlabelled`` is given to ``fit``), and val_loss / val_accuracy with ``val``
    """

    def __init__(self, model, threshold: float = 0.95, warmup_epochs: int = 10, pseudo_share: float = 0.25,
                 ramp: int = 10, *, alpha_max: float = 3.0, optimizer=None, lr: float = 1e-3, batch_size: int = 64,
                 seed: int = 0):
        self.model, self.threshold, self.warmup_epochs = model, threshold, warmup_epochs
        self.pseudo_share, self.ramp, self.alpha_max = pseudo_share, ramp, alpha_max
        self.optimizer, self.lr, self.batch_size, self.seed = optimizer, lr, batch_size, seed
        self._check()

    def _check(self) -> None:
        def bad(name, want):
            raise ValueError(f"PseudoLabel: {name} must be {want}, got {getattr(self, name)!r}")

        if not callable(getattr(self.model, "parameters", None)):
            raise TypeError(f"PseudoLabel: model must be a gradbook Module, got {type(self.model).__name__}")
        if not _number(self.threshold) or not 0 <= self.threshold <= 1:
            bad("threshold", "a number in [0, 1]")
        if not _number(self.pseudo_share) or not 0 < self.pseudo_share < 1:
            bad("pseudo_share", "a number in (0, 1)")
        for name in ("warmup_epochs", "ramp"):
            if not _integer(getattr(self, name)) or getattr(self, name) < 0:
                bad(name, "an int >= 0")
        if not _number(self.alpha_max) or self.alpha_max < 0:
            bad("alpha_max", "a number >= 0")
        if not _integer(self.batch_size) or self.batch_size < 2:
            bad("batch_size", "an int >= 2 (room for labelled and unlabelled rows)")
        if round(self.pseudo_share * self.batch_size) >= self.batch_size:
            bad("pseudo_share", f"small enough to leave labelled rows in a batch of {self.batch_size}")

    def fit(self, X, y, X_unlabelled, epochs: int, *, y_unlabelled=None, val: tuple | None = None,
            callbacks: Sequence[Callback] = ()) -> "PseudoLabel":
        """Train on (X, y) and the unlabelled ``X_unlabelled`` for ``epochs`` epochs.

        ``y_unlabelled`` (the true labels, used only to count right pseudo-labels) and ``val``
        ((X, y), evaluated each epoch) are optional.
        """
        from .. import optim
        from ..train import fit

        X, y, Xu = _inputs(X, y, X_unlabelled)
        self._truth = None if y_unlabelled is None else _labels(y_unlabelled, len(Xu), "y_unlabelled")
        self._batches = MixedBatches(X, y, Xu, self.batch_size, self.pseudo_share, self.seed)
        opt = self.optimizer if self.optimizer is not None else optim.Adam(self.model.parameters(), lr=self.lr)
        val_loader = None if val is None else [(Tensor(np.asarray(val[0])), Tensor(np.asarray(val[1])))]
        self.history_ = History()
        fit(self.model, self._batches, self._loss, opt, epochs, val_loader=val_loader,
            callbacks=[_Schedule(self), *callbacks], history=self.history_)
        return self

    def _loss(self, output: Tensor, target: Tensor) -> Tensor:
        t = np.asarray(target.data)
        labelled = t >= 0
        logits = output.data
        n_lab, n_unl = int(labelled.sum()), int((~labelled).sum())
        goal, weight = t.copy(), np.zeros(len(t), dtype=logits.dtype)
        weight[labelled] = 1.0 / n_lab
        c = self._counts
        c["labelled"] += n_lab
        c["labelled_correct"] += int((logits[labelled].argmax(1) == t[labelled]).sum())
        if n_unl:
            proba = _softmax(logits[~labelled].astype(np.float64))
            guess, confident = proba.argmax(1), proba.max(1) >= self.threshold
            goal[~labelled] = guess
            weight[~labelled] = self.alpha_ * confident / n_unl
            c["pseudo_seen"] += n_unl
            c["pseudo_used"] += int(confident.sum())
            if self._truth is not None:
                truth = self._truth[self._batches.unlabelled_rows]
                c["pseudo_correct"] += int((guess[confident] == truth[confident]).sum())
        per_row = F.cross_entropy(output, Tensor(goal), reduction="none")
        return (per_row * Tensor(weight)).sum()

    @no_grad()
    def predict_proba(self, X) -> np.ndarray:
        """Softmax of the model's logits in eval mode.  (N, ...) -> (N, C)."""
        was = self.model.training
        self.model.eval()
        try:
            return _softmax(np.asarray(self.model(Tensor(np.asarray(X))).data, dtype=np.float64))
        finally:
            self.model.train(was)

    def predict(self, X) -> np.ndarray:
        """The most probable class.  (N, ...) -> (N,)."""
        return self.predict_proba(X).argmax(1)

    def score(self, X, y) -> float:
        """Accuracy of :meth:`predict` on (X, y)."""
        return float(np.mean(self.predict(X) == np.asarray(y)))


def _number(v) -> bool:
    return isinstance(v, (int, float, np.number)) and not isinstance(v, bool) and np.isfinite(v)


def _integer(v) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, bool)


def _labels(y, n: int, name: str) -> np.ndarray:
    a = np.asarray(y)
    if a.shape != (n,) or a.dtype.kind not in "iu":
        raise ValueError(f"PseudoLabel.fit: {name} must be integer class indices of shape ({n},), "
                         f"got dtype {a.dtype}, shape {a.shape}")
    if a.size and a.min() < 0:
        raise ValueError(f"PseudoLabel.fit: {name} must be class indices >= 0, got {int(a.min())}")
    return a.astype(np.int64)


def _inputs(X, y, Xu) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    X, Xu = np.asarray(X), np.asarray(Xu)
    if X.ndim == 0 or Xu.ndim == 0 or len(X) == 0 or len(Xu) == 0:
        raise ValueError(f"PseudoLabel.fit: X and X_unlabelled need at least one row each, got shapes {X.shape} "
                         f"and {Xu.shape}")
    if X.shape[1:] != Xu.shape[1:]:
        raise ValueError(f"PseudoLabel.fit: X_unlabelled rows must have the shape of X's rows {X.shape[1:]}, "
                         f"got {Xu.shape[1:]}")
    if X.dtype.kind != "f" or Xu.dtype.kind != "f":
        raise ValueError(f"PseudoLabel.fit: X and X_unlabelled must be float arrays, got {X.dtype} and {Xu.dtype}")
    return X, _labels(y, len(X), "y"), Xu
