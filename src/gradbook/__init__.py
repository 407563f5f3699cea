"""gradbook: deep learning and classic machine learning from scratch on NumPy, proven equal to
PyTorch and scikit-learn, plus an executable interview handbook.

>>> import gradbook as gb
>>> x = gb.tensor([1.0, 2.0, 3.0], requires_grad=True)
>>> (x * x).sum().backward()
>>> x.grad
tensor([2., 4., 6.])
"""
from __future__ import annotations

__version__ = "0.1.0"

from . import backend
from .autograd import Function, Tensor, enable_grad, gradcheck, is_grad_enabled, no_grad, set_grad_enabled
from .backend import get_default_dtype, manual_seed, set_default_dtype
from .creation import (arange, empty, empty_like, eye, from_numpy, full, full_like, linspace, ones,
                       ones_like, rand, rand_like, randint, randn, randn_like, tensor, zeros, zeros_like)
from .ops.elementwise import (abs, add, clamp, cos, div, exp, log, maximum, minimum, mul, neg, pow,
                              relu, sigmoid, sin, sqrt, sub, tanh, where)
from .ops.matmul import matmul
from .ops.reduce import (amax, amin, argmax, argmin, logsumexp, max, mean, min, std, sum, var)
from .ops.shape import (cat, chunk, clone, expand, flatten, pad, permute, reshape, split, squeeze,
                        stack, transpose, unsqueeze)

clip = clamp
concat = cat
float32 = "float32"
float64 = "float64"
int64 = "int64"


# heavier families load on first use, so `import gradbook` stays fast (tests/test_package.py checks
# that each of them imports)
_LAZY_MODULES = ("analysis", "classic", "compress", "data", "handbook", "io", "metrics", "models", "nn", "optim",
                 "optimize", "semi", "style", "train", "tune", "vision")


def __getattr__(name: str):
    import importlib

    if name in _LAZY_MODULES:
        return importlib.import_module(f"{__name__}.{name}")
    if name in {"save", "load"}:
        return getattr(importlib.import_module(f"{__name__}.io"), name)
    raise AttributeError(f"module 'gradbook' has no attribute {name!r}")
