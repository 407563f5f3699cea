"""Higher-order gradients: ``grad()``'s contract, ``backward(create_graph=True)``, the error for an
op without a differentiable backward, and ``gradgradcheck`` on every op family that has one."""
from __future__ import annotations

import numpy as np
import pytest

import gradbook as gb
import gradbook.nn.functional as F
from gradbook.autograd import GradcheckError, grad, gradgradcheck


def _t(*shape, seed=0, positive=False):
    a = np.random.default_rng(seed).standard_normal(shape)
    return gb.tensor(np.abs(a) + 0.5 if positive else a, dtype="float64", requires_grad=True)


def test_grad_returns_gradients_without_touching_dot_grad():
    x, w = _t(3), _t(3, seed=1)
    y = (x * w).sin().sum()
    gx, gw = grad(y, [x, w])
    np.testing.assert_allclose(gx.data, np.cos(x.data * w.data) * w.data, rtol=1e-12)
    np.testing.assert_allclose(gw.data, np.cos(x.data * w.data) * x.data, rtol=1e-12)
    assert x.grad is None and w.grad is None
    assert not gx.requires_grad


def test_grad_of_a_non_leaf_input():
    x = _t(4)
    h = x.exp()
    y = (h * h).sum()
    (gh,) = grad(y, [h])
    np.testing.assert_allclose(gh.data, 2 * np.exp(x.data), rtol=1e-12)


def test_grad_with_grad_outputs_and_several_outputs():
    x = _t(3)
    a, b = x * 2, x.exp()
    v1, v2 = gb.tensor([1.0, -2.0, 0.5], dtype="float64"), gb.tensor([0.3, 0.1, -1.0], dtype="float64")
    (gx,) = grad([a, b], x, grad_outputs=[v1, v2])
    np.testing.assert_allclose(gx.data, 2 * v1.data + np.exp(x.data) * v2.data, rtol=1e-12)


def test_grad_unused_input_raises_unless_allowed():
    x, z = _t(2), _t(2, seed=1)
    y = (x * 3).sum()
    with pytest.raises(RuntimeError, match="allow_unused"):
        grad(y, [x, z], retain_graph=True)
    gx, gz = grad(y, [x, z], allow_unused=True)
    assert gz is None
    np.testing.assert_allclose(gx.data, [3.0, 3.0])


def test_grad_errors_name_what_is_wrong():
    x = _t(2)
    with pytest.raises(RuntimeError, match="input 0 .* does not require grad"):
        grad((x * 2).sum(), [gb.tensor([1.0, 2.0])])
    with pytest.raises(RuntimeError, match="output 0 does not require grad"):
        grad(gb.tensor(1.0), [x])
    with pytest.raises(RuntimeError, match="scalar outputs"):
        grad(x * 2, [x])


def test_grad_frees_the_graph_unless_retained():
    x = _t(2)
    y = x.exp().sum()
    grad(y, [x])
    with pytest.raises(RuntimeError, match="second time"):
        grad(y, [x])
    y = x.exp().sum()
    grad(y, [x], retain_graph=True)
    (gx,) = grad(y, [x])
    np.testing.assert_allclose(gx.data, np.exp(x.data))


def test_backward_create_graph_gives_differentiable_grad():
    x = _t(3)
    (x ** 3).sum().backward(create_graph=True)
    assert x.grad.requires_grad and x.grad.grad_fn is not None
    np.testing.assert_allclose(x.grad.data, 3 * x.data ** 2, rtol=1e-12)
    first = x.grad
    x.grad = None
    first.sum().backward()
    np.testing.assert_allclose(x.grad.data, 6 * x.data, rtol=1e-12)


def test_third_derivative():
    x = _t(4)
    (g1,) = grad(x.sin().sum(), x, create_graph=True)
    (g2,) = grad(g1.sum(), x, create_graph=True)
    (g3,) = grad(g2.sum(), x)
    np.testing.assert_allclose(g1.data, np.cos(x.data), rtol=1e-12)
    np.testing.assert_allclose(g2.data, -np.sin(x.data), rtol=1e-12)
    np.testing.assert_allclose(g3.data, -np.cos(x.data), rtol=1e-12)


def test_default_path_records_nothing():
    x = _t(3)
    (x * x).sum().backward()
    assert not x.grad.requires_grad and x.grad.grad_fn is None


def test_op_without_double_backward_gives_first_order_and_then_a_clear_error():
    x = _t(3, 4)
    target = gb.tensor([0, 2, 1])
    (recorded,) = grad(F.multi_margin_loss(x, target), x, create_graph=True)
    (plain,) = grad(F.multi_margin_loss(x, target), x)
    np.testing.assert_array_equal(recorded.data, plain.data)
    with pytest.raises(RuntimeError, match="MultiMargin: double backward is not supported"):
        (recorded * recorded).sum().backward()


def test_gradgradcheck_catches_a_wrong_second_derivative():
    from gradbook.autograd.function import Function

    class BadSquare(Function):
        def forward(ctx, x):
            return x * x

        def backward(ctx, g):
            return 2 * g * ctx.inputs[0].data

        def differentiable_backward(ctx, g):
            return self_consistent_but_wrong(ctx.inputs[0], g)

    # the recorded first derivative disagrees with the plain one
    self_consistent_but_wrong = lambda x, g: 3 * g * x  # noqa: E731
    with pytest.raises(GradcheckError, match="disagree"):
        gradgradcheck(lambda a: BadSquare.apply(a), [_t(3)])
    # the right first derivative with its graph cut (x taken as a constant): the second is wrong
    self_consistent_but_wrong = lambda x, g: 2 * g * gb.tensor(x.data)  # noqa: E731
    with pytest.raises(GradcheckError, match="gradcheck failed"):
        gradgradcheck(lambda a: BadSquare.apply(a), [_t(3)])


# --------------------------------------------------------------------- every family
W = _t(4, 5, seed=7)
Y = _t(3, 4, seed=8)
TARGET = gb.tensor([0, 3, 1])

FAMILIES = {
    "add-sub-mul-div": lambda x: (x + 2) * (x - Y) / (Y * Y + 1),
    "pow": lambda x: (x.abs() + 0.5) ** 2.5 + 2.0 ** x,
    "pow-tensor-exponent": lambda x: (Y.abs() + 0.5) ** x,
    "exp-log-sqrt": lambda x: (x.exp() + 1).log() * (x * x + 1).sqrt(),
    "sin-cos-tanh-sigmoid": lambda x: x.sin() * x.cos() + x.tanh() * x.sigmoid(),
    "relu-abs-max-min": lambda x: x.relu() * x + x.abs() * x + gb.maximum(x, Y) * gb.minimum(x, Y),
    "where": lambda x: gb.where(Y.data > 0, x * x, x.exp()),
    "sum-mean": lambda x: x.sum(1) * x.mean(0).sum() + x.sum(),
    "var-std": lambda x: x.var(1) * x.std(0).sum(),
    "max-amax-logsumexp": lambda x: x.max(1)[0] * x.amax(0).sum() + x.logsumexp(1) ** 2,
    "matmul": lambda x: (x @ W).tanh() @ W.T,
    "linear": lambda x: F.linear(x, W.T, W[0]).sigmoid(),
    "shape-ops": lambda x: (gb.cat([x, x * x], 1).reshape(6, 4).permute(1, 0)[:, ::2]
                           .unsqueeze(0).expand(2, 4, 3) ** 2),
    "stack-split-pad": lambda x: gb.stack(x.split(2, 1), 0).sin().sum(0) * F.pad(x, (1, 1))[:, 1:3],
    "indexing": lambda x: x[[0, 2, 2]] ** 3,
    "softmax-log_softmax": lambda x: F.softmax(x, 1) * F.log_softmax(x, 0),
    "activations": lambda x: F.elu(x) * F.gelu(x) + F.silu(x) * F.softplus(x) + F.leaky_relu(x) ** 2
                             + F.logsigmoid(x) * F.softsign(x) + F.gelu(x, approximate="tanh") * F.selu(x),
    "cross_entropy": lambda x: F.cross_entropy(x * x, TARGET, label_smoothing=0.1),
    "nll_loss": lambda x: F.nll_loss(F.log_softmax(x * x, 1), TARGET, reduction="sum"),
    "mse_loss": lambda x: F.mse_loss(x * x, Y) + F.huber_loss(x.sin(), Y) + F.smooth_l1_loss(x, Y, beta=0.5),
    "bce_with_logits": lambda x: F.binary_cross_entropy_with_logits(x * x, Y.sigmoid()),
}


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_gradgradcheck(name):
    assert gradgradcheck(FAMILIES[name], [_t(3, 4, seed=3)])


def test_empty_batch_conv_has_a_zero_second_order():
    x = gb.tensor(np.zeros((0, 2, 5, 5)), dtype="float64", requires_grad=True)
    w = _t(3, 2, 3, 3)
    _, gw = grad(F.conv2d(x, w).sum(), [x, w], create_graph=True)
    np.testing.assert_array_equal(gw.data, np.zeros((3, 2, 3, 3)))
    assert not gw.requires_grad  # a constant: nothing left to differentiate


def test_clamp_min_and_clamp_max_as_torch():
    import torch

    values = np.array([-1.5, 0.0, 0.4, 2.0])
    for method, bound in (("clamp_min", 0.0), ("clamp_max", 0.4)):
        ours = gb.tensor(values, dtype="float64", requires_grad=True)
        theirs = torch.tensor(values, requires_grad=True)
        getattr(ours, method)(bound).sum().backward()
        getattr(theirs, method)(bound).sum().backward()
        np.testing.assert_array_equal(getattr(gb.tensor(values), method)(bound).data,
                                      getattr(torch.tensor(values), method)(bound).numpy())
        np.testing.assert_array_equal(ours.grad.data, theirs.grad.numpy())


def test_pointwise_loss_without_tensor_partials_is_first_order_only():
    x = gb.tensor(np.random.default_rng(2).uniform(0.1, 0.9, (3, 4)), dtype="float64", requires_grad=True)
    target = gb.tensor(np.random.default_rng(3).uniform(0, 1, (3, 4)), dtype="float64")
    (recorded,) = grad(F.binary_cross_entropy(x, target), x, create_graph=True)
    np.testing.assert_allclose(recorded.data, (x.data - target.data) / (x.data * (1 - x.data)) / 12, rtol=1e-12)
    with pytest.raises(RuntimeError, match="BCE: double backward is not supported"):
        recorded.sum().backward()
