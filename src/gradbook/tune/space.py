"""Search spaces: a dict from hyperparameter name to a domain (or to a constant, passed through).

    space = {"lr": loguniform(1e-4, 1e-1),      # log u ~ U(log 1e-4, log 1e-1)
             "width": randint(16, 129),         # an integer in [16, 129), as numpy's randint
             "act": choice(["relu", "tanh"]),   # one of the options, equally likely
             "depth": grid_search([1, 2, 3]),   # enumerated by tune.grid, sampled like choice otherwise
             "epochs": 5}                       # a constant

Every domain samples from a NumPy ``Generator`` it is given (never from global state) and maps to
and from the unit interval, so ``tune.bayes`` can model any space on the unit cube:
``to_unit(sample(rng)) ∈ [0, 1]`` and ``from_unit(u)`` is the value at quantile-like position u
(uniform: linear, loguniform: linear in log, integer and categorical domains: rounded bins).
"""
from __future__ import annotations

import abc
import math
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

__all__ = ["Domain", "Uniform", "LogUniform", "RandInt", "Choice", "GridSearch",
           "uniform", "loguniform", "randint", "choice", "grid_search", "check_space", "sample_space"]


class Domain(abc.ABC):
    """One hyperparameter's set of values. ``values()`` lists a finite domain (None if continuous)."""

    @abc.abstractmethod
    def sample(self, rng: np.random.Generator) -> Any:
        """One value drawn from the domain."""

    @abc.abstractmethod
    def to_unit(self, value: Any) -> float:
        """The value mapped into [0, 1] (where Bayesian search works)."""

    @abc.abstractmethod
    def from_unit(self, u: float) -> Any:
        """The inverse of :meth:`to_unit`."""

    def values(self) -> list | None:
        return None


@dataclass(frozen=True)
class Uniform(Domain):
    """x ~ U(low, high)."""
    low: float
    high: float

    def __post_init__(self):
        _check_bounds(type(self).__name__, self.low, self.high)

    def sample(self, rng):
        return float(rng.uniform(self.low, self.high))

    def to_unit(self, value):
        return (float(value) - self.low) / (self.high - self.low)

    def from_unit(self, u):
        return float(self.low + float(np.clip(u, 0.0, 1.0)) * (self.high - self.low))


@dataclass(frozen=True)
class LogUniform(Domain):
    """log x ~ U(log low, log high): every decade equally likely (learning rates, weight decay)."""
    low: float
    high: float

    def __post_init__(self):
        _check_bounds(type(self).__name__, self.low, self.high)
        if self.low <= 0:
            raise ValueError(f"LogUniform: low must be > 0, got {self.low}")

    def sample(self, rng):
        return float(math.exp(rng.uniform(math.log(self.low), math.log(self.high))))

    def to_unit(self, value):
        return (math.log(value) - math.log(self.low)) / (math.log(self.high) - math.log(self.low))

    def from_unit(self, u):
        lo, hi = math.log(self.low), math.log(self.high)
        return float(math.exp(lo + float(np.clip(u, 0.0, 1.0)) * (hi - lo)))


@dataclass(frozen=True)
class RandInt(Domain):
    """An integer in [low, high), each equally likely (NumPy's ``integers``/``randint`` bounds)."""
    low: int
    high: int

    def __post_init__(self):
        if not (isinstance(self.low, (int, np.integer)) and isinstance(self.high, (int, np.integer))):
            raise TypeError(f"RandInt: low and high must be integers, got {self.low!r}, {self.high!r}")
        if self.high <= self.low:
            raise ValueError(f"RandInt: high must be > low (high is excluded), got low={self.low}, high={self.high}")

    def sample(self, rng):
        return int(rng.integers(self.low, self.high))

    def to_unit(self, value):
        return (int(value) - self.low + 0.5) / (self.high - self.low)  # the centre of its bin

    def from_unit(self, u):
        n = self.high - self.low
        return int(self.low + min(int(float(np.clip(u, 0.0, 1.0)) * n), n - 1))

    def values(self):
        return list(range(self.low, self.high))


@dataclass(frozen=True)
class Choice(Domain):
    """One of ``options``, each equally likely. On the unit cube the options sit in equal bins in
    the order given, so the Gaussian process treats neighbours as similar: order them when that is
    meaningful."""
    options: tuple

    def __post_init__(self):
        if len(self.options) == 0:
            raise ValueError(f"{type(self).__name__}: needs at least one option")

    def sample(self, rng):
        return self.options[int(rng.integers(len(self.options)))]

    def _index(self, value):
        for i, option in enumerate(self.options):
            if option == value:
                return i
        raise ValueError(f"{type(self).__name__}: {value!r} is not one of {list(self.options)}")

    def to_unit(self, value):
        return (self._index(value) + 0.5) / len(self.options)

    def from_unit(self, u):
        n = len(self.options)
        return self.options[min(int(float(np.clip(u, 0.0, 1.0)) * n), n - 1)]

    def values(self):
        return list(self.options)


@dataclass(frozen=True)
class GridSearch(Choice):
    """Values that ``tune.grid`` enumerates; random and Bayesian search draw from them like ``choice``."""


def uniform(low: float, high: float) -> Uniform:
    return Uniform(float(low), float(high))


def loguniform(low: float, high: float) -> LogUniform:
    return LogUniform(float(low), float(high))


def randint(low: int, high: int) -> RandInt:
    return RandInt(low, high)


def choice(options: Sequence) -> Choice:
    return Choice(tuple(options))


def grid_search(values: Sequence) -> GridSearch:
    return GridSearch(tuple(values))


def _check_bounds(name: str, low: float, high: float) -> None:
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ValueError(f"{name}: bounds must be finite, got low={low}, high={high}")
    if not high > low:
        raise ValueError(f"{name}: high must be > low, got low={low}, high={high}")


def check_space(space: Any) -> dict:
    """The space as a dict, or a TypeError saying what a space is."""
    if not isinstance(space, dict) or not all(isinstance(k, str) for k in space):
        raise TypeError("tune: a search space is a dict from hyperparameter name (str) to a domain "
                        f"(uniform, loguniform, randint, choice, grid_search) or a constant, got {type(space).__name__}")
    return space


def sample_space(space: dict, rng: np.random.Generator) -> dict:
    """One configuration: each domain sampled in the space's key order, constants copied."""
    return {k: (v.sample(rng) if isinstance(v, Domain) else v) for k, v in check_space(space).items()}
