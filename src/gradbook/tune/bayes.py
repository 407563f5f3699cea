"""Bayesian optimisation: a Gaussian process on the unit cube and an acquisition function choose
the next configurations.

Each domain maps to [0, 1] (``Domain.to_unit``; log scale for ``loguniform``, bins for integers
and options), so the GP (``gp.GaussianProcess``, length scales per dimension) sees one cube.
``BayesSampler.propose(history, n)``:

1. fits the GP to the finished trials (value to minimise; NaN/inf trials left out), kernel
   hyperparameters by maximum likelihood with restarts;
2. scores ``n_candidates`` uniform points of the cube with the acquisition (EI or UCB), then
   polishes the best with L-BFGS-B; the point is mapped back to a configuration (rounding the
   discrete domains);
3. for a batch (n > 1), adds the chosen point with the GP's mean as its value ("kriging believer",
   Ginsbourger et al. 2010) and chooses again with the hyperparameters kept.

Everything random comes from the generator passed in, so a search is reproducible.
"""
from __future__ import annotations

import numpy as np
from scipy.optimize import minimize
from threadpoolctl import threadpool_limits

from .acquisition import ACQUISITIONS, expected_improvement, upper_confidence_bound
from .gp import KERNELS, GaussianProcess
from .space import Domain, check_space

__all__ = ["BayesSampler", "GaussianProcess", "expected_improvement", "upper_confidence_bound"]


class BayesSampler:
    """Proposes configurations from finished ``(config, value)`` pairs (value to minimise)."""

    def __init__(self, space: dict, kernel: str = "matern52", acquisition: str = "ei", xi: float = 0.01,
                 kappa: float = 2.0, n_candidates: int = 1000, n_restarts: int = 3):
        self.space = check_space(space)
        if kernel not in KERNELS:
            raise ValueError(f"tune.bayes: kernel must be one of {KERNELS}, got {kernel!r}")
        if acquisition not in ACQUISITIONS:
            raise ValueError(f"tune.bayes: acquisition must be one of {ACQUISITIONS}, got {acquisition!r}")
        self.kernel, self.acquisition, self.xi, self.kappa = kernel, acquisition, xi, kappa
        self.n_candidates, self.n_restarts = n_candidates, n_restarts
        self.names = [k for k, v in space.items() if isinstance(v, Domain)]

    def encode(self, config: dict) -> np.ndarray:
        return np.array([self.space[k].to_unit(config[k]) for k in self.names], dtype=np.float64)

    def decode(self, u: np.ndarray) -> dict:
        values = dict(zip(self.names, (self.space[k].from_unit(x) for k, x in zip(self.names, u))))
        return {k: values.get(k, v) for k, v in self.space.items()}

    def _score(self, gp: GaussianProcess, U: np.ndarray, best: float) -> np.ndarray:
        mean, std = gp.predict(U, return_std=True)
        if self.acquisition == "ei":
            return expected_improvement(mean, std, best, self.xi)
        return upper_confidence_bound(mean, std, self.kappa)

    def propose(self, history: list[tuple[dict, float]], n: int, rng: np.random.Generator) -> list[dict]:
        """``n`` configurations to try next, given finished ``(config, value to minimise)`` pairs."""
        with threadpool_limits(1):  # small matrices: threaded BLAS only waits for busy cores
            return self._propose(history, n, rng)

    def _propose(self, history: list[tuple[dict, float]], n: int, rng: np.random.Generator) -> list[dict]:
        finished = [(c, float(v)) for c, v in history if np.isfinite(v)]
        if not self.names:
            return [self.decode(np.empty(0)) for _ in range(n)]
        if not finished:
            return [self.decode(rng.random(len(self.names))) for _ in range(n)]
        X = np.stack([self.encode(c) for c, _ in finished])
        y = np.array([v for _, v in finished])
        gp = GaussianProcess(self.kernel, length_scale=np.full(X.shape[1], 0.5), noise=1e-4, normalize_y=True,
                             n_restarts=self.n_restarts, seed=int(rng.integers(2**31))).fit(X, y)
        proposals = []
        for _ in range(n):
            best = float(y.min())
            candidates = rng.random((self.n_candidates, X.shape[1]))
            start = candidates[int(np.argmax(self._score(gp, candidates, best)))]
            polished = minimize(lambda u: -self._score(gp, u[None, :], best)[0], start, method="L-BFGS-B",
                                bounds=[(0.0, 1.0)] * X.shape[1])
            u = polished.x if polished.fun <= -self._score(gp, start[None, :], best)[0] else start
            config = self.decode(u)
            proposals.append(config)
            # kriging believer: pretend the GP's mean was observed there, keep the hyperparameters
            x = self.encode(config)
            X_more, y_more = np.vstack([X, x]), np.append(y, gp.predict(x[None, :])[0])
            try:
                gp = GaussianProcess(self.kernel, gp.amplitude_, gp.length_scale_, gp.noise_, normalize_y=True,
                                     optimize=False).fit(X_more, y_more)
                X, y = X_more, y_more
            except ValueError:  # the point repeats one the GP has (a small discrete space): keep the GP
                pass
        return proposals
