"""SSD's matching of ground-truth boxes to priors (Liu et al. 2016, §2.2).

1. Every ground-truth box takes the prior it overlaps most (so each object has at least one prior,
   however small it is).
2. Every other prior takes the ground truth it overlaps most if that IoU is ≥ ``iou_threshold``,
   else it is background.

When two ground truths pick the same best prior in step 1, the later one keeps it (ssd.pytorch's
loop order).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from .boxes import as_boxes, iou_checked
from .coder import encode


@dataclass
class Match:
    """Per prior (P,): ``gt_index`` (−1 for background), ``labels`` (0 for background), ``iou``
    (IoU with the matched ground truth, or the best IoU for background), ``forced`` (True where
    step 1 gave the prior to a ground truth). ``box_targets`` gives the encoded offsets to regress."""

    gt_index: np.ndarray
    labels: np.ndarray
    iou: np.ndarray
    forced: np.ndarray

    @property
    def positive(self) -> np.ndarray:
        return self.gt_index >= 0

    def box_targets(self, priors, gt_boxes, variances: Sequence[float] = (0.1, 0.2)) -> np.ndarray:
        """The regression targets (P, 4): :func:`encode` of each positive prior's ground truth against
        that prior, zeros for the background (what SSD's localisation loss reads)."""
        p, g = np.asarray(priors), np.asarray(gt_boxes)
        if len(p) != len(self.gt_index):
            raise ValueError(f"Match.box_targets: priors must be the {len(self.gt_index)} matched priors, "
                             f"got {len(p)} rows")
        out = np.zeros((len(p), 4), dtype=np.result_type(p.dtype, np.float32))
        pos = self.positive
        if pos.any():
            out[pos] = encode(g[self.gt_index[pos]], p[pos], variances)
        return out


def match(priors, gt_boxes, labels, iou_threshold: float = 0.5) -> Match:
    """Assign each of P priors (P, 4) to one of G ground-truth boxes (G, 4) or to the background.

    ``labels`` (G,) are integer classes ≥ 1 (0 is the background). Boxes are xyxy; ground truths
    must have positive width and height.
    """
    p = as_boxes(priors, "match", "priors")
    g = as_boxes(gt_boxes, "match", "gt_boxes", positive=True)
    lab = np.asarray(labels)
    if lab.shape != (len(g),) or (lab.size and lab.dtype.kind not in "iu"):
        raise ValueError(f"match: labels must be integers of shape ({len(g)},) (one per gt box), "
                         f"got dtype {lab.dtype}, shape {lab.shape}")
    if lab.size and lab.min() < 1:
        raise ValueError(f"match: labels must be >= 1 (0 is the background class), got {int(lab.min())}")
    t = float(iou_threshold)
    if not 0 <= t <= 1:
        raise ValueError(f"match: iou_threshold must be in [0, 1], got {iou_threshold!r}")
    n = len(p)
    if len(g) == 0:
        return Match(np.full(n, -1), np.zeros(n, dtype=np.int64), np.zeros(n), np.zeros(n, dtype=bool))
    overlaps = np.nan_to_num(iou_checked(g, p), copy=False)  # (G, P); an empty prior overlaps nothing
    best_gt = overlaps.argmax(axis=0)                    # per prior
    best_iou = overlaps[best_gt, np.arange(n)]
    best_prior = overlaps.argmax(axis=1)                 # per gt
    # step 1, vectorised with "the last gt wins" on shared priors: first occurrence in reversed order
    last = len(g) - 1 - np.unique(best_prior[::-1], return_index=True)[1]
    forced = np.zeros(n, dtype=bool)
    forced[best_prior[last]] = True
    best_gt[best_prior[last]] = last
    iou = overlaps[best_gt, np.arange(n)]
    positive = forced | (best_iou >= t)
    gt_index = np.where(positive, best_gt, -1)
    return Match(gt_index, np.where(positive, lab[best_gt], 0).astype(np.int64), np.where(positive, iou, best_iou),
                 forced)
