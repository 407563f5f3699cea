"""Why stacks of 3x3 kernels: weights, non-linearities, receptive field, cost and memory."""
from __future__ import annotations

from ...analysis import conv_params, count_params, flops, receptive_field
from ...nn import Conv2d, ReLU, Sequential
from ..entry import Entry
from ..result import Result

C, SIZE = 64, 56


def three_3x3() -> Sequential:
    return Sequential(Conv2d(C, C, 3, padding=1, bias=False), ReLU(), Conv2d(C, C, 3, padding=1, bias=False), ReLU(),
                      Conv2d(C, C, 3, padding=1, bias=False), ReLU())


def one_7x7() -> Sequential:
    return Sequential(Conv2d(C, C, 7, padding=3, bias=False), ReLU())


def compute(quick: bool) -> Result:
    r = Result()
    stack, big = three_3x3(), one_7x7()
    r.number("channels", C)
    r.number("weights_three_3x3", 3 * conv_params(C, C, 3, bias=False), "3 * conv_params(C, C, 3, bias=False)")
    r.number("weights_one_7x7", conv_params(C, C, 7, bias=False), "conv_params(C, C, 7, bias=False)")
    r.number("weights_ratio", r.numbers["weights_three_3x3"] / r.numbers["weights_one_7x7"])
    r.number("built_three_3x3", count_params(stack))
    r.number("built_one_7x7", count_params(big))
    r.number("macs_three_3x3", flops(stack, (C, SIZE, SIZE))["total"], f"flops(three_3x3, ({C}, {SIZE}, {SIZE}))")
    r.number("macs_one_7x7", flops(big, (C, SIZE, SIZE))["total"])
    r.number("rf_three_3x3", receptive_field(stack, (SIZE, SIZE)).size[0], "receptive_field(three_3x3, (56, 56))")
    r.number("rf_one_7x7", receptive_field(big, (SIZE, SIZE)).size[0])
    r.number("nonlinearities_three_3x3", sum(isinstance(m, ReLU) for m in stack.modules()))
    r.number("nonlinearities_one_7x7", sum(isinstance(m, ReLU) for m in big.modules()))
    r.number("activation_values_three_3x3", 3 * C * SIZE * SIZE, "feature maps stored for backward, per image")
    r.number("activation_values_one_7x7", C * SIZE * SIZE)
    r.table(f"Three 3x3 vs one 7x7, {C} -> {C} channels on {SIZE}x{SIZE}",
            ["", "weights", "multiply-adds", "receptive field", "ReLUs", "stored feature values"],
            [["3 x conv3", r.numbers["weights_three_3x3"], r.numbers["macs_three_3x3"], r.numbers["rf_three_3x3"],
              r.numbers["nonlinearities_three_3x3"], r.numbers["activation_values_three_3x3"]],
             ["1 x conv7", r.numbers["weights_one_7x7"], r.numbers["macs_one_7x7"], r.numbers["rf_one_7x7"],
              r.numbers["nonlinearities_one_7x7"], r.numbers["activation_values_one_7x7"]]])
    r.check("fewer-weights-27-vs-49", r.numbers["weights_three_3x3"] == 27 * C * C
            and r.numbers["weights_one_7x7"] == 49 * C * C and r.numbers["built_three_3x3"] == r.numbers["weights_three_3x3"])
    r.check("same-receptive-field", r.numbers["rf_three_3x3"] == r.numbers["rf_one_7x7"])
    r.check("more-nonlinearity", r.numbers["nonlinearities_three_3x3"] > r.numbers["nonlinearities_one_7x7"])
    r.check("more-activation-memory", r.numbers["activation_values_three_3x3"] > r.numbers["activation_values_one_7x7"])
    return r


ENTRY = Entry(
    id="why-3x3",
    section="C",
    title={"zh": "为什么用 3x3 卷积核", "en": "Why 3x3 kernels?"},
    keywords=["3x3", "kernel size", "卷积核", "vgg", "7x7", "参数"],
    claims={
        "fewer-weights-27-vs-49": {"en": "Three 3x3 layers with C channels have $27C^2$ weights, one 7x7 layer $49C^2$.",
                                   "zh": "C 个通道时三层 3x3 有 $27C^2$ 个权重，一层 7x7 有 $49C^2$ 个。"},
        "same-receptive-field": {"en": "Three stacked 3x3 layers see the same 7x7 region as one 7x7 layer.",
                                 "zh": "三层 3x3 与一层 7x7 的感受野相同（7x7）。"},
        "more-nonlinearity": {"en": "The stack applies three non-linearities instead of one.",
                              "zh": "堆叠结构有三个非线性激活，而不是一个。"},
        "more-activation-memory": {"en": "The price: the intermediate feature maps must be stored for backpropagation.",
                                   "zh": "代价是：反向传播需要保存中间层的特征图，占用更多内存。"},
    },
    answer={
        "en": r"""
VGG replaced large kernels by stacks of 3x3 ones. With $C$ input and output channels:

- **Weights:** three 3x3 layers have $3 \cdot 9C^2 = 27C^2$ weights, one 7x7 has $49C^2$. For
  $C =$ {=channels}: {=weights_three_3x3} vs {=weights_one_7x7} (ratio {=weights_ratio:.3f}), and the
  multiply-adds on a 56x56 map fall in the same ratio ({=macs_three_3x3} vs {=macs_one_7x7}).
- **Same view:** the stack's receptive field is {=rf_three_3x3}, the 7x7's {=rf_one_7x7}.
- **More non-linearity:** {=nonlinearities_three_3x3} ReLUs instead of {=nonlinearities_one_7x7},
  so the same region is processed by a deeper, more expressive function. The factorisation also
  acts as a regulariser: a 7x7 filter is forced to be a composition of 3x3 ones.
- **3x3 is the smallest kernel with a centre** that sees all 8 neighbours (2x2 has no centre).

The cost is memory and latency: backpropagation needs the intermediate maps, here
{=activation_values_three_3x3} stored values per image instead of {=activation_values_one_7x7},
and three layers run one after another.
""",
        "zh": r"""
VGG 用多层 3x3 卷积代替大卷积核。设输入输出都是 $C$ 个通道：

- **权重：** 三层 3x3 有 $3 \cdot 9C^2 = 27C^2$ 个权重，一层 7x7 有 $49C^2$ 个。$C =$ {=channels} 时为
  {=weights_three_3x3} 对 {=weights_one_7x7}（比值 {=weights_ratio:.3f}），在 56x56 特征图上的乘加次数也按同样比例下降
  （{=macs_three_3x3} 对 {=macs_one_7x7}）。
- **视野相同：** 堆叠结构的感受野为 {=rf_three_3x3}，7x7 的为 {=rf_one_7x7}。
- **更多非线性：** {=nonlinearities_three_3x3} 个 ReLU 而不是 {=nonlinearities_one_7x7} 个，同一区域由更深、表达能力更强的函数处理。
  这种分解还有正则化作用：7x7 滤波器被约束为若干 3x3 滤波器的复合。
- **3x3 是有中心、能看到全部 8 个邻居的最小卷积核**（2x2 没有中心）。

代价是内存与延迟：反向传播需要保存中间特征图，每张图片要存 {=activation_values_three_3x3} 个值，而 7x7 只需
{=activation_values_one_7x7} 个；三层还必须依次执行。
""",
    },
    compute=compute,
)
