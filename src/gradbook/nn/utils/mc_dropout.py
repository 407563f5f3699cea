"""Monte Carlo dropout (Gal & Ghahramani, 2016): keep dropout sampling at prediction time and read
the spread of T stochastic forward passes as the model's uncertainty."""
from __future__ import annotations

import warnings
from typing import Callable

import numpy as np

from ...autograd.grad_mode import no_grad
from ...autograd.tensor import Tensor
from ..dropout import _DropoutNd
from ..module import Module

__all__ = ["mc_dropout_predict"]


def mc_dropout_predict(model: Module, x: Tensor, T: int = 50,
                       output_fn: Callable[[Tensor], Tensor] | None = None) -> tuple[Tensor, Tensor]:
    """Predictive mean and variance of ``model`` over ``T`` dropout samples.

        y_t = g(model(x)) with a fresh dropout mask per pass (t = 1 … T),
        mean = (1/T) Σ_t y_t,   var = (1/T) Σ_t (y_t − mean)²   (element-wise; divides by T)

    g is ``output_fn`` (e.g. ``lambda z: F.softmax(z, dim=1)`` to average class probabilities, as
    Gal & Ghahramani do) or the identity. During the passes every dropout module (``nn.Dropout``,
    ``Dropout1d``, ``Dropout2d``, ``AlphaDropout``) is in training mode and every other module in
    evaluation mode — batch norm uses its running statistics and leaves them unchanged; afterwards
    each module gets back the mode it had. Dropout called functionally with ``training=self.training``
    inside another module follows that module (off: e.g. DenseNet's ``drop_rate``); a model without
    any dropout module gets a warning. Masks come from ``gradbook.backend.rng()``, so
    ``gb.manual_seed`` makes the result reproducible. No graph is recorded.

    Shapes: ``x`` whatever the model takes; mean and var have the shape of g(model(x)).
    """
    if not isinstance(model, Module):
        raise TypeError(f"mc_dropout_predict: model must be a gradbook nn.Module, got {type(model).__name__}")
    if not isinstance(T, (int, np.integer)) or isinstance(T, bool) or T < 1:
        raise ValueError(f"mc_dropout_predict: T (the number of dropout samples) must be a positive int, got {T!r}")
    modes = [(m, m.training) for m in model.modules()]
    if not any(isinstance(m, _DropoutNd) for m, _ in modes):
        warnings.warn(f"mc_dropout_predict: {type(model).__name__} holds no dropout module (nn.Dropout, Dropout1d, "
                      "Dropout2d, AlphaDropout), so every pass is the same and the variance is 0", UserWarning,
                      stacklevel=2)
    try:
        for m, _ in modes:
            object.__setattr__(m, "training", isinstance(m, _DropoutNd))
        with no_grad():
            mean, var, dtype = _running_moments(lambda: _sample(model, x, output_fn), int(T))
    finally:
        for m, mode in modes:
            object.__setattr__(m, "training", mode)
    return Tensor(mean.astype(dtype)), Tensor(var.astype(dtype))


def _sample(model: Module, x: Tensor, output_fn) -> Tensor:
    y = model(x)
    return output_fn(y) if output_fn is not None else y


def _running_moments(draw: Callable[[], Tensor], T: int) -> tuple[np.ndarray, np.ndarray, np.dtype]:
    """Mean and variance (÷T) of T draws by Welford's update, in float64 (no T-fold stack kept)."""
    mean = m2 = None
    for t in range(1, T + 1):
        y = draw()
        dtype, y = y.dtype, y.data.astype(np.float64)
        if mean is None:
            mean, m2 = y.copy(), np.zeros_like(y)
            continue
        delta = y - mean
        mean += delta / t
        m2 += delta * (y - mean)
    return mean, m2 / T, dtype
