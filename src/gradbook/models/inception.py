"""Inception v3 (Szegedy et al. 2015) as torchvision builds it: ``inception_v3``, with
torchvision's ``state_dict`` keys, shapes and order.

    stem:   Conv2d_1a_3x3/2 → 2a_3x3 → 2b_3x3 (pad 1) → maxpool1 3/2 → 3b_1x1 → 4a_3x3 → maxpool2 3/2
    Mixed_5b, 5c, 5d (InceptionA, 35x35 at 299) → Mixed_6a (InceptionB, grid reduction)
    Mixed_6b ... 6e (InceptionC: 7x7 factorised into 1x7 and 7x1) → Mixed_7a (InceptionD, reduction)
    Mixed_7b, 7c (InceptionE: 3x3 split into parallel 1x3 and 3x1)                  (N, 2048, 8, 8 at 299)
    avgpool (1x1) → dropout → flatten → fc (2048 → num_classes)

Every conv is a :class:`~gradbook.models.googlenet.BasicConv2d` (conv without bias → BN(eps=0.001)
→ ReLU); each module concatenates its branches along channels. With ``aux_logits`` the
auxiliary classifier ``AuxLogits`` (after Mixed_6e) runs in training mode only, and the model then
returns ``InceptionOutputs(logits, aux_logits)``; in eval mode it returns the logits alone.
``transform_input`` as GoogLeNet's. 27,161,264 parameters with the auxiliary classifier
(torchvision's default and its published count), 23,834,568 without; inputs of at least 75x75,
and of at least 299x299 in training with ``aux_logits`` (the auxiliary 5x5 conv needs a 5x5 map).
"""
from __future__ import annotations

from collections import namedtuple
from typing import Any, Callable

from ..autograd.tensor import Tensor
from ..nn import AdaptiveAvgPool2d, Dropout, Linear, MaxPool2d, Module
from ..ops.pool import adaptive_avg_pool2d, avg_pool2d, max_pool2d
from ..ops.shape import cat
from ._weights import no_pretrained_weights
from .googlenet import BasicConv2d, init_truncated_normal, transform_input

__all__ = ["Inception3", "InceptionA", "InceptionAux", "InceptionB", "InceptionC", "InceptionD", "InceptionE",
           "InceptionOutputs", "inception_v3"]

InceptionOutputs = namedtuple("InceptionOutputs", ["logits", "aux_logits"])


class InceptionA(Module):
    """1x1 (64) | 1x1 (48) → 5x5 (64) | 1x1 (64) → 3x3 (96) → 3x3 (96) | avg pool 3/1 → 1x1
    (pool_features): 224 + pool_features channels, same size."""

    def __init__(self, in_channels: int, pool_features: int, conv_block: Callable[..., Module] | None = None):
        super().__init__()
        conv_block = BasicConv2d if conv_block is None else conv_block
        self.branch1x1 = conv_block(in_channels, 64, kernel_size=1)
        self.branch5x5_1 = conv_block(in_channels, 48, kernel_size=1)
        self.branch5x5_2 = conv_block(48, 64, kernel_size=5, padding=2)
        self.branch3x3dbl_1 = conv_block(in_channels, 64, kernel_size=1)
        self.branch3x3dbl_2 = conv_block(64, 96, kernel_size=3, padding=1)
        self.branch3x3dbl_3 = conv_block(96, 96, kernel_size=3, padding=1)
        self.branch_pool = conv_block(in_channels, pool_features, kernel_size=1)

    def forward(self, x: Tensor) -> Tensor:
        branch5x5 = self.branch5x5_2(self.branch5x5_1(x))
        branch3x3dbl = self.branch3x3dbl_3(self.branch3x3dbl_2(self.branch3x3dbl_1(x)))
        branch_pool = self.branch_pool(avg_pool2d(x, kernel_size=3, stride=1, padding=1))
        return cat([self.branch1x1(x), branch5x5, branch3x3dbl, branch_pool], 1)


class InceptionB(Module):
    """Grid reduction: 3x3/2 (384) | 1x1 (64) → 3x3 (96) → 3x3/2 (96) | max pool 3/2:
    480 + in_channels channels, (H − 3)//2 + 1."""

    def __init__(self, in_channels: int, conv_block: Callable[..., Module] | None = None):
        super().__init__()
        conv_block = BasicConv2d if conv_block is None else conv_block
        self.branch3x3 = conv_block(in_channels, 384, kernel_size=3, stride=2)
        self.branch3x3dbl_1 = conv_block(in_channels, 64, kernel_size=1)
        self.branch3x3dbl_2 = conv_block(64, 96, kernel_size=3, padding=1)
        self.branch3x3dbl_3 = conv_block(96, 96, kernel_size=3, stride=2)

    def forward(self, x: Tensor) -> Tensor:
        branch3x3dbl = self.branch3x3dbl_3(self.branch3x3dbl_2(self.branch3x3dbl_1(x)))
        return cat([self.branch3x3(x), branch3x3dbl, max_pool2d(x, kernel_size=3, stride=2)], 1)


class InceptionC(Module):
    """7x7 factorised: 1x1 (192) | 1x1 → 1x7 → 7x1 (192) | 1x1 → 7x1 → 1x7 → 7x1 → 1x7 (192) |
    avg pool 3/1 → 1x1 (192): 768 channels, same size; c7 = ``channels_7x7`` inside."""

    def __init__(self, in_channels: int, channels_7x7: int, conv_block: Callable[..., Module] | None = None):
        super().__init__()
        conv_block = BasicConv2d if conv_block is None else conv_block
        self.branch1x1 = conv_block(in_channels, 192, kernel_size=1)
        c7 = channels_7x7
        self.branch7x7_1 = conv_block(in_channels, c7, kernel_size=1)
        self.branch7x7_2 = conv_block(c7, c7, kernel_size=(1, 7), padding=(0, 3))
        self.branch7x7_3 = conv_block(c7, 192, kernel_size=(7, 1), padding=(3, 0))
        self.branch7x7dbl_1 = conv_block(in_channels, c7, kernel_size=1)
        self.branch7x7dbl_2 = conv_block(c7, c7, kernel_size=(7, 1), padding=(3, 0))
        self.branch7x7dbl_3 = conv_block(c7, c7, kernel_size=(1, 7), padding=(0, 3))
        self.branch7x7dbl_4 = conv_block(c7, c7, kernel_size=(7, 1), padding=(3, 0))
        self.branch7x7dbl_5 = conv_block(c7, 192, kernel_size=(1, 7), padding=(0, 3))
        self.branch_pool = conv_block(in_channels, 192, kernel_size=1)

    def forward(self, x: Tensor) -> Tensor:
        branch7x7 = self.branch7x7_3(self.branch7x7_2(self.branch7x7_1(x)))
        branch7x7dbl = x
        for conv in (self.branch7x7dbl_1, self.branch7x7dbl_2, self.branch7x7dbl_3, self.branch7x7dbl_4,
                     self.branch7x7dbl_5):
            branch7x7dbl = conv(branch7x7dbl)
        branch_pool = self.branch_pool(avg_pool2d(x, kernel_size=3, stride=1, padding=1))
        return cat([self.branch1x1(x), branch7x7, branch7x7dbl, branch_pool], 1)


class InceptionD(Module):
    """Grid reduction: 1x1 (192) → 3x3/2 (320) | 1x1 → 1x7 → 7x1 → 3x3/2 (192) | max pool 3/2:
    512 + in_channels channels."""

    def __init__(self, in_channels: int, conv_block: Callable[..., Module] | None = None):
        super().__init__()
        conv_block = BasicConv2d if conv_block is None else conv_block
        self.branch3x3_1 = conv_block(in_channels, 192, kernel_size=1)
        self.branch3x3_2 = conv_block(192, 320, kernel_size=3, stride=2)
        self.branch7x7x3_1 = conv_block(in_channels, 192, kernel_size=1)
        self.branch7x7x3_2 = conv_block(192, 192, kernel_size=(1, 7), padding=(0, 3))
        self.branch7x7x3_3 = conv_block(192, 192, kernel_size=(7, 1), padding=(3, 0))
        self.branch7x7x3_4 = conv_block(192, 192, kernel_size=3, stride=2)

    def forward(self, x: Tensor) -> Tensor:
        branch3x3 = self.branch3x3_2(self.branch3x3_1(x))
        branch7x7x3 = self.branch7x7x3_4(self.branch7x7x3_3(self.branch7x7x3_2(self.branch7x7x3_1(x))))
        return cat([branch3x3, branch7x7x3, max_pool2d(x, kernel_size=3, stride=2)], 1)


class InceptionE(Module):
    """Expanded filter bank: 1x1 (320) | 1x1 (384) → [1x3 | 3x1] (768) | 1x1 (448) → 3x3 (384)
    → [1x3 | 3x1] (768) | avg pool 3/1 → 1x1 (192): 2048 channels, same size."""

    def __init__(self, in_channels: int, conv_block: Callable[..., Module] | None = None):
        super().__init__()
        conv_block = BasicConv2d if conv_block is None else conv_block
        self.branch1x1 = conv_block(in_channels, 320, kernel_size=1)
        self.branch3x3_1 = conv_block(in_channels, 384, kernel_size=1)
        self.branch3x3_2a = conv_block(384, 384, kernel_size=(1, 3), padding=(0, 1))
        self.branch3x3_2b = conv_block(384, 384, kernel_size=(3, 1), padding=(1, 0))
        self.branch3x3dbl_1 = conv_block(in_channels, 448, kernel_size=1)
        self.branch3x3dbl_2 = conv_block(448, 384, kernel_size=3, padding=1)
        self.branch3x3dbl_3a = conv_block(384, 384, kernel_size=(1, 3), padding=(0, 1))
        self.branch3x3dbl_3b = conv_block(384, 384, kernel_size=(3, 1), padding=(1, 0))
        self.branch_pool = conv_block(in_channels, 192, kernel_size=1)

    def forward(self, x: Tensor) -> Tensor:
        branch3x3 = self.branch3x3_1(x)
        branch3x3 = cat([self.branch3x3_2a(branch3x3), self.branch3x3_2b(branch3x3)], 1)
        branch3x3dbl = self.branch3x3dbl_2(self.branch3x3dbl_1(x))
        branch3x3dbl = cat([self.branch3x3dbl_3a(branch3x3dbl), self.branch3x3dbl_3b(branch3x3dbl)], 1)
        branch_pool = self.branch_pool(avg_pool2d(x, kernel_size=3, stride=1, padding=1))
        return cat([self.branch1x1(x), branch3x3, branch3x3dbl, branch_pool], 1)


class InceptionAux(Module):
    """Auxiliary classifier: avg pool 5/3 → 1x1 (128) → 5x5 (768) → adaptive average pool (1x1)
    → flatten → fc. ``conv1.stddev`` and ``fc.stddev`` are the std of their initialisation, as in
    torchvision (where ``conv1``'s sits on the BasicConv2d, so its inner conv keeps 0.1)."""

    def __init__(self, in_channels: int, num_classes: int, conv_block: Callable[..., Module] | None = None):
        super().__init__()
        conv_block = BasicConv2d if conv_block is None else conv_block
        self.conv0 = conv_block(in_channels, 128, kernel_size=1)
        self.conv1 = conv_block(128, 768, kernel_size=5)
        self.conv1.stddev = 0.01
        self.fc = Linear(768, num_classes)
        self.fc.stddev = 0.001

    def forward(self, x: Tensor) -> Tensor:
        x = self.conv1(self.conv0(avg_pool2d(x, kernel_size=5, stride=3)))
        return self.fc(adaptive_avg_pool2d(x, (1, 1)).flatten(1))


class Inception3(Module):
    """torchvision's ``Inception3(num_classes=1000, aux_logits=True, transform_input=False,
    inception_blocks=None, init_weights=None, dropout=0.5)``.

    ``inception_blocks``: [conv_block, InceptionA, B, C, D, E, InceptionAux] classes.
    ``init_weights`` (None means True; torchvision warns about its slow SciPy sampler, which
    gradbook does not use): convs and linears N(0, s²) truncated to [−2, 2], s = the module's
    ``stddev`` attribute or 0.1; norms γ = 1, β = 0. Input (N, 3, H, W) → (N, num_classes), or
    ``InceptionOutputs`` in training with ``aux_logits``.
    """

    def __init__(self, num_classes: int = 1000, aux_logits: bool = True, transform_input: bool = False,
                 inception_blocks: list[Callable[..., Module]] | None = None, init_weights: bool | None = None,
                 dropout: float = 0.5):
        super().__init__()
        if inception_blocks is None:
            inception_blocks = [BasicConv2d, InceptionA, InceptionB, InceptionC, InceptionD, InceptionE, InceptionAux]
        if init_weights is None:
            init_weights = True
        if len(inception_blocks) != 7:
            raise ValueError(f"length of inception_blocks should be 7 instead of {len(inception_blocks)}")
        conv_block, inception_a, inception_b, inception_c, inception_d, inception_e, inception_aux = inception_blocks
        self.aux_logits = aux_logits
        self.transform_input = transform_input
        self.Conv2d_1a_3x3 = conv_block(3, 32, kernel_size=3, stride=2)
        self.Conv2d_2a_3x3 = conv_block(32, 32, kernel_size=3)
        self.Conv2d_2b_3x3 = conv_block(32, 64, kernel_size=3, padding=1)
        self.maxpool1 = MaxPool2d(kernel_size=3, stride=2)
        self.Conv2d_3b_1x1 = conv_block(64, 80, kernel_size=1)
        self.Conv2d_4a_3x3 = conv_block(80, 192, kernel_size=3)
        self.maxpool2 = MaxPool2d(kernel_size=3, stride=2)
        self.Mixed_5b = inception_a(192, pool_features=32)
        self.Mixed_5c = inception_a(256, pool_features=64)
        self.Mixed_5d = inception_a(288, pool_features=64)
        self.Mixed_6a = inception_b(288)
        self.Mixed_6b = inception_c(768, channels_7x7=128)
        self.Mixed_6c = inception_c(768, channels_7x7=160)
        self.Mixed_6d = inception_c(768, channels_7x7=160)
        self.Mixed_6e = inception_c(768, channels_7x7=192)
        self.AuxLogits = inception_aux(768, num_classes) if aux_logits else None
        self.Mixed_7a = inception_d(768)
        self.Mixed_7b = inception_e(1280)
        self.Mixed_7c = inception_e(2048)
        self.avgpool = AdaptiveAvgPool2d((1, 1))
        self.dropout = Dropout(p=dropout)
        self.fc = Linear(2048, num_classes)
        if init_weights:
            init_truncated_normal(self, lambda m: float(getattr(m, "stddev", 0.1)))

    def forward(self, x: Tensor) -> Tensor | InceptionOutputs:
        self.check_input(x, ndim=4, dim=1, size=3, what="3 channels (dimension 1)", layout="(N, 3, H, W)")
        if self.transform_input:
            x = transform_input(x)
        x = self.maxpool1(self.Conv2d_2b_3x3(self.Conv2d_2a_3x3(self.Conv2d_1a_3x3(x))))
        x = self.maxpool2(self.Conv2d_4a_3x3(self.Conv2d_3b_1x1(x)))
        x = self.Mixed_6a(self.Mixed_5d(self.Mixed_5c(self.Mixed_5b(x))))
        x = self.Mixed_6e(self.Mixed_6d(self.Mixed_6c(self.Mixed_6b(x))))
        aux = self.AuxLogits(x) if self.AuxLogits is not None and self.training else None
        x = self.Mixed_7c(self.Mixed_7b(self.Mixed_7a(x)))
        x = self.fc(self.dropout(self.avgpool(x)).flatten(1))
        if self.training and self.aux_logits:
            return InceptionOutputs(x, aux)
        return x


def inception_v3(*, weights: Any = None, progress: bool = True, **kwargs: Any) -> Inception3:
    """Inception v3; 27,161,264 parameters with torchvision's default ``aux_logits=True``,
    23,834,568 with ``aux_logits=False``. Weights converted from torchvision's
    ``inception_v3(weights=...)`` load into ``inception_v3(transform_input=True)`` (and, after
    dropping the ``AuxLogits.`` keys, into ``aux_logits=False``)."""
    no_pretrained_weights("inception_v3", weights)
    return Inception3(**kwargs)
