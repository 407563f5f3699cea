"""IDX and CIFAR-10 readers on small files the tests write byte by byte (plain, gzipped, corrupted)."""
from __future__ import annotations

import gzip
import struct

import numpy as np
import pytest

from gradbook.data import DataFormatError, cifar10, idx_dataset, read_cifar10, read_idx

IDX_TYPES = {np.uint8: 0x08, np.int8: 0x09, np.int16: 0x0B, np.int32: 0x0C, np.float32: 0x0D, np.float64: 0x0E}


def idx_bytes(arr: np.ndarray) -> bytes:
    """The IDX encoding, written from the format's description: magic, big-endian sizes, big-endian data."""
    header = bytes([0, 0, IDX_TYPES[arr.dtype.type], arr.ndim]) + b"".join(struct.pack(">I", d) for d in arr.shape)
    return header + arr.astype(arr.dtype.newbyteorder(">")).tobytes()


def write(path, data: bytes, gz: bool = False):
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


@pytest.mark.parametrize("gz", [False, True])
@pytest.mark.parametrize("dtype", list(IDX_TYPES))
def test_read_idx_round_trips_every_type(tmp_path, dtype, gz):
    arr = (np.random.default_rng(0).standard_normal((3, 4, 5)) * 50).astype(dtype)
    got = read_idx(write(tmp_path / "a.idx", idx_bytes(arr), gz))
    assert got.dtype == np.dtype(dtype) and got.dtype.isnative and got.shape == (3, 4, 5)
    np.testing.assert_array_equal(got, arr)
    got[0, 0, 0] = 1  # writable


def test_read_idx_labels_1d(tmp_path):
    labels = np.array([5, 0, 4, 1, 9], np.uint8)
    np.testing.assert_array_equal(read_idx(write(tmp_path / "l", idx_bytes(labels))), labels)


@pytest.mark.parametrize("gz", [False, True])
def test_read_idx_truncated_and_trailing(tmp_path, gz):
    good = idx_bytes(np.arange(60, dtype=np.uint8).reshape(3, 4, 5))
    with pytest.raises(DataFormatError, match=r"t\.idx.*truncated"):
        read_idx(write(tmp_path / "t.idx", good[:-7], gz))
    with pytest.raises(DataFormatError, match=r"t\.idx.*truncated"):
        read_idx(write(tmp_path / "t.idx", good[:10], gz))  # inside the dimension sizes
    with pytest.raises(DataFormatError, match="trailing"):
        read_idx(write(tmp_path / "t.idx", good + b"\0\0", gz))


def test_read_idx_bad_header(tmp_path):
    good = idx_bytes(np.zeros((2, 2), np.uint8))
    with pytest.raises(DataFormatError, match="two zero bytes"):
        read_idx(write(tmp_path / "m", b"\x01" + good[1:]))
    with pytest.raises(DataFormatError, match="unknown IDX data type 0x07"):
        read_idx(write(tmp_path / "m", good[:2] + b"\x07" + good[3:]))
    with pytest.raises(DataFormatError, match="too short"):
        read_idx(write(tmp_path / "m", b"\0\0"))
    # a header claiming a huge size must fail on the size check, not try to allocate it
    huge = bytes([0, 0, 0x08, 2]) + struct.pack(">II", 2**31, 2**31) + b"\0" * 8
    with pytest.raises(DataFormatError, match="truncated"):
        read_idx(write(tmp_path / "h", huge))
    with pytest.raises(DataFormatError, match="truncated"):
        read_idx(write(tmp_path / "h.gz", huge, gz=True))
    with pytest.raises(FileNotFoundError, match="no such file"):
        read_idx(tmp_path / "missing")


def test_read_idx_corrupt_gzip(tmp_path):
    blob = gzip.compress(idx_bytes(np.arange(1000, dtype=np.int32)))
    with pytest.raises(DataFormatError, match=r"c\.gz.*gzip"):
        read_idx(write(tmp_path / "c.gz", blob[:len(blob) // 2]))
    flipped = bytearray(blob)
    flipped[len(blob) // 2] ^= 0xFF
    with pytest.raises(DataFormatError, match=r"c\.gz"):
        read_idx(write(tmp_path / "c.gz", bytes(flipped)))


def test_idx_dataset_scales_and_checks_counts(tmp_path):
    images = np.random.default_rng(0).integers(0, 256, (4, 28, 28)).astype(np.uint8)
    labels = np.array([3, 1, 4, 1], np.uint8)
    xi = write(tmp_path / "x.gz", idx_bytes(images), gz=True)
    ds = idx_dataset(xi, write(tmp_path / "y", idx_bytes(labels)))
    x, y = ds.tensors
    assert x.shape == (4, 1, 28, 28) and x.dtype == np.float32 and y.dtype == np.int64
    np.testing.assert_allclose(x[:, 0], images / 255.0, rtol=1e-6)
    np.testing.assert_array_equal(y, labels)
    with pytest.raises(DataFormatError, match="expected 4 labels"):
        idx_dataset(xi, write(tmp_path / "y3", idx_bytes(labels[:3])))


def cifar_records(labels, seed):
    images = np.random.default_rng(seed).integers(0, 256, (len(labels), 3, 32, 32)).astype(np.uint8)
    raw = b"".join(bytes([lab]) + img.tobytes() for lab, img in zip(labels, images))  # label then R, G, B planes
    return images, raw


def _cifar_dir(tmp_path, gz=False):
    d = tmp_path / "cifar-10-batches-bin"
    d.mkdir()
    expected = []
    for k, name in enumerate([f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"]):
        labels = [(k + j) % 10 for j in range(3)]
        images, raw = cifar_records(labels, k)
        write(d / name, raw, gz)
        expected.append((images, labels))
    return d, expected


@pytest.mark.parametrize("gz", [False, True])
def test_read_cifar10(tmp_path, gz):
    d, expected = _cifar_dir(tmp_path, gz)
    (xtr, ytr), (xte, yte) = read_cifar10(tmp_path)  # finds the cifar-10-batches-bin sub-folder
    assert xtr.shape == (15, 3, 32, 32) and xtr.dtype == np.uint8 and ytr.dtype == np.int64
    np.testing.assert_array_equal(xtr, np.concatenate([e[0] for e in expected[:5]]))
    np.testing.assert_array_equal(ytr, sum((e[1] for e in expected[:5]), []))
    np.testing.assert_array_equal(xte, expected[5][0])
    np.testing.assert_array_equal(yte, expected[5][1])
    train, test = cifar10(d)
    assert train.tensors[0].dtype == np.float32 and len(test) == 3
    np.testing.assert_allclose(test.tensors[0], expected[5][0] / 255.0, rtol=1e-6)


def test_read_cifar10_errors(tmp_path):
    d, _ = _cifar_dir(tmp_path)
    raw = (d / "data_batch_3.bin").read_bytes()
    (d / "data_batch_3.bin").write_bytes(raw[:-100])
    with pytest.raises(DataFormatError, match=r"data_batch_3\.bin.*whole number of CIFAR-10 records"):
        read_cifar10(d)
    (d / "data_batch_3.bin").write_bytes(raw[:3073] + bytes([200]) + raw[3074:])
    with pytest.raises(DataFormatError, match=r"data_batch_3\.bin: record 1 has label 200"):
        read_cifar10(d)
    (d / "data_batch_3.bin").unlink()
    with pytest.raises(FileNotFoundError, match="data_batch_3.bin"):
        read_cifar10(d)
