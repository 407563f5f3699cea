"""Dilated convolution: a wider field at full resolution and the same weights; and where it has holes."""
from __future__ import annotations

import numpy as np

from ...analysis import conv_params, receptive_field
from ...autograd import Tensor
from ...nn import Conv2d, MaxPool2d, Sequential, init
from ..entry import Entry
from ..plots import image_row
from ..result import Result

SIZE, CHANNELS = 64, 64
INPUT_SEED = 0  # the positive random image the pooling route is differentiated on


def _weights_one(model: Sequential) -> Sequential:
    """Every conv weight 1 (positive, so no two paths to a pixel cancel)."""
    for layer in model:
        if isinstance(layer, Conv2d):
            init.ones_(layer.weight)
    return model


def dilated_stack(dilations) -> Sequential:
    """3x3 convs (one channel, no bias, all weights 1) with padding = dilation: the map keeps its size."""
    return _weights_one(Sequential(*[Conv2d(1, 1, 3, padding=d, dilation=d, bias=False) for d in dilations]))


def pooled_stack() -> Sequential:
    """The down-sampling route to a wide field: conv3, 2x2 max pool, conv3, 2x2 max pool, conv3."""
    return _weights_one(Sequential(Conv2d(1, 1, 3, padding=1, bias=False), MaxPool2d(2),
                                   Conv2d(1, 1, 3, padding=1, bias=False), MaxPool2d(2),
                                   Conv2d(1, 1, 3, padding=1, bias=False)))


def input_image() -> np.ndarray:
    return np.random.default_rng(INPUT_SEED).random((1, 1, SIZE, SIZE))


def centre_gradient(model: Sequential) -> tuple[np.ndarray, int]:
    """|d y[centre] / d x| on the positive image (all weights positive, so nothing cancels: a zero
    means the pixel cannot reach the unit), and the output's side length."""
    x = Tensor(input_image(), requires_grad=True)
    y = model(x)
    side = y.shape[-1]
    y[0, 0, side // 2, side // 2].backward()
    return np.abs(x.grad.numpy()[0, 0]), side


def coverage(model: Sequential) -> tuple[float, int, int, np.ndarray]:
    """Share of the receptive field's box (analytic size) that the centre unit really reads."""
    grad, side = centre_gradient(model)
    field = receptive_field(model, (SIZE, SIZE), check=False).size[0]
    return np.count_nonzero(grad) / field ** 2, field, side, grad


def compute(quick: bool) -> Result:
    r = Result()
    rows = []
    for depth in range(1, 6):
        plain = receptive_field(["conv3"] * depth, (SIZE, SIZE), check=False).size[0]
        dilated = receptive_field([f"conv3d{2 ** i}" for i in range(depth)], (SIZE, SIZE), check=False).size[0]
        r.number(f"rf_plain_{depth}", plain, f'receptive_field(["conv3"] * {depth}, ...)')
        r.number(f"rf_dilated_{depth}", dilated, f'receptive_field(["conv3d1", "conv3d2", ..., "conv3d{2 ** (depth - 1)}"], ...)')
        rows.append([depth, plain, dilated])
    r.table("Receptive field of L stacked 3x3 layers: plain vs. dilations 1, 2, 4, ...", ["L", "plain", "dilated"], rows)
    r.number("weights_plain_3", 3 * conv_params(CHANNELS, CHANNELS, 3, bias=False), f"3 * conv_params({CHANNELS}, {CHANNELS}, 3)")
    r.number("weights_dilated_3", sum(conv_params(CHANNELS, CHANNELS, 3, bias=False) for _ in (1, 2, 4)),
             "a dilated 3x3 has the same 9 weights per channel pair")

    routes = {"dilated_124": dilated_stack((1, 2, 4)), "dilated_125": dilated_stack((1, 2, 5)),
              "dilated_222": dilated_stack((2, 2, 2)), "pooled": pooled_stack()}
    grads = {}
    for name, model in routes.items():
        share, field, side, grads[name] = coverage(model)
        r.number(f"coverage_{name}", float(share), "nonzero input gradients of the centre output / field area")
        r.number(f"rf_{name}", field)
        r.number(f"out_{name}", side, f"output side on a {SIZE}x{SIZE} input")
    r.table(f"Three routes to a wide field on a {SIZE}x{SIZE} input",
            ["route", "receptive field", "output side", "share of the field read"],
            [["3x3 convs, dilations 1, 2, 4", r.numbers["rf_dilated_124"], r.numbers["out_dilated_124"],
              f"{r.numbers['coverage_dilated_124']:.3f}"],
             ["3x3 convs, dilations 1, 2, 5", r.numbers["rf_dilated_125"], r.numbers["out_dilated_125"],
              f"{r.numbers['coverage_dilated_125']:.3f}"],
             ["3x3 convs, dilations 2, 2, 2", r.numbers["rf_dilated_222"], r.numbers["out_dilated_222"],
              f"{r.numbers['coverage_dilated_222']:.3f}"],
             ["conv, max pool 2, conv, max pool 2, conv", r.numbers["rf_pooled"], r.numbers["out_pooled"],
              f"{r.numbers['coverage_pooled']:.3f}"]])

    r.check("rf-grows-exponentially",
            all(r.numbers[f"rf_dilated_{d}"] == 2 ** (d + 1) - 1 and r.numbers[f"rf_plain_{d}"] == 2 * d + 1
                for d in range(1, 6)) and r.numbers["weights_dilated_3"] == r.numbers["weights_plain_3"])
    r.check("keeps-resolution", r.numbers["out_dilated_124"] == SIZE and r.numbers["out_pooled"] == SIZE // 4)
    holes = r.numbers["coverage_dilated_222"] < 1 and r.numbers["coverage_pooled"] < 1
    full = r.numbers["coverage_dilated_124"] == r.numbers["coverage_dilated_125"] == 1
    r.verdict("no-pixel-skipped", "depends" if full and holes else "confirmed" if full else "corrected")
    r.condition("Dilations must not share a common factor: 1, 2, 4 (or 1, 2, 5) reach every pixel of the field; "
                "2, 2, 2 only every other row and column of it (the gridding artefact).")

    titles = {"dilated_124": "dilations 1, 2, 4", "dilated_125": "dilations 1, 2, 5", "dilated_222": "dilations 2, 2, 2",
              "pooled": "conv + max pool"}
    lo, hi = SIZE // 2 - 16, SIZE // 2 + 16
    fig, _ = image_row([(f"{titles[name]}\nfield {r.numbers['rf_' + name]}, reads {r.numbers['coverage_' + name]:.0%}",
                         grad[lo:hi, lo:hi] > 0) for name, grad in grads.items()],
                       panel_size=(3.0, 3.2), fontsize=9, cmap="Blues", vmin=0, vmax=1.3)
    r.figure("dilated_coverage", fig, "Input pixels that reach the centre output (dark): the central 32x32 of the "
                                      "64x64 input.")
    return r


ENTRY = Entry(
    id="dilated-conv",
    section="C",
    title={"zh": "空洞卷积及其优点", "en": "Dilated convolution"},
    keywords=["dilated", "dilation", "atrous", "空洞卷积", "感受野", "receptive field", "gridding"],
    claims={
        "rf-grows-exponentially": {
            "en": "With dilations 1, 2, 4, ... the receptive field of L 3x3 layers is $2^{L+1} - 1$ instead of "
                  "$2L + 1$, with the same weights.",
            "zh": "空洞率取 1, 2, 4, ... 时，L 层 3x3 卷积的感受野为 $2^{L+1} - 1$ 而不是 $2L + 1$，权重数不变。"},
        "keeps-resolution": {
            "en": "Dilation widens the field without down-sampling; pooling widens it by shrinking the map.",
            "zh": "空洞卷积扩大感受野而不降低分辨率；池化是靠缩小特征图来扩大感受野。"},
        "no-pixel-skipped": {
            "en": "Unlike pooling, dilated convolutions lose no information.",
            "zh": "与池化不同，空洞卷积不会丢失信息。"},
    },
    answer={
        "en": r"""
A dilated (atrous) convolution spaces its taps $d$ pixels apart: a 3x3 kernel with dilation $d$
covers $2d + 1$ pixels with the same 9 weights, as if zeros were inserted between them. A layer
adds $d(k - 1)$ to the receptive field, so doubling the dilation at every layer makes the field
grow exponentially: {=rf_dilated_3} after three layers and {=rf_dilated_5} after five (plain 3x3
layers: {=rf_plain_3} and {=rf_plain_5}), for the same {=weights_dilated_3} weights (64 channels).

With padding equal to the dilation the map keeps its size: on a 64x64 input the 1, 2, 4 stack
outputs {=out_dilated_124}x{=out_dilated_124}. The usual way to widen the field, pooling, does it by
shrinking the map: conv, pool, conv, pool, conv reaches a field of {=rf_pooled} but outputs
{=out_pooled}x{=out_pooled}. That is why segmentation (DeepLab) and audio models (WaveNet) use
dilation: dense outputs with a wide context.

"Loses no information" needs a condition. Differentiating the centre output of each stack with
respect to the input (all weights positive, so a zero gradient means the pixel cannot reach it):
the 1, 2, 4 stack reads {=coverage_dilated_124:.0%} of its {=rf_dilated_124}x{=rf_dilated_124} field, but
three layers of dilation 2 read only {=coverage_dilated_222:.1%} of theirs: every other row and
column, the *gridding* artefact. Dilations that share a factor never fill the holes; the hybrid
schedule 1, 2, 5 reads {=coverage_dilated_125:.0%} of its {=rf_dilated_125}x{=rf_dilated_125} field. Max pooling
reads only {=coverage_pooled:.1%} of its field for a given input (one value per window survives).
So the claim is true for a well-chosen schedule (1, 2, 4 or the hybrid 1, 2, 5), not for
dilation as such.
""",
        "zh": r"""
空洞卷积（atrous convolution）把卷积核的采样点间隔 $d$ 个像素：空洞率为 $d$ 的 3x3 卷积用同样的 9 个权重覆盖 $2d + 1$ 个像素，
相当于在权重之间插入了 0。每层使感受野增加 $d(k - 1)$，所以每层把空洞率翻倍，感受野就指数增长：三层后为 {=rf_dilated_3}，
五层后为 {=rf_dilated_5}（普通 3x3 分别为 {=rf_plain_3} 和 {=rf_plain_5}），权重数不变（64 通道时为 {=weights_dilated_3}）。

padding 等于空洞率时特征图尺寸不变：64x64 输入上 1、2、4 的堆叠输出 {=out_dilated_124}x{=out_dilated_124}。
常规的扩大感受野方式——池化——是靠缩小特征图：卷积、池化、卷积、池化、卷积的感受野为 {=rf_pooled}，但输出只有
{=out_pooled}x{=out_pooled}。因此语义分割（DeepLab）和语音模型（WaveNet）使用空洞卷积：输出稠密，上下文又宽。

"不丢失信息"是有条件的。对每种堆叠的中心输出求关于输入的梯度（权重全为正，梯度为 0 说明该像素无法影响输出）：
1、2、4 的堆叠读到了 {=rf_dilated_124}x{=rf_dilated_124} 感受野中 {=coverage_dilated_124:.0%} 的像素，而三层空洞率为 2 的卷积只读到
{=coverage_dilated_222:.1%}：隔行隔列，这就是*网格效应*（gridding）。空洞率有公因子时，这些空洞永远填不上；混合的 1、2、5 读到了
{=rf_dilated_125}x{=rf_dilated_125} 感受野中 {=coverage_dilated_125:.0%} 的像素。最大池化对给定输入只读到
感受野中 {=coverage_pooled:.1%} 的像素（每个窗口只保留一个值）。所以这个说法对合适的空洞率组合（1、2、4 或混合的 1、2、5）成立，
对空洞卷积本身并不成立。
""",
    },
    compute=compute,
)
