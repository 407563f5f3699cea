"""Low-rank factorisation: truncated SVD of Linear layers, Tucker-2 decomposition of convolutions.

Linear (Denton et al. 2014, Xue et al. 2013): W (out, in) = U S Vᵀ; keeping the r largest singular
values gives W_r = U_r S_r V_rᵀ, the best rank-r approximation (Eckart–Young):
‖W − W_r‖_F² = Σ_{i>r} s_i² and ‖W − W_r‖_2 = s_{r+1}. The layer becomes
Linear(in, r, bias=False) with weight √S_r V_rᵀ followed by Linear(r, out) with weight U_r √S_r and
the old bias: r·(in + out) weights instead of in·out.

Conv2d (Kim et al. 2016, Tucker-2 by HOSVD): W (O, C, k, k) ≈ G ×₀ U_out ×₁ U_in, with U_out the
leading r_out left singular vectors of W unfolded along O (O × C·k·k), U_in those of the unfolding
along C, and the core G = W ×₀ U_outᵀ ×₁ U_inᵀ (r_out, r_in, k, k). As layers: a 1x1 conv C → r_in
(weight U_inᵀ), the k×k core conv r_in → r_out with the old stride, padding and dilation, and a 1x1
conv r_out → O (weight U_out) with the old bias. Its error obeys HOSVD's bound
‖W − Ŵ‖_F² ≤ Σ (discarded σ² of the O-unfolding) + Σ (discarded σ² of the C-unfolding).

A rank is given directly or as the fraction ``energy`` of Σ s² to keep (the smallest rank whose
leading s² sum to at least that fraction).
"""
from __future__ import annotations

import numbers

import numpy as np

from ..nn.container import Sequential
from ..nn.conv import Conv2d
from ..nn.linear import Linear
from ..nn.module import Module

__all__ = ["rank_for_energy", "svd_linear", "tucker2_conv", "factorize"]


def rank_for_energy(s: np.ndarray, energy: float, where: str = "rank_for_energy") -> int:
    """The smallest r with Σ_{i≤r} s_i² ≥ energy · Σ s_i² (``s`` in decreasing order)."""
    if isinstance(energy, bool) or not isinstance(energy, numbers.Real) or not 0 < energy <= 1:
        raise ValueError(f"{where}: energy must be a fraction in (0, 1], got {energy!r}")
    share = np.cumsum(s ** 2) / max(float((s ** 2).sum()), np.finfo(float).tiny)
    return int(min(np.searchsorted(share, energy - 1e-12) + 1, len(s)))


def _rank(s: np.ndarray, rank, energy, where: str, what: str = "rank") -> int:
    if (rank is None) == (energy is None):
        raise ValueError(f"{where}: give exactly one of {what} and energy")
    if energy is not None:
        return rank_for_energy(s, energy, where)
    if isinstance(rank, bool) or not isinstance(rank, numbers.Integral) or not 1 <= rank <= len(s):
        raise ValueError(f"{where}: {what} must be an int from 1 to {len(s)} (the layer's largest possible rank), "
                         f"got {rank!r}")
    return int(rank)


def svd_linear(layer: Linear, rank: int | None = None, energy: float | None = None) -> Sequential:
    """Linear(in, out) → Sequential(Linear(in, r, bias=False), Linear(r, out)) by truncated SVD."""
    if not isinstance(layer, Linear):
        raise TypeError(f"svd_linear: expected a Linear layer, got {type(layer).__name__}")
    w = layer.weight.data.astype(np.float64)
    u, s, vt = np.linalg.svd(w, full_matrices=False)
    r = _rank(s, rank, energy, f"svd_linear({layer.extra_repr()})")
    root = np.sqrt(s[:r])
    first = Linear(layer.in_features, r, bias=False, dtype=layer.weight.dtype)
    second = Linear(r, layer.out_features, bias=layer.bias is not None, dtype=layer.weight.dtype)
    first.weight.data[...] = root[:, None] * vt[:r]
    second.weight.data[...] = u[:, :r] * root[None, :]
    if layer.bias is not None:
        second.bias.data[...] = layer.bias.data
    return Sequential(first, second)


def _leading_vectors(w: np.ndarray, axis: int) -> tuple[np.ndarray, np.ndarray]:
    """Left singular vectors and values of ``w`` unfolded along ``axis``."""
    unfolded = np.moveaxis(w, axis, 0).reshape(w.shape[axis], -1)
    u, s, _ = np.linalg.svd(unfolded, full_matrices=False)
    return u, s


def tucker2_conv(conv: Conv2d, ranks: tuple[int, int] | None = None, energy: float | None = None) -> Sequential:
    """Conv2d(C, O, k) → 1x1 (C → r_in), k×k core (r_in → r_out), 1x1 (r_out → O) by HOSVD.
    ``ranks`` is ``(r_in, r_out)``; ``energy`` picks each from its unfolding's singular values."""
    where = f"tucker2_conv({conv.extra_repr()})"
    if not isinstance(conv, Conv2d):
        raise TypeError(f"tucker2_conv: expected a Conv2d layer, got {type(conv).__name__}")
    if conv.groups != 1:
        raise ValueError(f"{where}: grouped convolutions (groups={conv.groups}) are not supported")
    w = conv.weight.data.astype(np.float64)
    u_out, s_out = _leading_vectors(w, 0)
    u_in, s_in = _leading_vectors(w, 1)
    if ranks is not None and (not isinstance(ranks, (tuple, list)) or len(ranks) != 2):
        raise ValueError(f"{where}: ranks must be a pair (r_in, r_out), got {ranks!r}")
    r_in = _rank(s_in, None if ranks is None else ranks[0], energy, where, "ranks[0] (r_in)")
    r_out = _rank(s_out, None if ranks is None else ranks[1], energy, where, "ranks[1] (r_out)")
    u_out, u_in = u_out[:, :r_out], u_in[:, :r_in]
    core = np.einsum("ocij,or,cs->rsij", w, u_out, u_in)
    dt = conv.weight.dtype
    first = Conv2d(conv.in_channels, r_in, 1, bias=False, dtype=dt)
    middle = Conv2d(r_in, r_out, conv.kernel_size, conv.stride, conv.padding, conv.dilation, bias=False,
                    padding_mode=conv.padding_mode, dtype=dt)
    last = Conv2d(r_out, conv.out_channels, 1, bias=conv.bias is not None, dtype=dt)
    first.weight.data[...] = u_in.T[:, :, None, None]
    middle.weight.data[...] = core
    last.weight.data[...] = u_out[:, :, None, None]
    if conv.bias is not None:
        last.bias.data[...] = conv.bias.data
    return Sequential(first, middle, last)


def _weights(module: Module) -> int:
    return sum(p.data.size for name, p in module.named_parameters() if name.endswith("weight"))


def factorize(model: Module, plan: dict[str, int | tuple[int, int]] | None = None,
              energy: float | None = None, skip_last: bool = True) -> dict[str, int | tuple[int, int]]:
    """Replace layers of ``model`` in place by their factorisations; returns the plan used
    (dotted layer name → rank for a Linear, (r_in, r_out) for a Conv2d), which rebuilds the same
    structure on a fresh model (``factorize(fresh, plan)``) before loading saved weights.

    Either ``plan`` names the layers and ranks, or ``energy`` factorises every Linear and Conv2d
    (except 1x1 convolutions, and the last layer with ``skip_last``) keeping that energy, where
    the factors hold fewer weights than the layer (a layer whose rank stays high is left whole).
    """
    if (plan is None) == (energy is None):
        raise ValueError("factorize: give exactly one of plan and energy")
    layers = {name: m for name, m in model.named_modules() if type(m) in (Linear, Conv2d)}
    if plan is None:
        names = [n for n, m in layers.items() if not (isinstance(m, Conv2d) and m.kernel_size == (1, 1))]
        names = names[:-1] if skip_last else names
    else:
        missing = [n for n in plan if n not in layers]
        if missing:
            raise ValueError(f"factorize: no Linear or Conv2d layer named {missing} in {type(model).__name__} "
                             f"(it has {list(layers)})")
        names = list(plan)
    used = {}
    for name in names:
        layer = layers[name]
        if isinstance(layer, Linear):
            new = svd_linear(layer, None if plan is None else plan[name], energy)
            rank = new[0].out_features
        else:
            new = tucker2_conv(layer, None if plan is None else tuple(plan[name]), energy)
            rank = (new[0].out_channels, new[1].out_channels)
        if plan is None and _weights(new) >= _weights(layer):
            continue
        used[name] = rank
        parent_name, _, child = name.rpartition(".")
        model.get_submodule(parent_name)._modules[child] = new
    return used
