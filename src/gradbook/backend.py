"""Where arrays come from: the array module, the default dtype, the random source, and the C
allocator's setting for freed memory.

Arrays are NumPy arrays: every op is written against ``numpy``. Every random draw in gradbook goes
through :func:`rng`, so ``gb.manual_seed(s)`` makes a whole run reproducible. Importing gradbook
lets glibc's allocator keep large freed blocks for reuse (:func:`retain_freed_memory`), unless the
environment variable ``GRADBOOK_RETAIN_FREED_MEMORY`` is ``0``.
"""
from __future__ import annotations

import os
import random as _pyrandom

import numpy as np

_default_dtype: np.dtype = np.dtype(np.float32)
_rng: np.random.Generator = np.random.default_rng()

_FLOAT_DTYPES = (np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64))


def set_default_dtype(dtype) -> None:
    """Set the floating dtype new tensors get (float32 unless changed; float64 for gradchecks)."""
    global _default_dtype
    d = np.dtype(dtype)
    if d not in _FLOAT_DTYPES:
        raise ValueError(f"set_default_dtype: expected a floating dtype, got {d}")
    _default_dtype = d


def get_default_dtype() -> np.dtype:
    return _default_dtype


def manual_seed(seed: int) -> np.random.Generator:
    """Seed every random source of the library (and Python's ``random``); returns the generator."""
    global _rng
    _rng = np.random.default_rng(seed)
    _pyrandom.seed(seed)
    return _rng


def rng() -> np.random.Generator:
    """The library's random generator; read it at the moment of use, never cache it."""
    return _rng


def spawn_rng(seed: int | None = None) -> np.random.Generator:
    """An independent generator: from ``seed`` if given, else drawn from the library's generator."""
    if seed is not None:
        return np.random.default_rng(seed)
    return np.random.default_rng(_rng.integers(0, 2**63 - 1))


_M_TRIM_THRESHOLD, _M_TOP_PAD, _M_MMAP_THRESHOLD = -1, -2, -3  # glibc mallopt parameters
RETAIN_FREED_MEMORY_ENV = "GRADBOOK_RETAIN_FREED_MEMORY"
_memory_retained = False


def retain_freed_memory() -> bool:
    """Let the C allocator keep freed blocks (up to 32 MiB each) for reuse instead of handing them
    back to the system.

    glibc's default maps every large array afresh, and touching a new map costs a page fault per
    4 KiB. A training step allocates and frees the same large temporaries (im2col columns,
    gradients) every time, and those faults are a sizeable share of a small network's step. The
    price: the process keeps its peak memory instead of shrinking between steps, and the setting
    holds for the whole process (PyTorch in the same process allocates through the same allocator).

    **On by default**: ``import gradbook`` calls this, unless the environment variable
    ``GRADBOOK_RETAIN_FREED_MEMORY`` is ``0`` when gradbook is first imported
    (``GRADBOOK_RETAIN_FREED_MEMORY=0 python train.py`` keeps glibc's own behaviour); calling it
    later turns it on all the same. glibc only: elsewhere (macOS, Windows, musl) nothing changes.
    Returns whether the setting is in effect; see also :func:`freed_memory_retained`.
    """
    global _memory_retained
    if _memory_retained:
        return True
    import ctypes
    import sys

    if not sys.platform.startswith("linux"):
        return False
    try:
        # the symbols already loaded into this process: no library search (find_library would run
        # ldconfig on every import of gradbook)
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    _memory_retained = bool(mallopt(_M_MMAP_THRESHOLD, 32 << 20) and mallopt(_M_TRIM_THRESHOLD, 1 << 30)
                            and mallopt(_M_TOP_PAD, 64 << 20))
    return _memory_retained


def freed_memory_retained() -> bool:
    """Whether :func:`retain_freed_memory`'s allocator setting is in effect in this process."""
    return _memory_retained


if os.environ.get(RETAIN_FREED_MEMORY_ENV, "1").strip() != "0":
    retain_freed_memory()
