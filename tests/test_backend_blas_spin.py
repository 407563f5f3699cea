"""backend.shorten_blas_spin: OpenBLAS's idle threads go to sleep at once instead of spinning for
2**28 cycles after each threaded product, so gradbook's own second thread gets the core. Importing
gradbook turns it on unless GRADBOOK_SHORT_BLAS_SPIN=0 or OPENBLAS_THREAD_TIMEOUT is set."""
import os
import subprocess
import sys

import pytest

# CPU time the process burns while its main thread sleeps right after a threaded product: OpenBLAS's
# spinning helper threads are the only thing that can spend it
IDLE_CPU = """
import time
import numpy as np
import gradbook
a = np.random.default_rng(0).standard_normal((1500, 1500))
for _ in range(3):
    a @ a
a @ a
start = time.process_time()
time.sleep(0.05)
print(gradbook.backend.blas_spin_shortened(), round((time.process_time() - start) * 1000, 1))
"""


def _run(code: str, **env_values: str) -> list[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("GRADBOOK_SHORT_BLAS_SPIN", "OPENBLAS_THREAD_TIMEOUT")}
    for name in ("OMP_NUM_THREADS", "GOTO_NUM_THREADS", "OPENBLAS_DEFAULT_NUM_THREADS"):
        env.pop(name, None)
    env.update(env_values, OPENBLAS_NUM_THREADS="2")  # a helper thread to spin, whatever the caller's setting
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    return out.stdout.split()


def _openblas_with_restart() -> bool:
    import numpy  # noqa: F401  (loads NumPy's BLAS)
    from threadpoolctl import ThreadpoolController

    import ctypes
    for lib in ThreadpoolController().lib_controllers:
        if lib.internal_api == "openblas":
            dll = ctypes.CDLL(lib.filepath)
            return hasattr(dll, "openblas_read_env") and hasattr(dll, "blas_thread_shutdown_")
    return False


needs_openblas = pytest.mark.skipif(not _openblas_with_restart(), reason="NumPy's BLAS is not an OpenBLAS "
                                    "with openblas_read_env / blas_thread_shutdown_")
two_cores = pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="OpenBLAS starts no helper thread on one core")


@needs_openblas
@two_cores
def test_idle_blas_threads_stop_spinning_after_import():
    shortened, idle_ms = _run(IDLE_CPU)
    assert shortened == "True" and float(idle_ms) < 15  # asleep: (nearly) no CPU while the main thread sleeps
    kept, spin_ms = _run(IDLE_CPU, GRADBOOK_SHORT_BLAS_SPIN="0")
    assert kept == "False" and float(spin_ms) > 25  # OpenBLAS's own default: a helper spins through the sleep


@needs_openblas
def test_on_by_default_and_off_by_either_variable():
    state = "import gradbook; print(gradbook.backend.blas_spin_shortened())"
    assert _run(state) == ["True"]
    assert _run(state, GRADBOOK_SHORT_BLAS_SPIN="0") == ["False"]
    assert _run(state, OPENBLAS_THREAD_TIMEOUT="20") == ["False"]  # the user's own OpenBLAS setting stands
    # the variable is OpenBLAS's only while it reads it: child processes keep their own default
    assert _run("import os, gradbook; print('OPENBLAS_THREAD_TIMEOUT' in os.environ)") == ["False"]


def test_exponent_outside_openblas_range_is_a_clear_error():
    from gradbook.backend import shorten_blas_spin

    with pytest.raises(ValueError, match=r"shorten_blas_spin: exponent must be in 4\.\.30.*got 3"):
        shorten_blas_spin(3)


@needs_openblas
def test_products_stay_right_after_the_restart():
    import numpy as np

    from gradbook.backend import shorten_blas_spin

    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((300, 200)), rng.standard_normal((200, 250))
    expected = np.einsum("ik,kj->ij", a, b)  # no BLAS
    os.environ.pop("OPENBLAS_THREAD_TIMEOUT", None)
    shorten_blas_spin()
    np.testing.assert_allclose(a @ b, expected, rtol=1e-12, atol=1e-12)


def test_scipy_lapack_loaded_after_gradbook_stays_right():
    """The restart opens NumPy's OpenBLAS as it is loaded: had it made that library's symbols global,
    SciPy's own (32-bit-integer) OpenBLAS, loaded after gradbook, would bind to NumPy's (64-bit) one,
    and LAPACK's workspace queries would return garbage."""
    code = """
import sys
import gradbook
assert "scipy.linalg" not in sys.modules
import numpy as np, scipy.linalg
rng = np.random.default_rng(0)
X, y = rng.standard_normal((20, 5)).astype(np.float32), rng.standard_normal(20).astype(np.float32)
ours = scipy.linalg.lstsq(X, y)[0]
print(bool(np.allclose(ours, np.linalg.lstsq(X.astype(float), y.astype(float), rcond=None)[0], atol=1e-4)))
"""
    assert _run(code) == ["True"]
