"""Readers for the files people download themselves: MNIST / Fashion-MNIST IDX files and the
CIFAR-10 batches (binary or python version; the python version's pickles are read with a
restricted unpickler that only rebuilds NumPy arrays).
Nothing is fetched; every size is checked against the header before
anything is trusted, and a bad file raises ``DataFormatError`` naming the file and the problem.
"""
from __future__ import annotations

import gzip
import os
import zlib
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from .errors import DataFormatError
from .safe_pickle import load_array_pickle

# IDX type byte → big-endian dtype (http://yann.lecun.com/exdb/mnist/, "THE IDX FILE FORMAT")
IDX_DTYPES = {0x08: np.dtype(">u1"), 0x09: np.dtype(">i1"), 0x0B: np.dtype(">i2"),
              0x0C: np.dtype(">i4"), 0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}
_CHUNK = 1 << 22


def _open(path: Path):
    """The file, transparently decompressed when it starts with the gzip magic bytes."""
    f = open(path, "rb")
    if f.read(2) == b"\x1f\x8b":
        f.close()
        return gzip.open(path, "rb")
    f.seek(0)
    return f


def _read_exactly(f, n: int, path: Path, what: str) -> bytearray:
    """Read ``n`` bytes in chunks (a corrupt header cannot make us allocate more than the file holds)."""
    buf = bytearray()
    while len(buf) < n:
        chunk = f.read(min(_CHUNK, n - len(buf)))
        if not chunk:
            raise DataFormatError(f"{path}: truncated: {what} needs {n} bytes, the file has only {len(buf)}")
        buf += chunk
    return buf


@contextmanager
def _decode_errors(path: Path):
    """Turn gzip/zlib failures into a DataFormatError that names the file."""
    try:
        yield
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise DataFormatError(f"{path}: corrupt or truncated gzip stream ({exc})") from exc


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read an IDX file (MNIST, Fashion-MNIST; plain or gzipped) into an array.

    The header is ``0x00 0x00 <type> <ndim>`` then ``ndim`` big-endian uint32 sizes, then the data
    in row-major order. All IDX types are supported (uint8, int8, int16, int32, float32, float64);
    the array comes back writable, in native byte order, shaped as the header says (images
    ``(N, rows, cols)``, labels ``(N,)``).

    Raises ``DataFormatError`` for a wrong magic number, an unknown type, a data size that disagrees
    with the header (truncated or with trailing bytes) or a corrupt gzip stream.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"read_idx: no such file: {path}")
    with _decode_errors(path), _open(path) as f:
        magic = f.read(4)
        if len(magic) < 4:
            raise DataFormatError(f"{path}: truncated: {len(magic)} bytes, too short for the 4-byte IDX magic number")
        if magic[0] != 0 or magic[1] != 0:
            raise DataFormatError(f"{path}: not an IDX file: the magic number must start with two zero bytes, "
                                  f"got {magic.hex()}")
        if magic[2] not in IDX_DTYPES:
            raise DataFormatError(f"{path}: unknown IDX data type 0x{magic[2]:02x} (expected one of "
                                  f"{', '.join(f'0x{k:02x}' for k in IDX_DTYPES)})")
        dtype, ndim = IDX_DTYPES[magic[2]], magic[3]
        if ndim == 0:
            raise DataFormatError(f"{path}: IDX header declares 0 dimensions")
        sizes = _read_exactly(f, 4 * ndim, path, f"the {ndim} dimension sizes")
        dims = tuple(int(d) for d in np.frombuffer(sizes, ">u4"))
        nbytes = int(np.prod(dims, dtype=object)) * dtype.itemsize
        if not isinstance(f, gzip.GzipFile):  # plain file: check the size before reading
            actual = path.stat().st_size - 4 - 4 * ndim
            if actual != nbytes:
                kind = "truncated" if actual < nbytes else f"{actual - nbytes} trailing bytes"
                raise DataFormatError(f"{path}: {kind}: the header {dims} of {dtype.newbyteorder('=')} "
                                      f"needs {nbytes} data bytes, the file has {actual}")
        data = _read_exactly(f, nbytes, path, f"data of shape {dims} ({dtype.newbyteorder('=')})")
        extra = len(f.read(_CHUNK))
        if extra:
            raise DataFormatError(f"{path}: trailing bytes after the data of shape {dims}: the file is longer "
                                  "than its header says")
    arr = np.frombuffer(data, dtype=dtype).reshape(dims)
    return arr.astype(dtype.newbyteorder("="), copy=False) if dtype.itemsize > 1 else arr


CIFAR10_CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")
_CIFAR_RECORD = 1 + 3 * 32 * 32


def _read_cifar_batch(path: Path) -> tuple[np.ndarray, np.ndarray]:
    if not path.is_file():
        raise FileNotFoundError(f"read_cifar10: missing batch file {path}")
    with _decode_errors(path), _open(path) as f:
        raw = f.read()
    if len(raw) == 0 or len(raw) % _CIFAR_RECORD:
        raise DataFormatError(f"{path}: {len(raw)} bytes is not a whole number of CIFAR-10 records "
                              f"({_CIFAR_RECORD} bytes each: 1 label byte + 3x32x32 pixels); truncated or not a "
                              "CIFAR-10 binary batch")
    records = np.frombuffer(raw, np.uint8).reshape(-1, _CIFAR_RECORD)
    labels = records[:, 0].astype(np.int64)
    bad = np.flatnonzero(labels > 9)
    if bad.size:
        raise DataFormatError(f"{path}: record {bad[0]} has label {labels[bad[0]]}, expected 0..9 "
                              f"({bad.size} bad records); corrupt or not a CIFAR-10 binary batch")
    return records[:, 1:].reshape(-1, 3, 32, 32), labels


def _read_cifar_python_batch(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """One batch of the python version: a pickled dict with ``data`` (N, 3072) uint8 and ``labels``."""
    if not path.is_file():
        raise FileNotFoundError(f"read_cifar10: missing batch file {path}")
    with _decode_errors(path), _open(path) as f:
        batch = load_array_pickle(f.read(), str(path))
    if not isinstance(batch, dict):
        raise DataFormatError(f"{path}: expected a pickled dict with 'data' and 'labels', got {type(batch).__name__}")
    batch = {k.decode("latin1") if isinstance(k, bytes) else k: v for k, v in batch.items()}
    data, labels = batch.get("data"), batch.get("labels")
    if not isinstance(data, np.ndarray) or data.dtype != np.uint8 or data.ndim != 2 or data.shape[1] != 3 * 32 * 32:
        what = f"{data.dtype} array of shape {data.shape}" if isinstance(data, np.ndarray) else type(data).__name__
        raise DataFormatError(f"{path}: 'data' must be a uint8 array of shape (N, 3072), got {what}")
    labels = np.asarray(labels if labels is not None else [], dtype=np.int64)
    if labels.shape != (len(data),):
        raise DataFormatError(f"{path}: {len(data)} images but 'labels' has shape {labels.shape}")
    bad = np.flatnonzero((labels < 0) | (labels > 9))
    if bad.size:
        raise DataFormatError(f"{path}: image {bad[0]} has label {labels[bad[0]]}, expected 0..9")
    return data.reshape(-1, 3, 32, 32), labels


def read_cifar10(directory: str | os.PathLike) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Read CIFAR-10 from ``directory`` (or its ``cifar-10-batches-bin`` / ``cifar-10-batches-py``
    sub-folder), in either version:

    * binary: ``data_batch_1.bin`` .. ``data_batch_5.bin``, ``test_batch.bin``; each record is 3073
      bytes, the label (0..9) then 1024 red, 1024 green, 1024 blue pixels in row-major order;
    * python: ``data_batch_1`` .. ``data_batch_5``, ``test_batch``; pickled dicts of ``data``
      (N, 3072) uint8 in the same pixel order and ``labels``, read by a restricted unpickler that
      refuses any global but NumPy's array reconstruction (see :mod:`gradbook.data.safe_pickle`).

    Returns ``((x_train, y_train), (x_test, y_test))``, images uint8 ``(N, 3, 32, 32)``, labels
    int64 (class names in ``CIFAR10_CLASSES``).
    """
    root = Path(directory)
    for sub in ("cifar-10-batches-bin", "cifar-10-batches-py"):
        if (root / sub).is_dir():
            root = root / sub
            break
    if not root.is_dir():
        raise FileNotFoundError(f"read_cifar10: no such directory: {root}")
    versions = {".bin": _read_cifar_batch, "": _read_cifar_python_batch}
    present = [s for s in versions if (root / f"data_batch_1{s}").is_file()]
    suffix = present[0] if present else ".bin"
    names = [f"data_batch_{i}{suffix}" for i in range(1, 6)]
    missing = [n for n in names + [f"test_batch{suffix}"] if not (root / n).is_file()]
    if missing:
        raise FileNotFoundError(f"read_cifar10: {root} lacks {', '.join(missing)} (the binary version's *.bin "
                                "batches or the python version's pickled ones)")
    read = versions[suffix]
    parts = [read(root / n) for n in names]
    train = (np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]))
    return train, read(root / f"test_batch{suffix}")
