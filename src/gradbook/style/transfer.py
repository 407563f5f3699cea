"""``transfer``: neural style transfer by optimising the pixels of one image (Gatys et al., 2016).

    x* = argmin_x  α Σ_{l∈C} L_content(F_l(x), F_l(c)) + β Σ_{l∈S} w_l E_l(G_l(x), G_l(s)) + γ TV(x)

with c the content image, s the style image, F_l the extractor's features at layer l, G_l their
Gram matrices, w_l = 1/|S| and the losses of ``gradbook.style.losses``. The extractor is fixed;
only x moves, by gradbook's L-BFGS (strong-Wolfe line search, one iteration per step) or Adam.
"""
from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Callable, Mapping, Sequence

import numpy as np

from ..autograd.grad_mode import no_grad
from ..autograd.tensor import Tensor
from .extractor import FeatureExtractor, random_cnn
from .losses import content_loss, gram_matrix, style_loss, total_variation_loss

__all__ = ["TransferResult", "transfer"]

DEFAULT_WEIGHTS = {"content": 1.0, "style": 1e4, "tv": 0.0}
_OPTIMIZERS = ("lbfgs", "adam")


@dataclass
class TransferResult:
    """``image``: the result, (C, H, W) float32 clipped to [0, 1]. ``history``: the weighted terms
    ``total``, ``content``, ``style``, ``tv`` before each step and after the last (steps + 1 values)."""

    image: np.ndarray
    history: dict[str, list[float]] = field(default_factory=dict)


def _image(name: str, x, dtype) -> np.ndarray:
    a = np.asarray(x.data if isinstance(x, Tensor) else x)
    if a.ndim == 3:
        a = a[None]
    if a.ndim != 4 or a.shape[0] != 1 or a.dtype.kind not in "fiu":
        raise ValueError(f"transfer: {name} must be one image of shape (C, H, W) or (1, C, H, W) with real values, "
                         f"got shape {a.shape} and dtype {a.dtype}")
    return a.astype(dtype)


def _weights(weights: Mapping[str, float] | None) -> dict[str, float]:
    w = dict(DEFAULT_WEIGHTS)
    if weights is not None:
        unknown = set(weights) - set(w)
        if unknown:
            raise ValueError(f"transfer: unknown weight(s) {sorted(unknown)}; the weights are {sorted(w)}")
        w.update({k: float(v) for k, v in weights.items()})
    if any(v < 0 for v in w.values()):
        raise ValueError(f"transfer: weights must be non-negative, got {w}")
    return w


class _Objective:
    """The weighted loss of an image; remembers its terms of the last evaluation."""

    def __init__(self, extractor: FeatureExtractor, content: np.ndarray, style: np.ndarray,
                 content_layers: list[str], style_layers: list[str], weights: dict[str, float]):
        self.extractor, self.weights = extractor, weights
        self.content_layers, self.style_layers = content_layers, style_layers
        self.layers = list(dict.fromkeys(content_layers + style_layers))
        with no_grad():
            c = extractor(Tensor(content), self.layers)
            s = extractor(Tensor(style), style_layers)
        self.content_targets = {k: c[k].data for k in content_layers}
        # a style image of another size: A scaled by M_x / M_s so that G and A count positions alike
        self.grams = {k: gram_matrix(s[k]).data * (_positions(c[k]) / _positions(s[k])) for k in style_layers}
        self.terms: dict[str, float] = {}

    def __call__(self, x: Tensor) -> Tensor:
        feats = self.extractor(x, self.layers)
        w = self.weights
        zero = x.sum() * 0.0
        content = sum((content_loss(feats[k], self.content_targets[k]) for k in self.content_layers), zero)
        style = sum((style_loss(feats[k], self.grams[k]) for k in self.style_layers), zero) / len(self.style_layers)
        tv = total_variation_loss(x) if w["tv"] > 0 else zero
        total = w["content"] * content + w["style"] * style + w["tv"] * tv
        self.terms = {"total": float(total.item()), "content": w["content"] * float(content.item()),
                      "style": w["style"] * float(style.item()), "tv": w["tv"] * float(tv.item())}
        return total


def _positions(features: Tensor) -> int:
    return int(np.prod(features.shape[2:]))


def _initial(init, content: np.ndarray, seed: int) -> np.ndarray:
    if isinstance(init, str):
        if init == "content":
            return content.copy()
        if init == "noise":
            return np.random.default_rng(seed).random(content.shape).astype(content.dtype)
        raise ValueError(f"transfer: init must be 'content', 'noise' or an image array, got {init!r}")
    start = _image("init", init, content.dtype)
    if start.shape != content.shape:
        raise ValueError(f"transfer: init of shape {start.shape[1:]} must have the content's shape {content.shape[1:]}")
    return start


def transfer(content, style, feature_extractor: FeatureExtractor | None = None, steps: int = 200,
             weights: Mapping[str, float] | None = None, optimizer: str = "lbfgs", lr: float | None = None, *,
             content_layers: Sequence[str] | None = None, style_layers: Sequence[str] | None = None,
             init="content", seed: int = 0, progress: bool = False,
             callback: Callable[[int, dict[str, float]], None] | None = None) -> TransferResult:
    """Optimise an image to keep ``content``'s features and take on ``style``'s Gram matrices.

    Parameters
    ----------
    content, style : images (C, H, W) or (1, C, H, W), values in [0, 1]; the style image may have
        another size (its Gram matrices are rescaled by the ratio of positions)
    feature_extractor : a ``FeatureExtractor``; default ``random_cnn(C)`` (random filters, offline)
    steps : optimiser steps (one L-BFGS iteration, with its line search, or one Adam update each)
    weights : {'content': α, 'style': β, 'tv': γ}; missing keys keep ``DEFAULT_WEIGHTS``
    optimizer : 'lbfgs' (lr 1 by default, strong-Wolfe line search) or 'adam' (lr 0.02 by default)
    content_layers, style_layers : extractor layer names; default the second layer (or the only
        one) for content and every layer for style
    init : 'content' (start from the content image), 'noise' (uniform, from ``seed``) or an image
    progress : show a rich progress bar with the current loss
    callback : called as ``callback(step, terms)`` after every step

    Returns a ``TransferResult`` (the image clipped to [0, 1], float32, and the loss history).
    """
    if not isinstance(steps, (int, np.integer)) or isinstance(steps, bool) or steps < 1:
        raise ValueError(f"transfer: steps must be a positive int, got {steps!r}")
    if optimizer not in _OPTIMIZERS:
        raise ValueError(f"transfer: optimizer must be one of {_OPTIMIZERS}, got {optimizer!r}")
    dtype = np.float32 if feature_extractor is None else _extractor_dtype(feature_extractor)
    c, s = _image("content", content, dtype), _image("style", style, dtype)
    if c.shape[1] != s.shape[1]:
        raise ValueError(f"transfer: content has {c.shape[1]} channels but style has {s.shape[1]}")
    extractor = random_cnn(c.shape[1]) if feature_extractor is None else feature_extractor
    names = extractor.names
    content_layers = list(content_layers) if content_layers is not None else [names[min(1, len(names) - 1)]]
    style_layers = list(style_layers) if style_layers is not None else list(names)
    if not content_layers or not style_layers:
        raise ValueError("transfer: content_layers and style_layers must name at least one layer each")
    objective = _Objective(extractor, c, s, content_layers, style_layers, _weights(weights))
    x = Tensor(_initial(init, c, seed), requires_grad=True)
    history = _optimise(objective, x, _optimizer(optimizer, x, lr), steps, progress, callback)
    return TransferResult(np.clip(x.data[0], 0.0, 1.0).astype(np.float32), history)


def _optimise(objective: _Objective, x: Tensor, opt, steps: int, progress: bool,
              callback: Callable[[int, dict[str, float]], None] | None) -> dict[str, list[float]]:
    """Run ``steps`` optimiser steps on x; the terms where each step started, then the final ones."""
    seen: list[dict[str, float]] = []

    def closure():
        opt.zero_grad()
        loss = objective(x)
        loss.backward()
        seen.append(dict(objective.terms))
        return loss

    history: dict[str, list[float]] = {k: [] for k in ("total", "content", "style", "tv")}
    with _progress(progress) as bar:
        task = bar.add_task("style transfer", total=steps, loss=float("nan")) if bar is not None else None
        for step in range(steps):
            seen.clear()
            opt.step(closure)
            terms = seen[0]  # where the step started (L-BFGS then evaluates along its line search)
            for k in history:
                history[k].append(terms[k])
            if bar is not None:
                bar.update(task, completed=step + 1, loss=terms["total"])
            if callback is not None:
                callback(step, terms)
    with no_grad():
        objective(x)
    for k in history:
        history[k].append(objective.terms[k])
    return history


def _extractor_dtype(extractor: FeatureExtractor):
    params = list(extractor.parameters())
    return params[0].dtype if params else np.float32


def _optimizer(name: str, x: Tensor, lr: float | None):
    from .. import optim

    if name == "lbfgs":
        # one iteration per step; max_eval left at its default (max_iter·5/4 = 1) stalls torch's and
        # gradbook's line search alike, so the step gets the line search's own budget of 25
        return optim.LBFGS([x], lr=1.0 if lr is None else lr, max_iter=1, max_eval=25, history_size=50,
                           line_search_fn="strong_wolfe")
    return optim.Adam([x], lr=0.02 if lr is None else lr)


def _progress(show: bool):
    """A rich progress bar showing the loss (a context manager), or a null context."""
    if not show:
        return nullcontext(None)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TextColumn("loss {task.fields[loss]:.4g}"), TimeRemainingColumn(), transient=True)
