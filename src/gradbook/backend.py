"""Where arrays come from: the array module, the default dtype, the random source, and two
process settings for speed: the C allocator's for freed memory, and how long OpenBLAS's idle
threads spin.

Arrays are NumPy arrays: every op is written against ``numpy``. Every random draw in gradbook goes
through :func:`rng`, so ``gb.manual_seed(s)`` makes a whole run reproducible. Importing gradbook
lets glibc's allocator keep large freed blocks for reuse (:func:`retain_freed_memory`), unless the
environment variable ``GRADBOOK_RETAIN_FREED_MEMORY`` is ``0``, and puts OpenBLAS's idle threads
to sleep at once (:func:`shorten_blas_spin`), unless ``GRADBOOK_SHORT_BLAS_SPIN`` is ``0``.
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


SHORT_BLAS_SPIN_ENV = "GRADBOOK_SHORT_BLAS_SPIN"
_OPENBLAS_TIMEOUT_ENV = "OPENBLAS_THREAD_TIMEOUT"
_state: dict = {}


def blas_controller():
    """threadpoolctl's view of the BLAS libraries loaded in this process, made once (the scan of
    the loaded libraries takes milliseconds), or None without threadpoolctl."""
    if "controller" not in _state:
        try:
            from threadpoolctl import ThreadpoolController

            _state["controller"] = ThreadpoolController()
        except Exception:  # no threadpoolctl, or a library it cannot read
            _state["controller"] = None
    return _state["controller"]


def shorten_blas_spin(exponent: int = 4) -> bool:
    """Make OpenBLAS's idle threads sleep after 2**exponent cycles instead of 2**28 (its default,
    about 0.1 s): the effect of ``OPENBLAS_THREAD_TIMEOUT=exponent`` (4 to 30) set before NumPy
    loads OpenBLAS.

    After every threaded matrix product OpenBLAS's threads keep a core busy waiting for the next
    one. gradbook runs its copies, pooling and element-wise work on a second Python thread
    (:mod:`gradbook.ops._parallel`), and a spinning BLAS thread takes that thread's core: measured
    on two cores, a LeNet-5 training step at batch 256 took 26.4 ms wall-clock and 54 ms of CPU time
    (as slow as on one thread) with the default, 17.5 ms and 26 ms with the spin cut short. The
    price is a thread wake-up (tens of microseconds) before each threaded product that follows a
    pause, which the products large enough to be threaded do not notice.

    **On by default**: ``import gradbook`` calls this, unless the environment variable
    ``GRADBOOK_SHORT_BLAS_SPIN`` is ``0`` or ``OPENBLAS_THREAD_TIMEOUT`` is set (the user's own
    choice stands). It re-reads OpenBLAS's settings and stops its thread pool, which the next
    threaded product starts again with the new timeout; other BLAS libraries (MKL, BLIS) and
    OpenBLAS builds without those entry points are left as they are. Call it (or import gradbook)
    before other threads of yours start matrix products: the pool is stopped while it runs.
    Returns whether a library was changed; see also :func:`blas_spin_shortened`.
    """
    if not 4 <= exponent <= 30:
        raise ValueError(f"shorten_blas_spin: exponent must be in 4..30 (OpenBLAS's range), got {exponent}")
    if _OPENBLAS_TIMEOUT_ENV in os.environ:
        return False
    controller = blas_controller()
    libs = [lib for lib in (controller.lib_controllers if controller is not None else [])
            if lib.internal_api == "openblas"]
    changed = False
    os.environ[_OPENBLAS_TIMEOUT_ENV] = str(exponent)
    try:
        for lib in libs:
            changed |= _restart_openblas_threads(lib.filepath)
    finally:
        del os.environ[_OPENBLAS_TIMEOUT_ENV]  # read into OpenBLAS; child processes keep their own default
    _state["spin_shortened"] = _state.get("spin_shortened", False) or changed
    return changed


def _restart_openblas_threads(filepath: str) -> bool:
    """OpenBLAS re-reads its environment (the timeout among it) and stops its threads; the next
    threaded call starts them with the timeout just read."""
    import ctypes

    try:
        # the library already loaded, as it is: RTLD_GLOBAL here would put its symbols first for every
        # library loaded later (SciPy's own OpenBLAS would then bind to NumPy's 64-bit-integer one)
        dll = ctypes.CDLL(filepath, mode=getattr(os, "RTLD_NOLOAD", 0))
        read_env, shutdown = dll.openblas_read_env, dll.blas_thread_shutdown_
    except (OSError, AttributeError):  # another build, or not loadable again: leave it alone
        return False
    read_env.restype, shutdown.restype = None, ctypes.c_int
    read_env()
    return shutdown() == 0


def blas_spin_shortened() -> bool:
    """Whether :func:`shorten_blas_spin` changed an OpenBLAS library of this process."""
    return _state.get("spin_shortened", False)


if os.environ.get(RETAIN_FREED_MEMORY_ENV, "1").strip() != "0":
    retain_freed_memory()
if os.environ.get(SHORT_BLAS_SPIN_ENV, "1").strip() != "0":
    shorten_blas_spin()
