"""A restricted unpickler for the NumPy arrays inside dataset pickles (CIFAR-10's python version).

``pickle.load`` will call any importable function the file names, so a crafted file runs code.
:func:`load_array_pickle` resolves only the globals that rebuild a NumPy array — ``ndarray``,
``dtype`` and ``_reconstruct`` (under ``numpy.core.multiarray``, NumPy 1's name, and
``numpy._core.multiarray``, NumPy 2's) — plus ``_codecs.encode`` restricted to turning a str
into latin-1 bytes (how a protocol-2 pickle written by Python 3 stores an array's raw bytes), and
refuses every other global before anything is called. Plain containers (dicts, lists, bytes,
str, numbers) need no global and load as usual.
"""
from __future__ import annotations

import io
import pickle
from typing import Any, BinaryIO

import numpy as np

from .errors import DataFormatError

__all__ = ["ALLOWED_GLOBALS", "load_array_pickle"]

_multiarray = getattr(np, "_core", None) or np.core


def _latin1_bytes(text: str, encoding: str) -> bytes:
    """``_codecs.encode`` as protocol-2 array pickles use it, and nothing else."""
    if not isinstance(text, str) or encoding not in ("latin1", "latin-1"):
        raise DataFormatError(f"_codecs.encode is allowed only as str → latin-1 bytes, got {type(text).__name__} "
                              f"with encoding {encoding!r}")
    return text.encode("latin1")


ALLOWED_GLOBALS = {
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
    ("numpy.core.multiarray", "_reconstruct"): _multiarray.multiarray._reconstruct,
    ("numpy._core.multiarray", "_reconstruct"): _multiarray.multiarray._reconstruct,
    ("_codecs", "encode"): _latin1_bytes,
}


class _ArrayUnpickler(pickle.Unpickler):
    def __init__(self, file: BinaryIO, source: str):
        super().__init__(file, encoding="bytes")
        self.source = source

    def find_class(self, module: str, name: str) -> Any:
        found = ALLOWED_GLOBALS.get((module, name))
        if found is None:
            allowed = ", ".join(f"{m}.{n}" for m, n in ALLOWED_GLOBALS if m != "_codecs")
            raise DataFormatError(f"{self.source}: refusing to unpickle the global {module}.{name}: only the NumPy "
                                  f"array reconstruction globals ({allowed}) are allowed; the file is not a plain "
                                  "dataset pickle and loading it could run code")
        return found


def load_array_pickle(data: bytes, source: str) -> Any:
    """Unpickle ``data`` (bytes read from ``source``, named in errors) allowing only NumPy arrays
    beyond plain containers; Python 2 strings come back as ``bytes``."""
    try:
        return _ArrayUnpickler(io.BytesIO(data), source).load()
    except DataFormatError:
        raise
    except Exception as exc:  # a truncated or corrupt stream fails in many ways inside pickle
        raise DataFormatError(f"{source}: not a readable pickle ({type(exc).__name__}: {exc})") from exc
