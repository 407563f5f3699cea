"""Receptive field of a stack of convolution and pooling layers, computed analytically and
confirmed empirically.

Per spatial axis, layer by layer (k_eff = dilation·(k − 1) + 1; r₀ = 1, j₀ = 1, start₀ = 0):

    j_out     = j_in · s                             (jump: input pixels between adjacent outputs)
    r_out     = r_in + (k_eff − 1) · j_in            (size of one output unit's field)
    start_out = start_in + ((k_eff − 1)/2 − p) · j_in  (centre of the first unit's field, 0-based)

So two 3x3 convolutions see 5x5 and three see 7x7, like one 5x5 or 7x7 layer. The empirical
check builds the same geometry with all-ones weights (pooling as an all-ones window: what can
reach an output, whatever max pooling would pick), takes the gradient of one output unit with
respect to the input, and measures the box where it is non-zero; it must equal the analytic box
of that unit clipped to the input.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

import numpy as np

from .shapes import conv_output_shape

__all__ = ["LayerGeometry", "RFLayer", "ReceptiveField", "receptive_field", "parse_layer", "layer_geometry"]


@dataclass(frozen=True)
class LayerGeometry:
    """The window of one conv/pool layer, per spatial axis."""

    name: str
    kernel: tuple[int, ...]
    stride: tuple[int, ...]
    padding: tuple[int, ...]
    dilation: tuple[int, ...]
    ceil_mode: bool = False

    @property
    def dims(self) -> int:
        return len(self.kernel)


@dataclass(frozen=True)
class RFLayer:
    """One row of the analysis: the layer and, after it, field size, jump, start and output size."""

    geometry: LayerGeometry
    size: tuple[int, ...]
    jump: tuple[int, ...]
    start: tuple[float, ...]
    output: tuple[int, ...]


@dataclass
class ReceptiveField:
    """Result of :func:`receptive_field`: ``layers`` (one :class:`RFLayer` per conv/pool layer),
    ``size``/``jump``/``start`` after the last layer, and the empirical check: for the output unit
    ``unit`` (one whose field lies inside the input when there is one: ``interior``), the analytic
    box clipped to the input and the box measured by the gradient."""

    input_size: tuple[int, ...]
    layers: list[RFLayer]
    unit: tuple[int, ...] = ()
    analytic_box: tuple[tuple[int, int], ...] = ()
    empirical_box: tuple[tuple[int, int], ...] = ()
    skipped: list[str] = field(default_factory=list)
    interior: bool = False

    @property
    def size(self) -> tuple[int, ...]:
        return self.layers[-1].size if self.layers else (1,) * len(self.input_size)

    @property
    def jump(self) -> tuple[int, ...]:
        return self.layers[-1].jump if self.layers else (1,) * len(self.input_size)

    @property
    def start(self) -> tuple[float, ...]:
        return self.layers[-1].start if self.layers else (0.0,) * len(self.input_size)

    @property
    def empirical_size(self) -> tuple[int, ...]:
        return tuple(hi - lo + 1 for lo, hi in self.empirical_box)

    @property
    def confirmed(self) -> bool:
        """True when the gradient's box equals the analytic box (clipped to the input)."""
        return bool(self.empirical_box) and self.empirical_box == self.analytic_box

    def table(self):
        from rich.table import Table

        t = Table(title=f"Receptive field, input {_fmt(self.input_size)}")
        for col in ("layer", "kernel", "stride", "padding", "dilation", "output", "RF size", "jump", "start"):
            t.add_column(col, justify="left" if col == "layer" else "right")
        for row in self.layers:
            g = row.geometry
            t.add_row(g.name, _fmt(g.kernel), _fmt(g.stride), _fmt(g.padding), _fmt(g.dilation),
                      _fmt(row.output), _fmt(row.size), _fmt(row.jump), _fmt(row.start))
        if self.empirical_box:
            verdict = "confirmed" if self.confirmed else "MISMATCH"
            t.caption = (f"gradient check on output unit {self.unit}: field {_fmt(self.empirical_size)} "
                         f"at {self.empirical_box} vs analytic {self.analytic_box}: {verdict}")
        return t

    def __str__(self) -> str:
        import io

        from rich.console import Console

        console = Console(width=120, record=True, file=io.StringIO())
        console.print(self.table())
        return console.export_text()


def _fmt(v: Sequence) -> str:
    vals = [f"{x:g}" if isinstance(x, float) else str(x) for x in v]
    return vals[0] if len(set(vals)) == 1 else "x".join(vals)


_SPEC = re.compile(r"^(conv|pool|maxpool|avgpool)(\d+)((?:[spd]\d+)*)$")


def parse_layer(spec: str, dims: int = 2) -> LayerGeometry:
    """A layer from a short spec: ``conv3`` (3x3, stride 1), ``conv3s2p1``, ``conv3d2`` (dilation 2),
    ``pool2`` / ``maxpool3s2`` / ``avgpool2`` (stride defaults to the kernel, as PyTorch's pooling)."""
    m = _SPEC.match(spec.strip().lower())
    if not m:
        raise ValueError(f"receptive_field: cannot read layer spec {spec!r}; expected e.g. conv3, conv3s2p1, "
                         "conv3d2, pool2, maxpool3s2p1")
    kind, k = m.group(1), int(m.group(2))
    opts = {key: int(val) for key, val in re.findall(r"([spd])(\d+)", m.group(3))}
    s = opts.get("s", 1 if kind == "conv" else k)
    return LayerGeometry(spec, (k,) * dims, (s,) * dims, (opts.get("p", 0),) * dims, (opts.get("d", 1),) * dims)


def _tuple(v: Any, n: int) -> tuple[int, ...]:
    return (int(v),) * n if isinstance(v, (int, np.integer)) else tuple(int(x) for x in v)


def layer_geometry(module: Any, name: str | None = None) -> LayerGeometry | None:
    """The window of a conv or pooling module; None for pointwise layers (activations, norms,
    dropout) that leave the field unchanged. Raises for layers that mix every position."""
    from .. import nn

    label = name or type(module).__name__
    if isinstance(module, (nn.Conv1d, nn.Conv2d)) and not isinstance(module, nn.ConvTranspose2d):
        n = len(module.kernel_size)
        pad = module.padding
        if isinstance(pad, str):  # 'valid' → 0; 'same' (stride 1) → half the span on the left
            pad = tuple(0 if pad == "valid" else d * (k - 1) // 2 for k, d in zip(module.kernel_size, module.dilation))
        return LayerGeometry(label, module.kernel_size, module.stride, _tuple(pad, n), module.dilation)
    if isinstance(module, (nn.MaxPool2d, nn.AvgPool2d)):
        return LayerGeometry(label, _tuple(module.kernel_size, 2), _tuple(module.stride, 2),
                             _tuple(module.padding, 2), _tuple(getattr(module, "dilation", 1), 2),
                             bool(module.ceil_mode))
    pointwise = (nn.ReLU, nn.Identity, nn.Dropout) if hasattr(nn, "Dropout") else (nn.ReLU, nn.Identity)
    if isinstance(module, pointwise) or type(module).__module__.endswith(("activation", "normalization", "dropout")):
        return None
    raise ValueError(f"receptive_field: {label} ({type(module).__name__}) is not a convolution or pooling "
                     "layer; its output depends on every input position")


def _leaves(model: Any) -> list[tuple[str, Any]]:
    return [(n, m) for n, m in model.named_modules() if not m._modules]


def _geometries(layers: Any, dims_hint: int) -> tuple[list[LayerGeometry], list[str]]:
    """Layer windows from specs, LayerGeometry objects, modules, or a model (whose leaves are read
    in order until the first layer that mixes all positions, e.g. Flatten or Linear)."""
    from ..nn import Module

    if isinstance(layers, Module):
        out, skipped = [], []
        for i, (name, m) in enumerate(_leaves(layers)):
            try:
                g = layer_geometry(m, f"{name} ({type(m).__name__})")
            except ValueError:
                skipped = [n for n, _ in _leaves(layers)[i:]]
                break
            if g is not None:
                out.append(g)
        return out, skipped
    out = []
    for item in ([layers] if isinstance(layers, str) else list(layers)):
        if isinstance(item, str):
            out.append(parse_layer(item, dims_hint))
        elif isinstance(item, LayerGeometry):
            out.append(item)
        else:
            g = layer_geometry(item)
            if g is not None:
                out.append(g)
    return out, []


def _analytic(geoms: list[LayerGeometry], sizes: tuple[int, ...]) -> list[RFLayer]:
    n = len(sizes)
    r, j, start, cur = [1] * n, [1] * n, [0.0] * n, list(sizes)
    rows = []
    for g in geoms:
        if g.dims != n:
            raise ValueError(f"receptive_field: layer {g.name} has {g.dims} spatial axes but the input has "
                             f"{n} ({sizes})")
        for a in range(n):
            k_eff = g.dilation[a] * (g.kernel[a] - 1) + 1
            start[a] = start[a] + ((k_eff - 1) / 2 - g.padding[a]) * j[a]
            r[a] = r[a] + (k_eff - 1) * j[a]
            j[a] = j[a] * g.stride[a]
            cur[a] = conv_output_shape(cur[a], g.kernel[a], g.stride[a], g.padding[a], g.dilation[a],
                                       ceil_mode=g.ceil_mode)
        rows.append(RFLayer(g, tuple(r), tuple(j), tuple(start), tuple(cur)))
    return rows


def _gradient_box(geoms: list[LayerGeometry], sizes: tuple[int, ...], unit: tuple[int, ...]):
    """Box of input positions with a non-zero gradient of output ``unit`` (all-ones windows)."""
    import gradbook as gb
    from ..ops.conv import conv1d, conv2d

    n = len(sizes)
    conv = conv2d if n == 2 else conv1d
    x = gb.tensor(np.ones((1, 1, *sizes)), requires_grad=True)
    y = x
    for g in geoms:
        w = gb.tensor(np.ones((1, 1, *g.kernel)))
        y = conv(y, w, None, g.stride, g.padding, g.dilation)
    mask = np.zeros(y.shape)
    mask[(0, 0, *unit)] = 1.0
    (y * gb.tensor(mask)).sum().backward()
    nz = np.nonzero(x.grad.data[0, 0] > 0)
    return tuple((int(ix.min()), int(ix.max())) for ix in nz)


def _pick_unit(last: RFLayer, sizes: tuple[int, ...]):
    """The output unit nearest the centre whose whole field lies inside the input (then the
    gradient's box must equal the analytic one exactly); if there is none, the centre unit with
    its field clipped to the input (dilation holes at the border may then shrink the measured box)."""
    unit, box, inside = [], [], True
    for a in range(len(sizes)):
        half = (last.size[a] - 1) / 2
        centre = lambda i: last.start[a] + i * last.jump[a]  # noqa: E731
        ok = [i for i in range(last.output[a]) if centre(i) - half >= 0 and centre(i) + half <= sizes[a] - 1]
        mid = (last.output[a] - 1) // 2
        i = min(ok, key=lambda i: abs(i - mid)) if ok else mid
        inside &= bool(ok)
        unit.append(i)
        box.append((max(0, int(round(centre(i) - half))), min(sizes[a] - 1, int(round(centre(i) + half)))))
    return tuple(unit), tuple(box), inside


def receptive_field(layers: Any, input_shape: Iterable[int], check: bool = True) -> ReceptiveField:
    """Receptive field size, jump and start after every conv/pool layer, with an empirical check.

    ``layers``: a model (its leaf modules in order, stopping at the first layer that mixes all
    positions, e.g. Flatten or Linear), a list of conv/pool modules, or a list of specs such as
    ``["conv3", "conv3", "pool2", "conv3s2p1"]`` (see :func:`parse_layer`).
    ``input_shape``: spatial sizes (H, W), or (C, H, W) — the last 2 (1 for Conv1d) axes are used.
    With ``check`` it differentiates one output unit (near the centre, its field inside the input)
    w.r.t. the input and records both boxes (``confirmed`` when they agree).

    >>> receptive_field(["conv3", "conv3"], (32, 32)).size, receptive_field(["conv3"] * 3, (32, 32)).size
    ((5, 5), (7, 7))
    """
    shape = tuple(int(v) for v in input_shape)
    dims_hint = 2 if len(shape) >= 2 else 1
    geoms, skipped = _geometries(layers, dims_hint)
    dims = geoms[0].dims if geoms else dims_hint
    if len(shape) < dims:
        raise ValueError(f"receptive_field: input_shape {shape} has fewer than the {dims} spatial axes of the layers")
    sizes = shape[-dims:]
    rows = _analytic(geoms, sizes)
    result = ReceptiveField(sizes, rows, skipped=skipped)
    if check and rows and dims in (1, 2):
        unit, box, inside = _pick_unit(rows[-1], sizes)
        result.unit, result.analytic_box, result.interior = unit, box, inside
        result.empirical_box = _gradient_box(geoms, sizes, unit)
    return result
