"""Recurrent layers: float64 gradcheck of every cell and layer (inputs, initial states and all
parameters), the hand-written BPTT against the same recurrence composed from autograd primitives,
layouts (batch_first, unbatched), dropout, initialisation and error messages."""
from __future__ import annotations

import math

import numpy as np
import pytest

import gradbook as gb
import gradbook.nn as nn
from gradbook.autograd import gradcheck

LAYERS = [("RNN", {}), ("RNN", {"nonlinearity": "relu"}), ("GRU", {}), ("LSTM", {})]
CELLS = [("RNNCell", {}), ("RNNCell", {"nonlinearity": "relu"}), ("GRUCell", {}), ("LSTMCell", {})]


_RNG = np.random.default_rng(0)


def _randn(*shape, requires_grad=True):
    return gb.tensor(_RNG.standard_normal(shape), requires_grad=requires_grad)


@pytest.mark.parametrize("name,extra", LAYERS)
@pytest.mark.parametrize("bidirectional,batch_first,bias", [(False, False, True), (True, True, True),
                                                            (True, False, False)])
def test_layer_gradcheck(name, extra, bidirectional, batch_first, bias):
    gb.set_default_dtype("float64")
    m = getattr(nn, name)(2, 3, num_layers=2, bias=bias, batch_first=batch_first,
                          bidirectional=bidirectional, **extra)
    D = 2 if bidirectional else 1
    x = _randn(2, 3, 2) if batch_first else _randn(3, 2, 2)
    states = [_randn(2 * D, 2, 3) for _ in range(2 if name == "LSTM" else 1)]
    hx = (lambda s: tuple(s)) if name == "LSTM" else (lambda s: s[0])

    def fn(x, *rest):
        out, h = m(x, hx(rest[:len(states)]))
        return (out, *h) if name == "LSTM" else (out, h)

    assert gradcheck(fn, [x, *states, *m.parameters()])


@pytest.mark.parametrize("name,extra", CELLS)
def test_cell_gradcheck(name, extra):
    gb.set_default_dtype("float64")
    m = getattr(nn, name)(3, 4, **extra)
    x, h, c = _randn(2, 3), _randn(2, 4), _randn(2, 4)
    if name == "LSTMCell":
        assert gradcheck(lambda x, h, c, *p: m(x, (h, c)), [x, h, c, *m.parameters()])
    else:
        assert gradcheck(lambda x, h, *p: m(x, h), [x, h, *m.parameters()])


def test_dropout_between_layers_gradcheck_with_fixed_mask():
    gb.set_default_dtype("float64")
    m = nn.GRU(2, 3, num_layers=3, dropout=0.4, bidirectional=True)
    x = _randn(4, 2, 2)

    def fn(x, *p):
        gb.manual_seed(7)  # the same mask on every call
        return m(x)

    assert gradcheck(fn, [x, *m.parameters()])


def _lstm_composed(m: nn.LSTM, x: gb.Tensor) -> gb.Tensor:
    """The same LSTM written with autograd primitives, one step at a time (the reference)."""
    H = m.hidden_size
    h = gb.zeros(x.shape[1], H, dtype=x.dtype)
    c = gb.zeros(x.shape[1], H, dtype=x.dtype)
    outs = []
    for t in range(x.shape[0]):
        z = x[t] @ m.weight_ih_l0.T + m.bias_ih_l0 + h @ m.weight_hh_l0.T + m.bias_hh_l0
        i, f, g, o = z[:, :H].sigmoid(), z[:, H:2 * H].sigmoid(), z[:, 2 * H:3 * H].tanh(), z[:, 3 * H:].sigmoid()
        c = f * c + i * g
        h = o * c.tanh()
        outs.append(h)
    return gb.stack(outs, 0)


@pytest.mark.parametrize("bidirectional,bias", [(False, True), (True, True), (True, False)])
def test_projected_lstm_gradcheck(bidirectional, bias):
    gb.set_default_dtype("float64")
    m = nn.LSTM(2, 4, num_layers=2, bias=bias, bidirectional=bidirectional, proj_size=3)
    D = 2 if bidirectional else 1
    x, h0, c0 = _randn(3, 2, 2), _randn(2 * D, 2, 3), _randn(2 * D, 2, 4)

    def fn(x, h0, c0, *p):
        out, (h, c) = m(x, (h0, c0))
        return out, h, c

    assert gradcheck(fn, [x, h0, c0, *m.parameters()])


def test_projected_lstm_bptt_equals_composed_primitives():
    gb.set_default_dtype("float64")
    m = nn.LSTM(3, 5, proj_size=2)
    x = _randn(6, 2, 3)
    v = np.random.default_rng(2).standard_normal((6, 2, 2))
    out, (h, c) = m(x)
    assert out.shape == (6, 2, 2) and h.shape == (1, 2, 2) and c.shape == (1, 2, 5)
    (out * gb.tensor(v)).sum().backward()
    fused = [x.grad.data.copy()] + [p.grad.data.copy() for p in m.parameters()]
    x.grad = None
    m.zero_grad()
    H = m.hidden_size
    h, c, outs = gb.zeros(2, 2, dtype=x.dtype), gb.zeros(2, H, dtype=x.dtype), []
    for t in range(6):
        z = x[t] @ m.weight_ih_l0.T + m.bias_ih_l0 + h @ m.weight_hh_l0.T + m.bias_hh_l0
        i, f, g, o = z[:, :H].sigmoid(), z[:, H:2 * H].sigmoid(), z[:, 2 * H:3 * H].tanh(), z[:, 3 * H:].sigmoid()
        c = f * c + i * g
        h = (o * c.tanh()) @ m.weight_hr_l0.T
        outs.append(h)
    ref = gb.stack(outs, 0)
    np.testing.assert_allclose(out.data, ref.data, atol=1e-12)
    (ref * gb.tensor(v)).sum().backward()
    for a, b in zip(fused, [x.grad.data] + [p.grad.data for p in m.parameters()]):
        np.testing.assert_allclose(a, b, atol=1e-12)


def test_lstm_bptt_equals_composed_primitives():
    gb.set_default_dtype("float64")
    m = nn.LSTM(3, 4)
    x = _randn(6, 2, 3)
    v = np.random.default_rng(1).standard_normal((6, 2, 4))
    out, _ = m(x)
    (out * gb.tensor(v)).sum().backward()
    fused = [x.grad.data.copy()] + [p.grad.data.copy() for p in m.parameters()]
    x.grad = None
    m.zero_grad()
    ref = _lstm_composed(m, x)
    np.testing.assert_allclose(out.data, ref.data, atol=1e-12)
    (ref * gb.tensor(v)).sum().backward()
    for a, b in zip(fused, [x.grad.data] + [p.grad.data for p in m.parameters()]):
        np.testing.assert_allclose(a, b, atol=1e-12)


@pytest.mark.parametrize("name,extra", LAYERS)
def test_batch_first_and_unbatched_agree_with_time_major(name, extra):
    m = getattr(nn, name)(3, 4, num_layers=2, bidirectional=True, **extra)
    x = np.random.default_rng(0).standard_normal((5, 2, 3)).astype(np.float32)
    out, h = m(gb.tensor(x))
    m.batch_first = True
    out_bf, h_bf = m(gb.tensor(x.transpose(1, 0, 2)))
    np.testing.assert_allclose(out_bf.data.transpose(1, 0, 2), out.data, atol=1e-6)
    out_u, h_u = m(gb.tensor(x[:, 1]))  # unbatched (L, I) ignores batch_first, as in PyTorch
    np.testing.assert_allclose(out_u.data, out.data[:, 1], atol=1e-6)
    hs, hs_u = (h if name == "LSTM" else (h,)), (h_u if name == "LSTM" else (h_u,))
    for a, b in zip(hs, hs_u):
        assert b.shape == (4, 4)
        np.testing.assert_allclose(b.data, a.data[:, 1], atol=1e-6)


def test_returns_shapes_and_dtype():
    m = nn.LSTM(3, 5, num_layers=2, bidirectional=True, batch_first=True)
    out, (h, c) = m(gb.randn(4, 7, 3))
    assert out.shape == (4, 7, 10) and h.shape == c.shape == (4, 4, 5)
    assert out.dtype == h.dtype == np.float32
    out, h = nn.GRU(3, 5)(gb.randn(7, 4, 3))
    assert out.shape == (7, 4, 5) and h.shape == (1, 4, 5)
    np.testing.assert_array_equal(out.data[-1], h.data[0])


def test_parameter_names_shapes_and_init():
    gb.manual_seed(0)
    m = nn.LSTM(3, 16, num_layers=2, bidirectional=True)
    shapes = {k: v.shape for k, v in m.state_dict().items()}
    assert shapes["weight_ih_l0"] == (64, 3) and shapes["weight_ih_l1_reverse"] == (64, 32)
    assert shapes["weight_hh_l1"] == (64, 16) and shapes["bias_hh_l0_reverse"] == (64,)
    assert len(shapes) == 16
    bound = 1 / math.sqrt(16)
    for p in m.parameters():
        assert np.abs(p.data).max() <= bound and np.abs(p.data).max() > 0.9 * bound
    gb.manual_seed(0)
    again = nn.LSTM(3, 16, num_layers=2, bidirectional=True)
    for a, b in zip(m.parameters(), again.parameters()):
        np.testing.assert_array_equal(a.data, b.data)
    assert list(nn.GRU(2, 3, bias=False).state_dict()) == ["weight_ih_l0", "weight_hh_l0"]
    assert repr(nn.RNN(2, 3, 2, nonlinearity="relu", batch_first=True)) == \
        "RNN(2, 3, num_layers=2, nonlinearity='relu', batch_first=True)"


def test_dropout_only_in_training():
    gb.manual_seed(1)
    m = nn.LSTM(3, 4, num_layers=2, dropout=0.5)
    x = gb.randn(5, 2, 3)
    a, _ = m(x)
    b, _ = m(x)
    assert not np.allclose(a.data, b.data)  # a fresh mask each call
    m.eval()
    c, _ = m(x)
    m.dropout = 0.0
    m.train()
    d, _ = m(x)
    np.testing.assert_array_equal(c.data, d.data)


def test_errors_name_the_layer():
    m = nn.LSTM(3, 4, num_layers=2)
    with pytest.raises(ValueError, match=r"LSTM\(3, 4, num_layers=2\): expected input with last dimension 3"):
        m(gb.randn(5, 2, 7))
    with pytest.raises(ValueError, match="expected a 2-D or 3-D input"):
        m(gb.randn(5))
    with pytest.raises(ValueError, match=r"expected h0 of shape \(2, 2, 4\), got shape \(1, 2, 4\)"):
        m(gb.randn(5, 2, 3), (gb.randn(1, 2, 4), gb.randn(2, 2, 4)))
    with pytest.raises(ValueError, match="tuple"):
        m(gb.randn(5, 2, 3), gb.randn(2, 2, 4))
    with pytest.raises(ValueError, match="dtype"):
        m(gb.randn(5, 2, 3, dtype="float64"))
    with pytest.raises(ValueError, match="sequence of length >= 1"):
        m(gb.randn(0, 2, 3))
    with pytest.raises(ValueError, match="proj_size has to be smaller than hidden_size, got proj_size=4"):
        nn.LSTM(3, 4, proj_size=4)
    with pytest.raises(ValueError, match="proj_size must be an int >= 0, got -1"):
        nn.LSTM(3, 4, proj_size=-1)
    with pytest.raises(ValueError, match="proj_size is only supported for LSTM, not GRU"):
        nn.RNNBase("GRU", 3, 4, proj_size=2)
    with pytest.raises(ValueError, match=r"expected h0 of shape \(1, 2, 2\), got shape \(1, 2, 4\)"):
        nn.LSTM(3, 4, proj_size=2)(gb.randn(5, 2, 3), (gb.randn(1, 2, 4), gb.randn(1, 2, 4)))
    with pytest.raises(ValueError, match="nonlinearity"):
        nn.RNN(3, 4, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match="dropout"):
        nn.GRU(3, 4, dropout=1.5)
    with pytest.raises(ValueError, match="hidden_size"):
        nn.GRU(3, 0)
    with pytest.raises(ValueError, match=r"GRUCell\(3, 4\): expected input with last dimension 3"):
        nn.GRUCell(3, 4)(gb.randn(2, 5))
    with pytest.raises(ValueError, match="state of shape"):
        nn.LSTMCell(3, 4)(gb.randn(2, 3), (gb.randn(2, 4), gb.randn(3, 4)))
