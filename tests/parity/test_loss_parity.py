"""Every loss against torch.nn.functional: forward and the gradients of input (and of float targets),
random shapes (N, C) and (N, C, d1, ...), weights, ignore_index, label smoothing, every reduction."""
import numpy as np
import pytest
import torch.nn.functional as TF
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes

import gradbook.nn.functional as F
from parity.harness import assert_matches_torch, random_array
from parity.strategies import edge_shapes

pytestmark = pytest.mark.filterwarnings("ignore:reduction. .mean. divides the total loss:UserWarning")

REDUCTIONS = st.sampled_from(["mean", "sum", "none"])
DTYPES = st.sampled_from([np.float32, np.float64])
class_shapes = st.tuples(st.integers(1, 4), st.integers(2, 5), st.lists(st.integers(1, 3), max_size=2)).map(
    lambda t: (t[0], t[1], *t[2]))


def _tol(dtype):
    return dict(atol=1e-5, rtol=1e-4) if dtype == np.float32 else dict(atol=1e-10, rtol=1e-9)


def _targets(rng, shape, ignore_some):
    t = rng.integers(0, shape[1], (shape[0], *shape[2:]))
    if ignore_some:
        t[rng.random(t.shape) < 0.3] = -100
        t.flat[0] = 0   # all targets ignored gives nan 'mean' on both sides; the harness counts nan ≠ nan
    return t


@given(shape=class_shapes, seed=st.integers(0, 2**16), reduction=REDUCTIONS, weighted=st.booleans(),
       ignore=st.booleans(), smoothing=st.sampled_from([0.0, 0.1, 0.5]), dtype=DTYPES)
def test_cross_entropy_index_targets(shape, seed, reduction, weighted, ignore, smoothing, dtype):
    rng = np.random.default_rng(seed)
    x = (random_array(rng, shape, dtype) * 3).astype(dtype)
    t = _targets(rng, shape, ignore)
    w = (rng.random(shape[1]) + 0.2).astype(dtype) if weighted else None
    assert_matches_torch(lambda x, t, w: F.cross_entropy(x, t, w, reduction=reduction, label_smoothing=smoothing),
                         lambda x, t, w: TF.cross_entropy(x, t, w, reduction=reduction, label_smoothing=smoothing),
                         [x, t, w], grad=[True, False, False], **_tol(dtype))


@given(shape=class_shapes, seed=st.integers(0, 2**16), reduction=REDUCTIONS, weighted=st.booleans(),
       smoothing=st.sampled_from([0.0, 0.2]), dtype=DTYPES)
def test_cross_entropy_probability_targets(shape, seed, reduction, weighted, smoothing, dtype):
    rng = np.random.default_rng(seed)
    x = random_array(rng, shape, dtype)
    q = rng.dirichlet(np.ones(shape[1]), (shape[0], *shape[2:]))
    q = np.moveaxis(q, -1, 1).astype(dtype)
    w = (rng.random(shape[1]) + 0.2).astype(dtype) if weighted else None
    assert_matches_torch(lambda x, q, w: F.cross_entropy(x, q, w, reduction=reduction, label_smoothing=smoothing),
                         lambda x, q, w: TF.cross_entropy(x, q, w, reduction=reduction, label_smoothing=smoothing),
                         [x, q, w], grad=[True, True, False], **_tol(dtype))


@pytest.mark.parametrize("fn", ["cross_entropy", "nll_loss", "multi_margin_loss"])
def test_unbatched_class_input(fn):
    rng = np.random.default_rng(0)
    x, t = rng.standard_normal(5), np.array(3)
    for reduction in ("mean", "none"):
        assert_matches_torch(lambda x, t: getattr(F, fn)(x, t, reduction=reduction),
                             lambda x, t: getattr(TF, fn)(x, t, reduction=reduction), [x, t], grad=[True, False])
    if fn == "cross_entropy":
        q = rng.dirichlet(np.ones(5))
        assert_matches_torch(lambda x, q: F.cross_entropy(x, q, reduction="none", label_smoothing=0.1),
                             lambda x, q: TF.cross_entropy(x, q, reduction="none", label_smoothing=0.1), [x, q])


@given(shape=class_shapes, seed=st.integers(0, 2**16), reduction=REDUCTIONS, weighted=st.booleans(),
       ignore=st.booleans(), dtype=DTYPES)
def test_nll_loss(shape, seed, reduction, weighted, ignore, dtype):
    rng = np.random.default_rng(seed)
    x = random_array(rng, shape, dtype)
    t = _targets(rng, shape, ignore)
    w = (rng.random(shape[1]) + 0.2).astype(dtype) if weighted else None
    assert_matches_torch(lambda x, t, w: F.nll_loss(x, t, w, reduction=reduction),
                         lambda x, t, w: TF.nll_loss(x, t, w, reduction=reduction),
                         [x, t, w], grad=[True, False, False], **_tol(dtype))


@given(n=st.integers(1, 5), c=st.integers(2, 5), seed=st.integers(0, 2**16), reduction=REDUCTIONS,
       p=st.sampled_from([1, 2]), margin=st.sampled_from([0.5, 1.0, 2.0]), weighted=st.booleans(), dtype=DTYPES)
def test_multi_margin_loss(n, c, seed, reduction, p, margin, weighted, dtype):
    rng = np.random.default_rng(seed)
    x = random_array(rng, (n, c), dtype)
    t = rng.integers(0, c, n)
    w = (rng.random(c) + 0.2).astype(dtype) if weighted else None
    assert_matches_torch(lambda x, t, w: F.multi_margin_loss(x, t, p, margin, w, reduction=reduction),
                         lambda x, t, w: TF.multi_margin_loss(x, t, p, margin, w, reduction=reduction),
                         [x, t, w], grad=[True, False, False], **_tol(dtype))


POINTWISE = {
    "mse_loss": (lambda x, y, r: F.mse_loss(x, y, reduction=r), lambda x, y, r: TF.mse_loss(x, y, reduction=r)),
    "l1_loss": (lambda x, y, r: F.l1_loss(x, y, reduction=r), lambda x, y, r: TF.l1_loss(x, y, reduction=r)),
    "smooth_l1": (lambda x, y, r: F.smooth_l1_loss(x, y, reduction=r, beta=0.6),
                  lambda x, y, r: TF.smooth_l1_loss(x, y, reduction=r, beta=0.6)),
    "smooth_l1_beta0": (lambda x, y, r: F.smooth_l1_loss(x, y, reduction=r, beta=0.0),
                        lambda x, y, r: TF.smooth_l1_loss(x, y, reduction=r, beta=0.0)),
    "huber": (lambda x, y, r: F.huber_loss(x, y, reduction=r, delta=0.8),
              lambda x, y, r: TF.huber_loss(x, y, reduction=r, delta=0.8)),
    "kl_div": (lambda x, y, r: F.kl_div(x, abs(y) + 0.1, reduction=r),
               lambda x, y, r: TF.kl_div(x, abs(y) + 0.1, reduction=r)),
    "kl_div_log_target": (lambda x, y, r: F.kl_div(x, y, reduction=r, log_target=True),
                          lambda x, y, r: TF.kl_div(x, y, reduction=r, log_target=True)),
    "bce_with_logits": (lambda x, y, r: F.binary_cross_entropy_with_logits(x, y.sigmoid(), reduction=r),
                        lambda x, y, r: TF.binary_cross_entropy_with_logits(x, y.sigmoid(), reduction=r)),
}


@pytest.mark.parametrize("name", sorted(POINTWISE))
@given(shape=array_shapes(min_dims=1, max_dims=4, max_side=4), seed=st.integers(0, 2**16), reduction=REDUCTIONS,
       dtype=DTYPES)
def test_pointwise_losses(name, shape, seed, reduction, dtype):
    rng = np.random.default_rng(seed)
    x, y = random_array(rng, shape, dtype), random_array(rng, shape, dtype)
    ours, theirs = POINTWISE[name]
    assert_matches_torch(lambda x, y: ours(x, y, reduction), lambda x, y: theirs(x, y, reduction), [x, y],
                         **_tol(dtype))


@given(shape=array_shapes(min_dims=1, max_dims=3, max_side=4), seed=st.integers(0, 2**16), reduction=REDUCTIONS,
       dtype=DTYPES)
def test_weighted_losses(shape, seed, reduction, dtype):
    rng = np.random.default_rng(seed)
    x, y = random_array(rng, shape, dtype), random_array(rng, shape, dtype)
    w = (rng.random(shape) + 0.1).astype(dtype)
    p, q = (0.02 + 0.96 * rng.random(shape)).astype(dtype), rng.random(shape).astype(dtype)
    pw = (rng.random(shape[-1]) + 0.3).astype(dtype)
    tol = _tol(dtype)
    for ours, theirs in ((F.mse_loss, TF.mse_loss), (F.l1_loss, TF.l1_loss)):
        assert_matches_torch(lambda x, y, w: ours(x, y, reduction=reduction, weight=w),
                             lambda x, y, w: theirs(x, y, reduction=reduction, weight=w), [x, y, w],
                             grad=[True, True, False], **tol)
    assert_matches_torch(lambda x, y, w: F.huber_loss(x, y, reduction, 0.7, w),
                         lambda x, y, w: TF.huber_loss(x, y, reduction, 0.7, w), [x, y, w], grad=[True, True, False], **tol)
    assert_matches_torch(lambda p, q, w: F.binary_cross_entropy(p, q, w, reduction=reduction),
                         lambda p, q, w: TF.binary_cross_entropy(p, q, w, reduction=reduction), [p, q, w],
                         grad=[True, True, False], **tol)
    assert_matches_torch(lambda x, q, w, pw: F.binary_cross_entropy_with_logits(x, q, w, reduction=reduction, pos_weight=pw),
                         lambda x, q, w, pw: TF.binary_cross_entropy_with_logits(x, q, w, reduction=reduction, pos_weight=pw),
                         [x * 5, q, w, pw], grad=[True, True, False, False], **tol)


@given(shape=array_shapes(min_dims=1, max_dims=3, max_side=4), seed=st.integers(0, 2**16), log_target=st.booleans())
def test_kl_div_batchmean(shape, seed, log_target):
    rng = np.random.default_rng(seed)
    x = random_array(rng, shape)
    y = random_array(rng, shape) if log_target else rng.random(shape)
    assert_matches_torch(lambda x, y: F.kl_div(x, y, reduction="batchmean", log_target=log_target),
                         lambda x, y: TF.kl_div(x, y, reduction="batchmean", log_target=log_target), [x, y],
                         atol=1e-10, rtol=1e-9)


# ----------------------------------------------------------------------------- PyTorch's own edge cases
POINTWISE_LOSSES = {
    "mse_loss": (F.mse_loss, TF.mse_loss, None),
    "l1_loss": (F.l1_loss, TF.l1_loss, None),
    "smooth_l1_loss": (F.smooth_l1_loss, TF.smooth_l1_loss, None),
    "huber_loss": (F.huber_loss, TF.huber_loss, None),
    "binary_cross_entropy": (F.binary_cross_entropy, TF.binary_cross_entropy, "probabilities"),
    "binary_cross_entropy_with_logits": (F.binary_cross_entropy_with_logits, TF.binary_cross_entropy_with_logits,
                                         None),
}


@pytest.mark.parametrize("name", sorted(POINTWISE_LOSSES))
@given(shape=edge_shapes(max_dims=3), seed=st.integers(0, 2**16), reduction=REDUCTIONS)
def test_pointwise_losses_on_0d_and_empty_tensors_match_torch(name, shape, seed, reduction):
    """A 0-d prediction and target, or empty ones ('mean' of nothing is NaN on both sides)."""
    gb_fn, th_fn, kind = POINTWISE_LOSSES[name]
    rng = np.random.default_rng(seed)
    x = np.asarray(rng.uniform(0.05, 0.95, shape)) if kind else random_array(rng, shape)
    t = np.asarray(rng.uniform(0, 1, shape))
    assert_matches_torch(lambda x, t: gb_fn(x, t, reduction=reduction), lambda x, t: th_fn(x, t, reduction=reduction),
                         [x, t], **_tol(np.float64))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_and_nll_of_an_empty_batch_match_torch(reduction):
    x, t = np.zeros((0, 3)), np.zeros(0, dtype=np.int64)
    assert_matches_torch(lambda x, t: F.cross_entropy(x, t, reduction=reduction),
                         lambda x, t: TF.cross_entropy(x, t, reduction=reduction), [x, t])
    assert_matches_torch(lambda x, t: F.nll_loss(x, t, reduction=reduction),
                         lambda x, t: TF.nll_loss(x, t, reduction=reduction), [x, t])
