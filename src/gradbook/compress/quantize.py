"""Weight sharing by k-means (Han, Mao & Dally 2016, "Deep Compression", §3).

The entries of one weight tensor are clustered into k = 2^bits groups by 1-d k-means (Lloyd's
algorithm: assign each weight to its nearest centroid, move each centroid to the mean of its
weights, until no assignment changes); afterwards the layer stores only the k centroids and a
``bits``-bit cluster index per weight. Entries that are exactly zero (pruned) are left out of
the clustering and stay zero.

Centroid initialisation, as compared in the paper:

* ``'linear'``: k points evenly spaced between min(W) and max(W);
* ``'density'``: the quantiles of W at k evenly spaced probabilities in [0, 1] (even spacing on
  the CDF's y-axis), so dense regions get more centroids;
* ``'random'`` (Forgy): k distinct weights drawn at random.

After :func:`quantize` the module computes ``weight = centroids[indices]`` before every forward,
so training updates the centroids: the gradient of centroid c is the sum of the gradients of the
weights in its cluster, ∂L/∂c_j = Σ_{i: idx_i = j} ∂L/∂W_i (the gather's backward is a
scatter-add), and every weight of a cluster moves together.
"""
from __future__ import annotations

import numbers

import numpy as np

from ..autograd.tensor import Tensor
from ..nn.module import Module, Parameter
from ..ops.shape import cat
from . import _reparam
from .prune import MaskedWeight, prunable

__all__ = ["INITS", "init_centroids", "kmeans", "quantize", "remove", "codebook", "is_quantized", "check_bits"]

INITS = ("linear", "density", "random")


def check_bits(bits, where: str) -> int:
    if isinstance(bits, bool) or not isinstance(bits, numbers.Integral) or not 1 <= bits <= 16:
        raise ValueError(f"{where}: bits must be an int from 1 to 16 (2^bits shared values), got {bits!r}")
    return int(bits)


def init_centroids(values: np.ndarray, k: int, init: str = "linear", seed: int = 0) -> np.ndarray:
    """k starting centroids for the 1-d ``values`` (see the module docstring), float64."""
    v = np.asarray(values, np.float64).ravel()
    if init == "linear":
        return np.linspace(v.min(), v.max(), k)
    if init == "density":
        return np.quantile(v, np.linspace(0.0, 1.0, k))
    if init == "random":
        return np.random.default_rng(seed).choice(v, size=k, replace=False)
    raise ValueError(f"init must be one of {INITS}, got {init!r}")


def kmeans(values: np.ndarray, k: int, init: str | np.ndarray = "linear", seed: int = 0,
           max_iter: int = 300) -> tuple[np.ndarray, np.ndarray]:
    """Lloyd's k-means on 1-d ``values``: returns ``(centroids (k,), labels (n,))``.

    A weight ties to the lower-numbered centroid; a centroid left with no weight stays where it is.
    """
    v = np.asarray(values, np.float64).ravel()
    centroids = np.array(init, np.float64) if not isinstance(init, str) else init_centroids(v, k, init, seed)
    labels = None
    for _ in range(max_iter):
        new = np.abs(v[:, None] - centroids[None, :]).argmin(axis=1)
        if labels is not None and np.array_equal(new, labels):
            break
        labels = new
        sums = np.bincount(labels, weights=v, minlength=k)
        counts = np.bincount(labels, minlength=k)
        centroids = np.where(counts > 0, sums / np.maximum(counts, 1), centroids)
    return centroids, labels


class SharedWeight:
    """The rule ``weight = [centroids, 0][indices]`` (index k stands for a pruned zero)."""

    def __init__(self, name: str):
        self.name = name

    def __call__(self, module: Module) -> Tensor:
        c = getattr(module, self.name + "_centroids")
        idx = getattr(module, self.name + "_indices").data
        return cat([c, Tensor._wrap(np.zeros(1, c.dtype))])[idx]


def quantize(module: Module, name: str = "weight", bits: int = 4, init: str = "linear", seed: int = 0) -> Module:
    """Share the weights of ``module.<name>`` among 2^bits values; a model (no ``name`` parameter of
    its own) has each of its ``prunable`` weights quantised separately. Returns ``module``.

    Afterwards ``<name>_centroids`` (k,) is the trained Parameter and ``<name>_indices`` (the
    weight's shape, int64; k marks a pruned zero) a buffer.
    """
    where = f"quantize({type(module).__name__}.{name})"
    bits = check_bits(bits, where)
    if init not in INITS:
        raise ValueError(f"{where}: init must be one of {INITS}, got {init!r}")
    if module._parameters.get(name) is None and _reparam.rule(module, name) is None:
        targets = prunable(module, name)
        if not targets:
            raise ValueError(f"{where}: found no parameter {name!r} to quantise")
        for m, n in targets:
            quantize(m, n, bits, init, seed)
        return module
    if isinstance(_reparam.rule(module, name), MaskedWeight):
        raise ValueError(f"{where}: the weight is pruned with a mask; call prune.remove(module, {name!r}) first "
                         "(its zeros then stay zero and are left out of the clustering)")
    if _reparam.rule(module, name) is not None:
        raise ValueError(f"{where}: the weight is already quantised")
    param = module._parameters[name]
    w = param.data
    nonzero = w != 0
    k = 2 ** bits
    if k > int(nonzero.sum()):
        raise ValueError(f"{where}: bits={bits} asks for {k} shared values but the tensor has only "
                         f"{int(nonzero.sum())} nonzero weights")
    centroids, labels = kmeans(w[nonzero], k, init, seed)
    indices = np.full(w.shape, k, np.int64)
    indices[nonzero] = labels
    del module._parameters[name]
    module.register_parameter(name + "_centroids", Parameter(centroids.astype(w.dtype), param.requires_grad))
    module.register_buffer(name + "_indices", Tensor._wrap(indices))
    _reparam.attach(module, name, SharedWeight(name))
    return module


def is_quantized(module: Module, name: str = "weight") -> bool:
    return isinstance(_reparam.rule(module, name), SharedWeight)


def codebook(module: Module, name: str = "weight") -> tuple[np.ndarray, np.ndarray]:
    """``(centroids (k,), indices)`` of a quantised tensor (index k marks a zero)."""
    if not is_quantized(module, name):
        raise ValueError(f"codebook: {type(module).__name__}.{name} is not quantised")
    return module._parameters[name + "_centroids"].data, module._buffers[name + "_indices"].data


def remove(module: Module, name: str = "weight") -> Module:
    """Make the sharing permanent: ``<name>`` becomes a plain Parameter holding the shared values.
    A model has every quantised layer inside it made permanent."""
    if not is_quantized(module, name):
        inner = [m for m in module.modules() if m is not module and is_quantized(m, name)]
        if not inner:
            raise ValueError(f"remove: {type(module).__name__}.{name} is not quantised")
        for m in inner:
            remove(m, name)
        return module
    c = module._parameters.pop(name + "_centroids")
    idx = module._buffers.pop(name + "_indices")
    _reparam.detach(module, name)
    dense = np.concatenate([c.data, np.zeros(1, c.data.dtype)])[idx.data]
    module.register_parameter(name, Parameter(dense, requires_grad=c.requires_grad))
    return module
