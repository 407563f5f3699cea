"""MobileNetV2 (Sandler et al. 2018) as torchvision builds it: ``mobilenet_v2``, with
torchvision's ``state_dict`` keys, shapes and order.

    features[0]:      Conv2dNormActivation 3x3/2 (3 → 32), ReLU6
    features[1..17]:  inverted residual blocks, per row (t, c, n, s) of the setting:
                      n blocks of width c, expansion t, the first with stride s
    features[18]:     Conv2dNormActivation 1x1 (320 → 1280), ReLU6
    head:             adaptive average pool (1x1) → flatten → classifier (Dropout, Linear)

An inverted residual block: 1x1 expand (C → tC, BN, ReLU6; left out when t = 1) → 3x3 depthwise
(stride s, BN, ReLU6) → 1x1 linear projection (tC → C', BN, no activation); y = x + block(x)
when s = 1 and C = C'. 3,504,872 parameters at 1000 classes; any input size of at least 1x1.
"""
from __future__ import annotations

from typing import Any, Callable

from ..autograd.tensor import Tensor
from ..nn import BatchNorm2d, Conv2d, Dropout, GroupNorm, Linear, Module, ReLU6, Sequential, init
from ..ops.pool import adaptive_avg_pool2d
from ._blocks import Conv2dNormActivation, make_divisible
from ._weights import no_pretrained_weights

__all__ = ["InvertedResidual", "MobileNetV2", "mobilenet_v2"]


class InvertedResidual(Module):
    """torchvision's ``InvertedResidual(inp, oup, stride, expand_ratio, norm_layer=None)``: keys
    ``conv.0`` ... under one Sequential. Input (N, inp, H, W) → (N, oup, H/stride, W/stride)."""

    def __init__(self, inp: int, oup: int, stride: int, expand_ratio: int,
                 norm_layer: Callable[[int], Module] | None = None):
        super().__init__()
        self.stride = stride
        if stride not in [1, 2]:
            raise ValueError(f"stride should be 1 or 2 instead of {stride}")
        norm_layer = BatchNorm2d if norm_layer is None else norm_layer
        hidden_dim = int(round(inp * expand_ratio))
        self.use_res_connect = self.stride == 1 and inp == oup
        layers: list[Module] = []
        if expand_ratio != 1:  # pointwise expansion
            layers.append(Conv2dNormActivation(inp, hidden_dim, kernel_size=1, norm_layer=norm_layer,
                                               activation_layer=ReLU6))
        layers.extend([
            Conv2dNormActivation(hidden_dim, hidden_dim, stride=stride, groups=hidden_dim, norm_layer=norm_layer,
                                 activation_layer=ReLU6),            # depthwise
            Conv2d(hidden_dim, oup, 1, 1, 0, bias=False),           # pointwise, linear
            norm_layer(oup)])
        self.conv = Sequential(*layers)
        self.out_channels = oup
        self._is_cn = stride > 1

    def forward(self, x: Tensor) -> Tensor:
        return x + self.conv(x) if self.use_res_connect else self.conv(x)


class MobileNetV2(Module):
    """torchvision's ``MobileNetV2(num_classes=1000, width_mult=1.0, inverted_residual_setting=None,
    round_nearest=8, block=None, norm_layer=None, dropout=0.2)``.

    ``width_mult`` scales every width, rounded to a multiple of ``round_nearest``; the last conv's
    1280 only grows (``max(1, width_mult)``). ``inverted_residual_setting``: rows [t, c, n, s].
    Initialisation as torchvision: convs ``kaiming_normal_(mode="fan_out")`` with zero bias, norms
    γ = 1, β = 0, linears N(0, 0.01²) with zero bias. Input (N, 3, H, W) → (N, num_classes).
    """

    def __init__(self, num_classes: int = 1000, width_mult: float = 1.0,
                 inverted_residual_setting: list[list[int]] | None = None, round_nearest: int = 8,
                 block: Callable[..., Module] | None = None, norm_layer: Callable[[int], Module] | None = None,
                 dropout: float = 0.2):
        super().__init__()
        block = InvertedResidual if block is None else block
        norm_layer = BatchNorm2d if norm_layer is None else norm_layer
        input_channel, last_channel = 32, 1280
        if inverted_residual_setting is None:
            inverted_residual_setting = [
                # t, c, n, s
                [1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2],
                [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1]]
        if len(inverted_residual_setting) == 0 or len(inverted_residual_setting[0]) != 4:
            raise ValueError("inverted_residual_setting should be non-empty or a 4-element list, got "
                             f"{inverted_residual_setting}")
        input_channel = make_divisible(input_channel * width_mult, round_nearest)
        self.last_channel = make_divisible(last_channel * max(1.0, width_mult), round_nearest)
        features: list[Module] = [Conv2dNormActivation(3, input_channel, stride=2, norm_layer=norm_layer,
                                                       activation_layer=ReLU6)]
        for t, c, n, s in inverted_residual_setting:
            output_channel = make_divisible(c * width_mult, round_nearest)
            for i in range(n):
                features.append(block(input_channel, output_channel, s if i == 0 else 1, expand_ratio=t,
                                      norm_layer=norm_layer))
                input_channel = output_channel
        features.append(Conv2dNormActivation(input_channel, self.last_channel, kernel_size=1, norm_layer=norm_layer,
                                             activation_layer=ReLU6))
        self.features = Sequential(*features)
        self.classifier = Sequential(Dropout(p=dropout), Linear(self.last_channel, num_classes))
        for m in self.modules():
            if isinstance(m, Conv2d):
                init.kaiming_normal_(m.weight, mode="fan_out")
                if m.bias is not None:
                    init.zeros_(m.bias)
            elif isinstance(m, (BatchNorm2d, GroupNorm)):
                init.ones_(m.weight)
                init.zeros_(m.bias)
            elif isinstance(m, Linear):
                init.normal_(m.weight, 0, 0.01)
                init.zeros_(m.bias)

    def forward(self, x: Tensor) -> Tensor:
        self.check_input(x, ndim=4, dim=1, size=3, what="3 channels (dimension 1)", layout="(N, 3, H, W)")
        x = adaptive_avg_pool2d(self.features(x), (1, 1))
        return self.classifier(x.flatten(1))


def mobilenet_v2(*, weights: Any = None, progress: bool = True, **kwargs: Any) -> MobileNetV2:
    """MobileNetV2; 3,504,872 parameters."""
    no_pretrained_weights("mobilenet_v2", weights)
    return MobileNetV2(**kwargs)
