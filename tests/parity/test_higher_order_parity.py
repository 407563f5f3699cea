"""Higher-order gradients against PyTorch: Hessian-vector products, a full Hessian of a small
MLP's loss, a gradient penalty trained for a few steps, and second derivatives of every
activation and elementwise op on random inputs."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import gradbook as gb
import gradbook.nn as nn
import gradbook.nn.functional as F
from gradbook.autograd import grad

TF = torch.nn.functional

# --------------------------------------------------------------------- an MLP's loss as f(θ)
SIZES = [(4, 3), (4,), (2, 4), (2,)]  # W1, b1, W2, b2
N_PARAMS = sum(int(np.prod(s)) for s in SIZES)
RNG = np.random.default_rng(11)
X = RNG.standard_normal((6, 3))
LABELS = np.array([0, 1, 1, 0, 1, 0])


def _unpack(theta):
    parts, start = [], 0
    for shape in SIZES:
        n = int(np.prod(shape))
        parts.append(theta[start:start + n].reshape(shape))
        start += n
    return parts


def mlp_loss(lib, theta):
    w1, b1, w2, b2 = _unpack(theta)
    functional = F if lib is gb else TF
    x = lib.tensor(X, dtype=lib.float64)
    h = functional.linear(x, w1, b1).tanh()
    return functional.cross_entropy(functional.linear(h, w2, b2), lib.tensor(LABELS))


def _theta(seed=0):
    return np.random.default_rng(seed).standard_normal(N_PARAMS) * 0.7


def test_hessian_vector_product_matches_torch_hvp():
    theta, v = _theta(), np.random.default_rng(5).standard_normal(N_PARAMS)
    t = gb.tensor(theta, dtype="float64", requires_grad=True)
    (g,) = grad(mlp_loss(gb, t), t, create_graph=True)
    (hv,) = grad(g, t, grad_outputs=gb.tensor(v, dtype="float64"))
    _, want = torch.autograd.functional.hvp(lambda p: mlp_loss(torch, p), torch.tensor(theta), torch.tensor(v))
    np.testing.assert_allclose(hv.data, want.numpy(), rtol=1e-10, atol=1e-12)


def test_full_hessian_of_an_mlp_loss_matches_torch():
    theta = _theta(1)
    t = gb.tensor(theta, dtype="float64", requires_grad=True)
    (g,) = grad(mlp_loss(gb, t), t, create_graph=True)
    rows = [grad(g[i], t, retain_graph=True, allow_unused=True)[0] for i in range(N_PARAMS)]
    hessian = np.stack([np.zeros(N_PARAMS) if r is None else r.data for r in rows])
    want = torch.autograd.functional.hessian(lambda p: mlp_loss(torch, p), torch.tensor(theta)).numpy()
    np.testing.assert_allclose(hessian, want, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(hessian, hessian.T, atol=1e-12)


def _critic_pair():
    ours = nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 8), nn.Softplus(), nn.Linear(8, 1)).double()
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.Tanh(), torch.nn.Linear(8, 8),
                                 torch.nn.Softplus(), torch.nn.Linear(8, 1)).double()
    with torch.no_grad():
        for (_, p_ours), (_, p_theirs) in zip(ours.named_parameters(), theirs.named_parameters()):
            p_theirs.copy_(torch.from_numpy(p_ours.data))
    return ours, theirs


@pytest.mark.parametrize("optimizer", ["SGD", "Adam"])
def test_gradient_penalty_training_matches_torch(optimizer):
    """WGAN-GP's critic loss: mean D(x) + λ·mean((‖∂D/∂x‖ − 1)²), five optimizer steps."""
    ours, theirs = _critic_pair()
    opt_ours = getattr(gb.optim, optimizer)(ours.parameters(), lr=0.05)
    opt_theirs = getattr(torch.optim, optimizer)(theirs.parameters(), lr=0.05)
    rng = np.random.default_rng(2)

    def loss(lib, model, x):
        out = model(x)
        gradient_fn = grad if lib is gb else torch.autograd.grad
        (gx,) = gradient_fn(out.sum(), x, create_graph=True)
        penalty = (((gx * gx).sum(1)).sqrt() - 1) ** 2
        return out.mean() + 10 * penalty.mean()

    for _ in range(5):
        batch = rng.standard_normal((7, 3))
        for lib, model, opt in ((gb, ours, opt_ours), (torch, theirs, opt_theirs)):
            x = lib.tensor(batch, dtype=lib.float64, requires_grad=True)
            opt.zero_grad()
            loss(lib, model, x).backward()
            opt.step()
    for (name, p_ours), (_, p_theirs) in zip(ours.named_parameters(), theirs.named_parameters()):
        np.testing.assert_allclose(p_ours.data, p_theirs.detach().numpy(), rtol=1e-9, atol=1e-12, err_msg=name)


# --------------------------------------------------------------------- second derivatives, op by op
UNARY = {
    "exp": (lambda x: x.exp(), torch.exp),
    "log": (lambda x: (x * x + 0.5).log(), lambda x: (x * x + 0.5).log()),
    "sqrt": (lambda x: (x * x + 0.5).sqrt(), lambda x: (x * x + 0.5).sqrt()),
    "sin": (lambda x: x.sin(), torch.sin),
    "cos": (lambda x: x.cos(), torch.cos),
    "tanh": (lambda x: x.tanh(), torch.tanh),
    "sigmoid": (lambda x: x.sigmoid(), torch.sigmoid),
    "pow": (lambda x: x ** 3, lambda x: x ** 3),
    "rpow": (lambda x: 1.7 ** x, lambda x: 1.7 ** x),
    "div": (lambda x: 1 / (x * x + 1), lambda x: 1 / (x * x + 1)),
    "relu": (lambda x: F.relu(x) * x, lambda x: TF.relu(x) * x),
    "abs": (lambda x: x.abs() * x, lambda x: x.abs() * x),
    "elu": (lambda x: F.elu(x, alpha=0.7), lambda x: TF.elu(x, alpha=0.7)),
    "selu": (F.selu, TF.selu),
    # alpha a power of two: torch rounds 1/alpha to float32 inside CELU (1e-8 off in float64)
    "celu": (lambda x: F.celu(x, alpha=2.0), lambda x: TF.celu(x, alpha=2.0)),
    "gelu": (F.gelu, TF.gelu),
    "gelu_tanh": (lambda x: F.gelu(x, approximate="tanh"), lambda x: TF.gelu(x, approximate="tanh")),
    "silu": (F.silu, TF.silu),
    "softplus": (lambda x: F.softplus(x, beta=2.0), lambda x: TF.softplus(x, beta=2.0)),
    "logsigmoid": (F.logsigmoid, TF.logsigmoid),
    "softsign": (F.softsign, TF.softsign),
    "hardswish": (F.hardswish, TF.hardswish),
    "leaky_relu": (lambda x: F.leaky_relu(x, 0.2) * x, lambda x: TF.leaky_relu(x, 0.2) * x),
    "softmax": (lambda x: F.softmax(x, -1), lambda x: TF.softmax(x, -1)),
    "log_softmax": (lambda x: F.log_softmax(x, 0), lambda x: TF.log_softmax(x, 0)),
    "logsumexp": (lambda x: x.logsumexp(-1), lambda x: x.logsumexp(-1)),
    "var": (lambda x: x.var(-1), lambda x: x.var(-1)),
    "std": (lambda x: x.std(0), lambda x: x.std(0)),
    "max_dim": (lambda x: x.max(-1)[0] ** 2, lambda x: x.max(-1)[0] ** 2),
    "mean_sq": (lambda x: (x * x).mean(0), lambda x: (x * x).mean(0)),
}


def _second_derivative(lib, fn, x_arr, u, v):
    """Σ v·∂/∂x ⟨u, ∂f/∂x⟩ ... i.e. the Hessian of ⟨u, f⟩ applied to v, plus the first derivative."""
    x = lib.tensor(x_arr, dtype=lib.float64, requires_grad=True)
    y = fn(x)
    grad_fn = grad if lib is gb else torch.autograd.grad
    (g,) = grad_fn(y, x, lib.tensor(u.reshape(y.shape), dtype=lib.float64), create_graph=True)
    (h,) = grad_fn(g, x, lib.tensor(v, dtype=lib.float64))
    as_np = (lambda t: t.data) if lib is gb else (lambda t: t.detach().numpy())
    return as_np(g), as_np(h)


@settings(max_examples=40, deadline=None)
@given(name=st.sampled_from(sorted(UNARY)), rows=st.integers(1, 4), cols=st.integers(1, 5),
       seed=st.integers(0, 2**16))
def test_second_derivatives_match_torch(name, rows, cols, seed):
    ours, theirs = UNARY[name]
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((rows, cols))
    with torch.no_grad():
        out_shape = theirs(torch.tensor(x)).shape
    if name in ("var", "std") and (rows if name == "std" else cols) < 2:
        return  # a single element: NaN on both sides, nothing to compare
    u, v = rng.standard_normal(out_shape), rng.standard_normal(x.shape)
    g_ours, h_ours = _second_derivative(gb, ours, x, u, v)
    g_theirs, h_theirs = _second_derivative(torch, theirs, x, u, v)
    np.testing.assert_allclose(g_ours, g_theirs, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(h_ours, h_theirs, rtol=1e-9, atol=1e-11)


BINARY = {
    "mul": lambda a, b: a * b * a,
    "div": lambda a, b: a / (b * b + 1),
    "pow": lambda a, b: (a * a + 1) ** b,
    "matmul": lambda a, b: (a @ b.T).tanh(),
    "linear": lambda a, b: (F.linear(a, b) if isinstance(a, gb.Tensor) else TF.linear(a, b)).sin(),
    "maximum": lambda a, b: (a.maximum(b) if isinstance(a, gb.Tensor) else torch.maximum(a, b)) * a,
    "mse": lambda a, b: (F.mse_loss(a, b) if isinstance(a, gb.Tensor) else TF.mse_loss(a, b)) * (a * b).sum(),
}


@pytest.mark.parametrize("name", sorted(BINARY))
def test_mixed_second_derivatives_match_torch(name):
    rng = np.random.default_rng(4)
    a, b = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    results = []
    for lib in (gb, torch):
        ta = lib.tensor(a, dtype=lib.float64, requires_grad=True)
        tb = lib.tensor(b, dtype=lib.float64, requires_grad=True)
        y = BINARY[name](ta, tb)
        grad_fn = grad if lib is gb else torch.autograd.grad
        u = lib.tensor(rng.standard_normal(tuple(y.shape)) if lib is gb else results[0][2], dtype=lib.float64)
        ga, gb_ = grad_fn(y, [ta, tb], u, create_graph=True)
        hv = grad_fn((ga * ga).sum() + (ga * gb_).sum(), [ta, tb])
        as_np = (lambda t: t.data) if lib is gb else (lambda t: t.detach().numpy())
        results.append(([as_np(ga), as_np(gb_)], [as_np(h) for h in hv], as_np(u)))
    for got, want in zip(results[0][0] + results[0][1], results[1][0] + results[1][1]):
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-11)
