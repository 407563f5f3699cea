"""Normalisation ops against torch.nn.functional (forward and every gradient, random shapes), and
running statistics equal to PyTorch's over many training steps."""
import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from hypothesis import given
from hypothesis import strategies as st

import gradbook as gb
import gradbook.nn.functional as F
from parity.harness import assert_matches_torch, assert_matches_torch_or_both_raise, random_array

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


# ----------------------------------------------------------------------------- PyTorch's own edge cases
# The functional norms in torch's signatures and argument order (all positional), with weight and
# bias, either alone, or neither: every gradient, the weight's and the bias's included.
AFFINE = st.sampled_from(["weight and bias", "weight", "bias", "neither"])


def _affine(rng, which, shape, dtype):
    w = random_array(rng, shape, dtype) if "weight" in which else None
    b = random_array(rng, shape, dtype) if "bias" in which else None
    return w, b


@given(shape=shapes_nc, seed=st.integers(0, 2**16), training=st.booleans(), affine=AFFINE,
       dtype=st.sampled_from([np.float32, np.float64]))
def test_batch_norm_with_and_without_weight_and_bias_matches_torch(shape, seed, training, affine, dtype):
    rng = np.random.default_rng(seed)
    c = shape[1]
    x = random_array(rng, shape, dtype)
    w, b = _affine(rng, affine, (c,), dtype)
    rm, rv = rng.standard_normal(c).astype(dtype), (0.5 + rng.random(c)).astype(dtype)
    assert_matches_torch(lambda x, w, b: F.batch_norm(x, rm.copy(), rv.copy(), w, b, training, 0.2, 1e-3),
                         lambda x, w, b: TF.batch_norm(x, torch.from_numpy(rm.copy()), torch.from_numpy(rv.copy()),
                                                       w, b, training, 0.2, 1e-3), [x, w, b], **_tol(dtype))


@given(shape=shapes_nc, seed=st.integers(0, 2**16), affine=AFFINE, data=st.data(),
       dtype=st.sampled_from([np.float32, np.float64]))
def test_layer_norm_with_and_without_weight_and_bias_matches_torch(shape, seed, affine, data, dtype):
    rng = np.random.default_rng(seed)
    norm = list(shape[len(shape) - data.draw(st.integers(1, len(shape))):])  # a list, as torch.Size-likes are
    x = random_array(rng, shape, dtype)
    w, b = _affine(rng, affine, tuple(norm), dtype)
    assert_matches_torch(lambda x, w, b: F.layer_norm(x, norm, w, b, 1e-3),
                         lambda x, w, b: TF.layer_norm(x, norm, w, b, 1e-3), [x, w, b], **_tol(dtype))


@given(n=st.integers(1, 3), groups=st.integers(1, 3), per=st.integers(1, 3),
       spatial=st.lists(st.integers(1, 3), max_size=2), seed=st.integers(0, 2**16), affine=AFFINE,
       dtype=st.sampled_from([np.float32, np.float64]))
def test_group_norm_with_and_without_weight_and_bias_matches_torch(n, groups, per, spatial, seed, affine, dtype):
    """Torch's own backward fails for a bias without a weight ("tensor does not have a device"), so
    there its side gets a constant weight of ones, which is the same function."""
    rng = np.random.default_rng(seed)
    c = groups * per
    x = random_array(rng, (n, c, *spatial), dtype)
    w, b = _affine(rng, affine, (c,), dtype)
    ones = torch.ones(c, dtype=torch.float64 if dtype == np.float64 else torch.float32)
    assert_matches_torch_or_both_raise(
        lambda x, w, b: F.group_norm(x, groups, w, b, 1e-3),
        lambda x, w, b: TF.group_norm(x, groups, ones if w is None and b is not None else w, b, 1e-3),
        [x, w, b], op="group_norm", **_tol(dtype))


@given(n=st.integers(1, 3), c=st.integers(1, 4), spatial=st.lists(st.integers(2, 4), min_size=1, max_size=2),
       seed=st.integers(0, 2**16), affine=AFFINE, use_input_stats=st.booleans(),
       dtype=st.sampled_from([np.float32, np.float64]))
def test_instance_norm_with_and_without_weight_and_bias_matches_torch(n, c, spatial, seed, affine, use_input_stats,
                                                                      dtype):
    rng = np.random.default_rng(seed)
    x = random_array(rng, (n, c, *spatial), dtype)
    w, b = _affine(rng, affine, (c,), dtype)
    rm, rv = rng.standard_normal(c).astype(dtype), (0.5 + rng.random(c)).astype(dtype)
    running = (rm.copy(), rv.copy()) if not use_input_stats else (None, None)
    th_running = tuple(None if r is None else torch.from_numpy(r.copy()) for r in running)
    assert_matches_torch(lambda x, w, b: F.instance_norm(x, *running, w, b, use_input_stats, 0.2, 1e-3),
                         lambda x, w, b: TF.instance_norm(x, *th_running, w, b, use_input_stats, 0.2, 1e-3),
                         [x, w, b], **_tol(dtype))


@pytest.mark.parametrize("name,gb_fn,th_fn", [
    ("group_norm", lambda x, w, b: F.group_norm(x, 2, w, b), lambda x, w, b: TF.group_norm(x, 2, w, b)),
    ("layer_norm", lambda x, w, b: F.layer_norm(x, (4, 3), None, None), lambda x, w, b: TF.layer_norm(x, (4, 3))),
    ("instance_norm", lambda x, w, b: F.instance_norm(x, None, None, w, b),
     lambda x, w, b: TF.instance_norm(x, None, None, w, b)),
    ("batch_norm", lambda x, w, b: F.batch_norm(x, np.zeros(4), np.ones(4), w, b),
     lambda x, w, b: TF.batch_norm(x, torch.zeros(4, dtype=torch.float64), torch.ones(4, dtype=torch.float64), w, b)),
    ("batch_norm", lambda x, w, b: F.batch_norm(x, None, None, w, b, True),
     lambda x, w, b: TF.batch_norm(x, None, None, w, b, True)),
])
def test_norms_of_an_empty_batch_match_torch(name, gb_fn, th_fn):
    """An empty batch: an empty output and zero gradients for the weight and bias, or (instance
    norm, batch norm in training) torch's refusal, met by a clear error."""
    rng = np.random.default_rng(0)
    assert_matches_torch_or_both_raise(gb_fn, th_fn, [np.zeros((0, 4, 3)), rng.standard_normal(4),
                                                      rng.standard_normal(4)], op=name, atol=1e-12)


@pytest.mark.parametrize("shape,groups", [((1, 4), 4), ((1, 3, 1, 1), 3), ((1, 2, 1), 2)])
def test_group_norm_of_one_value_per_group_is_refused_like_torch(shape, groups):
    x = np.ones(shape)
    assert assert_matches_torch_or_both_raise(lambda t: F.group_norm(t, groups), lambda t: TF.group_norm(t, groups),
                                              [x], op="group_norm") is None
    # one value per group but more than one sample: torch normalises it (to 0), and so do we
    assert_matches_torch(lambda t: F.group_norm(t, groups), lambda t: TF.group_norm(t, groups),
                         [np.ones((2,) + shape[1:])], atol=1e-12)
