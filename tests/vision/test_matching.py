import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from gradbook.vision import match


def ssd_match_reference(priors, gts, labels, threshold):
    """ssd.pytorch's match(), its steps written out in torch: (gt index or -1, label or 0)."""
    p, g = torch.from_numpy(priors), torch.from_numpy(gts)
    lt = torch.maximum(g[:, None, :2], p[None, :, :2])
    rb = torch.minimum(g[:, None, 2:], p[None, :, 2:])
    inter = (rb - lt).clamp(min=0).prod(-1)
    area = lambda b: (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])  # noqa: E731
    overlaps = inter / (area(g)[:, None] + area(p)[None, :] - inter)
    best_prior = overlaps.argmax(1)
    best_truth_overlap, best_truth = overlaps.max(0)
    best_truth_overlap[best_prior] = 2.0
    for j in range(len(g)):
        best_truth[best_prior[j]] = j
    positive = best_truth_overlap >= threshold
    label = torch.from_numpy(labels)[best_truth]
    return torch.where(positive, best_truth, -1).numpy(), torch.where(positive, label, 0).numpy()


@st.composite
def scenes(draw):
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    n_p, n_g = draw(st.integers(1, 60)), draw(st.integers(1, 6))
    lo = rng.uniform(0, 1, (n_p, 2))
    priors = np.c_[lo, lo + rng.uniform(0.02, 0.5, (n_p, 2))]
    lo = rng.uniform(0, 1, (n_g, 2))
    gts = np.c_[lo, lo + rng.uniform(0.01, 0.6, (n_g, 2))]
    if n_g > 1 and draw(st.booleans()):
        gts[1] = gts[0] * 1.001  # two objects that want the same prior
    return priors, gts, rng.integers(1, 5, n_g)


@given(scenes(), st.sampled_from([0.3, 0.5, 0.7]))
def test_match_equals_ssd_reference(scene, threshold):
    priors, gts, labels = scene
    m = match(priors, gts, labels, threshold)
    gt_index, lab = ssd_match_reference(priors, gts, labels, threshold)
    np.testing.assert_array_equal(m.gt_index, gt_index)
    np.testing.assert_array_equal(m.labels, lab)


def test_box_targets_encode_each_positive_against_its_prior():
    priors = np.array([[0, 0, 0.5, 0.5], [0.5, 0, 1, 0.5], [0, 0.5, 0.5, 1]])
    gts = np.array([[0.05, 0.05, 0.45, 0.45]])                        # centre (0.25, 0.25), side 0.4
    t = match(priors, gts, [1], 0.5).box_targets(priors, gts, (0.1, 0.2))
    # prior 0: centre (0.25, 0.25), side 0.5 -> offsets (0, 0, log(0.4/0.5)/0.2 twice); others background
    np.testing.assert_allclose(t, [[0, 0, np.log(0.8) / 0.2, np.log(0.8) / 0.2], [0, 0, 0, 0], [0, 0, 0, 0]],
                               atol=1e-12)
    with pytest.raises(ValueError, match="box_targets: priors must be the 3 matched priors"):
        match(priors, gts, [1]).box_targets(priors[:2], gts)


def test_small_object_gets_its_best_prior_by_hand():
    priors = np.array([[0, 0, 0.5, 0.5], [0.5, 0, 1, 0.5], [0, 0.5, 0.5, 1]])
    gts = np.array([[0.05, 0.05, 0.15, 0.15], [0.45, 0, 1, 0.5]])   # tiny: IoU 0.04 with prior 0
    m = match(priors, gts, [3, 7], 0.5)
    assert m.gt_index.tolist() == [0, 1, -1] and m.labels.tolist() == [3, 7, 0]
    assert m.forced.tolist() == [True, True, False]
    np.testing.assert_allclose(m.iou[:2], [0.01 / 0.25, 0.25 / 0.275])


def test_bad_inputs_are_named():
    with pytest.raises(ValueError, match="match: gt_boxes .* x2 > x1"):
        match([[0, 0, 1, 1]], [[0, 0, 0, 1]], [1])
    with pytest.raises(ValueError, match="labels must be >= 1"):
        match([[0, 0, 1, 1]], [[0, 0, 1, 1]], [0])
    with pytest.raises(ValueError, match=r"labels must be integers of shape \(1,\)"):
        match([[0, 0, 1, 1]], [[0, 0, 1, 1]], [1, 2])
    with pytest.raises(ValueError, match="iou_threshold"):
        match([[0, 0, 1, 1]], [[0, 0, 1, 1]], [1], 1.5)
    assert match([[0, 0, 1, 1]], np.zeros((0, 4)), np.zeros(0, int)).gt_index.tolist() == [-1]
