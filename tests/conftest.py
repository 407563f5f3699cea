"""Shared test set-up: the parity harness is importable as ``parity.harness``; plots never open
windows; every test starts from the same seed and the default dtype; torch runs on one thread; the
process environment is put back after each test (Dask's nanny leaves OMP_NUM_THREADS=1 and the like
in it, which later tests' subprocesses would inherit)."""
from __future__ import annotations

import os
import sys

import matplotlib
import pytest

matplotlib.use("Agg")
sys.path.insert(0, os.path.dirname(__file__))

from hypothesis import HealthCheck, settings  # noqa: E402

settings.register_profile("gradbook", max_examples=25, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("gradbook")


@pytest.fixture(autouse=True)
def _fresh_state():
    import gradbook as gb

    gb.set_default_dtype("float32")
    gb.manual_seed(0)
    gb.set_grad_enabled(True)
    torch = sys.modules.get("torch")
    if torch is not None and torch.get_num_threads() != 1:
        # parity tests run torch on tiny tensors, where its thread pool only waits for busy cores:
        # a 2x3x8x8 depthwise conv and its backward took 0.36 s on two loaded cores, 0.1 ms on one
        torch.set_num_threads(1)
    environment = dict(os.environ)
    yield
    if os.environ != environment:
        os.environ.clear()
        os.environ.update(environment)
    gb.set_default_dtype("float32")
    gb.set_grad_enabled(True)
