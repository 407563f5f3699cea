"""Learning-rate schedules on their own: each docstring's formula (closed form) against the chainable
steps, how schedulers compose, momentum cycling, what the optimizer sees, saving through
``gradbook.save``, the warnings, and the errors we raise where torch fails obscurely. The
comparison with torch itself is in tests/parity/test_lr_scheduler_parity.py."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import gradbook as gb
from gradbook import nn, optim
from gradbook.optim import lr_scheduler as sched

LRS = (0.1, 0.02)


def _sgd(**kwargs) -> optim.SGD:
    return optim.SGD([{"params": [nn.Parameter(gb.zeros(2))], "lr": LRS[0]},
                      {"params": [nn.Parameter(gb.zeros(3))], "lr": LRS[1]}], lr=0.5, momentum=0.9, **kwargs)


def _adam() -> optim.Adam:
    return optim.Adam([{"params": [nn.Parameter(gb.zeros(2))], "lr": LRS[0]},
                       {"params": [nn.Parameter(gb.zeros(3))], "lr": LRS[1]}], betas=(0.9, 0.999))


def _run(opt, schedulers, epochs: int) -> np.ndarray:
    """The rate of every group at epochs 0..epochs (row t: after t steps)."""
    rows = [[g["lr"] for g in opt.param_groups]]
    for _ in range(epochs):
        opt.step()
        for s in schedulers:
            s.step()
        rows.append([g["lr"] for g in opt.param_groups])
    return np.array(rows)


def _closed(formula, epochs: int) -> np.ndarray:
    return np.array([[formula(lr0, t) for lr0 in LRS] for t in range(epochs + 1)])


CLOSED_FORMS = {  # (scheduler, its docstring's closed form lr(lr₀, t))
    "StepLR": (lambda o: sched.StepLR(o, 3, 0.5), lambda lr0, t: lr0 * 0.5 ** (t // 3)),
    "MultiStepLR": (lambda o: sched.MultiStepLR(o, [2, 5, 5, 11], 0.3),
                    lambda lr0, t: lr0 * 0.3 ** sum(m <= t for m in [2, 5, 5, 11])),
    "ConstantLR": (lambda o: sched.ConstantLR(o, 0.25, total_iters=4), lambda lr0, t: lr0 * (0.25 if t < 4 else 1)),
    "LinearLR": (lambda o: sched.LinearLR(o, 0.2, 0.9, total_iters=10),
                 lambda lr0, t: lr0 * (0.2 + 0.7 * min(t, 10) / 10)),
    "ExponentialLR": (lambda o: sched.ExponentialLR(o, 0.9), lambda lr0, t: lr0 * 0.9 ** t),
    "PolynomialLR": (lambda o: sched.PolynomialLR(o, 12, 2.0), lambda lr0, t: lr0 * (1 - min(t, 12) / 12) ** 2),
    "CosineAnnealingLR": (lambda o: sched.CosineAnnealingLR(o, 7, 0.001),
                          lambda lr0, t: 0.001 + (lr0 - 0.001) * (1 + math.cos(math.pi * t / 7)) / 2),
    "LambdaLR": (lambda o: sched.LambdaLR(o, lambda t: 1 / (1 + t)), lambda lr0, t: lr0 / (1 + t)),
    "MultiplicativeLR": (lambda o: sched.MultiplicativeLR(o, lambda t: 0.95), lambda lr0, t: lr0 * 0.95 ** t),
    "CosineAnnealingWarmRestarts": (  # periods 3, 6, 12: restarts at t = 3, 9, 21
        lambda o: sched.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2),
        lambda lr0, t: lr0 * (1 + math.cos(math.pi * _since_restart(t) / _period(t))) / 2),
}


def _period(t: int) -> int:
    return 3 if t < 3 else 6 if t < 9 else 12 if t < 21 else 24


def _since_restart(t: int) -> int:
    return t if t < 3 else t - 3 if t < 9 else t - 9 if t < 21 else t - 21


@pytest.mark.parametrize("name", list(CLOSED_FORMS))
def test_chainable_steps_follow_the_closed_form(name):
    make, formula = CLOSED_FORMS[name]
    opt = _sgd()
    np.testing.assert_allclose(_run(opt, [make(opt)], 30), _closed(formula, 30), rtol=1e-12, atol=1e-15)


def test_step_lr_and_exponential_lr_compose():
    """The case that differed from torch from epoch 3: the two decays multiply."""
    opt = _sgd()
    lrs = _run(opt, [sched.StepLR(opt, 3, 0.5), sched.ExponentialLR(opt, 0.9)], 20)
    np.testing.assert_allclose(lrs, _closed(lambda lr0, t: lr0 * 0.9 ** t * 0.5 ** (t // 3), 20), rtol=1e-12)


def test_chained_scheduler_composes_like_its_docstring():
    opt = _sgd()
    chained = sched.ChainedScheduler([sched.ConstantLR(opt, 0.1, total_iters=2), sched.ExponentialLR(opt, 0.9)])
    np.testing.assert_allclose(_run(opt, [chained], 10),
                               _closed(lambda lr0, t: lr0 * 0.9 ** t * (0.1 if t < 2 else 1), 10), rtol=1e-12)


def test_sequential_lr_restarts_the_next_schedule_at_its_milestone():
    opt = _sgd()
    seq = sched.SequentialLR(opt, [sched.ExponentialLR(opt, 0.5), sched.LinearLR(opt, 0.2, total_iters=4)],
                             milestones=[3])
    expected = _closed(lambda lr0, t: lr0 * 0.5 ** t if t < 3 else lr0 * (0.2 + 0.8 * min(t - 3, 4) / 4), 10)
    np.testing.assert_allclose(_run(opt, [seq], 10), expected, rtol=1e-12)
    assert seq.get_last_lr() == [g["lr"] for g in opt.param_groups]


def test_first_scheduler_records_initial_lr_and_base_lrs():
    opt = _sgd()
    first = sched.StepLR(opt, 2)
    assert [g["initial_lr"] for g in opt.param_groups] == list(LRS) == first.base_lrs
    assert first.last_epoch == 0 and first.get_last_lr() == list(LRS)
    opt.param_groups[0]["lr"] = 0.7  # a later scheduler keeps the first's initial_lr
    assert sched.ExponentialLR(opt, 0.5).base_lrs == list(LRS)


def test_one_cycle_lr_end_points_and_momentum():
    opt = _sgd()
    s = sched.OneCycleLR(opt, max_lr=[1.0, 0.4], total_steps=20, pct_start=0.25)
    assert [g["lr"] for g in opt.param_groups] == pytest.approx([1.0 / 25, 0.4 / 25], rel=1e-12)
    assert [g["momentum"] for g in opt.param_groups] == [0.95, 0.95]
    lrs, momenta = [], []
    for _ in range(19):
        opt.step()
        s.step()
        lrs.append([g["lr"] for g in opt.param_groups])
        momenta.append(opt.param_groups[0]["momentum"])
    peak = int(0.25 * 20) - 1  # the rise ends at step pct_start · total_steps − 1
    assert lrs[peak - 1] == pytest.approx([1.0, 0.4], rel=1e-12) and momenta[peak - 1] == pytest.approx(0.85)
    assert lrs[-1] == pytest.approx([1.0 / 25 / 1e4, 0.4 / 25 / 1e4], rel=1e-9)
    assert momenta[-1] == pytest.approx(0.95)
    with pytest.raises(ValueError, match="OneCycleLR: tried to step 21 times"):
        s.step()
        s.step()


def test_cycling_momentum_moves_beta1_of_adam_only():
    opt = _adam()
    s = sched.CyclicLR(opt, 0.01, 0.1, step_size_up=2, base_momentum=0.8, max_momentum=0.9)
    seen = []
    for _ in range(4):
        opt.step()
        s.step()
        seen.append(opt.param_groups[0]["betas"])
    assert [b[0] for b in seen] == pytest.approx([0.85, 0.8, 0.85, 0.9])
    assert all(b[1] == 0.999 for b in seen)


def test_cyclic_lr_is_a_triangle():
    opt = _sgd()
    s = sched.CyclicLR(opt, base_lr=[0.01, 0.001], max_lr=[0.05, 0.005], step_size_up=4, step_size_down=2)
    heights = [0, 0.25, 0.5, 0.75, 1, 0.5, 0, 0.25]  # up in 4 steps, down in 2
    lrs = _run(opt, [s], 7)
    np.testing.assert_allclose(lrs, [[0.01 + 0.04 * h, 0.001 + 0.004 * h] for h in heights], rtol=1e-12)


def test_the_optimizer_uses_the_scheduled_rate():
    p = nn.Parameter(gb.zeros(1, dtype="float64"))
    opt = optim.SGD([p], lr=1.0)
    s = sched.MultiStepLR(opt, [1], gamma=0.1)
    moved = []
    for _ in range(2):
        p.grad = gb.ones(1, dtype="float64")
        before = float(p.data[0])
        opt.step()
        s.step()
        moved.append(before - float(p.data[0]))
    assert moved == pytest.approx([1.0, 0.1])


def test_wrapped_optimizer_step_still_takes_a_closure():
    p = nn.Parameter(gb.ones(2))
    opt = optim.SGD([p], lr=0.5)
    sched.StepLR(opt, 2)
    sched.ExponentialLR(opt, 0.9)  # wrapped once, not twice

    def closure():
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss

    assert float(opt.step(closure).item()) == pytest.approx(2.0)
    assert opt._opt_called and opt.step._wrapped_by_lr_sched
    np.testing.assert_allclose(p.data, [0.0, 0.0])


def test_every_state_dict_survives_a_file(tmp_path):
    """What the train loop checkpoints: every scheduler's state dict through gradbook.save/load."""
    opt = _sgd()
    schedulers = [sched.MultiStepLR(opt, [3, 3, 8]), sched.CyclicLR(opt, 0.01, 0.1, step_size_up=3),
                  sched.SequentialLR(opt, [sched.ConstantLR(opt), sched.CosineAnnealingWarmRestarts(opt, 4)], [2]),
                  sched.ReduceLROnPlateau(opt), sched.LambdaLR(opt, lambda e: 1.0)]
    for epoch in range(6):
        opt.step()
        for s in schedulers[:3] + schedulers[4:]:
            s.step()
        schedulers[3].step(1.0)
    for s in schedulers:
        gb.save(s.state_dict(), tmp_path / "s.npz")
        loaded = gb.load(tmp_path / "s.npz")
        assert loaded.keys() == s.state_dict().keys()
    gb.save(schedulers[0].state_dict(), tmp_path / "multistep.npz")
    again = sched.MultiStepLR(_sgd(), [3, 3, 8])
    again.load_state_dict(gb.load(tmp_path / "multistep.npz"))  # milestones come back as a plain dict
    with pytest.warns(UserWarning, match="deprecated"):
        again.step(9)
    assert again.get_last_lr() == pytest.approx([lr * 0.1 ** 3 for lr in LRS], rel=1e-12)


def test_callable_object_lambdas_keep_their_state():
    class Decay:
        def __init__(self, rate):
            self.rate = rate

        def __call__(self, epoch):
            return self.rate ** epoch

    opt = _sgd()
    s = sched.LambdaLR(opt, [Decay(0.5), lambda e: 1.0])
    state = s.state_dict()
    assert state["lr_lambdas"] == [{"rate": 0.5}, None]
    other = sched.LambdaLR(_sgd(), [Decay(0.9), lambda e: 1.0])
    other.load_state_dict(state)
    assert other.lr_lambdas[0].rate == 0.5 and "lr_lambdas" in state


def test_warnings():
    opt = _sgd()
    s = sched.StepLR(opt, 2)
    with pytest.warns(UserWarning, match="get_last_lr"):
        s.get_lr()
    with pytest.warns(UserWarning, match=r"before `optimizer.step\(\)`"):
        s.step()
    with pytest.warns(UserWarning, match="deprecated"):
        s.step(4)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opt.step()
        s.step()


@pytest.mark.parametrize("build, message", [
    (lambda o: sched.StepLR(o, step_size=0), "StepLR: step_size must be positive"),
    (lambda o: sched.CosineAnnealingLR(o, T_max=0), "CosineAnnealingLR: T_max must be positive"),
    (lambda o: sched.CyclicLR(o, 0.01, 0.1, step_size_up=0), "CyclicLR: step_size_up must be positive"),
    (lambda o: sched.CyclicLR(o, 0.01, 0.1, step_size_down=-2), "CyclicLR: step_size_down"),
    (lambda o: sched.OneCycleLR(o, [1.0, 2.0, 3.0], total_steps=5), "OneCycleLR: max_lr must have one value per"),
    (lambda o: sched.LambdaLR(o, [lambda e: 1.0]), "LambdaLR: expected 2 lr_lambdas"),
    (lambda o: sched.SequentialLR(o, [sched.StepLR(o, 2)], [3]), "SequentialLR expects one milestone fewer"),
])
def test_bad_arguments_name_the_scheduler(build, message):
    with pytest.raises(ValueError, match=message):
        build(_sgd())


def test_other_errors():
    with pytest.raises(TypeError, match="LambdaLR: lr_lambda should be a function"):
        sched.LambdaLR(_sgd(), 0.5)
    with pytest.raises(TypeError, match="StepLR: list is not a gradbook Optimizer"):
        sched.StepLR([], 2)
    with pytest.raises(KeyError, match="initial_lr"):
        sched.ExponentialLR(_sgd(), gamma=0.9, last_epoch=5)
    opt = _sgd()
    s = sched.ConstantLR(opt, factor=0.0, total_iters=1)
    opt.step()
    with pytest.raises(ValueError, match="ConstantLR: with factor=0"):
        s.step()
