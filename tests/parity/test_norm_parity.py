"""Normalisation ops against torch.nn.functional (forward and every gradient, random shapes), and
running statistics equal to PyTorch's over many training steps."""
import numpy as np
import torch
import torch.nn.functional as TF
from hypothesis import given
from hypothesis import strategies as st

import gradbook as gb
import gradbook.nn.functional as F
from parity.harness import assert_matches_torch, random_array

shapes_nc = st.lists(st.integers(1, 4), min_size=0, max_size=2).flatmap(
    lambda spatial: st.tuples(st.integers(2, 5), st.integers(1, 5)).map(lambda nc: nc + tuple(spatial)))


def _tol(dtype):
    return dict(atol=1e-4, rtol=1e-3) if dtype == np.float32 else dict(atol=1e-9, rtol=1e-8)


@given(shape=shapes_nc, seed=st.integers(0, 2**16), training=st.booleans(), affine=st.booleans(),
       dtype=st.sampled_from([np.float32, np.float64]))
def test_batch_norm_matches_torch(shape, seed, training, affine, dtype):
    rng = np.random.default_rng(seed)
    c = shape[1]
    x = random_array(rng, shape, dtype)
    rm, rv = rng.standard_normal(c).astype(dtype), (0.5 + rng.random(c)).astype(dtype)
    params = [rng.standard_normal(c).astype(dtype), rng.standard_normal(c).astype(dtype)] if affine else []
    gb_rm, gb_rv = rm.copy(), rv.copy()
    th_rm, th_rv = torch.from_numpy(rm.copy()), torch.from_numpy(rv.copy())

    def ours(x, *wb):
        return F.batch_norm(x, gb_rm, gb_rv, *wb, training=training, momentum=0.3)

    def theirs(x, *wb):
        return TF.batch_norm(x, th_rm, th_rv, *wb, training=training, momentum=0.3)

    assert_matches_torch(ours, theirs, [x, *params], **_tol(dtype))
    np.testing.assert_allclose(gb_rm, th_rm.numpy(), **_tol(dtype))
    np.testing.assert_allclose(gb_rv, th_rv.numpy(), **_tol(dtype))


@given(shape=shapes_nc, seed=st.integers(0, 2**16), data=st.data(), dtype=st.sampled_from([np.float32, np.float64]))
def test_layer_norm_matches_torch(shape, seed, data, dtype):
    rng = np.random.default_rng(seed)
    k = data.draw(st.integers(1, len(shape)))
    norm = shape[len(shape) - k:]
    x = random_array(rng, shape, dtype)
    w, b = random_array(rng, norm, dtype), random_array(rng, norm, dtype)
    assert_matches_torch(lambda x, w, b: F.layer_norm(x, norm, w, b, 1e-3),
                         lambda x, w, b: TF.layer_norm(x, norm, w, b, 1e-3), [x, w, b], **_tol(dtype))


@given(n=st.integers(1, 3), groups=st.integers(1, 3), per=st.integers(1, 3), spatial=st.lists(st.integers(1, 4), max_size=2),
       seed=st.integers(0, 2**16), dtype=st.sampled_from([np.float32, np.float64]))
def test_group_norm_matches_torch(n, groups, per, spatial, seed, dtype):
    rng = np.random.default_rng(seed)
    c = groups * per
    if per * int(np.prod(spatial)) == 1:
        spatial = [2]
    x = random_array(rng, (n, c, *spatial), dtype)
    w, b = random_array(rng, (c,), dtype), random_array(rng, (c,), dtype)
    assert_matches_torch(lambda x, w, b: F.group_norm(x, groups, w, b), lambda x, w, b: TF.group_norm(x, groups, w, b),
                         [x, w, b], **_tol(dtype))


@given(n=st.integers(1, 3), c=st.integers(1, 4), spatial=st.lists(st.integers(2, 4), min_size=1, max_size=2),
       seed=st.integers(0, 2**16), use_input_stats=st.booleans(), dtype=st.sampled_from([np.float32, np.float64]))
def test_instance_norm_matches_torch(n, c, spatial, seed, use_input_stats, dtype):
    rng = np.random.default_rng(seed)
    x = random_array(rng, (n, c, *spatial), dtype)
    w, b = random_array(rng, (c,), dtype), random_array(rng, (c,), dtype)
    rm, rv = rng.standard_normal(c).astype(dtype), (0.5 + rng.random(c)).astype(dtype)
    gb_rm, gb_rv, th_rm, th_rv = rm.copy(), rv.copy(), torch.from_numpy(rm.copy()), torch.from_numpy(rv.copy())
    assert_matches_torch(lambda x, w, b: F.instance_norm(x, gb_rm, gb_rv, w, b, use_input_stats, 0.2),
                         lambda x, w, b: TF.instance_norm(x, th_rm, th_rv, w, b, use_input_stats, 0.2),
                         [x, w, b], **_tol(dtype))
    np.testing.assert_allclose(gb_rm, th_rm.numpy(), **_tol(dtype))
    np.testing.assert_allclose(gb_rv, th_rv.numpy(), **_tol(dtype))


@given(n=st.integers(1, 3), c=st.integers(1, 7), spatial=st.lists(st.integers(1, 4), min_size=1, max_size=2),
       size=st.integers(1, 6), seed=st.integers(0, 2**16))
def test_local_response_norm_matches_torch(n, c, spatial, size, seed):
    x = random_array(np.random.default_rng(seed), (n, c, *spatial))
    assert_matches_torch(lambda x: F.local_response_norm(x, size, 0.3, 0.7, 1.2),
                         lambda x: TF.local_response_norm(x, size, 0.3, 0.7, 1.2), [x], atol=1e-10, rtol=1e-9)


def test_running_stats_equal_torch_over_many_steps():
    rng = np.random.default_rng(0)
    gb_rm, gb_rv = np.zeros(4, np.float32), np.ones(4, np.float32)
    th_rm, th_rv = torch.zeros(4), torch.ones(4)
    for step in range(50):
        x = (rng.standard_normal((8, 4, 3, 3)) * (step % 5 + 1) + step).astype(np.float32)
        F.batch_norm(gb.tensor(x), gb_rm, gb_rv, training=True, momentum=0.1)
        TF.batch_norm(torch.from_numpy(x), th_rm, th_rv, training=True, momentum=0.1)
    np.testing.assert_allclose(gb_rm, th_rm.numpy(), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(gb_rv, th_rv.numpy(), rtol=1e-5, atol=1e-5)
