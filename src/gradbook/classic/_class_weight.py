"""Class weights as scikit-learn computes them, shared by every classifier that takes ``class_weight``.

``'balanced'`` weighs class c by ``n_samples / (n_classes * count_c)``, so each class carries the
same total weight; a dict maps a label to its weight (labels it omits weigh 1). A classifier turns
its ``class_weight`` into per-sample weights with :func:`class_sample_weight` and multiplies them
into the user's ``sample_weight``.
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np


def compute_class_weight(class_weight, *, classes: np.ndarray, y: np.ndarray, sample_weight=None,
                         owner: str = "compute_class_weight") -> np.ndarray:
    """One weight per entry of ``classes`` (sorted labels), as ``sklearn.utils.compute_class_weight``.

    ``class_weight`` is ``None`` (all ones), ``'balanced'`` or a mapping label -> weight. With
    ``sample_weight`` the balanced counts are weighted: Σw / (n_classes · Σ_{y=c} w).
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
        present = np.bincount(index, minlength=classes.shape[0])
        if (present == 0).any():
            missing = classes[present == 0].tolist()
            raise ValueError(f"{owner}: class_weight='balanced' needs every class in y; no sample of {missing}")
        counts = np.bincount(index, weights=sample_weight, minlength=classes.shape[0]).astype(np.float64)
        with np.errstate(divide="ignore"):  # a class whose samples all weigh 0 gets inf, as scikit-learn
            total = y.shape[0] if sample_weight is None else np.sum(sample_weight)
            return total / (classes.shape[0] * counts)
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


def class_sample_weight(class_weight, y: np.ndarray, *, counts: np.ndarray | None = None,
                        owner: str = "compute_sample_weight") -> np.ndarray:
    """Per-sample weights ``w[i] = class_weight[y[i]]``, as sklearn's ``compute_sample_weight``.

    ``y`` is (n,) or, for several outputs, (n, K): then ``class_weight`` is ``'balanced'`` or a
    list of K mappings, and a sample's weight is the product of its K class weights.
    ``counts`` (n,) are how often each sample was drawn into a bootstrap (a forest's
    ``'balanced_subsample'``; or any per-sample weights): the classes are then balanced within
    that draw (a class's count is the draws of its samples) and samples of classes never drawn
    weigh 0.
    """
    y = np.asarray(y)
    if y.ndim == 1:
        y = y[:, None]
    n_outputs = y.shape[1]
    if n_outputs > 1 and not (class_weight is None or class_weight == "balanced"):
        if isinstance(class_weight, Mapping) or not hasattr(class_weight, "__len__"):
            raise ValueError(f"{owner}: For multi-output, class_weight should be a list of dicts, or the "
                             "string 'balanced'.")
        if len(class_weight) != n_outputs:
            raise ValueError(f"{owner}: For multi-output, number of elements in class_weight should match "
                             "number of outputs.")
    weight = np.ones(y.shape[0], dtype=np.float64)
    for k in range(n_outputs):
        cw = class_weight if n_outputs == 1 or isinstance(class_weight, str) or class_weight is None \
            else class_weight[k]
        classes, index = np.unique(y[:, k], return_inverse=True)
        index = index.reshape(-1)
        if counts is None:
            weight *= compute_class_weight(cw, classes=classes, y=y[:, k], owner=owner)[index]
            continue
        drawn = np.bincount(index, weights=counts, minlength=len(classes)) > 0
        rows = counts > 0
        per_class = np.zeros(len(classes))
        per_class[drawn] = compute_class_weight(cw, classes=classes[drawn], y=y[rows, k],
                                                sample_weight=counts[rows], owner=owner)
        weight *= per_class[index]
    return weight
