"""Inception-v4 and Inception-ResNet-v2 building blocks (Szegedy et al. 2016, "Inception-v4,
Inception-ResNet and the Impact of Residual Connections on Learning"), and ``inception_v4``.

Every convolution is a :class:`~gradbook.models.googlenet.BasicConv2d` (conv without bias → BN
(eps 0.001) → ReLU); "V" marks valid padding, every other conv keeps the size. Figures of the
paper, channels at 299x299 input:

    InceptionStem (Fig. 3)     3 → 384, 299 → 35
    InceptionA (Fig. 4)        384 → 384:   avgpool→1x1 96 | 1x1 96 | 1x1 64→3x3 96 | 1x1 64→3x3 96→3x3 96
    ReductionA (Fig. 7)        in → in + n + m, stride 2:   maxpool | 3x3/2 n V | 1x1 k→3x3 l→3x3/2 m V
                               (k, l, m, n) = (192, 224, 256, 384) in Inception-v4: 384 → 1024, 35 → 17
    InceptionB (Fig. 5)        1024 → 1024: avgpool→1x1 128 | 1x1 384 | 1x1 192→1x7 224→7x1 256 |
                               1x1 192→7x1 192→1x7 224→7x1 224→1x7 256
    ReductionB (Fig. 8)        1024 → 1536, 17 → 8: maxpool | 1x1 192→3x3/2 192 V |
                               1x1 256→1x7 256→7x1 320→3x3/2 320 V
    InceptionC (Fig. 6)        1536 → 1536: avgpool→1x1 256 | 1x1 256 | 1x1 384→{1x3 256, 3x1 256} |
                               1x1 384→3x1 448→1x3 512→{1x3 256, 3x1 256}

Inception-ResNet-v2 blocks add a scaled residual, y = ReLU(x + scale · W(cat(branches))) with W a
linear 1x1 conv (bias, no BN) back to the input width (section 3.3: scaling by 0.1-0.3 keeps
training stable):

    InceptionResNetA (Fig. 16)  1x1 32 | 1x1 32→3x3 32 | 1x1 32→3x3 48→3x3 64            (35x35)
    InceptionResNetB (Fig. 17)  1x1 192 | 1x1 128→1x7 160→7x1 192                          (17x17)
    InceptionResNetC (Fig. 19)  1x1 192 | 1x1 192→1x3 224→3x1 256                          (8x8)
    ReductionResNetB (Fig. 18)  maxpool | 1x1 256→3x3/2 384 V | 1x1 256→3x3/2 288 V |
                                1x1 256→3x3 288→3x3/2 320 V

The residual blocks take their width as an argument (320, 1088 and 2080 in the released
Inception-ResNet-v2; the figures' 384, 1154 and 2048 do not add up between the figures).
``inception_v4``: stem → 4 x A → Reduction-A → 7 x B → Reduction-B → 3 x C → average pool →
dropout (keep 0.8) → fc.
"""
from __future__ import annotations

from typing import Any, Sequence

from ..autograd.tensor import Tensor
from ..nn import AdaptiveAvgPool2d, AvgPool2d, Conv2d, Dropout, Linear, MaxPool2d, Module, Sequential
from ..ops.elementwise import relu
from ..ops.shape import cat
from .googlenet import BasicConv2d

__all__ = ["InceptionStem", "InceptionA", "ReductionA", "InceptionB", "ReductionB", "InceptionC",
           "InceptionResNetA", "InceptionResNetB", "InceptionResNetC", "ReductionResNetB", "InceptionV4",
           "inception_v4"]

# a conv: (out_channels, kernel_size, stride, padding); padding "same" keeps the size at stride 1
ConvSpec = tuple


def _chain(in_channels: int, specs: Sequence[ConvSpec]) -> Sequential:
    """BasicConv2d layers one after another; ``(out, k)`` keeps the size, ``(out, k, stride, 0)`` is valid."""
    layers: list[Module] = []
    for spec in specs:
        out, kernel = spec[0], spec[1]
        kh, kw = (kernel, kernel) if isinstance(kernel, int) else kernel
        stride, padding = (spec[2], spec[3]) if len(spec) > 2 else (1, ((kh - 1) // 2, (kw - 1) // 2))
        layers.append(BasicConv2d(in_channels, out, kernel_size=(kh, kw), stride=stride, padding=padding))
        in_channels = out
    return Sequential(*layers)


class _Branches(Module):
    """Parallel branches ``branch0`` ... concatenated along channels."""

    def _set_branches(self, branches: Sequence[Module]) -> None:
        self.num_branches = len(branches)
        for i, b in enumerate(branches):
            setattr(self, f"branch{i}", b)

    def branch_outputs(self, x: Tensor) -> list[Tensor]:
        return [getattr(self, f"branch{i}")(x) for i in range(self.num_branches)]

    def forward(self, x: Tensor) -> Tensor:
        return cat(self.branch_outputs(x), 1)


def _pool_proj(in_channels: int, out: int) -> Sequential:
    return Sequential(AvgPool2d(3, 1, 1, count_include_pad=False), BasicConv2d(in_channels, out, kernel_size=1))


class InceptionStem(Module):
    """Fig. 3: (N, 3, 299, 299) → (N, 384, 35, 35); three steps that each concatenate a pooled or
    convolved pair."""

    def __init__(self, in_channels: int = 3):
        super().__init__()
        self.conv = _chain(in_channels, [(32, 3, 2, 0), (32, 3, 1, 0), (64, 3)])
        self.pool1 = MaxPool2d(3, 2)
        self.conv1 = _chain(64, [(96, 3, 2, 0)])
        self.branch2a = _chain(160, [(64, 1), (96, 3, 1, 0)])
        self.branch2b = _chain(160, [(64, 1), (64, (7, 1)), (64, (1, 7)), (96, 3, 1, 0)])
        self.conv3 = _chain(192, [(192, 3, 2, 0)])
        self.pool3 = MaxPool2d(3, 2)

    def forward(self, x: Tensor) -> Tensor:
        x = self.conv(x)
        x = cat([self.pool1(x), self.conv1(x)], 1)
        x = cat([self.branch2a(x), self.branch2b(x)], 1)
        return cat([self.conv3(x), self.pool3(x)], 1)


class InceptionA(_Branches):
    """Fig. 4, 35x35: in_channels → 384."""

    def __init__(self, in_channels: int = 384):
        super().__init__()
        self._set_branches([_pool_proj(in_channels, 96), _chain(in_channels, [(96, 1)]),
                            _chain(in_channels, [(64, 1), (96, 3)]), _chain(in_channels, [(64, 1), (96, 3), (96, 3)])])


class ReductionA(_Branches):
    """Fig. 7: in → in + n + m, size (H − 3)/2 + 1. Inception-v4: (k, l, m, n) = (192, 224, 256, 384)."""

    def __init__(self, in_channels: int = 384, k: int = 192, l: int = 224, m: int = 256, n: int = 384):
        super().__init__()
        self._set_branches([MaxPool2d(3, 2), _chain(in_channels, [(n, 3, 2, 0)]),
                            _chain(in_channels, [(k, 1), (l, 3), (m, 3, 2, 0)])])


class InceptionB(_Branches):
    """Fig. 5, 17x17: in_channels → 1024."""

    def __init__(self, in_channels: int = 1024):
        super().__init__()
        self._set_branches([_pool_proj(in_channels, 128), _chain(in_channels, [(384, 1)]),
                            _chain(in_channels, [(192, 1), (224, (1, 7)), (256, (7, 1))]),
                            _chain(in_channels, [(192, 1), (192, (7, 1)), (224, (1, 7)), (224, (7, 1)),
                                                 (256, (1, 7))])])


class ReductionB(_Branches):
    """Fig. 8: in → in + 512, size (H − 3)/2 + 1."""

    def __init__(self, in_channels: int = 1024):
        super().__init__()
        self._set_branches([MaxPool2d(3, 2), _chain(in_channels, [(192, 1), (192, 3, 2, 0)]),
                            _chain(in_channels, [(256, 1), (256, (1, 7)), (320, (7, 1)), (320, 3, 2, 0)])])


class InceptionC(Module):
    """Fig. 6, 8x8: in_channels → 1536; two branches end in a 1x3 and a 3x1 conv side by side."""

    def __init__(self, in_channels: int = 1536):
        super().__init__()
        self.branch0 = _pool_proj(in_channels, 256)
        self.branch1 = _chain(in_channels, [(256, 1)])
        self.branch2 = _chain(in_channels, [(384, 1)])
        self.branch2a, self.branch2b = _chain(384, [(256, (1, 3))]), _chain(384, [(256, (3, 1))])
        self.branch3 = _chain(in_channels, [(384, 1), (448, (3, 1)), (512, (1, 3))])
        self.branch3a, self.branch3b = _chain(512, [(256, (1, 3))]), _chain(512, [(256, (3, 1))])

    def forward(self, x: Tensor) -> Tensor:
        b2, b3 = self.branch2(x), self.branch3(x)
        return cat([self.branch0(x), self.branch1(x), self.branch2a(b2), self.branch2b(b2), self.branch3a(b3),
                    self.branch3b(b3)], 1)


class _ResidualInception(_Branches):
    """y = ReLU(x + scale · conv1x1(cat(branches))): the 1x1 is linear, with bias, back to in_channels."""

    def _set_residual(self, in_channels: int, branches: Sequence[Module], concat_channels: int, scale: float,
                      activation: bool = True) -> None:
        self._set_branches(branches)
        self.conv = Conv2d(concat_channels, in_channels, 1, bias=True)
        self.scale, self.activation = float(scale), activation

    def forward(self, x: Tensor) -> Tensor:
        y = x + self.conv(cat(self.branch_outputs(x), 1)) * self.scale
        return relu(y) if self.activation else y

    def extra_repr(self) -> str:
        return f"scale={self.scale:g}"


class InceptionResNetA(_ResidualInception):
    """Fig. 16 (35x35): branches to 32 + 32 + 64 = 128 channels, scaled residual; in → in."""

    def __init__(self, in_channels: int = 320, scale: float = 0.17):
        super().__init__()
        self._set_residual(in_channels, [_chain(in_channels, [(32, 1)]), _chain(in_channels, [(32, 1), (32, 3)]),
                                         _chain(in_channels, [(32, 1), (48, 3), (64, 3)])], 128, scale)


class InceptionResNetB(_ResidualInception):
    """Fig. 17 (17x17): branches to 192 + 192 = 384 channels, scaled residual; in → in."""

    def __init__(self, in_channels: int = 1088, scale: float = 0.10):
        super().__init__()
        self._set_residual(in_channels, [_chain(in_channels, [(192, 1)]),
                                         _chain(in_channels, [(128, 1), (160, (1, 7)), (192, (7, 1))])], 384, scale)


class InceptionResNetC(_ResidualInception):
    """Fig. 19 (8x8): branches to 192 + 256 = 448 channels, scaled residual; in → in.
    ``activation=False`` leaves out the final ReLU (the last block of the network)."""

    def __init__(self, in_channels: int = 2080, scale: float = 0.20, activation: bool = True):
        super().__init__()
        self._set_residual(in_channels, [_chain(in_channels, [(192, 1)]),
                                         _chain(in_channels, [(192, 1), (224, (1, 3)), (256, (3, 1))])], 448, scale,
                           activation)


class ReductionResNetB(_Branches):
    """Fig. 18: in → in + 384 + 288 + 320, size (H − 3)/2 + 1."""

    def __init__(self, in_channels: int = 1088):
        super().__init__()
        self._set_branches([MaxPool2d(3, 2), _chain(in_channels, [(256, 1), (384, 3, 2, 0)]),
                            _chain(in_channels, [(256, 1), (288, 3, 2, 0)]),
                            _chain(in_channels, [(256, 1), (288, 3), (320, 3, 2, 0)])])


class InceptionV4(Module):
    """Inception-v4 (Fig. 9): stem, 4 x InceptionA, ReductionA, 7 x InceptionB, ReductionB,
    3 x InceptionC, global average pool, dropout, fc (1536 → num_classes).
    Input (N, 3, 299, 299) → (N, num_classes)."""

    def __init__(self, num_classes: int = 1000, dropout: float = 0.2):
        super().__init__()
        self.features = Sequential(InceptionStem(), *(InceptionA() for _ in range(4)), ReductionA(),
                                   *(InceptionB() for _ in range(7)), ReductionB(), *(InceptionC() for _ in range(3)))
        self.avgpool = AdaptiveAvgPool2d((1, 1))
        self.dropout = Dropout(dropout)
        self.fc = Linear(1536, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        self.check_input(x, ndim=4, dim=1, size=3, what="3 channels (dimension 1)", layout="(N, 3, H, W)")
        return self.fc(self.dropout(self.avgpool(self.features(x)).flatten(1)))


def inception_v4(**kwargs: Any) -> InceptionV4:
    """Inception-v4 for 299x299 images; 42,679,816 parameters at 1000 classes."""
    return InceptionV4(**kwargs)
