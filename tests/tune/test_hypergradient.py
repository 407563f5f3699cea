"""SGD-HD against a hand-written NumPy loop of Baydin et al.'s recurrence, its hypergradient against
autograd's derivative of the loss with respect to the learning rate, and its state dict."""
import numpy as np
import pytest

import gradbook as gb
from gradbook.tune.hypergradient import SGDHD

rng = np.random.default_rng(0)
A = rng.normal(size=(6, 4))
Q = A.T @ A / 6 + 0.1 * np.eye(4)   # f(w, b) = ½ wᵀQw − cᵀw + ½ (b − 1)², a convex quadratic
c = rng.normal(size=4)


def _loss(w, b):
    return 0.5 * (w @ gb.tensor(Q) @ w) - (w * gb.tensor(c)).sum() + 0.5 * ((b - 1.0) ** 2).sum()


def _reference(w, b, lr, beta, steps):
    """α_t = α_{t−1} + β ∇f(θ_{t−1})·∇f(θ_{t−2});  θ_t = θ_{t−1} − α_t ∇f(θ_{t−1})."""
    prev = None
    lrs = []
    for _ in range(steps):
        g = np.concatenate([Q @ w - c, b - 1.0])
        if prev is not None:
            lr = lr + beta * g @ prev
        lrs.append(lr)
        w, b = w - lr * g[:4], b - lr * g[4:]
        prev = g
    return w, b, lrs


@pytest.mark.parametrize("beta", [0.0, 1e-3, 0.05])
def test_matches_the_recurrence_written_out(beta):
    w0, b0 = rng.normal(size=4), rng.normal(size=2)
    w = gb.tensor(w0, dtype="float64", requires_grad=True)
    b = gb.tensor(b0, dtype="float64", requires_grad=True)
    opt = SGDHD([w, b], lr=0.05, hypergrad_lr=beta)
    lrs = []
    for _ in range(30):
        opt.zero_grad()
        _loss(w, b).backward()
        opt.step()
        lrs.append(opt.param_groups[0]["lr"])
    ref_w, ref_b, ref_lrs = _reference(w0, b0, 0.05, beta, 30)
    np.testing.assert_allclose(w.data, ref_w, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(b.data, ref_b, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(lrs, ref_lrs, rtol=1e-12)
    if beta > 0:
        assert lrs[-1] > 0.05  # gradients along a convex valley agree: the rate grows from a timid start


def test_the_hypergradient_is_minus_the_derivative_of_the_loss_in_the_learning_rate():
    w0 = rng.normal(size=4)
    g_prev = Q @ w0 - c
    alpha = gb.tensor(0.1, dtype="float64", requires_grad=True)
    w1 = gb.tensor(w0, dtype="float64") - alpha * gb.tensor(g_prev, dtype="float64")
    loss = 0.5 * (w1 @ gb.tensor(Q) @ w1) - (w1 * gb.tensor(c)).sum()
    loss.backward()
    g_now = Q @ (w0 - 0.1 * g_prev) - c
    assert alpha.grad.item() == pytest.approx(-g_now @ g_prev, rel=1e-12)


def test_lr_and_last_gradient_survive_state_dict():
    def run(steps, opt=None, w=None):
        w = w if w is not None else gb.tensor(np.ones(4), dtype="float64", requires_grad=True)
        opt = opt or SGDHD([w], lr=0.01, hypergrad_lr=0.01)
        for _ in range(steps):
            opt.zero_grad()
            _loss(w, gb.tensor(np.ones(2))).backward()
            opt.step()
        return w, opt

    w_full, _ = run(10)
    w_half, opt_half = run(5)
    w_new = gb.tensor(w_half.data.copy(), dtype="float64", requires_grad=True)
    opt_new = SGDHD([w_new], lr=0.5, hypergrad_lr=0.01)
    opt_new.load_state_dict(opt_half.state_dict())
    w_resumed, _ = run(5, opt_new, w_new)
    np.testing.assert_allclose(w_resumed.data, w_full.data, rtol=1e-14)


def test_maximize_and_bad_arguments():
    w = gb.tensor(np.zeros(4), dtype="float64", requires_grad=True)
    opt = SGDHD([w], lr=0.1, hypergrad_lr=0.01, maximize=True)
    for _ in range(3):
        opt.zero_grad()
        (-_loss(w, gb.tensor(np.ones(2)))).backward()
        opt.step()
    ref_w, _, _ = _reference(np.zeros(4), np.ones(2), 0.1, 0.01, 3)
    np.testing.assert_allclose(w.data, ref_w, rtol=1e-12)
    with pytest.raises(ValueError, match="invalid hypergrad_lr"):
        SGDHD([w], hypergrad_lr=-1)
    with pytest.raises(ValueError, match="invalid learning rate"):
        SGDHD([w], lr=-1)
