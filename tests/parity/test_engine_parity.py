"""The engine on graph *shapes*, against PyTorch: every leaf gradient of graphs that reuse
non-leaf tensors (in both operand orders), residual and dense blocks, diamonds, multi-output ops
with unused outputs, two losses on one tensor, retained graphs, and random DAGs.

Each graph is one function of a tensor library written with methods that gradbook and torch
share, run on both with the same float64 leaves and a random upstream gradient."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import gradbook as gb
import gradbook.nn as nn
import gradbook.nn.functional as F


def _leaves(shapes, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s) for s in shapes]


def assert_graph_matches_torch(graph, shapes, seed=0, backward_twice=False):
    """Run ``graph(lib, *leaves)`` on gradbook and torch; compare the output and every leaf gradient."""
    arrays = _leaves(shapes, seed)
    ours = [gb.tensor(a, dtype="float64", requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays]
    y_ours, y_theirs = graph(gb, *ours), graph(torch, *theirs)
    np.testing.assert_allclose(y_ours.data, y_theirs.detach().numpy(), rtol=1e-12, atol=1e-12)
    upstream = np.random.default_rng(seed + 1).standard_normal(y_ours.shape)
    y_ours.backward(gb.tensor(upstream, dtype="float64"), retain_graph=backward_twice)
    y_theirs.backward(torch.tensor(upstream), retain_graph=backward_twice)
    if backward_twice:
        y_ours.backward(gb.tensor(upstream, dtype="float64"))
        y_theirs.backward(torch.tensor(upstream))
    for k, (a, b) in enumerate(zip(ours, theirs)):
        if b.grad is None:
            assert a.grad is None, f"leaf {k}: gradbook has a gradient, torch has none"
            continue
        assert a.grad is not None, f"leaf {k}: torch has a gradient, gradbook has none"
        np.testing.assert_allclose(a.grad.data, b.grad.numpy(), rtol=1e-10, atol=1e-12,
                                   err_msg=f"gradient of leaf {k}")


def test_shared_non_leaf_in_both_operand_orders():
    assert_graph_matches_torch(lambda lib, a: (a * 2) + (a * 2).exp(), [(3,)])  # two nodes
    assert_graph_matches_torch(lambda lib, a: (lambda y: y + y.exp())(a * 2), [(3,)])
    assert_graph_matches_torch(lambda lib, a: (lambda y: y.exp() + y)(a * 2), [(3,)])
    assert_graph_matches_torch(lambda lib, a: (lambda y: y * y.sin() - y)(a.tanh()), [(2, 3)])
    assert_graph_matches_torch(lambda lib, a: (lambda y: y.sin() * y - y)(a.tanh()), [(2, 3)])


def test_residual_block_in_both_orders():
    def block(lib, x, w1, w2, swap):
        h = (x @ w1).tanh()
        f = (h @ w2).sigmoid()
        return (f + h) if swap else (h + f)

    for swap in (False, True):
        assert_graph_matches_torch(lambda lib, x, w1, w2: block(lib, x, w1, w2, swap), [(4, 5), (5, 5), (5, 5)])


def test_diamond():
    assert_graph_matches_torch(lambda lib, x: (lambda y: y.sin() * y.cos())(x.exp()), [(4,)])


def test_dense_block_every_layer_reads_all_earlier_outputs():
    def dense(lib, x, w1, w2, w3):
        feats = [x]
        for w in (w1, w2, w3):
            feats.append((lib.cat(feats, 1) @ w).tanh())
        return lib.cat(feats, 1)

    assert_graph_matches_torch(dense, [(3, 2), (2, 2), (4, 2), (6, 2)])


def test_multi_output_ops_with_unused_outputs():
    assert_graph_matches_torch(lambda lib, x: (lambda p: p[0] * p[2].sum())(x.exp().split(2, 0)), [(6, 3)])
    assert_graph_matches_torch(lambda lib, x: (lambda p: p[1].sin())(x.tanh().chunk(3, 1)), [(2, 6)])
    assert_graph_matches_torch(lambda lib, x: (lambda y: y.max(1)[0] + y.sum(1))(x.sin()), [(3, 4)])


def test_lstm_with_unused_state_outputs():
    lstm_ours = nn.LSTM(3, 4).double()
    lstm_theirs = torch.nn.LSTM(3, 4).double()
    with torch.no_grad():
        for (name, p) in lstm_theirs.named_parameters():
            getattr(lstm_ours, name).data[...] = p.numpy()
    x = np.random.default_rng(3).standard_normal((5, 2, 3))
    xo = gb.tensor(x, dtype="float64", requires_grad=True)
    xt = torch.tensor(x, requires_grad=True)
    out_o, (h_o, _) = lstm_ours(xo)
    out_t, (h_t, _) = lstm_theirs(xt)
    # the output is used twice (directly and through its last step), the cell state not at all
    (out_o.tanh().sum() + (out_o[-1] * h_o[0]).sum()).backward()
    (out_t.tanh().sum() + (out_t[-1] * h_t[0]).sum()).backward()
    np.testing.assert_allclose(xo.grad.data, xt.grad.numpy(), rtol=1e-8, atol=1e-10)
    for name, p in lstm_theirs.named_parameters():
        np.testing.assert_allclose(getattr(lstm_ours, name).grad.data, p.grad.numpy(), rtol=1e-8, atol=1e-10)


def test_same_tensor_in_two_losses_added():
    def two_losses(lib, x, t):
        logits = x.tanh() * 3
        first = ((logits - t) ** 2).mean()
        second = logits.logsumexp(1).sum()
        return first + second

    assert_graph_matches_torch(two_losses, [(4, 3), (4, 3)])


def test_retain_graph_then_second_backward_adds_up():
    assert_graph_matches_torch(lambda lib, a, b: (lambda y: y * y.exp() + b * y)(a.sin()), [(3,), (3,)],
                               backward_twice=True)


def test_loss_used_in_two_sums_of_a_residual_graph():
    def graph(lib, x, w):
        h = x @ w
        r = h + h.relu()
        return r.sum(0) * h.mean(0) + r.tanh().sum(0)

    assert_graph_matches_torch(graph, [(5, 3), (3, 3)])


# --------------------------------------------------------------------- random DAGs
_UNARY = ["sin", "cos", "tanh", "sigmoid", "neg", "square", "scale"]
_BINARY = ["add", "sub", "mul"]


def _apply(lib, op, a, b=None):
    if op == "square":
        return a * a
    if op == "scale":
        return a * 0.7
    if op == "neg":
        return -a
    if op in _BINARY:
        return {"add": a + b, "sub": a - b, "mul": a * b}[op]
    return getattr(a, op)()


@st.composite
def dags(draw):
    n_leaves = draw(st.integers(1, 3))
    steps = []
    for k in range(draw(st.integers(1, 12))):
        available = n_leaves + k
        if draw(st.booleans()):
            steps.append((draw(st.sampled_from(_BINARY)), draw(st.integers(0, available - 1)),
                          draw(st.integers(0, available - 1))))
        else:
            steps.append((draw(st.sampled_from(_UNARY)), draw(st.integers(0, available - 1)), None))
    total = n_leaves + len(steps)
    outputs = draw(st.lists(st.integers(0, total - 1), min_size=1, max_size=4))
    return n_leaves, steps, outputs


def _run_dag(lib, leaves, steps, outputs):
    values = list(leaves)
    for op, i, j in steps:
        values.append(_apply(lib, op, values[i], None if j is None else values[j]))
    out = values[outputs[0]]
    for k in outputs[1:]:
        out = out + values[k]
    return out


@settings(max_examples=60, deadline=None)
@given(dag=dags(), seed=st.integers(0, 2**16))
def test_random_dags_match_torch(dag, seed):
    n_leaves, steps, outputs = dag
    if max(outputs) < n_leaves and len(outputs) == 1:
        outputs = outputs + [len(steps) + n_leaves - 1]  # a lone leaf output has no graph to walk
    assert_graph_matches_torch(lambda lib, *xs: _run_dag(lib, xs, steps, outputs) * 1.0,
                               [(3,)] * n_leaves, seed=seed)


def test_functional_residual_with_cross_entropy():
    def net(lib, x, w1, w2):
        functional = F if lib is gb else torch.nn.functional
        h = functional.relu(x @ w1)
        h = h + functional.relu(h @ w2)
        target = (gb if lib is gb else torch).tensor([0, 2, 1, 0])
        return functional.cross_entropy(h, target) * h.sum()

    assert_graph_matches_torch(net, [(4, 3), (3, 3), (3, 3)])


@pytest.mark.parametrize("order", ["skip_first", "skip_last"])
def test_conv_residual_block_both_orders(order):
    def block(lib, x, w1, w2):
        functional = F if lib is gb else torch.nn.functional
        h = functional.relu(functional.conv2d(x, w1, padding=1))
        f = functional.conv2d(h, w2, padding=1)
        return functional.relu(h + f if order == "skip_first" else f + h)

    assert_graph_matches_torch(block, [(2, 3, 5, 5), (3, 3, 3, 3), (3, 3, 3, 3)])
