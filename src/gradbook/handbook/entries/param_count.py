"""Counting parameters of FC, RNN/GRU/LSTM and conv layers: by formula and from built layers."""
from __future__ import annotations

from ...analysis import conv_params, count_params, fc_params, rnn_params
from ...nn import GRU, LSTM, Conv2d, Linear, Module, ReLU, Sequential
from ..entry import Entry
from ..result import Result

NOTES = {"fc": 32, "lstm": 48, "stacked": 12620, "conv_1to3": 15, "conv_3to1": 13}  # as the notes quote them


class StackedRNN(Module):
    """A bidirectional GRU (input 8, hidden 5) feeding an LSTM with 50 hidden units."""

    def __init__(self):
        super().__init__()
        self.gru = GRU(8, 5, bidirectional=True)
        self.lstm = LSTM(10, 50)

    def forward(self, x):
        return self.lstm(self.gru(x)[0])[0]


def compute(quick: bool) -> Result:
    r = Result()
    r.number("fc_formula", fc_params([3, 5, 2]), "fc_params([3, 5, 2])")
    r.number("fc_built", count_params(Sequential(Linear(3, 5), ReLU(), Linear(5, 2))),
             "count_params(Sequential(Linear(3, 5), ReLU(), Linear(5, 2)))")
    for conv in ("single", "double", "keras"):
        r.number(f"lstm_{conv}", rnn_params("lstm", 3, 2, bias=conv), f'rnn_params("lstm", 3, 2, bias="{conv}")')
        r.number(f"stacked_{conv}", rnn_params("gru", 8, 5, bidirectional=True, bias=conv)
                 + rnn_params("lstm", 10, 50, bias=conv),
                 f'rnn_params("gru", 8, 5, bidirectional=True, bias="{conv}") + rnn_params("lstm", 10, 50, bias="{conv}")')
    r.number("lstm_built", count_params(LSTM(3, 2)), "count_params(nn.LSTM(3, 2))")
    r.number("stacked_built", count_params(StackedRNN()), "count_params(GRU(8, 5, bidirectional=True) + LSTM(10, 50))")
    r.number("conv_1to3", conv_params(1, 3, 2), "conv_params(1, 3, kernel_size=2)")
    r.number("conv_3to1", conv_params(3, 1, 2), "conv_params(3, 1, kernel_size=2)")
    r.number("conv_1to3_built", count_params(Conv2d(1, 3, 2)), "count_params(nn.Conv2d(1, 3, 2))")
    r.number("conv_3to1_built", count_params(Conv2d(3, 1, 2)))
    r.number("conv_1to3_if_1x1", conv_params(1, 3, 1), "conv_params(1, 3, kernel_size=1)")
    r.number("conv_1to3_if_1x1_built", count_params(Conv2d(1, 3, 1)), "count_params(nn.Conv2d(1, 3, 1))")

    r.table("Parameters by convention", ["layer", "notes", "textbook (one bias per gate)", "PyTorch (two)",
                                          "Keras defaults", "built gradbook layer"],
            [["FC 3-5-2", NOTES["fc"], r.numbers["fc_formula"], r.numbers["fc_formula"], r.numbers["fc_formula"],
              r.numbers["fc_built"]],
             ["LSTM(i=3, h=2)", NOTES["lstm"], r.numbers["lstm_single"], r.numbers["lstm_double"],
              r.numbers["lstm_keras"], r.numbers["lstm_built"]],
             ["BiGRU(8, 5) + LSTM(50)", NOTES["stacked"], r.numbers["stacked_single"], r.numbers["stacked_double"],
              r.numbers["stacked_keras"], r.numbers["stacked_built"]],
             ['Conv "1x1", 1 -> 3 (the notes\' example)', NOTES["conv_1to3"], r.numbers["conv_1to3_if_1x1"],
              r.numbers["conv_1to3_if_1x1"], r.numbers["conv_1to3_if_1x1"], r.numbers["conv_1to3_if_1x1_built"]],
             ["Conv 2x2, 1 -> 3", "", r.numbers["conv_1to3"], r.numbers["conv_1to3"],
              r.numbers["conv_1to3"], r.numbers["conv_1to3_built"]],
             ["Conv 2x2, 3 -> 1", NOTES["conv_3to1"], r.numbers["conv_3to1"], r.numbers["conv_3to1"],
              r.numbers["conv_3to1"], r.numbers["conv_3to1_built"]]])

    r.check("fc-3-5-2", r.numbers["fc_formula"] == NOTES["fc"] == r.numbers["fc_built"])
    textbook_rnn = r.numbers["lstm_single"] == NOTES["lstm"] and r.numbers["stacked_single"] == NOTES["stacked"]
    pytorch_differs = r.numbers["lstm_built"] != NOTES["lstm"] and r.numbers["stacked_built"] != NOTES["stacked"]
    r.verdict("rnn-textbook-counts", "depends" if textbook_rnn and pytorch_differs else
              ("confirmed" if textbook_rnn else "corrected"))
    r.condition("RNN counts depend on the bias convention: one bias vector per gate (textbook, Keras LSTM) or "
                "two (PyTorch/cuDNN: b_ih and b_hh; Keras GRU with reset_after=True).")
    # the notes' first example calls its filter 1x1 but multiplies by 2x2: the count 15 belongs to a 2x2 kernel
    r.check("conv-1x1-gray-to-3", r.numbers["conv_1to3_if_1x1"] == NOTES["conv_1to3"])
    r.check("conv-2x2-rgb-to-1", r.numbers["conv_3to1"] == NOTES["conv_3to1"] == r.numbers["conv_3to1_built"])
    r.check("formulas-match-built-layers", r.numbers["lstm_double"] == r.numbers["lstm_built"]
            and r.numbers["stacked_double"] == r.numbers["stacked_built"])
    return r


ENTRY = Entry(
    id="param-count",
    section="C",
    title={"zh": "参数量的计算", "en": "Counting parameters (FC, RNN/GRU/LSTM, CNN)"},
    keywords=["parameters", "参数量", "params", "lstm", "gru", "rnn", "全连接", "卷积", "count"],
    claims={
        "fc-3-5-2": {"en": "A fully connected net 3-5-2 has (3·5 + 5·2) + (5 + 2) = 32 parameters.",
                     "zh": "3-5-2 的全连接网络有 (3·5 + 5·2) + (5 + 2) = 32 个参数。"},
        "rnn-textbook-counts": {
            "en": "An LSTM with input 3 and hidden 2 has $g[h(h+i)+h] = 48$ parameters, and a bidirectional GRU(8→5) + LSTM(50) has 12,620.",
            "zh": "输入 3、隐藏 2 的 LSTM 有 $g[h(h+i)+h] = 48$ 个参数；双向 GRU(8→5) 加 LSTM(50) 共 12,620 个。"},
        "conv-1x1-gray-to-3": {
            "en": "The notes: a greyscale image with a 1×1 filter and 3 output channels has "
                  "[1 × (2 × 2) × 3] + 3 = 15 parameters.",
            "zh": "笔记原文：例如带有 1 × 1 滤波器的灰度图像，输出 3 个通道，参数数量为 [1 ×(2 × 2)× 3] + 3 = 15。"},
        "conv-2x2-rgb-to-1": {
            "en": "The notes: an RGB image with a 2×2 filter and 1 output channel has [3 × (2 × 2) × 1] + 1 = 13 parameters.",
            "zh": "笔记原文：具有 2×2 滤波器的 RGB 图像、1 通道输出，参数数量为 [3 ×(2×2)×1] + 1 = 13。"},
        "formulas-match-built-layers": {"en": "The formulas equal the parameter counts of the layers as built.",
                                        "zh": "公式结果与实际搭建的层的参数量一致。"},
    },
    answer={
        "en": r"""
**Fully connected.** Each layer has in·out weights and out biases: for sizes 3-5-2,
$(3\cdot5 + 5\cdot2) + (5 + 2) =$ {=fc_formula}, and the built net has {=fc_built}.

**Recurrent.** A layer with $g$ gates (RNN 1, GRU 3, LSTM 4), input size $i$ and hidden size $h$
has, per gate, an input matrix $h \times i$, a recurrent matrix $h \times h$ and biases. The
textbook formula $g[h(h+i)+h]$ counts *one* bias vector per gate: {=lstm_single} for an LSTM
with $i=3$, $h=2$. PyTorch (and cuDNN) keep *two* bias vectors, $b_{ih}$ and $b_{hh}$, so
`nn.LSTM(3, 2)` has $g[h(h+i)+2h] =$ {=lstm_built}; Keras' LSTM has one bias ({=lstm_keras})
while its GRU (reset_after=True) has two. So "48" is right only under the one-bias convention.

For a bidirectional GRU (input 8, hidden 5) feeding an LSTM with 50 units (its input is the
$2 \times 5 = 10$ concatenated directions): {=stacked_single} with one bias per gate,
{=stacked_double} in PyTorch (built: {=stacked_built}), {=stacked_keras} with Keras' defaults.

**Convolution.** $(C_{in} \cdot k_h k_w / g) \cdot C_{out} + C_{out}$. The notes' first example is a
greyscale image, a "1×1" filter and 3 output channels, but their arithmetic $[1 \times (2 \times 2) \times 3] + 3 = 15$
uses a 2×2 kernel. A real 1×1 conv from 1 to 3 channels has $1 \cdot 1 \cdot 3 + 3 =$ {=conv_1to3_if_1x1}
(built: {=conv_1to3_if_1x1_built}); 15 is the count of a 2×2 kernel ({=conv_1to3}). The second example, a 2×2
kernel from 3 channels to 1, is right: {=conv_3to1}.
""",
        "zh": r"""
**全连接层。** 每层有 输入×输出 个权重和 输出 个偏置：3-5-2 网络共 $(3\cdot5 + 5\cdot2) + (5 + 2) =$ {=fc_formula}，
实际搭建的网络为 {=fc_built}。

**循环层。** 有 $g$ 个门（RNN 1 个、GRU 3 个、LSTM 4 个）、输入 $i$、隐藏 $h$ 的层，每个门有 $h \times i$ 的输入矩阵、
$h \times h$ 的循环矩阵以及偏置。教科书公式 $g[h(h+i)+h]$ 每个门只计*一个*偏置向量：$i=3$、$h=2$ 的 LSTM 为
{=lstm_single}。PyTorch（及 cuDNN）保留*两个*偏置 $b_{ih}$ 与 $b_{hh}$，因此 `nn.LSTM(3, 2)` 有
$g[h(h+i)+2h] =$ {=lstm_built} 个参数；Keras 的 LSTM 只有一个偏置（{=lstm_keras}），而其 GRU（reset_after=True）有两个。
所以"48"只在单偏置约定下成立。

双向 GRU（输入 8、隐藏 5）后接 50 个单元的 LSTM（其输入是两个方向拼接的 $2 \times 5 = 10$ 维）：单偏置约定下为
{=stacked_single}，PyTorch 中为 {=stacked_double}（实际搭建：{=stacked_built}），Keras 默认设置下为 {=stacked_keras}。

**卷积层。** $(C_{in} \cdot k_h k_w / g) \cdot C_{out} + C_{out}$。笔记的第一个例子是灰度图、"1×1 滤波器"、
输出 3 个通道，但算式 $[1 \times (2 \times 2) \times 3] + 3 = 15$ 用的是 2×2 的卷积核。真正从 1 通道到 3 通道的 1×1 卷积只有
$1 \cdot 1 \cdot 3 + 3 =$ {=conv_1to3_if_1x1} 个参数（实际搭建：{=conv_1to3_if_1x1_built}）；15 是 2×2 卷积核的参数量（{=conv_1to3}）。
第二个例子（3 通道到 1 通道的 2×2 卷积）是对的：{=conv_3to1}。
""",
    },
    compute=compute,
)
