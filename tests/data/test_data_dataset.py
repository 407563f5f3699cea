"""Datasets: TensorDataset, Subset, ConcatDataset, random_split (lengths as PyTorch computes them)."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import gradbook as gb
from gradbook.data import ConcatDataset, Subset, TensorDataset, random_split


def test_tensor_dataset_items_batches_and_dtypes():
    x = np.arange(24, dtype=np.float32).reshape(6, 2, 2)
    y = np.arange(6) % 3
    ds = TensorDataset(gb.tensor(x), y)
    assert len(ds) == 6
    xi, yi = ds[4]
    np.testing.assert_array_equal(xi, x[4])
    assert yi == y[4]
    xb, yb = ds.get_batch(np.array([5, 0, 2]))
    np.testing.assert_array_equal(xb, x[[5, 0, 2]])
    np.testing.assert_array_equal(yb, y[[5, 0, 2]])
    assert xb.dtype == np.float32
    assert TensorDataset(np.zeros(3, np.float64)).tensors[0].dtype == np.float64  # arrays keep their dtype
    assert TensorDataset([0.5, 1.5]).tensors[0].dtype == np.float32  # lists follow gb.tensor


def test_tensor_dataset_rejects_bad_input():
    with pytest.raises(ValueError, match="same first dimension"):
        TensorDataset(np.zeros((3, 2)), np.zeros(4))
    with pytest.raises(ValueError, match="at least one"):
        TensorDataset()
    with pytest.raises(ValueError, match="0-d"):
        TensorDataset(np.float32(1.0))


def test_subset_maps_indices_and_keeps_get_batch():
    ds = TensorDataset(np.arange(10) * 10)
    sub = Subset(ds, [7, 2, 9])
    assert len(sub) == 3 and sub[0][0] == 70 and sub[2][0] == 90
    np.testing.assert_array_equal(sub.get_batch(np.array([2, 0]))[0], [90, 70])

    class NoBatch:
        def __getitem__(self, i):
            return i

        def __len__(self):
            return 5

    assert not hasattr(Subset(NoBatch(), [1]), "get_batch")


def test_concat_dataset():
    a, b = TensorDataset(np.arange(3)), TensorDataset(np.arange(10, 14))
    c = a + b
    assert isinstance(c, ConcatDataset) and len(c) == 7
    assert [int(c[i][0]) for i in range(7)] == [0, 1, 2, 10, 11, 12, 13]
    assert int(c[-1][0]) == 13
    with pytest.raises(IndexError):
        c[7]


@given(n=st.integers(1, 60), fractions=st.lists(st.integers(1, 10), min_size=1, max_size=4))
def test_random_split_fraction_lengths_match_torch(n, fractions):
    total = sum(fractions)
    fr = [f / total for f in fractions]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # both warn when a fraction rounds to an empty split
        try:
            theirs = torch.utils.data.random_split(range(n), fr, generator=torch.Generator().manual_seed(0))
        except ValueError:  # float sums a hair above 1 are refused by both
            with pytest.raises(ValueError):
                random_split(TensorDataset(np.arange(n)), fr, generator=0)
            return
        ours = random_split(TensorDataset(np.arange(n)), fr, generator=0)
    assert [len(s) for s in ours] == [len(s) for s in theirs]
    everything = np.concatenate([s.indices for s in ours])
    np.testing.assert_array_equal(np.sort(everything), np.arange(n))  # a partition


def test_random_split_counts_seed_and_errors():
    ds = TensorDataset(np.arange(10))
    a, b = random_split(ds, [7, 3], generator=np.random.default_rng(1))
    assert len(a) == 7 and len(b) == 3
    a2, _ = random_split(ds, [7, 3], generator=np.random.default_rng(1))
    np.testing.assert_array_equal(a.indices, a2.indices)
    gb.manual_seed(5)
    c, _ = random_split(ds, [0.5, 0.5])
    gb.manual_seed(5)
    c2, _ = random_split(ds, [0.5, 0.5])
    np.testing.assert_array_equal(c.indices, c2.indices)  # the library generator when none is given
    with pytest.raises(ValueError, match="sum to 9"):
        random_split(ds, [6, 3])
    with pytest.raises(ValueError, match="fractions must lie"):
        random_split(ds, [1.5, -0.5])
