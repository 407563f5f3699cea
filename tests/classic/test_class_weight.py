"""compute_class_weight / class_sample_weight against scikit-learn's public functions."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from sklearn.utils import compute_class_weight as sk_ccw, compute_sample_weight as sk_csw

from gradbook.classic._class_weight import class_sample_weight, compute_class_weight


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 4), min_size=1, max_size=40), st.booleans())
def test_balanced_and_dict_equal_sklearn(labels, use_dict):
    y = np.array(labels)
    classes = np.unique(y)
    cw = {int(c): 0.5 + i for i, c in enumerate(classes[::2])} if use_dict else "balanced"
    np.testing.assert_allclose(compute_class_weight(cw, classes=classes, y=y), sk_ccw(cw, classes=classes, y=y),
                               rtol=1e-15)
    np.testing.assert_allclose(class_sample_weight(cw, y), sk_csw(cw, y), rtol=1e-15)


def test_string_labels_and_none():
    y = np.array(["b", "a", "b", "b"])
    np.testing.assert_allclose(class_sample_weight("balanced", y), sk_csw("balanced", y))
    np.testing.assert_array_equal(class_sample_weight(None, y), np.ones(4))


def test_bad_class_weight_is_named():
    y = np.array([0, 1, 1])
    with pytest.raises(ValueError, match="SVC: class_weight must be 'balanced'"):
        compute_class_weight("auto", classes=np.array([0, 1]), y=y, owner="SVC")
    with pytest.raises(ValueError, match=r"The classes, \[7\], are not in class_weight"):
        compute_class_weight({7: 2.0}, classes=np.array([0, 1]), y=y)
