"""What a 1x1 convolution does: per-pixel channel mixing (= a Linear), and the Inception bottleneck."""
from __future__ import annotations

import numpy as np

from ... import backend, no_grad
from ...analysis import conv_params, flops
from ...autograd import Tensor
from ...nn import Conv2d, Linear, Sequential
from ..entry import Entry
from ..result import Result


def compute(quick: bool) -> Result:
    r = Result()
    backend.manual_seed(0)
    rng = backend.spawn_rng(0)
    conv = Conv2d(192, 32, kernel_size=1)
    fc = Linear(192, 32)
    fc.load_state_dict({"weight": conv.weight.data.reshape(32, 192), "bias": conv.bias.data})
    x = Tensor(rng.standard_normal((2, 192, 7, 7)).astype(np.float32))
    with no_grad():
        by_conv = conv(x).data
        by_linear = fc(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2).data
    r.number("max_gap_conv1x1_vs_linear", float(np.abs(by_conv - by_linear).max()),
             "Conv2d(192, 32, 1)(x) vs Linear(192, 32) on x.permute(0, 2, 3, 1)")
    r.number("spatial_shape_kept", list(by_conv.shape[-2:]))

    single = Conv2d(1, 1, kernel_size=1)
    y = rng.standard_normal((1, 1, 4, 4)).astype(np.float32)
    with no_grad():
        out = single(Tensor(y)).data
    affine = float(single.weight.data.ravel()[0]) * y + float(single.bias.data[0])
    r.number("single_channel_is_affine_gap", float(np.abs(out - affine).max()))

    direct = conv_params(192, 32, 5, bias=False)
    bottleneck = conv_params(192, 16, 1, bias=False) + conv_params(16, 32, 5, bias=False)
    r.number("weights_direct_5x5", direct, "conv_params(192, 32, 5, bias=False)")
    r.number("weights_with_bottleneck", bottleneck, "conv_params(192, 16, 1) + conv_params(16, 32, 5) (no bias)")
    r.number("weights_ratio", direct / bottleneck)
    macs_direct = flops(Sequential(Conv2d(192, 32, 5, padding=2, bias=False)), (192, 28, 28))["total"]
    macs_bottle = flops(Sequential(Conv2d(192, 16, 1, bias=False), Conv2d(16, 32, 5, padding=2, bias=False)),
                        (192, 28, 28))["total"]
    r.number("macs_direct", macs_direct, "flops(Conv2d(192, 32, 5, padding=2), (192, 28, 28))")
    r.number("macs_with_bottleneck", macs_bottle)
    r.number("macs_ratio", macs_direct / macs_bottle)
    r.check("channel-mixing-equals-linear", r.numbers["max_gap_conv1x1_vs_linear"] < 1e-4)
    r.check("bottleneck-saves-compute", r.numbers["macs_ratio"] > 5 and r.numbers["weights_ratio"] > 5)
    r.check("single-channel-is-a-scale", r.numbers["single_channel_is_affine_gap"] < 1e-6)
    return r


ENTRY = Entry(
    id="conv-1x1",
    section="C",
    title={"zh": "1x1 卷积的作用", "en": "What does a 1x1 convolution do?"},
    keywords=["1x1", "1×1", "pointwise", "bottleneck", "inception", "降维", "升维", "通道"],
    claims={
        "channel-mixing-equals-linear": {
            "en": "A 1x1 convolution is a fully connected layer applied to the channels of every pixel (shared across positions).",
            "zh": "1x1 卷积等价于在每个像素的通道上做全连接（所有位置共享权重）。"},
        "bottleneck-saves-compute": {
            "en": "A 1x1 bottleneck (192→16) before a 5x5 conv (→32) cuts weights and multiply-adds about tenfold.",
            "zh": "在 5x5 卷积（→32）前加 1x1 瓶颈层（192→16），权重和乘加次数约减少为十分之一。"},
        "single-channel-is-a-scale": {"en": "On a single-channel input a 1x1 conv only scales and shifts each pixel.",
                                      "zh": "单通道输入上，1x1 卷积只是对每个像素做缩放和平移。"},
    },
    answer={
        "en": r"""
A 1x1 convolution looks at one pixel at a time, across all its channels: output channel $o$ at
position $(i,j)$ is $\sum_c W_{oc}\, x_{c,i,j} + b_o$. That is exactly a `Linear(C_in, C_out)`
applied to every pixel's channel vector with the same weights; with gradbook's layers the two
agree to {=max_gap_conv1x1_vs_linear:.1e}, and the spatial size {=spatial_shape_kept} is kept.

What it is used for:

1. **Changing the number of channels** (down or up) cheaply — pooling can only shrink height
   and width.
2. **Bottlenecks.** Inception's 5x5 branch from 192 to 32 channels on a 28x28 map needs
   {=weights_direct_5x5} weights and {=macs_direct} multiply-adds. Squeezing to 16 channels
   first with a 1x1 conv: {=weights_with_bottleneck} weights and {=macs_with_bottleneck}
   multiply-adds, {=macs_ratio:.1f}x less compute.
3. **More non-linearity** at almost no cost when followed by an activation (Network in Network).

With a single input channel it is just $a x + b$ per pixel (gap to that affine map:
{=single_channel_is_affine_gap:.1e}) — useful only across channels.
""",
        "zh": r"""
1x1 卷积一次只看一个像素，但覆盖它的所有通道：位置 $(i,j)$ 上第 $o$ 个输出通道为 $\sum_c W_{oc}\, x_{c,i,j} + b_o$。
这正是把 `Linear(C_in, C_out)` 以相同权重作用在每个像素的通道向量上；用 gradbook 的层验证，两者相差
{=max_gap_conv1x1_vs_linear:.1e}，且空间尺寸 {=spatial_shape_kept} 保持不变。

它的用途：

1. **改变通道数**（降维或升维），代价很小——池化只能缩小高和宽。
2. **瓶颈结构。** Inception 中 28x28 特征图上从 192 通道到 32 通道的 5x5 分支需要 {=weights_direct_5x5} 个权重和
   {=macs_direct} 次乘加。先用 1x1 卷积压缩到 16 个通道：{=weights_with_bottleneck} 个权重、{=macs_with_bottleneck}
   次乘加，计算量减少 {=macs_ratio:.1f} 倍。
3. 后接激活函数时，几乎零成本地**增加非线性**（Network in Network）。

单通道输入时它只是逐像素的 $a x + b$（与该仿射变换的差为 {=single_channel_is_affine_gap:.1e}）——它的作用只体现在通道之间。
""",
    },
    compute=compute,
)
