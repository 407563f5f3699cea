"""``gradbook.vision`` against torch on SSD-sized work: IoU of 1,000 ground truths with SSD300's
8,732 priors (torchvision.ops.boxes.box_iou), NMS of 3,000 boxes (the same greedy loop written
with torch ops: torchvision's compiled nms does not load beside the CPU torch here) and SSD matching
(ssd.pytorch's steps in torch).

    python benchmarks/vision.py                # 5 alternated rounds
    python benchmarks/vision.py --repeat 3 --inner 5

Each library runs in its own subprocess (fresh interpreter, one thread, same seed so the same boxes)
in alternated order; a worker times each call ``--inner`` times and reports the least CPU time, the
parent prints the median over rounds and the ratio torch / gradbook (> 1: gradbook is faster). The workers
also return a checksum of each result, and the parent checks that both computed the same thing.
"""
from __future__ import annotations

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from _timing import alternated_main, ratio_table, worker_report  # noqa: E402

N_GT, N_NMS = 1000, 3000


def make_boxes(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    lo = rng.uniform(0, 0.9, (n, 2))
    return np.concatenate([lo, lo + rng.uniform(0.02, 0.3, (n, 2))], axis=1), rng.random(n)


def _torch_ops():
    import importlib
    import importlib.util
    import types

    import torch

    spec = importlib.util.find_spec("torchvision")
    package = types.ModuleType("torchvision")  # its __init__ loads compiled ops this torch lacks
    package.__path__ = list(spec.submodule_search_locations)
    sys.modules.setdefault("torchvision", package)
    box_iou = importlib.import_module("torchvision.ops.boxes").box_iou

    def nms(boxes, scores, threshold):
        order = torch.sort(scores, descending=True, stable=True).indices
        keep = []
        while order.numel():
            best = order[0]
            keep.append(int(best))
            rest = order[1:]
            order = rest[~(box_iou(boxes[best:best + 1], boxes[rest])[0] > threshold)]
        return torch.tensor(keep)

    def match(priors, gts, labels, threshold):
        overlaps = box_iou(gts, priors)
        best_prior = overlaps.argmax(1)
        best_overlap, best_gt = overlaps.max(0)
        best_overlap[best_prior] = 2.0
        best_gt[best_prior] = torch.arange(len(gts))
        return torch.where(best_overlap >= threshold, labels[best_gt], 0)

    return torch, box_iou, nms, match


def worker(lib: str, inner: int) -> None:
    from gradbook import vision

    priors = vision.ssd_priors(**vision.SSD300)
    gts, _ = make_boxes(N_GT, 0)
    boxes, scores = make_boxes(N_NMS, 1)
    labels = np.arange(N_GT) % 20 + 1
    if lib == "gradbook":
        calls = {"box_iou": lambda: vision.box_iou(gts, priors),
                 "nms": lambda: vision.nms(boxes, scores, 0.5),
                 "match": lambda: vision.match(priors, gts, labels, 0.5).labels}
    else:
        torch, box_iou, nms, match = _torch_ops()
        torch.set_num_threads(1)
        tp, tg, tb, ts = (torch.from_numpy(a) for a in (priors, gts, boxes, scores))
        tl = torch.from_numpy(labels)
        calls = {"box_iou": lambda: box_iou(tg, tp), "nms": lambda: nms(tb, ts, 0.5),
                 "match": lambda: match(tp, tg, tl, 0.5)}
    worker_report(calls, inner, _checksum)


def _checksum(result) -> list:
    """Size and sum (to 6 decimals) of a result, the same from both libraries."""
    result = np.asarray(result, dtype=np.float64)
    return [int(result.size), float(np.round(result.sum(), 6))]


def main() -> None:
    calls = [("box_iou", f"box_iou {N_GT} x 8,732"), ("nms", f"nms {N_NMS} boxes, 0.5"),
             ("match", f"match {N_GT} gts to 8,732 priors")]
    alternated_main(__file__, __doc__, worker, lambda repeat, runs: ratio_table(
        f"vision on SSD300's 8,732 priors, one thread (least CPU time, median of {repeat} rounds)", runs, calls),
        width=100)


if __name__ == "__main__":
    main()
