"""Safe checkpoints: ``gradbook.save(obj, path)`` / ``gradbook.load(path)`` (``torch.save``/``torch.load``
for state dicts, without pickle).

``obj`` is a state dict: nested dicts (str or int keys), lists and tuples whose leaves are arrays,
gradbook Tensors (saved as their arrays), NumPy scalars, Python ints, floats, bools, strings and
None. The file is

* ``.npz`` (any path not ending in ``.safetensors``): one entry per array, plus the entry
  ``__gradbook_manifest__``, a uint8 array holding UTF-8 JSON: the nesting, the scalars, the
  format version and a SHA-256 of that structure and of every array's name, dtype, shape and bytes;
* ``.safetensors``: the same arrays, the manifest in the header's ``__metadata__`` (with a
  ``gradbook`` marker beside it, so a damaged manifest key is not mistaken for a foreign file).

Loading never runs code: NumPy reads with ``allow_pickle=False`` and an entry that would need
pickle (an object array) is refused. A truncated or altered file fails its checksum (or its
container's own checks) and raises ``CheckpointError`` naming the file; nothing is half-loaded.
Writes go to a temporary file in the target's directory, are fsynced, then ``os.replace``d over
the target, so a failed write leaves any previous file intact.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any, Callable

import numpy as np

from .autograd.tensor import Tensor

FORMAT = "gradbook-checkpoint"
VERSION = 1
MANIFEST_KEY = "__gradbook_manifest__"
_ARRAY_KINDS = "biufc"  # bool, ints, unsigned, floats, complex: what loads without pickle


class CheckpointError(ValueError):
    """A checkpoint cannot be written or read safely (unsupported value, corrupt, truncated,
    from a newer format, or holding data that would need pickle)."""


# ----------------------------------------------------------------------------- structure
def _contiguous(a: np.ndarray) -> np.ndarray:
    return a if a.flags.c_contiguous else a.copy(order="C")  # (np.ascontiguousarray makes 0-d 1-d)


def _encode_key(key: Any, where: str) -> list:
    if isinstance(key, str):
        return ["s", key]
    if isinstance(key, (int, np.integer)) and not isinstance(key, (bool, np.bool_)):
        return ["i", int(key)]
    raise CheckpointError(f"save: dict keys must be str or int, got {type(key).__name__} {key!r} at {where}")


def _flatten(obj: Any, where: str, arrays: dict[str, np.ndarray]) -> Any:
    """The JSON node for ``obj``; arrays go into ``arrays`` under a unique readable name."""
    if isinstance(obj, Tensor):
        obj = obj.data
    if isinstance(obj, np.ndarray) or isinstance(obj, np.generic) and not isinstance(obj, (np.str_, np.bytes_)):
        arr = np.asarray(obj)
        if arr.dtype.kind not in _ARRAY_KINDS:
            raise CheckpointError(f"save: {where} is an array of dtype {arr.dtype}; only bool, integer, "
                                  "float and complex arrays can be stored without pickle")
        name = where or "value"
        while name in arrays or name == MANIFEST_KEY:
            name += "_"
        arrays[name] = _contiguous(arr)
        return {"scalar" if isinstance(obj, np.generic) else "array": name}
    if obj is None:
        return {"none": None}
    if isinstance(obj, bool):
        return {"bool": obj}
    if isinstance(obj, int):
        return {"int": obj}
    if isinstance(obj, float):
        return {"float": obj}  # JSON keeps repr(float) exactly; NaN/inf as NaN/Infinity
    if isinstance(obj, str):
        return {"str": obj}
    if isinstance(obj, dict):
        return {"dict": [[_encode_key(k, where or "the top level"),
                          _flatten(v, f"{where}/{k}" if where else str(k), arrays)] for k, v in obj.items()]}
    if isinstance(obj, (list, tuple)):
        kind = "tuple" if isinstance(obj, tuple) else "list"
        return {kind: [_flatten(v, f"{where}/{i}" if where else str(i), arrays) for i, v in enumerate(obj)]}
    raise CheckpointError(f"save: cannot store {type(obj).__name__} at {where or 'the top level'}; a checkpoint "
                          "holds dicts, lists, tuples, arrays, Tensors, numbers, bools, strings and None")


def _unflatten(node: Any, arrays: dict[str, np.ndarray], path: Path) -> Any:
    if not isinstance(node, dict) or len(node) != 1:
        raise CheckpointError(f"{path}: corrupt manifest: unexpected node {str(node)[:80]}")
    (kind, value), = node.items()
    if kind in ("array", "scalar"):
        if value not in arrays:
            raise CheckpointError(f"{path}: corrupt: the manifest names an array {value!r} the file lacks")
        return arrays[value] if kind == "array" else arrays[value][()]
    if kind == "dict":
        return {(k if t == "s" else int(k)): _unflatten(v, arrays, path) for (t, k), v in value}
    if kind in ("list", "tuple"):
        items = [_unflatten(v, arrays, path) for v in value]
        return tuple(items) if kind == "tuple" else items
    if kind in ("none", "bool", "int", "float", "str"):
        return value
    raise CheckpointError(f"{path}: corrupt manifest: unknown node kind {kind!r}")


def _digest(tree: Any, arrays: dict[str, np.ndarray]) -> str:
    """SHA-256 over the structure (keys, scalars) and every array's name, dtype, shape and bytes."""
    h = hashlib.sha256(json.dumps(tree).encode())
    for name in sorted(arrays):
        a = _contiguous(arrays[name])
        h.update(json.dumps([name, a.dtype.str, list(a.shape)]).encode())
        h.update(a.reshape(-1).view(np.uint8))
    return h.hexdigest()


# ----------------------------------------------------------------------------- writing
def _file_mode(path: Path) -> int:
    """The mode a plain ``open(path, "wb")`` would give: the old file's, else 0o666 minus the umask
    (mkstemp makes 0o600 files; read the umask without os.umask, which would race other threads)."""
    if path.exists():
        return path.stat().st_mode & 0o7777
    try:
        with open("/proc/self/status") as f:
            umask = next(int(line.split()[1], 8) for line in f if line.startswith("Umask:"))
    except (OSError, StopIteration, ValueError):
        umask = 0o022
    return 0o666 & ~umask


def write_atomic(path: str | os.PathLike, data: bytes | str) -> None:
    """Write ``data`` (text is UTF-8 encoded) to ``path`` atomically: a reader sees the old file or
    the whole new one, never a half-written one. Used for reports and caches as well as models."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    _atomic_write(Path(path), lambda f: f.write(payload))


def _atomic_write(path: Path, write: Callable[[Any], None]) -> None:
    """Write through ``write(file)`` into a temp file beside ``path``, fsync, then rename over it."""
    mode = _file_mode(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    try:  # make the rename itself durable; not every platform can open a directory
        dfd = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dfd)
    except OSError:
        pass
    finally:
        os.close(dfd)


def _write_npz(f, arrays: dict[str, np.ndarray], manifest: bytes) -> None:
    np.savez(f, **arrays, **{MANIFEST_KEY: np.frombuffer(manifest, np.uint8)})


def _write_safetensors(f, arrays: dict[str, np.ndarray], manifest: bytes) -> None:
    from safetensors.numpy import save

    for name, a in arrays.items():
        if a.dtype.kind == "c":
            raise CheckpointError(f"save: {name} is complex ({a.dtype}); safetensors cannot store complex "
                                  "arrays, save to .npz instead")
    # the marker guards the manifest's key: damage to either is noticed, never read as a foreign file
    f.write(save(arrays, metadata={MANIFEST_KEY: manifest.decode(), "gradbook": FORMAT}))


def save(obj: Any, path: str | os.PathLike) -> None:
    """Save a state dict ``obj`` to ``path`` (``.safetensors`` by suffix, else ``.npz``), atomically.

    Tensors are stored as arrays (dtype kept: float32 stays float32); see the module docstring for
    what ``obj`` may hold.
    """
    path = Path(path)
    arrays: dict[str, np.ndarray] = {}
    tree = _flatten(obj, "", arrays)
    info = {"format": FORMAT, "version": VERSION, "tree": tree, "sha256": _digest(tree, arrays)}
    manifest = json.dumps(info).encode()
    writer = _write_safetensors if path.suffix == ".safetensors" else _write_npz
    if not path.parent.is_dir():
        raise FileNotFoundError(f"save: the directory {path.parent} does not exist")
    _atomic_write(path, lambda f: writer(f, arrays, manifest))


# ----------------------------------------------------------------------------- reading
def _read_npz(path: Path) -> tuple[dict[str, np.ndarray], bytes | None]:
    arrays: dict[str, np.ndarray] = {}
    with np.load(path, allow_pickle=False) as npz:
        for name in npz.files:
            try:
                arrays[name] = npz[name]
            except ValueError as exc:
                if "allow_pickle" in str(exc) or "pickle" in str(exc).lower():
                    raise CheckpointError(f"{path}: entry {name!r} is an object array that would need pickle "
                                          "to load; refused (loading a checkpoint never runs code)") from exc
                raise
    for name, a in arrays.items():
        if a.dtype.kind not in _ARRAY_KINDS:
            raise CheckpointError(f"{path}: entry {name!r} has dtype {a.dtype}, which a gradbook checkpoint never "
                                  "holds; refused")
    manifest = arrays.pop(MANIFEST_KEY, None)
    return arrays, None if manifest is None else manifest.tobytes()


def _read_safetensors(path: Path) -> tuple[dict[str, np.ndarray], bytes | None]:
    from safetensors import safe_open

    with safe_open(str(path), framework="np") as f:
        meta = f.metadata() or {}
        arrays = {name: f.get_tensor(name) for name in f.keys()}
    manifest = meta.get(MANIFEST_KEY)
    if (manifest is None) != (meta.get("gradbook") != FORMAT):
        raise CheckpointError(f"{path}: corrupt header: the gradbook marker and manifest do not agree")
    return arrays, None if manifest is None else manifest.encode()


def load(path: str | os.PathLike) -> Any:
    """Load what ``save`` wrote: the same nesting, arrays as NumPy arrays (dtypes kept), scalars as
    they were. Raises ``CheckpointError`` (naming the file) when the file is corrupt, truncated, from
    a newer format version, not a gradbook checkpoint, or holds anything that would need pickle.
    A ``.safetensors`` file without a gradbook manifest loads as a flat dict of its arrays.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"load: no such file: {path}")
    with open(path, "rb") as f:
        head = f.read(9)
    is_zip = head[:2] == b"PK"
    if not is_zip and head[8:9] != b"{":  # safetensors: 8-byte header length, then a JSON header
        raise CheckpointError(f"{path}: not a gradbook checkpoint: neither an npz (zip) nor a safetensors file "
                              f"(starts with {head[:9]!r})")
    try:
        arrays, manifest = (_read_npz if is_zip else _read_safetensors)(path)
    except CheckpointError:
        raise
    except Exception as exc:  # zip/npy/safetensors parse errors: truncated or altered bytes
        kind = "npz" if is_zip else "safetensors"
        raise CheckpointError(f"{path}: not a readable {kind} checkpoint, corrupt or truncated "
                              f"({type(exc).__name__}: {exc})") from exc
    if manifest is None:
        if not is_zip:
            return arrays
        raise CheckpointError(f"{path}: not a gradbook checkpoint (no {MANIFEST_KEY} entry); read plain .npz "
                              "files with numpy.load(path, allow_pickle=False)")
    try:
        info = json.loads(manifest.decode("utf-8"))
        fmt, version, tree, digest = info["format"], info["version"], info["tree"], info["sha256"]
    except (ValueError, KeyError, TypeError) as exc:
        raise CheckpointError(f"{path}: corrupt manifest ({exc})") from exc
    if fmt != FORMAT:
        raise CheckpointError(f"{path}: manifest format {fmt!r}, expected {FORMAT!r}")
    if not isinstance(version, int) or version > VERSION:
        raise CheckpointError(f"{path}: written in checkpoint format version {version}; this gradbook reads "
                              f"versions up to {VERSION} (upgrade gradbook)")
    if _digest(tree, arrays) != digest:
        raise CheckpointError(f"{path}: checksum mismatch: the contents are not what was saved "
                              "(corrupt or altered file)")
    try:
        return _unflatten(tree, arrays, path)
    except CheckpointError:
        raise
    except (ValueError, TypeError, KeyError) as exc:  # a manifest that passed the checksum yet is malformed
        raise CheckpointError(f"{path}: corrupt manifest ({exc})") from exc


__all__ = ["CheckpointError", "load", "save"]
