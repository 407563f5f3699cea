"""Why two stacked 3x3 convolutions see 5x5 and three see 7x7: analytic and by a gradient."""
from __future__ import annotations

import numpy as np

from ... import backend
from ...analysis import receptive_field
from ...autograd import Tensor
from ...nn import Conv2d, Sequential
from ..entry import Entry
from ..result import Result


def _output_size(layers, size: int) -> int:
    x = Tensor(np.zeros((1, 1, size, size), np.float32))
    return Sequential(*layers)(x).shape[-1]


def compute(quick: bool) -> Result:
    r = Result()
    backend.manual_seed(0)
    for n in (1, 2, 3, 4):
        rf = receptive_field(["conv3"] * n, (28, 28))
        r.number(f"rf_{n}x3x3", rf.size[0], f'receptive_field(["conv3"] * {n}, (28, 28)).size')
        r.number(f"rf_{n}x3x3_gradient", rf.empirical_size[0], "the input pixels with a nonzero gradient of the centre output")
    r.number("rf_5x5", receptive_field(["conv5"], (28, 28)).size[0])
    r.number("rf_7x7", receptive_field(["conv7"], (28, 28)).size[0])
    r.number("rf_stride2_then_3x3", receptive_field(["conv3s2", "conv3"], (28, 28)).size[0],
             'receptive_field(["conv3s2", "conv3"], (28, 28))')
    r.number("rf_dilated", receptive_field(["conv3", "conv3d2"], (28, 28)).size[0],
             'receptive_field(["conv3", "conv3d2"], (28, 28))')
    # what one more 3x3 layer adds, measured by gradient: at stride 1, after a stride-2 layer, dilated
    stride2 = receptive_field(["conv3s2"], (28, 28)).empirical_size[0]
    r.number("add_after_stride2", receptive_field(["conv3s2", "conv3"], (28, 28)).empirical_size[0] - stride2,
             'receptive_field(["conv3s2", "conv3"]) − receptive_field(["conv3s2"]), by gradient')
    r.number("add_dilated", receptive_field(["conv3", "conv3d2"], (28, 28)).empirical_size[0]
             - r.numbers["rf_1x3x3_gradient"], 'receptive_field(["conv3", "conv3d2"]) − receptive_field(["conv3"])')
    r.number("out_two_3x3_on_28", _output_size([Conv2d(1, 1, 3), Conv2d(1, 1, 3)], 28), "running two Conv2d(1, 1, 3)")
    r.number("out_one_5x5_on_28", _output_size([Conv2d(1, 1, 5)], 28), "running Conv2d(1, 1, 5)")
    rows = []
    for n in (1, 2, 3, 4):
        rows.append([f"{n} x conv3", r.numbers[f"rf_{n}x3x3"], r.numbers[f"rf_{n}x3x3_gradient"]])
    r.table("Receptive field of stacked 3x3 convolutions (stride 1)", ["layers", "analytic", "by gradient"], rows)
    r.check("two-3x3-see-5x5", r.numbers["rf_2x3x3"] == r.numbers["rf_2x3x3_gradient"] == r.numbers["rf_5x5"] == 5)
    r.check("three-3x3-see-7x7", r.numbers["rf_3x3x3"] == r.numbers["rf_3x3x3_gradient"] == r.numbers["rf_7x7"] == 7)
    r.check("same-output-size", r.numbers["out_two_3x3_on_28"] == r.numbers["out_one_5x5_on_28"])
    stride1_steps = [r.numbers[f"rf_{n + 1}x3x3_gradient"] - r.numbers[f"rf_{n}x3x3_gradient"] for n in (1, 2, 3)]
    r.number("stride1_steps_all_two", all(step == 2 for step in stride1_steps))
    others_two = r.numbers["add_after_stride2"] == 2 and r.numbers["add_dilated"] == 2
    r.verdict("grows-by-two", "corrected" if not r.numbers["stride1_steps_all_two"] else
              "confirmed" if others_two else "depends")
    r.condition("Each 3x3 layer adds 2 pixels only at stride 1 and dilation 1; a layer adds (k - 1) times the "
                "product of all earlier strides (times its dilation).")
    return r


ENTRY = Entry(
    id="receptive-field",
    section="C",
    title={"zh": "两个 3x3 与一个 5x5 感受野相同", "en": "Why two 3x3 convs see 5x5, three see 7x7"},
    keywords=["receptive field", "感受野", "3x3", "5x5", "7x7", "stacked", "堆叠"],
    claims={
        "two-3x3-see-5x5": {"en": "Two stacked 3x3 convolutions have a 5x5 receptive field.",
                            "zh": "两层 3x3 卷积的感受野为 5x5。"},
        "three-3x3-see-7x7": {"en": "Three stacked 3x3 convolutions have a 7x7 receptive field.",
                              "zh": "三层 3x3 卷积的感受野为 7x7。"},
        "same-output-size": {"en": "On a 28x28 input, two 3x3 layers and one 5x5 layer give the same output size (no padding).",
                             "zh": "在 28x28 输入上（无 padding），两层 3x3 与一层 5x5 的输出尺寸相同。"},
        "grows-by-two": {"en": "Every extra 3x3 layer widens the receptive field by 2 pixels.",
                         "zh": "每多一层 3x3 卷积，感受野就增加 2 个像素。"},
    },
    answer={
        "en": r"""
The receptive field of a unit is the input region that can influence it. With kernel $k_l$,
stride $s_l$ and dilation $d_l$ at layer $l$, it grows as
$$r_l = r_{l-1} + d_l (k_l - 1) \prod_{m<l} s_m, \qquad r_0 = 1 .$$
At stride 1 each 3x3 layer adds 2: one layer sees 3, two see {=rf_2x3x3}, three see
{=rf_3x3x3}, four see {=rf_4x3x3} — the same as single 5x5 ({=rf_5x5}) and 7x7 ({=rf_7x7})
kernels. `gradbook.analysis.receptive_field` computes this analytically and also checks it
empirically: it differentiates the centre output unit with respect to the input and measures the
box of nonzero gradients ({=rf_2x3x3_gradient} and {=rf_3x3x3_gradient} pixels wide).

Shapes agree too (the notes' argument): on a 28x28 input two unpadded 3x3 layers give
{=out_two_3x3_on_28}x{=out_two_3x3_on_28}, one 5x5 gives {=out_one_5x5_on_28}x{=out_one_5x5_on_28}.
Equal output size alone does not prove equal receptive field, though; the recursion does.

"+2 per layer" is a stride-1 rule: after a stride-2 layer the next 3x3 adds {=add_after_stride2}
(stride 2 then 3x3: {=rf_stride2_then_3x3}), and a dilated 3x3 (dilation 2) adds {=add_dilated}
(3x3 then dilated 3x3: {=rf_dilated}), both measured by the gradient.
""",
        "zh": r"""
一个单元的感受野是输入中能够影响它的区域。设第 $l$ 层卷积核为 $k_l$、步长 $s_l$、空洞率 $d_l$，则
$$r_l = r_{l-1} + d_l (k_l - 1) \prod_{m<l} s_m, \qquad r_0 = 1 .$$
步长为 1 时每层 3x3 增加 2：一层为 3，两层为 {=rf_2x3x3}，三层为 {=rf_3x3x3}，四层为 {=rf_4x3x3}——分别与单层
5x5（{=rf_5x5}）和 7x7（{=rf_7x7}）相同。`gradbook.analysis.receptive_field` 既按公式计算，也做经验验证：
对中心输出单元求关于输入的梯度，测量梯度非零的区域（宽 {=rf_2x3x3_gradient} 与 {=rf_3x3x3_gradient} 个像素）。

输出尺寸也一致（笔记中的论证）：28x28 输入上，两层无 padding 的 3x3 得到 {=out_two_3x3_on_28}x{=out_two_3x3_on_28}，
一层 5x5 得到 {=out_one_5x5_on_28}x{=out_one_5x5_on_28}。不过输出尺寸相同并不能证明感受野相同，上面的递推式才能。

"每层加 2"只在步长为 1 时成立：步长 2 的层之后再接 3x3 会增加 {=add_after_stride2}（步长 2 再接 3x3：{=rf_stride2_then_3x3}），
空洞率为 2 的 3x3 增加 {=add_dilated}（3x3 再接空洞 3x3：{=rf_dilated}），均由梯度测得。
""",
    },
    compute=compute,
)
