"""Adagrad, Adadelta, RMSprop, NAdam, RAdam, Adamax, ASGD and Rprop against torch.optim, float64:

* 50 steps on a fixed quadratic + sinusoid loss f(θ) = Σₖ ½ θₖᵀAₖθₖ − bₖᵀθₖ + ½ Σ sin 2θₖ (each
  library's gradient computed by the same NumPy function at its own parameters), three parameter
  groups with their own hyperparameters, weight decay on and off, maximize on and off (then on −f),
  one parameter left without a gradient at one step: parameters equal to rtol 1e-10 after every
  step, and the final state (same keys) equal too;
* a state_dict saved after 20 steps (through gb.save / gb.load) restores a fresh optimizer that
  continues 30 steps exactly as the uninterrupted run;
* torch's own state_dict after 20 steps, its tensors turned into arrays, loads into gradbook and
  continues 30 steps as torch does.

* a small network (5-8-3 tanh MLP, cross-entropy on fixed data, its weights and biases in three
  groups): 50 steps driven by the network's gradients, computed by gradbook's autograd and handed
  to both optimizers, parameters equal to rtol 1e-10. (Were each side to differentiate at its own
  parameters, Adam-like steps near a coordinate's stationary point would amplify ulp differences:
  NAdam reaches 1e-6 after 50 steps, as torch does against itself started one ulp away.)

Torch keeps scalar state (step, NAdam's mu_product, ASGD's eta and mu) in its default dtype, so
torch's default dtype is float64 here, as gradbook's Python-float scalars are.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch

import gradbook as gb
from gradbook import optim

SHAPES = [(4, 3), (3,), (2, 2, 2)]
STEPS, SAVE_AT = 50, 20
TOL = dict(rtol=1e-10, atol=1e-13)


def _problem():
    rng = np.random.default_rng(7)
    mats, vecs = [], []
    for shape in SHAPES:
        n = int(np.prod(shape))
        q = rng.standard_normal((n, n))
        mats.append(q @ q.T / n + 0.1 * np.eye(n))
        vecs.append(rng.standard_normal(n))
    return mats, vecs, [rng.standard_normal(s) for s in SHAPES]


MATS, VECS, INIT = _problem()


def _grads(arrays: list[np.ndarray], sign: float) -> list[np.ndarray]:
    """∇(sign · f) at ``arrays``."""
    return [sign * (a @ x.ravel() - b + np.cos(2 * x.ravel())).reshape(x.shape)
            for a, b, x in zip(MATS, VECS, arrays)]


# name -> list of (constructor options, overrides of groups 1 and 2)
CASES = {
    "Adagrad": [(dict(lr=0.1), ({"lr": 0.05, "lr_decay": 0.01}, {"eps": 1e-3, "weight_decay": 0.1})),
                (dict(lr=0.1, lr_decay=0.05, weight_decay=0.05, initial_accumulator_value=0.5, maximize=True),
                 ({"weight_decay": 0.0}, {"lr": 0.3}))],
    "Adadelta": [(dict(), ({"rho": 0.5}, {"lr": 0.5, "eps": 1e-3})),
                 (dict(lr=2.0, rho=0.95, weight_decay=0.1, maximize=True), ({"weight_decay": 0.0}, {"rho": 0.0}))],
    "RMSprop": [(dict(lr=0.01), ({"alpha": 0.9, "centered": True}, {"momentum": 0.9})),
                (dict(lr=0.005, momentum=0.5, centered=True, weight_decay=0.1, maximize=True),
                 ({"momentum": 0.0}, {"centered": False, "weight_decay": 0.0})),
                (dict(lr=0.01, alpha=0.5, eps=1e-4), ({"lr": 0.02}, {"alpha": 0.999}))],
    "NAdam": [(dict(lr=0.01), ({"momentum_decay": 0.01}, {"betas": (0.5, 0.9), "eps": 1e-4})),
              (dict(lr=0.02, weight_decay=0.1, maximize=True),
               ({"decoupled_weight_decay": True}, {"weight_decay": 0.0})),
              (dict(lr=0.02, weight_decay=0.05, decoupled_weight_decay=True), ({"lr": 0.05}, {"momentum_decay": 0.0}))],
    "RAdam": [(dict(lr=0.01), ({"betas": (0.8, 0.9)}, {"betas": (0.9, 0.99), "eps": 1e-3})),
              (dict(lr=0.02, weight_decay=0.1, maximize=True),
               ({"decoupled_weight_decay": True}, {"weight_decay": 0.0})),
              (dict(lr=0.02, weight_decay=0.05, decoupled_weight_decay=True), ({"lr": 0.05}, {}))],
    "Adamax": [(dict(lr=0.01), ({"betas": (0.5, 0.9)}, {"eps": 1e-2})),
               (dict(lr=0.02, weight_decay=0.1, maximize=True), ({"weight_decay": 0.0}, {"lr": 0.05}))],
    "ASGD": [(dict(lr=0.05), ({"lambd": 0.01, "alpha": 0.5}, {"t0": 10.0})),
             (dict(lr=0.05, lambd=1e-3, t0=5.0, weight_decay=0.1, maximize=True),
              ({"weight_decay": 0.0}, {"t0": 30.0, "alpha": 1.0}))],
    "Rprop": [(dict(lr=0.01), ({"etas": (0.3, 1.5)}, {"step_sizes": (1e-3, 0.05)})),
              (dict(lr=0.05, etas=(0.7, 1.1), maximize=True), ({"lr": 0.001}, {"step_sizes": (1e-6, 0.02)}))],
}
ALL = [(name, i) for name, cases in CASES.items() for i in range(len(cases))]
IDS = [f"{name}-{i}" for name, i in ALL]


@pytest.fixture(autouse=True)
def _torch_float64():
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(old)


def _groups(params, overrides):
    return [{"params": [params[0]]}] + [{"params": [p], **o} for p, o in zip(params[1:], overrides)]


def _make(name, case, init=INIT):
    opts, overrides = CASES[name][case]
    gb_params = [gb.nn.Parameter(a.copy()) for a in init]
    th_params = [torch.nn.Parameter(torch.from_numpy(a.copy())) for a in init]
    return (gb_params, getattr(optim, name)(_groups(gb_params, overrides), **opts),
            th_params, getattr(torch.optim, name)(_groups(th_params, overrides), **opts))


def _sign(opt) -> float:
    return -1.0 if opt.defaults.get("maximize") else 1.0


def _gb_step(params, opt, step: int) -> None:
    for i, (p, g) in enumerate(zip(params, _grads([p.data for p in params], _sign(opt)))):
        p.grad = None if (step == 3 and i == 1) else gb.tensor(g)  # one parameter skips a step
    opt.step()


def _th_step(params, opt, step: int) -> None:
    for i, (p, g) in enumerate(zip(params, _grads([p.detach().numpy() for p in params], _sign(opt)))):
        p.grad = None if (step == 3 and i == 1) else torch.from_numpy(g)
    opt.step()


def _assert_same(gb_params, th_params, step) -> None:
    for k, (p, q) in enumerate(zip(gb_params, th_params)):
        np.testing.assert_allclose(p.data, q.detach().numpy(), **TOL, err_msg=f"param {k} after step {step}")


def _torch_state_as_arrays(state_dict: dict) -> dict:
    """torch's state_dict with every tensor turned into a NumPy array (same keys, same nesting)."""
    def convert(v):
        if isinstance(v, torch.Tensor):
            return v.detach().numpy().copy()
        if isinstance(v, (list, tuple)):
            return type(v)(convert(x) for x in v)
        return v
    return {"state": {i: {k: convert(v) for k, v in s.items()} for i, s in state_dict["state"].items()},
            "param_groups": [{k: convert(v) for k, v in g.items()} for g in state_dict["param_groups"]]}


@pytest.mark.parametrize("name, case", ALL, ids=IDS)
def test_trajectory_and_state_match_torch(name, case):
    gb_params, gb_opt, th_params, th_opt = _make(name, case)
    for step in range(STEPS):
        _gb_step(gb_params, gb_opt, step)
        _th_step(th_params, th_opt, step)
        _assert_same(gb_params, th_params, step)
    ours, theirs = gb_opt.state_dict(), _torch_state_as_arrays(th_opt.state_dict())
    assert ours["state"].keys() == theirs["state"].keys()
    for i, entry in theirs["state"].items():
        assert ours["state"][i].keys() == entry.keys(), f"state keys of parameter {i}"
        for key, value in entry.items():
            np.testing.assert_allclose(ours["state"][i][key], value, **TOL, err_msg=f"state {i}/{key}")
    for g_ours, g_theirs in zip(ours["param_groups"], theirs["param_groups"]):
        assert {k: v for k, v in g_theirs.items() if k in g_ours} == g_ours  # torch's hyperparameter names


@pytest.mark.parametrize("name, case", ALL, ids=IDS)
def test_state_dict_round_trip_continues_identically(name, case, tmp_path):
    straight, straight_opt, _, _ = _make(name, case)
    resumed, resumed_opt, _, _ = _make(name, case)
    for step in range(SAVE_AT):
        _gb_step(straight, straight_opt, step)
        _gb_step(resumed, resumed_opt, step)
    gb.save(resumed_opt.state_dict(), tmp_path / "opt.npz")  # numbers and arrays only: storable
    opts, overrides = CASES[name][case]
    fresh = [gb.nn.Parameter(p.data.copy()) for p in resumed]
    # a fresh optimizer built with other hyperparameters: the state dict brings the saved ones back
    other = getattr(optim, name)([{"params": [p]} for p in fresh], **opts)
    other.load_state_dict(gb.load(tmp_path / "opt.npz"))
    for step in range(SAVE_AT, STEPS):
        _gb_step(straight, straight_opt, step)
        _gb_step(fresh, other, step)
        for p, q in zip(straight, fresh):
            assert np.array_equal(p.data, q.data), f"step {step}"


@pytest.mark.parametrize("name, case", ALL, ids=IDS)
def test_torch_state_dict_loads_and_continues_as_torch(name, case):
    _, _, th_params, th_opt = _make(name, case)
    for step in range(SAVE_AT):
        _th_step(th_params, th_opt, step)
    saved = _torch_state_as_arrays(th_opt.state_dict())
    opts, _ = CASES[name][case]
    params = [gb.nn.Parameter(q.detach().numpy().copy()) for q in th_params]
    opt = getattr(optim, name)([{"params": [p]} for p in params], **opts)
    opt.load_state_dict(saved)
    assert not any(k in g for g in opt.param_groups for k in ("foreach", "differentiable", "capturable", "fused"))
    for step in range(SAVE_AT, STEPS):
        _gb_step(params, opt, step)
        _th_step(th_params, th_opt, step)
        _assert_same(params, th_params, step)


def _network():
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((16, 5)), rng.integers(0, 3, 16)
    init = [rng.standard_normal((8, 5)) * 0.5, rng.standard_normal(8) * 0.1, rng.standard_normal((3, 8)) * 0.5,
            rng.standard_normal(3) * 0.1]
    return gb.tensor(x), gb.tensor(y), init


@pytest.mark.parametrize("name, case", ALL, ids=IDS)
def test_small_network_gradients_drive_both_alike(name, case):
    x, y, init = _network()
    opts, overrides = CASES[name][case]
    gb_params = [gb.nn.Parameter(a.copy()) for a in init]
    th_params = [torch.nn.Parameter(torch.from_numpy(a.copy())) for a in init]

    def groups(ps):
        return [{"params": ps[:1]}, {"params": ps[1:2], **overrides[0]}, {"params": ps[2:], **overrides[1]}]

    gb_opt = getattr(optim, name)(groups(gb_params), **opts)
    th_opt = getattr(torch.optim, name)(groups(th_params), **opts)
    sign = _sign(gb_opt)
    for step in range(STEPS):
        gb_opt.zero_grad()
        w1, b1, w2, b2 = gb_params
        loss = gb.nn.functional.cross_entropy((x @ w1.T + b1).tanh() @ w2.T + b2, y)
        (loss * sign).backward()
        for p, q in zip(gb_params, th_params):
            q.grad = torch.from_numpy(p.grad.data.copy())
        gb_opt.step()
        th_opt.step()
        _assert_same(gb_params, th_params, step)
