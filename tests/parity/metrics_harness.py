"""The metrics parity harness: call gradbook.metrics.<name> and sklearn.metrics.<name> on the same
inputs and require equal values (1e-12, or exactly with dtypes), the same warning classes, or
exceptions of the same type; ``message=True`` also requires scikit-learn's message text after
gradbook's ``name: `` prefix."""
from __future__ import annotations

import re
import warnings

import numpy as np
import sklearn.metrics as skm

import gradbook.metrics as gbm


def _run(fn, args, kwargs):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            out = fn(*args, **kwargs)
        except Exception as e:  # noqa: BLE001 - the exception type is what is compared
            out = e
    return out, sorted({w.category.__name__ for w in caught if not issubclass(w.category, DeprecationWarning)})


def _braces_sorted(text: str) -> str:
    """The text with each "{'a', 'b'}" listing sorted: scikit-learn's parameter errors print a
    Python set, whose order changes with the hash seed of the process."""
    return re.sub(r"\{('[^{}]*')\}", lambda m: "{" + ", ".join(sorted(m.group(1).split(", "))) + "}", text)


def _assert_same(got, want, exact: bool):
    if isinstance(want, (tuple, list)):
        assert isinstance(got, (tuple, list)) and len(got) == len(want)
        for g, w in zip(got, want):
            _assert_same(g, w, exact)
    elif isinstance(want, dict):
        assert set(got) == set(want)
        for k in want:
            _assert_same(got[k], want[k], exact)
    elif isinstance(want, str):
        assert got == want
    elif want is None:
        assert got is None
    else:
        g, w = np.asarray(got), np.asarray(want)
        assert g.shape == w.shape, (g.shape, w.shape)
        if exact:
            assert g.dtype == w.dtype, (g.dtype, w.dtype)
            np.testing.assert_array_equal(g, w)
        else:
            np.testing.assert_allclose(g.astype(float), w.astype(float), rtol=1e-12, atol=1e-12)


def same(name: str, *args, exact: bool = False, message: bool = False, gb_kwargs: dict | None = None, **kwargs):
    """Call gradbook.metrics.<name> and sklearn.metrics.<name>; both must return equal values
    with the same warning classes, or both raise exceptions of the same family (a ValueError
    for scikit-learn's InvalidParameterError, a TypeError for NumPy's UFuncTypeError); with ``message`` the gradbook message
    must be ``"<name>: " + scikit-learn's message``."""
    got, got_w = _run(getattr(gbm, name), args, {**kwargs, **(gb_kwargs or {})})
    want, want_w = _run(getattr(skm, name), args, kwargs)
    if isinstance(want, Exception):
        assert isinstance(got, Exception), f"{name}: sklearn raised {want!r}, gradbook returned {got!r}"
        assert isinstance(got, type(want)) or any(isinstance(want, family) and isinstance(got, family)
                                                  for family in (ValueError, TypeError)), \
            f"{name}: sklearn raised {type(want).__name__}, gradbook {type(got).__name__}: {got}"
        if message:
            assert _braces_sorted(str(got)) == _braces_sorted(f"{name}: {want}"), \
                f"message differs:\n gradbook {got}\n sklearn  {want}"
        return None
    assert not message, f"{name}: sklearn returned {want!r}, a refusal was expected"
    if isinstance(got, Exception):
        raise AssertionError(f"{name}: gradbook raised {got!r}, sklearn returned {want!r}")
    assert got_w == want_w, f"{name}: warnings differ: gradbook {got_w}, sklearn {want_w}"
    _assert_same(got, want, exact)
    return got
