"""Module / Parameter: registration, traversal, modes, state dicts, copying, repr, input checks."""
from __future__ import annotations

import copy

import numpy as np
import pytest

import gradbook as gb
from gradbook.nn.module import Module, Parameter


class Leaf(Module):
    def __init__(self, n_in: int = 3, n_out: int = 2):
        super().__init__()
        self.n_in, self.n_out = n_in, n_out
        self.weight = Parameter(np.arange(n_in * n_out, dtype=np.float32).reshape(n_out, n_in))
        self.register_parameter("bias", None)
        self.register_buffer("running", gb.zeros(n_out))
        self.register_buffer("scratch", gb.zeros(1), persistent=False)

    def extra_repr(self) -> str:
        return f"n_in={self.n_in}, n_out={self.n_out}"

    def forward(self, x):
        return x @ self.weight.T


class Tree(Module):
    def __init__(self):
        super().__init__()
        self.first = Leaf()
        self.second = Leaf(2, 4)
        self.scale = Parameter(np.ones(1, np.float32))

    def forward(self, x):
        return self.second(self.first(x)) * self.scale


def test_parameter_is_a_trainable_leaf_sharing_a_tensor_array():
    t = gb.randn(3)
    p = Parameter(t)
    assert p.requires_grad and p.is_leaf and isinstance(p, gb.Tensor)
    assert p.data is t.data
    assert not Parameter(t, requires_grad=False).requires_grad
    assert repr(p).startswith("Parameter containing:\n")


def test_registration_and_traversal_names_follow_pytorch():
    m = Tree()
    assert [n for n, _ in m.named_parameters()] == ["scale", "first.weight", "second.weight"]
    assert [n for n, _ in m.named_buffers()] == ["first.running", "first.scratch", "second.running",
                                                 "second.scratch"]
    assert [n for n, _ in m.named_children()] == ["first", "second"]
    assert [n for n, _ in m.named_modules()] == ["", "first", "second"]
    assert len(list(m.parameters(recurse=False))) == 1
    assert m.first.bias is None and "bias" in m.first._parameters


def test_reassigning_a_registered_name_checks_the_kind():
    m = Leaf()
    with pytest.raises(TypeError, match="weight"):
        m.weight = gb.zeros(2, 3)
    m.weight = None
    assert m.weight is None and list(m.parameters()) == []
    m.running = gb.ones(2)
    assert np.array_equal(m.state_dict()["running"], np.ones(2))
    del m.running
    assert "running" not in m.state_dict()


def test_shared_parameters_appear_once_in_parameters_but_under_both_keys_in_state_dict():
    m = Tree()
    m.second = Leaf(3, 2)
    m.second.weight = m.first.weight
    assert len(list(m.parameters())) == 2
    assert {"first.weight", "second.weight"} <= set(m.state_dict())


def test_train_eval_zero_grad_apply_and_to():
    m = Tree()
    assert m.training and m.first.training
    m.eval()
    assert not m.training and not m.second.training
    m.train()
    assert m.second.training
    m(gb.randn(5, 3)).sum().backward()
    assert all(p.grad is not None for p in m.parameters())
    m.zero_grad(set_to_none=False)
    assert all(np.all(p.grad.data == 0) for p in m.parameters())
    m.zero_grad()
    assert all(p.grad is None for p in m.parameters())
    seen = []
    m.apply(lambda mod: seen.append(type(mod).__name__))
    assert seen == ["Leaf", "Leaf", "Tree"]
    w = m.first.weight
    m.double()
    assert m.first.weight is w and w.dtype == np.float64 and m.first.running.dtype == np.float64
    m.float()
    assert w.dtype == np.float32
    with pytest.raises(ValueError, match="floating"):
        m.to(np.int64)


def test_state_dict_is_copies_and_round_trips():
    a, b = Tree(), Tree()
    for p in b.parameters():
        p.data[...] = gb.backend.rng().standard_normal(p.shape)
    sd = b.state_dict()
    assert list(sd) == ["scale", "first.weight", "first.running", "second.weight", "second.running"]
    assert all(isinstance(v, np.ndarray) for v in sd.values())
    sd["scale"][...] = 7  # a copy: the module is untouched
    assert b.scale.data[0] != 7
    w = a.first.weight
    result = a.load_state_dict(b.state_dict())
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert a.first.weight is w  # loaded in place
    for (ka, va), (kb, vb) in zip(a.state_dict().items(), b.state_dict().items()):
        assert ka == kb and np.array_equal(va, vb)


def test_load_state_dict_accepts_tensors_float64_and_torch():
    torch = pytest.importorskip("torch")
    m = Leaf()
    m.load_state_dict({"weight": torch.ones(2, 3, requires_grad=True), "running": gb.full((2,), 3.0)})
    assert m.weight.dtype == np.float32 and np.all(m.weight.data == 1) and np.all(m.running.data == 3)
    m.load_state_dict({"weight": np.full((2, 3), 2.0), "running": [1.0, 2.0]})
    assert m.weight.dtype == np.float32 and np.all(m.weight.data == 2)


def test_load_state_dict_reports_every_problem_together():
    m = Tree()
    bad = m.state_dict()
    del bad["first.running"]
    bad["second.weight"] = np.zeros((5, 5))
    bad["extra.weight"] = np.zeros(1)
    with pytest.raises(RuntimeError) as info:
        m.load_state_dict(bad)
    text = str(info.value)
    for piece in ("Tree", "second.weight", "(5, 5)", "(4, 2)", "first.running", "extra.weight",
                  "missing", "unexpected"):
        assert piece in text
    del bad["second.weight"]
    result = m.load_state_dict(bad, strict=False)
    assert result.missing_keys == ["first.running", "second.weight"]
    assert result.unexpected_keys == ["extra.weight"]
    with pytest.raises(RuntimeError, match="second.weight"):  # shapes are checked even when not strict
        m.load_state_dict({"second.weight": np.zeros(3)}, strict=False)


def test_deepcopy_gives_independent_parameters_and_keeps_ties():
    m = Tree()
    m.second = Leaf(3, 2)
    m.second.weight = m.first.weight
    c = copy.deepcopy(m)
    assert c.first.weight is not m.first.weight
    assert c.first.weight is c.second.weight  # a tie inside the model survives the copy
    c.first.weight.data[...] = -1
    assert not np.any(m.first.weight.data == -1)
    shallow = copy.copy(m)
    assert shallow.first.weight is m.first.weight


def test_repr_nests_children_like_pytorch():
    text = repr(Tree())
    assert text == ("Tree(\n  (first): Leaf(n_in=3, n_out=2)\n  (second): Leaf(n_in=2, n_out=4)\n)")


def test_check_input_names_the_layer_and_both_shapes():
    m = Leaf()
    m.check_input(np.zeros((4, 3)), ndim=2, dim=-1, size=3)
    with pytest.raises(ValueError, match=r"Leaf\(n_in=3, n_out=2\): expected input with last dimension 3, "
                                         r"got shape \(4, 10\)"):
        m.check_input(np.zeros((4, 10)), dim=-1, size=3, what="last dimension {size}")
    with pytest.raises(ValueError, match=r"expected a 2-D or 3-D input \(N, C, L\), got shape \(5,\)"):
        m.check_input(gb.zeros(5), ndim=(2, 3), layout="(N, C, L)")


def test_registration_errors():
    m = Leaf()
    with pytest.raises(KeyError):
        m.register_buffer("a.b", gb.zeros(1))
    with pytest.raises(KeyError):
        m.register_parameter("n_in", Parameter(gb.zeros(1)))
    with pytest.raises(TypeError):
        m.add_module("x", 3)

    class Early(Module):
        def __init__(self):
            self.w = Parameter(gb.zeros(1))

    with pytest.raises(AttributeError, match="super"):
        Early()
