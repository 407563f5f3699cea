"""Learning-rate schedules against torch.optim.lr_scheduler: the rate of every group at every
epoch, the plateau logic on metric sequences, and state_dict resumption."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import gradbook as gb
from gradbook import nn, optim
from gradbook.optim import lr_scheduler as sched


def _pair(opt_lrs=(0.1, 0.02)):
    ours = optim.SGD([{"params": [nn.Parameter(gb.zeros(2))], "lr": opt_lrs[0]},
                      {"params": [nn.Parameter(gb.zeros(3))], "lr": opt_lrs[1]}], lr=0.5, momentum=0.9)
    ref = torch.optim.SGD([{"params": [torch.nn.Parameter(torch.zeros(2))], "lr": opt_lrs[0]},
                           {"params": [torch.nn.Parameter(torch.zeros(3))], "lr": opt_lrs[1]}], lr=0.5, momentum=0.9)
    return ours, ref


SCHEDULES = {
    "StepLR": dict(step_size=3, gamma=0.5),
    "MultiStepLR": dict(milestones=[2, 5, 5, 11], gamma=0.3),
    "ExponentialLR": dict(gamma=0.9),
    "CosineAnnealingLR": dict(T_max=7, eta_min=0.001),
}


@pytest.mark.parametrize("name", list(SCHEDULES))
def test_epoch_schedules_match_torch(name):
    ours, ref = _pair()
    s, t = getattr(sched, name)(ours, **SCHEDULES[name]), getattr(torch.optim.lr_scheduler, name)(ref, **SCHEDULES[name])
    for epoch in range(25):
        np.testing.assert_allclose(s.get_last_lr(), t.get_last_lr(), rtol=1e-9, err_msg=f"epoch {epoch}")
        np.testing.assert_allclose([g["lr"] for g in ours.param_groups], [g["lr"] for g in ref.param_groups],
                                   rtol=1e-9)
        ours.step()
        ref.step()
        s.step()
        t.step()


def test_lambda_lr_per_group_matches_torch():
    fns = [lambda e: 0.95 ** e, lambda e: 1 / (1 + e)]
    ours, ref = _pair()
    s, t = sched.LambdaLR(ours, fns), torch.optim.lr_scheduler.LambdaLR(ref, fns)
    for _ in range(10):
        np.testing.assert_allclose(s.get_last_lr(), t.get_last_lr(), rtol=1e-12)
        ours.step()
        ref.step()
        s.step()
        t.step()
    with pytest.raises(ValueError, match="one per param group"):
        sched.LambdaLR(ours, fns[:1])


@pytest.mark.parametrize("opts", [dict(), dict(mode="max", patience=2, factor=0.5),
                                  dict(patience=1, cooldown=2, threshold_mode="abs", threshold=0.05),
                                  dict(patience=0, min_lr=[0.01, 0.015], factor=0.2)])
def test_reduce_on_plateau_matches_torch(opts):
    metrics = np.r_[np.linspace(1, 0.5, 6), np.full(10, 0.5), np.linspace(0.5, 0.48, 5), np.full(15, 0.49)]
    ours, ref = _pair()
    s = sched.ReduceLROnPlateau(ours, **opts)
    t = torch.optim.lr_scheduler.ReduceLROnPlateau(ref, **opts)
    for epoch, m in enumerate(metrics):
        s.step(m)
        t.step(m)
        np.testing.assert_allclose([g["lr"] for g in ours.param_groups], [g["lr"] for g in ref.param_groups],
                                   rtol=1e-12, err_msg=f"epoch {epoch}")
        assert s.num_bad_epochs == t.num_bad_epochs and s.best == t.best


def test_state_dict_resumes_the_schedule():
    ours, _ = _pair()
    s = sched.CosineAnnealingLR(ours, T_max=10)
    for _ in range(4):
        s.step()
    saved = s.state_dict()
    assert "optimizer" not in saved and saved["last_epoch"] == 4
    other_opt, _ = _pair()
    other_opt.load_state_dict(ours.state_dict())  # carries initial_lr, as in PyTorch
    other = sched.CosineAnnealingLR(other_opt, T_max=10, last_epoch=3)
    other.load_state_dict(saved)
    s.step()
    other.step()
    assert other.get_last_lr() == s.get_last_lr()
    assert s.get_last_lr()[0] == pytest.approx(0.05 * (1 + math.cos(math.pi * 5 / 10)))


def test_bad_arguments():
    ours, _ = _pair()
    with pytest.raises(ValueError, match="step_size"):
        sched.StepLR(ours, step_size=0)
    with pytest.raises(ValueError, match="factor"):
        sched.ReduceLROnPlateau(ours, factor=1.5)
    with pytest.raises(KeyError, match="initial_lr"):
        sched.ExponentialLR(_pair()[0], gamma=0.9, last_epoch=5)
