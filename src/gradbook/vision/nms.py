"""Non-maximum suppression with torchvision.ops' semantics.

Greedy: take the highest-scoring box left, keep it, drop every remaining box whose IoU with it is
*greater* than ``iou_threshold``; repeat. Boxes are visited in decreasing score with a stable sort
(equal scores in index order), so ties resolve as torchvision's CPU kernel does. The loop runs once
per kept box; each pass is one vectorised IoU row.
"""
from __future__ import annotations

import numpy as np

from .boxes import as_boxes, iou_checked


def _scores(scores, n: int, fn: str) -> np.ndarray:
    s = np.asarray(scores)
    if s.dtype.kind not in "fiu":
        raise TypeError(f"{fn}: scores must hold real numbers, got dtype {s.dtype}")
    if s.shape != (n,):
        raise ValueError(f"{fn}: scores must have shape ({n},) (one per box), got shape {s.shape}")
    if np.isnan(s).any():
        raise ValueError(f"{fn}: scores contain NaN at index {int(np.flatnonzero(np.isnan(s))[0])}")
    return s


def _threshold(iou_threshold, fn: str) -> float:
    t = float(iou_threshold)
    if np.isnan(t):
        raise ValueError(f"{fn}: iou_threshold must be a number, got {iou_threshold!r}")
    return t


def _greedy(boxes: np.ndarray, order: np.ndarray, threshold: float) -> list[int]:
    keep = []
    while order.size:
        best = order[0]
        keep.append(int(best))
        rest = order[1:]
        iou = iou_checked(boxes[best:best + 1], boxes[rest])[0]
        order = rest[~(iou > threshold)]  # NaN (empty boxes) never suppresses, as in torchvision
    return keep


def nms(boxes, scores, iou_threshold: float) -> np.ndarray:
    """Indices (int64) of the boxes kept, in decreasing order of score.

    boxes: (N, 4) as (x1, y1, x2, y2); scores: (N,); a box is dropped when its IoU with a kept,
    higher-scoring box is > ``iou_threshold``.
    """
    b = as_boxes(boxes, "nms")
    s = _scores(scores, len(b), "nms")
    order = np.argsort(-s, kind="stable")
    return np.asarray(_greedy(b, order, _threshold(iou_threshold, "nms")), dtype=np.int64)


def batched_nms(boxes, scores, idxs, iou_threshold: float) -> np.ndarray:
    """NMS done separately for each category in ``idxs`` (boxes of different categories never
    suppress each other); the kept indices of all categories, in decreasing order of score
    (equal scores in index order, as torchvision's coordinate-offset path gives).

    boxes: (N, 4); scores: (N,); idxs: (N,) integer category of each box.
    """
    b = as_boxes(boxes, "batched_nms")
    s = _scores(scores, len(b), "batched_nms")
    c = np.asarray(idxs)
    if c.shape != (len(b),) or (c.size and c.dtype.kind not in "iub"):
        raise ValueError(f"batched_nms: idxs must be integers of shape ({len(b)},) (one category per box), "
                         f"got dtype {c.dtype}, shape {c.shape}")
    t = _threshold(iou_threshold, "batched_nms")
    order = np.argsort(-s, kind="stable")
    keep = np.zeros(len(b), dtype=bool)
    for category in np.unique(c):
        keep[_greedy(b, order[c[order] == category], t)] = True
    return order[keep[order]].astype(np.int64)
