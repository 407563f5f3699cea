"""Float64 numerical gradient checks (random upstream gradient) for every primitive."""
import numpy as np
import pytest

import gradbook as gb
from gradbook.autograd import GradcheckError, gradcheck


def _t(shape, seed, low=None):
    rng = np.random.default_rng(seed)
    data = rng.standard_normal(shape) if low is None else low + 2 * rng.random(shape)
    return gb.tensor(data, dtype="float64", requires_grad=True)


CASES = {
    "add_broadcast": (lambda a, b: a + b, [(3, 1, 4), (2, 4)], None),
    "sub_broadcast": (lambda a, b: a - b, [(3, 4), (4,)], None),
    "mul_broadcast": (lambda a, b: a * b, [(2, 3), (3, 1, 1)], None),
    "div": (lambda a, b: a / b, [(3, 4), (3, 4)], 0.5),
    "pow_tensor": (lambda a, b: a ** b, [(3,), (3,)], 0.5),
    "pow_scalar": (lambda a: a ** 2.5, [(4,)], 0.5),
    "neg": (lambda a: -a, [(3,)], None),
    "abs": (lambda a: a.abs(), [(5,)], 0.2),
    "exp": (lambda a: a.exp(), [(2, 3)], None),
    "log": (lambda a: a.log(), [(2, 3)], 0.3),
    "sqrt": (lambda a: a.sqrt(), [(2, 3)], 0.3),
    "sin": (lambda a: a.sin(), [(4,)], None),
    "cos": (lambda a: a.cos(), [(4,)], None),
    "tanh": (lambda a: a.tanh(), [(4,)], None),
    "sigmoid": (lambda a: a.sigmoid(), [(4,)], None),
    "relu": (lambda a: (a - 1.5).relu(), [(6,)], 0.05),
    "clamp": (lambda a: a.clamp(0.8, 2.0), [(8,)], 0.05),
    "maximum": (lambda a, b: gb.maximum(a, b), [(5,), (5,)], None),
    "minimum": (lambda a, b: gb.minimum(a, b), [(2, 5), (5,)], None),
    "where": (lambda a, b: gb.where(a > 0, a, b), [(6,), (6,)], None),
    "sum_dims": (lambda a: a.sum((0, 2)), [(2, 3, 4)], None),
    "mean_keepdim": (lambda a: a.mean(1, keepdim=True), [(2, 3, 4)], None),
    "var": (lambda a: a.var(1), [(3, 4)], None),
    "std": (lambda a: a.std((0, 1)), [(3, 4, 2)], None),
    "max_dim": (lambda a: a.max(1).values, [(3, 4)], None),
    "min_all": (lambda a: a.min(), [(3, 4)], None),
    "amax": (lambda a: a.amax((0, 1)), [(3, 4, 2)], None),
    "logsumexp": (lambda a: a.logsumexp(1), [(3, 4)], None),
    "reshape": (lambda a: a.reshape(4, 3) * 2, [(2, 6)], None),
    "flatten": (lambda a: a.flatten(1), [(2, 3, 2)], None),
    "squeeze_unsqueeze": (lambda a: a.unsqueeze(0).squeeze(0), [(2, 3)], None),
    "transpose": (lambda a: a.transpose(0, 1), [(2, 3)], None),
    "permute": (lambda a: a.permute(2, 0, 1), [(2, 3, 4)], None),
    "expand": (lambda a: a.expand(3, 2, 4), [(2, 1)], None),
    "cat": (lambda a, b: gb.cat([a, b], 1), [(2, 3), (2, 2)], None),
    "stack": (lambda a, b: gb.stack([a, b], -1), [(2, 3), (2, 3)], None),
    "split": (lambda a: a.split([1, 3], dim=1)[1], [(2, 4)], None),
    "chunk": (lambda a: a.chunk(2)[0] * a.chunk(2)[1], [(4, 2)], None),
    "pad": (lambda a: gb.pad(a, (1, 2, 2, 0), value=0.3), [(2, 3)], None),
    "getitem_basic": (lambda a: a[1:, ::2], [(3, 4)], None),
    "getitem_advanced_repeat": (lambda a: a[[0, 2, 0], 1:], [(3, 4)], None),
    "getitem_mask": (lambda a: a[a > 0.0], [(3, 4)], None),
    "matmul_batched_broadcast": (lambda a, b: a @ b, [(2, 1, 3, 4), (3, 4, 2)], None),
    "matmul_vector": (lambda a, b: a @ b, [(4,), (2, 4, 3)], None),
    "matvec": (lambda a, b: a @ b, [(3, 4), (4,)], None),
    # PyTorch's own edge cases: tensor-valued clamp bounds (min > max at about half the elements),
    # reductions of a 0-d tensor over dim 0 / -1, softmax of a scalar, stacks of scalars
    "clamp_tensor_bounds": (lambda a, lo, hi: gb.clamp(a, lo, hi), [(3, 4), (4,), (3, 1)], None),
    "clamp_bounds_broader_than_input": (lambda a, lo, hi: a.clamp(lo, hi), [(4,), (3, 4), (3, 1)], None),
    "clamp_min_tensor": (lambda a, lo: a.clamp(min=lo), [(2, 3), (2, 3)], None),
    "clamp_max_tensor": (lambda a, hi: gb.clamp(a, max=hi), [(2, 3), (3,)], None),
    "scalar_sum_mean_over_dim_0": (lambda a: a.sum(0) * 2 + a.mean(-1, keepdim=True), [()], None),
    "scalar_amax_max_logsumexp": (lambda a: a.amax(0) + a.max(-1).values * 3 + a.logsumexp(0), [()], None),
    "scalar_log_softmax": (lambda a: gb.nn.functional.log_softmax(a, 0) + gb.nn.functional.softmax(a, -1), [()],
                           None),
    "stack_scalars": (lambda a, b: gb.stack([a, b], -1) * gb.tensor([1.0, 2.0]), [(), ()], None),
    "cat_1d": (lambda a, b: gb.cat([a, b], -1) * gb.tensor([1.0, 2.0, 3.0, 4.0, 5.0]), [(2,), (3,)], None),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_gradcheck(name):
    fn, shapes, low = CASES[name]
    inputs = [_t(s, seed=i + 1, low=low) for i, s in enumerate(shapes)]
    assert gradcheck(fn, inputs)


def test_clamp_with_tensor_bounds_gradgradcheck():
    """Second order through clamp's recorded backward: the bounds' gradients stay in the graph."""
    from gradbook.autograd import gradgradcheck

    inputs = [_t((3, 4), 1), _t((4,), 2), _t((3, 1), 3)]
    assert gradgradcheck(lambda a, lo, hi: gb.clamp(a, lo, hi) ** 2, inputs)


def test_gradcheck_catches_a_wrong_backward():
    class WrongSquare(gb.Function):
        def forward(ctx, x):
            ctx.x = x
            return x * x

        def backward(ctx, g):
            return g * ctx.x  # should be 2 x g

    x = _t((3,), seed=0)
    with pytest.raises(GradcheckError, match=r"input 0 .* index \(0,\)"):
        gradcheck(lambda t: WrongSquare.apply(t), [x])


def test_gradcheck_requires_float64():
    with pytest.raises(ValueError, match="float64"):
        gradcheck(lambda t: t * 2, [gb.tensor([1.0], requires_grad=True)])


def test_gradcheck_uses_a_non_uniform_upstream_gradient():
    # An op whose two outputs' gradients cancel under an all-ones upstream gradient: swapping
    # the outputs' backward is caught only with a random upstream gradient.
    class SwappedPair(gb.Function):
        def forward(ctx, x):
            return x * 2, x * 3

        def backward(ctx, g2, g3):
            return g2 * 3 + g3 * 2

    x = _t((4,), seed=3)
    with pytest.raises(GradcheckError):
        gradcheck(lambda t: SwappedPair.apply(t), [x])
