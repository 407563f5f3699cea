"""Pre-activation ResNets (ResNet v2; He et al. 2016b, "Identity Mappings in Deep Residual
Networks"): ``preact_resnet18`` (ImageNet shape) and ``preact_resnet20`` (CIFAR, depth 6n + 2).

A pre-activation block moves BN and ReLU in front of each convolution, so the shortcut path is
a pure identity from block to block:

    y = x + conv2(relu(bn2(conv1(relu(bn1(x))))))

Where a block changes the shape, the ImageNet network projects relu(bn1(x)) with a strided 1x1
convolution (``shortcut``, no BN: the next block's bn1 normalises the sum); the CIFAR network
uses the parameter-free option-A :class:`~gradbook.models.cifar_resnet.ZeroPadShortcut` on x.
Since nothing normalises the last block's output, the head is ``bn → relu → global average
pool → fc``.

    preact_resnet18: conv1 7x7/2 (3 → 64) → maxpool 3x3/2 → 4 stages of 2 blocks (64, 128, 256,
                     512; stride 2 from the second) → bn → relu → pool → fc       (N, 3, 224, 224)
    preact_resnet20: conv1 3x3 (3 → 16) → 3 stages of 3 blocks (16, 32, 64) → bn → relu → pool
                     → fc                                                         (N, 3, 32, 32)
"""
from __future__ import annotations

from typing import Any, Sequence

from ..autograd.tensor import Tensor
from ..nn import AdaptiveAvgPool2d, BatchNorm2d, Conv2d, Linear, MaxPool2d, Module, Sequential
from ..ops.elementwise import relu
from .cifar_resnet import ZeroPadShortcut
from .resnet import _init_resnet, conv1x1, conv3x3

__all__ = ["PreActBlock", "PreActResNet", "preact_resnet18", "preact_resnet20"]


class PreActBlock(Module):
    """y = shortcut + conv2(relu(bn2(conv1(relu(bn1(x)))))), 3x3 convolutions without bias.

    ``shortcut="projection"``: a 1x1 convolution (stride ``stride``) of relu(bn1(x)) where the
    shape changes; ``"zero_pad"``: x subsampled and zero-padded (option A). Identity otherwise.
    Input (N, in_planes, H, W) → (N, planes, ⌈H/stride⌉, ⌈W/stride⌉).
    """

    def __init__(self, in_planes: int, planes: int, stride: int = 1, shortcut: str = "projection"):
        super().__init__()
        if shortcut not in ("projection", "zero_pad"):
            raise ValueError(f"PreActBlock: shortcut must be 'projection' or 'zero_pad', got {shortcut!r}")
        self.bn1 = BatchNorm2d(in_planes)
        self.conv1 = conv3x3(in_planes, planes, stride)
        self.bn2 = BatchNorm2d(planes)
        self.conv2 = conv3x3(planes, planes)
        changes = stride != 1 or in_planes != planes
        self.shortcut = None
        self.zero_pad = None
        if changes and shortcut == "projection":
            self.shortcut = conv1x1(in_planes, planes, stride)
        elif changes:
            self.zero_pad = ZeroPadShortcut(in_planes, planes, stride)

    def forward(self, x: Tensor) -> Tensor:
        pre = relu(self.bn1(x))
        if self.shortcut is not None:
            identity = self.shortcut(pre)
        else:
            identity = self.zero_pad(x) if self.zero_pad is not None else x
        return identity + self.conv2(relu(self.bn2(self.conv1(pre))))


class PreActResNet(Module):
    """A pre-activation ResNet of :class:`PreActBlock` stages.

    ``layers``: blocks per stage; ``widths``: channels per stage (stride 2 from the second stage);
    ``stem="imagenet"`` is conv 7x7/2 (64) + maxpool 3x3/2 with projection shortcuts, ``"cifar"``
    a conv 3x3 (``widths[0]``) with zero-padding shortcuts. Initialisation as torchvision's
    ResNets (He normal fan-out, BN γ = 1, β = 0). Input (N, 3, H, W) → (N, num_classes).
    """

    def __init__(self, layers: Sequence[int], widths: Sequence[int] = (64, 128, 256, 512), num_classes: int = 1000,
                 stem: str = "imagenet"):
        super().__init__()
        if stem not in ("imagenet", "cifar"):
            raise ValueError(f"PreActResNet: stem must be 'imagenet' or 'cifar', got {stem!r}")
        if len(layers) != len(widths) or not layers or min(layers) < 1:
            raise ValueError(f"PreActResNet: layers {tuple(layers)} and widths {tuple(widths)} must be non-empty, "
                             "of the same length, with at least one block per stage")
        self.stem = stem
        if stem == "imagenet":
            self.conv1 = Conv2d(3, widths[0], 7, 2, 3, bias=False)
            self.maxpool = MaxPool2d(3, 2, 1)
            shortcut = "projection"
        else:
            self.conv1 = conv3x3(3, widths[0])
            self.maxpool = None
            shortcut = "zero_pad"
        in_planes = widths[0]
        for i, (blocks, planes) in enumerate(zip(layers, widths)):
            stage = [PreActBlock(in_planes, planes, 1 if i == 0 else 2, shortcut)]
            stage += [PreActBlock(planes, planes, 1, shortcut) for _ in range(1, blocks)]
            setattr(self, f"layer{i + 1}", Sequential(*stage))
            in_planes = planes
        self.num_stages = len(layers)
        self.bn = BatchNorm2d(in_planes)
        self.avgpool = AdaptiveAvgPool2d((1, 1))
        self.fc = Linear(in_planes, num_classes)
        _init_resnet(self, False)

    def forward(self, x: Tensor) -> Tensor:
        self.check_input(x, ndim=4, dim=1, size=3, what="3 channels (dimension 1)", layout="(N, 3, H, W)")
        x = self.conv1(x)
        if self.maxpool is not None:
            x = self.maxpool(x)
        for i in range(self.num_stages):
            x = getattr(self, f"layer{i + 1}")(x)
        return self.fc(self.avgpool(relu(self.bn(x))).flatten(1))

    def extra_repr(self) -> str:
        return f"stem={self.stem!r}"


def preact_resnet18(**kwargs: Any) -> PreActResNet:
    """Pre-activation ResNet-18 (ImageNet shape, projection shortcuts); 11,687,720 parameters."""
    return PreActResNet((2, 2, 2, 2), (64, 128, 256, 512), stem="imagenet", **kwargs)


def preact_resnet20(**kwargs: Any) -> PreActResNet:
    """Pre-activation ResNet-20 for CIFAR (n = 3, option-A shortcuts); 269,722 parameters at 10 classes."""
    kwargs.setdefault("num_classes", 10)
    return PreActResNet((3, 3, 3), (16, 32, 64), stem="cifar", **kwargs)
