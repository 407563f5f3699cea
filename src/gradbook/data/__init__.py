"""Data: datasets (``FileDataset`` reads files on demand with reader threads), the prefetching
``DataLoader``, batch transforms and file readers.

>>> from gradbook.data import DataLoader, mnist_sample
>>> train, test = mnist_sample()
>>> x, y = next(iter(DataLoader(train, batch_size=64, shuffle=True)))
>>> x.shape, y.dtype
((64, 1, 28, 28), dtype('int64'))
"""
from . import transforms
from .dataset import ConcatDataset, Dataset, Subset, TensorDataset, random_split
from .datasets import cifar10, digits, idx_dataset, mnist_sample
from .errors import DataFormatError
from .files import FileDataset, read_file
from .loader import DataLoader, default_collate
from .readers import CIFAR10_CLASSES, read_cifar10, read_idx
from .sampler import ImbalancedSampler, Sampler, WeightedRandomSampler

__all__ = ["CIFAR10_CLASSES", "ConcatDataset", "DataFormatError", "DataLoader", "Dataset", "FileDataset",
           "ImbalancedSampler", "Sampler", "Subset", "TensorDataset", "WeightedRandomSampler", "cifar10", "default_collate", "digits",
           "idx_dataset", "mnist_sample", "random_split", "read_cifar10", "read_file", "read_idx", "transforms"]
