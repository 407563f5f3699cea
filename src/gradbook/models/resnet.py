"""ResNets (He et al. 2015) as torchvision builds them: ``resnet18/34/50/101/152``,
``resnext50_32x4d``, ``resnext101_32x8d``, ``wide_resnet50_2``, ``wide_resnet101_2``.

Modules are created in torchvision's order under torchvision's names, so ``state_dict()`` has
exactly torchvision's keys, shapes and order, and converted torchvision weights load with
``strict=True`` (:func:`gradbook.models.load_torch_state_dict`) and give the same outputs.

    stem:   conv1 7x7/2 (3→64) → bn1 → relu → maxpool 3x3/2          (N, 64, H/4, W/4)
    layer1..layer4: blocks of width 64, 128, 256, 512 (·expansion), stride 1, 2, 2, 2
    head:   avgpool (1x1) → flatten → fc (512·expansion → num_classes)

A block's first conv of a stage has the stage's stride; where the shape changes the shortcut is
``downsample`` = 1x1 conv (stride) + norm (the paper's option B projection).
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

from ..autograd.tensor import Tensor
from ..nn import AdaptiveAvgPool2d, BatchNorm2d, Conv2d, GroupNorm, Linear, MaxPool2d, Module, ReLU, Sequential
from ..nn import init
from ._weights import no_pretrained_weights

__all__ = ["BasicBlock", "Bottleneck", "ResNet", "resnet18", "resnet34", "resnet50", "resnet101", "resnet152",
           "resnext50_32x4d", "resnext101_32x8d", "wide_resnet50_2", "wide_resnet101_2"]


def conv3x3(in_planes: int, out_planes: int, stride: int = 1, groups: int = 1, dilation: int = 1) -> Conv2d:
    """3x3 convolution, padding = dilation (keeps the size at stride 1), no bias (a norm follows)."""
    return Conv2d(in_planes, out_planes, kernel_size=3, stride=stride, padding=dilation, groups=groups,
                  bias=False, dilation=dilation)


def conv1x1(in_planes: int, out_planes: int, stride: int = 1) -> Conv2d:
    """1x1 convolution without bias."""
    return Conv2d(in_planes, out_planes, kernel_size=1, stride=stride, bias=False)


class BasicBlock(Module):
    """y = relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)), two 3x3 convs (ResNet-18/34).

    ``downsample`` (any module, or None for the identity) maps x to the output's shape.
    Input (N, inplanes, H, W) → (N, planes, H/stride, W/stride).
    """

    expansion = 1

    def __init__(self, inplanes: int, planes: int, stride: int = 1, downsample: Module | None = None,
                 groups: int = 1, base_width: int = 64, dilation: int = 1,
                 norm_layer: Callable[[int], Module] | None = None):
        super().__init__()
        norm_layer = BatchNorm2d if norm_layer is None else norm_layer
        if groups != 1 or base_width != 64:
            raise ValueError(f"BasicBlock only supports groups=1 and base_width=64, got groups={groups}, "
                             f"base_width={base_width} (use Bottleneck for ResNeXt / wide ResNets)")
        if dilation > 1:
            raise NotImplementedError("Dilation > 1 not supported in BasicBlock (as in torchvision)")
        self.conv1 = conv3x3(inplanes, planes, stride)
        self.bn1 = norm_layer(planes)
        self.relu = ReLU(inplace=True)
        self.conv2 = conv3x3(planes, planes)
        self.bn2 = norm_layer(planes)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x: Tensor) -> Tensor:
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + identity)


class Bottleneck(Module):
    """y = relu(bn3(conv3(relu(bn2(conv2(relu(bn1(conv1(x)))))))) + shortcut(x)) (ResNet-50 and up).

    1x1 (inplanes → width) → 3x3 (width → width, stride, groups, dilation) → 1x1 (width → 4·planes),
    width = ⌊planes · base_width/64⌋ · groups: ResNeXt's cardinality is ``groups``, a wide ResNet's
    extra width is ``base_width``. The stride sits on the 3x3 conv (torchvision's "ResNet v1.5").
    """

    expansion = 4

    def __init__(self, inplanes: int, planes: int, stride: int = 1, downsample: Module | None = None,
                 groups: int = 1, base_width: int = 64, dilation: int = 1,
                 norm_layer: Callable[[int], Module] | None = None):
        super().__init__()
        norm_layer = BatchNorm2d if norm_layer is None else norm_layer
        width = int(planes * (base_width / 64.0)) * groups
        self.conv1 = conv1x1(inplanes, width)
        self.bn1 = norm_layer(width)
        self.conv2 = conv3x3(width, width, stride, groups, dilation)
        self.bn2 = norm_layer(width)
        self.conv3 = conv1x1(width, planes * self.expansion)
        self.bn3 = norm_layer(planes * self.expansion)
        self.relu = ReLU(inplace=True)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x: Tensor) -> Tensor:
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return self.relu(out + identity)


class ResNet(Module):
    """torchvision's ``ResNet(block, layers, num_classes=1000, zero_init_residual=False, groups=1,
    width_per_group=64, replace_stride_with_dilation=None, norm_layer=None)``.

    ``layers``: blocks per stage (ResNet-50: [3, 4, 6, 3]). ``zero_init_residual``: each block's last
    norm starts at γ = 0, so every block starts as the identity. ``replace_stride_with_dilation``:
    three bools, one per stage 2-4, trading that stage's stride for dilation (segmentation
    backbones; Bottleneck only). ``norm_layer``: a factory ``norm_layer(channels)`` (BatchNorm2d).
    Initialisation as torchvision: convs ``kaiming_normal_(mode="fan_out", nonlinearity="relu")``,
    norms γ = 1, β = 0, ``fc`` PyTorch's Linear default.

    Input (N, 3, H, W), H, W ≥ 32 → logits (N, num_classes) (the stem and stages divide by 32;
    the adaptive pool takes any size that leaves at least one cell).
    """

    def __init__(self, block: type[BasicBlock] | type[Bottleneck], layers: Sequence[int], num_classes: int = 1000,
                 zero_init_residual: bool = False, groups: int = 1, width_per_group: int = 64,
                 replace_stride_with_dilation: Sequence[bool] | None = None,
                 norm_layer: Callable[[int], Module] | None = None):
        super().__init__()
        if len(layers) != 4:
            raise ValueError(f"ResNet: layers must give 4 block counts, got {list(layers)}")
        self._norm_layer = BatchNorm2d if norm_layer is None else norm_layer
        self.inplanes, self.dilation = 64, 1
        if replace_stride_with_dilation is None:
            replace_stride_with_dilation = [False, False, False]
        if len(replace_stride_with_dilation) != 3:
            raise ValueError("replace_stride_with_dilation should be None or a 3-element tuple, got "
                             f"{replace_stride_with_dilation}")
        self.groups, self.base_width = groups, width_per_group
        self.conv1 = Conv2d(3, self.inplanes, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = self._norm_layer(self.inplanes)
        self.relu = ReLU(inplace=True)
        self.maxpool = MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(block, 64, layers[0])
        self.layer2 = self._make_layer(block, 128, layers[1], stride=2, dilate=replace_stride_with_dilation[0])
        self.layer3 = self._make_layer(block, 256, layers[2], stride=2, dilate=replace_stride_with_dilation[1])
        self.layer4 = self._make_layer(block, 512, layers[3], stride=2, dilate=replace_stride_with_dilation[2])
        self.avgpool = AdaptiveAvgPool2d((1, 1))
        self.fc = Linear(512 * block.expansion, num_classes)
        _init_resnet(self, zero_init_residual)

    def _make_layer(self, block, planes: int, blocks: int, stride: int = 1, dilate: bool = False) -> Sequential:
        downsample = None
        previous_dilation = self.dilation
        if dilate:
            self.dilation *= stride
            stride = 1
        if stride != 1 or self.inplanes != planes * block.expansion:
            downsample = Sequential(conv1x1(self.inplanes, planes * block.expansion, stride),
                                    self._norm_layer(planes * block.expansion))
        layers = [block(self.inplanes, planes, stride, downsample, self.groups, self.base_width,
                        previous_dilation, self._norm_layer)]
        self.inplanes = planes * block.expansion
        for _ in range(1, blocks):
            layers.append(block(self.inplanes, planes, groups=self.groups, base_width=self.base_width,
                                dilation=self.dilation, norm_layer=self._norm_layer))
        return Sequential(*layers)

    def forward(self, x: Tensor) -> Tensor:
        self.check_input(x, ndim=4, dim=1, size=3, what="3 channels (dimension 1)", layout="(N, 3, H, W)")
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(self.avgpool(x).flatten(1))


def _init_resnet(model: Module, zero_init_residual: bool) -> None:
    """torchvision's initialisation (shared with the CIFAR ResNets)."""
    for m in model.modules():
        if isinstance(m, Conv2d):
            init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
        elif isinstance(m, (BatchNorm2d, GroupNorm)) and m.weight is not None:
            init.constant_(m.weight, 1)
            init.constant_(m.bias, 0)
    if zero_init_residual:
        for m in model.modules():
            last = m.bn3 if isinstance(m, Bottleneck) else m.bn2 if isinstance(m, BasicBlock) else None
            if last is not None and last.weight is not None:
                init.constant_(last.weight, 0)


def _resnet(name: str, block, layers: list[int], weights: Any, progress: bool, **kwargs: Any) -> ResNet:
    no_pretrained_weights(name, weights)
    return ResNet(block, layers, **kwargs)


def resnet18(*, weights: Any = None, progress: bool = True, **kwargs: Any) -> ResNet:
    """ResNet-18: BasicBlock [2, 2, 2, 2]; 11,689,512 parameters at 1000 classes."""
    return _resnet("resnet18", BasicBlock, [2, 2, 2, 2], weights, progress, **kwargs)


def resnet34(*, weights: Any = None, progress: bool = True, **kwargs: Any) -> ResNet:
    """ResNet-34: BasicBlock [3, 4, 6, 3]; 21,797,672 parameters."""
    return _resnet("resnet34", BasicBlock, [3, 4, 6, 3], weights, progress, **kwargs)


def resnet50(*, weights: Any = None, progress: bool = True, **kwargs: Any) -> ResNet:
    """ResNet-50: Bottleneck [3, 4, 6, 3]; 25,557,032 parameters."""
    return _resnet("resnet50", Bottleneck, [3, 4, 6, 3], weights, progress, **kwargs)


def resnet101(*, weights: Any = None, progress: bool = True, **kwargs: Any) -> ResNet:
    """ResNet-101: Bottleneck [3, 4, 23, 3]; 44,549,160 parameters."""
    return _resnet("resnet101", Bottleneck, [3, 4, 23, 3], weights, progress, **kwargs)


def resnet152(*, weights: Any = None, progress: bool = True, **kwargs: Any) -> ResNet:
    """ResNet-152: Bottleneck [3, 8, 36, 3]; 60,192,808 parameters."""
    return _resnet("resnet152", Bottleneck, [3, 8, 36, 3], weights, progress, **kwargs)


def resnext50_32x4d(*, weights: Any = None, progress: bool = True, **kwargs: Any) -> ResNet:
    """ResNeXt-50 32x4d: ResNet-50 with 32 groups of width 4 in the 3x3 convs; 25,028,904 parameters."""
    return _resnet("resnext50_32x4d", Bottleneck, [3, 4, 6, 3], weights, progress,
                   **_fixed(kwargs, "resnext50_32x4d", groups=32, width_per_group=4))


def resnext101_32x8d(*, weights: Any = None, progress: bool = True, **kwargs: Any) -> ResNet:
    """ResNeXt-101 32x8d; 88,791,336 parameters."""
    return _resnet("resnext101_32x8d", Bottleneck, [3, 4, 23, 3], weights, progress,
                   **_fixed(kwargs, "resnext101_32x8d", groups=32, width_per_group=8))


def wide_resnet50_2(*, weights: Any = None, progress: bool = True, **kwargs: Any) -> ResNet:
    """Wide ResNet-50-2: ResNet-50 with the bottleneck 3x3 convs twice as wide; 68,883,240 parameters."""
    return _resnet("wide_resnet50_2", Bottleneck, [3, 4, 6, 3], weights, progress,
                   **_fixed(kwargs, "wide_resnet50_2", width_per_group=128))


def wide_resnet101_2(*, weights: Any = None, progress: bool = True, **kwargs: Any) -> ResNet:
    """Wide ResNet-101-2; 126,886,696 parameters."""
    return _resnet("wide_resnet101_2", Bottleneck, [3, 4, 23, 3], weights, progress,
                   **_fixed(kwargs, "wide_resnet101_2", width_per_group=128))


def _fixed(kwargs: dict, name: str, **values: Any) -> dict:
    """kwargs with the variant's defining values; a different value from the caller is an error
    (torchvision's ``_ovewrite_named_param``)."""
    for key, value in values.items():
        if key in kwargs and kwargs[key] != value:
            raise ValueError(f"{name}: {key} is fixed at {value} for this model, got {kwargs[key]}")
    return {**kwargs, **values}
