"""Class weights as scikit-learn computes them, shared by every classifier that takes ``class_weight``.

``'balanced'`` weighs class c by ``n_samples / (n_classes * count_c)``, so each class carries the
same total weight; a dict maps a label to its weight (labels it omits weigh 1). A classifier turns
its ``class_weight`` into per-sample weights with :func:`class_sample_weight` and multiplies them
into the user's ``sample_weight``.
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np


def compute_class_weight(class_weight, *, classes: np.ndarray, y: np.ndarray, owner: str = "compute_class_weight"
                         ) -> np.ndarray:
    """One weight per entry of ``classes`` (sorted labels), as ``sklearn.utils.compute_class_weight``.

    ``class_weight`` is ``None`` (all ones), ``'balanced'`` or a mapping label -> weight.
    """
    classes = np.asarray(classes)
    y = np.asarray(y)
    if class_weight is None or (isinstance(class_weight, Mapping) and len(class_weight) == 0):
        return np.ones(classes.shape[0], dtype=np.float64)
    if isinstance(class_weight, str):
        if class_weight != "balanced":
            raise ValueError(f"{owner}: class_weight must be 'balanced', a dict or None, got {class_weight!r}")
        if not np.isin(y, classes).all():
            raise ValueError(f"{owner}: classes should include all valid labels that can be in y")
        index = np.searchsorted(classes, y)
        counts = np.bincount(index, minlength=classes.shape[0]).astype(np.float64)
        if (counts == 0).any():
            missing = classes[counts == 0].tolist()
            raise ValueError(f"{owner}: class_weight='balanced' needs every class in y; no sample of {missing}")
        return y.shape[0] / (classes.shape[0] * counts)
    if not isinstance(class_weight, Mapping):
        raise ValueError(f"{owner}: class_weight must be 'balanced', a dict or None, "
                         f"got {type(class_weight).__name__}")
    weights = np.ones(classes.shape[0], dtype=np.float64)
    known = set(classes.tolist())
    unknown = [label for label in class_weight if label not in known]
    if unknown:
        raise ValueError(f"{owner}: The classes, {unknown}, are not in class_weight")
    for i, label in enumerate(classes.tolist()):
        if label in class_weight:
            weights[i] = float(class_weight[label])
    return weights


def class_sample_weight(class_weight, y: np.ndarray, *, owner: str = "compute_sample_weight") -> np.ndarray:
    """Per-sample weights ``w[i] = class_weight[y[i]]`` for a 1-d label vector (sklearn's ``compute_sample_weight``)."""
    y = np.asarray(y)
    classes, index = np.unique(y, return_inverse=True)
    return compute_class_weight(class_weight, classes=classes, y=y, owner=owner)[index.reshape(-1)]
