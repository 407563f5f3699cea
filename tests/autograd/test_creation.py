"""Tensor construction follows PyTorch's dtype rules and shapes."""
import numpy as np
import pytest
import torch

import gradbook as gb


@pytest.mark.parametrize("data", [[1.0, 2.0], [[1, 2], [3, 4]], [True, False], 3.5, 7])
def test_tensor_dtype_matches_torch(data):
    assert str(gb.tensor(data).dtype) == str(torch.tensor(data).dtype).replace("torch.", "")


@pytest.mark.parametrize("name", ["zeros", "ones", "empty", "rand", "randn"])
def test_factories_shapes_and_dtypes(name):
    t = getattr(gb, name)(2, 3)
    assert t.shape == (2, 3) and t.dtype == np.float32
    assert getattr(gb, name)((4,), dtype="float64").dtype == np.float64
    like = getattr(gb, f"{name}_like")(t)
    assert like.shape == t.shape and like.dtype == t.dtype


def test_full_arange_linspace_eye_match_torch():
    np.testing.assert_array_equal(gb.full((2, 2), 3.0).data, torch.full((2, 2), 3.0).numpy())
    np.testing.assert_array_equal(gb.arange(5).data, torch.arange(5).numpy())
    np.testing.assert_allclose(gb.arange(0.0, 1.0, 0.25).data, torch.arange(0.0, 1.0, 0.25).numpy())
    np.testing.assert_allclose(gb.linspace(-1, 1, 7).data, torch.linspace(-1, 1, 7).numpy(), atol=1e-6)
    np.testing.assert_array_equal(gb.eye(3, 4).data, torch.eye(3, 4).numpy())


def test_rand_and_randint_ranges():
    r = gb.rand(1000)
    assert 0 <= r.data.min() and r.data.max() < 1
    i = gb.randint(3, 7, (1000,))
    assert i.dtype == np.int64 and i.data.min() >= 3 and i.data.max() <= 6


def test_item_numpy_and_repr():
    t = gb.tensor([[1.5]])
    assert t.item() == 1.5
    assert isinstance(t.numpy(), np.ndarray)
    assert "tensor(" in repr(t)
    with pytest.raises(ValueError, match="one-element"):
        gb.tensor([1.0, 2.0]).item()
