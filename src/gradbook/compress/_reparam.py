"""A module whose weight is computed from other tensors: ``weight = weight_orig * weight_mask``
(pruning) or ``weight = centroids[indices]`` (weight sharing).

``Module.__call__`` calls ``self.forward``; :func:`attach` puts a :class:`Reparametrized` object on
the instance under ``forward``, which first recomputes every derived tensor from its rule (so the
gradient flows through the rule to the tensors it is made of) and then runs the class's own
``forward``. The derived tensor is a plain attribute, not a Parameter: optimizers see only what
the rule is made of. Rules are small objects (not closures) so ``copy.deepcopy`` of a model keeps
them pointing at the copy.
"""
from __future__ import annotations

from typing import Any, Callable

from ..nn.module import Module

__all__ = ["Reparametrized", "attach", "detach", "rule", "rules"]


class Reparametrized:
    """Stands in for ``module.forward``: refresh the derived tensors, then call the class's forward."""

    def __init__(self, module: Module):
        self.module = module
        self.rules: dict[str, Callable[[Module], Any]] = {}

    def refresh(self) -> None:
        for name, make in self.rules.items():
            object.__setattr__(self.module, name, make(self.module))

    def __call__(self, *args, **kwargs):
        self.refresh()
        return type(self.module).forward(self.module, *args, **kwargs)


def rules(module: Module) -> dict[str, Callable[[Module], Any]]:
    """The rules attached to ``module`` by name (empty when none)."""
    wrapper = module.__dict__.get("forward")
    return wrapper.rules if isinstance(wrapper, Reparametrized) else {}


def rule(module: Module, name: str):
    """The rule that computes ``module.<name>``, or None."""
    return rules(module).get(name)


def attach(module: Module, name: str, make: Callable[[Module], Any]) -> None:
    """Compute ``module.<name>`` by ``make(module)`` before every forward (and once now)."""
    wrapper = module.__dict__.get("forward")
    if not isinstance(wrapper, Reparametrized):
        wrapper = Reparametrized(module)
        object.__setattr__(module, "forward", wrapper)
    wrapper.rules[name] = make
    object.__setattr__(module, name, make(module))


def detach(module: Module, name: str) -> None:
    """Stop computing ``module.<name>`` (the caller puts a Parameter back in its place)."""
    wrapper = module.__dict__.get("forward")
    if isinstance(wrapper, Reparametrized):
        wrapper.rules.pop(name, None)
        if not wrapper.rules:
            del module.__dict__["forward"]
    module.__dict__.pop(name, None)
