"""The engine: accumulation, shared sub-graphs, deep chains, graph freeing, grad modes, dtypes."""
import threading

import numpy as np
import pytest

import gradbook as gb


def test_gradients_accumulate_into_leaves_across_backward_calls():
    x = gb.tensor([1.0, -2.0, 3.0], requires_grad=True)
    (x * x).sum().backward()
    (3 * x).sum().backward()
    np.testing.assert_allclose(x.grad.data, 2 * np.array([1.0, -2.0, 3.0]) + 3)


def test_shared_subgraph_is_walked_once_in_topological_order():
    # y = a * a where a = exp(x) is used twice: dy/dx = 2 exp(2x)
    x = gb.tensor([0.3, -0.7], dtype="float64", requires_grad=True)
    a = x.exp()
    y = (a * a + a).sum()
    y.backward()
    expected = 2 * np.exp(2 * x.data) + np.exp(x.data)
    np.testing.assert_allclose(x.grad.data, expected, rtol=1e-12)


def test_diamond_graph_matches_hand_derivative():
    x = gb.tensor(2.0, dtype="float64", requires_grad=True)
    b, c = x * 3, x.sin()
    (b * c).backward()
    assert x.grad.item() == pytest.approx(3 * np.sin(2.0) + 6 * np.cos(2.0))


def test_chain_of_ten_thousand_ops_needs_no_recursion():
    x = gb.tensor([1.0], dtype="float64", requires_grad=True)
    z = x
    for _ in range(10_000):
        z = z * 1.0001
    z.sum().backward()
    assert x.grad.item() == pytest.approx(1.0001 ** 10_000, rel=1e-9)


def test_graph_is_freed_and_second_backward_raises():
    x = gb.tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp() * 2).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="second time"):
        y.backward()


def test_retain_graph_allows_second_backward():
    x = gb.tensor([1.0, 2.0], dtype="float64", requires_grad=True)
    y = (x.exp() * 2).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad.data, 4 * np.exp(x.data))


def test_backward_on_non_scalar_needs_gradient():
    x = gb.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    with pytest.raises(RuntimeError, match="scalar outputs"):
        y.backward()
    y.backward(gb.tensor([1.0, -1.0]))
    np.testing.assert_allclose(x.grad.data, [2.0, -2.0])


def test_backward_gradient_of_wrong_shape_is_refused():
    x = gb.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(ValueError, match=r"\(3,\)"):
        (x * 2).backward(np.ones(3, np.float32))


def test_backward_without_requires_grad_raises():
    with pytest.raises(RuntimeError, match="does not require grad"):
        gb.tensor([1.0]).sum().backward()


def test_no_grad_as_context_and_decorator():
    x = gb.tensor([1.0], requires_grad=True)
    with gb.no_grad():
        assert not (x * 2).requires_grad
        assert not gb.is_grad_enabled()
        with gb.enable_grad():
            assert (x * 2).requires_grad
    assert gb.is_grad_enabled()

    @gb.no_grad()
    def f(t):
        return t * 2

    assert not f(x).requires_grad
    assert (x * 2).requires_grad


def test_grad_mode_is_per_thread():
    seen = []
    with gb.no_grad():
        t = threading.Thread(target=lambda: seen.append(gb.is_grad_enabled()))
        t.start()
        t.join()
    assert seen == [True]


def test_retain_grad_keeps_non_leaf_gradient():
    x = gb.tensor([1.0, 2.0], dtype="float64", requires_grad=True)
    h = x * 3
    h.retain_grad()
    (h * h).sum().backward()
    np.testing.assert_allclose(h.grad.data, 2 * 3 * x.data)
    assert h.grad is not None and not x.is_leaf is False


def test_leaf_grad_is_a_private_copy():
    # both inputs of an add receive the same upstream array; in-place edits of one .grad must
    # not change the other
    a = gb.tensor([1.0, 2.0], requires_grad=True)
    b = gb.tensor([3.0, 4.0], requires_grad=True)
    (a + b).sum().backward()
    a.grad.data *= 10
    np.testing.assert_allclose(b.grad.data, [1.0, 1.0])


def test_dtype_rule_tensor_tensor_widens_scalars_do_not():
    f32 = gb.tensor([1.0, 2.0])
    f64 = gb.tensor([1.0, 2.0], dtype="float64")
    assert f32.dtype == np.float32
    assert (f32 * 0.5).dtype == np.float32
    assert (f32 * np.float64(0.5)).dtype == np.float32
    assert (f32 + f64).dtype == np.float64
    x = gb.tensor([1.0, 2.0], requires_grad=True)
    (x + f64).sum().backward()
    assert x.grad.dtype == np.float32


def test_default_dtype_can_be_switched():
    gb.set_default_dtype("float64")
    assert gb.tensor([1.0]).dtype == np.float64
    assert gb.randn(2).dtype == np.float64
    with pytest.raises(ValueError, match="floating"):
        gb.set_default_dtype("int32")


def test_manual_seed_makes_draws_reproducible():
    gb.manual_seed(7)
    a = gb.randn(5).data.copy()
    gb.manual_seed(7)
    np.testing.assert_array_equal(a, gb.randn(5).data)


def test_integer_tensors_cannot_require_grad():
    with pytest.raises(RuntimeError, match="floating point"):
        gb.tensor([1, 2], requires_grad=True)


def test_detach_cuts_the_graph():
    x = gb.tensor([2.0], requires_grad=True)
    y = x.detach() * x
    y.sum().backward()
    assert x.grad.item() == 2.0


def test_fresh_gradient_taken_without_copy_and_safe_to_change_in_place(monkeypatch):
    """A Function that declares fresh gradients (conv2d) hands its input gradient to the leaf as it
    is; one that passes the upstream gradient through (add) still gets copies, so changing one leaf's
    .grad in place touches nothing else."""
    from gradbook.autograd import engine
    from gradbook.nn import functional as F

    owned = []
    real = engine._accumulate_leaf
    monkeypatch.setattr(engine, "_accumulate_leaf", 
                        lambda leaf, g, math, own=False: owned.append(own) or real(leaf, g, math, own))
    rng = np.random.default_rng(0)
    x = gb.tensor(rng.standard_normal((2, 3, 5, 5)), requires_grad=True)
    w = gb.tensor(rng.standard_normal((4, 3, 3, 3)), requires_grad=True)
    g = rng.standard_normal((2, 4, 3, 3))
    y = F.conv2d(x, w)
    y.backward(gb.tensor(g), retain_graph=True)
    assert owned == [True, False]  # dx is conv2d's own new array; dW is a reshaped view: copied
    first = x.grad.numpy().copy()
    x.grad.data *= 0  # an optimizer changing .grad in place
    y.backward(gb.tensor(g))
    np.testing.assert_array_equal(x.grad.numpy(), first)

    a, b = gb.tensor(rng.standard_normal(3), requires_grad=True), gb.tensor(rng.standard_normal(3), requires_grad=True)
    upstream = gb.tensor(rng.standard_normal(3))
    (a + b).backward(upstream)
    a.grad.data += 1
    np.testing.assert_array_equal(b.grad.numpy(), upstream.numpy())
    np.testing.assert_array_equal(a.grad.numpy(), upstream.numpy() + 1)


def test_gradients_from_several_consumers_summed_in_place_only_into_the_engines_arrays():
    """Three gradients reach h (conv2d's fresh dx, and add's pass-through g twice): they are summed
    in place into arrays only the engine holds, never into the caller's upstream gradient, and the
    sum is the plain one (float64: the same as adding in any order here up to rounding)."""
    from gradbook.nn import functional as F

    rng = np.random.default_rng(1)
    x0, w0 = rng.standard_normal((2, 3, 5, 5)), rng.standard_normal((3, 3, 3, 3))
    upstream = rng.standard_normal((2, 3, 5, 5))
    kept = upstream.copy()
    x, w = gb.tensor(x0, requires_grad=True), gb.tensor(w0, requires_grad=True)
    h = F.relu(x)
    (F.conv2d(h, w, padding=1) + h + h).backward(gb.tensor(upstream))
    np.testing.assert_array_equal(upstream, kept)

    dh = upstream * 2 + F.conv_transpose2d(gb.tensor(upstream), gb.tensor(w0), padding=1).numpy()
    np.testing.assert_allclose(x.grad.numpy(), dh * (x0 > 0), rtol=1e-12, atol=1e-12)
