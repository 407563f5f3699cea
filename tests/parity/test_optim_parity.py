"""SGD, Adam and AdamW against torch.optim: the same parameter trajectory step by step (10 steps
of random gradients, every option combination), and a state_dict round trip half way that
continues exactly as the uninterrupted run."""
from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

import gradbook as gb
from gradbook import optim

SHAPES = [(3, 4), (5,), (2, 3, 2)]

SGD_CASES = [dict(lr=0.1, momentum=m, dampening=d, weight_decay=wd, nesterov=n, maximize=mx)
             for m, d, wd, n, mx in itertools.product([0.0, 0.9], [0.0, 0.3], [0.0, 0.05], [False, True],
                                                      [False, True])
             if not (n and (m == 0 or d != 0))]
ADAM_CASES = [dict(lr=0.01, betas=b, eps=e, weight_decay=wd, amsgrad=a, maximize=mx)
              for b, e, wd, a, mx in itertools.product([(0.9, 0.999), (0.5, 0.9)], [1e-8, 1e-3], [0.0, 0.1],
                                                        [False, True], [False, True])]
CASES = ([("SGD", c) for c in SGD_CASES] + [("Adam", c) for c in ADAM_CASES]
         + [("AdamW", c) for c in ADAM_CASES] + [("AdamW", dict(lr=0.01))]
         + [("Adam", dict(c, decoupled_weight_decay=True)) for c in ADAM_CASES if c["weight_decay"]][:4])


def _make(name: str, opts: dict, dtype, seed: int = 0):
    rng = np.random.default_rng(seed)
    init = [rng.standard_normal(s).astype(dtype) for s in SHAPES]
    gb_params = [gb.nn.Parameter(a.copy()) for a in init]
    th_params = [torch.nn.Parameter(torch.from_numpy(a.copy())) for a in init]
    # two groups, the second with its own learning rate: groups are part of what is compared
    gb_opt = getattr(optim, name)([{"params": gb_params[:2]}, {"params": gb_params[2:], "lr": 0.05}], **opts)
    th_opt = getattr(torch.optim, name)([{"params": th_params[:2]}, {"params": th_params[2:], "lr": 0.05}], **opts)
    return gb_params, th_params, gb_opt, th_opt


def _step(gb_params, th_params, gb_opt, th_opt, rng, dtype, skip: int | None = None):
    for i, (p, q) in enumerate(zip(gb_params, th_params)):
        if i == skip:  # a parameter without a gradient is left alone by both
            p.grad, q.grad = None, None
            continue
        g = rng.standard_normal(p.shape).astype(dtype)
        p.grad = gb.tensor(g)
        q.grad = torch.from_numpy(g.copy())
    gb_opt.step()
    th_opt.step()


def _assert_same(gb_params, th_params, dtype, step):
    tol = dict(rtol=1e-5, atol=1e-6) if dtype == np.float32 else dict(rtol=1e-12, atol=1e-13)
    for k, (p, q) in enumerate(zip(gb_params, th_params)):
        assert p.dtype == dtype
        np.testing.assert_allclose(p.data, q.detach().numpy(), **tol, err_msg=f"param {k} after step {step}")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name, opts", CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
def test_trajectory_matches_torch(name, opts, dtype):
    gb_params, th_params, gb_opt, th_opt = _make(name, opts, dtype)
    rng = np.random.default_rng(1)
    for step in range(10):
        _step(gb_params, th_params, gb_opt, th_opt, rng, dtype, skip=1 if step == 3 else None)
        _assert_same(gb_params, th_params, dtype, step)


@pytest.mark.parametrize("name, opts", [("SGD", SGD_CASES[-1]), ("SGD", dict(lr=0.1, momentum=0.9)),
                                        ("Adam", ADAM_CASES[5]), ("AdamW", ADAM_CASES[-1])])
def test_state_dict_round_trip_continues_identically(name, opts):
    dtype = np.float32
    gb_params, th_params, gb_opt, th_opt = _make(name, opts, dtype)
    rng = np.random.default_rng(2)
    for _ in range(5):
        _step(gb_params, th_params, gb_opt, th_opt, rng, dtype)
    saved = gb_opt.state_dict()
    for entry in saved["state"].values():  # numbers and arrays only: storable in an .npz
        assert all(isinstance(v, (int, float, np.ndarray)) for v in entry.values())
    # a fresh optimizer over copies of the parameters, restored from the saved state
    fresh = [gb.nn.Parameter(p.data.copy()) for p in gb_params]
    other = getattr(optim, name)([{"params": fresh[:2]}, {"params": fresh[2:]}], **opts)
    other.load_state_dict(saved)
    assert other.param_groups[1]["lr"] == 0.05
    for step in range(5, 10):
        _step(fresh, th_params, other, th_opt, rng, dtype)
        _assert_same(fresh, th_params, dtype, step)
    # the saved dict was a copy: later steps did not change it
    if saved["state"]:
        first = next(iter(saved["state"].values()))
        assert all(not np.shares_memory(v, s) for v in first.values() if isinstance(v, np.ndarray)
                   for s in (st for d in other.state.values() for st in d.values() if isinstance(st, np.ndarray)))
