import numpy as np
import pytest

from gradbook.vision import batched_nms, nms


def test_nms_by_hand():
    boxes = [[0, 0, 10, 10], [1, 1, 11, 11], [20, 20, 30, 30], [0, 0, 10, 9]]
    scores = [0.9, 0.8, 0.7, 0.95]
    # box 3 (0.95) first; IoU(3, 0) = 90/100 = 0.9, IoU(3, 1) = 72/118 = 0.61, IoU(0, 1) = 81/119 = 0.68
    assert nms(boxes, scores, 0.5).tolist() == [3, 2]
    assert nms(boxes, scores, 0.65).tolist() == [3, 1, 2]     # 0 dropped (0.9), 1 stays (0.61)
    assert nms(boxes, scores, 0.9).tolist() == [3, 0, 1, 2]   # 0.9 is not > 0.9: 0 stays, then 1 (0.68)
    assert nms(boxes, scores, 0.67).tolist() == [3, 1, 2]


def test_equal_iou_is_not_suppressed_and_ties_keep_index_order():
    boxes = [[0, 0, 2, 1], [1, 0, 3, 1]]       # IoU 1/3
    assert nms(boxes, [1.0, 1.0], 1 / 3).tolist() == [0, 1]
    assert nms(boxes, [1.0, 1.0], 0.3).tolist() == [0]
    assert nms(np.zeros((0, 4)), np.zeros(0), 0.5).tolist() == []


def test_batched_nms_keeps_categories_apart():
    boxes = [[0, 0, 10, 10], [0, 0, 10, 10], [0, 0, 10, 10]]
    assert batched_nms(boxes, [0.5, 0.9, 0.7], [0, 1, 0], 0.5).tolist() == [1, 2]
    assert batched_nms(boxes, [0.5, 0.9, 0.7], [0, 0, 0], 0.5).tolist() == [1]


def test_bad_inputs_are_named():
    with pytest.raises(ValueError, match=r"nms: scores must have shape \(2,\)"):
        nms([[0, 0, 1, 1], [0, 0, 1, 1]], [1.0], 0.5)
    with pytest.raises(ValueError, match="nms: boxes .* x2 >= x1"):
        nms([[0, 0, -1, 1]], [1.0], 0.5)
    with pytest.raises(ValueError, match="batched_nms: idxs"):
        batched_nms([[0, 0, 1, 1]], [1.0], [0.5], 0.5)
    with pytest.raises(ValueError, match="scores contain NaN"):
        nms([[0, 0, 1, 1]], [np.nan], 0.5)
