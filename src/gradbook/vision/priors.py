"""SSD's default boxes ("priors"): a grid of boxes of a few sizes and shapes on each feature map.

On map k (f_k × f_k cells, step s_k = image_size / f_k pixels unless ``steps`` says otherwise) each
cell centre ((j + ½) s_k, (i + ½) s_k) carries, with m = min_sizes[k] and M = max_sizes[k]:

    a square m × m, a square √(mM) × √(mM), and for each aspect ratio r a pair
    (m√r) × (m/√r) and (m/√r) × (m√r)

— 2 + 2·len(aspect_ratios[k]) boxes per cell, in that order, cells row by row (Liu et al. 2016;
the layout of ssd.pytorch's PriorBox and torchvision's DefaultBoxGenerator). SSD300 (maps 38, 19,
10, 5, 3, 1) gives 8,732 priors.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

SSD300 = {"feature_map_sizes": (38, 19, 10, 5, 3, 1), "image_size": 300,
          "min_sizes": (30, 60, 111, 162, 213, 264), "max_sizes": (60, 111, 162, 213, 264, 315),
          "aspect_ratios": ((2,), (2, 3), (2, 3), (2, 3), (2,), (2,)), "steps": (8, 16, 32, 64, 100, 300)}


def _positive(values, name: str, n: int | None = None, integer: bool = False) -> list:
    vals = list(values)
    if n is not None and len(vals) != n:
        raise ValueError(f"ssd_priors: {name} must have one entry per feature map ({n}), got {len(vals)}")
    for v in vals:
        ok = isinstance(v, (int, np.integer)) if integer else isinstance(v, (int, float, np.number))
        if not ok or isinstance(v, bool) or not np.isfinite(v) or v <= 0:
            kind = "positive ints" if integer else "positive numbers"
            raise ValueError(f"ssd_priors: {name} must be {kind}, got {values!r}")
    return vals


def _cell_sizes(m: float, big: float, ratios: Sequence[float]) -> np.ndarray:
    """(B, 2) widths and heights of one cell's boxes, in pixels."""
    sizes = [(m, m), (np.sqrt(m * big),) * 2]
    for r in ratios:
        sizes += [(m * np.sqrt(r), m / np.sqrt(r)), (m / np.sqrt(r), m * np.sqrt(r))]
    return np.asarray(sizes, dtype=np.float64)


def priors_per_cell(aspect_ratios: Sequence[Sequence[float]]) -> list[int]:
    """2 + 2·len(ratios) boxes per cell on each map."""
    return [2 + 2 * len(r) for r in aspect_ratios]


def ssd_priors(feature_map_sizes: Sequence[int], image_size: int, min_sizes: Sequence[float],
               max_sizes: Sequence[float], aspect_ratios: Sequence[Sequence[float]], clip: bool = True,
               steps: Sequence[float] | None = None) -> np.ndarray:
    """All priors, (P, 4) as (x1, y1, x2, y2) in fractions of the image (0 to 1).

    Sizes are in pixels of the square ``image_size`` input. ``clip`` clamps each prior's width and
    height to [0, 1] (as torchvision's DefaultBoxGenerator does, in centre-size form); ``steps``
    (pixels between cell centres on each map) defaults to image_size / feature_map_size.
    """
    maps = _positive(feature_map_sizes, "feature_map_sizes", integer=True)
    if not maps:
        raise ValueError("ssd_priors: feature_map_sizes must name at least one feature map")
    (size,) = _positive([image_size], "image_size")
    small = _positive(min_sizes, "min_sizes", len(maps))
    big = _positive(max_sizes, "max_sizes", len(maps))
    if len(aspect_ratios) != len(maps):
        raise ValueError(f"ssd_priors: aspect_ratios must have one list per feature map ({len(maps)}), "
                         f"got {len(aspect_ratios)}")
    ratios = [_positive(r, f"aspect_ratios[{k}]") for k, r in enumerate(aspect_ratios)]
    step = [size / f for f in maps] if steps is None else _positive(steps, "steps", len(maps))
    out = []
    for f, m, mx, rs, s in zip(maps, small, big, ratios, step):
        wh = _cell_sizes(m, mx, rs) / size
        if clip:
            wh = np.clip(wh, 0, 1)
        centres = (np.arange(f) + 0.5) * s / size
        cy, cx = np.meshgrid(centres, centres, indexing="ij")
        xy = np.stack([cx.ravel(), cy.ravel()], axis=1)           # (f², 2), row by row
        xy = np.repeat(xy, len(wh), axis=0)                        # each cell's boxes together
        half = np.tile(wh, (f * f, 1)) / 2
        out.append(np.concatenate([xy - half, xy + half], axis=1))
    return np.concatenate(out, axis=0)
