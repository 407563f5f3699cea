"""Helpers shared by the ops (ops._util)."""
from __future__ import annotations

import numpy as np
import pytest

from gradbook.ops._util import channel_sums


@pytest.mark.parametrize("shape", [(5, 3, 4, 6), (1, 7, 2, 2), (4, 2), (3, 4, 5), (0, 3, 4, 4), (2, 3, 0, 4)])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_channel_sums_equal_numpys_sum_over_all_but_axis_1(shape, dtype):
    a = np.random.default_rng(len(shape)).standard_normal(shape).astype(dtype)
    got = channel_sums(a)
    want = a.sum(axis=tuple(i for i in range(a.ndim) if i != 1), dtype=np.float64)
    assert got.dtype == dtype and got.shape == (shape[1],)
    np.testing.assert_allclose(got, want, rtol=1e-12 if dtype == np.float64 else 1e-5, atol=1e-12 if dtype == np.float64 else 1e-4)


def test_channel_sums_of_a_strided_view():
    """A transposed (non-contiguous) array: the sums are those of its values, not of its memory."""
    a = np.random.default_rng(9).standard_normal((3, 4, 5, 6)).transpose(0, 1, 3, 2)
    np.testing.assert_allclose(channel_sums(a), a.sum(axis=(0, 2, 3)), rtol=1e-12)
