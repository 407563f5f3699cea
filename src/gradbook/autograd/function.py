"""``Function``: one node of the graph, its forward and backward written side by side.

A subclass writes ``forward(ctx, *arrays, **options) -> array | tuple[array, ...]`` and
``backward(ctx, *grads) -> grad | tuple[grad | None, ...]`` (one gradient per positional input,
``None`` where an input needs none). ``ctx`` is the node itself: whatever forward stores on it,
backward reads. Gradients may come back in the broadcast shape; the engine reduces them to each
input's shape with one shared helper (:func:`unbroadcast`). For higher-order gradients an op also
writes ``differentiable_backward(ctx, *grads)``: the same maths with Tensor ops on ``ctx.inputs``,
so that the backward pass is itself recorded (``create_graph=True``).
"""
from __future__ import annotations

import numpy as np

from .grad_mode import is_grad_enabled


def unbroadcast(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum ``grad`` down to ``shape``: undo NumPy broadcasting (leading axes, then size-1 axes)."""
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    if extra > 0:
        grad = grad.sum(axis=tuple(range(extra)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    return grad.reshape(shape)


class Function:
    """Base of every differentiable operation; call ``MyOp.apply(*inputs, **options)``.

    A subclass whose backward always returns newly allocated arrays that it keeps nowhere sets
    ``fresh_grads = True``: a leaf's first gradient is then taken as it is instead of copied (as
    PyTorch's gradient accumulation steals a gradient nothing else holds)."""

    fresh_grads = False

    def forward(ctx, *arrays, **options):  # pragma: no cover - abstract
        raise TypeError(f"{type(ctx).__name__} does not define forward")

    def backward(ctx, *grads):  # pragma: no cover - abstract
        raise TypeError(f"{type(ctx).__name__} is not differentiable")

    def differentiable_backward(ctx, *grads):
        """The backward pass with Tensor ops (``grads`` are Tensors), recorded for a second
        differentiation. This default gives the first-order gradient of the NumPy ``backward``;
        differentiating through it raises an error that names the op."""
        return _first_order_only(ctx, grads)

    @classmethod
    def apply(cls, *inputs, **options):
        from .tensor import Tensor

        arrays = [x.data if isinstance(x, Tensor) else x for x in inputs]
        ctx = cls.__new__(cls)
        record = is_grad_enabled() and any(isinstance(x, Tensor) and x.requires_grad for x in inputs)
        if record:
            ctx.needs_input_grad = tuple(isinstance(x, Tensor) and x.requires_grad for x in inputs)
        out = ctx.forward(*arrays, **options)
        if not record:
            if isinstance(out, tuple):
                return tuple(Tensor._wrap(o) for o in out)
            return Tensor._wrap(out)
        ctx.inputs = inputs
        if isinstance(out, tuple):
            ctx.n_outputs = len(out)
            ctx.output_shapes = [o.shape for o in out]
            ctx.output_dtypes = [o.dtype for o in out]
            return tuple(Tensor._wrap(o, node=ctx, index=i) for i, o in enumerate(out))
        ctx.n_outputs = 1
        return Tensor._wrap(out, node=ctx, index=0)

    def release(ctx) -> None:
        """Free what forward saved; a later backward through this node raises."""
        ctx.__dict__.clear()
        ctx.released = True


class FirstOrderOnly(Function):
    """Stands for an op's NumPy backward inside a recorded backward pass: the gradients it made are
    right, but the op has no differentiable backward, so a second differentiation stops here."""

    def backward(ctx, *grads):
        raise RuntimeError(
            f"{ctx.op_name}: double backward is not supported: its gradient was computed by a "
            f"backward that is not itself differentiable (create_graph=True gives the first-order "
            f"gradient only)")


def _first_order_only(node: Function, grads) -> tuple:
    from .tensor import Tensor

    in_grads = node.backward(*(g.data for g in grads))
    if not isinstance(in_grads, tuple):
        in_grads = (in_grads,)
    sources = tuple(grads) + tuple(x for x in node.inputs if isinstance(x, Tensor))
    record = is_grad_enabled() and any(t.requires_grad for t in sources)
    if not record:
        return tuple(None if g is None else Tensor._wrap(np.asarray(g)) for g in in_grads)
    stand_in = FirstOrderOnly.__new__(FirstOrderOnly)
    stand_in.op_name = type(node).__name__
    stand_in.inputs = sources
    stand_in.needs_input_grad = tuple(t.requires_grad for t in sources)
    made = [np.asarray(g) for g in in_grads if g is not None]
    stand_in.n_outputs = len(made)
    stand_in.output_shapes = [g.shape for g in made]
    stand_in.output_dtypes = [g.dtype for g in made]
    out, k = [], 0
    for g in in_grads:
        if g is None:
            out.append(None)
            continue
        out.append(Tensor._wrap(made[k], node=stand_in, index=k))
        k += 1
    return tuple(out)
