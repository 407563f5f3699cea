"""The compressed file round-trips every kind of tensor to the same dense array, stores bitstreams
as uint8 and loads without pickle, refuses newer versions and other files."""
import zipfile

import numpy as np
import pytest

from gradbook import io, nn
from gradbook.compress import fileformat, prune, quantize


def _sparse_weight(seed=0, shape=(12, 20), keep=0.15):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal(shape) * (rng.random(shape) < keep)).astype(np.float32)


@pytest.mark.parametrize("use_huffman", [False, True])
def test_every_kind_round_trips(tmp_path, use_huffman):
    rng = np.random.default_rng(1)
    layer = nn.Linear(20, 12)
    layer.weight.data[...] = _sparse_weight(keep=0.4)
    quantize.quantize(layer, bits=3)
    centroids, indices = quantize.codebook(layer)
    w_bin = rng.standard_normal((4, 3, 2, 2)).astype(np.float32)
    tensors = {
        "dense": fileformat.encode_dense(rng.standard_normal((3, 4))),
        "scalar": fileformat.encode_dense(np.array(7, np.int64)),
        "sparse": fileformat.encode_sparse(_sparse_weight(), use_huffman),
        "shared": fileformat.encode_shared(centroids, indices, np.float32, use_huffman),
        "shared_full": fileformat.encode_shared(centroids, np.where(indices == 8, 0, indices), np.float32, use_huffman),
        "bwn": fileformat.encode_binary(w_bin, True),
        "signs": fileformat.encode_binary(w_bin, False),
    }
    path = tmp_path / "m.npz"
    size = fileformat.save(path, tensors, {"model": "test"})
    assert size == path.stat().st_size
    state, meta = fileformat.load(path)
    assert meta == {"model": "test"}
    np.testing.assert_array_equal(state["dense"], tensors["dense"]["values"])
    assert state["scalar"].shape == () and state["scalar"] == 7
    np.testing.assert_array_equal(state["sparse"], _sparse_weight())
    np.testing.assert_array_equal(state["shared"], layer.weight.data)
    alpha = np.abs(w_bin).reshape(4, -1).mean(1)
    np.testing.assert_allclose(state["bwn"], np.where(w_bin >= 0, 1, -1) * alpha[:, None, None, None], rtol=1e-6)
    np.testing.assert_array_equal(state["signs"], np.where(w_bin >= 0, 1, -1))
    assert state["shared"].dtype == np.float32
    with np.load(path, allow_pickle=False) as npz:  # nothing in the file needs pickle: two uint8 members
        assert sorted(npz.files) == ["__gradbook_manifest__", "data"]
        assert all(npz[k].dtype == np.uint8 for k in npz.files)
        assert npz["data"].size == fileformat.payload_bytes(tensors)


def test_huffman_beats_fixed_width_on_skewed_indices_and_gaps_on_very_sparse_masks():
    rng = np.random.default_rng(2)
    indices = rng.choice(16, size=4000, p=np.r_[0.7, np.full(15, 0.02)]).reshape(40, 100)
    fixed = fileformat.encode_shared(np.arange(16.0), indices, np.float32, False)
    coded = fileformat.encode_shared(np.arange(16.0), indices, np.float32, True)
    assert fixed["indices"].nbytes == 4000 * 4 // 8
    assert coded["indices_huffman"].nbytes < 0.6 * fixed["indices"].nbytes
    w = _sparse_weight(3, (100, 100), keep=0.02)
    assert "gaps_huffman" in fileformat.encode_sparse(w, True)
    assert "mask" in fileformat.encode_sparse(w, False)


def test_pruned_and_quantised_model_weights_round_trip(tmp_path):
    model = nn.Sequential(nn.Linear(30, 20), nn.ReLU(), nn.Linear(20, 5))
    prune.magnitude(model, amount=0.7, scope="global")
    for m, n in prune.prunable(model):
        prune.remove(m, n)
    quantize.quantize(model, bits=4)
    want = {f"{i}.weight": model[i].weight.data.copy() for i in (0, 2)}
    tensors = {k: fileformat.encode_shared(*quantize.codebook(model[int(k[0])]), np.float32, True) for k in want}
    fileformat.save(tmp_path / "q.npz", tensors)
    state, _ = fileformat.load(tmp_path / "q.npz")
    for k, w in want.items():
        np.testing.assert_array_equal(state[k], w)


def test_newer_versions_foreign_files_and_corruption_are_refused(tmp_path):
    io.save({"format": fileformat.FORMAT, "version": fileformat.VERSION + 1, "meta": {}, "tensors": {}},
            tmp_path / "new.npz")
    with pytest.raises(io.CheckpointError, match="version 2"):
        fileformat.load(tmp_path / "new.npz")
    io.save({"weights": np.zeros(3)}, tmp_path / "other.npz")
    with pytest.raises(io.CheckpointError, match="not a gradbook compressed model"):
        fileformat.load(tmp_path / "other.npz")
    fileformat.save(tmp_path / "ok.npz", {"w": fileformat.encode_sparse(_sparse_weight())})
    data = bytearray((tmp_path / "ok.npz").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (tmp_path / "bad.npz").write_bytes(bytes(data))
    with pytest.raises((io.CheckpointError, zipfile.BadZipFile)):
        fileformat.load(tmp_path / "bad.npz")
    bad_offset = {"w": {"kind": "dense", "values": ("array", "<f4", [4], 8)}}
    io.save({"format": fileformat.FORMAT, "version": 1, "meta": {}, "tensors": bad_offset,
             "data": np.zeros(16, np.uint8)}, tmp_path / "off.npz")
    with pytest.raises(io.CheckpointError, match="does not fit the 16-byte data block"):
        fileformat.load(tmp_path / "off.npz")
    with pytest.raises(ValueError, match="not an encoded entry"):
        fileformat.save(tmp_path / "x.npz", {"w": np.zeros(3)})
