"""Pooling ops: float64 gradient checks (random upstream gradients), indices, divisors, dtype and
clear errors (a window larger than the padded input, too much padding)."""
from __future__ import annotations

import numpy as np
import pytest

import gradbook as gb
from gradbook.nn import functional as F


def _x(shape, seed=0):
    return gb.tensor(np.random.default_rng(seed).standard_normal(shape), dtype="float64", requires_grad=True)


@pytest.mark.parametrize("kernel, stride, padding, dilation, ceil_mode", [
    (2, None, 0, 1, False), (3, 2, 1, 1, True), ((2, 3), (1, 2), (1, 0), (2, 1), False), (3, 2, 0, 1, True)])
def test_max_pool2d_gradcheck(kernel, stride, padding, dilation, ceil_mode):
    x = _x((2, 2, 7, 6))
    assert gb.gradcheck(lambda x: F.max_pool2d(x, kernel, stride, padding, dilation, ceil_mode), [x])


@pytest.mark.parametrize("kernel, stride, padding, ceil_mode, count_include_pad, divisor_override", [
    (2, None, 0, False, True, None), (3, 2, 1, True, False, None), ((2, 3), (1, 2), (1, 1), True, True, None),
    (3, 2, 1, False, True, 5)])
def test_avg_pool2d_gradcheck(kernel, stride, padding, ceil_mode, count_include_pad, divisor_override):
    x = _x((2, 2, 7, 6), 1)
    assert gb.gradcheck(lambda x: F.avg_pool2d(x, kernel, stride, padding, ceil_mode, count_include_pad,
                                               divisor_override), [x])


@pytest.mark.parametrize("out", [1, (3, 2), (4, None), 5])
def test_adaptive_pools_gradcheck(out):
    x = _x((2, 2, 7, 6), 2)
    assert gb.gradcheck(lambda x: F.adaptive_avg_pool2d(x, out), [x])
    assert gb.gradcheck(lambda x: F.adaptive_max_pool2d(x, out), [x])


def test_max_pool_gradient_goes_to_the_argmax_only():
    x = gb.tensor([[[[1.0, 5.0, 2.0, 0.0], [3.0, 4.0, 9.0, 8.0]]]], requires_grad=True)
    y, idx = F.max_pool2d(x, 2, return_indices=True)
    np.testing.assert_array_equal(y.data, [[[[5.0, 9.0]]]])
    np.testing.assert_array_equal(idx.data, [[[[1, 6]]]])  # flat positions in the 2x4 plane
    (y * gb.tensor([[[[2.0, 3.0]]]])).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [[[[0, 2, 0, 0], [0, 0, 3, 0]]]])


def test_avg_pool_divisors_by_hand():
    # 3x3 ones, kernel 2, stride 2, padding 1: each window holds 1, 2 or 4 real elements out of 4
    x = gb.ones(1, 1, 3, 3)
    np.testing.assert_allclose(F.avg_pool2d(x, 2, 2, 1).data[0, 0], [[0.25, 0.5], [0.5, 1.0]])
    np.testing.assert_allclose(F.avg_pool2d(x, 2, 2, 1, count_include_pad=False).data[0, 0], np.ones((2, 2)))
    np.testing.assert_allclose(F.avg_pool2d(x, 2, 2, 1, divisor_override=2).data[0, 0], [[0.5, 1], [1, 2]])


def test_float32_stays_float32_and_unbatched_inputs_work():
    x = gb.randn(3, 8, 8, requires_grad=True)
    outs = [F.max_pool2d(x, 2), F.avg_pool2d(x, 3, 2, 1), F.adaptive_avg_pool2d(x, 3), F.adaptive_max_pool2d(x, 3)]
    assert [o.shape for o in outs] == [(3, 4, 4), (3, 4, 4), (3, 3, 3), (3, 3, 3)]
    assert all(o.dtype == np.float32 for o in outs)
    sum(o.sum() for o in outs).backward()
    assert x.grad.dtype == np.float32


@pytest.mark.parametrize("call, message", [
    (lambda: F.max_pool2d(gb.randn(1, 1, 3, 3), 5), "max_pool2d: the pooling window 5x5 is larger than the padded input 3x3"),
    (lambda: F.avg_pool2d(gb.randn(1, 1, 3, 3), 4, padding=0), "avg_pool2d: the pooling window 4x4"),
    (lambda: F.max_pool2d(gb.randn(1, 1, 8, 8), 3, padding=2), "at most half the kernel size"),
    (lambda: F.max_pool2d(gb.randn(8, 8), 2), "3-D (C, H, W) or 4-D"),
    (lambda: F.avg_pool2d(gb.randn(1, 1, 8, 8), 2, divisor_override=0), "divisor_override"),
    (lambda: F.adaptive_avg_pool2d(gb.randn(1, 1, 8, 8), 0), "output_size must be positive"),
])
def test_bad_arguments_raise_clear_errors(call, message):
    with pytest.raises(ValueError) as info:
        call()
    assert message in str(info.value)


def test_global_average_pool_path_equals_the_matrix_form():
    """adaptive_avg_pool2d to 1x1 takes GlobalAvgPool2d; the general matrix form gives the same
    output and input gradient (float64), and a strided input works."""
    from gradbook.ops.pool import AdaptiveAvgPool2d

    x0 = np.random.default_rng(3).standard_normal((3, 4, 10, 6))[:, :, ::2]  # 3x4x5x6, not contiguous
    g = np.random.default_rng(4).standard_normal((3, 4, 1, 1))
    fast, ref = gb.tensor(x0, requires_grad=True), gb.tensor(x0, requires_grad=True)
    y_fast = F.adaptive_avg_pool2d(fast, 1)
    assert type(y_fast.grad_fn).__name__ == "GlobalAvgPool2d"
    y_ref = AdaptiveAvgPool2d.apply(ref, ph=np.full((1, 5), 1 / 5), pw=np.full((1, 6), 1 / 6))
    np.testing.assert_allclose(y_fast.numpy(), y_ref.numpy(), rtol=1e-13)
    y_fast.backward(gb.tensor(g))
    y_ref.backward(gb.tensor(g))
    np.testing.assert_allclose(fast.grad.numpy(), ref.grad.numpy(), rtol=1e-13)
