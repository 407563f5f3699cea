"""The parity harness: run a gradbook callable and its PyTorch twin on the same inputs and
compare outputs and every gradient.

    assert_matches_torch(gb_fn, torch_fn, [x, w], atol=1e-5)
    assert_layer_matches_torch(gb_layer, torch_layer, x)     # a module: output, input and parameter gradients

Float arrays become leaf tensors that require grad on both sides; anything else (ints, tuples,
integer arrays such as class targets) is passed through unchanged (integer arrays become int64
tensors). Both sides get the same random (not all-ones) upstream gradient. On a mismatch the
error names what differed (output k or the gradient of input k), the worst absolute error, where
it is, and both values there. ``assert_matches_torch_or_both_raise`` extends it to inputs torch
refuses (an empty reduction, a bad argument): then gradbook must refuse them too, with a clear error.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np
import torch

import gradbook as gb


@dataclass
class ParityReport:
    worst: dict[str, float] = field(default_factory=dict)

    def __str__(self) -> str:
        return ", ".join(f"{k}: {v:.3g}" for k, v in self.worst.items())


def _to_gb(x, grad: bool):
    if isinstance(x, np.ndarray):
        if x.dtype.kind == "f":
            return gb.tensor(x, requires_grad=grad)
        return gb.tensor(x)
    return x


def _to_torch(x, grad: bool):
    if isinstance(x, np.ndarray):
        t = torch.from_numpy(x.copy())
        if x.dtype.kind == "f" and grad:
            t.requires_grad_(True)
        return t
    return x


def _outputs(result) -> list:
    if isinstance(result, (tuple, list)):
        flat = []
        for r in result:
            flat.extend(_outputs(r))
        return flat
    return [result]


def _as_numpy(t) -> np.ndarray:
    if isinstance(t, torch.Tensor):
        return t.detach().numpy()
    if isinstance(t, gb.Tensor):
        return t.data
    return np.asarray(t)


def compare(name: str, got: np.ndarray, want: np.ndarray, atol: float, rtol: float, report: ParityReport):
    got, want = np.asarray(got), np.asarray(want)
    if got.shape != want.shape:
        raise AssertionError(f"{name}: gradbook shape {got.shape} != torch shape {want.shape}")
    if got.size == 0:
        report.worst[name] = 0.0
        return
    if got.dtype.kind == "b" or want.dtype.kind in "biu":
        if not np.array_equal(got, want):
            raise AssertionError(f"{name}: values differ: gradbook {got} vs torch {want}")
        report.worst[name] = 0.0
        return
    with np.errstate(invalid="ignore"):
        err = np.abs(got.astype(np.float64) - want.astype(np.float64))
    same = (got == want) | (np.isnan(got) & np.isnan(want))  # equal infinities, and NaN against NaN
    err = np.where(same, 0.0, err)
    worst = float(np.nanmax(np.where(np.isnan(err), np.inf, err)))
    report.worst[name] = worst
    bad = ~same & ~(err <= atol + rtol * np.abs(want))
    if bad.any():
        i = np.unravel_index(int(np.argmax(np.where(bad, err, -1))), got.shape)
        raise AssertionError(
            f"{name}: worst |error| {worst:.3g} at index {tuple(int(j) for j in i)}: gradbook "
            f"{got[i]!r} vs torch {want[i]!r} ({int(bad.sum())} of {bad.size} elements outside "
            f"atol={atol}, rtol={rtol})")


def assert_matches_torch(gb_fn: Callable, torch_fn: Callable, inputs: Sequence, *, atol: float = 1e-5,
                         rtol: float = 1e-4, grad: Sequence[bool] | None = None, seed: int = 0,
                         check_grad: bool = True) -> ParityReport:
    """Compare forward outputs and the gradients of every float input; returns the worst errors."""
    grad = [True] * len(inputs) if grad is None else list(grad)
    gb_in = [_to_gb(x, g) for x, g in zip(inputs, grad)]
    th_in = [_to_torch(x, g) for x, g in zip(inputs, grad)]
    gb_out = _outputs(gb_fn(*gb_in))
    th_out = _outputs(torch_fn(*th_in))
    if len(gb_out) != len(th_out):
        raise AssertionError(f"gradbook returned {len(gb_out)} outputs, torch {len(th_out)}")
    report = ParityReport()
    for k, (a, b) in enumerate(zip(gb_out, th_out)):
        compare(f"output {k}", _as_numpy(a), _as_numpy(b), atol, rtol, report)
    if not check_grad:
        return report
    rng = np.random.default_rng(seed)
    gb_terms, th_terms, th_grads = None, [], []
    for a, b in zip(gb_out, th_out):
        if not (isinstance(b, torch.Tensor) and b.requires_grad):
            continue
        v = rng.standard_normal(b.shape).astype(_as_numpy(b).dtype)
        with np.errstate(invalid="ignore"):  # an infinite output (logsumexp of nothing) makes the sum NaN;
            term = (a * gb.tensor(v)).sum()  # only its gradient, v, is used
        gb_terms = term if gb_terms is None else gb_terms + term
        th_terms.append(b)
        th_grads.append(torch.from_numpy(v))
    if not th_terms:
        return report
    gb_terms.backward()
    torch.autograd.backward(th_terms, th_grads)
    for k, (a, b) in enumerate(zip(gb_in, th_in)):
        if isinstance(b, torch.Tensor) and b.requires_grad:
            want = b.grad.numpy() if b.grad is not None else np.zeros(b.shape, b.detach().numpy().dtype)
            got = a.grad.data if a.grad is not None else np.zeros(a.shape, a.dtype)
            compare(f"grad of input {k}", got, want, atol, rtol, report)
    return report


def assert_layer_matches_torch(gb_layer, torch_layer, x: np.ndarray, *, atol: float = 1e-10, rtol: float = 1e-9,
                               params: Sequence[str] | None = None, seed: int = 0) -> ParityReport:
    """A gradbook module against its torch twin (weights already the same) on input ``x``: the
    output, then under one random upstream gradient the gradient of the input and of each parameter
    named in ``params`` (default: every parameter of ``torch_layer``, found by the same name)."""
    xt, xg = torch.from_numpy(x.copy()).requires_grad_(True), gb.tensor(x, requires_grad=True)
    yt, yg = torch_layer(xt), gb_layer(xg)
    report = ParityReport()
    compare("output", yg.data, yt.detach().numpy(), atol, rtol, report)
    v = np.random.default_rng(seed).standard_normal(yt.shape)
    yt.backward(torch.from_numpy(v))
    (yg * gb.tensor(v)).sum().backward()
    compare("grad of input", xg.grad.data, xt.grad.numpy(), atol, rtol, report)
    ours, theirs = dict(gb_layer.named_parameters()), dict(torch_layer.named_parameters())
    for name in theirs if params is None else params:
        compare(f"grad of {name}", ours[name].grad.data, theirs[name].grad.numpy(), atol, rtol, report)
    return report


GRADBOOK_ERRORS = (ValueError, IndexError, TypeError, RuntimeError)


def assert_matches_torch_or_both_raise(gb_fn: Callable, torch_fn: Callable, inputs: Sequence, *, op: str,
                                       **options) -> ParityReport | None:
    """PyTorch's own edge cases, where torch sometimes refuses: if torch raises on ``inputs``,
    gradbook must raise too, with its own error whose message names ``op`` (not a NumPy error from
    deep inside); if torch does not, everything is compared as in :func:`assert_matches_torch`.
    Returns None when both refused."""
    try:
        torch_fn(*[_to_torch(x, False) for x in inputs])
    except Exception as torch_error:  # noqa: BLE001 - any refusal by torch must be met by one of ours
        try:
            gb_fn(*[_to_gb(x, False) for x in inputs])
        except GRADBOOK_ERRORS as error:
            if op not in str(error):
                raise AssertionError(f"torch raised {torch_error!r}; gradbook raised {error!r}, whose message "
                                     f"does not name {op!r}") from error
            return None
        raise AssertionError(f"torch raised {type(torch_error).__name__}: {torch_error}; gradbook did not") \
            from None
    return assert_matches_torch(gb_fn, torch_fn, inputs, **options)


def random_array(rng: np.random.Generator, shape, dtype=np.float64, low: float | None = None) -> np.ndarray:
    """Normal draws (or uniform above ``low``, for ops defined on a half-line) of ``shape``."""
    if low is not None:
        return np.asarray(low + rng.random(shape) * 2, dtype=dtype)
    return np.asarray(rng.standard_normal(shape), dtype=dtype)
