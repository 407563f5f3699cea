"""Shared by the entries that train small nets on the embedded digits (overfitting, underfitting,
regularization-why, svm-deep, unsuitable-data, the CNN entries ...): the data as arrays, one full-batch
training call through ``train.fit``, the scores of a trained net, shifted images, and the margin a paired
difference over seeds must clear. Not an entry (the registry skips ``_`` modules).

The nets are tiny, so BLAS runs on one thread here: a threaded BLAS on 8x8 images only waits for
cores that other work keeps busy.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Callable

import numpy as np

from ... import backend
from ...autograd import Tensor, no_grad
from ...nn import functional as F


def digits_images() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The embedded digits split: train (1438, 1, 8, 8), labels, test (359, 1, 8, 8), labels; float32 in [0, 1]."""
    from ...data import digits

    train, test = digits()
    Xtr, ytr = (np.asarray(t) for t in train.tensors)
    Xte, yte = (np.asarray(t) for t in test.tensors)
    return Xtr.astype(np.float32), ytr.astype(np.int64), Xte.astype(np.float32), yte.astype(np.int64)


@contextmanager
def one_blas_thread():
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        yield


def train_net(model, X: np.ndarray, y: np.ndarray, steps: int, *, lr: float = 1e-2, weight_decay: float = 0.0,
              loss_fn: Callable = F.cross_entropy, val: tuple | None = None,
              patience: int | None = None, transform=None, seed: int = 0):
    """Full-batch Adam on (X, y) for ``steps`` epochs with ``train.fit``; returns the History.

    ``weight_decay`` is the L2 penalty added to the gradient (Adam's ``weight_decay``, not AdamW's).
    With ``val`` and ``patience``, ``EarlyStopping`` watches the validation loss and restores the best
    weights. ``transform`` (a ``data.transforms`` object) redraws the batch's augmentation every step.
    """
    from ... import optim
    from ...data import DataLoader, TensorDataset
    from ...train import fit
    from ...train.callbacks import EarlyStopping

    backend.manual_seed(seed)
    opt = optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
    if transform is None:
        loader = [(Tensor(X), Tensor(y))]
    else:
        loader = DataLoader(TensorDataset(X, y), batch_size=len(X), prefetch=0, seed=seed, transform=transform)
    val_loader = None if val is None else [(Tensor(val[0]), Tensor(val[1]))]
    callbacks = [] if patience is None else [EarlyStopping("val_loss", patience=patience, restore_best=True)]
    with one_blas_thread():
        return fit(model, loader, loss_fn, opt, steps, val_loader=val_loader, callbacks=callbacks)


def logits(model, X: np.ndarray) -> np.ndarray:
    """The model's outputs in evaluation mode, as an array."""
    was_training = model.training
    model.eval()
    try:
        with no_grad(), one_blas_thread():
            return model(Tensor(X)).data
    finally:
        model.train(was_training)


def scores(model, X: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """(accuracy, mean cross-entropy) of ``model`` on (X, y) in evaluation mode."""
    out = logits(model, X)
    return float((out.argmax(1) == y).mean()), cross_entropy(out, y)


def cross_entropy(out: np.ndarray, y: np.ndarray) -> float:
    return float(F.cross_entropy(Tensor(out.astype(np.float64)), Tensor(y)).item())


def shift_images(images: np.ndarray, dy: int, dx: int) -> np.ndarray:
    """(N, C, H, W) images moved dy pixels down and dx right (negative: up, left); zeros shifted in."""
    out = np.zeros_like(images)
    H, W = images.shape[-2:]
    out[..., max(dy, 0):H + min(dy, 0), max(dx, 0):W + min(dx, 0)] = \
        images[..., max(-dy, 0):H + min(-dy, 0), max(-dx, 0):W + min(-dx, 0)]
    return out


def paired_margin(diff: np.ndarray, n_test: int, images: int = 2) -> float:
    """The smallest mean paired accuracy difference (one value per seed) that counts as real: twice its standard
    error, std(diff, ddof=1)/√seeds, and at least ``images`` test images out of ``n_test``."""
    diff = np.asarray(diff, dtype=np.float64)
    return max(2 * float(diff.std(ddof=1)) / np.sqrt(len(diff)), images / n_test)
