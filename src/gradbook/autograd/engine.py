"""The backward pass: walk the graph from the outputs to the leaves, each node exactly once.

Rule: a node runs only after every node that consumes one of its outputs has sent its gradient.
The order is Kahn's algorithm on consumer counts: one walk from the outputs counts, for each
node, the edges that reach it from consumers in this graph; a node whose count falls to zero is
ready. Counting needs nothing at forward time (DeZero's generation numbers cost every op a field
and are only a heuristic order when one graph is reused from several roots); the count is exact
for any DAG: residual adds in either operand order, dense concatenations, diamonds, multi-output
ops whose outputs are partly unused.

Two modes:
- ``create_graph=False`` (the default): gradients are NumPy arrays and each node's hand-written
  ``backward`` runs; nothing is recorded.
- ``create_graph=True``: gradients are Tensors and each node's ``differentiable_backward`` runs
  with recording on, so the gradients carry a graph of their own and can be differentiated
  again (Hessian-vector products, gradient penalties, hypergradients). An op without a
  differentiable backward still gives its first-order gradient; differentiating through that
  gradient raises an error that names the op.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from .function import unbroadcast
from .grad_mode import enable_grad, no_grad
from .tensor import Tensor  # tensor.py imports this module at its end, after Tensor exists

__all__ = ["grad", "run_backward", "topological_order"]


def topological_order(root_nodes) -> list:
    """Every node reachable from ``root_nodes``, each after all of its consumers (Kahn's algorithm:
    count each node's consumer edges in one walk, then release a node when its count is zero;
    the last-released node goes first, which keeps a chain's order depth-first)."""
    consumers: dict[int, int] = {}
    parents_of: dict[int, list] = {}
    stack = []
    for node in root_nodes:
        if id(node) not in parents_of:
            _check_alive(node)
            consumers[id(node)] = 0
            parents_of[id(node)] = _parents(node)
            stack.append(node)
    ready = list(stack)
    while stack:
        for parent in parents_of[id(stack.pop())]:
            key = id(parent)
            if key in parents_of:
                consumers[key] += 1
                continue
            _check_alive(parent)
            consumers[key] = 1
            parents_of[key] = _parents(parent)
            stack.append(parent)
    ready = [n for n in ready if consumers[id(n)] == 0]
    order = []
    while ready:
        node = ready.pop()
        order.append(node)
        for parent in parents_of[id(node)]:
            key = id(parent)
            consumers[key] -= 1
            if consumers[key] == 0:
                ready.append(parent)
    return order


def _check_alive(node) -> None:
    if getattr(node, "released", False):
        raise RuntimeError(
            "Trying to backward through the graph a second time: its saved values were freed "
            "by the first backward. Pass retain_graph=True to the first backward() to keep them.")


def _parents(node) -> list:
    """The nodes that made ``node``'s inputs, once per edge (an input used twice counts twice)."""
    return [x._node for x in node.inputs if isinstance(x, Tensor) and x._node is not None]


# --------------------------------------------------------------------- gradient arithmetic
class _ArrayMath:
    """Gradients as NumPy arrays: the fast path, nothing recorded."""

    @staticmethod
    def to_grad(value, like):
        if isinstance(value, Tensor):
            value = value.data
        return np.asarray(value, like.dtype)

    @staticmethod
    def fit(g, x):
        g = unbroadcast(np.asarray(g), x.shape)
        return g if g.dtype == x.dtype else g.astype(x.dtype)

    @staticmethod
    def add(a, b):
        return a + b

    @staticmethod
    def zeros(shape, dtype):
        return np.zeros(shape, dtype)

    @staticmethod
    def call_backward(node, grads):
        return node.backward(*grads)


class _TensorMath:
    """Gradients as Tensors, every step recorded (``create_graph=True``)."""

    @staticmethod
    def to_grad(value, like):
        if isinstance(value, Tensor):
            return value
        return Tensor._wrap(np.asarray(value, like.dtype))

    @staticmethod
    def fit(g, x):
        if not isinstance(g, Tensor):
            g = Tensor._wrap(np.asarray(g))
        g = sum_to_shape(g, x.shape)
        return g if g.dtype == x.dtype else g.type(x.dtype)

    @staticmethod
    def add(a, b):
        return a + b

    @staticmethod
    def zeros(shape, dtype):
        return Tensor._wrap(np.zeros(shape, dtype))

    @staticmethod
    def call_backward(node, grads):
        with enable_grad():
            return node.differentiable_backward(*grads)


def sum_to_shape(g, shape: tuple[int, ...]):
    """``unbroadcast`` written with Tensor ops, so that it is recorded (create_graph mode)."""
    if g.shape == tuple(shape):
        return g
    extra = g.ndim - len(shape)
    if extra > 0:
        g = g.sum(tuple(range(extra)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    if axes:
        g = g.sum(axes, keepdim=True)
    return g.reshape(tuple(shape))


# --------------------------------------------------------------------- the walk
class _Targets:
    """Where ``grad()`` collects: the gradient of each requested input instead of leaf ``.grad``s."""

    def __init__(self, inputs, math):
        self.math = math
        self.found: list = [None] * len(inputs)
        self.leaves: dict[int, list[int]] = {}
        self.outputs_of: dict[tuple[int, int], list[int]] = {}
        for k, x in enumerate(inputs):
            if x._node is None:
                self.leaves.setdefault(id(x), []).append(k)
            else:
                self.outputs_of.setdefault((id(x._node), x._index), []).append(k)

    def add(self, k: int, g) -> None:
        self.found[k] = g if self.found[k] is None else self.math.add(self.found[k], g)


def _needed_nodes(order: list, targets: _Targets) -> set[int]:
    """Nodes on some path from the outputs to a requested input (the only ones ``grad()`` runs)."""
    needed: set[int] = set()
    for node in reversed(order):  # inputs before consumers
        for x in node.inputs:
            if not isinstance(x, Tensor) or not x.requires_grad:
                continue
            if (x._node is None and id(x) in targets.leaves) or \
                    (x._node is not None and (id(x._node) in needed
                                              or (id(x._node), x._index) in targets.outputs_of)):
                needed.add(id(node))
                break
    return needed


def _accumulate_leaf(leaf, g, math, owned: bool = False) -> None:
    if math is _TensorMath:
        # a new tensor: the same gradient tensor may reach several leaves, and .grad is changed in place
        leaf.grad = (g.clone() if g.requires_grad else Tensor._wrap(g.data.copy())) if leaf.grad is None \
            else leaf.grad + g
    elif leaf.grad is None:
        # a copy unless ``g`` is ``owned`` (nothing else holds it): backward may hand the same
        # array to several inputs, and optimizers and clipping change .grad in place
        leaf.grad = Tensor._wrap(g if owned and g.dtype == leaf.dtype else np.array(g, dtype=leaf.dtype))
    else:
        leaf.grad = Tensor._wrap(leaf.grad.data + g)


def _walk(roots: Sequence, root_grads: Sequence, retain_graph: bool, create_graph: bool,
          targets_inputs: Sequence | None = None) -> list | None:
    math = _TensorMath if create_graph else _ArrayMath
    targets = _Targets(targets_inputs, math) if targets_inputs is not None else None
    pending: dict[int, list] = {}
    owned_slots: dict[int, list] = {}  # per pending slot: whether only the engine holds the array
    root_nodes = []
    for root, g in zip(roots, root_grads):
        g = math.to_grad(g, root)
        if root._node is None:
            if targets is None:
                _accumulate_leaf(root, g if create_graph else np.array(g), math)
            else:
                for k in targets.leaves.get(id(root), ()):
                    targets.add(k, g)
            continue
        node = root._node
        _check_alive(node)
        if id(node) not in pending:
            pending[id(node)] = [None] * node.n_outputs
            owned_slots[id(node)] = [False] * node.n_outputs
            root_nodes.append(node)
        _add_to_slot(pending[id(node)], owned_slots[id(node)], root._index, g, False, math)

    order = topological_order(root_nodes)
    needed = _needed_nodes(order, targets) if targets is not None else None
    context = enable_grad() if create_graph else no_grad()
    with context:
        for node in order:
            out_grads = pending.pop(id(node), None)
            owned_slots.pop(id(node), None)
            if out_grads is None:
                if not retain_graph:
                    node.release()
                continue
            if targets is not None or "retained" in node.__dict__:
                _deliver_retained(node, out_grads, math, targets)
            if needed is not None and id(node) not in needed:
                continue
            if node.n_outputs > 1 and any(g is None for g in out_grads):
                out_grads = [g if g is not None else math.zeros(node.output_shapes[i], node.output_dtypes[i])
                             for i, g in enumerate(out_grads)]
            in_grads = math.call_backward(node, out_grads)
            if not isinstance(in_grads, tuple):
                in_grads = (in_grads,)
            inputs = node.inputs
            fresh = node.fresh_grads
            if not retain_graph:
                node.release()
            for x, g in zip(inputs, in_grads):
                if g is None or not isinstance(x, Tensor) or not x.requires_grad:
                    continue
                if getattr(g, "shape", None) != x.shape or g.dtype != x.dtype:
                    g = math.fit(g, x)
                owned = (not create_graph and fresh and g.base is None and g.flags.writeable
                         and sum(o is g for o in in_grads) == 1)
                if x._node is None:
                    if targets is not None:
                        for k in targets.leaves.get(id(x), ()):
                            targets.add(k, g)
                        continue
                    _accumulate_leaf(x, g, math, owned)
                    continue
                key = id(x._node)
                if key not in pending:
                    pending[key] = [None] * x._node.n_outputs
                    owned_slots[key] = [False] * x._node.n_outputs
                _add_to_slot(pending[key], owned_slots[key], x._index, g, owned, math)
    return targets.found if targets is not None else None


def add_into(total: np.ndarray, g: np.ndarray) -> None:
    """total += g, on one thread: measured in resnet20's step (batch 128, 2 threads), its 8 MB pairs
    split over two threads took 4.1 ms a step against 3.3 ms (the pass is bound by memory)."""
    np.add(total, g, out=total)


def _add_to_slot(slots: list, owned: list, i: int, g, g_owned: bool, math) -> None:
    """Sum ``g`` into output ``i``'s pending gradient. An array the engine alone holds (a fresh
    gradient, or a sum it made) takes the other in place, so a residual add's two gradients cost
    one pass and no new array (as PyTorch's accumulation steals a gradient nothing else holds);
    the sum is the same either way (float addition commutes, and each new gradient is added to
    the total so far)."""
    total = slots[i]
    if total is None:
        slots[i], owned[i] = g, g_owned
    elif math is not _ArrayMath:
        slots[i] = math.add(total, g)
    elif owned[i]:
        add_into(total, g)
    elif g_owned:
        add_into(g, total)
        slots[i], owned[i] = g, True
    else:
        total = total + g
        slots[i], owned[i] = total, isinstance(total, np.ndarray)  # 0-d operands give a NumPy scalar


def _deliver_retained(node, out_grads, math, targets) -> None:
    """Gradients that reach a non-leaf: ``retain_grad()`` tensors and ``grad()``'s inputs."""
    if targets is not None:
        for i, g in enumerate(out_grads):
            if g is not None:
                for k in targets.outputs_of.get((id(node), i), ()):
                    targets.add(k, g)
        return
    for i, t in getattr(node, "retained", {}).items():
        if out_grads[i] is not None:
            _accumulate_leaf(t, out_grads[i], math)


def _check_root_grad(root, gradient, who: str):
    if gradient is None:
        if root.data.size != 1:
            raise RuntimeError(
                f"{who}: grad can be implicitly created only for scalar outputs; this tensor has "
                f"shape {root.shape}, pass a gradient of that shape")
        return np.ones_like(root.data)
    shape = gradient.shape if isinstance(gradient, Tensor) else np.shape(gradient)
    if tuple(shape) != root.shape:
        raise ValueError(f"{who}: gradient has shape {tuple(shape)}, expected the tensor's shape {root.shape}")
    return gradient


def run_backward(root, gradient=None, retain_graph: bool | None = None, create_graph: bool = False) -> None:
    """``Tensor.backward``: add d(root)/d(leaf) · gradient into every leaf's ``.grad``."""
    if not root.requires_grad:
        raise RuntimeError("backward(): this tensor does not require grad and has no grad_fn")
    g = _check_root_grad(root, gradient, "backward()")
    if retain_graph is None:
        retain_graph = create_graph
    _walk([root], [g], retain_graph, create_graph)


def grad(outputs, inputs, grad_outputs=None, retain_graph: bool | None = None,
         create_graph: bool = False, allow_unused: bool = False) -> tuple:
    """The gradients of ``outputs`` with respect to ``inputs`` (PyTorch's ``torch.autograd.grad``).

    Returns one gradient per input, without touching any ``.grad``. ``grad_outputs`` is the
    vector of the vector-Jacobian product (ones for scalar outputs when omitted). With
    ``create_graph=True`` the result is itself differentiable; ``retain_graph`` defaults to
    ``create_graph``. An input that the outputs do not depend on raises unless ``allow_unused``,
    which returns ``None`` for it.
    """
    outputs = [outputs] if isinstance(outputs, Tensor) else list(outputs)
    single = isinstance(inputs, Tensor)
    inputs = [inputs] if single else list(inputs)
    if grad_outputs is None or isinstance(grad_outputs, Tensor):
        grad_outputs = [grad_outputs] * len(outputs) if grad_outputs is None else [grad_outputs]
    grad_outputs = list(grad_outputs)
    if len(grad_outputs) != len(outputs):
        raise ValueError(f"grad(): got {len(grad_outputs)} grad_outputs for {len(outputs)} outputs")
    for i, x in enumerate(inputs):
        if not isinstance(x, Tensor):
            raise TypeError(f"grad(): input {i} is a {type(x).__name__}, expected a Tensor")
        if not x.requires_grad:
            raise RuntimeError(f"grad(): input {i} (shape {x.shape}) does not require grad")
    for i, y in enumerate(outputs):
        if not isinstance(y, Tensor) or not y.requires_grad:
            raise RuntimeError(f"grad(): output {i} does not require grad and has no grad_fn")
    root_grads = [_check_root_grad(y, g, "grad()") for y, g in zip(outputs, grad_outputs)]
    if retain_graph is None:
        retain_graph = create_graph
    found = _walk(outputs, root_grads, retain_graph, create_graph, targets_inputs=inputs)
    result = []
    for i, (x, g) in enumerate(zip(inputs, found)):
        if g is None:
            if not allow_unused:
                raise RuntimeError(
                    f"grad(): input {i} (shape {x.shape}) was not used to compute the outputs; "
                    f"pass allow_unused=True to get None for it")
            result.append(None)
            continue
        result.append(g if isinstance(g, Tensor) else Tensor._wrap(np.array(g, dtype=x.dtype, copy=True)))
    return tuple(result)
