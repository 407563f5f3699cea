"""CIFAR-10's python version read through the restricted unpickler: synthetic batches written by
the test (as the real ones: pickled dicts of a uint8 (N, 3072) array and a label list), NumPy 1's
global names as in the published files, and pickles naming any other global refused unrun."""
from __future__ import annotations

import pickle

import numpy as np
import pytest

from gradbook.data import DataFormatError, read_cifar10
from gradbook.data.safe_pickle import load_array_pickle


def write_python_batches(directory, per_batch: int = 6, seed: int = 0, numpy1_names: bool = False):
    """data_batch_1..5 and test_batch under directory/cifar-10-batches-py; returns the arrays written."""
    rng = np.random.default_rng(seed)
    root = directory / "cifar-10-batches-py"
    root.mkdir(parents=True)
    written = {}
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        data = rng.integers(0, 256, (per_batch, 3072), dtype=np.uint8)
        labels = [int(v) for v in rng.integers(0, 10, per_batch)]
        raw = pickle.dumps({b"batch_label": name.encode(), b"labels": labels, b"data": data,
                            b"filenames": [b"x.png"] * per_batch}, protocol=2)
        if numpy1_names:  # the published files were pickled by NumPy 1
            raw = raw.replace(b"numpy._core.multiarray", b"numpy.core.multiarray")
        (root / name).write_bytes(raw)
        written[name] = (data, np.array(labels))
    return written


@pytest.mark.parametrize("numpy1_names", [False, True])
def test_reads_the_python_version(tmp_path, numpy1_names):
    written = write_python_batches(tmp_path, numpy1_names=numpy1_names)
    (xtr, ytr), (xte, yte) = read_cifar10(tmp_path)
    data = np.concatenate([written[f"data_batch_{i}"][0] for i in range(1, 6)])
    np.testing.assert_array_equal(xtr, data.reshape(-1, 3, 32, 32))
    np.testing.assert_array_equal(xtr[3, 1, 2, 5], data[3, 1024 + 2 * 32 + 5])  # channel-major, row-major pixels
    np.testing.assert_array_equal(ytr, np.concatenate([written[f"data_batch_{i}"][1] for i in range(1, 6)]))
    np.testing.assert_array_equal(xte.reshape(-1, 3072), written["test_batch"][0])
    assert yte.dtype == np.int64 and xtr.dtype == np.uint8


class _RunsCode:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (exec, (f"open({str(self.marker)!r}, 'w').write('ran')",))


def test_a_pickle_naming_any_other_global_is_refused_without_running(tmp_path):
    marker = tmp_path / "ran.txt"
    evil = pickle.dumps({b"data": _RunsCode(marker), b"labels": []}, protocol=2)
    with pytest.raises(DataFormatError, match=r"refusing to unpickle the global (__builtin__|builtins)\.exec"):
        load_array_pickle(evil, "evil")
    assert not marker.exists()
    for obj, name in ((np.load, "numpy.load"), (pickle.loads, "pickle.loads"), (_RunsCode, "_RunsCode")):
        with pytest.raises(DataFormatError, match=f"global .*{name}"):
            load_array_pickle(pickle.dumps(obj, protocol=2), "x")


class _Encodes:
    def __reduce__(self):
        import _codecs
        return (_codecs.encode, ("abc", "rot13"))


def test_codecs_encode_is_allowed_only_as_latin1():
    """protocol-2 pickles from Python 3 store an array's bytes as _codecs.encode(str, 'latin1')"""
    assert load_array_pickle(pickle.dumps(np.arange(3, dtype=np.uint8), protocol=2), "x").tolist() == [0, 1, 2]
    with pytest.raises(DataFormatError, match="only as str → latin-1"):
        load_array_pickle(pickle.dumps(_Encodes(), protocol=2), "x")


def test_a_poisoned_batch_file_is_refused(tmp_path):
    write_python_batches(tmp_path)
    marker = tmp_path / "ran.txt"
    (tmp_path / "cifar-10-batches-py" / "data_batch_3").write_bytes(pickle.dumps({b"data": _RunsCode(marker)}))
    with pytest.raises(DataFormatError, match="data_batch_3: refusing"):
        read_cifar10(tmp_path)
    assert not marker.exists()


def test_malformed_python_batches_name_the_problem(tmp_path):
    write_python_batches(tmp_path)
    batch = tmp_path / "cifar-10-batches-py" / "test_batch"
    batch.write_bytes(pickle.dumps({b"data": np.zeros((2, 100), np.uint8), b"labels": [0, 1]}))
    with pytest.raises(DataFormatError, match=r"test_batch: 'data' must be a uint8 array of shape \(N, 3072\)"):
        read_cifar10(tmp_path)
    batch.write_bytes(pickle.dumps({b"data": np.zeros((2, 3072), np.uint8), b"labels": [0, 12]}))
    with pytest.raises(DataFormatError, match="label 12"):
        read_cifar10(tmp_path)
    batch.write_bytes(b"\x80\x02}q\x00")
    with pytest.raises(DataFormatError, match="not a readable pickle"):
        read_cifar10(tmp_path)
