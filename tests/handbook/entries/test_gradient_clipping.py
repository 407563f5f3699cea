"""gradient-clipping against the same RNN trained in torch (torch.nn.RNN with the entry's initial
weights, torch.nn.utils' clipping, the same batches) and torch's autograd for ∂L/∂h₀. The default run
compares the first 200 training steps; the slow test the whole runs."""
import numpy as np
import pytest
import torch

from gradbook import handbook
from gradbook.handbook.entries.gradient_clipping import BATCH, HIDDEN, adding_batch, make_model


def torch_model(seed, gain=1.5):
    """torch.nn.RNN + Linear holding the entry's initial weights (the inputs of the experiment)."""
    rnn, head = make_model(seed, gain)
    t_rnn, t_head = torch.nn.RNN(2, HIDDEN).double(), torch.nn.Linear(HIDDEN, 1).double()
    with torch.no_grad():
        for name in ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"):
            getattr(t_rnn, name).copy_(torch.from_numpy(np.array(getattr(rnn, name).data)))
        t_head.weight.copy_(torch.from_numpy(np.array(head.weight.data)))
        t_head.bias.copy_(torch.from_numpy(np.array(head.bias.data)))
    return t_rnn, t_head


def torch_loss(t_rnn, t_head, x, y, h0=None):
    out, _ = t_rnn(torch.from_numpy(x), h0)
    return torch.nn.functional.mse_loss(t_head(out[-1]).reshape(-1), torch.from_numpy(y))


def torch_train(clip, lr, steps, threshold):
    t_rnn, t_head = torch_model(0)
    params = list(t_rnn.parameters()) + list(t_head.parameters())
    opt = torch.optim.SGD(params, lr=lr)
    rng = np.random.default_rng(1)
    losses = []
    for _ in range(steps):
        x, y = adding_batch(rng)
        loss = torch_loss(t_rnn, t_head, x, y)
        opt.zero_grad()
        loss.backward()
        if clip == "norm":
            torch.nn.utils.clip_grad_norm_(params, threshold)
        elif clip == "value":
            torch.nn.utils.clip_grad_value_(params, threshold)
        opt.step()
        losses.append(loss.item())
        if not np.isfinite(losses[-1]) or losses[-1] > 1e3:
            break
    return np.array(losses)


@pytest.fixture(scope="module")
def result():
    return handbook.run("gradient-clipping", quick=True)


def test_gradient_through_time_and_direction_match_torch(result):
    n = result.numbers
    for gain in (0.5, 1.0, 1.5):
        for length in (5, 10, 20, 40):
            t_rnn, t_head = torch_model(0, gain)
            x, y = adding_batch(np.random.default_rng(0), length=length)
            h0 = torch.zeros(1, BATCH, HIDDEN, dtype=torch.float64, requires_grad=True)
            torch_loss(t_rnn, t_head, x, y, h0).backward()
            key = f"dh0_gain{str(gain).replace('.', '_')}_T{length}"
            assert np.isclose(n[key], h0.grad.norm().item(), rtol=1e-9, atol=1e-300), key
    t_rnn, t_head = torch_model(0)
    params = list(t_rnn.parameters()) + list(t_head.parameters())
    x, y = adding_batch(np.random.default_rng(1))
    torch_loss(t_rnn, t_head, x, y).backward()
    raw = torch.cat([p.grad.reshape(-1) for p in params]).numpy().copy()
    assert np.isclose(n["raw_norm"], np.linalg.norm(raw), rtol=1e-9)
    # clipping by value by hand: clamp each entry, then the cosine with the raw gradient
    clamped = np.clip(raw, -0.1, 0.1)
    assert np.isclose(n["cos_value_clip"], raw @ clamped / (np.linalg.norm(raw) * np.linalg.norm(clamped)), rtol=1e-9)
    assert n["value_clipped_entries"] == int(np.count_nonzero(np.abs(raw) > 0.1)) and n["entries"] == raw.size
    # clipping by norm: g · 1/(‖g‖ + 1e-6)
    assert np.isclose(n["norm_after_norm_clip"], np.linalg.norm(raw) / (np.linalg.norm(raw) + 1e-6), rtol=1e-12)


def test_training_runs_match_torch_step_by_step(result):
    n = result.numbers
    steps, lr = n["steps"], n["lr"]
    none = torch_train(None, lr, steps, 1.0)
    assert n["diverged_none"] and n["diverged_at_none"] == len(none) < steps
    # the first 200 steps agree to rounding; later, at lr 0.3, the clipped runs amplify rounding differences
    for name, clip, rate, threshold in (("norm", "norm", lr, 1.0), ("value", "value", lr, 0.1),
                                        ("small_lr", None, lr / 10, 1.0)):
        early = torch_train(clip, rate, 200, threshold)
        assert np.isclose(n[f"early_{name}"], np.mean(early), rtol=1e-6), name
        assert not n[f"diverged_{name}"]
    assert n["final_norm"] < 0.5 / 6 and n["final_small_lr"] > n["final_norm"]
    assert result.verdicts == {"product": "confirmed", "rescues-training": "confirmed", "direction": "confirmed",
                               "just-smaller-lr": "corrected"}
    assert [f.name for f in result.figures] == ["clipping_training"]


@pytest.mark.slow
def test_whole_training_runs_match_torch(result):
    n = result.numbers
    steps, lr = n["steps"], n["lr"]
    for name, clip, rate, threshold in (("norm", "norm", lr, 1.0), ("small_lr", None, lr / 10, 1.0)):
        losses = torch_train(clip, rate, steps, threshold)
        assert len(losses) == steps
        assert np.isclose(n[f"final_{name}"], np.mean(losses[-100:]), rtol=0.25 if clip else 1e-9), name
        if clip:
            assert np.mean(losses[-100:]) < 0.5 / 6  # torch's clipped run learns too
