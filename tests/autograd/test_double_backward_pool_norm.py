"""Double backward of pooling, normalisation and dropout, checked numerically in float64
(``gradgradcheck``), and a third derivative through each pooling's backward ops (the scatter and
gather pairs are each other's gradients)."""
from __future__ import annotations

import numpy as np
import pytest

import gradbook as gb
from gradbook.autograd import gradgradcheck
from gradbook.nn import functional as F

from .test_double_backward_conv import first_order


def _t(rng, shape, scale=1.0, shift=0.0):
    return gb.tensor(rng.standard_normal(shape) * scale + shift, dtype="float64", requires_grad=True)


# Pooling is piecewise linear in x: a square before it gives the check a second derivative to see.
POOLS = {
    "max 2x2": lambda x: F.max_pool2d(x * x, 2),
    "max overlapping, padded": lambda x: F.max_pool2d(x * x, 3, 1, 1),
    "max dilated, ceil_mode": lambda x: F.max_pool2d(x * x, (2, 3), (1, 2), (1, 0), dilation=(2, 1), ceil_mode=True),
    "avg padded, ceil_mode": lambda x: F.avg_pool2d(x * x, 3, 2, 1, ceil_mode=True, count_include_pad=False),
    "avg divisor_override": lambda x: F.avg_pool2d(x * x, 2, 1, divisor_override=3),
    "adaptive avg": lambda x: F.adaptive_avg_pool2d(x * x, (3, 2)),
    "adaptive max, overlapping windows": lambda x: F.adaptive_max_pool2d(x * x, (4, 4)),
}


@pytest.mark.parametrize("name", list(POOLS))
def test_pool_gradgradcheck(name):
    x = _t(np.random.default_rng(0), (2, 2, 5, 6))
    assert gradgradcheck(POOLS[name], [x])


@pytest.mark.parametrize("name", list(POOLS))
def test_pool_third_derivative_gradgradcheck(name):
    """Differentiates the backward's own backward (max: gather then scatter; avg: the pooling)."""
    x = _t(np.random.default_rng(1), (1, 2, 5, 6))
    assert gradgradcheck(first_order(POOLS[name], 1), [x])


def test_max_pool_gradient_does_not_depend_on_x():
    """Max pooling is linear with the arg-max fixed: its gradient under a constant upstream is a
    constant (∂²y/∂x² = 0), recorded with no path back to x."""
    x = _t(np.random.default_rng(2), (1, 1, 4, 4))
    (g,) = gb.autograd.grad(F.max_pool2d(x, 2).sum(), x, create_graph=True)
    assert not g.requires_grad and g.data.sum() == 4


@pytest.mark.parametrize("shape", [(4, 3), (3, 2, 3, 2), (2, 3, 4)])
@pytest.mark.parametrize("affine", [True, False])
def test_batch_norm_training_gradgradcheck(shape, affine):
    rng = np.random.default_rng(3)
    c = shape[1]
    x = _t(rng, shape, 2.0, 1.0)
    params = [_t(rng, (c,)), _t(rng, (c,))] if affine else []
    mean, var = np.zeros(c), np.ones(c)

    def fn(x, *wb):
        return F.batch_norm(x, mean.copy(), var.copy(), *(wb or (None, None)), training=True)

    assert gradgradcheck(fn, [x, *params])


def test_batch_norm_eval_gradgradcheck():
    """Evaluation is affine in x; x² in front gives it a second derivative, and γ's gradient reads x̂."""
    rng = np.random.default_rng(4)
    x, w, b = _t(rng, (3, 2, 2, 3)), _t(rng, (2,)), _t(rng, (2,))
    mean, var = rng.standard_normal(2), rng.random(2) + 0.5
    assert gradgradcheck(lambda x, w, b: F.batch_norm(x * x, mean, var, w, b, training=False), [x, w, b])


def test_group_instance_and_layer_norm_gradgradcheck():
    rng = np.random.default_rng(5)
    x, w, b = _t(rng, (2, 4, 2, 3)), _t(rng, (4,)), _t(rng, (4,))
    assert gradgradcheck(lambda x, w, b: F.group_norm(x, 2, w, b), [x, w, b])
    assert gradgradcheck(lambda x, w, b: F.instance_norm(x, weight=w, bias=b), [x, w, b])
    x, w, b = _t(rng, (3, 2, 3)), _t(rng, (2, 3)), _t(rng, (2, 3))
    assert gradgradcheck(lambda x, w, b: F.layer_norm(x, (2, 3), w, b), [x, w, b])
    assert gradgradcheck(lambda x: F.layer_norm(x, 3), [x])


@pytest.mark.parametrize("size", [1, 2, 3, 4])
def test_local_response_norm_gradgradcheck(size):
    """Windows of even and odd width (n//2 channels before, (n−1)//2 after)."""
    x = _t(np.random.default_rng(8), (2, 5, 3, 2))
    assert gradgradcheck(lambda x: F.local_response_norm(x, size, alpha=0.3, beta=0.8, k=1.5), [x])


def test_batch_norm_third_derivative_gradgradcheck():
    rng = np.random.default_rng(6)
    x, w = _t(rng, (3, 2, 2)), _t(rng, (2,))
    assert gradgradcheck(first_order(lambda x, w: F.batch_norm(x, None, None, w, None, training=True), 2), [x, w])


def test_dropout_gradgradcheck():
    """The mask is a constant: the same one on every call of the check (seeded)."""
    x = _t(np.random.default_rng(7), (3, 5))

    def fn(x):
        gb.manual_seed(0)
        return F.dropout(x * x, 0.4) + F.dropout2d(x.reshape(3, 5, 1), 0.5).reshape(3, 5)

    assert gradgradcheck(fn, [x])
