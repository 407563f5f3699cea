"""Every primitive against its PyTorch twin: forward and gradients, random shapes, broadcasting."""
import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, mutually_broadcastable_shapes

import gradbook as gb
from parity.harness import assert_matches_torch, assert_matches_torch_or_both_raise, random_array
from parity.strategies import clamp_cases, edge_shapes, reduction_edge_cases

BINARY = {
    "add": (lambda a, b: a + b, lambda a, b: a + b),
    "sub": (lambda a, b: a - b, lambda a, b: a - b),
    "mul": (lambda a, b: a * b, lambda a, b: a * b),
    "div": (lambda a, b: a / b, lambda a, b: a / b),
    "maximum": (gb.maximum, torch.maximum),
    "minimum": (gb.minimum, torch.minimum),
}

UNARY = {
    "neg": (lambda a: -a, lambda a: -a, None),
    "abs": (gb.abs, torch.abs, None),
    "exp": (gb.exp, torch.exp, None),
    "log": (gb.log, torch.log, 0.1),
    "sqrt": (gb.sqrt, torch.sqrt, 0.1),
    "sin": (gb.sin, torch.sin, None),
    "cos": (gb.cos, torch.cos, None),
    "tanh": (gb.tanh, torch.tanh, None),
    "sigmoid": (gb.sigmoid, torch.sigmoid, None),
    "relu": (gb.relu, torch.relu, None),
    "clamp": (lambda a: gb.clamp(a, -0.5, 0.7), lambda a: torch.clamp(a, -0.5, 0.7), None),
    "clamp_min": (lambda a: a.clamp(min=0.1), lambda a: a.clamp(min=0.1), None),
    "pow_scalar": (lambda a: a ** 3, lambda a: a ** 3, None),
    "rsub_scalar": (lambda a: 2.0 - a, lambda a: 2.0 - a, None),
    "rdiv_scalar": (lambda a: 1.5 / a, lambda a: 1.5 / a, 0.5),
    "square_root_pow": (lambda a: a ** 0.5, lambda a: a ** 0.5, 0.2),
}


@pytest.mark.parametrize("name", sorted(BINARY))
@given(shapes=mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, max_side=4),
       seed=st.integers(0, 2**16), dtype=st.sampled_from([np.float32, np.float64]))
def test_binary_matches_torch(name, shapes, seed, dtype):
    rng = np.random.default_rng(seed)
    a, b = (random_array(rng, s, dtype) for s in shapes.input_shapes)
    if name == "div":
        b = np.where(np.abs(b) < 0.3, 0.3, b).astype(dtype)
    tol = dict(atol=1e-5, rtol=1e-4) if dtype == np.float32 else dict(atol=1e-10, rtol=1e-9)
    assert_matches_torch(*BINARY[name], [a, b], **tol)


@pytest.mark.parametrize("name", sorted(UNARY))
@given(shape=array_shapes(min_dims=0, max_dims=4, max_side=5), seed=st.integers(0, 2**16))
def test_unary_matches_torch(name, shape, seed):
    gb_fn, th_fn, low = UNARY[name]
    x = random_array(np.random.default_rng(seed), shape, np.float64, low)
    assert_matches_torch(gb_fn, th_fn, [x], atol=1e-10, rtol=1e-9)


@given(shapes=mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=4),
       seed=st.integers(0, 2**16))
def test_pow_tensor_tensor_matches_torch(shapes, seed):
    rng = np.random.default_rng(seed)
    a = random_array(rng, shapes.input_shapes[0], low=0.2)
    b = random_array(rng, shapes.input_shapes[1])
    assert_matches_torch(lambda x, y: x ** y, lambda x, y: x ** y, [a, b], atol=1e-9, rtol=1e-8)


@given(shapes=mutually_broadcastable_shapes(num_shapes=3, min_dims=0, max_dims=3, max_side=4),
       seed=st.integers(0, 2**16))
def test_where_matches_torch(shapes, seed):
    rng = np.random.default_rng(seed)
    cond = np.asarray(rng.random(shapes.input_shapes[0]) > 0.5)
    a, b = (random_array(rng, s) for s in shapes.input_shapes[1:])
    assert_matches_torch(lambda c, x, y: gb.where(c, x, y), lambda c, x, y: torch.where(c, x, y),
                         [cond, a, b], atol=1e-12)


def test_ties_in_maximum_split_the_gradient_like_torch():
    a = np.array([1.0, 2.0, 3.0])
    b = np.array([1.0, 5.0, 3.0])
    assert_matches_torch(gb.maximum, torch.maximum, [a, b], atol=1e-12)
    assert_matches_torch(gb.minimum, torch.minimum, [a, b], atol=1e-12)


def _dims(draw, ndim):
    if ndim == 0 or draw(st.booleans()):
        return None
    dims = draw(st.lists(st.integers(-ndim, ndim - 1), min_size=1, max_size=ndim, unique_by=lambda d: d % ndim))
    return dims[0] if len(dims) == 1 else tuple(dims)


@st.composite
def reduction_case(draw):
    shape = draw(array_shapes(min_dims=1, max_dims=4, min_side=2, max_side=4))
    return shape, _dims(draw, len(shape)), draw(st.booleans())


REDUCTIONS = {
    "sum": (lambda x, d, k: x.sum(d, k) if d is not None else x.sum(),
            lambda x, d, k: x.sum(d, k) if d is not None else x.sum()),
    "mean": (lambda x, d, k: x.mean(d, k) if d is not None else x.mean(),
             lambda x, d, k: x.mean(d, k) if d is not None else x.mean()),
    "var": (lambda x, d, k: x.var(d, keepdim=k), lambda x, d, k: x.var(d, keepdim=k)),
    "var_biased": (lambda x, d, k: x.var(d, unbiased=False, keepdim=k),
                   lambda x, d, k: x.var(d, unbiased=False, keepdim=k)),
    "std": (lambda x, d, k: x.std(d, keepdim=k), lambda x, d, k: x.std(d, keepdim=k)),
    "std_correction2": (lambda x, d, k: x.std(d, keepdim=k, correction=0),
                        lambda x, d, k: x.std(d, keepdim=k, correction=0)),
    "amax": (lambda x, d, k: x.amax(d, k) if d is not None else x.amax(),
             lambda x, d, k: x.amax(d, k) if d is not None else x.amax()),
    "amin": (lambda x, d, k: x.amin(d, k) if d is not None else x.amin(),
             lambda x, d, k: x.amin(d, k) if d is not None else x.amin()),
    "logsumexp": (lambda x, d, k: x.logsumexp(d if d is not None else tuple(range(x.ndim)), k),
                  lambda x, d, k: x.logsumexp(d if d is not None else tuple(range(x.ndim)), k)),
}


@pytest.mark.parametrize("name", sorted(REDUCTIONS))
@given(case=reduction_case(), seed=st.integers(0, 2**16))
def test_reductions_match_torch(name, case, seed):
    shape, dim, keepdim = case
    gb_fn, th_fn = REDUCTIONS[name]
    x = random_array(np.random.default_rng(seed), shape)
    assert_matches_torch(lambda t: gb_fn(t, dim, keepdim), lambda t: th_fn(t, dim, keepdim), [x],
                         atol=1e-10, rtol=1e-9)


@given(shape=array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=5), seed=st.integers(0, 2**16),
       keepdim=st.booleans(), data=st.data())
def test_max_min_along_dim_return_values_and_indices_like_torch(shape, seed, keepdim, data):
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    x = random_array(np.random.default_rng(seed), shape)
    for op in ("max", "min"):
        assert_matches_torch(lambda t: tuple(getattr(t, op)(dim, keepdim)),
                             lambda t: tuple(getattr(t, op)(dim, keepdim)), [x], atol=1e-12)


def test_full_max_shares_gradient_among_ties_like_torch():
    x = np.array([[1.0, 3.0], [3.0, 0.5]])
    assert_matches_torch(lambda t: t.max(), lambda t: t.max(), [x], atol=1e-12)
    assert_matches_torch(lambda t: t.min(), lambda t: t.min(), [x], atol=1e-12)


@given(shape=array_shapes(min_dims=1, max_dims=3, max_side=5), seed=st.integers(0, 2**16), data=st.data())
def test_argmax_argmin_match_torch(shape, seed, data):
    x = random_array(np.random.default_rng(seed), shape)
    dim = data.draw(st.none() | st.integers(-len(shape), len(shape) - 1))
    keepdim = data.draw(st.booleans()) if dim is not None else False
    for op in ("argmax", "argmin"):
        got = getattr(gb.tensor(x), op)(dim, keepdim).data
        want = getattr(torch.from_numpy(x), op)(dim, keepdim).numpy()
        np.testing.assert_array_equal(got, want)


@st.composite
def matmul_shapes(draw):
    n, k, m = (draw(st.integers(1, 4)) for _ in range(3))
    batch = draw(mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=2, max_side=3))
    a_shape = batch.input_shapes[0] + (n, k)
    b_shape = batch.input_shapes[1] + (k, m)
    if draw(st.booleans()):
        a_shape = (k,)
    if draw(st.booleans()):
        b_shape = (k,)
    return a_shape, b_shape


@given(shapes=matmul_shapes(), seed=st.integers(0, 2**16))
def test_matmul_matches_torch(shapes, seed):
    rng = np.random.default_rng(seed)
    a, b = (random_array(rng, s) for s in shapes)
    assert_matches_torch(lambda x, y: x @ y, lambda x, y: x @ y, [a, b], atol=1e-10, rtol=1e-9)


SHAPE_OPS = [
    ("reshape", lambda t: t.reshape(2, -1), lambda t: t.reshape(2, -1)),
    ("view", lambda t: t.view(6, 2), lambda t: t.view(6, 2)),
    ("flatten", lambda t: t.flatten(1), lambda t: t.flatten(1)),
    ("squeeze", lambda t: t.unsqueeze(0).squeeze(), lambda t: t.unsqueeze(0).squeeze()),
    ("squeeze_dim", lambda t: t.unsqueeze(1).squeeze(1), lambda t: t.unsqueeze(1).squeeze(1)),
    ("unsqueeze", lambda t: t.unsqueeze(-1), lambda t: t.unsqueeze(-1)),
    ("transpose", lambda t: t.transpose(0, 2), lambda t: t.transpose(0, 2)),
    ("permute", lambda t: t.permute(2, 0, 1), lambda t: t.permute(2, 0, 1)),
    ("T", lambda t: t.T, lambda t: t.permute(2, 1, 0)),
    ("expand", lambda t: t[:, :1].expand(2, 4, 2), lambda t: t[:, :1].expand(2, 4, 2)),
    ("expand_new_dims", lambda t: t.expand(3, 2, 3, 2), lambda t: t.expand(3, 2, 3, 2)),
    ("split", lambda t: t.split(2, dim=1), lambda t: t.split(2, dim=1)),
    ("split_sections", lambda t: t.split([1, 2], dim=1), lambda t: t.split([1, 2], dim=1)),
    ("chunk", lambda t: t.chunk(2, dim=2), lambda t: t.chunk(2, dim=2)),
    ("pad", lambda t: gb.pad(t, (1, 2, 0, 1)), lambda t: torch.nn.functional.pad(t, (1, 2, 0, 1))),
    ("pad_value", lambda t: gb.pad(t, (2, 0), value=1.5), lambda t: torch.nn.functional.pad(t, (2, 0), value=1.5)),
    ("getitem_int", lambda t: t[1], lambda t: t[1]),
    ("getitem_slices", lambda t: t[:, 1:3, ::-1] if False else t[:, 1:3], lambda t: t[:, 1:3]),
    ("getitem_step", lambda t: t[:, ::2, 1], lambda t: t[:, ::2, 1]),
    ("getitem_none_ellipsis", lambda t: t[None, ..., 0], lambda t: t[None, ..., 0]),
    ("getitem_repeated_index", lambda t: t[[0, 1, 0, 0]], lambda t: t[[0, 1, 0, 0]]),
    ("getitem_two_arrays", lambda t: t[[0, 1, 1], [2, 0, 2]], lambda t: t[[0, 1, 1], [2, 0, 2]]),
    ("getitem_mask", lambda t: t[t > 0], lambda t: t[t > 0]),
    ("clone", lambda t: t.clone(), lambda t: t.clone()),
]


@pytest.mark.parametrize("name,gb_fn,th_fn", SHAPE_OPS, ids=[s[0] for s in SHAPE_OPS])
@given(seed=st.integers(0, 2**16))
def test_shape_ops_match_torch(name, gb_fn, th_fn, seed):
    x = random_array(np.random.default_rng(seed), (2, 3, 2))
    assert_matches_torch(gb_fn, th_fn, [x], atol=1e-12)


@given(seed=st.integers(0, 2**16), dim=st.integers(-2, 1), n=st.integers(1, 4))
def test_cat_matches_torch(seed, dim, n):
    rng = np.random.default_rng(seed)
    sizes = rng.integers(1, 4, n)
    xs = [random_array(rng, (int(s), 3) if dim % 2 == 0 else (3, int(s))) for s in sizes]
    assert_matches_torch(lambda *t: gb.cat(list(t), dim), lambda *t: torch.cat(list(t), dim), xs, atol=1e-12)


@given(seed=st.integers(0, 2**16), dim=st.integers(-3, 2), n=st.integers(1, 4))
def test_stack_matches_torch(seed, dim, n):
    rng = np.random.default_rng(seed)
    xs = [random_array(rng, (2, 3)) for _ in range(n)]
    assert_matches_torch(lambda *t: gb.stack(list(t), dim), lambda *t: torch.stack(list(t), dim), xs, atol=1e-12)


def test_comparisons_match_torch():
    rng = np.random.default_rng(1)
    a, b = rng.integers(0, 3, (4, 3)).astype(float), rng.integers(0, 3, (3,)).astype(float)
    ga, gbb, ta, tb = gb.tensor(a), gb.tensor(b), torch.from_numpy(a), torch.from_numpy(b)
    for op in ("__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__"):
        got = getattr(ga, op)(gbb)
        assert got.dtype == np.bool_
        np.testing.assert_array_equal(got.data, getattr(ta, op)(tb).numpy())


# ----------------------------------------------------------------------------- PyTorch's own edge cases
# 0-d tensors, empty tensors, reductions over (), over dim 0 / -1 of a scalar and over a size-0 dim:
# every value and gradient equal to torch's, or, where torch refuses, a clear gradbook error.

EDGE_REDUCTIONS = ["sum", "mean", "amax", "amin", "var", "std", "logsumexp"]


@pytest.mark.parametrize("name", EDGE_REDUCTIONS)
@pytest.mark.filterwarnings("ignore:.*degrees of freedom is <= 0")  # torch's warning on var/std of one value
@given(case=reduction_edge_cases(), seed=st.integers(0, 2**16))
def test_reductions_on_edge_shapes_match_torch(name, case, seed):
    shape, dim, keepdim = case
    if name == "logsumexp" and dim in (None, ()):
        dim = tuple(range(len(shape)))  # logsumexp needs a dim
    if name in ("var", "std", "logsumexp") and dim == ():
        dim = None  # torch's own gradient of var/std over dim=() is inf (a torch bug): the spelling None
    x = random_array(np.random.default_rng(seed), shape)

    def reduce(t):
        return getattr(t, name)() if dim is None else getattr(t, name)(dim, keepdim=keepdim)

    assert_matches_torch_or_both_raise(reduce, reduce, [x], op=name, atol=1e-10, rtol=1e-9)


@pytest.mark.parametrize("op", ["max", "min", "argmax", "argmin"])
@given(shape=edge_shapes(), seed=st.integers(0, 2**16), keepdim=st.booleans(), data=st.data())
def test_max_min_arg_along_dim_on_edge_shapes_match_torch(op, shape, seed, keepdim, data):
    n = max(len(shape), 1)
    dim = data.draw(st.none() | st.integers(-n, n - 1) if op.startswith("arg") else st.integers(-n, n - 1))
    x = random_array(np.random.default_rng(seed), shape)

    def reduce(t):
        out = getattr(t, op)(dim, keepdim)
        return tuple(out) if op in ("max", "min") else out

    assert_matches_torch_or_both_raise(reduce, reduce, [x], op=op, atol=1e-12)


@pytest.mark.parametrize("op", ["max", "min", "amax", "amin", "argmax", "argmin"])
def test_extremes_of_empty_tensors_raise_like_torch(op):
    for shape, dim in [((0,), None), ((2, 0), None), ((2, 0), 1), ((0, 3), 0), ((0, 3), -2)]:
        x = np.zeros(shape)
        fn = (lambda t: getattr(t, op)()) if dim is None else (lambda t: getattr(t, op)(dim))
        assert assert_matches_torch_or_both_raise(fn, fn, [x], op=op) is None


@pytest.mark.parametrize("name", ["sum", "mean", "amax", "amin", "logsumexp"])
@pytest.mark.parametrize("dim", [0, -1, (0,), ()])
@pytest.mark.parametrize("keepdim", [False, True])
def test_reductions_of_a_scalar_over_dim_0_and_minus_1_match_torch(name, dim, keepdim):
    if name == "logsumexp" and dim == () and not keepdim:
        dim = 0  # torch.logsumexp(x, ()) without keepdim fails inside torch itself
    fn = lambda t: getattr(t, name)(dim, keepdim=keepdim)  # noqa: E731
    assert_matches_torch(fn, fn, [np.array(-1.25)], atol=1e-12)


@pytest.mark.parametrize("name", ["sum", "mean", "amax", "amin", "var", "std"])
def test_reduction_over_an_empty_dim_tuple_reduces_every_dim_like_torch(name):
    x = random_array(np.random.default_rng(3), (2, 3))
    for keepdim in (False, True):
        fn = lambda t: getattr(t, name)((), keepdim=keepdim)  # noqa: E731
        assert_matches_torch(fn, fn, [x], atol=1e-12, check_grad=name not in ("var", "std"))
    x_gb = gb.tensor(x, requires_grad=True)
    getattr(x_gb, name)(()).backward()
    whole = gb.tensor(x, requires_grad=True)
    getattr(whole, name)().backward()
    np.testing.assert_allclose(x_gb.grad.data, whole.grad.data)  # torch's own dim=() gradient of var/std is inf


@pytest.mark.parametrize("op,call", [
    ("sum", lambda t: t.sum(True)), ("sum", lambda t: t.sum(1.0)), ("sum", lambda t: t.sum((0, "a"))),
    ("max", lambda t: t.max((0,))), ("argmax", lambda t: t.argmax(1.0)), ("squeeze", lambda t: t.squeeze(1.0)),
    ("transpose", lambda t: t.transpose(0, 1.0)),
], ids=["sum-bool", "sum-float", "sum-str-in-tuple", "max-tuple", "argmax-float", "squeeze-float", "transpose-float"])
def test_a_dim_that_is_not_an_int_is_refused_like_torch(op, call):
    assert assert_matches_torch_or_both_raise(call, call, [np.ones((2, 3))], op=op) is None


def test_a_dim_named_twice_is_refused_like_torch():
    x = random_array(np.random.default_rng(0), (2, 3))
    for name in ("sum", "mean", "amax", "var", "logsumexp"):
        fn = lambda t: getattr(t, name)((0, -2))  # noqa: E731
        assert assert_matches_torch_or_both_raise(fn, fn, [x], op=name) is None


@given(case=clamp_cases())
def test_clamp_with_tensor_bounds_matches_torch(case):
    """Gradients to x, min and max: torch's rule at ties (x = min or x = max: the gradient goes to x)
    and where min > max (every element is max, whose gradient it is)."""
    x, lo, hi = case
    inputs = [x] + [b for b in (lo, hi) if b is not None]
    # torch's clamp backward fails when x is smaller than the bounds' broadcast (its in-place masks),
    # so torch's side clamps x expanded to the full shape; its gradient then flows back through expand
    full = np.broadcast_shapes(*(a.shape for a in inputs))

    def clamp(lib):
        def fn(t, *bounds):
            bounds = list(bounds)
            lo_t = bounds.pop(0) if lo is not None else None
            hi_t = bounds.pop(0) if hi is not None else None
            return lib.clamp(t if lib is gb else t.expand(full), min=lo_t, max=hi_t)
        return fn

    assert_matches_torch(clamp(gb), clamp(torch), inputs, atol=1e-12)


def test_clamp_bound_larger_than_input_and_crossed_bounds_match_torch():
    rng = np.random.default_rng(5)
    x, lo, hi = rng.standard_normal(4), rng.standard_normal((3, 4)), rng.standard_normal((3, 1))
    assert_matches_torch(lambda a, b, c: a.clamp(b, c), lambda a, b, c: a.clamp(b, c), [x, lo, hi], atol=1e-12)
    assert_matches_torch(lambda a, b, c: gb.clamp(a, b, c), lambda a, b, c: torch.clamp(a, b, c),
                         [np.array([0.0, 1.0, 2.0]), np.array([1.5, 1.5, 1.0]), np.array([0.5, 1.0, 1.0])],
                         atol=1e-12)


@given(seed=st.integers(0, 2**16), dim=st.sampled_from([0, -1]), sizes=st.lists(st.integers(0, 3), min_size=1,
                                                                                  max_size=4))
def test_cat_of_1d_tensors_matches_torch(seed, dim, sizes):
    rng = np.random.default_rng(seed)
    xs = [random_array(rng, (s,)) for s in sizes]
    assert_matches_torch(lambda *t: gb.cat(list(t), dim), lambda *t: torch.cat(list(t), dim), xs, atol=1e-12)


def test_cat_skips_empty_1d_tensors_beside_larger_ones_and_refuses_scalars_like_torch():
    rng = np.random.default_rng(2)
    xs = [np.zeros(0), random_array(rng, (2, 3)), np.zeros(0), random_array(rng, (1, 3))]
    for dim in (0, -2):
        assert_matches_torch(lambda *t: gb.cat(list(t), dim), lambda *t: torch.cat(list(t), dim), xs, atol=1e-12)
    scalars = [np.array(1.0), np.array(2.0)]
    cat0 = (lambda lib: lambda *t: lib.cat(list(t), 0))
    assert assert_matches_torch_or_both_raise(cat0(gb), cat0(torch), scalars, op="cat") is None


@given(seed=st.integers(0, 2**16), shape=st.sampled_from([(), (3,), (0,), (2, 0)]), n=st.integers(1, 3),
       data=st.data())
def test_stack_of_0d_1d_and_empty_tensors_matches_torch(seed, shape, n, data):
    dim = data.draw(st.integers(-len(shape) - 1, len(shape)))
    rng = np.random.default_rng(seed)
    xs = [random_array(rng, shape) for _ in range(n)]
    assert_matches_torch(lambda *t: gb.stack(list(t), dim), lambda *t: torch.stack(list(t), dim), xs, atol=1e-12)


@pytest.mark.parametrize("lib_dim", [2, -3])
def test_stack_dim_out_of_range_is_refused_like_torch(lib_dim):
    xs = [np.ones(3), np.ones(3)]
    stack = (lambda lib: lambda *t: lib.stack(list(t), lib_dim))
    assert assert_matches_torch_or_both_raise(stack(gb), stack(torch), xs, op="stack") is None


SCALAR_SHAPE_OPS = [
    ("squeeze_0", lambda t: t.squeeze(0)),
    ("squeeze_minus_1", lambda t: t.squeeze(-1)),
    ("transpose_0_minus_1", lambda t: t.transpose(0, -1)),
    ("unsqueeze_minus_1", lambda t: t.unsqueeze(-1)),
    ("flatten", lambda t: t.flatten()),
    ("reshape_1", lambda t: t.reshape(1, 1)),
    ("expand", lambda t: t.expand(2, 3)),
]


@pytest.mark.parametrize("name,fn", SCALAR_SHAPE_OPS, ids=[s[0] for s in SCALAR_SHAPE_OPS])
def test_shape_ops_on_a_scalar_match_torch(name, fn):
    assert_matches_torch(fn, fn, [np.array(0.75)], atol=1e-12)


EMPTY_SHAPE_OPS = [
    ("split", lambda t: t.split(2, 0)),
    ("split_sections", lambda t: t.split([0, 0], 0)),
    ("chunk", lambda t: t.chunk(3, 0)),
    ("reshape_minus_1", lambda t: t.reshape(-1)),
    ("flatten", lambda t: t.flatten()),
    ("transpose", lambda t: t.transpose(0, 1)),
    ("getitem", lambda t: t[:, 1]),
    ("pad", lambda t: torch.nn.functional.pad(t, (1, 1)) if isinstance(t, torch.Tensor) else gb.pad(t, (1, 1))),
]


@pytest.mark.parametrize("name,fn", EMPTY_SHAPE_OPS, ids=[s[0] for s in EMPTY_SHAPE_OPS])
def test_shape_ops_on_an_empty_tensor_match_torch(name, fn):
    assert_matches_torch(fn, fn, [np.zeros((0, 3))], atol=1e-12)


@pytest.mark.parametrize("name", sorted(UNARY))
@given(shape=edge_shapes(), seed=st.integers(0, 2**16))
def test_unary_on_edge_shapes_matches_torch(name, shape, seed):
    gb_fn, th_fn, low = UNARY[name]
    x = random_array(np.random.default_rng(seed), shape, np.float64, low)
    assert_matches_torch(gb_fn, th_fn, [x], atol=1e-10, rtol=1e-9)


@pytest.mark.parametrize("name", sorted(BINARY))
@given(shapes=mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, min_side=0, max_side=3),
       seed=st.integers(0, 2**16))
def test_binary_on_edge_shapes_matches_torch(name, shapes, seed):
    rng = np.random.default_rng(seed)
    a, b = (random_array(rng, s) for s in shapes.input_shapes)
    if name == "div":
        b = np.where(np.abs(b) < 0.3, 0.3, b)
    assert_matches_torch(*BINARY[name], [a, b], atol=1e-10, rtol=1e-9)


def test_clamp_tensor_bounds_keep_their_gradients_in_a_recorded_backward_like_torch():
    """grad(..., create_graph=True) of a clamp with tensor bounds, then a second backward: first and
    second order equal torch's for x, min and max."""
    rng = np.random.default_rng(6)
    x, lo, hi, w = rng.standard_normal((3, 4)), rng.standard_normal(4), rng.standard_normal((3, 1)), \
        rng.standard_normal((3, 4))

    def first_and_second(lib, grad, tensor):
        leaves = [tensor(v, requires_grad=True) for v in (x, lo, hi)]
        loss = ((lib.clamp(*leaves) ** 2) * tensor(w)).sum()
        firsts = grad(loss, leaves, create_graph=True)
        sum((f * tensor(np.full(f.shape, 0.5 + k))).sum() for k, f in enumerate(firsts)).backward()
        return [f.detach().numpy() if lib is torch else f.data for f in firsts] + \
            [t.grad.numpy() if lib is torch else t.grad.data for t in leaves]

    ours = first_and_second(gb, gb.autograd.grad, gb.tensor)
    theirs = first_and_second(torch, torch.autograd.grad, torch.tensor)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, atol=1e-12)


@pytest.mark.parametrize("op", ["max", "min"])
@pytest.mark.parametrize("shape,dim", [((), 0), ((), -1), ((2, 0), 0), ((0, 3), 1), ((2, 0, 3), -1)])
@pytest.mark.parametrize("keepdim", [False, True])
def test_max_min_along_a_dim_of_a_scalar_or_an_empty_tensor_match_torch(op, shape, dim, keepdim):
    """Values (with gradient) and indices; a scalar's index is 0 with or without keepdim."""
    x = random_array(np.random.default_rng(2), shape)
    fn = lambda t: tuple(getattr(t, op)(dim, keepdim))  # noqa: E731
    assert_matches_torch(fn, fn, [x], atol=1e-12)


@pytest.mark.parametrize("name", ["sum", "mean", "logsumexp", "amax"])
@pytest.mark.parametrize("shape,dim", [((0,), 0), ((2, 0), 1), ((2, 0), 0), ((0, 3), -1), ((2, 0, 3), (0, 2))])
def test_reductions_over_and_beside_a_size_0_dim_match_torch(name, shape, dim):
    """sum 0, mean NaN, logsumexp -inf over a size-0 dim; amax refuses it (IndexError, as torch);
    beside a size-0 dim each gives an empty result. Always run (hypothesis draws these at random)."""
    x = random_array(np.random.default_rng(3), shape)
    fn = lambda t: getattr(t, name)(dim)  # noqa: E731
    assert_matches_torch_or_both_raise(fn, fn, [x], op=name, atol=1e-12)
