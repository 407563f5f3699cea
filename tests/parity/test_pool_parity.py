"""max_pool2d (with indices), avg_pool2d, adaptive_avg_pool2d and adaptive_max_pool2d equal
torch.nn.functional's (forward, indices and gradient) on random shapes and window settings."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from hypothesis import assume, given
from hypothesis import strategies as st

from gradbook.nn import functional as F
from parity.harness import assert_matches_torch, assert_matches_torch_or_both_raise
from parity.strategies import window_arg

TOL = {np.float64: dict(atol=1e-12, rtol=1e-10), np.float32: dict(atol=1e-5, rtol=1e-5)}


@st.composite
def pool_cases(draw):
    kernel = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    padding = tuple(draw(st.integers(0, k // 2)) for k in kernel)
    c = dict(kernel=kernel, stride=(draw(st.integers(1, 3)), draw(st.integers(1, 3))), padding=padding,
             ceil_mode=draw(st.booleans()), dtype=draw(st.sampled_from([np.float32, np.float64])))
    c["dilation"] = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    c["hw"] = tuple(max(1, d * (k - 1) + 1 - 2 * p) + draw(st.integers(0, 5))
                    for d, k, p in zip(c["dilation"], kernel, padding))
    c["x"] = np.random.default_rng(draw(st.integers(0, 2**16))).standard_normal(
        (draw(st.integers(1, 3)), draw(st.integers(1, 3)), *c["hw"])).astype(c["dtype"])
    return c


@given(pool_cases())
def test_max_pool2d_matches_torch(c):
    opts = dict(kernel_size=c["kernel"], stride=c["stride"], padding=c["padding"], dilation=c["dilation"],
                ceil_mode=c["ceil_mode"], return_indices=True)
    # a window lying wholly in the padding yields -inf on both sides; nothing to compare there
    assume(torch.isfinite(TF.max_pool2d(torch.from_numpy(c["x"]), **opts)[0]).all())
    assert_matches_torch(lambda x: F.max_pool2d(x, **opts), lambda x: TF.max_pool2d(x, **opts), [c["x"]],
                         **TOL[c["dtype"]])


@given(pool_cases(), st.booleans(), st.sampled_from([None, 1, 3]))
def test_avg_pool2d_matches_torch(c, count_include_pad, divisor_override):
    opts = dict(kernel_size=c["kernel"], stride=c["stride"], padding=c["padding"], ceil_mode=c["ceil_mode"],
                count_include_pad=count_include_pad, divisor_override=divisor_override)
    try:
        TF.avg_pool2d(torch.from_numpy(c["x"]), **opts)
    except RuntimeError:  # without dilation the drawn input may be too small: gradbook must refuse too
        try:
            F.avg_pool2d(c["x"], **opts)
        except ValueError:
            return
        raise AssertionError("torch refused these arguments, gradbook did not")
    assert_matches_torch(lambda x: F.avg_pool2d(x, **opts), lambda x: TF.avg_pool2d(x, **opts), [c["x"]],
                         **TOL[c["dtype"]])


@given(st.integers(1, 9), st.integers(1, 9), st.integers(1, 6), st.one_of(st.none(), st.integers(1, 6)),
       st.sampled_from([np.float32, np.float64]), st.integers(0, 2**16))
def test_adaptive_pools_match_torch(h, w, oh, ow, dtype, seed):
    x = np.random.default_rng(seed).standard_normal((2, 3, h, w)).astype(dtype)
    out = (oh, ow)
    assert_matches_torch(lambda x: F.adaptive_avg_pool2d(x, out), lambda x: TF.adaptive_avg_pool2d(x, out), [x],
                         **TOL[dtype])
    assert_matches_torch(lambda x: F.adaptive_max_pool2d(x, out, True),
                         lambda x: TF.adaptive_max_pool2d(x, out, True), [x], **TOL[dtype])


# ----------------------------------------------------------------------------- PyTorch's own edge cases
@pytest.mark.parametrize("op", ["max_pool2d", "avg_pool2d"])
@given(kernel=window_arg(1, 3), stride=st.one_of(st.none(), st.just(()), window_arg(1, 3)), padding=window_arg(0, 1),
       dilation=window_arg(1, 2), seed=st.integers(0, 2**16))
def test_pooling_window_arguments_in_every_spelling_match_torch(op, kernel, stride, padding, dilation, seed):
    """kernel_size, stride, padding (and dilation) as n, (n,), [n] or (a, b), stride also None or ():
    torch reads a 1-tuple as n for both axes, and so do we; what torch refuses (padding over half the
    kernel) we refuse with an error that names the op."""
    x = np.random.default_rng(seed).standard_normal((2, 3, 7, 6))
    opts = dict(kernel_size=kernel, stride=stride, padding=padding)
    if op == "max_pool2d":
        opts["dilation"] = dilation
    assert_matches_torch_or_both_raise(lambda x: getattr(F, op)(x, **opts), lambda x: getattr(TF, op)(x, **opts),
                                       [x], op=op, **TOL[np.float64])


@pytest.mark.parametrize("op", ["max_pool2d", "avg_pool2d"])
@pytest.mark.parametrize("name", ["kernel_size", "stride", "padding"])
@pytest.mark.parametrize("value", [(1, 1, 1), 2.0, True], ids=["3-tuple", "float", "bool"])
def test_pooling_refuses_what_torch_refuses(op, name, value):
    opts = dict(kernel_size=2)
    opts[name] = value
    x = np.ones((1, 2, 6, 6))
    assert assert_matches_torch_or_both_raise(lambda x: getattr(F, op)(x, **opts), lambda x: getattr(TF, op)(x, **opts),
                                              [x], op=op) is None


@pytest.mark.parametrize("layer", ["MaxPool2d", "AvgPool2d"])
def test_pooling_layers_take_1_tuples_like_torch(layer):
    import gradbook.nn as gnn

    opts = dict(kernel_size=(3,), stride=(2,), padding=(1,))
    x = np.random.default_rng(2).standard_normal((2, 3, 7, 7))
    assert_matches_torch(getattr(gnn, layer)(**opts), getattr(torch.nn, layer)(**opts), [x], **TOL[np.float64])


@pytest.mark.parametrize("op", ["adaptive_avg_pool2d", "adaptive_max_pool2d"])
@pytest.mark.parametrize("size", [(2,), [2], (1, 2, 3), True], ids=["1-tuple", "1-list", "3-tuple", "bool"])
def test_adaptive_pooling_refuses_what_torch_refuses(op, size):
    x = np.ones((1, 2, 6, 6))
    assert assert_matches_torch_or_both_raise(lambda x: getattr(F, op)(x, size), lambda x: getattr(TF, op)(x, size),
                                              [x], op=op) is None
