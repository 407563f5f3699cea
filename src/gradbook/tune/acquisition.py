"""Acquisition functions for minimising f under a Gaussian posterior N(μ(x), σ(x)²); larger is better.

    expected improvement:  EI(x) = E[max(f* − ξ − f(x), 0)] = (f* − ξ − μ) Φ(z) + σ φ(z),  z = (f* − ξ − μ)/σ
                           (and max(f* − ξ − μ, 0) where σ = 0)
    upper confidence bound of −f:  UCB(x) = −μ + κ σ   (GP-UCB of Srinivas et al. 2010, for minimising)

f* is the best value seen, ξ ≥ 0 asks for an improvement of at least ξ (more exploration).
"""
from __future__ import annotations

import numpy as np
from scipy.special import ndtr

__all__ = ["expected_improvement", "upper_confidence_bound", "ACQUISITIONS"]

_INV_SQRT_2PI = 1.0 / np.sqrt(2.0 * np.pi)


def expected_improvement(mean: np.ndarray, std: np.ndarray, best: float, xi: float = 0.0) -> np.ndarray:
    mean, std = np.asarray(mean, dtype=np.float64), np.asarray(std, dtype=np.float64)
    gain = best - xi - mean
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(std > 0, gain / std, 0.0)
    ei = gain * ndtr(z) + std * _INV_SQRT_2PI * np.exp(-0.5 * z * z)
    return np.where(std > 0, ei, np.maximum(gain, 0.0))


def upper_confidence_bound(mean: np.ndarray, std: np.ndarray, kappa: float = 2.0) -> np.ndarray:
    return -np.asarray(mean, dtype=np.float64) + kappa * np.asarray(std, dtype=np.float64)


ACQUISITIONS = ("ei", "ucb")
