"""RNN, GRU, LSTM and their cells against torch.nn: a torch state_dict loads unchanged, and the
outputs, final states and the gradients of the input, the initial states and every parameter agree
(multi-layer, bidirectional, batch_first both ways, with and without bias; dropout>0 in eval mode)."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import gradbook as gb
import gradbook.nn as nn

KINDS = ["RNN", "RNN_relu", "GRU", "LSTM"]


def _pair(kind: str, *args, **kwargs):
    """The same layer in both libraries, gradbook's loaded from torch's state_dict (float64)."""
    name, extra = (("RNN", {"nonlinearity": "relu"}) if kind == "RNN_relu" else (kind, {}))
    tm = getattr(torch.nn, name)(*args, **kwargs, **extra).double()
    gm = getattr(nn, name)(*args, **kwargs, **extra, dtype="float64")
    assert list(gm.state_dict()) == list(tm.state_dict())
    gm.load_state_dict({k: v.detach().numpy() for k, v in tm.state_dict().items()})
    return gm, tm


def _flat(result) -> list:
    out = []
    for r in result if isinstance(result, tuple) else (result,):
        out.extend(_flat(r) if isinstance(r, tuple) else [r])
    return out


def _check(gm, tm, inputs: list[np.ndarray], call, atol=1e-9):
    """Run ``call(module, *inputs)`` on both sides; compare every output and every gradient."""
    rng = np.random.default_rng(1)
    g_in = [gb.tensor(a, requires_grad=True) for a in inputs]
    t_in = [torch.tensor(a, requires_grad=True) for a in inputs]
    g_out, t_out = _flat(call(gm, *g_in)), _flat(call(tm, *t_in))
    assert len(g_out) == len(t_out)
    g_loss, t_loss = 0, 0
    for k, (a, b) in enumerate(zip(g_out, t_out)):
        np.testing.assert_allclose(a.data, b.detach().numpy(), atol=atol, err_msg=f"output {k}")
        v = rng.standard_normal(b.shape)
        g_loss = g_loss + (a * gb.tensor(v)).sum()
        t_loss = t_loss + (b * torch.tensor(v)).sum()
    g_loss.backward()
    t_loss.backward()
    for k, (a, b) in enumerate(zip(g_in, t_in)):
        np.testing.assert_allclose(a.grad.data, b.grad.numpy(), atol=atol, err_msg=f"grad of input {k}")
    for (name, p), (tname, tp) in zip(gm.named_parameters(), tm.named_parameters()):
        assert name == tname
        np.testing.assert_allclose(p.grad.data, tp.grad.numpy(), atol=atol, err_msg=f"grad of {name}")


def _layer_call(kind: str):
    if kind == "LSTM":
        return lambda m, x, h, c: m(x, (h, c))
    return lambda m, x, h: m(x, h)


@given(kind=st.sampled_from(KINDS), num_layers=st.integers(1, 3), bidirectional=st.booleans(),
       batch_first=st.booleans(), bias=st.booleans(), T=st.integers(1, 5), N=st.integers(1, 3),
       I=st.integers(1, 4), H=st.integers(1, 4), seed=st.integers(0, 2**16))
def test_layer_matches_torch(kind, num_layers, bidirectional, batch_first, bias, T, N, I, H, seed):
    gm, tm = _pair(kind, I, H, num_layers=num_layers, bias=bias, batch_first=batch_first,
                   bidirectional=bidirectional)
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((N, T, I) if batch_first else (T, N, I))
    states = [rng.standard_normal((num_layers * (2 if bidirectional else 1), N, H))
              for _ in range(2 if kind == "LSTM" else 1)]
    _check(gm, tm, [x, *states], _layer_call(kind))


@given(num_layers=st.integers(1, 3), bidirectional=st.booleans(), batch_first=st.booleans(), bias=st.booleans(),
       T=st.integers(1, 5), N=st.integers(1, 3), I=st.integers(1, 4), H=st.integers(2, 5), data=st.data())
def test_projected_lstm_matches_torch(num_layers, bidirectional, batch_first, bias, T, N, I, H, data):
    P = data.draw(st.integers(1, H - 1), label="proj_size")
    gm, tm = _pair("LSTM", I, H, num_layers=num_layers, bias=bias, batch_first=batch_first,
                   bidirectional=bidirectional, proj_size=P)
    assert [tuple(p.shape) for p in gm.parameters()] == [tuple(p.shape) for p in tm.parameters()]
    rng = np.random.default_rng(data.draw(st.integers(0, 2**16), label="seed"))
    layers = num_layers * (2 if bidirectional else 1)
    x = rng.standard_normal((N, T, I) if batch_first else (T, N, I))
    _check(gm, tm, [x, rng.standard_normal((layers, N, P)), rng.standard_normal((layers, N, H))],
           _layer_call("LSTM"))


def test_projected_lstm_default_state_unbatched_and_dropout_match_torch():
    gm, tm = _pair("LSTM", 3, 5, num_layers=2, bidirectional=True, proj_size=2, dropout=0.3)
    gm.eval(), tm.eval()
    rng = np.random.default_rng(5)
    _check(gm, tm, [rng.standard_normal((4, 2, 3))], lambda m, x: m(x))
    gm.zero_grad(), tm.zero_grad()
    _check(gm, tm, [rng.standard_normal((4, 3)), rng.standard_normal((4, 2)), rng.standard_normal((4, 5))],
           _layer_call("LSTM"))
    assert repr(gm) == repr(tm)


@pytest.mark.parametrize("kind", KINDS)
def test_layer_default_state_and_unbatched_match_torch(kind):
    gm, tm = _pair(kind, 3, 4, num_layers=2, bidirectional=True)
    rng = np.random.default_rng(0)
    _check(gm, tm, [rng.standard_normal((5, 2, 3))], lambda m, x: m(x))
    gm.zero_grad(), tm.zero_grad()
    states = [rng.standard_normal((4, 4)) for _ in range(2 if kind == "LSTM" else 1)]
    _check(gm, tm, [rng.standard_normal((5, 3)), *states], _layer_call(kind))


@pytest.mark.parametrize("kind", KINDS)
def test_dropout_in_eval_mode_matches_torch(kind):
    gm, tm = _pair(kind, 3, 4, num_layers=3, dropout=0.5, bidirectional=True, batch_first=True)
    gm.eval(), tm.eval()
    rng = np.random.default_rng(2)
    _check(gm, tm, [rng.standard_normal((2, 6, 3))], lambda m, x: m(x))


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("batched", [True, False])
def test_cells_match_torch(kind, batched):
    name, extra = (("RNNCell", {"nonlinearity": "relu"}) if kind == "RNN_relu" else (kind.split("_")[0] + "Cell", {}))
    tm = getattr(torch.nn, name)(3, 5, **extra).double()
    gm = getattr(nn, name)(3, 5, **extra, dtype="float64")
    gm.load_state_dict({k: v.detach().numpy() for k, v in tm.state_dict().items()})
    rng = np.random.default_rng(3)
    shape = (4,) if batched else ()
    x = rng.standard_normal((*shape, 3))
    states = [rng.standard_normal((*shape, 5)) for _ in range(2 if kind == "LSTM" else 1)]
    call = (lambda m, x, h, c: m(x, (h, c))) if kind == "LSTM" else (lambda m, x, h: m(x, h))
    _check(gm, tm, [x, *states], call)


def test_float32_layer_matches_torch_float32():
    tm = torch.nn.LSTM(6, 8, num_layers=2, bidirectional=True)
    gm = nn.LSTM(6, 8, num_layers=2, bidirectional=True)
    gm.load_state_dict({k: v.detach().numpy() for k, v in tm.state_dict().items()})
    x = np.random.default_rng(4).standard_normal((7, 3, 6)).astype(np.float32)
    out, (h, c) = gm(gb.tensor(x))
    assert out.dtype == h.dtype == c.dtype == np.float32
    tout, (th, tc) = tm(torch.tensor(x))
    for a, b in ((out, tout), (h, th), (c, tc)):
        np.testing.assert_allclose(a.data, b.detach().numpy(), atol=1e-5)
