"""Every learning-rate scheduler against ``torch.optim.lr_scheduler``: over 100 epochs the rate (and,
for the cycling schedules, the momentum or β₁) of every param group after every step is equal
to 1e-12, with three param groups of different rates. A case is built by one function applied to
both libraries, so both sides are constructed from the same text: single schedulers, two or three
chained on one optimizer (stepped in turn), SequentialLR and ChainedScheduler combinations.
Also compared: the state dicts, a mid-schedule resume (from our own state dict, from torch's, and
with ``last_epoch``), the deprecated ``step(epoch)`` closed forms, warnings, errors and signatures."""
from __future__ import annotations

import inspect
import warnings
from collections import Counter

import numpy as np
import pytest
import torch

import gradbook as gb
from gradbook import nn, optim
from gradbook.optim import lr_scheduler as ours_lib

theirs_lib = torch.optim.lr_scheduler
LRS = (0.1, 0.02, 0.5)
EPOCHS = 100


def _optimizers(kind: str = "SGD"):
    """The same three-group optimizer in both libraries (dummy parameters: no training needed)."""
    groups = [{"lr": lr} for lr in LRS]
    ours_params = [{**g, "params": [nn.Parameter(gb.zeros(2))]} for g in groups]
    theirs_params = [{**g, "params": [torch.nn.Parameter(torch.zeros(2))]} for g in groups]
    if kind == "SGD":
        return optim.SGD(ours_params, lr=0.5, momentum=0.9), torch.optim.SGD(theirs_params, lr=0.5, momentum=0.9)
    if kind == "Adam":
        return optim.Adam(ours_params, betas=(0.8, 0.99)), torch.optim.Adam(theirs_params, betas=(0.8, 0.99))
    return _PlainOurs(ours_params), _PlainTheirs(theirs_params)


class _PlainOurs(optim.Optimizer):
    """An optimizer with neither momentum nor betas (what cycle_momentum must refuse)."""

    def __init__(self, params, lr=0.1):
        super().__init__(params, dict(lr=lr))

    def _update(self, p, grad, state, group):
        pass


class _PlainTheirs(torch.optim.Optimizer):
    def __init__(self, params, lr=0.1):
        super().__init__(params, dict(lr=lr))

    def step(self, closure=None):
        return None


def _cyclic_scale(x):
    return 1 / (1.0 + 0.05 * x)


class _CountingScale:
    """A callable object: its ``__dict__`` is saved in the state dict, and the call count shows
    that scale_fn is called as often as torch calls it."""

    def __init__(self):
        self.calls = 0

    def __call__(self, x):
        self.calls += 1
        return 0.97 ** x


class _Warmup:
    def __init__(self, epochs):
        self.epochs = epochs

    def __call__(self, epoch):
        return min(1.0, (epoch + 1) / self.epochs)


# name -> (optimizer kind, build(lib, optimizer) -> the schedulers stepped each epoch, in order)
CASES = {
    "LambdaLR": ("SGD", lambda L, o: [L.LambdaLR(o, lambda e: 0.95 ** e)]),
    "LambdaLR-per-group": ("SGD", lambda L, o: [L.LambdaLR(o, [lambda e: 0.95 ** e, lambda e: 1 / (1 + e),
                                                               lambda e: 1.0 + 0.01 * (e % 7)])]),
    "LambdaLR-callable-object": ("SGD", lambda L, o: [L.LambdaLR(o, [_Warmup(5), _Warmup(9), lambda e: 0.99 ** e])]),
    "MultiplicativeLR": ("SGD", lambda L, o: [L.MultiplicativeLR(o, lambda e: 0.97 if e % 2 else 0.99)]),
    "StepLR": ("SGD", lambda L, o: [L.StepLR(o, step_size=3, gamma=0.5)]),
    "MultiStepLR": ("SGD", lambda L, o: [L.MultiStepLR(o, milestones=[2, 5, 5, 11, 60], gamma=0.3)]),
    "ConstantLR": ("SGD", lambda L, o: [L.ConstantLR(o, factor=0.25, total_iters=7)]),
    "ConstantLR-defaults": ("SGD", lambda L, o: [L.ConstantLR(o)]),
    "LinearLR-warmup": ("SGD", lambda L, o: [L.LinearLR(o, start_factor=0.1, total_iters=20)]),
    "LinearLR-decay": ("SGD", lambda L, o: [L.LinearLR(o, start_factor=1.0, end_factor=0.05, total_iters=60)]),
    "ExponentialLR": ("SGD", lambda L, o: [L.ExponentialLR(o, gamma=0.93)]),
    "PolynomialLR": ("SGD", lambda L, o: [L.PolynomialLR(o, total_iters=40, power=2.5)]),
    "PolynomialLR-defaults": ("SGD", lambda L, o: [L.PolynomialLR(o)]),
    "CosineAnnealingLR": ("SGD", lambda L, o: [L.CosineAnnealingLR(o, T_max=7, eta_min=0.001)]),
    "CosineAnnealingLR-long": ("SGD", lambda L, o: [L.CosineAnnealingLR(o, T_max=80)]),
    "CosineAnnealingWarmRestarts": ("SGD", lambda L, o: [L.CosineAnnealingWarmRestarts(o, T_0=9, eta_min=1e-3)]),
    "CosineAnnealingWarmRestarts-Tmult": ("SGD", lambda L, o: [L.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2)]),
    "CyclicLR-triangular": ("SGD", lambda L, o: [L.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=6)]),
    "CyclicLR-triangular2": ("SGD", lambda L, o: [L.CyclicLR(o, [0.01, 0.001, 0.05], [0.1, 0.02, 0.4],
                                                             step_size_up=4, step_size_down=9, mode="triangular2")]),
    "CyclicLR-exp_range": ("Adam", lambda L, o: [L.CyclicLR(o, 0.01, 0.1, step_size_up=5, mode="exp_range",
                                                            gamma=0.98, base_momentum=0.7, max_momentum=0.95)]),
    "CyclicLR-scale_fn-cycle": ("SGD", lambda L, o: [L.CyclicLR(o, 0.01, 0.1, step_size_up=3, scale_fn=_cyclic_scale)]),
    "CyclicLR-scale_fn-iterations": ("Adam", lambda L, o: [L.CyclicLR(o, 0.01, 0.1, step_size_up=3,
                                                                      scale_fn=_cyclic_scale,
                                                                      scale_mode="iterations")]),
    "CyclicLR-scale_fn-object": ("Adam", lambda L, o: [L.CyclicLR(o, 0.01, 0.1, step_size_up=3, step_size_down=5,
                                                                  scale_fn=_CountingScale(), scale_mode="iterations")]),
    "CyclicLR-no-momentum": ("SGD", lambda L, o: [L.CyclicLR(o, 0.01, 0.1, step_size_up=8, cycle_momentum=False)]),
    "OneCycleLR-cos": ("SGD", lambda L, o: [L.OneCycleLR(o, max_lr=1.0, total_steps=EPOCHS)]),
    "OneCycleLR-linear": ("Adam", lambda L, o: [L.OneCycleLR(o, max_lr=[1.0, 0.5, 0.2], epochs=10, steps_per_epoch=10,
                                                             anneal_strategy="linear", pct_start=0.25)]),
    "OneCycleLR-three-phase": ("SGD", lambda L, o: [L.OneCycleLR(o, 0.8, total_steps=EPOCHS, three_phase=True,
                                                                 base_momentum=[0.8, 0.85, 0.7], max_momentum=0.99)]),
    "OneCycleLR-three-phase-linear-adam": ("Adam", lambda L, o: [L.OneCycleLR(o, 0.8, total_steps=120, three_phase=True,
                                                                              anneal_strategy="linear", div_factor=10.0,
                                                                              final_div_factor=100.0)]),
    "OneCycleLR-no-momentum": ("SGD", lambda L, o: [L.OneCycleLR(o, 0.3, total_steps=EPOCHS, cycle_momentum=False)]),
    # two or three schedulers on one optimizer, stepped in turn: their chainable updates compose
    "StepLR+ExponentialLR": ("SGD", lambda L, o: [L.StepLR(o, 3, gamma=0.5), L.ExponentialLR(o, 0.9)]),
    "ExponentialLR+StepLR": ("SGD", lambda L, o: [L.ExponentialLR(o, 0.9), L.StepLR(o, 3, gamma=0.5)]),
    "LinearLR+CosineAnnealingLR": ("SGD", lambda L, o: [L.LinearLR(o, 0.2, total_iters=10),
                                                        L.CosineAnnealingLR(o, T_max=30, eta_min=1e-4)]),
    "ConstantLR+MultiStepLR": ("SGD", lambda L, o: [L.ConstantLR(o, 0.5, total_iters=4), L.MultiStepLR(o, [3, 8, 30])]),
    "MultiplicativeLR+PolynomialLR": ("SGD", lambda L, o: [L.MultiplicativeLR(o, lambda e: 0.99),
                                                           L.PolynomialLR(o, total_iters=50, power=0.5)]),
    "ExponentialLR+CosineAnnealingLR": ("SGD", lambda L, o: [L.ExponentialLR(o, 0.98), L.CosineAnnealingLR(o, 12)]),
    "LinearLR+StepLR+ExponentialLR": ("SGD", lambda L, o: [L.LinearLR(o, 0.5, total_iters=5), L.StepLR(o, 10, 0.7),
                                                           L.ExponentialLR(o, 0.99)]),
    "SequentialLR-warmup-cosine": ("SGD", lambda L, o: [L.SequentialLR(
        o, [L.LinearLR(o, 0.1, total_iters=5), L.CosineAnnealingLR(o, T_max=40)], milestones=[5])]),
    "SequentialLR-three": ("SGD", lambda L, o: [L.SequentialLR(
        o, [L.ConstantLR(o, 0.3, total_iters=10), L.ExponentialLR(o, 0.95), L.StepLR(o, 4, 0.6)], milestones=[6, 30])]),
    "SequentialLR-linear-at-milestone": ("SGD", lambda L, o: [L.SequentialLR(
        o, [L.ExponentialLR(o, 0.9), L.LinearLR(o, 0.5, 1.0, total_iters=10), L.PolynomialLR(o, 20)],
        milestones=[8, 40])]),
    "SequentialLR-lambda-multiplicative": ("SGD", lambda L, o: [L.SequentialLR(
        o, [L.LambdaLR(o, lambda e: 1 + e), L.MultiplicativeLR(o, lambda e: 0.9)], milestones=[4])]),
    "SequentialLR-warm-restarts": ("SGD", lambda L, o: [L.SequentialLR(
        o, [L.LinearLR(o, 0.1, total_iters=5), L.CosineAnnealingWarmRestarts(o, T_0=10, T_mult=2)], milestones=[5])]),
    "SequentialLR+ExponentialLR": ("SGD", lambda L, o: [L.SequentialLR(
        o, [L.ConstantLR(o, 0.5, total_iters=3), L.CosineAnnealingLR(o, 25)], milestones=[3]),
        L.ExponentialLR(o, 0.99)]),
    "ChainedScheduler": ("SGD", lambda L, o: [L.ChainedScheduler([L.ConstantLR(o, 0.1, total_iters=2),
                                                                   L.ExponentialLR(o, 0.9)])]),
    "ChainedScheduler-three": ("SGD", lambda L, o: [L.ChainedScheduler(
        [L.LinearLR(o, 0.25, total_iters=8), L.StepLR(o, 5, 0.8), L.MultiStepLR(o, [20, 50], 0.5)], optimizer=o)]),
    "ChainedScheduler-of-SequentialLR": ("SGD", lambda L, o: [L.ChainedScheduler([
        L.SequentialLR(o, [L.LinearLR(o, 0.1, total_iters=4), L.ExponentialLR(o, 0.95)], milestones=[4]),
        L.MultiplicativeLR(o, lambda e: 0.995)])]),
    "SequentialLR-of-ChainedScheduler": ("SGD", lambda L, o: [L.SequentialLR(
        o, [L.ChainedScheduler([L.ConstantLR(o, 0.5, total_iters=3), L.ExponentialLR(o, 0.9)]),
            L.CosineAnnealingLR(o, 30)], milestones=[10])]),
}


def _build(name: str):
    kind, build = CASES[name]
    ours_opt, theirs_opt = _optimizers(kind)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (a SequentialLR member's constructor step, as in torch)
        return ours_opt, theirs_opt, build(ours_lib, ours_opt), build(theirs_lib, theirs_opt)


def _groups(opt, key: str) -> list:
    return [g[key] if key != "beta1" else g["betas"][0] for g in opt.param_groups]


def _assert_same(ours_opt, theirs_opt, ours, theirs, where: str) -> None:
    for key in ("lr", "momentum" if "momentum" in ours_opt.defaults else "beta1"):
        np.testing.assert_allclose(_groups(ours_opt, key), _groups(theirs_opt, key), rtol=1e-12, atol=0,
                                   err_msg=f"group {key}s {where}")
    for s, t in zip(ours, theirs):
        np.testing.assert_allclose(s.get_last_lr(), t.get_last_lr(), rtol=1e-12, atol=0,
                                   err_msg=f"{type(s).__name__}.get_last_lr() {where}")
        assert getattr(s, "last_epoch", None) == getattr(t, "last_epoch", None), where


def _step_both(ours_opt, theirs_opt, ours, theirs) -> None:
    ours_opt.step()
    theirs_opt.step()
    for s in ours:
        s.step()
    for t in theirs:
        t.step()


@pytest.mark.parametrize("name", list(CASES))
def test_schedule_matches_torch(name):
    ours_opt, theirs_opt, ours, theirs = _build(name)
    _assert_same(ours_opt, theirs_opt, ours, theirs, "after construction")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the right call order warns in neither library
        for epoch in range(1, EPOCHS + 1):
            _step_both(ours_opt, theirs_opt, ours, theirs)
            _assert_same(ours_opt, theirs_opt, ours, theirs, f"after epoch {epoch}")


def _plain(value):
    """A state dict with Counters as dicts and tuples as lists: what both sides should agree on."""
    if isinstance(value, (dict, Counter)):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


@pytest.mark.parametrize("name", list(CASES))
def test_state_dict_equals_torch(name):
    ours_opt, theirs_opt, ours, theirs = _build(name)
    for _ in range(37):
        _step_both(ours_opt, theirs_opt, ours, theirs)
    for s, t in zip(ours, theirs):
        assert _plain(s.state_dict()) == _plain(t.state_dict())


def _resume_from(name: str, scheduler_states: list, group_values: list[dict]):
    """A fresh optimizer and schedulers for case ``name`` that continue from saved states."""
    kind, build = CASES[name]
    opt, _ = _optimizers(kind)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        schedulers = build(ours_lib, opt)
    for group, values in zip(opt.param_groups, group_values):
        group.update(values)
    for s, state in zip(schedulers, scheduler_states):
        s.load_state_dict(state)
    return opt, schedulers


def _continue_identically(name, ours_opt, theirs_opt, ours, theirs, resumed_opt, resumed, start: int) -> None:
    for epoch in range(start + 1, EPOCHS + 1):
        _step_both(ours_opt, theirs_opt, ours, theirs)
        resumed_opt.step()
        for s in resumed:
            s.step()
        _assert_same(resumed_opt, theirs_opt, resumed, theirs, f"after epoch {epoch} (resumed at {start})")
        assert [g["lr"] for g in resumed_opt.param_groups] == [g["lr"] for g in ours_opt.param_groups]


_GROUP_KEYS = ("lr", "initial_lr", "momentum", "betas", "max_lr", "min_lr", "max_momentum", "base_momentum")


@pytest.mark.parametrize("name", list(CASES))
def test_state_dict_round_trip_through_a_file_continues_identically(name, tmp_path):
    ours_opt, theirs_opt, ours, theirs = _build(name)
    for _ in range(37):
        _step_both(ours_opt, theirs_opt, ours, theirs)
    gb.save({"optimizer": ours_opt.state_dict(), "schedulers": [s.state_dict() for s in ours]}, tmp_path / "ckpt.npz")
    saved = gb.load(tmp_path / "ckpt.npz")
    groups = [{k: v for k, v in g.items() if k in _GROUP_KEYS} for g in saved["optimizer"]["param_groups"]]
    resumed_opt, resumed = _resume_from(name, saved["schedulers"], groups)
    _continue_identically(name, ours_opt, theirs_opt, ours, theirs, resumed_opt, resumed, 37)


@pytest.mark.parametrize("name", list(CASES))
def test_torch_state_dict_loads_and_continues(name):
    ours_opt, theirs_opt, ours, theirs = _build(name)
    for _ in range(23):
        _step_both(ours_opt, theirs_opt, ours, theirs)
    groups = [{k: v for k, v in g.items() if k in _GROUP_KEYS} for g in theirs_opt.param_groups]
    resumed_opt, resumed = _resume_from(name, [t.state_dict() for t in theirs], groups)
    _continue_identically(name, ours_opt, theirs_opt, ours, theirs, resumed_opt, resumed, 23)


RESUMABLE = {
    "StepLR": lambda L, o, e: L.StepLR(o, 3, 0.5, last_epoch=e),
    "MultiStepLR": lambda L, o, e: L.MultiStepLR(o, [4, 9, 9], 0.5, last_epoch=e),
    "ConstantLR": lambda L, o, e: L.ConstantLR(o, 0.5, total_iters=10, last_epoch=e),
    "LinearLR": lambda L, o, e: L.LinearLR(o, 0.2, total_iters=12, last_epoch=e),
    "ExponentialLR": lambda L, o, e: L.ExponentialLR(o, 0.9, last_epoch=e),
    "PolynomialLR": lambda L, o, e: L.PolynomialLR(o, 15, 2.0, last_epoch=e),
    "CosineAnnealingLR": lambda L, o, e: L.CosineAnnealingLR(o, 10, 0.01, last_epoch=e),
    "CosineAnnealingWarmRestarts": lambda L, o, e: L.CosineAnnealingWarmRestarts(o, 4, 2, last_epoch=e),
    "LambdaLR": lambda L, o, e: L.LambdaLR(o, lambda t: 0.9 ** t, last_epoch=e),
    "MultiplicativeLR": lambda L, o, e: L.MultiplicativeLR(o, lambda t: 0.9, last_epoch=e),
    "CyclicLR": lambda L, o, e: L.CyclicLR(o, 0.01, 0.1, step_size_up=4, last_epoch=e),
    "OneCycleLR": lambda L, o, e: L.OneCycleLR(o, 1.0, total_steps=60, last_epoch=e),
}


@pytest.mark.parametrize("name", list(RESUMABLE))
def test_new_scheduler_with_last_epoch_matches_torch(name):
    """A scheduler rebuilt with ``last_epoch=k`` on an optimizer that carries ``initial_lr``: its
    constructor's step, and the steps after it, are torch's (quirks included)."""
    build = RESUMABLE[name]
    ours_opt, theirs_opt = _optimizers("SGD")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours, theirs = build(ours_lib, ours_opt, -1), build(theirs_lib, theirs_opt, -1)
        for _ in range(9):
            _step_both(ours_opt, theirs_opt, [ours], [theirs])
        ours, theirs = build(ours_lib, ours_opt, 9), build(theirs_lib, theirs_opt, 9)
        _assert_same(ours_opt, theirs_opt, [ours], [theirs], "after rebuilding at epoch 9")
        for epoch in range(10, 40):
            _step_both(ours_opt, theirs_opt, [ours], [theirs])
            _assert_same(ours_opt, theirs_opt, [ours], [theirs], f"after epoch {epoch}")


CLOSED_FORM = {
    "StepLR": lambda L, o: L.StepLR(o, 3, 0.5),
    "MultiStepLR": lambda L, o: L.MultiStepLR(o, [4, 9, 9, 20], 0.5),
    "ConstantLR": lambda L, o: L.ConstantLR(o, 0.4, total_iters=10),
    "LinearLR": lambda L, o: L.LinearLR(o, 0.2, 0.9, total_iters=12),
    "ExponentialLR": lambda L, o: L.ExponentialLR(o, 0.9),
    "PolynomialLR": lambda L, o: L.PolynomialLR(o, 15, 2.0),
    "CosineAnnealingLR": lambda L, o: L.CosineAnnealingLR(o, 10, 0.01),
    "LambdaLR": lambda L, o: L.LambdaLR(o, lambda t: 0.9 ** t),
    "MultiplicativeLR": lambda L, o: L.MultiplicativeLR(o, lambda t: 0.9),
    "CyclicLR": lambda L, o: L.CyclicLR(o, 0.01, 0.1, step_size_up=4, mode="triangular2"),
    "OneCycleLR": lambda L, o: L.OneCycleLR(o, 1.0, total_steps=60),
}


@pytest.mark.parametrize("name", list(CLOSED_FORM))
def test_step_with_an_epoch_matches_torch(name):
    """The deprecated ``step(epoch)``: the closed form where there is one, with the same warning."""
    epochs = [1, 2, 5, 3, 3, 12, 0, 25, 7, 40, 41, 30]
    ours_opt, theirs_opt = _optimizers("SGD")
    ours, theirs = CLOSED_FORM[name](ours_lib, ours_opt), CLOSED_FORM[name](theirs_lib, theirs_opt)
    for epoch in epochs:
        ours_opt.step()
        theirs_opt.step()
        with warnings.catch_warnings(record=True) as ours_warned:
            warnings.simplefilter("always")
            ours.step(epoch)
        with warnings.catch_warnings(record=True) as theirs_warned:
            warnings.simplefilter("always")
            theirs.step(epoch)
        assert [w.category for w in ours_warned] == [w.category for w in theirs_warned] == [UserWarning]
        assert "deprecated" in str(ours_warned[0].message)
        _assert_same(ours_opt, theirs_opt, [ours], [theirs], f"after step({epoch})")


@pytest.mark.parametrize("T_mult", [1, 2, 3])
def test_warm_restarts_with_fractional_epochs_match_torch(T_mult):
    """``step(epoch + i / iters)`` after every batch, as torch's docstring shows; then jumps back."""
    ours_opt, theirs_opt = _optimizers("SGD")
    ours = ours_lib.CosineAnnealingWarmRestarts(ours_opt, T_0=2, T_mult=T_mult, eta_min=0.001)
    theirs = theirs_lib.CosineAnnealingWarmRestarts(theirs_opt, T_0=2, T_mult=T_mult, eta_min=0.001)
    iters = 7
    positions = [epoch + i / iters for epoch in range(30) for i in range(iters)] + [3.5, 0.25, 17, 1]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no deprecation warning for this scheduler's epoch argument
        for x in positions:
            ours_opt.step()
            theirs_opt.step()
            ours.step(x)
            theirs.step(x)
            _assert_same(ours_opt, theirs_opt, [ours], [theirs], f"after step({x})")
            assert (ours.T_cur, ours.T_i) == (theirs.T_cur, theirs.T_i)
        for _ in range(20):  # then plain steps from where it stands
            _step_both(ours_opt, theirs_opt, [ours], [theirs])
            _assert_same(ours_opt, theirs_opt, [ours], [theirs], "after a plain step")


PLATEAU_OPTS = [dict(), dict(mode="max", patience=2, factor=0.5),
                dict(patience=1, cooldown=2, threshold_mode="abs", threshold=0.05),
                dict(patience=0, min_lr=[0.01, 0.015, 0.2], factor=0.2),
                dict(patience=3, min_lr=0.004, eps=1e-3, factor=0.7, mode="max", threshold_mode="abs")]


@pytest.mark.parametrize("opts", PLATEAU_OPTS)
def test_reduce_on_plateau_matches_torch(opts, tmp_path):
    rng = np.random.default_rng(3)
    metrics = np.r_[np.linspace(1, 0.5, 6), np.full(10, 0.5), np.linspace(0.5, 0.48, 5), np.full(15, 0.49),
                    0.5 + 0.02 * rng.standard_normal(64)]
    ours_opt, theirs_opt = _optimizers("SGD")
    ours = ours_lib.ReduceLROnPlateau(ours_opt, **opts)
    theirs = theirs_lib.ReduceLROnPlateau(theirs_opt, **opts)
    for epoch, m in enumerate(metrics):
        if epoch == 50:  # a round trip through a file half way
            gb.save(ours.state_dict(), tmp_path / "plateau.npz")
            ours = ours_lib.ReduceLROnPlateau(ours_opt, **opts)
            ours.load_state_dict(gb.load(tmp_path / "plateau.npz"))
        # a 0-d tensor on odd epochs, a number on even ones
        ours.step(gb.tensor(m, dtype="float64") if epoch % 2 else m)
        theirs.step(torch.tensor(m, dtype=torch.float64) if epoch % 2 else m)
        _assert_same(ours_opt, theirs_opt, [ours], [theirs], f"epoch {epoch}")
        assert (ours.num_bad_epochs, ours.best, ours.cooldown_counter) == \
               (theirs.num_bad_epochs, theirs.best, theirs.cooldown_counter)
    assert _plain(ours.state_dict()) == _plain(theirs.state_dict())


@pytest.mark.parametrize("min_lr", [0.001, [0.001, 0.001, 0.001]])
def test_reduce_on_plateau_after_a_new_param_group(min_lr):
    """A group added after the scheduler: a scalar min_lr extends to it, a list is a RuntimeError."""
    ours_opt, theirs_opt = _optimizers("SGD")
    ours = ours_lib.ReduceLROnPlateau(ours_opt, patience=0, min_lr=min_lr)
    theirs = theirs_lib.ReduceLROnPlateau(theirs_opt, patience=0, min_lr=min_lr)
    ours_opt.add_param_group({"params": [nn.Parameter(gb.zeros(1))], "lr": 0.3})
    theirs_opt.add_param_group({"params": [torch.nn.Parameter(torch.zeros(1))], "lr": 0.3})
    ours.step(1.0)
    theirs.step(1.0)
    if isinstance(min_lr, list):
        with pytest.raises(RuntimeError):
            theirs.step(2.0)
        with pytest.raises(RuntimeError, match="ReduceLROnPlateau"):
            ours.step(2.0)
    else:
        for m in (2.0, 3.0, 4.0):
            ours.step(m)
            theirs.step(m)
            _assert_same(ours_opt, theirs_opt, [ours], [theirs], f"metric {m}")


# ----------------------------------------------------------------------------- warnings
def _warnings_of(action) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        action()
    return [str(w.message) for w in caught if w.category is UserWarning]


def _scheduler_first(L, o):
    s = L.StepLR(o, 2)
    s.step()  # before optimizer.step(): the first value of the schedule is skipped
    o.step()
    s.step()


def _optimizer_first(L, o):
    s = L.ExponentialLR(o, 0.9)
    for _ in range(3):
        o.step()
        s.step()


def _get_lr_outside_step(L, o):
    L.CosineAnnealingLR(o, 10).get_lr()


def _overridden_step(L, o):
    s = L.StepLR(o, 2)
    o.step = lambda closure=None: None
    o.step()
    s.step()


def _warm_restarts_scheduler_first(L, o):
    s = L.CosineAnnealingWarmRestarts(o, 3)
    s.step()


def _plateau_with_epoch(L, o):
    L.ReduceLROnPlateau(o).step(1.0, epoch=3)


WARNING_CASES = {"scheduler-before-optimizer": (_scheduler_first, "before `optimizer.step()`"),
                 "right-order": (_optimizer_first, None),
                 "get_lr-outside-step": (_get_lr_outside_step, "get_last_lr()"),
                 "overridden-optimizer-step": (_overridden_step, "overridden"),
                 "warm-restarts-never-warns": (_warm_restarts_scheduler_first, None),
                 "plateau-epoch-deprecated": (_plateau_with_epoch, "deprecated")}


@pytest.mark.parametrize("name", list(WARNING_CASES))
def test_warnings_match_torch(name):
    action, phrase = WARNING_CASES[name]
    ours_opt, theirs_opt = _optimizers("SGD")
    ours = _warnings_of(lambda: action(ours_lib, ours_opt))
    theirs = _warnings_of(lambda: action(theirs_lib, theirs_opt))
    assert len(ours) == len(theirs) == (0 if phrase is None else 1)
    if phrase is not None:
        assert phrase in ours[0] and phrase in theirs[0]


# ----------------------------------------------------------------------------- errors
def _past_total_steps(L, o, _):
    s = L.OneCycleLR(o, 1.0, total_steps=3)
    for _ in range(4):
        s.step()


def _past_constant_restore(L, o, _):  # torch: ZeroDivisionError there; ours: a ValueError
    s = L.ConstantLR(o, factor=0.0, total_iters=2)
    for _ in range(2):
        s.step()


ERRORS = {  # build(lib, optimizer, other optimizer); (expected torch exception, scheduler name)
    "StepLR-not-an-optimizer": (lambda L, o, p: L.StepLR(object(), 2), "StepLR"),
    "ExponentialLR-resume-without-initial_lr": (lambda L, o, p: L.ExponentialLR(o, 0.9, last_epoch=4), "ExponentialLR"),
    "LambdaLR-wrong-count": (lambda L, o, p: L.LambdaLR(o, [lambda e: 1.0] * 2), "LambdaLR"),
    "MultiplicativeLR-not-callable": (lambda L, o, p: L.MultiplicativeLR(o, 0.9), "MultiplicativeLR"),
    "ConstantLR-factor-above-1": (lambda L, o, p: L.ConstantLR(o, factor=1.5), "ConstantLR"),
    "ConstantLR-factor-negative": (lambda L, o, p: L.ConstantLR(o, factor=-0.1), "ConstantLR"),
    "LinearLR-start-zero": (lambda L, o, p: L.LinearLR(o, start_factor=0), "LinearLR"),
    "LinearLR-start-above-1": (lambda L, o, p: L.LinearLR(o, start_factor=1.5), "LinearLR"),
    "LinearLR-end-negative": (lambda L, o, p: L.LinearLR(o, end_factor=-0.5), "LinearLR"),
    "CosineAnnealingWarmRestarts-T_0": (lambda L, o, p: L.CosineAnnealingWarmRestarts(o, T_0=0),
                                        "CosineAnnealingWarmRestarts"),
    "CosineAnnealingWarmRestarts-T_0-float": (lambda L, o, p: L.CosineAnnealingWarmRestarts(o, T_0=2.5),
                                              "CosineAnnealingWarmRestarts"),
    "CosineAnnealingWarmRestarts-T_mult": (lambda L, o, p: L.CosineAnnealingWarmRestarts(o, 3, T_mult=0),
                                           "CosineAnnealingWarmRestarts"),
    "CosineAnnealingWarmRestarts-T_mult-float": (lambda L, o, p: L.CosineAnnealingWarmRestarts(o, 3, T_mult=1.5),
                                                 "CosineAnnealingWarmRestarts"),
    "CosineAnnealingWarmRestarts-eta_min": (lambda L, o, p: L.CosineAnnealingWarmRestarts(o, 3, eta_min="0"),
                                            "CosineAnnealingWarmRestarts"),
    "CosineAnnealingWarmRestarts-negative-epoch": (lambda L, o, p: L.CosineAnnealingWarmRestarts(o, 3).step(-1),
                                                   "CosineAnnealingWarmRestarts"),
    "OneCycleLR-no-length": (lambda L, o, p: L.OneCycleLR(o, 1.0), "OneCycleLR"),
    "OneCycleLR-total_steps-zero": (lambda L, o, p: L.OneCycleLR(o, 1.0, total_steps=0), "OneCycleLR"),
    "OneCycleLR-total_steps-float": (lambda L, o, p: L.OneCycleLR(o, 1.0, total_steps=10.0), "OneCycleLR"),
    "OneCycleLR-epochs": (lambda L, o, p: L.OneCycleLR(o, 1.0, epochs=0, steps_per_epoch=5), "OneCycleLR"),
    "OneCycleLR-steps_per_epoch": (lambda L, o, p: L.OneCycleLR(o, 1.0, epochs=2, steps_per_epoch=-5), "OneCycleLR"),
    "OneCycleLR-pct_start": (lambda L, o, p: L.OneCycleLR(o, 1.0, total_steps=10, pct_start=1.5), "OneCycleLR"),
    "OneCycleLR-pct_start-int": (lambda L, o, p: L.OneCycleLR(o, 1.0, total_steps=10, pct_start=1), "OneCycleLR"),
    "OneCycleLR-anneal_strategy": (lambda L, o, p: L.OneCycleLR(o, 1.0, total_steps=10, anneal_strategy="exp"),
                                   "OneCycleLR"),
    "OneCycleLR-max_lr-count": (lambda L, o, p: L.OneCycleLR(o, [1.0, 2.0], total_steps=10), "OneCycleLR"),
    "OneCycleLR-base_momentum-count": (lambda L, o, p: L.OneCycleLR(o, 1.0, total_steps=10, base_momentum=[0.8]),
                                       "OneCycleLR"),
    "OneCycleLR-no-momentum": (lambda L, o, p: L.OneCycleLR(p, 1.0, total_steps=10), "OneCycleLR"),
    "OneCycleLR-past-total_steps": (_past_total_steps, "OneCycleLR"),
    "CyclicLR-mode": (lambda L, o, p: L.CyclicLR(o, 0.01, 0.1, mode="sawtooth"), "CyclicLR"),
    "CyclicLR-base_lr-count": (lambda L, o, p: L.CyclicLR(o, [0.01], 0.1), "CyclicLR"),
    "CyclicLR-no-momentum": (lambda L, o, p: L.CyclicLR(p, 0.01, 0.1), "CyclicLR"),
    "SequentialLR-empty": (lambda L, o, p: L.SequentialLR(o, [], []), "SequentialLR"),
    "SequentialLR-milestones": (lambda L, o, p: L.SequentialLR(o, [L.StepLR(o, 2), L.ExponentialLR(o, 0.9)], [2, 4]),
                                "SequentialLR"),
    "SequentialLR-other-optimizer": (lambda L, o, p: L.SequentialLR(o, [L.StepLR(o, 2), L.StepLR(p, 2)], [3]),
                                     "SequentialLR"),
    "SequentialLR-plateau": (lambda L, o, p: L.SequentialLR(o, [L.StepLR(o, 2), L.ReduceLROnPlateau(o)], [3]),
                             "SequentialLR"),
    "SequentialLR-not-a-scheduler": (lambda L, o, p: L.SequentialLR(o, [L.StepLR(o, 2), 3], [3]), "SequentialLR"),
    "ChainedScheduler-empty": (lambda L, o, p: L.ChainedScheduler([]), "ChainedScheduler"),
    "ChainedScheduler-other-optimizer": (lambda L, o, p: L.ChainedScheduler([L.StepLR(o, 2), L.StepLR(p, 2)]),
                                         "ChainedScheduler"),
    "ChainedScheduler-plateau": (lambda L, o, p: L.ChainedScheduler([L.StepLR(o, 2), L.ReduceLROnPlateau(o)]),
                                 "ChainedScheduler"),
    "ReduceLROnPlateau-factor": (lambda L, o, p: L.ReduceLROnPlateau(o, factor=1.0), "ReduceLROnPlateau"),
    "ReduceLROnPlateau-mode": (lambda L, o, p: L.ReduceLROnPlateau(o, mode="lowest"), "ReduceLROnPlateau"),
    "ReduceLROnPlateau-threshold_mode": (lambda L, o, p: L.ReduceLROnPlateau(o, threshold_mode="pct"),
                                         "ReduceLROnPlateau"),
    "ReduceLROnPlateau-min_lr-count": (lambda L, o, p: L.ReduceLROnPlateau(o, min_lr=[0.1]), "ReduceLROnPlateau"),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_match_torch(name):
    """Where torch raises, we raise the same exception type, with a message naming the scheduler."""
    build, scheduler_name = ERRORS[name]
    ours_opt, theirs_opt = _optimizers("SGD")
    ours_plain, theirs_plain = _optimizers("plain")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(Exception) as theirs:
            build(theirs_lib, theirs_opt, theirs_plain)
        with pytest.raises(type(theirs.value), match=scheduler_name):
            build(ours_lib, ours_opt, ours_plain)


def test_where_torch_divides_by_zero_we_raise_a_value_error():
    for build, name in [(lambda L, o: L.StepLR(o, step_size=0).step(), "StepLR"),
                        (lambda L, o: L.CosineAnnealingLR(o, T_max=0).step(), "CosineAnnealingLR"),
                        (lambda L, o: L.CyclicLR(o, 0.01, 0.1, step_size_up=0), "CyclicLR"),
                        (lambda L, o: _past_constant_restore(L, o, None), "ConstantLR")]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises(ZeroDivisionError):
                build(theirs_lib, _optimizers("SGD")[1])
            with pytest.raises(ValueError, match=name):
                build(ours_lib, _optimizers("SGD")[0])


# ----------------------------------------------------------------------------- the API
@pytest.mark.parametrize("name", theirs_lib.__all__)
def test_signature_matches_torch(name):
    """torch's names, argument order, kinds and defaults, for the constructor and the methods."""
    ours, theirs = getattr(ours_lib, name), getattr(theirs_lib, name)
    for attr in ("__init__", "step", "get_last_lr", "state_dict", "load_state_dict"):
        ours_params = inspect.signature(getattr(ours, attr)).parameters.values()
        theirs_params = inspect.signature(getattr(theirs, attr)).parameters.values()
        assert [(p.name, p.kind, p.default) for p in ours_params] == \
               [(p.name, p.kind, p.default) for p in theirs_params], f"{name}.{attr}"
