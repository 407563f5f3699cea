"""The optimizers beyond SGD/Adam: torch's signatures, torch's error wording behind the optimizer's
name, torch-only switches refused with a clear error, float32 updates in place, and each one
actually minimising (trajectory parity with torch is in tests/parity/test_optim_family_parity.py
and test_lbfgs_parity.py)."""
from __future__ import annotations

import inspect

import numpy as np
import pytest
import torch

import gradbook as gb
from gradbook import nn, optim

NAMES = ["Adagrad", "Adadelta", "RMSprop", "NAdam", "RAdam", "Adamax", "ASGD", "Rprop", "LBFGS"]
FIRST_ORDER = NAMES[:-1]
EARLIER = ["SGD", "Adam", "AdamW"]  # their signatures follow torch 2.13's too (flags, decoupled_weight_decay)


def _params():
    return [nn.Parameter(gb.randn(3, 2)), nn.Parameter(gb.randn(4))]


@pytest.mark.parametrize("name", NAMES + EARLIER)
def test_signature_is_torchs(name):
    """Same argument names, order, kinds (positional / keyword-only) and defaults as torch.optim."""
    def spec(cls):
        return [(p.name, p.kind, p.default) for p in inspect.signature(cls.__init__).parameters.values()
                if p.name != "self"]
    assert spec(getattr(optim, name)) == spec(getattr(torch.optim, name))


BAD = [("Adagrad", dict(lr=-1.0)), ("Adagrad", dict(lr_decay=-0.1)), ("Adagrad", dict(weight_decay=-1e-3)),
       ("Adagrad", dict(initial_accumulator_value=-1.0)), ("Adagrad", dict(eps=-1e-10)),
       ("Adadelta", dict(lr=-1.0)), ("Adadelta", dict(rho=1.5)), ("Adadelta", dict(rho=-0.1)),
       ("Adadelta", dict(eps=-1.0)), ("Adadelta", dict(weight_decay=-1.0)),
       ("RMSprop", dict(lr=-0.1)), ("RMSprop", dict(eps=-1.0)), ("RMSprop", dict(momentum=-0.5)),
       ("RMSprop", dict(weight_decay=-1.0)), ("RMSprop", dict(alpha=-0.9)),
       ("NAdam", dict(lr=-1.0)), ("NAdam", dict(eps=-1.0)), ("NAdam", dict(betas=(1.0, 0.999))),
       ("NAdam", dict(betas=(0.9, -0.1))), ("NAdam", dict(weight_decay=-1.0)), ("NAdam", dict(momentum_decay=-1.0)),
       ("RAdam", dict(lr=-1.0)), ("RAdam", dict(eps=-1.0)), ("RAdam", dict(betas=(0.9, 1.0))),
       ("RAdam", dict(weight_decay=-0.5)),
       ("Adamax", dict(lr=-1.0)), ("Adamax", dict(eps=-1.0)), ("Adamax", dict(betas=(-0.1, 0.9))),
       ("Adamax", dict(weight_decay=-1.0)),
       ("ASGD", dict(lr=-1.0)), ("ASGD", dict(weight_decay=-1.0)),
       ("Rprop", dict(lr=-1.0)), ("Rprop", dict(etas=(1.2, 0.5))), ("Rprop", dict(etas=(0.0, 1.2))),
       ("LBFGS", dict(lr=-1.0))]


@pytest.mark.parametrize("name, opts", BAD, ids=[f"{n}-{list(o)[0]}" for n, o in BAD])
def test_bad_hyperparameters_raise_torchs_message_named(name, opts):
    with pytest.raises(ValueError) as theirs:
        getattr(torch.optim, name)([torch.nn.Parameter(torch.zeros(2))], **opts)
    with pytest.raises(ValueError) as ours:
        getattr(optim, name)(_params(), **opts)
    message = str(ours.value)
    assert message.startswith(f"{name}: ")
    assert str(theirs.value).lower() in message.lower()  # torch's wording, then what was expected


FLAGS = {name: [f for f in ("foreach", "fused", "capturable", "differentiable")
                if f in inspect.signature(getattr(optim, name).__init__).parameters] for name in FIRST_ORDER + EARLIER}
FLAG_CASES = [(name, flag) for name, flags in FLAGS.items() for flag in flags]


@pytest.mark.parametrize("name, flag", FLAG_CASES, ids=[f"{n}-{f}" for n, f in FLAG_CASES])
def test_torch_only_switches_accept_defaults_and_refuse_the_rest(name, flag):
    default = inspect.signature(getattr(optim, name).__init__).parameters[flag].default
    assert default == inspect.signature(getattr(torch.optim, name).__init__).parameters[flag].default
    opt = getattr(optim, name)(_params(), **{flag: default})
    getattr(optim, name)(_params(), **{flag: False})  # the plain per-tensor path: what gradbook runs
    assert flag not in opt.param_groups[0]  # nothing stored that no step reads
    with pytest.raises(ValueError, match=rf"^{name}: {flag}=True is not supported: gradbook has one NumPy"):
        getattr(optim, name)(_params(), **{flag: True})


@pytest.mark.parametrize("name", FIRST_ORDER)
def test_updates_are_in_place_and_keep_float32(name):
    a, b = _params()
    arr = a.data
    opt = getattr(optim, name)([a, b], weight_decay=0.1) if name != "Rprop" else optim.Rprop([a, b])
    for _ in range(3):
        a.grad = gb.tensor(np.linspace(-1, 1, 6).reshape(3, 2))  # a float64 gradient on a float32 parameter
        opt.step()
    assert a.data is arr and a.dtype == np.float32
    assert all(v.dtype == np.float32 for v in opt.state[a].values() if isinstance(v, np.ndarray))
    assert name == "Adagrad" or b not in opt.state  # no gradient, no state (Adagrad makes it up front, as torch)


def test_adagrad_state_exists_before_the_first_step_as_in_torch():
    a, b = _params()
    opt = optim.Adagrad([a, b], initial_accumulator_value=0.3)
    state = opt.state_dict()["state"]
    assert sorted(state) == [0, 1]
    assert state[1]["step"] == 0 and np.all(state[1]["sum"] == np.float32(0.3))


MINIMISE = {"Adagrad": dict(lr=0.5), "Adadelta": dict(lr=5.0), "RMSprop": dict(lr=0.02), "NAdam": dict(lr=0.05),
            "RAdam": dict(lr=0.05), "Adamax": dict(lr=0.05), "ASGD": dict(lr=0.1), "Rprop": dict(lr=0.01)}


@pytest.mark.parametrize("name", FIRST_ORDER)
@pytest.mark.parametrize("maximize", [False, True])
def test_optimizers_minimise_a_quadratic(name, maximize):
    target = np.array([1.0, -2.0, 3.0], np.float32)
    w = nn.Parameter(gb.zeros(3))
    opt = getattr(optim, name)([w], maximize=maximize, **MINIMISE[name])
    for _ in range(400):
        opt.zero_grad()
        loss = ((w - gb.tensor(target)) ** 2).sum()
        (-loss if maximize else loss).backward()
        opt.step()
    np.testing.assert_allclose(w.data, target, atol=0.05)


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
def test_lbfgs_finds_rosenbrocks_minimum(line_search_fn):
    x = nn.Parameter(gb.tensor(np.array([-1.2, 1.0])))
    opt = optim.LBFGS([x], lr=1 if line_search_fn else 0.5, max_iter=100, tolerance_grad=1e-10,
                      tolerance_change=1e-14, line_search_fn=line_search_fn)

    def closure():
        opt.zero_grad()
        loss = (100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2).sum()
        loss.backward()
        return loss

    for _ in range(3):
        opt.step(closure)
    np.testing.assert_allclose(x.data, [1.0, 1.0], atol=1e-5)
    assert opt.state[x]["func_evals"] >= opt.state[x]["n_iter"] > 0
