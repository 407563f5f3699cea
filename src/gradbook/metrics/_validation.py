"""Input checks shared by every metric: arrays in, clear errors out.

Every public metric converts its inputs with :func:`as_array` (gradbook Tensors become their
``.data``), and the error messages name the metric, what was expected and what was received.
The target-type vocabulary is scikit-learn's (``type_of_target``) so that the same inputs are
accepted and refused by both libraries.
"""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ..autograd import Tensor


def as_array(x: Any, name: str, func: str) -> np.ndarray:
    """``x`` as an ndarray without copying where possible; Tensors give their ``.data``."""
    if x is None:
        raise ValueError(f"{func}: {name} is required, got None")
    if isinstance(x, Tensor):
        return x.data
    try:
        return np.asarray(x)
    except ValueError as e:  # ragged lists
        raise ValueError(f"{func}: {name} must be array-like of one shape, got {type(x).__name__}: {e}") \
            from None


def column_or_1d(y: np.ndarray, name: str, func: str) -> np.ndarray:
    """Shape (n,) or (n, 1) -> (n,); anything else is an error naming ``func``."""
    if y.ndim == 1:
        return y
    if y.ndim == 2 and y.shape[1] == 1:
        return y[:, 0]
    if y.ndim == 0:
        raise ValueError(f"{func}: {name} must be 1-d, got a scalar {y!r}")
    raise ValueError(f"{func}: {name} must have shape (n_samples,), got {y.shape}")


def check_consistent_length(func: str, **arrays: np.ndarray | None) -> int:
    """All given arrays have the same number of samples; returns it."""
    lengths = {k: len(v) for k, v in arrays.items() if v is not None}
    if len(set(lengths.values())) > 1:
        got = ", ".join(f"{k}: {n}" for k, n in lengths.items())
        raise ValueError(f"{func}: inputs have different numbers of samples ({got})")
    return next(iter(lengths.values()), 0)


def check_finite(x: np.ndarray, name: str, func: str) -> None:
    if x.dtype.kind in "fc" and not np.isfinite(x).all():
        what = "NaN" if np.isnan(x).any() else "infinity"
        raise ValueError(f"{func}: {name} contains {what}; expected finite values")


def check_sample_weight(sample_weight: Any, n: int, func: str) -> np.ndarray | None:
    if sample_weight is None:
        return None
    w = column_or_1d(as_array(sample_weight, "sample_weight", func), "sample_weight", func)
    if len(w) != n:
        raise ValueError(f"{func}: sample_weight has {len(w)} entries, expected {n} (one per sample)")
    if w.dtype.kind not in "biuf":
        raise ValueError(f"{func}: sample_weight must be numeric, got dtype {w.dtype}")
    check_finite(w, "sample_weight", func)
    if w.size and not np.any(w):
        raise ValueError(f"{func}: sample weights must contain at least one non-zero number, got all zeros")
    return w


def unique(y: np.ndarray) -> np.ndarray:
    """Sorted distinct values; integer labels in a narrow range are counted, not sorted."""
    if y.dtype.kind in "iub" and y.size:
        lo, hi = int(y.min()), int(y.max())
        if hi - lo <= 2 * y.size + 1024:
            shifted = y.view(np.uint8) if y.dtype.kind == "b" else (y - lo if lo else y)
            present = np.flatnonzero(np.bincount(shifted, minlength=hi - lo + 1))
            return (present + lo).astype(y.dtype)
    try:
        return np.unique(y)
    except TypeError:
        raise ValueError(f"labels must be all numbers or all strings, got a mix: {set(map(type, y.tolist()))}") \
            from None


def _is_integral_float(values: np.ndarray) -> bool:
    return values.dtype.kind == "f" and bool(np.all(values == np.floor(values)))


def type_of_target(y: np.ndarray, name: str = "y", func: str = "type_of_target") -> str:
    """scikit-learn's target vocabulary: 'binary', 'multiclass', 'continuous',
    'multilabel-indicator', 'multiclass-multioutput', 'continuous-multioutput' or 'unknown'."""
    return target_type_and_classes(y, name, func)[0]


def target_type_and_classes(y: np.ndarray, name: str = "y", func: str = "type_of_target"):
    """(``type_of_target(y)``, sorted distinct values of y or None when not computed), so callers
    that need both pay for one pass over the labels."""
    if y.ndim > 2 or y.ndim == 0 or (y.ndim == 2 and y.shape[1] == 0) or y.dtype.kind in "cV":
        return "unknown", None
    if y.dtype.kind == "O" and y.ndim == 2:
        return "unknown", None
    if y.ndim == 2 and y.shape[1] > 1:
        values = unique(y.ravel())
        if len(values) < 3 and (y.dtype.kind in "biu" or _is_integral_float(values)) and np.all(
                np.isin(values, [0, 1])):
            return "multilabel-indicator", values
        suffix = "-multioutput"
    else:
        suffix = ""
        y = y.ravel()
    if y.dtype.kind == "f":
        check_finite(y, name, func)
        if not np.all(y == np.floor(y)):
            return "continuous" + suffix, None
    values = unique(y.ravel())
    if suffix or len(values) > 2:
        return "multiclass" + suffix, values
    return "binary", values


def classification_targets(y_true: Any, y_pred: Any, func: str) -> tuple[str, np.ndarray, np.ndarray, np.ndarray]:
    """Check a pair of label vectors; returns (type, labels present in either, y_true, y_pred).

    Only 'binary' and 'multiclass' 1-d label vectors are supported (multilabel indicator matrices
    are refused with a ValueError that says so)."""
    yt = as_array(y_true, "y_true", func)
    yp = as_array(y_pred, "y_pred", func)
    if yt.size == 0 or yp.size == 0:
        raise ValueError(f"{func}: found an empty y_true or y_pred; at least 1 sample is required")
    t_true, t_pred = type_of_target(yt, "y_true", func), type_of_target(yp, "y_pred", func)
    types = {t_true, t_pred}
    if types == {"binary", "multiclass"}:
        types = {"multiclass"}
    if len(types) > 1:
        raise ValueError(f"{func}: classification metrics can't handle a mix of {t_true} and {t_pred} targets")
    y_type = types.pop()
    if y_type not in ("binary", "multiclass"):
        raise ValueError(f"{func}: {y_type} targets are not supported; expected 1-d binary or multiclass labels")
    yt, yp = column_or_1d(yt, "y_true", func), column_or_1d(yp, "y_pred", func)
    check_consistent_length(func, y_true=yt, y_pred=yp)
    if (yt.dtype.kind in "USO") != (yp.dtype.kind in "USO"):
        raise ValueError(f"{func}: mix of string and numeric labels (y_true {yt.dtype}, y_pred {yp.dtype})")
    labels = unique(np.concatenate([yt, yp]) if yt.dtype == yp.dtype else
                    np.concatenate([yt.astype(np.result_type(yt, yp)), yp.astype(np.result_type(yt, yp))]))
    if y_type == "binary" and len(labels) > 2:
        y_type = "multiclass"
    return y_type, labels, yt, yp


def check_pos_label(pos_label: Any, classes: np.ndarray, func: str) -> Any:
    """scikit-learn's rule: without ``pos_label`` the classes must be within {0, 1} or {-1, 1}."""
    if pos_label is not None:
        return pos_label
    ok = classes.dtype.kind not in "OUS" and len(classes) <= 2 and any(
        len(classes) == len(ref) and np.all(classes == ref) for ref in ([0, 1], [-1, 1], [0], [-1], [1]))
    if not ok:
        shown = ", ".join(repr(c) for c in classes.tolist())
        raise ValueError(f"{func}: y_true takes value in {{{shown}}} and pos_label is not specified: either make "
                         "y_true take value in {0, 1} or {-1, 1} or pass pos_label explicitly.")
    return 1


def warn_undefined(message: str) -> None:
    """Emit scikit-learn's ``UndefinedMetricWarning`` (imported only when needed: sklearn is slow
    to import), so ``pytest.warns``/filters written for scikit-learn catch ours too."""
    from sklearn.exceptions import UndefinedMetricWarning

    warnings.warn(message, UndefinedMetricWarning, stacklevel=3)
