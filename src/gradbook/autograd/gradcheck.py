"""Numerical gradient check: central differences against ``backward()``, in float64."""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from .grad_mode import enable_grad
from .tensor import Tensor


class GradcheckError(AssertionError):
    """Raised when an analytic gradient disagrees with the numerical one."""


def _scalarise(outputs, upstream):
    """Σ ⟨output, v⟩ over all outputs: one scalar whose gradient is the vector-Jacobian product."""
    total = 0.0
    for out, v in zip(outputs, upstream):
        total = total + float(np.sum(out.data * v))
    return total


def _as_outputs(result) -> list[Tensor]:
    if isinstance(result, Tensor):
        return [result]
    return [r for r in result if isinstance(r, Tensor) and r.dtype.kind == "f"]


def gradcheck(fn: Callable, inputs: Sequence, eps: float = 1e-6, atol: float = 1e-5,
              rtol: float = 1e-3, seed: int = 0, raise_exception: bool = True) -> bool:
    """Check ``fn``'s analytic gradients against central differences.

    Every input tensor with ``requires_grad`` must be float64. The upstream gradient ``v`` is
    drawn at random (normal, not all ones) so that errors which cancel under a plain sum are seen.
    On failure it reports the input, the element index and both values.
    """
    tensors = [x for x in inputs if isinstance(x, Tensor) and x.requires_grad]
    if not tensors:
        raise ValueError("gradcheck: no input requires grad")
    for i, x in enumerate(tensors):
        if x.dtype != np.float64:
            raise ValueError(f"gradcheck: input {i} has dtype {x.dtype}; gradcheck needs float64")
    rng = np.random.default_rng(seed)
    with enable_grad():
        outputs = _as_outputs(fn(*inputs))
        upstream = [rng.standard_normal(o.shape) for o in outputs]
        for x in tensors:
            x.grad = None
        loss = None
        for o, v in zip(outputs, upstream):
            if not o.requires_grad:
                continue
            term = (o * Tensor._wrap(v)).sum()
            loss = term if loss is None else loss + term
        if loss is not None:
            loss.backward()
    analytic = [x.grad.data.copy() if x.grad is not None else np.zeros_like(x.data) for x in tensors]

    for k, x in enumerate(tensors):
        if not x.data.flags.c_contiguous:
            x.data = np.ascontiguousarray(x.data)
        flat = x.data.reshape(-1)  # a view: writing into it perturbs the input
        numeric = np.empty_like(flat)
        for j in range(flat.size):
            orig = flat[j]
            flat[j] = orig + eps
            plus = _scalarise(_as_outputs(fn(*inputs)), upstream)
            flat[j] = orig - eps
            minus = _scalarise(_as_outputs(fn(*inputs)), upstream)
            flat[j] = orig
            numeric[j] = (plus - minus) / (2 * eps)
        got = analytic[k].reshape(-1)
        bad = np.abs(got - numeric) > atol + rtol * np.abs(numeric)
        if bad.any():
            j = int(np.flatnonzero(bad)[0])
            where = np.unravel_index(j, x.shape)
            msg = (f"gradcheck failed for input {k} (shape {x.shape}) at index {tuple(int(i) for i in where)}: "
                   f"analytic {got[j]:.8g} vs numerical {numeric[j]:.8g} "
                   f"({int(bad.sum())} of {bad.size} elements differ)")
            if raise_exception:
                raise GradcheckError(msg)
            return False
    return True


def gradgradcheck(fn: Callable, inputs: Sequence, eps: float = 1e-6, atol: float = 1e-5,
                  rtol: float = 1e-3, seed: int = 0, raise_exception: bool = True) -> bool:
    """Check ``fn``'s second derivatives (PyTorch's ``gradgradcheck``). Every input that
    requires grad must be float64.

    The first-order gradient under a random upstream gradient ``v`` is computed twice: by the
    recorded backward (``create_graph=True``, each op's ``differentiable_backward``) and by the
    plain one (each op's NumPy ``backward``, which :func:`gradcheck` checks); the two must agree.
    Then the recorded one is itself gradient-checked against central differences, with respect
    to the inputs and to ``v``."""
    from .engine import grad

    n = len(inputs)
    rng = np.random.default_rng(seed + 1)
    with enable_grad():
        outputs = [o for o in _as_outputs(fn(*inputs)) if o.requires_grad]
    if not outputs:
        raise ValueError("gradgradcheck: no output of fn requires grad")
    upstream = [Tensor(rng.standard_normal(o.shape), requires_grad=True, dtype=np.float64) for o in outputs]

    def first_order(*args):
        ins, vs = args[:n], args[n:]
        outs = [o for o in _as_outputs(fn(*ins)) if o.requires_grad]
        wrt = [x for x in ins if isinstance(x, Tensor) and x.requires_grad]
        return [g for g in grad(outs, wrt, list(vs), create_graph=True, allow_unused=True) if g is not None]

    with enable_grad():
        recorded = first_order(*inputs, *upstream)
        outs = [o for o in _as_outputs(fn(*inputs)) if o.requires_grad]
        wrt = [x for x in inputs if isinstance(x, Tensor) and x.requires_grad]
        plain = [g for g in grad(outs, wrt, [Tensor._wrap(v.data) for v in upstream], allow_unused=True)
                 if g is not None]
    for k, (r, p) in enumerate(zip(recorded, plain)):
        bad = np.abs(r.data - p.data) > atol + rtol * np.abs(p.data)
        if bad.any():
            j = int(np.flatnonzero(bad.reshape(-1))[0])
            msg = (f"gradgradcheck: the recorded backward (create_graph=True) and the plain backward "
                   f"disagree on gradient {k} at flat index {j}: {r.data.reshape(-1)[j]:.8g} vs "
                   f"{p.data.reshape(-1)[j]:.8g}")
            if raise_exception:
                raise GradcheckError(msg)
            return False
    return gradcheck(first_order, list(inputs) + upstream, eps=eps, atol=atol, rtol=rtol, seed=seed,
                     raise_exception=raise_exception)
