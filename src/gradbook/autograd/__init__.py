"""The autograd engine: ``Tensor``, ``Function``, grad mode and the numerical gradient check."""
from .function import Function, unbroadcast
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .gradcheck import GradcheckError, gradcheck
from .tensor import Tensor

__all__ = ["Function", "GradcheckError", "Tensor", "enable_grad", "gradcheck", "is_grad_enabled",
           "no_grad", "set_grad_enabled", "unbroadcast"]
