"""Parameter counts: of a built model, and by formula for fully connected, convolutional and
recurrent layers (no model needed).

=========  ====================================================================
layer      parameters
=========  ====================================================================
Linear     in·out + out
Conv       out · (in/groups) · ∏kernel + out
RNN-type   per layer and direction: g·h·(i + h) + biases, g = 1 (RNN), 3 (GRU), 4 (LSTM),
           i = input_size for layer 0, D·h above it (D = 2 if bidirectional)
=========  ====================================================================

The bias term of a recurrent layer depends on the convention (``bias=``):

* ``"double"`` — PyTorch / cuDNN: two bias vectors per gate (b_ih and b_hh): 2·g·h;
* ``"single"`` — the textbook and older Keras: one bias per gate: g·h, so g·(h(h + i) + h);
* ``"keras"`` — Keras 2+/3 defaults: one per gate for SimpleRNN and LSTM (g·h), two for GRU
  (``reset_after=True``: 2·3·h);
* ``"none"`` — no bias (PyTorch's ``bias=False``).
"""
from __future__ import annotations

import math
from typing import Any, Iterable, Sequence

__all__ = ["count_params", "fc_params", "conv_params", "rnn_params", "RNN_GATES", "BIAS_CONVENTIONS"]

RNN_GATES = {"rnn": 1, "gru": 3, "lstm": 4}
BIAS_CONVENTIONS = ("double", "single", "keras", "none")


def _positive(fn: str, name: str, value: Any, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int) and not hasattr(value, "__index__") or value < minimum:
        raise ValueError(f"{fn}: {name} must be an int >= {minimum}, got {value!r}")
    return int(value)


def count_params(model: Any, trainable_only: bool = False) -> int:
    """Number of scalars in ``model``'s parameters (a shared parameter counted once);
    ``trainable_only`` counts those with ``requires_grad`` only."""
    if not hasattr(model, "parameters"):
        raise ValueError(f"count_params: expected a Module (something with .parameters()), got "
                         f"{type(model).__name__}")
    return sum(int(p.data.size) for p in model.parameters() if p.requires_grad or not trainable_only)


def fc_params(sizes: Sequence[int], bias: bool = True) -> int:
    """Σ_k (n_k · n_{k+1} + n_{k+1}) for a stack of Linear layers with sizes [in, hidden..., out].

    >>> fc_params([3, 5, 2])   # 3·5 + 5 + 5·2 + 2
    32
    """
    sizes = [_positive("fc_params", "every size", s) for s in sizes]
    if len(sizes) < 2:
        raise ValueError(f"fc_params: expected at least two sizes [in, out], got {sizes}")
    return sum(a * b + (b if bias else 0) for a, b in zip(sizes[:-1], sizes[1:]))


def conv_params(in_channels: int, out_channels: int, kernel_size: int | Iterable[int], groups: int = 1,
                bias: bool = True, dims: int = 2) -> int:
    """out · (in/groups) · ∏kernel (+ out with bias); an int ``kernel_size`` is square (``dims`` axes).

    >>> conv_params(1, 3, 2), conv_params(3, 1, 2)   # 2x2 kernels: 3·1·4 + 3 and 1·3·4 + 1
    (15, 13)
    """
    cin = _positive("conv_params", "in_channels", in_channels)
    cout = _positive("conv_params", "out_channels", out_channels)
    groups = _positive("conv_params", "groups", groups)
    if cin % groups or cout % groups:
        raise ValueError(f"conv_params: in_channels ({cin}) and out_channels ({cout}) must both be "
                         f"divisible by groups ({groups})")
    ks = [kernel_size] * dims if isinstance(kernel_size, int) else list(kernel_size)
    ks = [_positive("conv_params", "kernel_size", k) for k in ks]
    return cout * (cin // groups) * math.prod(ks) + (cout if bias else 0)


def _bias_per_direction(kind: str, gates: int, hidden: int, bias: str) -> int:
    if bias == "double":
        return 2 * gates * hidden
    if bias == "single":
        return gates * hidden
    if bias == "keras":
        return 2 * gates * hidden if kind == "gru" else gates * hidden
    return 0


def rnn_params(kind: str, input_size: int, hidden_size: int, num_layers: int = 1,
               bidirectional: bool = False, bias: str | bool = "double") -> int:
    """Parameters of a (stacked, optionally bidirectional) RNN/GRU/LSTM by formula.

    Per layer and direction: g·h·(i + h) weights plus the biases of the convention ``bias``
    ("double", "single", "keras", "none"; True = "double", False = "none"), see the module doc.

    >>> rnn_params("lstm", 3, 2), rnn_params("lstm", 3, 2, bias="single")  # 4·2·5 + 16, + 8
    (56, 48)
    """
    k = str(kind).lower()
    if k not in RNN_GATES:
        raise ValueError(f"rnn_params: kind must be one of {sorted(RNN_GATES)}, got {kind!r}")
    conv = {True: "double", False: "none"}.get(bias, bias) if isinstance(bias, bool) else bias
    if conv not in BIAS_CONVENTIONS:
        raise ValueError(f"rnn_params: bias must be one of {BIAS_CONVENTIONS} (or True/False), got {bias!r}")
    i = _positive("rnn_params", "input_size", input_size, 0)
    h = _positive("rnn_params", "hidden_size", hidden_size)
    layers = _positive("rnn_params", "num_layers", num_layers)
    g, d = RNN_GATES[k], 2 if bidirectional else 1
    total = 0
    for layer in range(layers):
        in_size = i if layer == 0 else d * h
        total += d * (g * h * (in_size + h) + _bias_per_direction(k, g, h, conv))
    return total
