"""``Optimizer``: the base of every optimizer, with PyTorch's param groups and state-dict layout.

A subclass states its defaults and writes one method, ``_update(p, grad, state, group)``, that
changes ``p.data`` in place from ``grad`` (an ndarray, already negated when ``maximize``) and its
per-parameter ``state`` dict. The base handles groups, closures, skipping parameters without a
gradient, ``zero_grad`` and saving/loading::

    class SGD(Optimizer):
        def __init__(self, params, lr=1e-3):
            super().__init__(params, dict(lr=lr))

        def _update(self, p, grad, state, group):
            p.data -= group["lr"] * grad

``state_dict()`` follows ``torch.optim.Optimizer.state_dict``: ``{"state": {index: {...}},
"param_groups": [{..., "params": [index, ...]}]}``, indices counting parameters across groups
in order; it holds NumPy arrays, lists of them and numbers only, so it can be written to an
``.npz`` file. A state dict saved by torch (its tensors turned into arrays) loads too: the 0-d
arrays torch keeps for scalar state (``step``, ASGD's ``eta``…) come back as Python numbers, and
torch's implementation switches (``foreach``, ``fused``, ``capturable``, ``differentiable``) are
dropped from the groups.
"""
from __future__ import annotations

import copy
from typing import Any, Callable, Iterable

import numpy as np

from ..autograd.grad_mode import enable_grad
from ..autograd.tensor import Tensor, zero_grads

__all__ = ["Optimizer"]

# torch's implementation switches and their defaults. gradbook has one NumPy implementation, so the
# flags exist for signature compatibility only: the defaults (and an explicit False, which asks for
# the plain per-tensor path gradbook runs) are accepted, anything else is refused.
TORCH_ONLY_FLAGS = {"foreach": None, "fused": None, "capturable": False, "differentiable": False}


def check_torch_only_flags(name: str, **flags: Any) -> None:
    """Raise a ValueError naming the optimizer for a torch-only flag set to something gradbook lacks."""
    for flag, value in flags.items():
        if value is not None and value is not False:
            accepted = ("None (torch's default) or False" if TORCH_ONLY_FLAGS[flag] is None
                        else "False (torch's default)")
            raise ValueError(f"{name}: {flag}={value!r} is not supported: gradbook has one NumPy "
                             f"implementation; the argument exists for torch compatibility and accepts only "
                             f"{accepted}")


def check_adam_hyperparameters(name: str, lr: float, eps: float, betas, weight_decay: float) -> None:
    """The checks torch makes for the Adam family (Adam, AdamW, Adamax, NAdam, RAdam), in torch's
    words behind the optimizer's name."""
    if not 0.0 <= lr:
        raise ValueError(f"{name}: invalid learning rate: {lr} (must be >= 0)")
    if not 0.0 <= eps:
        raise ValueError(f"{name}: invalid epsilon value: {eps} (must be >= 0)")
    for i, b in enumerate(betas):
        if not 0.0 <= b < 1.0:
            raise ValueError(f"{name}: invalid beta parameter at index {i}: {b} (must be in [0, 1))")
    if not 0.0 <= weight_decay:
        raise ValueError(f"{name}: invalid weight_decay value: {weight_decay} (must be >= 0)")


def decay_and_update_moments(theta: np.ndarray, g: np.ndarray, m: np.ndarray, v: np.ndarray, lr: float,
                             wd: float, decoupled: bool, b1: float, b2: float) -> np.ndarray:
    """The first half of an Adam-family step, in place: weight decay (θ ← θ(1 − lr·λ) when
    decoupled, else g ← g + λθ), then m ← m + (1 − β₁)(g − m) (torch's lerp) and
    v ← β₂v + (1 − β₂)g². Returns the (possibly decayed) gradient."""
    if wd != 0:
        if decoupled:
            theta *= 1 - lr * wd
        else:
            g = g + wd * theta
    m += (1 - b1) * (g - m)
    v *= b2
    v += (1 - b2) * (g * g)
    return g


class Optimizer:
    """Base class; ``params`` is an iterable of tensors or of dicts (param groups with their own
    hyperparameters, e.g. ``[{"params": body}, {"params": head, "lr": 1e-2}]``)."""

    # per-parameter state entries that are numbers, not arrays (torch stores them as 0-d tensors)
    _scalar_state: tuple[str, ...] = ("step",)

    def __init__(self, params: Iterable[Tensor] | Iterable[dict], defaults: dict[str, Any]):
        self.defaults = dict(defaults)
        self.state: dict[Tensor, dict[str, Any]] = {}
        self.param_groups: list[dict[str, Any]] = []
        if isinstance(params, Tensor):
            raise TypeError(f"{type(self).__name__}: params should be an iterable of Tensors or dicts, "
                            "got a single Tensor (wrap it in a list)")
        groups = list(params)
        if not groups:
            raise ValueError(f"{type(self).__name__} got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    # ------------------------------------------------------------------ groups
    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group; options it leaves out take the optimizer's defaults."""
        if not isinstance(param_group, dict):
            raise TypeError(f"{type(self).__name__}.add_param_group: expected a dict, "
                            f"got {type(param_group).__name__}")
        group = dict(param_group)
        params = group["params"]
        params = [params] if isinstance(params, Tensor) else list(params)
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError(f"{type(self).__name__} can only optimize Tensors, got {type(p).__name__}")
            if not p.is_leaf:
                raise ValueError(f"{type(self).__name__} can't optimize a non-leaf Tensor")
            if p.data.dtype.kind != "f":
                raise ValueError(f"{type(self).__name__} can only optimize floating tensors, got {p.dtype}")
        ids = [id(p) for p in params]
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if len(set(ids)) != len(ids) or seen & set(ids):
            raise ValueError(f"{type(self).__name__}: some parameters appear in more than one parameter "
                             "group (or twice in one)")
        group["params"] = params
        for key, value in self.defaults.items():
            group.setdefault(key, value)
        self.param_groups.append(group)

    # ------------------------------------------------------------------ stepping
    def zero_grad(self, set_to_none: bool = True) -> None:
        zero_grads((p for group in self.param_groups for p in group["params"]), set_to_none)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One update of every parameter that has a gradient; ``closure`` (re)computes the loss
        and its gradients first and its value is returned."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                grad = p.grad.data
                if grad.shape != p.shape:
                    raise ValueError(f"{type(self).__name__}: gradient of shape {grad.shape} does not "
                                     f"match its parameter of shape {p.shape}")
                if group.get("maximize", False):
                    grad = -grad
                self._update(p, grad, self.state.setdefault(p, {}), group)
        return loss

    def _update(self, p: Tensor, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        raise TypeError(f"{type(self).__name__} does not define _update()")  # pragma: no cover

    # ------------------------------------------------------------------ saving
    def state_dict(self) -> dict[str, Any]:
        """PyTorch's layout with NumPy copies: parameters are replaced by their running index."""
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {k: copy.deepcopy(v) for k, v in group.items() if k != "params"}
            packed["params"] = []
            for p in group["params"]:
                index.setdefault(id(p), len(index))
                packed["params"].append(index[id(p)])
            groups.append(packed)
        state = {}
        for group in self.param_groups:
            for p in group["params"]:
                if p in self.state and self.state[p]:
                    state[index[id(p)]] = copy.deepcopy(self.state[p])  # arrays and lists copied
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore hyperparameters and per-parameter state saved by ``state_dict``; the groups must
        have the same sizes. Floating state arrays are cast to their parameter's dtype."""
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(f"{type(self).__name__}.load_state_dict: the state dict has "
                             f"{len(saved_groups)} parameter groups, this optimizer {len(self.param_groups)}")
        sizes = [len(g["params"]) for g in self.param_groups]
        saved_sizes = [len(g["params"]) for g in saved_groups]
        if sizes != saved_sizes:
            raise ValueError(f"{type(self).__name__}.load_state_dict: parameter group sizes {saved_sizes} "
                             f"in the state dict do not match this optimizer's {sizes}")
        by_index = {}
        for saved, group in zip(saved_groups, self.param_groups):
            for i, p in zip(saved["params"], group["params"]):
                by_index[int(i)] = p
        self.state = {}
        for i, entry in state_dict["state"].items():
            p = by_index.get(int(i))
            if p is None:
                raise ValueError(f"{type(self).__name__}.load_state_dict: state for parameter index {i} "
                                 "which no group lists")
            self.state[p] = {k: _restore(v, p, k in self._scalar_state) for k, v in entry.items()}
        for saved, group in zip(saved_groups, self.param_groups):
            for k, v in saved.items():
                if k != "params" and k not in TORCH_ONLY_FLAGS:
                    group[k] = copy.deepcopy(v)

    # ------------------------------------------------------------------ representation
    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            for key in sorted(k for k in group if k != "params"):
                lines.append(f"    {key}: {group[key]}")
        lines.append(")")
        return "\n".join(lines)


def _restore(value: Any, p: Tensor, scalar: bool = False) -> Any:
    if isinstance(value, Tensor):
        value = value.data
    if scalar and isinstance(value, (np.ndarray, np.generic)) and value.size == 1:
        return value.item()  # torch's 0-d step tensor: a Python number, so t enters formulas in float64
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "f" and value.shape == p.shape:
            return value.astype(p.dtype, copy=True)
        return value.copy()
    if isinstance(value, (list, tuple)):
        return type(value)(_restore(v, p) for v in value)
    return value
