"""The autograd engine: ``Tensor``, ``Function``, the backward walk (``engine``), grad mode and the
numerical gradient checks."""
from .tensor import Tensor  # first: tensor.py imports the engine once Tensor exists  # isort: skip
from .engine import grad
from .function import Function, unbroadcast
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .gradcheck import GradcheckError, gradcheck, gradgradcheck

__all__ = ["Function", "GradcheckError", "Tensor", "enable_grad", "grad", "gradcheck", "gradgradcheck",
           "is_grad_enabled", "no_grad", "set_grad_enabled", "unbroadcast"]
