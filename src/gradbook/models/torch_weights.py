"""``load_torch_state_dict``: a PyTorch (torchvision) state dict into a gradbook model.

gradbook's models use torchvision's ``state_dict`` keys, shapes and order, so converting is only
reading the arrays; the model's own ``load_state_dict`` does the checking and copying. Accepted
sources, none of which runs code when read:

* a mapping of name → array (NumPy arrays, gradbook Tensors, PyTorch tensors);
* a ``.safetensors`` file (``safetensors.torch.save_file(model.state_dict(), path)`` in PyTorch);
* an ``.npz`` of arrays (``np.savez(path, **{k: v.numpy() for k, v in sd.items()})``), or a
  checkpoint that ``gradbook.save`` wrote.

A ``.pt``/``.pth`` file is a pickle, and unpickling can run arbitrary code: it is read only when
the caller passes ``allow_pickle=True`` and PyTorch is installed (then through
``torch.load(..., weights_only=True)``, PyTorch's restricted unpickler).
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Mapping

import numpy as np

from ..autograd.tensor import Tensor
from ..io import MANIFEST_KEY, CheckpointError
from ..io import load as _load_checkpoint
from ..nn.module import IncompatibleKeys, Module

__all__ = ["load_torch_state_dict"]

_PICKLE_SUFFIXES = (".pt", ".pth", ".bin", ".ckpt", ".pkl")


def _array(key: str, value: Any) -> np.ndarray:
    """One state-dict value as a NumPy array; PyTorch tensors are detached, moved to the CPU, and
    bfloat16 (which NumPy lacks) widened to float32."""
    if isinstance(value, Tensor):
        return value.data
    if isinstance(value, np.ndarray):
        return value
    if hasattr(value, "detach") and hasattr(value, "numpy"):  # a torch.Tensor, without importing torch
        value = value.detach().cpu()
        if str(getattr(value, "dtype", "")) == "torch.bfloat16":
            value = value.float()
        return np.asarray(value.numpy())
    if isinstance(value, (int, float, np.generic)) and not isinstance(value, bool):
        return np.asarray(value)
    raise TypeError(f"load_torch_state_dict: the value of {key!r} is a {type(value).__name__}, not an array "
                    "or tensor (a state dict maps parameter and buffer names to arrays; if this is a training "
                    "checkpoint, pass its model state dict, e.g. checkpoint['state_dict'])")


def _check_safetensors_dtypes(path: Path) -> None:
    """NumPy has no bfloat16: name the problem instead of failing inside the reader."""
    with open(path, "rb") as f:
        head = f.read(8)
        if len(head) < 8:
            return  # the reader reports the truncated file
        header = f.read(int.from_bytes(head, "little"))
    try:
        entries = json.loads(header)
    except ValueError:
        return
    bf16 = [k for k, v in entries.items() if isinstance(v, dict) and v.get("dtype") == "BF16"]
    if bf16:
        raise CheckpointError(f"{path}: holds bfloat16 tensors ({bf16[0]!r}, ...), which NumPy cannot represent; "
                              "save them as float32 (state_dict values .float()) before converting")


def _state_dict_in(data: Any, path: Path) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise TypeError(f"load_torch_state_dict: {path} holds a {type(data).__name__}, not a state dict "
                        "(a mapping of name -> array)")
    return data


def _read_file(path: Path, allow_pickle: bool) -> Mapping[str, Any]:
    if not path.is_file():
        raise FileNotFoundError(f"load_torch_state_dict: no such file: {path}")
    suffix = path.suffix.lower()
    if suffix == ".safetensors":
        _check_safetensors_dtypes(path)
        return _state_dict_in(_load_checkpoint(path), path)  # a foreign file loads as its flat arrays
    if suffix == ".npz":
        with np.load(path, allow_pickle=False) as npz:
            if MANIFEST_KEY not in npz.files:  # a plain npz of arrays
                try:
                    return {name: npz[name] for name in npz.files}
                except ValueError as exc:
                    raise CheckpointError(f"{path}: holds an object array, which would need pickle to load; "
                                          "refused (loading weights never runs code)") from exc
        return _state_dict_in(_load_checkpoint(path), path)  # written by gradbook.save
    if suffix in _PICKLE_SUFFIXES:
        if not allow_pickle:
            raise ValueError(f"load_torch_state_dict: {path} is a PyTorch pickle file, and unpickling can run "
                             "arbitrary code, so it is refused by default. Convert it once where you trust it "
                             "(safetensors.torch.save_file(torch.load(path), 'weights.safetensors')), or pass "
                             "allow_pickle=True if you trust this file")
        try:
            import torch
        except ImportError as exc:
            raise ImportError(f"load_torch_state_dict: reading the pickle file {path} needs PyTorch "
                              "(pip install torch); or convert it to .safetensors / .npz where torch is "
                              "installed") from exc
        return _state_dict_in(torch.load(path, map_location="cpu", weights_only=True), path)
    raise ValueError(f"load_torch_state_dict: cannot tell the format of {path} from its suffix {suffix!r}; "
                     "expected .safetensors, .npz, or (with allow_pickle=True) .pt / .pth")


def load_torch_state_dict(model: Module, path_or_mapping: Mapping[str, Any] | str | os.PathLike,
                          strict: bool = True, allow_pickle: bool = False) -> IncompatibleKeys:
    """Load a PyTorch state dict into ``model`` in place and return ``(missing_keys, unexpected_keys)``.

    Parameters
    ----------
    model : gradbook.nn.Module
        A model with PyTorch's key names (every ``gradbook.models`` network that has a torchvision
        twin), built with ``weights=None``.
    path_or_mapping : mapping or path
        Name → array/tensor mapping, or a ``.safetensors`` / ``.npz`` file (see the module docstring);
        ``.pt`` / ``.pth`` only with ``allow_pickle=True``.
    strict : bool
        As ``Module.load_state_dict``: missing or unexpected keys raise. Shape mismatches always raise.
    allow_pickle : bool
        Read a pickle file through ``torch.load(weights_only=True)``. Unpickling can run code: pass
        True only for files you trust.

    Values are cast to the model's dtypes (float32 by default; call ``model.double()`` first to keep
    float64 weights).

    Examples
    --------
    In PyTorch, once: ``safetensors.torch.save_file(torchvision.models.resnet18(weights="DEFAULT")
    .state_dict(), "resnet18.safetensors")``; then, in gradbook::

        model = gradbook.models.resnet18()
        gradbook.models.load_torch_state_dict(model, "resnet18.safetensors")
    """
    if not isinstance(model, Module):
        raise TypeError(f"load_torch_state_dict: model must be a gradbook.nn.Module, got {type(model).__name__}")
    if isinstance(path_or_mapping, Mapping):
        source = path_or_mapping
    elif isinstance(path_or_mapping, (str, os.PathLike)):
        source = _read_file(Path(path_or_mapping), allow_pickle)
    else:
        raise TypeError("load_torch_state_dict: expected a mapping of name -> array or a file path, got "
                        f"{type(path_or_mapping).__name__}")
    arrays = {str(key): _array(str(key), value) for key, value in source.items()}
    return model.load_state_dict(arrays, strict=strict)
