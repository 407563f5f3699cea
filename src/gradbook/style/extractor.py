"""Feature extractors for style transfer that need no downloaded weights, read out at named layers:
a small CNN with random filters (random convolutional features carry texture statistics well enough
to transfer style — He, Wang & Hopcroft, 2016; Ulyanov & Vedaldi's random-filter experiments), or
one whose filters were trained on the embedded digits."""
from __future__ import annotations

from typing import Sequence

import numpy as np

from .. import nn
from ..autograd.grad_mode import no_grad
from ..autograd.tensor import Tensor

__all__ = ["FeatureExtractor", "digits_cnn", "random_cnn"]


class FeatureExtractor(nn.Module):
    """Run ``stages`` (a list of (name, module)) in order and return the outputs of the named ones.

    ``forward(x, layers)`` → {name: features (N, C_l, H_l, W_l)} for each name in ``layers``
    (every stage by default); it stops after the last stage asked for. Inputs are first shifted and
    scaled per channel, (x − mean) / std, so images in [0, 1] reach the filters centred.
    """

    def __init__(self, stages: Sequence[tuple[str, nn.Module]], mean: float | Sequence[float] = 0.5,
                 std: float | Sequence[float] = 0.25):
        super().__init__()
        names = [name for name, _ in stages]
        if not names or len(set(names)) != len(names):
            raise ValueError(f"FeatureExtractor: stages need distinct names, got {names}")
        self.names = names
        self.body = nn.Sequential(*[module for _, module in stages])
        self.mean = np.asarray(mean, np.float64).reshape(1, -1, 1, 1)
        self.std = np.asarray(std, np.float64).reshape(1, -1, 1, 1)

    def forward(self, x: Tensor, layers: Sequence[str] | None = None) -> dict[str, Tensor]:
        wanted = list(self.names if layers is None else layers)
        unknown = [name for name in wanted if name not in self.names]
        if unknown:
            raise ValueError(f"FeatureExtractor: unknown layer(s) {unknown}; the layers are {self.names}")
        last = max(self.names.index(name) for name in wanted)
        h = (x - Tensor(self.mean.astype(x.dtype))) / Tensor(self.std.astype(x.dtype))
        out = {}
        for i, (name, stage) in enumerate(zip(self.names, self.body)):
            h = stage(h)
            if name in wanted:
                out[name] = h
            if i == last:
                break
        return out


def random_cnn(in_channels: int = 3, widths: Sequence[int] = (32, 64, 128), kernel_size: int = 3,
               seed: int = 0, dtype=np.float32) -> FeatureExtractor:
    """Conv(k×k, He-normal random filters, 'same' padding) → ReLU per stage, with 2×2 average pooling
    before every stage but the first (Gatys et al. found average pooling gives smoother images than
    max). Layers are named ``relu1`` … ``relu{len(widths)}``; the filters never train.

    Shapes: input (N, in_channels, H, W); ``relu{l}`` is (N, widths[l−1], H / 2^(l−1), W / 2^(l−1)).
    """
    if in_channels < 1 or not widths or min(widths) < 1:
        raise ValueError(f"random_cnn: in_channels and widths must be positive, got {in_channels}, {list(widths)}")
    if kernel_size < 1 or kernel_size % 2 == 0:
        raise ValueError(f"random_cnn: kernel_size must be a positive odd number, got {kernel_size}")
    generator = np.random.default_rng(seed)
    stages, channels = [], in_channels
    for i, width in enumerate(widths):
        conv = nn.Conv2d(channels, width, kernel_size, padding=kernel_size // 2, dtype=dtype)
        nn.init.kaiming_normal_(conv.weight, nonlinearity="relu", generator=generator)
        nn.init.zeros_(conv.bias)
        layers = [conv, nn.ReLU()] if i == 0 else [nn.AvgPool2d(2), conv, nn.ReLU()]
        stages.append((f"relu{i + 1}", nn.Sequential(*layers)))
        channels = width
    extractor = FeatureExtractor(stages)
    extractor.requires_grad_(False)
    return extractor.eval()


def digits_cnn(widths: Sequence[int] = (16, 32), steps: int = 60, seed: int = 0,
               dtype=np.float32) -> FeatureExtractor:
    """Filters trained on the embedded digits (8×8 grayscale, ``data.digits``), applied to each colour
    channel of an RGB image on its own.

    A classifier conv(3×3) → ReLU → avg-pool(2) → conv(3×3) → ReLU → avg-pool(2) → Linear(10) is
    trained with Adam (full batch, ``steps`` steps, lr 1e-2) on inputs scaled as the extractor scales
    them, (x − 0.5) / 0.25. Its two conv layers become grouped convolutions (groups = 3) with the same
    filters in every group, so R, G and B each get the trained filters and the Gram matrices still
    see colour. Layers ``relu1`` (N, 3·widths[0], H, W) and ``relu2`` (N, 3·widths[1], H/2, W/2);
    ``extractor.train_accuracy_`` and ``test_accuracy_`` report the classifier on the digits split.
    """
    from threadpoolctl import threadpool_limits

    from .. import backend, optim
    from ..data import digits
    from ..nn import functional as F

    if len(widths) != 2 or min(widths) < 1:
        raise ValueError(f"digits_cnn: widths must be two positive channel counts, got {list(widths)}")
    train, test = digits()
    (Xtr, ytr), (Xte, yte) = ((np.asarray(d.tensors[0], np.float32), np.asarray(d.tensors[1])) for d in (train, test))
    backend.manual_seed(seed)
    gray = nn.Sequential(nn.Conv2d(1, widths[0], 3, padding=1), nn.ReLU(), nn.AvgPool2d(2),
                         nn.Conv2d(widths[0], widths[1], 3, padding=1), nn.ReLU(), nn.AvgPool2d(2),
                         nn.Flatten(), nn.Linear(widths[1] * 4, 10))
    opt = optim.Adam(gray.parameters(), lr=1e-2)
    x, y = Tensor((Xtr - 0.5) / 0.25), Tensor(ytr)
    with threadpool_limits(1):  # 8×8 images: a threaded BLAS only waits for its threads here
        for _ in range(steps):
            opt.zero_grad()
            F.cross_entropy(gray(x), y).backward()
            opt.step()
        gray.eval()
        with no_grad():
            accuracy = [float((gray(Tensor((X - 0.5) / 0.25)).data.argmax(1) == t).mean())
                        for X, t in ((Xtr, ytr), (Xte, yte))]
    stages, channels = [], 1
    for i, (conv, width) in enumerate(zip((gray[0], gray[3]), widths)):
        rgb = nn.Conv2d(3 * channels, 3 * width, 3, padding=1, groups=3, dtype=dtype)
        rgb.weight.data[...] = np.tile(conv.weight.data, (3, 1, 1, 1))
        rgb.bias.data[...] = np.tile(conv.bias.data, 3)
        layers = [rgb, nn.ReLU()] if i == 0 else [nn.AvgPool2d(2), rgb, nn.ReLU()]
        stages.append((f"relu{i + 1}", nn.Sequential(*layers)))
        channels = width
    extractor = FeatureExtractor(stages)
    extractor.train_accuracy_, extractor.test_accuracy_ = accuracy
    extractor.requires_grad_(False)
    return extractor.eval()
