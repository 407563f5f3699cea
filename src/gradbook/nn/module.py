"""``Module`` and ``Parameter``: PyTorch's ``torch.nn.Module`` contract on gradbook tensors.

A module owns three ordered name spaces filled by plain attribute assignment:

* ``Parameter`` values → ``_parameters`` (trained by optimizers, in ``state_dict``);
* ``Module`` values → ``_modules`` (children; names join with dots: ``features.0.weight``);
* ``register_buffer(name, tensor)`` → ``_buffers`` (state that is not trained, such as batch
  norm's ``running_mean``; in ``state_dict`` unless ``persistent=False``).

``state_dict()`` holds NumPy copies under PyTorch's key names, so a PyTorch model's
``{k: v.numpy() for k, v in model.state_dict().items()}`` loads unchanged, and the reverse.
"""
from __future__ import annotations

import copy
from collections import OrderedDict, namedtuple
from typing import Any, Callable, Iterator, Mapping

import numpy as np

from .. import backend
from ..autograd.tensor import Tensor, zero_grads
from ._checks import check_input

__all__ = ["Module", "Parameter", "IncompatibleKeys"]

IncompatibleKeys = namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])


class Parameter(Tensor):
    """A leaf tensor that a ``Module`` registers as trainable (``requires_grad=True`` by default).

    Built from a ``Tensor`` it shares that tensor's array (as ``torch.nn.Parameter`` does); built
    from an array or list it holds a copy (Python floats get the default dtype).
    """

    __slots__ = ()

    def __init__(self, data: Any = None, requires_grad: bool = True):
        if data is None:
            data = np.empty(0, backend.get_default_dtype())
        if isinstance(data, Tensor):
            Tensor.__init__(self, None)
            self.data = data.data
            self.requires_grad_(requires_grad)
        else:
            Tensor.__init__(self, data, requires_grad=requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __deepcopy__(self, memo: dict) -> "Parameter":
        out = Parameter(self.data.copy(), requires_grad=self.requires_grad)
        out.grad = None if self.grad is None else Tensor._wrap(self.grad.data.copy())
        memo[id(self)] = out
        return out

    def __reduce_ex__(self, protocol):
        return (Parameter, (self.data, self.requires_grad))


def _addindent(text: str, spaces: int) -> str:
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    pad = " " * spaces
    return lines[0] + "\n" + "\n".join(pad + line for line in lines[1:])


def _as_numpy(value: Any) -> np.ndarray:
    """A state-dict value as an array: gradbook tensors, arrays, numbers, and duck-typed tensors
    of other libraries that have ``detach().cpu().numpy()`` (PyTorch's)."""
    if isinstance(value, Tensor):
        return value.data
    if not isinstance(value, np.ndarray) and hasattr(value, "detach") and hasattr(value, "numpy"):
        value = value.detach()
        value = value.cpu() if hasattr(value, "cpu") else value
        return np.asarray(value.numpy())
    return np.asarray(value)


class Module:
    """Base class of every layer and model; subclasses set attributes in ``__init__`` (after
    ``super().__init__()``) and define ``forward``. Calling the module calls ``forward``."""

    training: bool

    def __init__(self) -> None:
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_non_persistent_buffers", set())
        object.__setattr__(self, "_modules", OrderedDict())

    # ------------------------------------------------------------------ calling
    def forward(self, *args, **kwargs):
        raise TypeError(f"{type(self).__name__} does not define forward()")

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    def check_input(self, x: Any, **checks) -> None:
        """Raise ``ValueError`` naming this layer if ``x`` is not what it expects; see
        :func:`gradbook.nn._checks.check_input` for ``ndim``, ``dim``, ``size``, ``what``, ``layout``."""
        check_input(self, x, **checks)

    # ------------------------------------------------------------------ registration
    def _check_ready(self, what: str) -> None:
        if "_parameters" not in self.__dict__:
            raise AttributeError(f"cannot assign {what} before Module.__init__() is called "
                                 f"(call super().__init__() first in {type(self).__name__}.__init__)")

    @staticmethod
    def _check_name(name: Any, kind: str) -> None:
        if not isinstance(name, str):
            raise TypeError(f"{kind} name should be a string, got {type(name).__name__}")
        if name == "" or "." in name:
            raise KeyError(f"{kind} name can't be empty or contain '.', got {name!r}")

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Add ``param`` (or ``None``: a declared but absent parameter, like ``bias=False``)."""
        self._check_ready("parameters")
        self._check_name(name, "parameter")
        if hasattr(self, name) and name not in self._parameters:
            raise KeyError(f"attribute {name!r} already exists on {type(self).__name__}")
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"cannot assign {type(param).__name__} as parameter {name!r} "
                            "(gradbook.nn.Parameter or None expected)")
        self._parameters[name] = param

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Add state that is saved but not trained; ``persistent=False`` keeps it out of ``state_dict``."""
        self._check_ready("buffers")
        self._check_name(name, "buffer")
        if hasattr(self, name) and name not in self._buffers:
            raise KeyError(f"attribute {name!r} already exists on {type(self).__name__}")
        if tensor is not None and not isinstance(tensor, Tensor):
            if isinstance(tensor, np.ndarray):
                tensor = Tensor._wrap(tensor)
            else:
                raise TypeError(f"cannot assign {type(tensor).__name__} as buffer {name!r} "
                                "(gradbook Tensor, ndarray or None expected)")
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers.discard(name)
        else:
            self._non_persistent_buffers.add(name)

    def add_module(self, name: str, module: "Module | None") -> None:
        """Add a child module (``None`` is allowed as a placeholder)."""
        self._check_ready("submodules")
        self._check_name(name, "module")
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        if hasattr(self, name) and name not in self._modules:
            raise KeyError(f"attribute {name!r} already exists on {type(self).__name__}")
        self._modules[name] = module

    register_module = add_module

    def __setattr__(self, name: str, value: Any) -> None:
        params = self.__dict__.get("_parameters")
        if isinstance(value, Parameter):
            self._check_ready("parameters")
            self._forget(name)
            params[name] = value
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(f"cannot assign {type(value).__name__} as parameter {name!r} "
                                "(gradbook.nn.Parameter or None expected)")
            params[name] = None
        elif isinstance(value, Module):
            self._check_ready("submodules")
            self._forget(name)
            self._modules[name] = value
        elif params is not None and name in self._modules:
            if value is not None:
                raise TypeError(f"cannot assign {type(value).__name__} as child module {name!r} "
                                "(Module or None expected)")
            self._modules[name] = None
        elif params is not None and name in self._buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign {type(value).__name__} as buffer {name!r} "
                                "(gradbook Tensor or None expected)")
            self._buffers[name] = value
        else:
            object.__setattr__(self, name, value)

    def _forget(self, name: str) -> None:
        self.__dict__.pop(name, None)
        for space in (self._parameters, self._buffers, self._modules):
            space.pop(name, None)
        self._non_persistent_buffers.discard(name)

    def __getattr__(self, name: str) -> Any:
        # only reached when normal lookup fails
        d = self.__dict__
        for space in ("_parameters", "_buffers", "_modules"):
            if space in d and name in d[space]:
                return d[space][name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        for space in ("_parameters", "_buffers", "_modules"):
            if name in self.__dict__.get(space, ()):
                del self.__dict__[space][name]
                self._non_persistent_buffers.discard(name)
                return
        object.__delattr__(self, name)

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(self._parameters) | set(self._buffers) | set(self._modules))

    # ------------------------------------------------------------------ traversal
    def named_modules(self, memo: set | None = None, prefix: str = "",
                      remove_duplicate: bool = True) -> Iterator[tuple[str, "Module"]]:
        """This module and every descendant, depth first, each once (shared modules too)."""
        memo = set() if memo is None else memo
        if remove_duplicate:
            if id(self) in memo:
                return
            memo.add(id(self))
        yield prefix, self
        for name, module in self._modules.items():
            if module is None:
                continue
            sub = f"{prefix}.{name}" if prefix else name
            yield from module.named_modules(memo, sub, remove_duplicate)

    def modules(self) -> Iterator["Module"]:
        for _, m in self.named_modules():
            yield m

    def named_children(self) -> Iterator[tuple[str, "Module"]]:
        seen = set()
        for name, module in self._modules.items():
            if module is not None and id(module) not in seen:
                seen.add(id(module))
                yield name, module

    def children(self) -> Iterator["Module"]:
        for _, m in self.named_children():
            yield m

    def _named_members(self, space: str, prefix: str, recurse: bool,
                       remove_duplicate: bool = True) -> Iterator[tuple[str, Tensor]]:
        seen: set[int] = set()
        mods = self.named_modules(prefix=prefix) if recurse else [(prefix, self)]
        for mod_prefix, module in mods:
            for name, value in getattr(module, space).items():
                if value is None or (remove_duplicate and id(value) in seen):
                    continue
                seen.add(id(value))
                yield (f"{mod_prefix}.{name}" if mod_prefix else name), value

    def named_parameters(self, prefix: str = "", recurse: bool = True,
                         remove_duplicate: bool = True) -> Iterator[tuple[str, Parameter]]:
        """(dotted name, parameter) pairs; a parameter shared by two layers appears once."""
        return self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix: str = "", recurse: bool = True,
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Tensor]]:
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def get_submodule(self, target: str) -> "Module":
        """The descendant at dotted path ``target`` ("" is this module)."""
        module = self
        if target == "":
            return module
        for i, part in enumerate(target.split(".")):
            child = module._modules.get(part) if isinstance(module, Module) else None
            if child is None:
                where = ".".join(target.split(".")[:i]) or type(self).__name__
                raise AttributeError(f"{where} has no submodule {part!r}")
            module = child
        return module

    def get_parameter(self, target: str) -> Parameter:
        mod_path, _, name = target.rpartition(".")
        module = self.get_submodule(mod_path)
        if name not in module._parameters or module._parameters[name] is None:
            raise AttributeError(f"{type(module).__name__} has no parameter {name!r}")
        return module._parameters[name]

    # ------------------------------------------------------------------ modes and bulk changes
    def train(self, mode: bool = True) -> "Module":
        """Set training mode (dropout active, batch norm uses batch statistics) here and below."""
        if not isinstance(mode, bool):
            raise ValueError(f"train(): mode is expected to be a bool, got {type(mode).__name__}")
        for m in self.modules():
            object.__setattr__(m, "training", mode)
        return self

    def eval(self) -> "Module":
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> "Module":
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        zero_grads(self.parameters(), set_to_none)

    def apply(self, fn: Callable[["Module"], Any]) -> "Module":
        """Call ``fn`` on every child (recursively) and then on this module, as PyTorch does."""
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    def to(self, dtype) -> "Module":
        """Cast floating parameters, their gradients and floating buffers to ``dtype`` in place
        (the Parameter objects stay the same, so an optimizer built earlier still holds them)."""
        dt = np.dtype(dtype)
        if dt.kind != "f":
            raise ValueError(f"{type(self).__name__}.to(): only floating dtypes are supported, got {dt}")
        for t in list(self.parameters()) + list(self.buffers()):
            if t.data.dtype.kind == "f" and t.data.dtype != dt:
                t.data = t.data.astype(dt)
                if t.grad is not None:
                    t.grad = Tensor._wrap(t.grad.data.astype(dt))
        return self

    def float(self) -> "Module":
        return self.to(np.float32)

    def double(self) -> "Module":
        return self.to(np.float64)

    # ------------------------------------------------------------------ state
    def state_dict(self, destination: dict | None = None, prefix: str = "",
                   keep_vars: bool = False) -> "OrderedDict[str, Any]":
        """Parameters and persistent buffers by dotted name (PyTorch's keys), as NumPy copies
        (or the tensors themselves with ``keep_vars=True``)."""
        out = OrderedDict() if destination is None else destination
        for mod_prefix, module in self.named_modules(prefix=prefix.rstrip(".")):
            pre = f"{mod_prefix}." if mod_prefix else ""
            for name, p in module._parameters.items():
                if p is not None:
                    out[pre + name] = p if keep_vars else p.data.copy()
            for name, b in module._buffers.items():
                if b is not None and name not in module._non_persistent_buffers:
                    out[pre + name] = b if keep_vars else b.data.copy()
        return out

    def load_state_dict(self, state_dict: Mapping[str, Any], strict: bool = True) -> IncompatibleKeys:
        """Copy values into this module's parameters and buffers in place.

        Values may be NumPy arrays, gradbook tensors, numbers, or anything ``np.asarray`` accepts
        (PyTorch tensors are detached and converted). Each value is cast to the target's dtype.
        Shape mismatches always raise; with ``strict=True`` missing and unexpected keys raise too,
        all reported together in one error. Returns ``(missing_keys, unexpected_keys)``.
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"load_state_dict: expected a mapping of name -> array, "
                            f"got {type(state_dict).__name__}")
        own = self.state_dict(keep_vars=True)
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        values, mismatched = {}, []
        for key, target in own.items():
            if key not in state_dict:
                continue
            value = _as_numpy(state_dict[key])
            if value.shape != target.shape:
                mismatched.append(f"  {key}: checkpoint shape {tuple(value.shape)}, "
                                  f"model shape {tuple(target.shape)}")
            else:
                values[key] = value
        problems = list(mismatched)
        if strict:
            if missing:
                problems.append("  missing keys: " + ", ".join(repr(k) for k in missing))
            if unexpected:
                problems.append("  unexpected keys: " + ", ".join(repr(k) for k in unexpected))
        if problems:
            raise RuntimeError(f"Error(s) in loading state_dict for {type(self).__name__}:\n"
                               + "\n".join(problems))
        for key, value in values.items():
            target = own[key]
            target.data[...] = value.astype(target.data.dtype, copy=False)
        return IncompatibleKeys(missing, unexpected)

    # ------------------------------------------------------------------ copying
    def __deepcopy__(self, memo: dict) -> "Module":
        new = type(self).__new__(type(self))
        memo[id(self)] = new
        for key, value in self.__dict__.items():
            object.__setattr__(new, key, copy.deepcopy(value, memo))
        return new

    # ------------------------------------------------------------------ representation
    def extra_repr(self) -> str:
        """The text inside this module's parentheses; layers override it (``in_features=3, ...``)."""
        return ""

    def _get_name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [f"({name}): " + _addindent(repr(m), 2) for name, m in self._modules.items()]
        lines = extra_lines + child_lines
        body = ""
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                body = extra_lines[0]
            else:
                body = "\n  " + "\n  ".join(lines) + "\n"
        return f"{self._get_name()}({body})"
