"""gradbook.vision against torchvision's own box code (ops.boxes, BoxCoder, DefaultBoxGenerator),
loaded without ``import torchvision`` (see models/torchvision_models.py). Its nms is compiled and
does not load here, so NMS is compared with a greedy loop written below the way torchvision's CPU
kernel runs (stable sort by score, suppress IoU > threshold); batched_nms runs torchvision's own
Python paths on top of that loop."""
import importlib
from unittest import mock

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from gradbook import vision
from models.torchvision_models import torchvision_models


def _tv(module: str):
    torchvision_models()
    return importlib.import_module(module)


@st.composite
def box_sets(draw, max_n: int = 30, allow_empty: bool = True):
    """Random xyxy boxes (some of zero width or height) and scores with ties."""
    n = draw(st.integers(0 if allow_empty else 1, max_n))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    xy = rng.uniform(0, 10, size=(n, 2))
    wh = rng.uniform(0, 6, size=(n, 2)) * (rng.random((n, 2)) > 0.05)
    scores = rng.integers(0, 6, size=n) / 5.0 if draw(st.booleans()) else rng.random(n)
    return np.concatenate([xy, xy + wh], axis=1), scores, rng.integers(0, 3, size=n)


def greedy_nms_reference(boxes: torch.Tensor, scores: torch.Tensor, iou_threshold: float) -> torch.Tensor:
    """One box at a time, as torchvision/csrc/ops/cpu/nms_kernel.cpp does."""
    order = torch.sort(scores, descending=True, stable=True).indices.tolist()
    area = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    suppressed, keep = set(), []
    for pos, i in enumerate(order):
        if i in suppressed:
            continue
        keep.append(i)
        for j in order[pos + 1:]:
            w = (torch.minimum(boxes[i, 2], boxes[j, 2]) - torch.maximum(boxes[i, 0], boxes[j, 0])).clamp(min=0)
            h = (torch.minimum(boxes[i, 3], boxes[j, 3]) - torch.maximum(boxes[i, 1], boxes[j, 1])).clamp(min=0)
            inter = w * h
            if inter / (area[i] + area[j] - inter) > iou_threshold:
                suppressed.add(j)
    return torch.tensor(keep, dtype=torch.int64)


@given(box_sets(), box_sets())
def test_box_iou_area_convert_match_torchvision(a, b):
    ops = _tv("torchvision.ops.boxes")
    ta, tb = torch.from_numpy(a[0]), torch.from_numpy(b[0])
    np.testing.assert_allclose(vision.box_iou(a[0], b[0]), ops.box_iou(ta, tb).numpy(), rtol=1e-12, equal_nan=True)
    np.testing.assert_allclose(vision.box_area(a[0]), ops.box_area(ta).numpy(), rtol=1e-12)
    for fmt in ("xywh", "cxcywh"):
        there = vision.box_convert(a[0], "xyxy", fmt)
        np.testing.assert_allclose(there, ops.box_convert(ta, "xyxy", fmt).numpy(), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(vision.box_convert(there, fmt, "xyxy"), a[0], atol=1e-12)


@given(box_sets(), st.sampled_from([0.0, 0.3, 0.5, 0.7, 1.0]), st.sampled_from([np.float32, np.float64]))
def test_nms_matches_greedy_reference(case, threshold, dtype):
    boxes, scores, _ = case
    boxes, scores = boxes.astype(dtype), scores.astype(dtype)  # float32: the same roundings as torchvision's kernel
    expected = greedy_nms_reference(torch.from_numpy(boxes), torch.from_numpy(scores), threshold)
    np.testing.assert_array_equal(vision.nms(boxes, scores, threshold), expected.numpy())


@given(box_sets(), st.sampled_from([0.2, 0.5, 0.8]))
def test_batched_nms_matches_torchvision_paths(case, threshold):
    ops = _tv("torchvision.ops.boxes")
    boxes, scores, idxs = case
    tb, ts, ti = torch.from_numpy(boxes), torch.from_numpy(scores), torch.from_numpy(idxs)
    ours = vision.batched_nms(boxes, scores, idxs, threshold)
    with mock.patch.object(ops, "nms", greedy_nms_reference):
        trick = ops._batched_nms_coordinate_trick(tb, ts, ti, threshold).numpy()
        vanilla = ops._batched_nms_vanilla(tb, ts, ti, threshold).numpy()
    np.testing.assert_array_equal(ours, trick)  # the same boxes in the same order, ties included
    assert sorted(ours.tolist()) == sorted(vanilla.tolist())
    np.testing.assert_array_equal(scores[ours], scores[vanilla])


@given(st.integers(1, 40), st.integers(0, 2**32 - 1))
def test_encode_decode_match_torchvision_boxcoder(n, seed):
    coder = _tv("torchvision.models.detection._utils").BoxCoder(weights=(10.0, 10.0, 5.0, 5.0))
    rng = np.random.default_rng(seed)
    priors = vision.box_convert(np.c_[rng.uniform(0, 1, (n, 2)), rng.uniform(0.05, 0.8, (n, 2))], "cxcywh", "xyxy")
    boxes = vision.box_convert(np.c_[rng.uniform(0, 1, (n, 2)), rng.uniform(0.05, 0.8, (n, 2))], "cxcywh", "xyxy")
    offsets = vision.encode(boxes, priors, (0.1, 0.2))
    expected = coder.encode_single(torch.from_numpy(boxes), torch.from_numpy(priors)).numpy()
    np.testing.assert_allclose(offsets, expected, rtol=1e-10, atol=1e-12)
    decoded = coder.decode_single(torch.from_numpy(offsets), torch.from_numpy(priors)).numpy()
    np.testing.assert_allclose(vision.decode(offsets, priors, (0.1, 0.2)), decoded, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("clip", [True, False])
def test_ssd300_priors_match_torchvision_default_boxes(clip):
    cfg = vision.SSD300
    scales = [m / 300 for m in cfg["min_sizes"]] + [cfg["max_sizes"][-1] / 300]
    gen = _tv("torchvision.models.detection.anchor_utils").DefaultBoxGenerator(
        [list(r) for r in cfg["aspect_ratios"]], scales=scales, steps=list(cfg["steps"]), clip=clip)
    gen._wh_pairs = gen._generate_wh_pairs(len(scales) - 1, dtype=torch.float64)  # its default is float32
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)  # its cell centres are computed in the default dtype
    try:
        grid = gen._grid_default_boxes([[f, f] for f in cfg["feature_map_sizes"]], [300, 300], dtype=torch.float64)
    finally:
        torch.set_default_dtype(previous)
    expected = torch.cat([grid[:, :2] - grid[:, 2:] / 2, grid[:, :2] + grid[:, 2:] / 2], dim=1).numpy()
    ours = vision.ssd_priors(**{**cfg, "clip": clip})
    assert ours.shape == expected.shape == (8732, 4)
    np.testing.assert_allclose(ours, expected, rtol=1e-12, atol=1e-12)
