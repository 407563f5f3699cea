"""Objectives for tune's own tests that misbehave on purpose (module level, so workers unpickle them)."""
from __future__ import annotations

import os

from .objectives import quadratic

__all__: list[str] = []


def crash_after_marker(config: dict) -> float:
    """``quadratic``, but raises for x above the threshold in the environment variable
    ``GRADBOOK_TUNE_CRASH_ABOVE`` (read in the worker; forked pools inherit it)."""
    limit = os.environ.get("GRADBOOK_TUNE_CRASH_ABOVE")
    if limit is not None and config["x"] > float(limit):
        raise RuntimeError(f"simulated crash at x={config['x']}")
    return quadratic(config)


def metrics(config: dict) -> dict:
    """A dict of metrics, with a NumPy scalar among them."""
    import numpy as np

    loss = quadratic(config)
    return {"loss": loss, "accuracy": np.float64(1.0 / (1.0 + loss)), "curve": [loss, loss / 2]}


def nan_for_negative_x(config: dict) -> float:
    """``quadratic``, NaN where x < 0 (a diverged training run)."""
    return float("nan") if config["x"] < 0 else quadratic(config)


def crossing_curve(config: dict, budget: float) -> float:
    """A learning curve whose ranking changes with the budget: quality + 0.3 sin(7 quality · budget)/budget.
    Raises for quality above ``GRADBOOK_TUNE_CRASH_ABOVE`` at budgets of 3 and more (a crash mid-search)."""
    import math

    limit = os.environ.get("GRADBOOK_TUNE_CRASH_ABOVE")
    if limit is not None and budget >= 3 and config["quality"] > float(limit):
        raise RuntimeError(f"simulated crash at quality={config['quality']}, budget {budget}")
    return config["quality"] + 0.3 * math.sin(7 * config["quality"] * budget) / budget
