"""Weight initialisation with ``torch.nn.init``'s names, formulas and gain table.

Every function fills its tensor in place (the array under ``.data``; no graph is recorded) and
returns it. Random draws come from ``gradbook.backend.rng()`` read at the moment of use (so
``gb.manual_seed`` makes them reproducible), or from ``generator`` when one is passed.

Fans of a weight of shape (out, in, *kernel): fan_in = in · ∏kernel, fan_out = out · ∏kernel.

=================  ==========================================  ==============================
function           distribution                                scale
=================  ==========================================  ==============================
xavier_uniform_    U(-a, a)                                    a = gain · √(6 / (fan_in + fan_out))
xavier_normal_     N(0, σ²)                                    σ = gain · √(2 / (fan_in + fan_out))
kaiming_uniform_   U(-b, b)                                    b = gain · √(3 / fan)
kaiming_normal_    N(0, σ²)                                    σ = gain / √fan
lecun_uniform_     U(-b, b)                                    b = √(3 / fan_in)
lecun_normal_      N(0, σ²)                                    σ = 1 / √fan_in
orthogonal_        Q of the QR of a normal matrix, signs fixed  × gain
=================  ==========================================  ==============================
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import special

from .. import backend
from ..autograd.tensor import Tensor

__all__ = ["calculate_gain", "uniform_", "normal_", "trunc_normal_", "constant_", "ones_", "zeros_",
           "eye_", "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_",
           "orthogonal_", "lecun_uniform_", "lecun_normal_"]

_LINEAR_LIKE = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
                "conv_transpose3d", "sigmoid")


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended gain for ``nonlinearity`` (PyTorch's table).

    linear, conv*, sigmoid: 1;  tanh: 5/3;  relu: √2;  leaky_relu: √(2 / (1 + slope²)) with
    slope = ``param`` (default 0.01);  selu: 3/4.
    """
    if nonlinearity in _LINEAR_LIKE:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, (int, float)) and not isinstance(param, bool):
            slope = param
        else:
            raise ValueError(f"calculate_gain: negative_slope {param!r} is not a valid number")
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"calculate_gain: unsupported nonlinearity {nonlinearity!r}; expected one of "
                     f"{', '.join(_LINEAR_LIKE + ('tanh', 'relu', 'leaky_relu', 'selu'))}")


def _array(tensor: Any, fn: str) -> np.ndarray:
    if isinstance(tensor, Tensor):
        return tensor.data
    if isinstance(tensor, np.ndarray):
        return tensor
    raise TypeError(f"{fn}: expected a gradbook Tensor (or ndarray) to fill, got {type(tensor).__name__}")


def _gen(generator: np.random.Generator | None) -> np.random.Generator:
    return backend.rng() if generator is None else generator


def _fill(tensor: Any, values, fn: str) -> Any:
    arr = _array(tensor, fn)
    arr[...] = values  # cast into the tensor's own dtype: float32 stays float32
    return tensor


def _calculate_fan_in_and_fan_out(tensor: Any) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight shaped (out, in, *kernel)."""
    shape = _array(tensor, "_calculate_fan_in_and_fan_out").shape
    if len(shape) < 2:
        raise ValueError(f"fan in and fan out can not be computed for a tensor with fewer than 2 "
                         f"dimensions, got shape {tuple(shape)}")
    receptive = int(np.prod(shape[2:])) if len(shape) > 2 else 1
    return shape[1] * receptive, shape[0] * receptive


def _calculate_correct_fan(tensor: Any, mode: str) -> int:
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"mode {mode!r} is not supported, expected 'fan_in' or 'fan_out'")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def uniform_(tensor: Any, a: float = 0.0, b: float = 1.0, generator: np.random.Generator | None = None):
    """Fill with U(a, b)."""
    arr = _array(tensor, "uniform_")
    return _fill(tensor, _gen(generator).uniform(a, b, arr.shape), "uniform_")


def normal_(tensor: Any, mean: float = 0.0, std: float = 1.0, generator: np.random.Generator | None = None):
    """Fill with N(mean, std²)."""
    arr = _array(tensor, "normal_")
    return _fill(tensor, _gen(generator).normal(mean, std, arr.shape), "normal_")


def trunc_normal_(tensor: Any, mean: float = 0.0, std: float = 1.0, a: float = -2.0, b: float = 2.0,
                  generator: np.random.Generator | None = None):
    """Fill with N(mean, std²) truncated to [a, b] (absolute bounds, as PyTorch), by inverse CDF:
    x = mean + std · Φ⁻¹(u),  u ~ U(Φ((a - mean)/std), Φ((b - mean)/std))."""
    if not a < b:
        raise ValueError(f"trunc_normal_: expected a < b, got a={a}, b={b}")
    arr = _array(tensor, "trunc_normal_")
    lo, hi = special.ndtr((a - mean) / std), special.ndtr((b - mean) / std)
    u = _gen(generator).uniform(lo, hi, arr.shape)
    return _fill(tensor, np.clip(mean + std * special.ndtri(u), a, b), "trunc_normal_")


def constant_(tensor: Any, val: float):
    return _fill(tensor, val, "constant_")


def ones_(tensor: Any):
    return _fill(tensor, 1, "ones_")


def zeros_(tensor: Any):
    return _fill(tensor, 0, "zeros_")


def eye_(tensor: Any):
    """Fill a 2-D tensor with the identity (ones on the diagonal, zeros elsewhere)."""
    arr = _array(tensor, "eye_")
    if arr.ndim != 2:
        raise ValueError(f"eye_: only 2-D tensors are supported, got shape {arr.shape}")
    return _fill(tensor, np.eye(*arr.shape), "eye_")


def xavier_uniform_(tensor: Any, gain: float = 1.0, generator: np.random.Generator | None = None):
    """Glorot & Bengio (2010): U(-a, a), a = gain · √(6 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    a = gain * math.sqrt(6.0 / float(fan_in + fan_out))
    return uniform_(tensor, -a, a, generator)


def xavier_normal_(tensor: Any, gain: float = 1.0, generator: np.random.Generator | None = None):
    """Glorot & Bengio (2010): N(0, σ²), σ = gain · √(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / float(fan_in + fan_out)), generator)


def kaiming_uniform_(tensor: Any, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu",
                     generator: np.random.Generator | None = None):
    """He et al. (2015): U(-b, b), b = gain · √(3 / fan), gain = calculate_gain(nonlinearity, a)."""
    if _array(tensor, "kaiming_uniform_").size == 0:
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    bound = math.sqrt(3.0) * calculate_gain(nonlinearity, a) / math.sqrt(fan)
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor: Any, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu",
                    generator: np.random.Generator | None = None):
    """He et al. (2015): N(0, σ²), σ = gain / √fan, gain = calculate_gain(nonlinearity, a)."""
    if _array(tensor, "kaiming_normal_").size == 0:
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    return normal_(tensor, 0.0, calculate_gain(nonlinearity, a) / math.sqrt(fan), generator)


def _layer_default_(weight: Any, bias: Any = None) -> None:
    """PyTorch's default for Linear and Conv layers: W ~ kaiming_uniform(a=√5), i.e.
    U(−1/√fan_in, 1/√fan_in), and the bias from the same range."""
    kaiming_uniform_(weight, a=math.sqrt(5))
    if bias is not None:
        fan_in, _ = _calculate_fan_in_and_fan_out(weight)
        bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0.0
        uniform_(bias, -bound, bound)


def lecun_uniform_(tensor: Any, generator: np.random.Generator | None = None):
    """LeCun et al. (1998): U(-b, b), b = √(3 / fan_in), so Var = 1 / fan_in."""
    fan_in, _ = _calculate_fan_in_and_fan_out(tensor)
    bound = math.sqrt(3.0 / fan_in)
    return uniform_(tensor, -bound, bound, generator)


def lecun_normal_(tensor: Any, generator: np.random.Generator | None = None):
    """LeCun et al. (1998): N(0, 1 / fan_in) (untruncated; Keras' version truncates at 2σ)."""
    fan_in, _ = _calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, 1.0 / math.sqrt(fan_in), generator)


def orthogonal_(tensor: Any, gain: float = 1.0, generator: np.random.Generator | None = None):
    """Saxe et al. (2013): the tensor viewed as (rows, cols) = (shape[0], ∏shape[1:]) gets
    orthonormal rows (or columns, whichever are fewer), times ``gain``.

    As PyTorch: Q, R = qr(A) of a normal matrix A (transposed when rows < cols), and Q's columns
    are multiplied by sign(diag R) so the result is uniformly (Haar) distributed.
    """
    arr = _array(tensor, "orthogonal_")
    if arr.ndim < 2:
        raise ValueError(f"orthogonal_: only tensors with 2 or more dimensions are supported, "
                         f"got shape {arr.shape}")
    if arr.size == 0:
        return tensor
    rows = arr.shape[0]
    cols = arr.size // rows
    flat = _gen(generator).standard_normal((rows, cols))
    if rows < cols:
        flat = flat.T
    q, r = np.linalg.qr(flat)
    q *= np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    return _fill(tensor, gain * q.reshape(arr.shape), "orthogonal_")
