"""Where arrays come from: the array module, the default dtype and the random source.

Every random draw in gradbook goes through :func:`rng`, so ``gb.manual_seed(s)`` makes a whole
run reproducible. The array module is NumPy; CuPy may be plugged in through :func:`use` with the
same code path when it is installed.
"""
from __future__ import annotations

import random as _pyrandom

import numpy as np

xp = np  # the array module every op uses

_default_dtype: np.dtype = np.dtype(np.float32)
_rng: np.random.Generator = np.random.default_rng()

_FLOAT_DTYPES = (np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64))


def use(name: str) -> None:
    """Select the array module: ``"numpy"`` (always there) or ``"cupy"`` (when installed)."""
    global xp
    if name == "numpy":
        xp = np
    elif name == "cupy":
        try:
            import cupy  # noqa: F401  (optional accelerator)
        except ImportError as exc:
            raise ValueError("backend.use('cupy'): CuPy is not installed") from exc
        xp = cupy
    else:
        raise ValueError(f"backend.use: expected 'numpy' or 'cupy', got {name!r}")


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
_memory_retained = False


def retain_freed_memory() -> bool:
    """Let the C allocator keep freed blocks (up to 32 MiB each) for reuse instead of handing them
    back to the system: glibc's default maps every large array afresh, and touching a new map
    costs a page fault per 4 KiB. A training step allocates and frees the same large
    temporaries (im2col columns, gradients) every time, so this is measured at a quarter of a
    LeNet-5 step at batch 256. The process keeps its peak memory instead of shrinking between
    steps. Called by :func:`gradbook.train.fit`; glibc only (elsewhere nothing changes).
    Returns whether the setting is in effect."""
    global _memory_retained
    if _memory_retained:
        return True
    import ctypes
    import ctypes.util
    import sys

    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    _memory_retained = bool(mallopt(_M_MMAP_THRESHOLD, 32 << 20) and mallopt(_M_TRIM_THRESHOLD, 1 << 30)
                            and mallopt(_M_TOP_PAD, 64 << 20))
    return _memory_retained
