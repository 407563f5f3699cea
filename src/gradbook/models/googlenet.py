"""GoogLeNet / Inception v1 (Szegedy et al. 2014) as torchvision builds it: ``googlenet``, with
torchvision's ``state_dict`` keys, shapes and order.

    conv1 7x7/2 (3 → 64) → maxpool1 3/2 → conv2 1x1 → conv3 3x3 (→ 192) → maxpool2
    inception3a, 3b → maxpool3 → inception4a ... 4e → maxpool4 2/2 → inception5a, 5b  (N, 1024, H/32, W/32)
    avgpool (1x1) → flatten → dropout → fc (1024 → num_classes)

Every conv is a ``BasicConv2d`` (conv without bias → BatchNorm2d(eps=0.001) → ReLU); every
max pool rounds up (``ceil_mode=True``). An Inception module concatenates four branches: 1x1;
1x1 → 3x3; 1x1 → 3x3 (torchvision's 3x3 where the paper has 5x5, kept for its weights); 3x3 max
pool → 1x1. With ``aux_logits`` two auxiliary classifiers (``aux1`` after 4a, ``aux2`` after 4d)
run in training mode only, and the model then returns ``GoogLeNetOutputs(logits, aux_logits2,
aux_logits1)``; in eval mode it returns the logits alone.

``transform_input=True`` maps an input normalised with ImageNet's mean and std to the
(x − 0.5)/0.5 normalisation the ported weights expect: channel c becomes
x_c·std_c/0.5 + (mean_c − 0.5)/0.5. 6,624,904 parameters without the auxiliary classifiers
(torchvision's published count), 13,004,888 with them; inputs of at least 15x15.
"""
from __future__ import annotations

from collections import namedtuple
from typing import Any, Callable

from ..autograd.tensor import Tensor
from ..nn import AdaptiveAvgPool2d, BatchNorm2d, Conv2d, Dropout, Linear, MaxPool2d, Module, Sequential, init
from ..ops.elementwise import relu
from ..ops.pool import adaptive_avg_pool2d
from ..ops.shape import cat
from ._weights import no_pretrained_weights

__all__ = ["BasicConv2d", "GoogLeNet", "GoogLeNetOutputs", "Inception", "InceptionAux", "googlenet"]

GoogLeNetOutputs = namedtuple("GoogLeNetOutputs", ["logits", "aux_logits2", "aux_logits1"])


def init_truncated_normal(model: Module, std: Callable[[Module], float]) -> None:
    """torchvision's GoogLeNet/Inception initialisation: conv and linear weights from a normal of
    standard deviation ``std(layer)`` truncated to [−2, 2]; batch norms to weight 1, bias 0."""
    for m in model.modules():
        if isinstance(m, (Conv2d, Linear)):
            init.trunc_normal_(m.weight, mean=0.0, std=std(m), a=-2, b=2)
        elif isinstance(m, BatchNorm2d):
            init.constant_(m.weight, 1)
            init.constant_(m.bias, 0)


def transform_input(x: Tensor) -> Tensor:
    """x normalised with ImageNet's mean (0.485, 0.456, 0.406) and std (0.229, 0.224, 0.225),
    renormalised to (x − 0.5)/0.5 per channel (shared by GoogLeNet and Inception v3)."""
    mean, std = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)
    return cat([x[:, c].unsqueeze(1) * (std[c] / 0.5) + (mean[c] - 0.5) / 0.5 for c in range(3)], 1)


class BasicConv2d(Module):
    """relu(bn(conv(x))): ``Conv2d(in_channels, out_channels, bias=False, **kwargs)``, then
    ``BatchNorm2d(out_channels, eps=0.001)``."""

    def __init__(self, in_channels: int, out_channels: int, **kwargs: Any):
        super().__init__()
        self.conv = Conv2d(in_channels, out_channels, bias=False, **kwargs)
        self.bn = BatchNorm2d(out_channels, eps=0.001)

    def forward(self, x: Tensor) -> Tensor:
        return relu(self.bn(self.conv(x)))


class Inception(Module):
    """torchvision's ``Inception(in_channels, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj,
    conv_block=None)``: cat(branch1..4) along channels, ch1x1 + ch3x3 + ch5x5 + pool_proj out."""

    def __init__(self, in_channels: int, ch1x1: int, ch3x3red: int, ch3x3: int, ch5x5red: int, ch5x5: int,
                 pool_proj: int, conv_block: Callable[..., Module] | None = None):
        super().__init__()
        conv_block = BasicConv2d if conv_block is None else conv_block
        self.branch1 = conv_block(in_channels, ch1x1, kernel_size=1)
        self.branch2 = Sequential(conv_block(in_channels, ch3x3red, kernel_size=1),
                                  conv_block(ch3x3red, ch3x3, kernel_size=3, padding=1))
        # 3x3 where the paper has 5x5: torchvision's known deviation (pytorch/vision#906), kept for its weights
        self.branch3 = Sequential(conv_block(in_channels, ch5x5red, kernel_size=1),
                                  conv_block(ch5x5red, ch5x5, kernel_size=3, padding=1))
        self.branch4 = Sequential(MaxPool2d(kernel_size=3, stride=1, padding=1, ceil_mode=True),
                                  conv_block(in_channels, pool_proj, kernel_size=1))

    def forward(self, x: Tensor) -> Tensor:
        return cat([self.branch1(x), self.branch2(x), self.branch3(x), self.branch4(x)], 1)


class InceptionAux(Module):
    """Auxiliary classifier: adaptive average pool (4x4) → 1x1 conv (→ 128) → flatten → fc1 (2048 →
    1024) → ReLU → dropout → fc2 (→ num_classes)."""

    def __init__(self, in_channels: int, num_classes: int, conv_block: Callable[..., Module] | None = None,
                 dropout: float = 0.7):
        super().__init__()
        conv_block = BasicConv2d if conv_block is None else conv_block
        self.conv = conv_block(in_channels, 128, kernel_size=1)
        self.fc1 = Linear(2048, 1024)
        self.fc2 = Linear(1024, num_classes)
        self.dropout = Dropout(p=dropout)

    def forward(self, x: Tensor) -> Tensor:
        x = self.conv(adaptive_avg_pool2d(x, (4, 4))).flatten(1)
        return self.fc2(self.dropout(relu(self.fc1(x))))


class GoogLeNet(Module):
    """torchvision's ``GoogLeNet(num_classes=1000, aux_logits=True, transform_input=False,
    init_weights=None, blocks=None, dropout=0.2, dropout_aux=0.7)``.

    ``blocks``: [conv_block, inception_block, inception_aux_block] classes. ``init_weights``
    (None means True here; torchvision warns about its slow SciPy sampler, which gradbook does not
    use): convs and linears N(0, 0.01²) truncated to [−2, 2], norms γ = 1, β = 0.
    Input (N, 3, H, W) → (N, num_classes), or ``GoogLeNetOutputs`` in training with ``aux_logits``.
    """

    def __init__(self, num_classes: int = 1000, aux_logits: bool = True, transform_input: bool = False,
                 init_weights: bool | None = None, blocks: list[Callable[..., Module]] | None = None,
                 dropout: float = 0.2, dropout_aux: float = 0.7):
        super().__init__()
        if blocks is None:
            blocks = [BasicConv2d, Inception, InceptionAux]
        if init_weights is None:
            init_weights = True
        if len(blocks) != 3:
            raise ValueError(f"blocks length should be 3 instead of {len(blocks)}")
        conv_block, inception_block, inception_aux_block = blocks
        self.aux_logits = aux_logits
        self.transform_input = transform_input
        self.conv1 = conv_block(3, 64, kernel_size=7, stride=2, padding=3)
        self.maxpool1 = MaxPool2d(3, stride=2, ceil_mode=True)
        self.conv2 = conv_block(64, 64, kernel_size=1)
        self.conv3 = conv_block(64, 192, kernel_size=3, padding=1)
        self.maxpool2 = MaxPool2d(3, stride=2, ceil_mode=True)
        self.inception3a = inception_block(192, 64, 96, 128, 16, 32, 32)
        self.inception3b = inception_block(256, 128, 128, 192, 32, 96, 64)
        self.maxpool3 = MaxPool2d(3, stride=2, ceil_mode=True)
        self.inception4a = inception_block(480, 192, 96, 208, 16, 48, 64)
        self.inception4b = inception_block(512, 160, 112, 224, 24, 64, 64)
        self.inception4c = inception_block(512, 128, 128, 256, 24, 64, 64)
        self.inception4d = inception_block(512, 112, 144, 288, 32, 64, 64)
        self.inception4e = inception_block(528, 256, 160, 320, 32, 128, 128)
        self.maxpool4 = MaxPool2d(2, stride=2, ceil_mode=True)
        self.inception5a = inception_block(832, 256, 160, 320, 32, 128, 128)
        self.inception5b = inception_block(832, 384, 192, 384, 48, 128, 128)
        if aux_logits:
            self.aux1 = inception_aux_block(512, num_classes, dropout=dropout_aux)
            self.aux2 = inception_aux_block(528, num_classes, dropout=dropout_aux)
        else:
            self.aux1 = None
            self.aux2 = None
        self.avgpool = AdaptiveAvgPool2d((1, 1))
        self.dropout = Dropout(p=dropout)
        self.fc = Linear(1024, num_classes)
        if init_weights:
            init_truncated_normal(self, lambda m: 0.01)

    def forward(self, x: Tensor) -> Tensor | GoogLeNetOutputs:
        self.check_input(x, ndim=4, dim=1, size=3, what="3 channels (dimension 1)", layout="(N, 3, H, W)")
        if self.transform_input:
            x = transform_input(x)
        x = self.maxpool1(self.conv1(x))
        x = self.maxpool2(self.conv3(self.conv2(x)))
        x = self.maxpool3(self.inception3b(self.inception3a(x)))
        x = self.inception4a(x)
        aux1 = self.aux1(x) if self.aux1 is not None and self.training else None
        x = self.inception4d(self.inception4c(self.inception4b(x)))
        aux2 = self.aux2(x) if self.aux2 is not None and self.training else None
        x = self.maxpool4(self.inception4e(x))
        x = self.inception5b(self.inception5a(x))
        x = self.fc(self.dropout(self.avgpool(x).flatten(1)))
        if self.training and self.aux_logits:
            return GoogLeNetOutputs(x, aux2, aux1)
        return x


def googlenet(*, weights: Any = None, progress: bool = True, **kwargs: Any) -> GoogLeNet:
    """GoogLeNet (Inception v1); 6,624,904 parameters with ``aux_logits=False`` (13,004,888 with
    torchvision's default ``aux_logits=True``). Weights converted from torchvision's
    ``googlenet(weights=...)`` (which drops the auxiliary classifiers and sets
    ``transform_input=True``) load into ``googlenet(aux_logits=False, transform_input=True)``."""
    no_pretrained_weights("googlenet", weights)
    return GoogLeNet(**kwargs)
