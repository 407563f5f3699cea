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
    except ValueError:  # ragged lists: scikit-learn reads them as the retired sequence-of-sequences format
        raise ValueError(f"{func}: {_LEGACY_MULTILABEL}") from None


_LEGACY_MULTILABEL = ("You appear to be using a legacy multi-label data representation. Sequence of sequences are "
                      "no longer supported; use a binary array or sparse matrix instead - the MultiLabelBinarizer "
                      "transformer can convert to this format.")


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
    lengths = [len(v) for v in arrays.values() if v is not None]
    if len(set(lengths)) > 1:
        raise ValueError(f"{func}: Found input variables with inconsistent numbers of samples: {lengths}")
    return lengths[0] if lengths else 0


def check_finite(x: np.ndarray, name: str | None, func: str) -> None:
    """NaN or infinity anywhere is an error, in scikit-learn's words ("Input y_pred contains NaN.",
    or "Input contains NaN." where scikit-learn does not name the input: ``name=None``)."""
    if x.dtype.kind in "fc" and not np.isfinite(x).all():
        what = "NaN" if np.isnan(x).any() else "infinity or a value too large for dtype('float64')"
        raise ValueError(f"{func}: Input {name + ' ' if name else ''}contains {what}.")


def numeric_array(a: np.ndarray, func: str, parse_strings: bool = False) -> np.ndarray:
    """``a`` as numbers, as scikit-learn's ``check_array(dtype='numeric')``: strings are refused
    (``parse_strings``: converted like the rest, as a float dtype request does), objects converted
    to float64 (or refused with NumPy's conversion message); finite values only."""
    if a.dtype.kind in "US" and not parse_strings:
        raise ValueError(f"{func}: dtype='numeric' is not compatible with arrays of bytes/strings.Convert your data "
                         "to numeric values explicitly instead.")
    if a.dtype.kind not in "biuf":
        try:  # through Python objects, so NumPy's message quotes 'a', not np.str_('a')
            a = np.asarray(a.tolist(), dtype=np.float64)
        except (TypeError, ValueError) as e:
            raise ValueError(f"{func}: {e}") from None
    check_finite(a, None, func)
    return a


def check_min_samples(a: np.ndarray, func: str) -> None:
    """At least one sample, in the words of scikit-learn's check_array."""
    if a.ndim >= 1 and a.shape[0] == 0:
        raise ValueError(f"{func}: Found array with 0 sample(s) (shape={a.shape}) while a minimum of 1 is required.")


def check_sample_weight(sample_weight: Any, n: int, func: str) -> np.ndarray | None:
    """``sample_weight`` as a 1-d array of n numbers. Integer weights stay integers (their sums
    are then exact); an object array of numbers becomes float64, as scikit-learn converts it."""
    if sample_weight is None:
        return None
    w = as_array(sample_weight, "sample_weight", func)
    if w.ndim == 0:
        raise ValueError(f"{func}: Singleton array {w!r} cannot be considered a valid collection.")
    w = column_or_1d(w, "sample_weight", func)
    if w.dtype.kind == "O":
        try:
            w = w.astype(np.float64)
        except (TypeError, ValueError):
            raise TypeError(f"{func}: sample_weight must hold numbers, got {w[:3].tolist()}...") from None
    elif w.dtype.kind not in "biuf":
        raise TypeError(f"{func}: sample_weight must be numeric, got dtype {w.dtype}")
    if len(w) != n:
        raise ValueError(f"{func}: Found input variables with inconsistent numbers of samples: [{n}, {n}, {len(w)}]")
    check_finite(w, "sample_weight", func)
    if w.size and not np.any(w):
        raise ValueError(f"{func}: Sample weights must contain at least one non-zero number.")
    return w


def weighted_mean(values: np.ndarray, w: np.ndarray | None) -> float:
    """sum_i w_i v_i / sum_i w_i (plain mean without weights); integer weights are summed in integers."""
    if w is None:
        return float(np.mean(values))
    total = w.sum()
    if total == 0:
        raise ZeroDivisionError("Weights sum to zero, can't be normalized")
    return float(np.dot(values, w) / total)


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
        raise TypeError(f"labels must be all numbers or all strings, got a mix: {set(map(type, y.tolist()))}") \
            from None


def _is_integral_float(values: np.ndarray) -> bool:
    return values.dtype.kind == "f" and bool(np.all(values == np.floor(values)))


def type_of_target(y: np.ndarray, name: str = "y", func: str = "type_of_target") -> str:
    """scikit-learn's target vocabulary: 'binary', 'multiclass', 'continuous',
    'multilabel-indicator', 'multiclass-multioutput', 'continuous-multioutput' or 'unknown'."""
    return target_type_and_classes(y, name, func)[0]


def target_type_and_classes(y: np.ndarray, name: str = "y", func: str = "type_of_target"):
    """(``type_of_target(y)``, sorted distinct values of y or None when not computed), so callers
    that need both pay for one pass over the labels.

    scikit-learn's rules: bytes labels are a TypeError and a 1-d array of sequences (the retired
    sequence-of-sequences format) a ValueError; a 2-d integral array with at most two distinct
    values is 'multilabel-indicator' (its columns are the labels, present where non-zero)."""
    if y.size and y.ndim >= 1:
        first = y.flat[0]
        if isinstance(first, bytes):
            raise TypeError(f"{func}: Support for labels represented as bytes is not supported. Convert the labels "
                            "to a string or integer format.")
        if y.dtype.kind == "O" and isinstance(first, (list, tuple)):
            raise ValueError(f"{func}: {_LEGACY_MULTILABEL}")
    if y.ndim not in (1, 2) or y.dtype.kind in "cV":
        return "unknown", None
    if y.ndim == 2 and 0 in y.shape or y.dtype.kind == "O" and y.size and not isinstance(y.flat[0], str):
        return "unknown", None
    if y.ndim == 2 and y.shape[1] > 1:
        values = unique(y.ravel())
        if len(values) < 3 and (y.dtype.kind in "biu" or _is_integral_float(values)):
            return "multilabel-indicator", values
        suffix = "-multioutput"
    else:
        suffix = ""
        y = y.ravel()
    if y.dtype.kind == "f":
        if not np.all(y == np.floor(y)):
            check_finite(y, name, func)
            return "continuous" + suffix, None
    values = unique(y.ravel())
    if suffix or len(values) > 2:
        return "multiclass" + suffix, values
    return "binary", values


def classification_targets(y_true: Any, y_pred: Any, func: str, sample_weight: Any = None,
                           ) -> tuple[str, np.ndarray, np.ndarray, np.ndarray]:
    """Check a pair of targets as scikit-learn's ``_check_targets``; returns (type, labels, y_true,
    y_pred) with type 'binary', 'multiclass' or 'multilabel-indicator'.

    Labels are the sorted values present in either input, or for indicator matrices (n, L) the
    column numbers 0..L-1. 1-d targets come back 1-d; indicator matrices as given."""
    yt = as_array(y_true, "y_true", func)
    yp = as_array(y_pred, "y_pred", func)
    w = None if sample_weight is None else as_array(sample_weight, "sample_weight", func)
    check_consistent_length(func, y_true=yt if yt.ndim else None, y_pred=yp if yp.ndim else None, sample_weight=w)
    t_true, t_pred = type_of_target(yt, "y_true", func), type_of_target(yp, "y_pred", func)
    if yt.ndim == 0 or yp.ndim == 0 or len(yt) == 0 or len(yp) == 0:
        raise ValueError(f"{func}: Found empty input array (e.g., `y_true` or `y_pred`) while a minimum of 1 sample "
                         "is required.")
    check_sample_weight(sample_weight, len(yt), func)  # scikit-learn checks the weights before the target types
    types = {t_true, t_pred}
    if types == {"binary", "multiclass"}:
        types = {"multiclass"}
    if len(types) > 1:
        raise ValueError(f"{func}: Classification metrics can't handle a mix of {t_true} and {t_pred} targets")
    y_type = types.pop()
    if y_type not in ("binary", "multiclass", "multilabel-indicator"):
        raise ValueError(f"{func}: {y_type} is not supported")
    if y_type == "multilabel-indicator":
        if yt.shape[1] != yp.shape[1]:
            raise ValueError(f"{func}: Multi-label binary indicator input with different numbers of labels")
        return y_type, np.arange(yt.shape[1]), yt, yp
    yt, yp = column_or_1d(yt, "y_true", func), column_or_1d(yp, "y_pred", func)
    if (yt.dtype.kind in "USO") != (yp.dtype.kind in "USO"):
        raise ValueError(f"{func}: Mix of label input types (string and number); Got {unique(yt)} and {unique(yp)}.")
    if yt.dtype == yp.dtype:
        labels = unique(np.concatenate([yt, yp]))
    else:
        # scikit-learn pools the labels in a Python set, y_true's first: equal values keep y_true's
        # type (True stays a bool beside 1.0), and the array is made from the sorted set
        pooled = set(unique(yt).tolist())
        pooled.update(unique(yp).tolist())
        labels = np.asarray(sorted(pooled))
    if y_type == "binary" and len(labels) > 2:
        y_type = "multiclass"
    return y_type, labels, yt, yp


def refuse_multilabel(y_type: str, func: str) -> None:
    """For metrics defined on 1-d labels only: scikit-learn's '<type> is not supported'."""
    if y_type not in ("binary", "multiclass"):
        raise ValueError(f"{func}: {y_type} is not supported")


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
