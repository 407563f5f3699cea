"""backend.retain_freed_memory: glibc's allocator keeps large freed blocks, so the temporaries of
one training step reuse the pages of the previous step's instead of mapping (and page-faulting)
new ones. Importing gradbook turns it on unless GRADBOOK_RETAIN_FREED_MEMORY=0."""
import ctypes
import ctypes.util
import os
import subprocess
import sys

import pytest

STEPS = """
import resource, sys
import numpy as np
from gradbook import backend
if sys.argv[1] == "retain":
    assert backend.retain_freed_memory() and backend.retain_freed_memory()  # idempotent
faults = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_minflt
def step():  # like a training step: a few large temporaries, all freed at the end
    arrays = [np.ones(n) for n in (1 << 20, 2 << 20, 5 << 19, 3 << 20)]  # 8 to 24 MiB
    del arrays
for _ in range(3):
    step()
before = faults()
for _ in range(5):
    step()
print((faults() - before) // 5)
"""


def _run(code: str, *args: str, env_value: str | None = None) -> str:
    """Run ``code`` in a fresh interpreter with GRADBOOK_RETAIN_FREED_MEMORY unset or set."""
    env = {k: v for k, v in os.environ.items() if k != "GRADBOOK_RETAIN_FREED_MEMORY"}
    if env_value is not None:
        env["GRADBOOK_RETAIN_FREED_MEMORY"] = env_value
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True, env=env)
    return out.stdout.split()[-1]


def _faults_per_step(mode: str, env_value: str | None = None) -> int:
    return int(_run(STEPS, mode, env_value=env_value))


def _has_mallopt() -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").mallopt
    except (OSError, AttributeError):  # musl has no mallopt
        return False
    return True


needs_glibc = pytest.mark.skipif(not _has_mallopt(), reason="glibc's mallopt only")
STATE = "import gradbook; print(gradbook.backend.freed_memory_retained())"


@needs_glibc
def test_training_step_temporaries_reuse_freed_pages():
    # 68 MiB of fresh pages would be ~17,000 faults; with the blocks kept, (nearly) none
    assert _faults_per_step("retain", env_value="0") < 500


@needs_glibc
def test_importing_gradbook_turns_it_on_by_default():
    assert _run(STATE) == "True"
    assert _run(STATE, env_value="1") == "True"
    assert _faults_per_step("import") < 500  # a plain loop after `import gradbook` gets the pages back


@needs_glibc
def test_environment_variable_zero_turns_the_default_off():
    assert _run(STATE, env_value="0") == "False"
    # ...and an explicit call still turns it on
    code = ("import gradbook; b = gradbook.backend; "
            "print(b.freed_memory_retained() is False and b.retain_freed_memory() and b.freed_memory_retained())")
    assert _run(code, env_value="0") == "True"
