"""``FileDataset``: samples read from files on demand, by a pool of reader threads.

The classic input pipeline, each stage a real piece of gradbook::

    list of files      FileDataset(paths, labels)
    -> filename queue  DataLoader(shuffle=True): each pass a new order of the files
    -> reader threads  FileDataset(num_threads=T): a batch's files are read by T threads
    -> preprocessing   DataLoader(transform=...) on the stacked batch
    -> batch           collated, and ``prefetch`` batches prepared ahead in a background thread

Images (``.png``, ``.jpg``, ``.jpeg``, ``.bmp``, ``.gif``, ``.tif``, ``.tiff``, through Pillow) are
read as float32 (C, H, W) in [0, 1], as torchvision's ``ToTensor``; ``.npy`` arrays as stored
(``allow_pickle=False``: reading a file never runs code). File reads and Pillow's decoding release
the GIL, so reader threads overlap on several cores and while waiting for the disk.
"""
from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Sequence

import numpy as np

from .dataset import Dataset
from .errors import DataFormatError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff")


def read_image(path: str | os.PathLike) -> np.ndarray:
    """An image file as float32 (C, H, W) in [0, 1]: C = 1 for greyscale, 3 for colour (alpha dropped)."""
    try:
        from PIL import Image
    except ImportError as error:  # declared in pyproject; a clear message if it was removed
        raise ImportError("FileDataset: image files need Pillow: pip install pillow") from error
    try:
        with Image.open(path) as im:
            im = im.convert("L" if im.mode in ("1", "L", "I;16", "I", "F", "LA") else "RGB")
            pixels = np.asarray(im)
    except (OSError, SyntaxError, Image.DecompressionBombError) as error:
        raise DataFormatError(f"FileDataset: {os.fspath(path)!r} is not an image Pillow can read ({error})") from None
    pixels = pixels[None] if pixels.ndim == 2 else pixels.transpose(2, 0, 1)
    return pixels.astype(np.float32) / np.float32(255)


def read_npy(path: str | os.PathLike) -> np.ndarray:
    """A ``.npy`` file as its array (object arrays refused: ``allow_pickle=False``)."""
    try:
        return np.load(path, allow_pickle=False)
    except ValueError as error:
        raise DataFormatError(f"FileDataset: {os.fspath(path)!r} is not a plain .npy array ({error})") from None


def read_file(path: str | os.PathLike) -> np.ndarray:
    """The array in ``path``, by its suffix: an image (see :func:`read_image`) or ``.npy``."""
    suffix = os.path.splitext(os.fspath(path))[1].lower()
    if not os.path.isfile(path):
        why = "no such file" if not os.path.exists(path) else "not a regular file"
        raise FileNotFoundError(f"FileDataset: cannot read {os.fspath(path)!r}: {why}")
    if suffix == ".npy":
        return read_npy(path)
    if suffix in IMAGE_SUFFIXES:
        return read_image(path)
    raise DataFormatError(f"FileDataset: cannot read {os.fspath(path)!r}: expected a .npy file or an image "
                          f"({', '.join(IMAGE_SUFFIXES)}), got suffix {suffix or '(none)'!r}")


class FileDataset(Dataset):
    """Samples stored one per file, read when asked for.

    Parameters
    ----------
    paths : the files, one sample each (images or ``.npy``; see :func:`read_file`)
    labels : optional, one per file; samples are then ``(array, label)``
    num_threads : reader threads for a batch (``__getitems__``, which ``DataLoader`` calls);
        1 reads in the calling thread
    reader : ``path -> array`` instead of :func:`read_file`

    >>> ds = FileDataset(["a.npy", "b.npy"], labels=[0, 1], num_threads=2)   # doctest: +SKIP
    >>> loader = DataLoader(ds, batch_size=32, shuffle=True, prefetch=2)     # doctest: +SKIP
    """

    def __init__(self, paths: Sequence[str | os.PathLike], labels: Sequence[Any] | None = None,
                 num_threads: int = 1, reader: Callable[[str], np.ndarray] | None = None):
        if isinstance(paths, (str, bytes, os.PathLike)):
            raise ValueError(f"FileDataset: expected a list of file paths, got the single path {paths!r}")
        self.paths = [os.fspath(p) for p in paths]
        if labels is not None and len(labels) != len(self.paths):
            raise ValueError(f"FileDataset: got {len(self.paths)} paths but {len(labels)} labels; "
                             "give one label per file")
        if isinstance(num_threads, bool) or not isinstance(num_threads, (int, np.integer)) or num_threads < 1:
            raise ValueError(f"FileDataset: num_threads must be a positive int, got {num_threads!r}")
        self.labels = None if labels is None else list(labels)
        self.num_threads = int(num_threads)
        self.reader = reader or read_file
        self._pool: ThreadPoolExecutor | None = None

    def __len__(self) -> int:
        return len(self.paths)

    def _sample(self, index: int) -> Any:
        x = self.reader(self.paths[index])
        return x if self.labels is None else (x, self.labels[index])

    def __getitem__(self, index: int) -> Any:
        n = len(self.paths)
        if not -n <= index < n:
            raise IndexError(f"FileDataset: index {index} out of range for {n} files")
        return self._sample(index % n)

    def __getitems__(self, indices: Sequence[int]) -> list:
        """The samples at ``indices``, in order, read by ``num_threads`` reader threads."""
        if self.num_threads == 1 or len(indices) < 2:
            return [self[i] for i in indices]
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.num_threads, thread_name_prefix="gradbook-FileDataset")
        return list(self._pool.map(self.__getitem__, indices))

    def close(self) -> None:
        """Stop the reader threads (they also stop when the dataset is garbage-collected)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    def __del__(self) -> None:
        pool = getattr(self, "_pool", None)
        if pool is not None:
            pool.shutdown(wait=False)

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_pool": None}  # threads do not travel (pickling, copies)

    def __repr__(self) -> str:
        return f"FileDataset({len(self.paths)} files, labels={self.labels is not None}, num_threads={self.num_threads})"
