"""Multiply-adds per layer, found by running the model once on a zero input and watching every
leaf module's input and output shapes.

Counted (per sample when ``batch_dim`` inserts a batch of one; MACs = multiplications of the
layer's matrix products, bias additions and elementwise work not counted):

==================  ==========================================================
Linear              ∏out[:-1] · in · out
Conv1d / Conv2d     ∏out · (C_in / groups) · ∏kernel
LocallyConnected2d  ∏out · C_in · ∏kernel (a Conv2d's count; its weights are OH·OW times as many)
ConvTranspose2d     ∏in · (C_out / groups) · ∏kernel
RNN / GRU / LSTM    Σ over layers and directions: T · N · g·h·(i + h)  (LSTM with proj_size p:
                    T · N · (g·h·(i + p) + p·h), upper layers reading i = D·p)
RNN/GRU/LSTM cell   N · g·h·(i + h)
everything else     0 (activations, norms, pooling, embeddings)
==================  ==========================================================
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Iterable

import numpy as np

from .params import RNN_GATES

__all__ = ["LayerRecord", "trace", "flops", "layer_macs"]


@dataclass
class LayerRecord:
    """One leaf module seen during the traced forward pass."""

    name: str
    kind: str
    depth: int
    input_shape: tuple[int, ...]
    output_shape: tuple[int, ...]
    params: int
    macs: int


def _first_shape(value: Any) -> tuple[int, ...]:
    if isinstance(value, (tuple, list)):
        return _first_shape(value[0]) if value else ()
    return tuple(getattr(value, "shape", ()))


def layer_macs(module: Any, in_shape: tuple[int, ...], out_shape: tuple[int, ...]) -> int:
    """Multiply-adds of one call of ``module`` from its input and output shapes (table above)."""
    from .. import nn

    if isinstance(module, nn.Linear):
        return math.prod(out_shape[:-1]) * module.in_features * module.out_features
    if isinstance(module, nn.ConvTranspose2d):
        return (math.prod(in_shape) * (module.out_channels // module.groups) * math.prod(module.kernel_size))
    if isinstance(module, (nn.Conv1d, nn.Conv2d)):
        return math.prod(out_shape) * (module.in_channels // module.groups) * math.prod(module.kernel_size)
    if isinstance(module, nn.LocallyConnected2d):  # a conv's arithmetic, each position with its own weights
        return math.prod(out_shape) * module.in_channels * math.prod(module.kernel_size)
    if isinstance(module, nn.RNNBase):
        g, h, d = RNN_GATES[module.mode.split("_")[0].lower()], module.hidden_size, module.num_directions
        p = module.proj_size  # 0 without a projection: h then has h features
        r = p or h
        steps = math.prod(in_shape[:-1])  # T·N (or T unbatched)
        per_layer = [module.input_size] + [d * r] * (module.num_layers - 1)
        return sum(steps * d * (g * h * (i + r) + p * h) for i in per_layer)
    if isinstance(module, nn.RNNCellBase):
        g = RNN_GATES[module._mode.split("_")[0].lower()]
        return math.prod(in_shape[:-1]) * g * module.hidden_size * (module.input_size + module.hidden_size)
    return 0


def trace(model: Any, input_shape: Iterable[int], batch_dim: int | None = 0, dtype=None) -> list[LayerRecord]:
    """Run ``model`` once on zeros of ``input_shape`` (a batch of one inserted at ``batch_dim``;
    ``None`` when the shape already has one) with every leaf module watched; returns one
    :class:`LayerRecord` per leaf call, in call order."""
    import gradbook as gb

    shape = tuple(int(v) for v in input_shape)
    if batch_dim is not None:
        shape = shape[:batch_dim] + (1,) + shape[batch_dim:]
    params = next(iter(model.parameters()), None)
    dt = dtype or (params.dtype if params is not None else gb.get_default_dtype())
    leaves = [(name, m) for name, m in model.named_modules() if not m._modules and m is not model] or [("", model)]
    records: list[LayerRecord] = []

    def watch(name: str, module: Any):
        original = type(module).forward

        def forward(*args, **kwargs):
            out = original(module, *args, **kwargs)
            ins, outs = _first_shape(args), _first_shape(out)
            n_params = sum(int(p.data.size) for p in module.parameters())
            records.append(LayerRecord(name or type(module).__name__, type(module).__name__,
                                       name.count(".") + 1 if name else 0, ins, outs, n_params,
                                       layer_macs(module, ins, outs)))
            return out

        module.__dict__["forward"] = forward  # an instance attribute shadows the class's forward

    for name, m in leaves:
        watch(name, m)
    was_training = model.training
    model.eval()
    try:
        with gb.no_grad():
            model(gb.tensor(np.zeros(shape, dt)))
    except Exception as exc:
        raise ValueError(f"trace: {type(model).__name__} failed on an input of shape {shape}: {exc}") from exc
    finally:
        for _, m in leaves:
            m.__dict__.pop("forward", None)
        model.train(was_training)
    return records


def flops(model: Any, input_shape: Iterable[int], batch_dim: int | None = 0) -> dict[str, int]:
    """Multiply-adds per leaf layer (name → MACs) for one sample of ``input_shape``, plus
    ``"total"``. See the module docstring for what each layer counts."""
    out: dict[str, int] = {}
    for rec in trace(model, input_shape, batch_dim):
        out[rec.name] = out.get(rec.name, 0) + rec.macs
    out["total"] = sum(out.values())
    return out
