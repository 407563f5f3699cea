"""Timing shared by the benchmark scripts."""
from __future__ import annotations

import statistics
import time


def median_time(step, steps: int, warmup: int = 3) -> float:
    """Median seconds of ``steps`` calls of ``step()`` after ``warmup`` untimed ones."""
    for _ in range(warmup):
        step()
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return statistics.median(times)
