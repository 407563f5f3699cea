"""ssd-small-objects recomputed in torch: SSD300's priors from a cell-by-cell loop (not vision.ssd_priors),
IoU from torch expressions (not vision.box_iou), on the entry's sampled objects; then the verdicts."""
import itertools
import math

import numpy as np
import torch

from gradbook import handbook
from gradbook.handbook.entries import ssd_small_objects as entry


def _ssd300_priors_loop() -> torch.Tensor:
    maps, image = (38, 19, 10, 5, 3, 1), 300
    mins, maxs, steps = (30, 60, 111, 162, 213, 264), (60, 111, 162, 213, 264, 315), (8, 16, 32, 64, 100, 300)
    ratios = ((2,), (2, 3), (2, 3), (2, 3), (2,), (2,))
    out, which = [], []
    for k, f in enumerate(maps):
        s, big = mins[k] / image, math.sqrt(mins[k] * maxs[k]) / image
        sizes = [(s, s), (big, big)]
        for r in ratios[k]:
            sizes += [(s * r ** .5, s / r ** .5), (s / r ** .5, s * r ** .5)]
        for i, j in itertools.product(range(f), repeat=2):
            cx, cy = (j + 0.5) * steps[k] / image, (i + 0.5) * steps[k] / image
            for w, h in sizes:
                w, h = min(w, 1.0), min(h, 1.0)
                out.append((cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2))
                which.append(k)
    return torch.tensor(out, dtype=torch.float64), np.array(which)


def _iou(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    wh = (torch.minimum(a[:, None, 2:], b[None, :, 2:]) - torch.maximum(a[:, None, :2], b[None, :, :2])).clamp(min=0)
    inter = wh[..., 0] * wh[..., 1]
    area = lambda x: (x[:, 2] - x[:, 0]) * (x[:, 3] - x[:, 1])  # noqa: E731
    return inter / (area(a)[:, None] + area(b)[None, :] - inter)


def test_ssd_small_objects_numbers_and_verdicts():
    r = handbook.run("ssd-small-objects", quick=True)
    priors, which = _ssd300_priors_loop()
    assert r.numbers["n_priors"] == len(priors) == 8732
    assert r.numbers["map0_priors"] == 38 * 38 * 4
    area = ((priors[:, 2] - priors[:, 0]) * (priors[:, 3] - priors[:, 1])).min().item() * 300 ** 2
    assert np.isclose(r.numbers["smallest_prior_px"], 30) and np.isclose(area, 900)
    n = 100
    matched, any_hit, best_map = {}, {}, {}
    for i, side in enumerate(entry.SIDES):
        if 32 <= side <= 96:
            continue  # neither small nor large: not in the recomputed numbers
        iou = _iou(torch.from_numpy(entry.sample_objects(side, n, seed=i)), priors)
        matched[side] = (iou >= 0.5).sum(1).double().mean().item()
        any_hit[side] = (iou >= 0.5).any(1).double().mean().item()
        best_map[side] = which[iou.argmax(1).numpy()]
        if side < r.numbers["never_matched_below_px"]:
            assert matched[side] == 0  # the area bound: IoU <= A/P
    small = [s for s in entry.SIDES if s < 32]
    large = [s for s in entry.SIDES if s > 96]
    assert np.isclose(r.numbers["small_matched"], np.mean([matched[s] for s in small]))
    assert np.isclose(r.numbers["large_matched"], np.mean([matched[s] for s in large]))
    assert np.isclose(r.numbers["small_any"], np.mean([any_hit[s] for s in small]))
    first = np.mean(np.concatenate([best_map[s] for s in small]) == 0)
    assert np.isclose(r.numbers["small_on_first_map"], first)
    base = entry.sample_objects(16, n, seed=100)
    centre, half = (base[:, :2] + base[:, 2:]) / 2, (base[:, 2:] - base[:, :2])  # 2x zoom: half-size = full size
    zoomed = torch.from_numpy(np.concatenate([centre - half, centre + half], 1))
    zoom_in = (_iou(zoomed, priors) >= 0.5).sum(1).double().mean().item()
    assert np.isclose(r.numbers["zoom_in_matched"], zoom_in)
    expected = {"few-priors": "confirmed" if r.numbers["small_matched"] < 0.25 * r.numbers["large_matched"]
                and r.numbers["small_any"] < 0.5 else "corrected",
                "crop-enlarges": "confirmed" if zoom_in > 2 * max(r.numbers["zoom_base_matched"], 0.5) else "corrected",
                "needs-large-map": "confirmed" if first > 0.9 else "corrected"}
    assert r.verdicts == expected == {k: "confirmed" for k in expected}
