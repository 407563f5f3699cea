"""Image files for style transfer, through Pillow: read as (3, H, W) float32 in [0, 1], written as
8-bit RGB PNG (or any format Pillow knows by the file's suffix) atomically."""
from __future__ import annotations

import io
import os

import numpy as np

from ..io import write_atomic

__all__ = ["ImageFileError", "load_image", "resize_image", "save_image"]


class ImageFileError(ValueError):
    """A file that is missing, unreadable or not an image Pillow can decode."""


def _pil():
    try:
        from PIL import Image
    except ImportError as error:  # declared in pyproject; a clear message if it was removed
        raise ImportError("gradbook.style image files need Pillow: pip install pillow") from error
    return Image


def load_image(path: str | os.PathLike, size: int | None = None) -> np.ndarray:
    """The image at ``path`` as RGB (3, H, W) float32 in [0, 1]; with ``size``, resized (bicubic)
    so that its longer side is ``size`` pixels, keeping the aspect ratio."""
    Image = _pil()
    if not os.path.isfile(path):
        why = "no such file" if not os.path.exists(path) else "not a regular file"
        raise ImageFileError(f"cannot read image {os.fspath(path)!r}: {why}")
    try:
        with Image.open(path) as im:
            im = im.convert("RGB")
    except (OSError, Image.DecompressionBombError, SyntaxError) as error:
        raise ImageFileError(f"{os.fspath(path)!r} is not an image file Pillow can read ({error})") from None
    if size is not None:
        if size < 1:
            raise ValueError(f"load_image: size must be a positive number of pixels, got {size}")
        scale = size / max(im.size)
        im = im.resize((max(1, round(im.width * scale)), max(1, round(im.height * scale))), Image.BICUBIC)
    return np.asarray(im, dtype=np.float32).transpose(2, 0, 1) / 255.0


def resize_image(image: np.ndarray, height: int, width: int) -> np.ndarray:
    """(C, H, W) float image in [0, 1] resized (bicubic) to (C, height, width)."""
    Image = _pil()
    im = Image.fromarray(_to_uint8(image)).resize((width, height), Image.BICUBIC)
    return np.asarray(im, dtype=np.float32).transpose(2, 0, 1) / 255.0


def _to_uint8(image: np.ndarray) -> np.ndarray:
    a = np.asarray(image)
    if a.ndim == 4 and a.shape[0] == 1:
        a = a[0]
    if a.ndim != 3 or a.shape[0] not in (1, 3):
        raise ValueError(f"save_image: expected an image (C, H, W) with C = 1 or 3, got shape {a.shape}")
    a = np.round(np.clip(a, 0.0, 1.0) * 255).astype(np.uint8).transpose(1, 2, 0)
    return a[:, :, 0] if a.shape[2] == 1 else a


def save_image(image: np.ndarray, path: str | os.PathLike) -> None:
    """Write a (C, H, W) image with values in [0, 1] (clipped) to ``path``, atomically; the format
    comes from the suffix (PNG when there is none Pillow knows)."""
    Image = _pil()
    fmt = Image.registered_extensions().get(os.path.splitext(os.fspath(path))[1].lower(), "PNG")
    buf = io.BytesIO()
    Image.fromarray(_to_uint8(image)).save(buf, format=fmt)
    write_atomic(path, buf.getvalue())
