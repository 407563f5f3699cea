"""Input checks and small pieces shared by gradbook's linear-family estimators.

Validation goes through scikit-learn's ``validate_data`` so that errors read as scikit-learn users
expect and name the estimator ("X has 3 features, but Ridge is expecting 5 features as input.",
"Input X contains NaN. ... Ridge does not accept missing values ..."). gradbook Tensors are accepted
because they implement ``__array__``.
"""
from __future__ import annotations

import numpy as np
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from ._class_weight import compute_class_weight

FLOATS = (np.float64, np.float32)


def _validate(est, *args, **kw):
    """validate_data, with the estimator's name put in front of messages that lack it."""
    try:
        return validate_data(est, *args, **kw)
    except ValueError as err:
        name = type(est).__name__
        if name in str(err):
            raise
        raise ValueError(f"{name}: {err}") from err


def fit_data(est, X, y="no_validation", *, dtype=FLOATS, **kw):
    """Validate X (and y, when given; None is an error) at fit time and record n_features_in_."""
    return _validate(est, X, y, dtype=dtype, reset=True, **kw)


def predict_data(est, X, *, dtype=FLOATS, attr: str | None = None):
    """Check that est is fitted and X is finite with the number of features seen at fit time."""
    check_is_fitted(est, attr)
    return _validate(est, X, dtype=dtype, reset=False)


def encode_classes(est, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """classes_ (sorted) and y as indices into it; a clear error for a single class."""
    if not (y.ndim == 1 and y.dtype.kind in "iub"):  # 1-d integer labels are always class targets;
        check_classification_targets(y)               # the full check costs ~0.1 ms per fit
    classes, y_idx = np.unique(y, return_inverse=True)
    if len(classes) < 2:
        raise ValueError(f"{type(est).__name__} needs samples of at least 2 classes in y, but the "
                         f"data contains only one class: {classes[0]!r}")
    return classes, y_idx


def weighted_class_weight(est, y_idx: np.ndarray, sample_weight: np.ndarray) -> np.ndarray:
    """One weight per class of ``est.classes_`` from ``est.class_weight``, as scikit-learn's linear
    models compute it: 'balanced' counts each class by its total sample weight,
    Σ sᵢ / (n_classes · Σ_{yᵢ = c} sᵢ); a dict or None as ``compute_class_weight``."""
    return compute_class_weight(est.class_weight, classes=est.classes_, y=est.classes_[y_idx],
                                sample_weight=sample_weight, owner=type(est).__name__)


def softmax(Z: np.ndarray) -> np.ndarray:
    """Row-wise softmax, stable: exp(z - max z) / Σ exp(z - max z)."""
    Z = Z - Z.max(axis=1, keepdims=True)
    np.exp(Z, out=Z)
    Z /= Z.sum(axis=1, keepdims=True)
    return Z


def sigmoid(z: np.ndarray) -> np.ndarray:
    """σ(z) = 1 / (1 + e^{-z}) without overflow for large |z|."""
    out = np.empty_like(z)
    pos = z >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
    ez = np.exp(z[~pos])
    out[~pos] = ez / (1.0 + ez)
    return out


def check_param(est, name: str, value, allowed) -> None:
    """ValueError naming the estimator when a string/None option is not one of ``allowed``."""
    if value not in allowed:
        raise ValueError(f"{type(est).__name__}: {name} must be one of {list(allowed)}; got {value!r}")


def check_positive(est, name: str, value, *, strict: bool = True, integer: bool = False) -> None:
    """ValueError naming the estimator for a number that is not (strictly) positive."""
    ok_type = isinstance(value, (int, np.integer)) if integer else isinstance(value, (int, float, np.number))
    if isinstance(value, bool) or not ok_type or (value <= 0 if strict else value < 0):
        kind = "an integer" if integer else "a number"
        raise ValueError(f"{type(est).__name__}: {name} must be {kind} {'>' if strict else '>='} 0; "
                         f"got {value!r}")
