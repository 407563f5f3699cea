"""The activation and dropout modules the models are built from.

``gradbook.nn``'s own modules (``nn.ReLU``, ``nn.Dropout``, ...) are used whenever they exist;
until a family lands, a minimal stand-in with the same name, repr and behaviour is used, built
on the functional op. Neither holds parameters, so state dicts are the same either way.
"""
from __future__ import annotations

from .. import nn
from ..ops import elementwise as ew

# activation name → gradbook.nn class name (PyTorch's)
ACTIVATIONS = {"relu": "ReLU", "tanh": "Tanh", "sigmoid": "Sigmoid", "gelu": "GELU", "leaky_relu": "LeakyReLU",
               "elu": "ELU", "selu": "SELU", "silu": "SiLU", "softplus": "Softplus", "identity": "Identity"}
_FALLBACK_FNS = {"ReLU": ew.relu, "Tanh": ew.tanh, "Sigmoid": ew.sigmoid}


class _Elementwise(nn.Module):
    """Stand-in for an activation module of ``gradbook.nn`` that has not landed yet."""

    def __init__(self, name: str):
        super().__init__()
        self._name = name

    def forward(self, x):
        return _FALLBACK_FNS[self._name](x)

    def _get_name(self) -> str:
        return self._name


class _Dropout(nn.Module):
    """Stand-in for ``nn.Dropout`` (inverted dropout through ``F.dropout``)."""

    def __init__(self, p: float = 0.5):
        super().__init__()
        self.p = p

    def forward(self, x):
        return nn.functional.dropout(x, self.p, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace=False"

    def _get_name(self) -> str:
        return "Dropout"


def activation(spec, owner: str) -> nn.Module:
    """A fresh activation module from a name ("relu", "tanh", ...) or a Module class/factory."""
    if not isinstance(spec, str):
        if not callable(spec):
            raise ValueError(f"{owner}: activation must be a name or a Module class, got {spec!r}")
        module = spec()
        if not isinstance(module, nn.Module):
            raise ValueError(f"{owner}: activation factory {spec!r} did not return a Module")
        return module
    key = spec.lower()
    if key not in ACTIVATIONS:
        raise ValueError(f"{owner}: unknown activation {spec!r}; expected one of {', '.join(ACTIVATIONS)}")
    cls_name = ACTIVATIONS[key]
    cls = getattr(nn, cls_name, None)
    if cls is not None:
        return cls()
    if cls_name in _FALLBACK_FNS:
        return _Elementwise(cls_name)
    raise ValueError(f"{owner}: activation {spec!r} needs gradbook.nn.{cls_name}, which is not available")


def dropout(p: float) -> nn.Module:
    cls = getattr(nn, "Dropout", None)
    return cls(p) if cls is not None else _Dropout(p)
