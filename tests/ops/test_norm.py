"""Normalisation ops: float64 gradchecks, the fused batch-norm backward against the same computation
composed from gradbook primitives, running statistics and input errors."""
import numpy as np
import pytest

import gradbook as gb
import gradbook.nn.functional as F
from gradbook.autograd import gradcheck


def _t(shape, seed, grad=True, low=None):
    rng = np.random.default_rng(seed)
    data = rng.standard_normal(shape) if low is None else low + rng.random(shape)
    return gb.tensor(data, dtype="float64", requires_grad=grad)


@pytest.mark.parametrize("shape", [(4, 3), (3, 2, 5), (2, 3, 2, 3)])
def test_batch_norm_training_gradcheck(shape):
    c = shape[1]
    assert gradcheck(lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
                     [_t(shape, 0), _t((c,), 1), _t((c,), 2)])


def test_batch_norm_eval_gradcheck():
    rm, rv = np.random.default_rng(3).standard_normal(3), np.linspace(0.5, 2, 3)
    assert gradcheck(lambda x, w, b: F.batch_norm(x, rm, rv, w, b, training=False),
                     [_t((2, 3, 4), 0), _t((3,), 1), _t((3,), 2)])


def test_layer_group_instance_norm_gradcheck():
    x = _t((2, 4, 3, 2), 0)
    assert gradcheck(lambda x, w, b: F.layer_norm(x, (3, 2), w, b), [x, _t((3, 2), 1), _t((3, 2), 2)])
    assert gradcheck(lambda x, w, b: F.group_norm(x, 2, w, b), [x, _t((4,), 3), _t((4,), 4)])
    assert gradcheck(lambda x, w, b: F.instance_norm(x, weight=w, bias=b), [x, _t((4,), 5), _t((4,), 6)])
    assert gradcheck(lambda x: F.layer_norm(x, 2), [x])


AFFINE = ["weight", "bias", "neither"]  # with both: the gradchecks above


def _affine(which, shape):
    return (_t(shape, 7) if which == "weight" else None), (_t(shape, 8) if which == "bias" else None)


@pytest.mark.parametrize("which", AFFINE)
def test_norms_with_weight_or_bias_alone_gradcheck(which):
    """The functional norms with only a weight, only a bias, or neither: every gradient present."""
    x = _t((3, 4, 3, 2), 0)
    rm, rv = np.random.default_rng(3).standard_normal(4), np.linspace(0.5, 2, 4)

    def check(fn, param_shape):
        w, b = _affine(which, param_shape)
        params = [p for p in (w, b) if p is not None]

        def call(x, *ps):
            ps = list(ps)
            return fn(x, ps.pop(0) if w is not None else None, ps.pop(0) if b is not None else None)

        assert gradcheck(call, [x, *params])

    check(lambda x, w, b: F.batch_norm(x, None, None, w, b, True), (4,))
    check(lambda x, w, b: F.batch_norm(x, rm, rv, w, b, False), (4,))
    check(lambda x, w, b: F.group_norm(x, 2, w, b), (4,))
    check(lambda x, w, b: F.instance_norm(x, None, None, w, b), (4,))
    check(lambda x, w, b: F.layer_norm(x, (3, 2), w, b), (3, 2))


@pytest.mark.parametrize("size", [1, 2, 3, 4])
def test_local_response_norm_gradcheck(size):
    assert gradcheck(lambda x: F.local_response_norm(x, size, alpha=0.3, beta=0.6, k=1.5), [_t((2, 5, 3), size)])


def _batch_norm_composed(x, w, b, eps=1e-5):
    """The same batch norm built from gradbook primitives (mean, var, sqrt): autograd does the backward."""
    axes = (0,) + tuple(range(2, x.ndim))
    shape = (1, -1) + (1,) * (x.ndim - 2)
    mean = x.mean(axes, keepdim=True)
    var = x.var(axes, unbiased=False, keepdim=True)
    return (x - mean) / (var + eps).sqrt() * w.reshape(*shape) + b.reshape(*shape)


@pytest.mark.parametrize("shape", [(8, 3), (4, 5, 3, 3)])
def test_fused_batch_norm_backward_equals_composed_primitives(shape):
    fused_in = [_t(shape, 0), _t((shape[1],), 1), _t((shape[1],), 2)]
    comp_in = [gb.tensor(t.data.copy(), requires_grad=True) for t in fused_in]
    g = np.random.default_rng(9).standard_normal(shape)
    y1 = F.batch_norm(*fused_in[:1], None, None, *fused_in[1:], training=True)
    y2 = _batch_norm_composed(*comp_in)
    np.testing.assert_allclose(y1.data, y2.data, rtol=1e-12, atol=1e-12)
    y1.backward(g)
    y2.backward(g)
    for a, b in zip(fused_in, comp_in):
        np.testing.assert_allclose(a.grad.data, b.grad.data, rtol=1e-10, atol=1e-12)


def test_fused_backward_matches_the_closed_form():
    """dx = (1/N)·γ/σ·(N·dy − Σdy − x̂·Σ(dy·x̂)) written out by hand in NumPy."""
    x, w = _t((6, 2), 0), _t((2,), 1)
    dy = np.random.default_rng(2).standard_normal((6, 2))
    F.batch_norm(x, None, None, w, None, training=True).backward(dy)
    mu, var = x.data.mean(0), x.data.var(0)
    xhat = (x.data - mu) / np.sqrt(var + 1e-5)
    n = 6
    want = w.data / np.sqrt(var + 1e-5) / n * (n * dy - dy.sum(0) - xhat * (dy * xhat).sum(0))
    np.testing.assert_allclose(x.grad.data, want, rtol=1e-10)


def test_running_stats_update_in_place_with_unbiased_variance():
    x = np.random.default_rng(0).standard_normal((5, 3, 4)).astype(np.float32)
    rm, rv = np.zeros(3, np.float32), gb.ones(3)
    F.batch_norm(gb.tensor(x), rm, rv, training=True, momentum=0.2)
    np.testing.assert_allclose(rm, 0.2 * x.mean((0, 2)), rtol=1e-5)
    np.testing.assert_allclose(rv.data, 0.8 + 0.2 * x.var((0, 2), ddof=1), rtol=1e-5)
    with gb.no_grad():   # the update does not depend on recording a graph
        F.batch_norm(gb.tensor(x), rm, rv, training=True, momentum=0.2)
    np.testing.assert_allclose(rm, (1 - 0.8 ** 2) * x.mean((0, 2)), rtol=1e-5)


def test_instance_norm_running_stats_average_the_instances():
    x = np.random.default_rng(0).standard_normal((4, 3, 5)).astype(np.float32)
    rm, rv = np.zeros(3, np.float32), np.ones(3, np.float32)
    F.instance_norm(gb.tensor(x), rm, rv, momentum=0.5)
    np.testing.assert_allclose(rm, 0.5 * x.mean(2).mean(0), rtol=1e-5)
    np.testing.assert_allclose(rv, 0.5 + 0.5 * x.var(2, ddof=1).mean(0), rtol=1e-5)


def test_float32_stays_float32():
    x = gb.randn(4, 3, 2, 2)
    w, b = gb.ones(3), gb.zeros(3)
    outs = [F.batch_norm(x, None, None, w, b, True), F.batch_norm(x, np.zeros(3), np.ones(3), w, b),
            F.layer_norm(x, (2, 2)), F.group_norm(x, 3, w, b), F.instance_norm(x), F.local_response_norm(x, 2)]
    assert all(o.dtype == np.float32 for o in outs)


def test_bad_input_errors():
    x = gb.randn(4, 3, 2)
    with pytest.raises(ValueError, match=r"batch_norm: expected running_mean of shape \(3,\), got \(4,\)"):
        F.batch_norm(x, np.zeros(4), np.ones(4), training=True)
    with pytest.raises(ValueError, match="expected more than 1 value per channel when training"):
        F.batch_norm(gb.randn(1, 3), None, None, training=True)
    with pytest.raises(ValueError, match="running_mean and running_var must be given"):
        F.batch_norm(x, None, None, training=False)
    with pytest.raises(ValueError, match=r"layer_norm: expected an input whose trailing dimensions are \[5\], got shape \(4, 3, 2\)"):
        F.layer_norm(x, 5)
    with pytest.raises(ValueError, match=r"group_norm: expected the number of channels \(3\) to be divisible by num_groups \(2\)"):
        F.group_norm(x, 2)
    with pytest.raises(ValueError, match=r"batch_norm: expected an input of shape \(N, C, \*\)"):
        F.batch_norm(gb.randn(3), None, None, training=True)
    with pytest.raises(ValueError, match="momentum=None is a layer option"):
        F.batch_norm(x, np.zeros(3), np.ones(3), training=True, momentum=None)
