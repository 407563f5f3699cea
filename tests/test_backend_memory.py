"""backend.retain_freed_memory: glibc's allocator keeps large freed blocks, so the temporaries of
one training step reuse the pages of the previous step's instead of mapping (and page-faulting)
new ones."""
import ctypes
import ctypes.util
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


def _faults_per_step(mode: str) -> int:
    out = subprocess.run([sys.executable, "-c", STEPS, mode], capture_output=True, text=True, check=True)
    return int(out.stdout.split()[-1])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt only")
def test_training_step_temporaries_reuse_freed_pages():
    try:
        ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").mallopt
    except (OSError, AttributeError):
        pytest.skip("the C library has no mallopt (not glibc)")
    # 68 MiB of fresh pages would be ~17,000 faults; with the blocks kept, (nearly) none
    assert _faults_per_step("retain") < 500
