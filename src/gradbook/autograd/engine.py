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

from .function import Function, unbroadcast
from .grad_mode import enable_grad, no_grad

__all__ = ["run_backward", "grad"]


class _Graph:
    """The nodes reachable from the roots, their pending consumer counts and output arity."""

    def __init__(self, root_nodes):
        self.consumers_left: dict[int, int] = {}
        self.nodes: dict[int, Function] = {}
        stack = list(root_nodes)
        for node in root_nodes:
            self._visit(node)
        while stack:
            node = stack.pop()
            for parent in _parents(node):
                key = id(parent)
                self.consumers_left[key] = self.consumers_left.get(key, 0) + 1
                if key not in self.nodes:
                    self._visit(parent)
                    stack.append(parent)

    def _visit(self, node) -> None:
        _check_alive(node)
        self.nodes.setdefault(id(node), node)
        self.consumers_left.setdefault(id(node), 0)

    def order(self) -> list:
        """Every node after all of its consumers (Kahn's algorithm, last-made ready node first)."""
        left = dict(self.consumers_left)
        ready = [n for k, n in self.nodes.items() if left[k] == 0]
        out = []
        while ready:
            node = ready.pop()
            out.append(node)
            for parent in _parents(node):
                key = id(parent)
                left[key] -= 1
                if left[key] == 0:
                    ready.append(parent)
        return out


def _check_alive(node) -> None:
    if getattr(node, "released", False):
        raise RuntimeError(
            "Trying to backward through the graph a second time: its saved values were freed "
            "by the first backward. Pass retain_graph=True to the first backward() to keep them.")


def _parents(node):
    """The nodes that made ``node``'s inputs, once per edge (an input used twice counts twice)."""
    from .tensor import Tensor

    return [x._node for x in node.inputs if isinstance(x, Tensor) and x._node is not None]


# --------------------------------------------------------------------- gradient arithmetic
class _ArrayMath:
    """Gradients as NumPy arrays: the fast path, nothing recorded."""

    @staticmethod
    def to_grad(value, like):
        from .tensor import Tensor

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
        from .tensor import Tensor

        if isinstance(value, Tensor):
            return value
        return Tensor._wrap(np.asarray(value, like.dtype))

    @staticmethod
    def fit(g, x):
        from .tensor import Tensor

        if not isinstance(g, Tensor):
            g = Tensor._wrap(np.asarray(g))
        g = sum_to_shape(g, x.shape)
        return g if g.dtype == x.dtype else g.type(x.dtype)

    @staticmethod
    def add(a, b):
        return a + b

    @staticmethod
    def zeros(shape, dtype):
        from .tensor import Tensor

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


def _needed_nodes(graph: _Graph, order: list, targets: _Targets) -> set[int]:
    """Nodes on some path from the outputs to a requested input (the only ones ``grad()`` runs)."""
    from .tensor import Tensor

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
    from .tensor import Tensor

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
    from .tensor import Tensor

    math = _TensorMath if create_graph else _ArrayMath
    targets = _Targets(targets_inputs, math) if targets_inputs is not None else None
    pending: dict[int, list] = {}
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
            root_nodes.append(node)
        slots = pending[id(node)]
        slots[root._index] = g if slots[root._index] is None else math.add(slots[root._index], g)

    graph = _Graph(root_nodes)
    order = graph.order()
    needed = _needed_nodes(graph, order, targets) if targets is not None else None
    context = enable_grad() if create_graph else no_grad()
    with context:
        for node in order:
            out_grads = pending.pop(id(node), None)
            if out_grads is None:
                if not retain_graph:
                    node.release()
                continue
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
                g = math.fit(g, x)
                if x._node is None:
                    if targets is not None:
                        for k in targets.leaves.get(id(x), ()):
                            targets.add(k, g)
                        continue
                    owned = (not create_graph and fresh and g.base is None
                             and sum(o is g for o in in_grads) == 1)
                    _accumulate_leaf(x, g, math, owned)
                    continue
                slots = pending.setdefault(id(x._node), [None] * x._node.n_outputs)
                slots[x._index] = g if slots[x._index] is None else math.add(slots[x._index], g)
    return targets.found if targets is not None else None


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
    from .tensor import Tensor

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
    from .tensor import Tensor

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
        from .tensor import Tensor as _T

        result.append(g if isinstance(g, _T) else _T._wrap(np.array(g, dtype=x.dtype, copy=True)))
    return tuple(result)
