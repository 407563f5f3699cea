"""The compressed model file: a gradbook checkpoint (``.npz``, loaded with ``allow_pickle=False``,
written atomically, checksummed: :mod:`gradbook.io`) holding

    {"format": "gradbook-compressed", "version": 1, "meta": {...}, "tensors": {name: entry},
     "data": uint8 array}

The arrays of every entry lie back to back in the one ``data`` array (an entry records each as
``("array", dtype, shape, offset)``), so a model costs two npz members and one manifest however
many small arrays it has; loading checks each dtype (bool, integer or float only), shape and
bounds before reading. Each state-dict tensor is one entry of a ``kind``:

* ``dense``  — ``values``: the array as it is;
* ``sparse`` — the nonzero ``values`` (float32) and their positions;
* ``shared`` — ``codebook`` (k float32 centroids) and one cluster index per nonzero weight, either
  ``bits`` wide and packed (``indices``) or, with Huffman and when that is smaller (code table
  included), Huffman coded (``indices_huffman`` + ``indices_lengths``), plus the positions when
  some weights are zero;
* ``binary`` — the signs packed 8 to a byte (``signs``, 1 for w ≥ 0) and, for BWN/XNOR, one scale
  ``alpha`` per output filter.

Positions of nonzeros are a packed bit mask (``mask``, one bit per weight), or with Huffman the
gaps between consecutive nonzeros Huffman coded (``gaps_huffman`` + ``gaps_lengths``), whichever
is smaller. Every bitstream is uint8; code tables are the canonical code lengths (uint8).
:func:`decode` returns the exact dense array the model computed.
"""
from __future__ import annotations

import numbers
import os
from typing import Any

import numpy as np

from .. import io
from . import huffman

__all__ = ["FORMAT", "VERSION", "encode_dense", "encode_sparse", "encode_shared", "encode_binary", "decode",
           "save", "load", "payload_bytes"]

FORMAT = "gradbook-compressed"
VERSION = 1


# ----------------------------------------------------------------------------- bit packing
def _pack_fixed(values: np.ndarray, bits: int) -> np.ndarray:
    """Each value as ``bits`` bits (most significant first), packed 8 to a byte."""
    shifts = np.arange(bits - 1, -1, -1)
    return np.packbits(((values.astype(np.int64)[:, None] >> shifts) & 1).astype(np.uint8).ravel())


def _unpack_fixed(packed: np.ndarray, bits: int, count: int) -> np.ndarray:
    raw = np.unpackbits(packed)[:count * bits].reshape(count, bits).astype(np.int64)
    return raw @ (1 << np.arange(bits - 1, -1, -1))


def _huffman_part(symbols: np.ndarray, prefix: str) -> dict[str, Any]:
    code = huffman.HuffmanCode.fit(symbols)
    if code.lengths.max(initial=0) > 255:
        raise ValueError(f"{prefix}: a Huffman code longer than 255 bits cannot be stored")
    stream, n_bits = huffman.encode(symbols, code)
    return {f"{prefix}_huffman": stream, f"{prefix}_lengths": code.lengths.astype(np.uint8),
            f"{prefix}_bits": n_bits}


def _huffman_read(entry: dict, prefix: str, count: int) -> np.ndarray:
    code = huffman.HuffmanCode(np.asarray(entry[f"{prefix}_lengths"], np.int64))
    return huffman.decode(entry[f"{prefix}_huffman"], int(entry[f"{prefix}_bits"]), count, code)


def _nbytes(part: dict) -> int:
    return sum(v.nbytes for v in part.values() if isinstance(v, np.ndarray))


def _positions(mask: np.ndarray, use_huffman: bool) -> dict[str, Any]:
    packed = {"mask": np.packbits(mask.ravel())}
    if not use_huffman or not mask.any():
        return packed
    coded = _huffman_part(huffman.gaps(mask), "gaps")
    return coded if _nbytes(coded) < _nbytes(packed) else packed


def _read_positions(entry: dict, shape: tuple[int, ...], count: int) -> np.ndarray:
    size = int(np.prod(shape))
    if "mask" in entry:
        return np.unpackbits(entry["mask"])[:size].astype(bool).reshape(shape)
    return huffman.ungaps(_huffman_read(entry, "gaps", count), shape)


# ----------------------------------------------------------------------------- encoders
def encode_dense(w: np.ndarray) -> dict[str, Any]:
    return {"kind": "dense", "values": np.asarray(w)}


def encode_sparse(w: np.ndarray, use_huffman: bool = False) -> dict[str, Any]:
    """The nonzero values and where they are."""
    w = np.asarray(w)
    nonzero = w != 0
    return {"kind": "sparse", "shape": list(w.shape), "dtype": w.dtype.str, "count": int(nonzero.sum()),
            "values": w[nonzero].astype(np.float32), **_positions(nonzero, use_huffman)}


def encode_shared(centroids: np.ndarray, indices: np.ndarray, dtype, use_huffman: bool = False) -> dict[str, Any]:
    """A weight-shared tensor: ``indices`` (the weight's shape) name a centroid, or ``len(centroids)``
    for a zero (as :mod:`.quantize` stores them)."""
    k = len(centroids)
    nonzero = indices != k
    idx = indices[nonzero]
    bits = max(int(np.ceil(np.log2(k))), 1)
    entry = {"kind": "shared", "shape": list(indices.shape), "dtype": np.dtype(dtype).str, "count": int(idx.size),
             "bits": bits, "codebook": np.asarray(centroids, np.float32)}
    fixed = {"indices": _pack_fixed(idx, bits)}
    coded = _huffman_part(idx, "indices") if use_huffman and idx.size else fixed
    entry.update(coded if _nbytes(coded) < _nbytes(fixed) else fixed)
    if not nonzero.all():
        entry.update(_positions(nonzero, use_huffman))
    return entry


def encode_binary(w: np.ndarray, per_filter_scale: bool) -> dict[str, Any]:
    """α·sign(w) (α per output filter, the mean |w| of the filter) or sign(w); 1 bit per weight."""
    w = np.asarray(w)
    entry = {"kind": "binary", "shape": list(w.shape), "dtype": w.dtype.str, "signs": np.packbits((w >= 0).ravel())}
    if per_filter_scale:
        entry["alpha"] = np.abs(w).reshape(w.shape[0], -1).mean(1).astype(np.float32)
    return entry


# ----------------------------------------------------------------------------- decoding
def decode(entry: dict, name: str = "tensor") -> np.ndarray:
    """The dense array an entry stands for."""
    kind = entry.get("kind")
    if kind == "dense":
        return np.asarray(entry["values"])
    if kind not in ("sparse", "shared", "binary"):
        raise ValueError(f"{name}: unknown tensor kind {kind!r} in the compressed file")
    shape, dtype = tuple(int(n) for n in entry["shape"]), np.dtype(entry["dtype"])
    size = int(np.prod(shape))
    if kind == "binary":
        signs = np.unpackbits(entry["signs"])[:size].reshape(shape).astype(dtype) * 2 - 1
        if "alpha" in entry:
            signs = signs * entry["alpha"].astype(dtype).reshape((-1,) + (1,) * (len(shape) - 1))
        return signs.astype(dtype)
    count = int(entry["count"])
    where = np.ones(shape, bool) if ("mask" not in entry and "gaps_huffman" not in entry) \
        else _read_positions(entry, shape, count)
    if kind == "sparse":
        values = entry["values"]
    else:
        idx = (_huffman_read(entry, "indices", count) if "indices_huffman" in entry
               else _unpack_fixed(entry["indices"], int(entry["bits"]), count))
        values = entry["codebook"][idx]
    out = np.zeros(shape, dtype)
    out[where] = values.astype(dtype)
    return out


def payload_bytes(tensors: dict[str, dict]) -> int:
    """Bytes of the arrays alone (what the weights cost before the container's own headers)."""
    return sum(_nbytes(e) for e in tensors.values())


def _pack(tensors: dict[str, dict]) -> tuple[np.ndarray, dict[str, dict]]:
    """Every array of every entry into one uint8 array; entries keep ("array", dtype, shape, offset)."""
    chunks, offset, described = [], 0, {}
    for name, entry in tensors.items():
        if not isinstance(entry, dict) or "kind" not in entry:
            raise ValueError(f"compressed save: tensor {name!r} is not an encoded entry (use encode_*)")
        described[name] = {}
        for key, value in entry.items():
            if isinstance(value, np.ndarray):
                a = value if value.flags.c_contiguous else value.copy(order="C")  # (keeps 0-d arrays 0-d)
                if a.dtype.kind not in "biuf":
                    raise ValueError(f"compressed save: {name}/{key} has dtype {a.dtype}; only bool, integer and "
                                     "float arrays are stored")
                described[name][key] = ("array", a.dtype.str, list(a.shape), offset)
                chunks.append(a.reshape(-1).view(np.uint8))
                offset += a.nbytes
            else:
                described[name][key] = value
    return (np.concatenate(chunks) if chunks else np.zeros(0, np.uint8)), described


def _unpack(data: np.ndarray, described: dict, path) -> dict[str, dict]:
    tensors = {}
    for name, entry in described.items():
        tensors[name] = {}
        for key, value in entry.items():
            if isinstance(value, tuple) and len(value) == 4 and value[0] == "array":
                _, dtype, shape, offset = value
                dt = np.dtype(dtype)
                count = int(np.prod(shape)) if len(shape) else 1
                if dt.kind not in "biuf" or not 0 <= offset <= data.size - count * dt.itemsize:
                    raise io.CheckpointError(f"{path}: {name}/{key}: array {dtype} {shape} at byte {offset} does not "
                                             f"fit the {data.size}-byte data block (corrupt file)")
                value = np.frombuffer(data, dt, count, offset).reshape(shape).copy()
            tensors[name][key] = value
    return tensors


def save(path: str | os.PathLike, tensors: dict[str, dict], meta: dict | None = None) -> int:
    """Write the entries (and ``meta``: JSON-like facts needed to rebuild the model) to ``path``
    atomically; returns the file's size in bytes."""
    data, described = _pack(tensors)
    io.save({"format": FORMAT, "version": VERSION, "meta": meta or {}, "tensors": described, "data": data}, path)
    return os.path.getsize(path)


def load(path: str | os.PathLike) -> tuple[dict[str, np.ndarray], dict]:
    """``(state_dict of dense arrays, meta)`` from a file written by :func:`save`."""
    saved = io.load(path)
    if not isinstance(saved, dict) or saved.get("format") != FORMAT:
        raise io.CheckpointError(f"{path}: not a gradbook compressed model file (format {FORMAT!r})")
    version = saved.get("version")
    if not isinstance(version, numbers.Integral) or version > VERSION:
        raise io.CheckpointError(f"{path}: compressed format version {version!r}; this gradbook reads up to {VERSION}")
    tensors = _unpack(np.asarray(saved.get("data", np.zeros(0, np.uint8)), np.uint8), saved["tensors"], path)
    return {name: decode(entry, name) for name, entry in tensors.items()}, saved["meta"]
