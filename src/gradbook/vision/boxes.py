"""Boxes as (x1, y1, x2, y2): checking, conversion, area and pairwise IoU (torchvision.ops' names).

Every function takes arrays of shape ``(N, 4)``; a box with ``x2 < x1`` or ``y2 < y1``, a wrong
shape or a NaN/infinite coordinate is refused with an error naming the function and the argument.
A box of zero width or height is allowed (its area is 0).
"""
from __future__ import annotations

import numpy as np

FORMATS = ("xyxy", "xywh", "cxcywh")


def as_boxes(boxes, fn: str, arg: str = "boxes", *, positive: bool = False) -> np.ndarray:
    """``boxes`` as a float array of shape (N, 4), checked; ``positive`` also refuses zero-size boxes."""
    a = np.asarray(boxes)
    if a.dtype.kind not in "fiu" or a.dtype.kind == "c":
        raise TypeError(f"{fn}: {arg} must hold real numbers, got dtype {a.dtype}")
    if a.ndim != 2 or a.shape[1] != 4:
        raise ValueError(f"{fn}: {arg} must have shape (N, 4) as (x1, y1, x2, y2), got shape {a.shape}")
    a = a if a.dtype.kind == "f" else a.astype(np.float64)
    if not np.isfinite(a).all():
        row = int(np.flatnonzero(~np.isfinite(a).all(axis=1))[0])
        raise ValueError(f"{fn}: {arg} must be finite, got {a[row].tolist()} at row {row}")
    width, height = a[:, 2] - a[:, 0], a[:, 3] - a[:, 1]
    bad = (width <= 0) | (height <= 0) if positive else (width < 0) | (height < 0)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        need = "x2 > x1 and y2 > y1" if positive else "x2 >= x1 and y2 >= y1"
        raise ValueError(f"{fn}: {arg} must be (x1, y1, x2, y2) with {need}, got {a[row].tolist()} "
                         f"at row {row} ({int(bad.sum())} such box(es))")
    return a


def box_area(boxes) -> np.ndarray:
    """area = (x2 − x1)(y2 − y1).  Input (N, 4), output (N,)."""
    b = as_boxes(boxes, "box_area")
    return (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])


def _inter_union(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairwise intersection and union areas, each (N, M), of checked boxes.

    Written per coordinate with in-place updates: for N x M in the millions (ground truths x SSD's
    priors) the time goes to memory traffic, and this touches two (N, M) arrays instead of six
    (N, M, 2) temporaries."""
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    inter = np.minimum(a[:, None, 2], b[None, :, 2])
    inter -= np.maximum(a[:, None, 0], b[None, :, 0])
    np.maximum(inter, 0, out=inter)                     # width of the overlap
    height = np.minimum(a[:, None, 3], b[None, :, 3])
    height -= np.maximum(a[:, None, 1], b[None, :, 1])
    np.maximum(height, 0, out=height)
    inter *= height
    union = np.add(area_a[:, None], area_b[None, :], out=height)
    union -= inter
    return inter, union


def iou_checked(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU of boxes already checked by :func:`as_boxes` (the inner loop of nms and match)."""
    inter, union = _inter_union(a, b)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.divide(inter, union, out=inter)  # 0/0 (two empty boxes) is NaN, as in torchvision


def box_iou(boxes1, boxes2) -> np.ndarray:
    """Jaccard overlap IoU(a, b) = |a ∩ b| / |a ∪ b| for every pair.

    Input (N, 4) and (M, 4); output (N, M). Two boxes of zero area give NaN (0/0), as torchvision.
    """
    return iou_checked(as_boxes(boxes1, "box_iou", "boxes1"), as_boxes(boxes2, "box_iou", "boxes2"))


def box_convert(boxes, in_fmt: str, out_fmt: str) -> np.ndarray:
    """Between ``xyxy`` (corners), ``xywh`` (corner and size) and ``cxcywh`` (centre and size).

    Input (N, 4), output (N, 4). The input is checked as a box in its own format (sizes ≥ 0).
    """
    for name, fmt in (("in_fmt", in_fmt), ("out_fmt", out_fmt)):
        if fmt not in FORMATS:
            raise ValueError(f"box_convert: {name} must be one of {FORMATS}, got {fmt!r}")
    a = np.asarray(boxes)
    if in_fmt != "xyxy":
        if a.ndim != 2 or a.shape[1] != 4:
            raise ValueError(f"box_convert: boxes must have shape (N, 4), got shape {a.shape}")
        a = a.astype(np.float64) if a.dtype.kind != "f" else a
        lo = a[:, :2] if in_fmt == "xywh" else a[:, :2] - a[:, 2:] / 2
        a = np.concatenate([lo, lo + a[:, 2:]], axis=1)
    xyxy = as_boxes(a, "box_convert")
    if out_fmt == "xyxy":
        return xyxy.copy()
    size = xyxy[:, 2:] - xyxy[:, :2]
    start = xyxy[:, :2] if out_fmt == "xywh" else (xyxy[:, :2] + xyxy[:, 2:]) / 2
    return np.concatenate([start, size], axis=1)
