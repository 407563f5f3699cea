"""``Objective``: the user's f, its gradient and its Hessian behind one interface, at float64
points, counting evaluations as SciPy does (``nfev``, ``njev``, ``nhev``).

Two kinds of ``fun`` are accepted:

* a function of a gradbook ``Tensor`` returning a scalar ``Tensor`` (``jac=None``): ∇f comes from
  ``autograd.grad``; Hessian-vector products from differentiating the gradient once more
  (``create_graph=True``): Hv = ∇(∇f · v), one backward pass per product on a graph built once;
* a function of NumPy arrays with an explicit ``jac`` (a callable, or ``True`` when ``fun``
  returns ``(f, g)``), and ``hess`` / ``hessp`` where a Newton method needs them.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from ..autograd import Tensor, enable_grad, grad
from ..creation import tensor


class Objective:
    """f, ∇f, Hessian-vector products and Hessians of one problem, with evaluation counts.

    ``where`` (e.g. ``"minimize(method='bfgs')"``) starts every error message. The last point's
    value and gradient are cached, so asking again at the same x costs nothing.
    """

    def __init__(self, fun: Callable, n: int, args: tuple, jac, hess, hessp, where: str,
                 second_order: bool = False):
        if not callable(fun):
            raise TypeError(f"{where}: fun must be callable, got {type(fun).__name__}")
        if jac is not None and jac is not True and not callable(jac):
            hint = (" (finite differences are not offered: pass a function of Tensors with jac=None "
                    "to get exact gradients by autograd)" if isinstance(jac, str) else "")
            raise ValueError(f"{where}: jac must be None (autograd on a function of Tensors), a callable "
                             f"or True (fun returns (f, g)); got {jac!r}{hint}")
        for name, value in (("hess", hess), ("hessp", hessp)):
            if value is not None and not callable(value):
                raise ValueError(f"{where}: {name} must be a callable or None, got {value!r}")
        self.fun, self.n, self.args, self.where = fun, n, tuple(args), where
        self.jac, self.hess_fn, self.hessp_fn = jac, hess, hessp
        self.autograd = jac is None
        if second_order and hess is None and hessp is None and not self.autograd:
            raise ValueError(f"{where} needs second derivatives: pass hess or hessp for a function of "
                             f"arrays, or a function of Tensors (jac=None) to get them by autograd")
        # the gradient graph of the last point is kept when Hessian products will be asked there
        self.second_order = second_order and self.autograd and hess is None and hessp is None
        self.nfev = self.njev = self.nhev = 0
        self._x = None           # last point evaluated
        self._f = self._g = None
        self._graph = None       # (x Tensor, ∇f Tensor with create_graph) at self._x
        self._forward = None     # (x Tensor, f Tensor) recorded at self._x, gradient not yet taken

    # ----------------------------------------------------------------- f and ∇f
    def value(self, x: np.ndarray) -> float:
        """f(x)."""
        if self._x is not None and np.array_equal(x, self._x):
            return self._f
        if self.autograd:
            # the forward is recorded, so that if x is accepted its gradient needs only a backward
            t = self._tensor(x, requires_grad=True)
            out = self._call_with_tensor(t)
            f = self._scalar(out)
            self.nfev += 1
            self._remember(x, f, None, None)
            self._forward = (t, out)
            return f
        elif self.jac is True:
            f, g = self._pair(x)
        else:
            f, g = self._scalar(self.fun(x.copy(), *self.args)), None
            self.nfev += 1
        self._remember(x, f, g, None)
        return f

    def value_and_grad(self, x: np.ndarray) -> tuple[float, np.ndarray]:
        """(f(x), ∇f(x)); with Hessian products to come, the gradient stays differentiable."""
        if self._x is not None and self._g is not None and np.array_equal(x, self._x):
            return self._f, self._g
        graph = None
        if self.autograd:
            if self._forward is not None and np.array_equal(x, self._x):
                (t, out), f = self._forward, self._f
            else:
                t = self._tensor(x, requires_grad=True)
                out = self._call_with_tensor(t)
                f = self._scalar(out)
                self.nfev += 1
            if isinstance(out, Tensor) and out.requires_grad:
                with enable_grad():
                    (g_t,) = grad(out, t, create_graph=self.second_order, allow_unused=True)
            else:  # f does not depend on x
                g_t = None
            g = np.zeros(self.n) if g_t is None else np.array(g_t.data, dtype=np.float64).reshape(self.n)
            graph = (t, g_t) if self.second_order and g_t is not None and g_t.requires_grad else None
            self.njev += 1
        elif self.jac is True:
            f, g = self._pair(x)
            self.njev += 1
        else:
            if self._x is not None and np.array_equal(x, self._x):
                f = self._f
            else:
                f = self._scalar(self.fun(x.copy(), *self.args))
                self.nfev += 1
            g = self._vector(self.jac(x.copy(), *self.args), "jac")
            self.njev += 1
        self._remember(x, f, g, graph)
        return f, g

    # ----------------------------------------------------------------- second derivatives
    def hessian_product(self, x: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
        """p ↦ ∇²f(x) p. Each product counts one in ``nhev`` (a formed ``hess`` counts once)."""
        if self.hessp_fn is not None:
            def product(p):
                self.nhev += 1
                return self._vector(self.hessp_fn(x.copy(), p.copy(), *self.args), "hessp")
            return product
        if self.hess_fn is not None:
            matrix = self.hessian(x)
            return lambda p: matrix @ p
        t, g_t = self._gradient_graph(x)
        if t is None:  # the gradient is constant: the Hessian is zero
            return lambda p: np.zeros(self.n)

        def product(p):
            self.nhev += 1
            with enable_grad():
                (hv,) = grad(g_t, t, grad_outputs=tensor(np.asarray(p).reshape(t.shape), dtype="float64"),
                             retain_graph=True, allow_unused=True)
            return np.zeros(self.n) if hv is None else np.array(hv.data, dtype=np.float64).reshape(self.n)
        return product

    def hessian(self, x: np.ndarray) -> np.ndarray:
        """∇²f(x) as an (n, n) array: from ``hess``, else column by column from Hessian-vector
        products (``hessp`` or autograd), symmetrised."""
        if self.hess_fn is not None:
            self.nhev += 1
            h = np.asarray(self.hess_fn(x.copy(), *self.args), dtype=np.float64)
            if h.shape != (self.n, self.n):
                raise ValueError(f"{self.where}: hess returned shape {h.shape}, expected ({self.n}, {self.n})")
            return h
        product = self.hessian_product(x)
        before = self.nhev
        columns = np.stack([product(e) for e in np.eye(self.n)], axis=1)
        self.nhev = before + 1
        return 0.5 * (columns + columns.T)

    # ----------------------------------------------------------------- helpers
    def _gradient_graph(self, x):
        if self._graph is None or not np.array_equal(x, self._x):
            self._g = None  # force a differentiable re-evaluation at x
            self.value_and_grad(x)
        return self._graph if self._graph is not None else (None, None)

    def _remember(self, x, f, g, graph):
        self._x, self._f, self._g, self._graph, self._forward = x.copy(), f, g, graph, None

    def _call_with_tensor(self, t):
        try:
            with enable_grad():  # minimize() called under no_grad still differentiates f
                return self.fun(t, *self.args)
        except (TypeError, ValueError, AttributeError) as err:
            if self.nfev > 0:
                raise
            raise ValueError(
                f"{self.where}: with jac=None, fun is called with a gradbook Tensor (gradients by "
                f"autograd), and that call failed: {type(err).__name__}: {err}. For a function of "
                f"arrays, pass jac (a callable, or True when fun returns (f, g))") from err

    def _tensor(self, x, requires_grad):
        return tensor(x, dtype="float64", requires_grad=requires_grad)

    def _pair(self, x):
        out = self.fun(x.copy(), *self.args)
        if not isinstance(out, (tuple, list)) or len(out) != 2:
            raise ValueError(f"{self.where}: with jac=True, fun must return (f, gradient); "
                             f"got {type(out).__name__}")
        self.nfev += 1
        return self._scalar(out[0]), self._vector(out[1], "the gradient returned by fun")

    def _scalar(self, out) -> float:
        if self.autograd and not isinstance(out, Tensor):
            raise ValueError(
                f"{self.where}: with jac=None, fun is called with a Tensor and must return a scalar "
                f"Tensor (gradients by autograd); it returned {type(out).__name__}. For a function of "
                f"arrays, pass jac (a callable, or True when fun returns (f, g))")
        value = np.asarray(out.data if isinstance(out, Tensor) else out)
        if value.size != 1:
            raise ValueError(f"{self.where}: fun must return a scalar, got shape {value.shape}")
        return float(value.reshape(()))

    def _vector(self, out, what: str) -> np.ndarray:
        g = np.asarray(out.data if isinstance(out, Tensor) else out, dtype=np.float64)
        if g.shape != (self.n,) and g.size == self.n and g.ndim <= 1:
            g = g.reshape(self.n)
        if g.shape != (self.n,):
            raise ValueError(f"{self.where}: {what} returned shape {g.shape}, expected ({self.n},)")
        return g
