import numpy as np
import pytest

from gradbook.vision import box_area, box_convert, box_iou


def test_iou_by_hand():
    a = [[0, 0, 2, 2], [0, 0, 1, 1]]
    b = [[1, 1, 3, 3], [0, 0, 2, 2], [5, 5, 6, 6]]
    # overlaps: 1x1 of 4+4-1; full containment 1/4; disjoint 0
    expected = np.array([[1 / 7, 1, 0], [0, 1 / 4, 0]])
    np.testing.assert_allclose(box_iou(a, b), expected)
    np.testing.assert_allclose(box_area(a), [4, 1])


def test_empty_sets_give_empty_shapes():
    assert box_iou(np.zeros((0, 4)), [[0, 0, 1, 1]]).shape == (0, 1)
    assert box_area(np.zeros((0, 4))).shape == (0,)


def test_convert_by_hand():
    np.testing.assert_allclose(box_convert([[1, 2, 5, 4]], "xyxy", "cxcywh"), [[3, 3, 4, 2]])
    np.testing.assert_allclose(box_convert([[1, 2, 4, 2]], "xywh", "xyxy"), [[1, 2, 5, 4]])


@pytest.mark.parametrize("boxes, words", [
    ([[2, 0, 1, 1]], ["box_iou", "boxes1", "x2 >= x1", "row 0"]),
    ([[0, 0, 1, 1], [0, 3, 1, 2]], ["boxes1", "row 1"]),
    ([[0, 0, 1]], ["boxes1", "(N, 4)", "(1, 3)"]),
    ([[0, 0, np.nan, 1]], ["boxes1", "finite"]),
    ([["a", "b", "c", "d"]], ["boxes1", "real numbers"]),
])
def test_bad_boxes_are_named(boxes, words):
    with pytest.raises((ValueError, TypeError)) as info:
        box_iou(boxes, [[0, 0, 1, 1]])
    for w in words:
        assert w in str(info.value)


def test_bad_second_argument_and_format_named():
    with pytest.raises(ValueError, match="box_iou: boxes2"):
        box_iou([[0, 0, 1, 1]], [[0, 0, -1, 1]])
    with pytest.raises(ValueError, match="out_fmt"):
        box_convert([[0, 0, 1, 1]], "xyxy", "yxyx")
