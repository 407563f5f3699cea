"""Distillation: the soft term's gradient is T·(softmax(s/T) − softmax(t/T))/N (with the T² factor,
by hand), the fit recipe makes a student follow its teacher, and bad arguments are named."""
import numpy as np
import pytest

import gradbook as gb
from gradbook import nn, optim
from gradbook.compress import distill


def _softmax(z):
    e = np.exp(z - z.max(1, keepdims=True))
    return e / e.sum(1, keepdims=True)


def test_soft_term_gradient_by_hand():
    rng = np.random.default_rng(0)
    s = gb.tensor(rng.standard_normal((5, 4)), requires_grad=True)
    t = rng.standard_normal((5, 4))
    T = 3.0
    distill.distillation_loss(s, t, gb.tensor(rng.integers(0, 4, 5)), T=T, alpha=1.0).backward()
    want = T * (_softmax(s.data / T) - _softmax(t / T)) / 5
    np.testing.assert_allclose(s.grad.data, want, rtol=1e-10, atol=1e-13)


def test_fit_makes_the_student_follow_the_teacher():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((96, 5)).astype(np.float32)
    teacher = nn.Sequential(nn.Linear(5, 16), nn.Tanh(), nn.Linear(16, 3))
    with gb.no_grad():
        y = teacher(gb.tensor(x)).data.argmax(1)
    student = nn.Sequential(nn.Linear(5, 3))
    loader = [(gb.tensor(x[i:i + 32]), gb.tensor(y[i:i + 32])) for i in range(0, 96, 32)]
    losses = distill.fit(student, teacher, loader, optim.Adam(student.parameters(), lr=5e-2), epochs=30, T=2.0)
    assert losses[-1] < 0.5 * losses[0]
    with gb.no_grad():
        agree = (student(gb.tensor(x)).data.argmax(1) == y).mean()
    assert agree > 0.8


@pytest.mark.parametrize("kwargs, match", [({"T": 0}, "T .*positive"), ({"alpha": 1.5}, r"alpha must lie in \[0, 1\]")])
def test_bad_arguments(kwargs, match):
    s = gb.tensor(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=match):
        distill.distillation_loss(s, np.zeros((2, 3)), gb.tensor(np.array([0, 1])), **kwargs)
    with pytest.raises(ValueError, match=r"\(2, 3\) and \(2, 4\)"):
        distill.distillation_loss(s, np.zeros((2, 4)), gb.tensor(np.array([0, 1])))
