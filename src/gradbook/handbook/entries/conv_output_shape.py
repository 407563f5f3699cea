"""The output size of a convolution or pooling layer: the formula, checked by running the layers."""
from __future__ import annotations

import numpy as np

from ... import backend, no_grad
from ...analysis import conv_output_shape
from ...autograd import Tensor
from ...nn import Conv2d, MaxPool2d
from ..entry import Entry
from ..result import Result


def _random_cases(rng: np.random.Generator, n: int):
    for _ in range(n):
        k, s, d = int(rng.integers(1, 6)), int(rng.integers(1, 4)), int(rng.integers(1, 3))
        p = int(rng.integers(0, k // 2 + 1))
        size = int(rng.integers(d * (k - 1) + 1, 30))
        yield size, k, s, p, d


def compute(quick: bool) -> Result:
    r = Result()
    backend.manual_seed(0)
    rng = backend.spawn_rng(5)
    n = 40 if quick else 300
    conv_mismatch = pool_mismatch = conv_not_floor = pool_ceil_rounds_up = 0
    with no_grad():
        for size, k, s, p, d in _random_cases(rng, n):
            x = Tensor(np.zeros((1, 1, size, size), np.float32))
            got = Conv2d(1, 1, k, stride=s, padding=p, dilation=d)(x).shape[-1]
            conv_mismatch += got != conv_output_shape(size, k, s, p, d)
            floor = (size + 2 * p - d * (k - 1) - 1) // s + 1  # rounding down, written out
            conv_not_floor += got != floor
            sizes = {}
            for ceil in (False, True):
                pool = MaxPool2d(k, stride=s, padding=p, dilation=d, ceil_mode=ceil)
                sizes[ceil] = pool(x).shape[-1]
                pool_mismatch += sizes[ceil] != conv_output_shape(size, k, s, p, d, ceil_mode=ceil)
            pool_ceil_rounds_up += sizes[True] > floor
    r.number("cases_checked", n)
    r.number("conv_mismatches", int(conv_mismatch), "running Conv2d vs conv_output_shape")
    r.number("pool_mismatches", int(pool_mismatch), "running MaxPool2d (floor and ceil mode) vs the formula")
    r.number("conv_not_floor", int(conv_not_floor), "running Conv2d vs ⌊(W + 2P − D(K−1) − 1)/S⌋ + 1")
    r.number("pool_ceil_rounds_up", int(pool_ceil_rounds_up),
             "cases where MaxPool2d(ceil_mode=True) outputs more than the floor formula")
    r.number("lenet_5x5_on_28", conv_output_shape(28, 5), "conv_output_shape(28, 5)")
    r.number("same_3x3_pad1", conv_output_shape(32, 3, 1, 1))
    r.number("stride2_on_7", conv_output_shape(7, 3, 2, 1), "conv_output_shape(7, 3, stride=2, padding=1)")
    r.number("alexnet_224", conv_output_shape(224, 11, 4), "conv_output_shape(224, 11, stride=4)")
    r.number("alexnet_224_exact", (224 - 11) / 4 + 1)
    r.number("alexnet_227", conv_output_shape(227, 11, 4))
    r.number("alexnet_224_pad2", conv_output_shape(224, 11, 4, 2))
    r.number("pool_floor_on_6", conv_output_shape(6, 3, 2), "MaxPool2d(3, 2) on 6")
    r.number("pool_ceil_on_6", conv_output_shape(6, 3, 2, ceil_mode=True), "MaxPool2d(3, 2, ceil_mode=True) on 6")
    r.number("dilated_3x3_d2_on_28", conv_output_shape(28, 3, 1, 0, 2))
    r.check("formula-matches-layers", conv_mismatch == 0 and pool_mismatch == 0)
    r.check("alexnet-224-gives-55", r.numbers["alexnet_224"] == 55)
    # convolutions always floor; the claim "always" then depends on whether a pool in ceil mode ever rounds up
    r.verdict("floor-always", "corrected" if conv_not_floor else "depends" if pool_ceil_rounds_up else "confirmed")
    r.condition("Convolutions round down; pooling rounds up with ceil_mode=True (a window may start in the "
                "padding-free tail), which changes the size when (W + 2P - K) is not a multiple of S.")
    return r


ENTRY = Entry(
    id="conv-output-shape",
    section="C",
    title={"zh": "给定输入、卷积核、padding、步长求输出 shape", "en": "Output shape of a convolution"},
    keywords=["output shape", "输出尺寸", "shape", "padding", "stride", "步长", "卷积", "alexnet"],
    claims={
        "formula-matches-layers": {
            "en": "$W_{out} = \\lfloor (W + 2P - D(K-1) - 1)/S \\rfloor + 1$ gives the output size of every conv layer.",
            "zh": "$W_{out} = \\lfloor (W + 2P - D(K-1) - 1)/S \\rfloor + 1$ 给出每个卷积层的输出尺寸。"},
        "alexnet-224-gives-55": {
            "en": "AlexNet's first layer (11x11, stride 4) maps a 224x224 image to 55x55 (as often quoted).",
            "zh": "AlexNet 第一层（11x11，步长 4）把 224x224 的图像变为 55x55（常见说法）。"},
        "floor-always": {"en": "The size is always rounded down.", "zh": "输出尺寸总是向下取整。"},
    },
    answer={
        "en": r"""
For input width $W$, kernel $K$, padding $P$, stride $S$ and dilation $D$ (effective kernel
$D(K-1)+1$):
$$W_{out} = \left\lfloor \frac{W + 2P - D(K-1) - 1}{S} \right\rfloor + 1 .$$
With $D = 1$ this is the familiar $\lfloor (W - K + 2P)/S \rfloor + 1$. Height works the same way;
the number of output channels is the number of filters.

Examples: a 5x5 conv on 28x28 gives {=lenet_5x5_on_28}; 3x3 with padding 1 keeps 32
({=same_3x3_pad1}); 3x3, stride 2, padding 1 on 7 gives {=stride2_on_7}; a dilated 3x3
(dilation 2) on 28 gives {=dilated_3x3_d2_on_28}. On {=cases_checked} random configurations
the formula disagreed with running gradbook's `Conv2d` {=conv_mismatches} times and with
`MaxPool2d` {=pool_mismatches} times.

**A famous slip.** AlexNet's paper feeds 224x224 images to an 11x11 stride-4 layer and reports
55x55. But $(224 - 11)/4 + 1 =$ {=alexnet_224_exact}, which floors to {=alexnet_224}. The 55 comes
from a 227x227 input ({=alexnet_227}) or from padding 2 ({=alexnet_224_pad2}).

**Rounding.** Convolutions round down. Pooling layers accept `ceil_mode=True` and round up: a 3x3
stride-2 pool on 6 gives {=pool_floor_on_6} by default and {=pool_ceil_on_6} with ceil mode. Over the
{=cases_checked} random configurations, `Conv2d` rounded down every time (exceptions: {=conv_not_floor}) and
`MaxPool2d(ceil_mode=True)` came out larger than the floor in {=pool_ceil_rounds_up} of them.
""",
        "zh": r"""
设输入宽 $W$、卷积核 $K$、padding $P$、步长 $S$、空洞率 $D$（等效卷积核 $D(K-1)+1$）：
$$W_{out} = \left\lfloor \frac{W + 2P - D(K-1) - 1}{S} \right\rfloor + 1 .$$
$D = 1$ 时就是熟悉的 $\lfloor (W - K + 2P)/S \rfloor + 1$。高度同理；输出通道数等于卷积核（滤波器）个数。

例子：28x28 上的 5x5 卷积得到 {=lenet_5x5_on_28}；padding 为 1 的 3x3 卷积保持 32 不变（{=same_3x3_pad1}）；
7 上步长 2、padding 1 的 3x3 卷积得到 {=stride2_on_7}；28 上空洞率 2 的 3x3 卷积得到 {=dilated_3x3_d2_on_28}。
在 {=cases_checked} 组随机配置上，公式与实际运行 gradbook 的 `Conv2d` 不一致 {=conv_mismatches} 次，与 `MaxPool2d`
不一致 {=pool_mismatches} 次。

**一个著名的笔误。** AlexNet 论文把 224x224 的图像输入 11x11、步长 4 的卷积层，并给出 55x55。但
$(224 - 11)/4 + 1 =$ {=alexnet_224_exact}，向下取整为 {=alexnet_224}。55 来自 227x227 的输入（{=alexnet_227}）或
padding 为 2（{=alexnet_224_pad2}）。

**取整方式。** 卷积向下取整。池化层可设 `ceil_mode=True` 向上取整：6 上 3x3、步长 2 的池化默认得到
{=pool_floor_on_6}，ceil 模式下得到 {=pool_ceil_on_6}。在 {=cases_checked} 组随机配置中，`Conv2d` 每次都向下取整
（例外 {=conv_not_floor} 次），而 `MaxPool2d(ceil_mode=True)` 有 {=pool_ceil_rounds_up} 次比向下取整的结果大。
""",
    },
    compute=compute,
)
