"""Checkpoints: round trips, refusal of pickle-bearing / truncated / altered / future files, atomic writes."""
from __future__ import annotations

import json
import math
import os
import zipfile

import numpy as np
import pytest

import gradbook as gb
from gradbook import io as gio
from gradbook.io import CheckpointError

FORMATS = ["ckpt.npz", "ckpt.safetensors"]


def _state():
    rng = np.random.default_rng(0)
    return {
        "model": {"conv1.weight": gb.tensor(rng.standard_normal((6, 1, 5, 5)).astype(np.float32)),
                  "conv1.bias": rng.standard_normal(6).astype(np.float32),
                  "bn.num_batches_tracked": np.array(7, np.int64),
                  "fc.weight": rng.standard_normal((3, 4)).T},  # float64, not contiguous
        "optimizer": {"state": {0: {"step": 3, "exp_avg": np.ones((2, 2), np.float32)}, 1: {}},
                      "param_groups": [{"lr": 1e-3, "betas": (0.9, 0.999), "amsgrad": False, "params": [0, 1],
                                        "foreach": None}]},
        "epoch": 4,
        "history": {"loss": [2.3, 0.7, float("nan"), float("inf")], "acc": [0.5, 0.9]},
        "note": "lenet on mnist-sample ✓",
        "flags": np.array([True, False]),
        "scalars": [np.float32(0.25), np.int16(-3), np.float16(1.5)],
        "empty": np.zeros((0, 3), np.uint8),
        "nested": [[1, [2, (3, {"deep": np.arange(3, dtype=np.int32)})]]],
    }


def _same(a, b):
    if isinstance(a, gb.Tensor):
        a = a.data
    if isinstance(a, dict):
        assert isinstance(b, dict) and list(a) == list(b)
        for k in a:
            _same(a[k], b[k])
    elif isinstance(a, (list, tuple)):
        assert type(a) is type(b) and len(a) == len(b)
        for x, y in zip(a, b):
            _same(x, y)
    elif isinstance(a, (np.ndarray, np.generic)):
        assert type(b) is type(a) and b.dtype == a.dtype and b.shape == a.shape
        np.testing.assert_array_equal(b, a)
    elif isinstance(a, float) and math.isnan(a):
        assert isinstance(b, float) and math.isnan(b)
    else:
        assert type(b) is type(a) and b == a


@pytest.mark.parametrize("name", FORMATS)
def test_round_trip_nested_state(tmp_path, name):
    state = _state()
    gb.save(state, tmp_path / name)
    back = gb.load(tmp_path / name)
    _same(state, back)
    assert back["model"]["conv1.weight"].dtype == np.float32  # float32 stays float32
    assert isinstance(back["optimizer"]["state"][0], dict)  # int keys stay ints
    assert os.listdir(tmp_path) == [name]  # no temp file left behind


def test_npz_is_a_plain_npz_with_a_json_manifest(tmp_path):
    gb.save({"w": np.ones(2, np.float32), "epoch": 1}, tmp_path / "m.npz")
    with np.load(tmp_path / "m.npz", allow_pickle=False) as z:
        assert set(z.files) == {"w", gio.MANIFEST_KEY}
        manifest = json.loads(z[gio.MANIFEST_KEY].tobytes())
    assert manifest["version"] == gio.VERSION and manifest["tree"]["dict"][1] == [["s", "epoch"], {"int": 1}]


def test_save_refuses_what_would_need_pickle(tmp_path):
    with pytest.raises(CheckpointError, match="cannot store object"):
        gb.save({"x": object()}, tmp_path / "a.npz")
    with pytest.raises(CheckpointError, match="dtype object"):
        gb.save({"x": np.array([{}], dtype=object)}, tmp_path / "a.npz")
    with pytest.raises(CheckpointError, match="keys must be str or int"):
        gb.save({(1, 2): 1}, tmp_path / "a.npz")
    with pytest.raises(CheckpointError, match="complex"):
        gb.save({"z": np.ones(2, np.complex64)}, tmp_path / "a.safetensors")
    assert os.listdir(tmp_path) == []


class _Boom:
    ran = False

    def __reduce__(self):
        return (_Boom._explode, ())

    @staticmethod
    def _explode():
        _Boom.ran = True
        return "exploded"


def test_malicious_npz_with_object_array_is_refused_not_executed(tmp_path):
    path = tmp_path / "evil.npz"
    np.savez(path, weights=np.array([_Boom()], dtype=object))  # pickled inside the npz
    with pytest.raises(CheckpointError, match=r"evil\.npz: entry 'weights' is an object array .*pickle"):
        gb.load(path)
    assert not _Boom.ran
    # the same with a valid manifest that names the poisoned entry
    gb.save({"weights": np.zeros(1)}, tmp_path / "good.npz")
    with zipfile.ZipFile(tmp_path / "good.npz") as z:
        manifest = z.read(gio.MANIFEST_KEY + ".npy")
    np.savez(path, weights=np.array([_Boom()], dtype=object))
    with zipfile.ZipFile(path, "a") as z:
        z.writestr(gio.MANIFEST_KEY + ".npy", manifest)
    with pytest.raises(CheckpointError, match="pickle"):
        gb.load(path)
    assert not _Boom.ran


def test_plain_npz_without_manifest_is_refused(tmp_path):
    np.savez(tmp_path / "plain.npz", w=np.ones(3))
    with pytest.raises(CheckpointError, match="not a gradbook checkpoint"):
        gb.load(tmp_path / "plain.npz")


@pytest.mark.parametrize("name", FORMATS)
@pytest.mark.parametrize("keep", [0.3, 0.7, 0.99])
def test_truncated_file_is_detected_and_named(tmp_path, name, keep):
    path = tmp_path / name
    gb.save(_state(), path)
    raw = path.read_bytes()
    path.write_bytes(raw[:int(len(raw) * keep)])
    with pytest.raises(CheckpointError, match=name.replace(".", r"\.")):
        gb.load(path)


@pytest.mark.parametrize("name", FORMATS)
def test_every_bit_flip_and_every_truncation_is_detected_or_harmless(tmp_path, name):
    """Exhaustive over a small file: flip one bit in every byte, cut the file at every length."""
    path = tmp_path / name
    ref = {"w": np.arange(40, dtype=np.float32), "epoch": 2, "h": {"loss": [1.5]}, 3: None, "s": "x"}
    gb.save(ref, path)
    raw = path.read_bytes()
    harmless = 0
    for pos in range(len(raw)):
        bad = bytearray(raw)
        bad[pos] ^= 1 << (pos % 8)
        path.write_bytes(bytes(bad))
        try:
            back = gb.load(path)
        except CheckpointError as exc:
            assert str(path) in str(exc)
            continue
        _same(ref, back)  # only bytes no reader depends on (zip timestamps, JSON spacing) may change
        harmless += 1
    assert harmless < len(raw) // 2
    for cut in range(len(raw)):
        path.write_bytes(raw[:cut])
        with pytest.raises(CheckpointError, match=name.replace(".", r"\.")):
            gb.load(path)


def test_flipped_array_byte_fails_the_checksum(tmp_path):
    path = tmp_path / "w.safetensors"
    gb.save({"w": np.zeros(64, np.float32)}, path)
    raw = bytearray(path.read_bytes())
    raw[-3] ^= 0x40  # inside the array's data: the container cannot tell, the checksum can
    path.write_bytes(bytes(raw))
    with pytest.raises(CheckpointError, match=r"w\.safetensors: checksum mismatch"):
        gb.load(path)


def test_future_version_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(gio, "VERSION", 99)
    gb.save({"a": 1}, tmp_path / "f.npz")
    monkeypatch.setattr(gio, "VERSION", 1)
    with pytest.raises(CheckpointError, match="format version 99.*up to 1"):
        gb.load(tmp_path / "f.npz")


@pytest.mark.parametrize("name", FORMATS)
def test_failed_write_keeps_the_old_file_and_leaves_no_temp(tmp_path, monkeypatch, name):
    path = tmp_path / name
    gb.save({"version": "old", "w": np.ones(3)}, path)
    before = path.read_bytes()
    writer = "_write_safetensors" if name.endswith("safetensors") else "_write_npz"
    original = getattr(gio, writer)

    def half_then_fail(f, arrays, manifest):
        original(f, arrays, manifest)
        f.seek(10)
        f.truncate()
        raise OSError("disk full")

    monkeypatch.setattr(gio, writer, half_then_fail)
    with pytest.raises(OSError, match="disk full"):
        gb.save({"version": "new", "w": np.zeros(3)}, path)
    assert path.read_bytes() == before and os.listdir(tmp_path) == [name]
    monkeypatch.setattr(gio, writer, original)
    assert gb.load(path)["version"] == "old"


def test_failed_rename_leaves_no_temp(tmp_path, monkeypatch):
    def no_replace(src, dst):
        raise PermissionError("read-only target")

    monkeypatch.setattr(gio.os, "replace", no_replace)
    with pytest.raises(PermissionError):
        gb.save({"a": 1}, tmp_path / "x.npz")
    assert os.listdir(tmp_path) == []


def test_foreign_safetensors_loads_as_flat_dict(tmp_path):
    from safetensors.numpy import save_file

    save_file({"a": np.arange(3, dtype=np.int32)}, str(tmp_path / "hf.safetensors"))
    back = gb.load(tmp_path / "hf.safetensors")
    assert list(back) == ["a"] and back["a"].dtype == np.int32


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such file"):
        gb.load(tmp_path / "nope.npz")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        gb.save({}, tmp_path / "no" / "dir.npz")


@pytest.mark.parametrize("name", FORMATS)
def test_module_state_dict_round_trip(tmp_path, name):
    from gradbook.nn.module import Module, Parameter

    class Net(Module):
        def __init__(self):
            super().__init__()
            self.weight = Parameter(gb.randn(3, 4))
            self.register_buffer("steps", gb.tensor(5))
            self.head = Module()
            self.head.bias = Parameter(gb.randn(3))

    net, fresh = Net(), Net()
    gb.save({"model": net.state_dict(), "epoch": 3}, tmp_path / name)
    fresh.load_state_dict(gb.load(tmp_path / name)["model"])
    for key, value in net.state_dict().items():
        got = fresh.state_dict()[key]
        assert got.dtype == value.dtype
        np.testing.assert_array_equal(got, value)


def test_other_files_are_refused_by_content(tmp_path):
    np.save(tmp_path / "w.npy", np.ones(3))
    (tmp_path / "t.npz").write_text("hello")
    for path in (tmp_path / "w.npy", tmp_path / "t.npz"):
        with pytest.raises(CheckpointError, match="neither an npz"):
            gb.load(path)


def test_flattened_names_that_collide_stay_apart(tmp_path):
    state = {"a/b": np.zeros(2), "a": {"b": np.ones(2)}, "1": np.full(1, 3.0), 1: np.full(1, 4.0),
             gio.MANIFEST_KEY: np.full(1, 5.0)}
    gb.save(state, tmp_path / "c.npz")
    _same(state, gb.load(tmp_path / "c.npz"))


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_new_file_gets_the_usual_permissions(tmp_path):
    gb.save({"a": 1}, tmp_path / "p.npz")
    (tmp_path / "plain").write_bytes(b"")
    assert (tmp_path / "p.npz").stat().st_mode & 0o777 == (tmp_path / "plain").stat().st_mode & 0o777
    os.chmod(tmp_path / "p.npz", 0o640)
    gb.save({"a": 2}, tmp_path / "p.npz")  # an overwrite keeps the file's mode
    assert (tmp_path / "p.npz").stat().st_mode & 0o777 == 0o640
