"""Batch transforms for images: ``Compose``, ``Normalize``, ``RandomCrop``, ``RandomHorizontalFlip``,
``RandomShift``, ``RandomAffine``, ``GaussianNoise``, ``RandomErasing``, ``Cutout`` (torchvision's names
and arguments; ``Cutout`` is DeVries & Taylor's fixed-size square), and the fitted ``PCAWhitening`` and
``ZCAWhitening``.

Unlike torchvision, which transforms one image at a time, every transform here takes a whole
batch ``(N, C, H, W)`` (a NumPy array or a gradbook Tensor; the same kind comes back) and works on
it with array operations, never a Python loop over samples. Random transforms draw every sample's
parameters at once from, in order of preference: their own generator (when built with ``seed``),
the ``generator`` passed to the call (the DataLoader passes its epoch generator, so a run is
reproducible from the loader's seed or ``gb.manual_seed``), else the library generator
``gradbook.backend.rng()`` read at the moment of use.

A random transform is ``apply(x, params(x, generator))``: ``params`` draws, ``apply`` is
deterministic, so tests can check ``apply`` against a hand computation with known parameters.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .. import backend
from ..autograd.tensor import Tensor

_PAD_MODES = ("constant", "edge", "reflect", "symmetric")


def _pair(value: int | Sequence[int], name: str, what: str) -> tuple[int, int]:
    pair = (value, value) if np.isscalar(value) else tuple(value)
    if len(pair) != 2 or any(int(v) != v or v < 0 for v in pair):
        raise ValueError(f"{name}: {what} must be a non-negative int or a pair of them, got {value!r}")
    return int(pair[0]), int(pair[1])


class Transform:
    """Base class: ``transform(batch, generator=None)`` on a batch ``(N, C, H, W)``."""

    def __init__(self, seed: int | None = None):
        self.seed = seed
        self._own = None if seed is None else np.random.default_rng(seed)

    def params(self, x: np.ndarray, generator: np.random.Generator) -> Any:
        """Draw every sample's random parameters at once (None for a deterministic transform)."""
        return None

    def apply(self, x: np.ndarray, params: Any) -> np.ndarray:
        raise TypeError(f"{type(self).__name__} must define apply(x, params)")

    def __call__(self, x, generator: np.random.Generator | None = None):
        arr = x.data if isinstance(x, Tensor) else np.asarray(x)
        if arr.ndim != 4:
            raise ValueError(f"{type(self).__name__}: expected a batch of shape (N, C, H, W), got shape {arr.shape}")
        gen = self._own if self._own is not None else generator if generator is not None else backend.rng()
        out = self.apply(arr, self.params(arr, gen))
        return Tensor._wrap(out) if isinstance(x, Tensor) else out

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if not k.startswith("_"))
        return f"{type(self).__name__}({args})"


class Compose(Transform):
    """Apply ``transforms`` one after another; the call's ``generator`` is passed to each."""

    def __init__(self, transforms: Sequence):
        super().__init__()
        self.transforms = list(transforms)

    def __call__(self, x, generator: np.random.Generator | None = None):
        for t in self.transforms:
            x = t(x, generator) if isinstance(t, Transform) else t(x)
        return x


class Normalize(Transform):
    """``y[n, c] = (x[n, c] - mean[c]) / std[c]``, per channel, in the batch's dtype.

    ``mean`` and ``std`` are numbers or sequences of length C.
    """

    def __init__(self, mean: float | Sequence[float], std: float | Sequence[float], inplace: bool = False):
        super().__init__()
        self.mean = np.atleast_1d(np.asarray(mean, dtype=np.float64))
        self.std = np.atleast_1d(np.asarray(std, dtype=np.float64))
        if self.mean.ndim != 1 or self.std.ndim != 1:
            raise ValueError(f"Normalize: mean and std must be numbers or 1-d sequences, got {mean!r}, {std!r}")
        if np.any(self.std == 0):
            raise ValueError(f"Normalize: std contains a zero ({std!r}); division by zero")
        self.inplace = inplace

    def apply(self, x: np.ndarray, params: None) -> np.ndarray:
        c = x.shape[1]
        for name, v in (("mean", self.mean), ("std", self.std)):
            if v.size not in (1, c):
                raise ValueError(f"Normalize: {name} has {v.size} values, the batch has {c} channels")
        if x.dtype.kind != "f":
            raise ValueError(f"Normalize: expected a floating batch, got dtype {x.dtype}")
        mean = self.mean.astype(x.dtype).reshape(-1, 1, 1)
        std = self.std.astype(x.dtype).reshape(-1, 1, 1)
        if self.inplace:
            x -= mean
            x /= std
            return x
        return (x - mean) / std


def _crop(padded: np.ndarray, top: np.ndarray, left: np.ndarray, h: int, w: int) -> np.ndarray:
    """``out[n] = padded[n, :, top[n]:top[n]+h, left[n]:left[n]+w]`` for all n in one gather."""
    windows = sliding_window_view(padded, (h, w), axis=(2, 3))  # (N, C, H'-h+1, W'-w+1, h, w), a view
    return windows[np.arange(padded.shape[0]), :, top, left]  # advanced axes first: (N, C, h, w)


class RandomCrop(Transform):
    """Pad once, then cut an ``size`` window at a random place, a different place per sample.

    ``padding``: int (all sides), (left/right, top/bottom) or (left, top, right, bottom), as
    torchvision; ``pad_if_needed`` pads images smaller than ``size``; ``fill`` and ``padding_mode``
    ('constant', 'edge', 'reflect', 'symmetric') choose the border. Output ``(N, C, *size)``.
    """

    def __init__(self, size: int | Sequence[int], padding: int | Sequence[int] | None = None,
                 pad_if_needed: bool = False, fill: float = 0, padding_mode: str = "constant",
                 seed: int | None = None):
        super().__init__(seed)
        self.size = _pair(size, "RandomCrop", "size")
        if padding is None:
            pad = (0, 0, 0, 0)
        elif np.isscalar(padding):
            pad = (padding,) * 4
        elif len(padding) == 2:
            pad = (padding[0], padding[1], padding[0], padding[1])
        elif len(padding) == 4:
            pad = tuple(padding)
        else:
            raise ValueError(f"RandomCrop: padding must be an int or a sequence of 2 or 4 ints, got {padding!r}")
        if any(int(p) != p or p < 0 for p in pad):
            raise ValueError(f"RandomCrop: padding must be non-negative ints, got {padding!r}")
        if padding_mode not in _PAD_MODES:
            raise ValueError(f"RandomCrop: padding_mode must be one of {_PAD_MODES}, got {padding_mode!r}")
        self.padding = padding
        self._pad = tuple(int(p) for p in pad)  # left, top, right, bottom
        self.pad_if_needed = pad_if_needed
        self.fill = fill
        self.padding_mode = padding_mode

    def _padded(self, x: np.ndarray) -> np.ndarray:
        left, top, right, bottom = self._pad
        h, w = self.size
        if self.pad_if_needed:  # torchvision pads both sides of a short axis by the shortfall
            dh = max(h - (x.shape[2] + top + bottom), 0)
            dw = max(w - (x.shape[3] + left + right), 0)
            top, bottom, left, right = top + dh, bottom + dh, left + dw, right + dw
        if top == bottom == left == right == 0:
            return x
        widths = ((0, 0), (0, 0), (top, bottom), (left, right))
        if self.padding_mode == "constant":
            return np.pad(x, widths, mode="constant", constant_values=np.asarray(self.fill, x.dtype))
        return np.pad(x, widths, mode=self.padding_mode)

    def params(self, x: np.ndarray, generator: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        padded_shape = self._padded(x[:1, :1]).shape  # the padded size, without padding the batch
        h, w = self.size
        if padded_shape[2] < h or padded_shape[3] < w:
            raise ValueError(f"RandomCrop: crop size {self.size} is larger than the padded image "
                             f"{padded_shape[2:]} (input {x.shape[2:]}, padding {self.padding!r})")
        n = x.shape[0]
        top = generator.integers(0, padded_shape[2] - h + 1, size=n)
        left = generator.integers(0, padded_shape[3] - w + 1, size=n)
        return top, left

    def apply(self, x: np.ndarray, params: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
        top, left = params
        return _crop(self._padded(x), top, left, *self.size)


class RandomShift(Transform):
    """Move each image by its own integer offset ``(dy, dx)``, uniform in ``[-max_shift, max_shift]``:
    ``y[n, c, i, j] = x[n, c, i - dy[n], j - dx[n]]``, ``fill`` where that falls outside the image.

    ``max_shift``: int or (max_dy, max_dx). Output has the input's shape.
    """

    def __init__(self, max_shift: int | Sequence[int], fill: float = 0, seed: int | None = None):
        super().__init__(seed)
        self.max_shift = _pair(max_shift, "RandomShift", "max_shift")
        self.fill = fill

    def params(self, x: np.ndarray, generator: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        my, mx = self.max_shift
        n = x.shape[0]
        return generator.integers(-my, my + 1, size=n), generator.integers(-mx, mx + 1, size=n)

    def apply(self, x: np.ndarray, params: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
        dy, dx = params
        my, mx = self.max_shift
        padded = np.pad(x, ((0, 0), (0, 0), (my, my), (mx, mx)), constant_values=np.asarray(self.fill, x.dtype))
        return _crop(padded, my - np.asarray(dy), mx - np.asarray(dx), x.shape[2], x.shape[3])


class RandomHorizontalFlip(Transform):
    """Mirror each image left-right with probability ``p``: ``y[n] = x[n, ..., ::-1]`` where drawn."""

    def __init__(self, p: float = 0.5, seed: int | None = None):
        super().__init__(seed)
        if not 0 <= p <= 1:
            raise ValueError(f"RandomHorizontalFlip: p must lie in [0, 1], got {p!r}")
        self.p = p

    def params(self, x: np.ndarray, generator: np.random.Generator) -> np.ndarray:
        return generator.random(x.shape[0]) < self.p

    def apply(self, x: np.ndarray, params: np.ndarray) -> np.ndarray:
        return np.where(np.asarray(params, bool)[:, None, None, None], x[..., ::-1], x)


class GaussianNoise(Transform):
    """``y = x + mean + std * z`` with ``z ~ N(0, 1)`` drawn per element, in the batch's dtype."""

    def __init__(self, std: float, mean: float = 0.0, seed: int | None = None):
        super().__init__(seed)
        if not std >= 0:
            raise ValueError(f"GaussianNoise: std must be >= 0, got {std!r}")
        self.std = std
        self.mean = mean

    def params(self, x: np.ndarray, generator: np.random.Generator) -> np.ndarray:
        if x.dtype.kind != "f":
            raise ValueError(f"GaussianNoise: expected a floating batch, got dtype {x.dtype}")
        dtype = x.dtype if x.dtype in (np.float32, np.float64) else np.float32  # the dtypes NumPy draws in
        return generator.standard_normal(x.shape, dtype=dtype)

    def apply(self, x: np.ndarray, params: np.ndarray) -> np.ndarray:
        z = np.asarray(params).astype(x.dtype, copy=False)
        return x + (x.dtype.type(self.mean) + x.dtype.type(self.std) * z)


def _nearest_source(h: int, w: int, angle: np.ndarray, ty: np.ndarray, tx: np.ndarray):
    """For every sample n and output pixel (i, j), the source pixel of a rotation by ``angle[n]`` degrees
    (counter-clockwise on screen) about the image centre followed by a shift (ty[n], tx[n]), and whether it
    lies inside the image. Inverse map, nearest neighbour: with u = j − cx − tx, v = i − cy − ty,
    source column = round(cx + u cos θ − v sin θ), source row = round(cy + u sin θ + v cos θ)."""
    cy, cx = (h - 1) / 2, (w - 1) / 2
    theta = np.deg2rad(np.asarray(angle, np.float64))[:, None, None]
    i, j = np.arange(h)[None, :, None], np.arange(w)[None, None, :]
    u = j - cx - np.asarray(tx, np.float64)[:, None, None]
    v = i - cy - np.asarray(ty, np.float64)[:, None, None]
    cos, sin = np.cos(theta), np.sin(theta)
    src_j = np.rint(cx + u * cos - v * sin).astype(np.int64)
    src_i = np.rint(cy + u * sin + v * cos).astype(np.int64)
    inside = (src_i >= 0) & (src_i < h) & (src_j >= 0) & (src_j < w)
    return np.clip(src_i, 0, h - 1), np.clip(src_j, 0, w - 1), inside


class RandomAffine(Transform):
    """Rotate each image by an angle uniform in ``degrees`` about its centre, then shift it by whole pixels,
    ``tx`` uniform in ``[-translate[0]·W, translate[0]·W]`` and ``ty`` in ``[-translate[1]·H, translate[1]·H]``
    (rounded, as torchvision does); nearest-neighbour sampling, ``fill`` outside the image.

    ``degrees``: a number d (meaning (−d, d)) or a (min, max) pair; a positive angle turns the image
    counter-clockwise, as torchvision's. Scale and shear are not offered. Output has the input's shape.
    """

    def __init__(self, degrees: float | Sequence[float], translate: Sequence[float] | None = None,
                 fill: float = 0, seed: int | None = None):
        super().__init__(seed)
        if np.isscalar(degrees):
            if degrees < 0:
                raise ValueError(f"RandomAffine: degrees must be non-negative when a single number, got {degrees!r}")
            self._range = (-float(degrees), float(degrees))
        elif len(degrees) == 2 and degrees[0] <= degrees[1]:
            self._range = (float(degrees[0]), float(degrees[1]))
        else:
            raise ValueError(f"RandomAffine: degrees must be a number or a (min, max) pair, got {degrees!r}")
        if translate is not None and (len(translate) != 2 or not all(0 <= t <= 1 for t in translate)):
            raise ValueError(f"RandomAffine: translate must be a pair of fractions in [0, 1], got {translate!r}")
        self.degrees = degrees
        self.translate = translate
        self.fill = fill

    def params(self, x: np.ndarray, generator: np.random.Generator):
        n, h, w = x.shape[0], x.shape[2], x.shape[3]
        angle = generator.uniform(*self._range, size=n)
        if self.translate is None:
            return angle, np.zeros(n), np.zeros(n)
        max_dx, max_dy = self.translate[0] * w, self.translate[1] * h
        tx = np.rint(generator.uniform(-max_dx, max_dx, size=n))
        ty = np.rint(generator.uniform(-max_dy, max_dy, size=n))
        return angle, ty, tx

    def apply(self, x: np.ndarray, params) -> np.ndarray:
        angle, ty, tx = params
        src_i, src_j, inside = _nearest_source(x.shape[2], x.shape[3], angle, ty, tx)
        n = np.arange(x.shape[0])[:, None, None]
        gathered = x[n, :, src_i, src_j]  # advanced axes first: (N, H, W, C)
        out = np.where(inside[..., None], gathered, np.asarray(self.fill, x.dtype))
        return np.ascontiguousarray(out.transpose(0, 3, 1, 2))


def _erase(x: np.ndarray, top: np.ndarray, left: np.ndarray, height: np.ndarray, width: np.ndarray,
           value: float) -> np.ndarray:
    """``x`` with the box rows [top, top+height) × columns [left, left+width) of each sample set to
    ``value`` (every channel); a box of height or width 0 erases nothing."""
    rows = np.arange(x.shape[2])[None, :]
    cols = np.arange(x.shape[3])[None, :]
    in_rows = (rows >= top[:, None]) & (rows < (top + height)[:, None])  # (N, H)
    in_cols = (cols >= left[:, None]) & (cols < (left + width)[:, None])  # (N, W)
    box = in_rows[:, None, :, None] & in_cols[:, None, None, :]
    return np.where(box, np.asarray(value, x.dtype), x)


class RandomErasing(Transform):
    """With probability ``p``, set a random rectangle of each image to ``value``: its area a fraction of the
    image uniform in ``scale``, its aspect ratio h/w log-uniform in ``ratio``, its place uniform where it fits.

    Unlike torchvision, which redraws up to ten times until the box fits, a box taller or wider than the
    image is clipped to it (one draw per sample, vectorised). Output has the input's shape.
    """

    def __init__(self, p: float = 0.5, scale: Sequence[float] = (0.02, 0.33), ratio: Sequence[float] = (0.3, 3.3),
                 value: float = 0, seed: int | None = None):
        super().__init__(seed)
        if not 0 <= p <= 1:
            raise ValueError(f"RandomErasing: p must lie in [0, 1], got {p!r}")
        if not (len(scale) == 2 and 0 <= scale[0] <= scale[1] <= 1):
            raise ValueError(f"RandomErasing: scale must be (min, max) with 0 <= min <= max <= 1, got {scale!r}")
        if not (len(ratio) == 2 and 0 < ratio[0] <= ratio[1]):
            raise ValueError(f"RandomErasing: ratio must be (min, max) with 0 < min <= max, got {ratio!r}")
        self.p, self.scale, self.ratio, self.value = p, tuple(scale), tuple(ratio), value

    def params(self, x: np.ndarray, generator: np.random.Generator):
        n, h, w = x.shape[0], x.shape[2], x.shape[3]
        erase = generator.random(n) < self.p
        area = generator.uniform(*self.scale, size=n) * h * w
        aspect = np.exp(generator.uniform(np.log(self.ratio[0]), np.log(self.ratio[1]), size=n))
        height = np.minimum(np.rint(np.sqrt(area * aspect)), h).astype(np.int64) * erase
        width = np.minimum(np.rint(np.sqrt(area / aspect)), w).astype(np.int64) * erase
        top = np.floor(generator.random(n) * (h - height + 1)).astype(np.int64)
        left = np.floor(generator.random(n) * (w - width + 1)).astype(np.int64)
        return top, left, height, width

    def apply(self, x: np.ndarray, params) -> np.ndarray:
        return _erase(x, *params, self.value)


class Cutout(Transform):
    """With probability ``p``, set a ``size`` x ``size`` square of each image to ``value``; the square's centre
    is uniform over the image and the square is clipped at the border (DeVries & Taylor, 2017)."""

    def __init__(self, size: int, p: float = 1.0, value: float = 0, seed: int | None = None):
        super().__init__(seed)
        if int(size) != size or size < 0:
            raise ValueError(f"Cutout: size must be a non-negative int, got {size!r}")
        if not 0 <= p <= 1:
            raise ValueError(f"Cutout: p must lie in [0, 1], got {p!r}")
        self.size, self.p, self.value = int(size), p, value

    def params(self, x: np.ndarray, generator: np.random.Generator):
        n, h, w = x.shape[0], x.shape[2], x.shape[3]
        erase = generator.random(n) < self.p
        cy, cx = generator.integers(0, h, size=n), generator.integers(0, w, size=n)
        top, left = cy - self.size // 2, cx - self.size // 2
        bottom, right = np.minimum(top + self.size, h), np.minimum(left + self.size, w)
        top, left = np.maximum(top, 0), np.maximum(left, 0)
        return top, left, (bottom - top) * erase, (right - left) * erase

    def apply(self, x: np.ndarray, params) -> np.ndarray:
        return _erase(x, *params, self.value)


class _Whitening(Transform):
    """Shared by PCA and ZCA whitening: ``fit`` learns the mean and the principal axes of the flattened
    samples with ``gradbook.classic.PCA`` (every component), then ``z = (x − mean_) components_ᵀ / √(λ + eps)``
    are the PCA-whitened coordinates (λ: explained_variance_, the unbiased variances). A batch is
    (N, C, H, W) or (N, d); its samples are flattened to d = C·H·W features."""

    def __init__(self, eps: float = 1e-5):
        super().__init__()
        if not eps >= 0:
            raise ValueError(f"{type(self).__name__}: eps must be >= 0, got {eps!r}")
        self.eps = eps

    def fit(self, X) -> "_Whitening":
        from ..classic import PCA

        flat = np.asarray(X.data if isinstance(X, Tensor) else X, dtype=np.float64)
        if flat.ndim not in (2, 4) or flat.shape[0] < 2:
            raise ValueError(f"{type(self).__name__}.fit: expected (N, d) or (N, C, H, W) with N >= 2, "
                             f"got shape {flat.shape}")
        pca = PCA().fit(flat.reshape(len(flat), -1))
        self.mean_, self.components_ = pca.mean_, pca.components_
        self.explained_variance_ = pca.explained_variance_
        if not np.all(self.explained_variance_ + self.eps > 0):
            raise ValueError(f"{type(self).__name__}.fit: a component has zero variance; use eps > 0")
        self.scale_ = 1.0 / np.sqrt(self.explained_variance_ + self.eps)
        return self

    def _pca_white(self, x: np.ndarray) -> np.ndarray:
        if not hasattr(self, "components_"):
            raise RuntimeError(f"{type(self).__name__}: call fit(X) before transforming")
        flat = x.reshape(len(x), -1)
        if flat.shape[1] != self.mean_.size:
            raise ValueError(f"{type(self).__name__}: fitted on {self.mean_.size} features, got {flat.shape[1]}")
        return ((flat - self.mean_) @ self.components_.T) * self.scale_

    def __call__(self, x, generator: np.random.Generator | None = None):
        arr = x.data if isinstance(x, Tensor) else np.asarray(x)
        if arr.ndim not in (2, 4):
            raise ValueError(f"{type(self).__name__}: expected (N, d) or (N, C, H, W), got shape {arr.shape}")
        out = self.apply(arr, None)
        return Tensor._wrap(out) if isinstance(x, Tensor) else out


class PCAWhitening(_Whitening):
    """``z = (x − mean_) Vᵀ diag(1/√(λ + eps))``: decorrelated, unit-variance coordinates along the principal
    axes (scikit-learn's ``PCA(whiten=True)`` when eps = 0). Output (N, k), k = min(N_fit, d) components."""

    def apply(self, x: np.ndarray, params: None) -> np.ndarray:
        return self._pca_white(x).astype(x.dtype if x.dtype.kind == "f" else np.float64, copy=False)


class ZCAWhitening(_Whitening):
    """``z = (x − mean_) Vᵀ diag(1/√(λ + eps)) V``: the PCA-whitened coordinates rotated back to the pixel
    axes, W = Σ^(−1/2) (symmetric). Of all whitening matrices it moves the data least (minimises
    E‖W(x − mean) − (x − mean)‖²), so images still look like images. Output has the input's shape."""

    def apply(self, x: np.ndarray, params: None) -> np.ndarray:
        out = self._pca_white(x) @ self.components_
        return out.reshape(x.shape).astype(x.dtype if x.dtype.kind == "f" else np.float64, copy=False)
