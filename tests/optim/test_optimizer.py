"""The Optimizer base: groups, defaults, zero_grad, closures, validation, state dicts, and that a
new optimizer is one small subclass."""
from __future__ import annotations

import numpy as np
import pytest

import gradbook as gb
from gradbook import nn, optim


def _params():
    return [nn.Parameter(gb.randn(3, 2)), nn.Parameter(gb.randn(4))]


def test_groups_get_defaults_and_their_own_options():
    a, b = _params()
    opt = optim.SGD([{"params": [a]}, {"params": b, "lr": 0.5}], lr=0.1, momentum=0.9)
    assert opt.param_groups[0]["lr"] == 0.1 and opt.param_groups[1]["lr"] == 0.5
    assert opt.param_groups[1]["momentum"] == 0.9 and opt.param_groups[1]["params"][0] is b
    c = nn.Parameter(gb.randn(2))
    opt.add_param_group({"params": [c], "momentum": 0.0})
    assert opt.param_groups[2]["lr"] == 0.1 and opt.param_groups[2]["momentum"] == 0.0
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": [a]})


def test_bad_params_and_hyperparameters_raise_clear_errors():
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.SGD([])
    with pytest.raises(TypeError, match="single Tensor"):
        optim.SGD(nn.Parameter(gb.randn(2)))
    with pytest.raises(ValueError, match="non-leaf"):
        optim.SGD([nn.Parameter(gb.randn(2)) * 2])
    with pytest.raises(ValueError, match="invalid learning rate"):
        optim.SGD(_params(), lr=-1)
    with pytest.raises(ValueError, match="Nesterov"):
        optim.SGD(_params(), lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match="beta parameter at index 1"):
        optim.Adam(_params(), betas=(0.9, 1.0))
    with pytest.raises(ValueError, match="epsilon"):
        optim.AdamW(_params(), eps=-1)


def test_zero_grad_and_closure():
    w = nn.Parameter(gb.tensor([1.0, -2.0]))
    opt = optim.SGD([w], lr=0.25)

    def closure():
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    with gb.no_grad():  # the closure still records: step enables grad for it
        loss = opt.step(closure)
    assert loss.item() == 5.0
    np.testing.assert_allclose(w.data, [0.5, -1.0])  # w - 0.25 · 2w
    opt.zero_grad(set_to_none=False)
    assert np.all(w.grad.data == 0)
    opt.zero_grad()
    assert w.grad is None


def test_updates_are_in_place_and_keep_float32():
    a, b = _params()
    arr = a.data
    opt = optim.Adam([a, b], lr=0.1, weight_decay=0.1, amsgrad=True)
    a.grad = gb.tensor(np.ones((3, 2), np.float64))  # even a float64 gradient
    opt.step()
    assert a.data is arr and a.dtype == np.float32
    assert all(v.dtype == np.float32 for v in opt.state[a].values() if isinstance(v, np.ndarray))
    assert b not in opt.state  # no gradient, no state


def test_load_state_dict_checks_group_sizes():
    opt = optim.SGD(_params(), lr=0.1, momentum=0.9)
    other = optim.SGD([nn.Parameter(gb.randn(2))], lr=0.1)
    with pytest.raises(ValueError, match=r"group sizes \[2\].*\[1\]"):
        other.load_state_dict(opt.state_dict())


def test_repr_lists_groups_like_pytorch():
    text = repr(optim.SGD(_params(), lr=0.1))
    assert text.startswith("SGD (\nParameter Group 0\n") and "    lr: 0.1" in text and "momentum: 0.0" in text


def test_a_new_optimizer_is_one_small_subclass():
    class SignSGD(optim.Optimizer):
        def __init__(self, params, lr=0.1):
            super().__init__(params, dict(lr=lr))

        def _update(self, p, grad, state, group):
            state["step"] = state.get("step", 0) + 1
            p.data -= group["lr"] * np.sign(grad)

    w = nn.Parameter(gb.tensor([1.0, -1.0]))
    opt = SignSGD([w])
    w.grad = gb.tensor([3.0, -0.5])
    opt.step()
    np.testing.assert_allclose(w.data, [0.9, -0.9])
    assert opt.state_dict()["state"] == {0: {"step": 1}}


@pytest.mark.parametrize("make", [lambda p: optim.SGD(p, lr=0.1, momentum=0.9),
                                  lambda p: optim.Adam(p, lr=0.1), lambda p: optim.AdamW(p, lr=0.1)])
def test_optimizers_minimise_a_quadratic(make):
    target = np.array([1.0, -2.0, 3.0], np.float32)
    w = nn.Parameter(gb.zeros(3))
    opt = make([w])
    for _ in range(300):
        opt.zero_grad()
        ((w - gb.tensor(target)) ** 2).sum().backward()
        opt.step()
    np.testing.assert_allclose(w.data, target, atol=0.05)


def test_state_dict_survives_gradbook_save_and_load(tmp_path):
    a, b = _params()
    opt = optim.Adam([{"params": [a]}, {"params": [b], "lr": 0.5}],
                     amsgrad=True)
    a.grad, b.grad = gb.ones(3, 2), gb.ones(4)
    opt.step()
    gb.save(opt.state_dict(), tmp_path / "opt.npz")
    back = gb.load(tmp_path / "opt.npz")
    c, d = nn.Parameter(a.data.copy()), nn.Parameter(b.data.copy())
    other = optim.Adam([{"params": [c]}, {"params": [d]}], amsgrad=True)
    other.load_state_dict(back)
    assert other.param_groups[1]["lr"] == 0.5 and other.state[c]["step"] == 1
    for p, q in ((a, c), (b, d)):
        q.grad = gb.tensor(np.full(p.shape, 0.3, np.float32))
        p.grad = gb.tensor(np.full(p.shape, 0.3, np.float32))
    opt.step()
    other.step()
    assert np.array_equal(a.data, c.data) and np.array_equal(b.data, d.data)
