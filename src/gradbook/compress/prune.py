"""Magnitude pruning with ``torch.nn.utils.prune``'s semantics.

Pruning ``module.<name>`` replaces the parameter by ``<name>_orig`` (the trained values, still a
Parameter) and a buffer ``<name>_mask`` (1 keeps, 0 prunes; the weight's dtype, as torch's); before
every forward ``module.<name> = <name>_orig * <name>_mask`` is recomputed, so the pruned entries
are zero in the forward pass and their gradient, ∂L/∂orig = ∂L/∂weight ⊙ mask, is zero in the
backward pass: further training never revives them. :func:`remove` makes the pruning permanent.

* unstructured (``l1_unstructured``, ``magnitude``): zero the ``k`` entries of smallest |w|;
* global (``global_unstructured``, ``magnitude(scope='global')``): one threshold over the
  entries of several tensors together;
* structured (``ln_structured``, ``structured``): zero whole slices along ``dim`` (dim 0 of a
  conv weight: whole filters; dim 1: whole input channels) with the smallest Ln norm.

``amount`` is a fraction in [0, 1] (``round(amount · size)`` entries or slices, Python's
rounding) or a count (an int). Pruning an already pruned tensor again works as torch's
``PruningContainer``: the new amount is taken from what is still unpruned (the entries with mask
1, or for structured pruning the slices not yet wholly zero) and the masks multiply.
"""
from __future__ import annotations

import math
import numbers
from typing import Callable, Iterable, Sequence

import numpy as np

from ..autograd.tensor import Tensor
from ..nn.module import Module, Parameter
from . import _reparam

__all__ = ["l1_unstructured", "global_unstructured", "ln_structured", "magnitude", "structured", "remove",
           "is_pruned", "sparsity", "prunable", "iterative"]


class MaskedWeight:
    """The rule ``weight = weight_orig * weight_mask``."""

    def __init__(self, name: str):
        self.name = name

    def __call__(self, module: Module) -> Tensor:
        return getattr(module, self.name + "_orig") * getattr(module, self.name + "_mask")


# ----------------------------------------------------------------------------- checks
def _check_amount(amount, where: str) -> None:
    if isinstance(amount, bool) or not isinstance(amount, numbers.Real):
        raise TypeError(f"{where}: amount must be a fraction in [0, 1] (float) or a count (int), "
                        f"got {type(amount).__name__} {amount!r}")
    if isinstance(amount, numbers.Integral):
        if amount < 0:
            raise ValueError(f"{where}: amount={amount} is a negative count; expected an int >= 0")
    elif not 0.0 <= float(amount) <= 1.0:
        raise ValueError(f"{where}: amount={amount!r} as a fraction must lie in [0, 1]")


def _count(amount, size: int, where: str, what: str = "entries") -> int:
    """How many of ``size`` entries (or slices) to prune; an int larger than ``size`` is an error."""
    k = int(amount) if isinstance(amount, numbers.Integral) else round(float(amount) * size)
    if k > size:
        raise ValueError(f"{where}: amount={amount} asks to prune {k} {what} but the tensor has only {size}")
    return k


def _tensor_of(module: Module, name: str, where: str) -> np.ndarray:
    """The values that decide the mask: the current (masked) weight, as torch scores it."""
    if not isinstance(module, Module):
        raise TypeError(f"{where}: expected a gradbook Module, got {type(module).__name__}")
    if isinstance(_reparam.rule(module, name), MaskedWeight):
        return module._parameters[name + "_orig"].data * module._buffers[name + "_mask"].data
    param = module._parameters.get(name)
    if param is None:
        have = [n for n, p in module._parameters.items() if p is not None]
        raise ValueError(f"{where}: {type(module).__name__} has no parameter {name!r} (it has {have})")
    return param.data


def _current_mask(module: Module, name: str, like: np.ndarray) -> np.ndarray:
    if isinstance(_reparam.rule(module, name), MaskedWeight):
        return module._buffers[name + "_mask"].data.copy()
    return np.ones_like(like)


def _apply_mask(module: Module, name: str, mask: np.ndarray) -> None:
    """Install (or replace) ``<name>_mask`` and the rule; the first time moves the parameter to ``<name>_orig``."""
    if not isinstance(_reparam.rule(module, name), MaskedWeight):
        if _reparam.rule(module, name) is not None:
            raise ValueError(f"prune: {type(module).__name__}.{name} is already computed by "
                             f"{type(_reparam.rule(module, name)).__name__}; prune before weight sharing")
        param = module._parameters.pop(name)
        module.register_parameter(name + "_orig", param)
        module.register_buffer(name + "_mask", Tensor._wrap(mask.astype(param.data.dtype)))
    else:
        module._buffers[name + "_mask"].data = mask.astype(module._buffers[name + "_mask"].data.dtype)
    _reparam.attach(module, name, MaskedWeight(name))


# ----------------------------------------------------------------------------- masks (pure)
def l1_mask(scores: np.ndarray, amount, default_mask: np.ndarray, where: str = "l1_unstructured") -> np.ndarray:
    """torch's ``L1Unstructured`` inside a ``PruningContainer``: among the entries still kept
    (``default_mask == 1``) zero the ``amount`` with the smallest |score|."""
    kept = default_mask.reshape(-1) == 1
    flat = np.abs(scores.reshape(-1))[kept]
    k = _count(amount, flat.size, where)
    mask = default_mask.reshape(-1).copy()
    if k:
        smallest = np.argpartition(flat, k - 1)[:k] if k < flat.size else np.arange(flat.size)
        mask[np.flatnonzero(kept)[smallest]] = 0
    return mask.reshape(default_mask.shape)


def _slice_norms(t: np.ndarray, n, dim: int) -> np.ndarray:
    rows = np.moveaxis(t, dim, 0).reshape(t.shape[dim], -1)
    return np.linalg.norm(rows, ord=n, axis=1)


def ln_mask(scores: np.ndarray, amount, n, dim: int, default_mask: np.ndarray,
            where: str = "ln_structured") -> np.ndarray:
    """torch's ``LnStructured`` inside a ``PruningContainer``: among the slices along ``dim`` not
    yet wholly pruned, zero the ``amount`` with the smallest Ln norm of ``scores``."""
    others = tuple(d for d in range(scores.ndim) if d != dim)
    keep_slice = default_mask.sum(axis=others) != 0
    sub = np.compress(keep_slice, scores, axis=dim)
    size = sub.shape[dim]
    k = _count(amount, size, where, "slices")
    mask = default_mask.copy()
    if k == 0:
        return mask
    norms = _slice_norms(sub, n, dim)
    kept_sub = np.zeros(size, bool)
    kept_sub[np.argsort(-norms, kind="stable")[:size - k]] = True
    kept_all = np.zeros(scores.shape[dim], bool)
    kept_all[np.flatnonzero(keep_slice)[kept_sub]] = True
    shape = [1] * scores.ndim
    shape[dim] = -1
    return mask * kept_all.reshape(shape).astype(mask.dtype)


# ----------------------------------------------------------------------------- torch's names
def l1_unstructured(module: Module, name: str, amount, importance_scores=None) -> Module:
    """Prune the ``amount`` entries of ``module.<name>`` with the smallest |w| (torch's signature)."""
    where = f"l1_unstructured({type(module).__name__}.{name})"
    _check_amount(amount, where)
    values = _tensor_of(module, name, where)
    scores = values if importance_scores is None else _scores(importance_scores, values, where)
    _apply_mask(module, name, l1_mask(scores, amount, _current_mask(module, name, values), where))
    return module


def ln_structured(module: Module, name: str, amount, n, dim: int, importance_scores=None) -> Module:
    """Prune the ``amount`` slices along ``dim`` of ``module.<name>`` with the smallest Ln norm
    (``n``: 1, 2, any p, ``inf`` or ``-inf``; torch's signature and order)."""
    where = f"ln_structured({type(module).__name__}.{name})"
    _check_amount(amount, where)
    values = _tensor_of(module, name, where)
    if values.ndim < 2:
        raise ValueError(f"{where}: structured pruning needs a tensor of 2 or more dimensions, got shape "
                         f"{values.shape}")
    if isinstance(dim, bool) or not isinstance(dim, numbers.Integral) or not -values.ndim <= dim < values.ndim:
        raise ValueError(f"{where}: dim={dim!r} is out of range for a tensor of shape {values.shape}")
    if isinstance(n, bool) or not isinstance(n, numbers.Real) or (n < 0 and not math.isinf(n)):
        raise ValueError(f"{where}: n must be a norm order (1, 2, p > 0, inf or -inf), got {n!r}")
    scores = values if importance_scores is None else _scores(importance_scores, values, where)
    mask = ln_mask(scores, amount, n, int(dim) % values.ndim, _current_mask(module, name, values), where)
    _apply_mask(module, name, mask)
    return module


def global_unstructured(parameters: Iterable[tuple[Module, str]], amount, importance_scores=None) -> None:
    """Prune the ``amount`` entries of smallest |w| over all ``(module, name)`` pairs together
    (torch's ``global_unstructured`` with ``pruning_method=L1Unstructured``)."""
    pairs = list(parameters)
    where = "global_unstructured"
    if not pairs:
        raise ValueError(f"{where}: parameters is empty; expected (module, name) pairs")
    _check_amount(amount, where)
    values = [_tensor_of(m, n, where) for m, n in pairs]
    scores = [v if importance_scores is None or (m, n) not in importance_scores
              else _scores(importance_scores[(m, n)], v, where) for (m, n), v in zip(pairs, values)]
    flat_scores = np.concatenate([s.reshape(-1) for s in scores])
    flat_mask = np.concatenate([_current_mask(m, n, v).reshape(-1) for (m, n), v in zip(pairs, values)])
    mask = l1_mask(flat_scores, amount, flat_mask, where)
    start = 0
    for (module, name), v in zip(pairs, values):
        _apply_mask(module, name, mask[start:start + v.size].reshape(v.shape))
        start += v.size


def _scores(scores, values: np.ndarray, where: str) -> np.ndarray:
    arr = np.asarray(scores.data if isinstance(scores, Tensor) else scores)
    if arr.shape != values.shape:
        raise ValueError(f"{where}: importance_scores has shape {arr.shape}, the tensor {values.shape}")
    return arr


# ----------------------------------------------------------------------------- gradbook's names
def prunable(model: Module, name: str = "weight") -> list[tuple[Module, str]]:
    """Every ``(module, name)`` in ``model`` whose ``name`` tensor has 2 or more dimensions (the
    weights of Linear and convolution layers; norm layers' 1-d scales are left alone)."""
    found = []
    for _, m in model.named_modules():
        p = m._parameters.get(name + "_orig") if isinstance(_reparam.rule(m, name), MaskedWeight) \
            else m._parameters.get(name)
        if p is not None and p.data.ndim >= 2:
            found.append((m, name))
    return found


def _pairs(module, name: str, where: str) -> list[tuple[Module, str]]:
    if isinstance(module, Module):
        own = module._parameters.get(name) is not None or isinstance(_reparam.rule(module, name), MaskedWeight)
        pairs = [(module, name)] if own else prunable(module, name)
    else:
        pairs = [(m, n) for m, n in module]
    if not pairs:
        raise ValueError(f"{where}: found no parameter {name!r} to prune")
    return pairs


def magnitude(module: Module | Sequence[tuple[Module, str]], name: str = "weight", amount=0.5,
              scope: str = "layer") -> None:
    """Magnitude pruning: zero the ``amount`` of entries with the smallest |w|.

    ``module`` is a layer, a model (all its ``prunable`` weights) or a list of ``(module, name)``
    pairs. ``scope='layer'`` prunes ``amount`` of each tensor; ``scope='global'`` ranks all the
    entries together with one threshold, so layers with many small weights lose more.
    """
    if scope not in ("layer", "global"):
        raise ValueError(f"magnitude: scope must be 'layer' or 'global', got {scope!r}")
    pairs = _pairs(module, name, "magnitude")
    if scope == "global":
        global_unstructured(pairs, amount)
        return
    for m, n in pairs:
        l1_unstructured(m, n, amount)


def structured(module: Module, name: str = "weight", amount=0.5, dim: int = 0, n=2) -> Module:
    """Zero whole filters (``dim=0``) or input channels (``dim=1``) of smallest Ln norm."""
    return ln_structured(module, name, amount, n, dim)


def remove(module: Module, name: str = "weight") -> Module:
    """Make the pruning permanent: ``<name>`` becomes a Parameter holding ``orig * mask`` again,
    and ``<name>_orig``, ``<name>_mask`` and the rule are gone (torch's ``prune.remove``)."""
    if not isinstance(_reparam.rule(module, name), MaskedWeight):
        raise ValueError(f"remove: parameter {name!r} of {type(module).__name__} is not pruned")
    orig = module._parameters.pop(name + "_orig")
    mask = module._buffers.pop(name + "_mask")
    _reparam.detach(module, name)
    module.register_parameter(name, Parameter(orig.data * mask.data, requires_grad=orig.requires_grad))
    return module


def is_pruned(module: Module) -> bool:
    """Whether ``module`` or any module inside it holds a pruning mask."""
    return any(isinstance(r, MaskedWeight) for m in module.modules() for r in _reparam.rules(m).values())


def sparsity(model: Module, name: str = "weight") -> float:
    """The fraction of zeros over the ``prunable`` weights of ``model`` (after masking)."""
    zeros = total = 0
    for m, n in prunable(model, name):
        w = getattr(m, n).data
        zeros += int(np.count_nonzero(w == 0))
        total += w.size
    return zeros / total if total else 0.0


def iterative(model: Module, target: float, steps: int, fine_tune: Callable[[Module, int], None],
              scope: str = "global", name: str = "weight") -> list[float]:
    """Prune → fine-tune, ``steps`` times, to a final sparsity ``target`` (Han et al. 2015).

    Step k prunes up to ``round(target · size · k / steps)`` zeros in all (a linear schedule,
    counted in entries, so the target is met exactly), then calls ``fine_tune(model, k)``. The masks
    stay on (call :func:`remove` on each layer to make them permanent). Returns the sparsity after
    each step.
    """
    if isinstance(target, bool) or not isinstance(target, numbers.Real) or not 0 <= target <= 1:
        raise ValueError(f"iterative: target must be a sparsity in [0, 1], got {target!r}")
    if isinstance(steps, bool) or not isinstance(steps, numbers.Integral) or steps < 1:
        raise ValueError(f"iterative: steps must be a positive int, got {steps!r}")
    pairs = _pairs(model, name, "iterative")
    done = []
    for k in range(1, steps + 1):
        groups = [pairs] if scope == "global" else [[p] for p in pairs]
        for group in groups:
            masks = [_current_mask(m, n, _tensor_of(m, n, "iterative")) for m, n in group]
            size = sum(x.size for x in masks)
            already = size - int(sum(x.sum() for x in masks))
            more = max(round(target * size * k / steps) - already, 0)
            if scope == "global":
                global_unstructured(group, more)
            elif scope == "layer":
                l1_unstructured(group[0][0], group[0][1], more)
            else:
                raise ValueError(f"iterative: scope must be 'layer' or 'global', got {scope!r}")
        fine_tune(model, k)
        done.append(sparsity(model, name))
    return done
