"""Recurrent layers with PyTorch's names, arguments, parameter layout and return values:
``RNN``, ``GRU``, ``LSTM`` (stacked, optionally bidirectional) and the one-step cells
``RNNCell``, ``GRUCell``, ``LSTMCell``.

Each layer and direction runs as ONE Function over the whole sequence with a hand-written
backward through time (:mod:`gradbook.ops.recurrent`); a stacked layer is one graph node
(``RNNStack``) that chains those kernels, joins directions and applies inter-layer dropout on
arrays. This module holds the parameters, checks inputs and handles layouts. A PyTorch ``state_dict`` converted
to arrays loads unchanged (``weight_ih_l0``, ``weight_hh_l0``, ``bias_ih_l0``, ``bias_hh_l0``,
``..._reverse``; gates LSTM i, f, g, o and GRU r, z, n).
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import backend
from ..autograd.tensor import Tensor
from ..ops import recurrent as R
from ..ops._util import operand
from . import init
from .module import Module, Parameter

__all__ = ["RNNBase", "RNN", "GRU", "LSTM", "RNNCellBase", "RNNCell", "GRUCell", "LSTMCell"]

_LAYER_FN = {"RNN_TANH": R.rnn_tanh_layer, "RNN_RELU": R.rnn_relu_layer, "GRU": R.gru_layer,
             "LSTM": R.lstm_layer}


def _check_size(layer: str, name: str, value: Any, minimum: int) -> int:
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"{layer}: {name} must be an int >= {minimum}, got {value!r}")
    return int(value)


def _as_tensor(x: Any) -> Tensor:
    x = operand(x)
    return x if isinstance(x, Tensor) else Tensor._wrap(np.asarray(x))


def _init_uniform(module: Module, hidden_size: int) -> None:
    """PyTorch's default: every weight and bias ~ U(-1/√hidden, 1/√hidden)."""
    bound = 1.0 / math.sqrt(hidden_size) if hidden_size > 0 else 0.0
    for p in module.parameters():
        init.uniform_(p, -bound, bound)


class RNNBase(Module):
    """Stacked recurrent layer over ``mode`` in RNN_TANH, RNN_RELU, GRU, LSTM.

    Input: (L, N, I), or (N, L, I) with ``batch_first=True``, or unbatched (L, I).
    Initial state h0 (and c0 for LSTM): (D·num_layers, N, H), or (D·num_layers, H) unbatched;
    zeros when omitted. D = 2 if bidirectional else 1.
    Output: (L, N, D·H) (batch first if asked), h_n (D·num_layers, N, H) [and c_n], ordered
    layer 0 forward, layer 0 reverse, layer 1 forward, ... as PyTorch.
    """

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 proj_size: int = 0, dtype=None):
        super().__init__()
        name = type(self).__name__
        if mode not in R.GATES:
            raise ValueError(f"{name}: unknown mode {mode!r}, expected one of {sorted(R.GATES)}")
        self.mode = mode
        self.input_size = _check_size(name, "input_size", input_size, 0)
        self.hidden_size = _check_size(name, "hidden_size", hidden_size, 1)
        self.num_layers = _check_size(name, "num_layers", num_layers, 1)
        if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) or not 0 <= dropout <= 1:
            raise ValueError(f"{name}: dropout must be a number in [0, 1], got {dropout!r}")
        self.proj_size = _check_size(name, "proj_size", proj_size, 0)
        if self.proj_size and mode != "LSTM":
            raise ValueError(f"{name}: proj_size is only supported for LSTM, not {mode}; got proj_size={proj_size!r}")
        if self.proj_size >= self.hidden_size:
            raise ValueError(f"{name}: proj_size has to be smaller than hidden_size, got proj_size={proj_size!r} "
                             f"and hidden_size={hidden_size!r}")
        self.bias, self.batch_first = bool(bias), bool(batch_first)
        self.dropout, self.bidirectional = float(dropout), bool(bidirectional)
        dt = backend.get_default_dtype() if dtype is None else np.dtype(dtype)
        gate_size = R.GATES[mode] * self.hidden_size
        real = self.output_size
        for layer in range(self.num_layers):
            in_size = self.input_size if layer == 0 else real * self.num_directions
            for suffix in self._suffixes():
                shapes = {"weight_ih": (gate_size, in_size), "weight_hh": (gate_size, real)}
                if self.bias:
                    shapes.update(bias_ih=(gate_size,), bias_hh=(gate_size,))
                if self.proj_size:
                    shapes.update(weight_hr=(self.proj_size, self.hidden_size))
                for kind, shape in shapes.items():
                    setattr(self, f"{kind}_l{layer}{suffix}", Parameter(np.empty(shape, dt)))
        self.reset_parameters()

    @property
    def output_size(self) -> int:
        """Features of h and of each direction's output: proj_size when projecting, else hidden_size."""
        return self.proj_size or self.hidden_size

    @property
    def num_directions(self) -> int:
        return 2 if self.bidirectional else 1

    def _suffixes(self) -> tuple[str, ...]:
        return ("", "_reverse") if self.bidirectional else ("",)

    def reset_parameters(self) -> None:
        _init_uniform(self, self.hidden_size)

    def _layer_params(self, layer: int, suffix: str) -> list:
        """One (layer, direction)'s parameters in PyTorch's order: W_ih, W_hh[, b_ih, b_hh][, W_hr]."""
        names = ("weight_ih", "weight_hh") + (("bias_ih", "bias_hh") if self.bias else ()) + (
            ("weight_hr",) if self.proj_size else ())
        return [getattr(self, f"{n}_l{layer}{suffix}") for n in names]

    # ------------------------------------------------------------------ checks
    def _check_state(self, h: Any, what: str, expected: tuple[int, ...], dtype) -> Tensor:
        h = _as_tensor(h)
        if tuple(h.shape) != expected:
            raise ValueError(f"{self!r}: expected {what} of shape {expected}, got shape {tuple(h.shape)}")
        if h.dtype != dtype:
            raise ValueError(f"{self!r}: expected {what} of dtype {dtype} (the weights'), got {h.dtype}")
        return h

    def _prepare(self, input: Any, hx: Any):
        """Time-major batched input and the initial state(s), with what is needed to undo the layout."""
        x = _as_tensor(input)
        self.check_input(x, ndim=(2, 3), layout="(L, N, input_size), (N, L, input_size) or (L, input_size)")
        self.check_input(x, dim=-1, size=self.input_size, what="last dimension {size} (input_size)")
        dtype = self.weight_ih_l0.dtype
        if x.dtype != dtype:
            raise ValueError(f"{self!r}: expected input of dtype {dtype} (the weights'), got {x.dtype}")
        if x.shape[1 if x.ndim == 3 and self.batch_first else 0] == 0:
            raise ValueError(f"{self!r}: expected a sequence of length >= 1, got shape {tuple(x.shape)}")
        batched = x.ndim == 3
        if not batched:
            x = x.unsqueeze(1)
        elif self.batch_first:
            x = x.transpose(0, 1)
        n = x.shape[1]
        layers = self.num_layers * self.num_directions
        names = ("h0", "c0") if self.mode == "LSTM" else ("h0",)
        sizes = (self.output_size, self.hidden_size)  # h has proj_size features when projecting, c never
        if hx is None:
            states = [Tensor._wrap(np.zeros((layers, n, size), dtype)) for _, size in zip(names, sizes)]
        else:
            given = tuple(hx) if isinstance(hx, (tuple, list)) else (hx,)
            if len(given) != len(names):
                want = "a tuple (h0, c0)" if len(names) == 2 else "one tensor h0"
                raise ValueError(f"{self!r}: expected hx as {want}, got {len(given)} tensors")
            states = [self._check_state(h, w, (layers, n, size) if batched else (layers, size), dtype)
                      for h, w, size in zip(given, names, sizes)]
            if not batched:
                states = [s.unsqueeze(1) for s in states]
        return x, states, batched

    # ------------------------------------------------------------------ forward
    def _dropout_masks(self, shape: tuple[int, ...], dtype) -> list[np.ndarray] | None:
        """Inverted-dropout multipliers for the outputs of every layer but the last."""
        if not (self.training and self.dropout > 0 and self.num_layers > 1):
            return None
        p = self.dropout
        scale = 0.0 if p >= 1 else 1.0 / (1.0 - p)
        return [((backend.rng().random(shape) >= p) * scale).astype(dtype) for _ in range(self.num_layers - 1)]

    def forward(self, input: Any, hx: Any = None):
        x, states, batched = self._prepare(input, hx)
        params = [p for layer in range(self.num_layers) for suffix in self._suffixes()
                  for p in self._layer_params(layer, suffix)]
        masks = self._dropout_masks((*x.shape[:2], self.num_directions * self.output_size), x.dtype)
        out, *finals = R.rnn_stack(self.mode, x, states, params, self.num_layers, self.bidirectional,
                                   self.bias, masks, proj=bool(self.proj_size))
        if not batched:
            out = out.squeeze(1)
            finals = [f.squeeze(1) for f in finals]
        elif self.batch_first:
            out = out.transpose(0, 1)
        if self.mode == "LSTM":
            return out, (finals[0], finals[1])
        return out, finals[0]

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.mode == "RNN_RELU":
            s += ", nonlinearity='relu'"
        if not self.bias:
            s += ", bias=False"
        if self.batch_first:
            s += ", batch_first=True"
        if self.dropout:
            s += f", dropout={self.dropout}"
        if self.bidirectional:
            s += ", bidirectional=True"
        return s


class RNN(RNNBase):
    """Elman RNN: h_t = act(x_t W_ihᵀ + b_ih + h_{t-1} W_hhᵀ + b_hh), act = tanh or relu.

    Arguments and shapes as ``torch.nn.RNN`` (see :class:`RNNBase`); returns (output, h_n).
    weight_ih_l0: (H, I), weight_hh_lk: (H, H), biases (H,).
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, nonlinearity: str = "tanh",
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, dtype=None):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNN: nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
        self.nonlinearity = nonlinearity
        super().__init__("RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", input_size, hidden_size,
                         num_layers, bias, batch_first, dropout, bidirectional, dtype=dtype)


class GRU(RNNBase):
    """Gated recurrent unit, gates r, z, n stacked in that order (weight_ih_l0: (3H, I)):

        r = σ(W_ir x + b_ir + W_hr h + b_hr),  z = σ(W_iz x + b_iz + W_hz h + b_hz)
        n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)),  h' = (1 - z) ⊙ n + z ⊙ h

    Arguments and shapes as ``torch.nn.GRU``; returns (output, h_n).
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False, dtype=None):
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, dtype=dtype)


class LSTM(RNNBase):
    """Long short-term memory, gates i, f, g, o stacked in that order (weight_ih_l0: (4H, I)):

        i, f, o = σ(W x + b + U h + b'),  g = tanh(W_g x + b_g + U_g h + b'_g)
        c' = f ⊙ c + i ⊙ g,  h' = o ⊙ tanh(c')   (h' = W_hr (o ⊙ tanh(c')) with proj_size P > 0)

    Arguments and shapes as ``torch.nn.LSTM``; ``hx`` is (h0, c0); returns (output, (h_n, c_n)).
    With ``proj_size=P`` (0 < P < hidden_size) h0, h_n and each direction's output have P
    features (c stays H), weight_hh_lk is (4H, P), layers above the first read D·P inputs, and
    each layer and direction gains weight_hr_lk (P, H), as PyTorch.
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 proj_size: int = 0, dtype=None):
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, proj_size, dtype=dtype)


class RNNCellBase(Module):
    """One step of a recurrent layer: weight_ih (G·H, I), weight_hh (G·H, H), bias_ih, bias_hh (G·H,).

    Input (N, I) or unbatched (I,); state (N, H) or (H,), zeros when omitted. It runs the same
    Function as the full layer on a sequence of length one.
    """

    _mode = "RNN_TANH"

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, dtype=None):
        super().__init__()
        name = type(self).__name__
        self.input_size = _check_size(name, "input_size", input_size, 0)
        self.hidden_size = _check_size(name, "hidden_size", hidden_size, 1)
        self.bias = bool(bias)
        dt = backend.get_default_dtype() if dtype is None else np.dtype(dtype)
        g = R.GATES[self._mode] * self.hidden_size
        self.weight_ih = Parameter(np.empty((g, self.input_size), dt))
        self.weight_hh = Parameter(np.empty((g, self.hidden_size), dt))
        if self.bias:
            self.bias_ih = Parameter(np.empty(g, dt))
            self.bias_hh = Parameter(np.empty(g, dt))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        _init_uniform(self, self.hidden_size)

    def _step(self, input: Any, states: tuple):
        x = _as_tensor(input)
        self.check_input(x, ndim=(1, 2), layout="(N, input_size) or (input_size,)")
        self.check_input(x, dim=-1, size=self.input_size, what="last dimension {size} (input_size)")
        dtype = self.weight_ih.dtype
        if x.dtype != dtype:
            raise ValueError(f"{self!r}: expected input of dtype {dtype} (the weights'), got {x.dtype}")
        batched = x.ndim == 2
        shape = (x.shape[0], self.hidden_size) if batched else (self.hidden_size,)
        hs = []
        for h in states:
            if h is None:
                h = Tensor._wrap(np.zeros(shape, dtype))
            h = _as_tensor(h)
            if tuple(h.shape) != shape or h.dtype != dtype:
                raise ValueError(f"{self!r}: expected a state of shape {shape} and dtype {dtype}, "
                                 f"got shape {tuple(h.shape)} and dtype {h.dtype}")
            hs.append(h if batched else h.unsqueeze(0))
        x = x.unsqueeze(0) if batched else x.reshape(1, 1, -1)
        _, *last = _LAYER_FN[self._mode](x, *hs, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        return [h if batched else h.squeeze(0) for h in last]

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if not self.bias:
            s += ", bias=False"
        if self._mode == "RNN_RELU":
            s += ", nonlinearity='relu'"
        return s


class RNNCell(RNNCellBase):
    """h' = act(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh), act = tanh or relu (``torch.nn.RNNCell``)."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, nonlinearity: str = "tanh",
                 dtype=None):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNNCell: nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
        self.nonlinearity = nonlinearity
        self._mode = "RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU"
        super().__init__(input_size, hidden_size, bias, dtype)

    def forward(self, input: Any, hx: Any = None) -> Tensor:
        return self._step(input, (hx,))[0]


class GRUCell(RNNCellBase):
    """One GRU step (gates r, z, n as :class:`GRU`); returns h' (``torch.nn.GRUCell``)."""

    _mode = "GRU"

    def forward(self, input: Any, hx: Any = None) -> Tensor:
        return self._step(input, (hx,))[0]


class LSTMCell(RNNCellBase):
    """One LSTM step (gates i, f, g, o as :class:`LSTM`); ``hx`` = (h, c); returns (h', c')."""

    _mode = "LSTM"

    def forward(self, input: Any, hx: Any = None) -> tuple[Tensor, Tensor]:
        states = (None, None) if hx is None else tuple(hx) if isinstance(hx, (tuple, list)) else (hx,)
        if len(states) != 2:
            raise ValueError(f"{self!r}: expected hx as a tuple (h, c), got {len(states)} tensors")
        h, c = self._step(input, states)
        return h, c
