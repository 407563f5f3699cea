"""LBFGS against torch.optim.LBFGS, float64, with and without the strong-Wolfe line search, on a
small logistic regression and on Rosenbrock (2-d and 10-d): every point the closure is evaluated at
(every iterate and every line-search trial), the number of evaluations and the losses step()
returns. Each library's closure computes its loss with its own autograd.

On the logistic regression the points agree to rtol 1e-10. Rosenbrock's curved valley magnifies
rounding: torch's ``add_(d, alpha=t)`` is a fused multiply-add, its dot products and sums add in
another order than NumPy's, and one ulp at the start grows to 1e-9 after 80 evaluations. torch
itself, started one ulp away, drifts as far; so there the points must agree to 1e-10 or to within
100x of torch's own one-ulp drift up to that evaluation, whichever is looser (measured: below 25x wherever
the drift passes 1e-10), with the same evaluation count. The state dict round trip and torch's own state
dict (tensors turned into arrays) both continue as the uninterrupted run.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch

import gradbook as gb
from gradbook import optim

TOL = dict(rtol=1e-10, atol=1e-12)


def _rosenbrock(x, lib):
    return (100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2).sum()


def _logistic_data():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((60, 4))
    y = (X @ np.array([1.5, -2.0, 0.5, 0.0]) + 0.3 * rng.standard_normal(60) > 0).astype(np.float64)
    return X, y


X, Y = _logistic_data()


def _logistic(params, lib):
    """Mean binary cross-entropy with logits plus a small L2 penalty on w."""
    w, b = params
    if lib == "gb":
        z = gb.tensor(X) @ w + b
        loss = (gb.log(1 + gb.exp(-z.abs())) + z.relu() - z * gb.tensor(Y)).mean()
    else:
        z = torch.from_numpy(X) @ w + b
        loss = (torch.log(1 + torch.exp(-z.abs())) + z.relu() - z * torch.from_numpy(Y)).mean()
    return loss + 0.01 * (w * w).sum()


PROBLEMS = {
    "rosenbrock-2": ([np.array([-1.2, 1.0])], lambda ps, lib: _rosenbrock(ps[0], lib)),
    "rosenbrock-10": ([np.linspace(-1.0, 1.0, 10) * 0.8 - 0.3], lambda ps, lib: _rosenbrock(ps[0], lib)),
    "logistic": ([np.zeros(4), np.zeros(1)], _logistic),
}


def _run(lib, problem, opts, init=None, steps=4, save_at=None, load=None):
    """``steps`` calls of step(closure); returns (points evaluated, losses returned, optimizer, params)."""
    start, fn = PROBLEMS[problem]
    start = init if init is not None else start
    if lib == "gb":
        params = [gb.nn.Parameter(a.copy()) for a in start]
        opt = optim.LBFGS(params, **opts)
    else:
        params = [torch.nn.Parameter(torch.from_numpy(a.copy())) for a in start]
        opt = torch.optim.LBFGS(params, **opts)
    if load is not None:
        opt.load_state_dict(load)
    points, losses = [], []

    def closure():
        opt.zero_grad()
        points.append(np.concatenate([np.asarray(p.data if lib == "gb" else p.detach().numpy()).ravel()
                                      for p in params]))
        loss = fn(params, lib)
        loss.backward()
        return loss

    for _ in range(steps):
        losses.append(float(opt.step(closure).item()))
    return points, losses, opt, params


CASES = [(problem, dict(line_search_fn=ls, **extra)) for problem in PROBLEMS for ls in (None, "strong_wolfe")
         for extra in ({"lr": 0.5 if ls is None and problem != "logistic" else 1}, {"history_size": 3, "max_iter": 7})]


def _drift(points, reference) -> np.ndarray:
    """Relative distance of each evaluated point from the reference run's."""
    return np.array([np.max(np.abs(x - y) / np.maximum(np.abs(y), 1e-12)) for x, y in zip(points, reference)])


@pytest.mark.parametrize("problem, opts", CASES, ids=[f"{p}-{o}" for p, o in CASES])
def test_iterates_match_torch(problem, opts):
    ours, our_losses, _, _ = _run("gb", problem, opts)
    theirs, their_losses, _, _ = _run("torch", problem, opts)
    assert len(ours) == len(theirs), "number of function evaluations"
    allowed = np.full(len(theirs), 1e-10)
    if problem.startswith("rosenbrock"):
        nudged = [np.nextafter(a, np.inf) for a in PROBLEMS[problem][0]]
        own, _, _, _ = _run("torch", problem, opts, init=nudged)
        assert len(own) == len(theirs)
        allowed = np.maximum(allowed, 100 * np.maximum.accumulate(_drift(own, theirs)))
    drift = _drift(ours, theirs)
    bad = np.flatnonzero(drift > allowed)
    assert bad.size == 0, f"evaluation {bad[:1]}: drift {drift[bad[:1]]} above {allowed[bad[:1]]}"
    np.testing.assert_allclose(our_losses, their_losses, rtol=max(1e-10, allowed[-1]))


STATE_CASES = [(problem, dict(line_search_fn=ls, history_size=4, max_iter=5))
               for problem in ("logistic", "rosenbrock-2") for ls in (None, "strong_wolfe")]


@pytest.mark.parametrize("problem, opts", STATE_CASES, ids=[f"{p}-{o['line_search_fn']}" for p, o in STATE_CASES])
def test_state_dict_round_trip_continues_identically(problem, opts, tmp_path):
    straight, straight_losses, _, _ = _run("gb", problem, opts, steps=4)
    first, _, opt, params = _run("gb", problem, opts, steps=2)
    gb.save(opt.state_dict(), tmp_path / "lbfgs.npz")  # lists of arrays and numbers: storable
    start = [p.data.copy() for p in params]
    rest, rest_losses, _, _ = _run("gb", problem, opts, init=start, steps=2, load=gb.load(tmp_path / "lbfgs.npz"))
    assert len(first) + len(rest) == len(straight)
    for k, (a, b) in enumerate(zip(first + rest, straight)):
        assert np.array_equal(a, b), f"evaluation {k}"
    assert rest_losses == straight_losses[2:]


@pytest.mark.parametrize("problem, opts", STATE_CASES, ids=[f"{p}-{o['line_search_fn']}" for p, o in STATE_CASES])
def test_torch_state_dict_loads_and_continues_as_torch(problem, opts):
    theirs, their_losses, _, _ = _run("torch", problem, opts, steps=4)
    first, _, th_opt, th_params = _run("torch", problem, opts, steps=2)
    saved = th_opt.state_dict()
    saved = {"state": {i: {k: _as_arrays(v) for k, v in s.items()} for i, s in saved["state"].items()},
             "param_groups": saved["param_groups"]}
    start = [p.detach().numpy().copy() for p in th_params]
    rest, rest_losses, _, _ = _run("gb", problem, opts, init=start, steps=2, load=saved)
    assert len(first) + len(rest) == len(theirs)
    np.testing.assert_allclose(np.array(first + rest), np.array(theirs), **TOL)
    np.testing.assert_allclose(rest_losses, their_losses[2:], **TOL)


def _as_arrays(v):
    if isinstance(v, torch.Tensor):
        return v.detach().numpy().copy()
    if isinstance(v, list):
        return [_as_arrays(x) for x in v]
    return v


def test_one_group_and_a_closure_are_required():
    w = gb.nn.Parameter(np.zeros(2))
    with pytest.raises(ValueError, match="LBFGS doesn't support per-parameter options"):
        optim.LBFGS([{"params": [w]}, {"params": [gb.nn.Parameter(np.zeros(1))]}])
    with pytest.raises(ValueError, match="LBFGS: only 'strong_wolfe'"):
        optim.LBFGS([w], line_search_fn="backtracking")
    with pytest.raises(ValueError, match="closure"):
        optim.LBFGS([w]).step(None)
