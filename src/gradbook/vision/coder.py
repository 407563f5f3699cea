"""SSD's box encoding: offsets of a box from its prior in centre-size form, scaled by variances.

With prior (pcx, pcy, pw, ph), box (cx, cy, w, h) and variances (v_c, v_s):

    t_x = (cx − pcx) / (v_c pw)    t_y = (cy − pcy) / (v_c ph)
    t_w = log(w / pw) / v_s        t_h = log(h / ph) / v_s

``decode`` is its inverse. Boxes and priors come and go as (x1, y1, x2, y2); this equals
torchvision's ``BoxCoder`` with weights (1/v_c, 1/v_c, 1/v_s, 1/v_s).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from .boxes import as_boxes, box_convert


def _variances(variances: Sequence[float], fn: str) -> tuple[float, float]:
    v = tuple(float(x) for x in variances)
    if len(v) != 2 or not all(np.isfinite(x) and x > 0 for x in v):
        raise ValueError(f"{fn}: variances must be two positive numbers (centre, size), got {variances!r}")
    return v


def _same_rows(a: np.ndarray, b: np.ndarray, fn: str, names: tuple[str, str]) -> None:
    if len(a) != len(b):
        raise ValueError(f"{fn}: {names[0]} and {names[1]} must have the same number of rows "
                         f"(one prior per box), got {len(a)} and {len(b)}")


def encode(boxes, priors, variances: Sequence[float] = (0.1, 0.2)) -> np.ndarray:
    """Offsets (N, 4) as (t_x, t_y, t_w, t_h) of ``boxes`` (N, 4) from ``priors`` (N, 4), both xyxy
    with positive sizes."""
    vc, vs = _variances(variances, "encode")
    b = box_convert(as_boxes(boxes, "encode", "boxes", positive=True), "xyxy", "cxcywh")
    p = box_convert(as_boxes(priors, "encode", "priors", positive=True), "xyxy", "cxcywh")
    _same_rows(b, p, "encode", ("boxes", "priors"))
    centre = (b[:, :2] - p[:, :2]) / (vc * p[:, 2:])
    size = np.log(b[:, 2:] / p[:, 2:]) / vs
    return np.concatenate([centre, size], axis=1)


def decode(offsets, priors, variances: Sequence[float] = (0.1, 0.2)) -> np.ndarray:
    """Boxes (N, 4) as xyxy from ``offsets`` (N, 4) and ``priors`` (N, 4, xyxy): the inverse of :func:`encode`."""
    vc, vs = _variances(variances, "decode")
    t = np.asarray(offsets)
    if t.ndim != 2 or t.shape[1] != 4 or t.dtype.kind not in "fiu":
        raise ValueError(f"decode: offsets must be real numbers of shape (N, 4), got dtype {t.dtype}, shape {t.shape}")
    if not np.isfinite(t).all():
        raise ValueError("decode: offsets must be finite")
    p = box_convert(as_boxes(priors, "decode", "priors", positive=True), "xyxy", "cxcywh")
    _same_rows(t, p, "decode", ("offsets", "priors"))
    centre = p[:, :2] + t[:, :2] * vc * p[:, 2:]
    size = p[:, 2:] * np.exp(t[:, 2:] * vs)
    return np.concatenate([centre - size / 2, centre + size / 2], axis=1)
