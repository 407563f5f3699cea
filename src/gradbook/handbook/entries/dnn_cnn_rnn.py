"""DNN vs CNN vs RNN: a convolution is a fully connected layer with a sparse, tied matrix; an RNN is a deep
feed-forward net whose layers share one weight set; sharing across space or time makes the parameter
count independent of the input's size and makes the convolution translation-equivariant."""
from __future__ import annotations

import numpy as np

from ... import backend, stack
from ...analysis import conv_matrix, count_params, fc_params
from ...autograd import Tensor, no_grad
from ...nn import RNN, Conv2d, Linear
from ...nn import functional as F
from ..entry import Entry
from ..result import Result

SIDES = [8, 16, 32, 64]          # image side for the DNN / CNN counts
LENGTHS = [10, 100, 1000]        # sequence length for the DNN / RNN counts
FEATURES, HIDDEN = 8, 16         # per-step input and hidden size


def conv_as_dense(side: int = 8):
    """A 3x3 conv (1 → 1 channel, padding 1, no bias) and the Linear(side², side²) holding its matrix."""
    conv = Conv2d(1, 1, 3, padding=1, bias=False)
    dense = Linear(side * side, side * side, bias=False)
    dense.weight.data[...] = conv_matrix(conv.weight, (1, side, side), padding=1)
    return conv, dense


def unrolled_rnn(rnn: RNN, x: Tensor) -> Tensor:
    """The RNN as a T-layer feed-forward net: layer t maps h_{t−1} (and the input x_t) to h_t with the
    same W_ih, W_hh, biases at every layer. x: (T, N, I) → (T, N, H)."""
    h = Tensor(np.zeros((x.shape[1], rnn.hidden_size), x.dtype))
    outputs = []
    for t in range(x.shape[0]):
        h = F.tanh(F.linear(x[t], rnn.weight_ih_l0, rnn.bias_ih_l0) + F.linear(h, rnn.weight_hh_l0, rnn.bias_hh_l0))
        outputs.append(h)
    return stack(outputs)


def shift_right(images: np.ndarray) -> np.ndarray:
    """Move every image one pixel right (the new left column is 0)."""
    out = np.zeros_like(images)
    out[..., 1:] = images[..., :-1]
    return out


def compute(quick: bool) -> Result:
    r = Result()
    backend.manual_seed(0)
    rng = backend.spawn_rng(0)

    # parameters against the input's size: one layer that maps the input to a same-sized output
    rows = []
    # fully connected layers by formula (a built Linear(4096, 4096) would only allocate 16M weights to count them)
    small_image, short_seq = (SIDES[0] ** 2, SIDES[0] ** 2), (LENGTHS[0] * FEATURES, LENGTHS[0] * HIDDEN)
    r.number("fc_formula_matches_built", all(fc_params(list(sizes)) == count_params(Linear(*sizes))
                                             for sizes in (small_image, short_seq)),
             "fc_params vs count_params of the smallest layers")
    for side in SIDES:
        dnn = fc_params([side * side, side * side])
        cnn = count_params(Conv2d(1, 1, 3, padding=1))
        r.number(f"dnn_params_{side}", dnn, f"fc_params([{side * side}, {side * side}])")
        r.number(f"cnn_params_{side}", cnn, "count_params(Conv2d(1, 1, 3, padding=1))")
        rows.append([f"{side}x{side} image", dnn, cnn])
    for length in LENGTHS:
        dnn = fc_params([length * FEATURES, length * HIDDEN])
        rnn = count_params(RNN(FEATURES, HIDDEN))
        r.number(f"dnn_seq_params_{length}", dnn, f"fc_params([{length} * {FEATURES}, {length} * {HIDDEN}])")
        r.number(f"rnn_params_{length}", rnn, f"count_params(RNN({FEATURES}, {HIDDEN}))")
        rows.append([f"sequence of {length} x {FEATURES}", dnn, rnn])
    r.table("Parameters of one layer mapping the whole input to a same-sized output",
            ["input", "fully connected (DNN)", "shared weights (CNN / RNN)"], rows)

    # a CNN is a DNN with a sparse, tied matrix
    side = 8
    conv, dense = conv_as_dense(side)
    x = rng.standard_normal((4, 1, side, side)).astype(np.float32)
    with no_grad():
        y_conv = conv(Tensor(x)).data.reshape(4, -1)
        y_dense = dense(Tensor(x.reshape(4, -1))).data
    C = dense.weight.data
    r.number("conv_vs_dense_err", float(np.abs(y_conv - y_dense).max()),
             "Conv2d(1, 1, 3, padding=1)(x) vs Linear with conv_matrix(weight) as its weight")
    r.number("matrix_entries", int(C.size), f"entries of the {side * side}x{side * side} matrix")
    r.number("matrix_nonzero", int(np.count_nonzero(C)), "nonzero entries (each output reads a 3x3 window)")
    r.number("matrix_distinct", int(np.unique(C[C != 0]).size), "distinct nonzero values (the 9 shared weights)")

    # an RNN is a deep net with tied layers
    T = 20
    rnn = RNN(FEATURES, HIDDEN)
    seq = Tensor(rng.standard_normal((T, 3, FEATURES)).astype(np.float32))
    with no_grad():
        out, _ = rnn(seq)
        unrolled = unrolled_rnn(rnn, seq)
    r.number("rnn_steps", T)
    r.number("rnn_vs_unrolled_err", float(np.abs(out.data - unrolled.data).max()),
             f"RNN({FEATURES}, {HIDDEN}) vs {T} feed-forward layers sharing its weights")
    r.number("unrolled_dnn_params", T * count_params(rnn), f"{T} untied copies of the layer")

    # sharing across space: a shifted input gives a shifted output (away from the border)
    z = np.zeros((4, 1, side, side), np.float32)
    z[..., 2:6, 1:5] = rng.standard_normal((4, 1, 4, 4))  # content away from the right border
    free = Linear(side * side, side * side, bias=False)
    with no_grad():
        conv_then_shift = shift_right(conv(Tensor(z)).data)
        shift_then_conv = conv(Tensor(shift_right(z))).data
        dense_then_shift = shift_right(free(Tensor(z.reshape(4, -1))).data.reshape(z.shape))
        shift_then_dense = free(Tensor(shift_right(z).reshape(4, -1))).data.reshape(z.shape)
    inner = (..., slice(None), slice(1, None))  # the left column is 0 after any shift
    r.number("conv_equivariance_err", float(np.abs(conv_then_shift[inner] - shift_then_conv[inner]).max()),
             "|shift(conv(x)) − conv(shift(x))| away from the new left column")
    scale = float(np.abs(shift_then_dense).max())
    r.number("dense_equivariance_err",
             float(np.abs(dense_then_shift[inner] - shift_then_dense[inner]).max()) / scale,
             "the same for a fully connected layer with random weights, relative to its output's size")

    n = r.numbers
    r.check("cnn-is-constrained-dnn", n["conv_vs_dense_err"] < 1e-5 and n["matrix_distinct"] == 9
            and n["matrix_nonzero"] < n["matrix_entries"] / 4)
    r.check("rnn-is-deep-tied-dnn", n["rnn_vs_unrolled_err"] < 1e-5)
    r.check("sharing-fixes-param-count",
            len({n[f"cnn_params_{s}"] for s in SIDES}) == 1 and len({n[f"rnn_params_{t}"] for t in LENGTHS}) == 1
            and all(n[f"dnn_params_{a}"] < n[f"dnn_params_{b}"] for a, b in zip(SIDES, SIDES[1:]))
            and n["fc_formula_matches_built"])
    r.check("equivariance", n["conv_equivariance_err"] < 1e-5 and n["dense_equivariance_err"] > 0.1)
    r.condition("One layer of each kind, random weights; equivariance is checked away from the image border "
                "(zero padding breaks it at the edge).")

    import matplotlib.pyplot as plt
    fig, axs = plt.subplots(1, 2, figsize=(9, 3.6))
    axs[0].imshow(C != 0, cmap="Greys", interpolation="nearest")
    axs[0].set(title=f"Conv 3x3 on {side}x{side} as a {side * side}x{side * side} matrix\n"
                     f"{n['matrix_nonzero']} nonzero of {n['matrix_entries']}, {n['matrix_distinct']} distinct values",
               xlabel="input pixel", ylabel="output pixel")
    axs[0].title.set_fontsize(9)
    axs[1].loglog([s * s for s in SIDES], [n[f"dnn_params_{s}"] for s in SIDES], "C3-o", label="fully connected")
    axs[1].loglog([s * s for s in SIDES], [n[f"cnn_params_{s}"] for s in SIDES], "C0-o", label="convolution")
    axs[1].set(xlabel="input size (pixels)", ylabel="parameters", title="One layer's parameters")
    axs[1].title.set_fontsize(9)
    axs[1].legend(fontsize=8)
    r.figure("dnn_cnn_rnn", fig, "Left: the band structure of a convolution's matrix. Right: parameters of a "
                                 "same-sized layer against the input size.")
    return r


ENTRY = Entry(
    id="dnn-cnn-rnn",
    section="E",
    title={"zh": "DNN、CNN、RNN 的区别与联系；机器学习与深度学习的联系", "en": "DNN vs. CNN vs. RNN; ML vs. DL"},
    keywords=["dnn", "cnn", "rnn", "mlp", "全连接", "卷积", "循环", "weight sharing", "权值共享", "机器学习", "深度学习",
              "machine learning", "deep learning", "equivariance", "平移等变"],
    claims={
        "cnn-is-constrained-dnn": {
            "en": "A convolutional layer is a fully connected layer whose weight matrix is sparse (each output reads a "
                  "local window) and tied (every window uses the same weights).",
            "zh": "卷积层就是权重矩阵稀疏（每个输出只看一个局部窗口）且共享（每个窗口用同一组权重）的全连接层。"},
        "rnn-is-deep-tied-dnn": {
            "en": "An RNN unrolled over T steps is a T-layer feed-forward network whose layers share one set of weights.",
            "zh": "按时间展开 T 步的 RNN 就是 T 层、各层共享同一组权重的前馈网络。"},
        "sharing-fixes-param-count": {
            "en": "Sharing weights across space (CNN) or time (RNN) makes the parameter count independent of the input's "
                  "size; a DNN's grows with it.",
            "zh": "在空间上（CNN）或时间上（RNN）共享权重，使参数量与输入的大小无关；DNN 的参数量随输入增大。"},
        "equivariance": {
            "en": "Sharing across space makes a convolution translation-equivariant; a fully connected layer is not.",
            "zh": "空间上的权值共享使卷积具有平移等变性；全连接层没有。"},
    },
    answer={
        "en": r"""
The three are one family: layers $h = \phi(Wx + b)$ stacked, trained by backpropagation. They
differ in what $W$ is allowed to be.

**DNN (MLP).** $W$ is dense: every output reads every input. A layer mapping a 64x64 image to a
same-sized map has {=dnn_params_64} parameters; it knows nothing about which pixels are neighbours.

**CNN.** $W$ is sparse and tied. Written as a matrix (`analysis.conv_matrix`), a 3x3 convolution on
an 8x8 image is a 64x64 matrix with {=matrix_nonzero} nonzero entries out of {=matrix_entries}, holding
only {=matrix_distinct} distinct values; a `Linear` layer given that matrix reproduces the convolution to
{=conv_vs_dense_err:.1e}. The layer has {=cnn_params_64} parameters whatever the image size. The prior it
encodes: nearby pixels belong together (locality) and a pattern means the same thing anywhere
(sharing across space), which is why shifting the input shifts the output exactly (error
{=conv_equivariance_err:.1e}, against {=dense_equivariance_err:.2f} relative for a dense layer).

**RNN.** $W$ is tied across time. Unrolled over {=rnn_steps} steps, `nn.RNN` is a {=rnn_steps}-layer
feed-forward net whose layers share $W_{ih}$, $W_{hh}$ and the biases (same output to
{=rnn_vs_unrolled_err:.1e}); it has {=rnn_params_1000} parameters for any sequence length, while a
fully connected layer over a flattened sequence of 1000 steps needs {=dnn_seq_params_1000}. Its prior:
the same rule applies at every step, and a state carries the past.

So a CNN is a DNN with sharing across space, an RNN a DNN with sharing across time; both use the
same training machinery. Fewer parameters for the same input means less data needed, when the
prior fits the data (see `unsuitable-data` for what happens when it does not).

**Machine learning vs deep learning.** Deep learning is the part of machine learning whose models
are deep stacks of learned layers. Classic ML feeds hand-made features to a shallow model (a linear
model, an SVM, trees); deep learning learns the features too, end to end, which pays when data is
plentiful and the structure (images, audio, text) suits a prior like the two above.
""",
        "zh": r"""
三者是同一个家族：把 $h = \phi(Wx + b)$ 这样的层堆叠起来，用反向传播训练。区别在于 $W$ 允许是什么样子。

**DNN（MLP）。** $W$ 是稠密的：每个输出读取所有输入。把 64x64 图像映射为同样大小的特征图，一层就有 {=dnn_params_64}
个参数；它完全不知道哪些像素相邻。

**CNN。** $W$ 稀疏且共享。写成矩阵（`analysis.conv_matrix`），8x8 图像上的 3x3 卷积是一个 64x64 的矩阵，{=matrix_entries}
个元素中只有 {=matrix_nonzero} 个非零，且只有 {=matrix_distinct} 个不同的值；把这个矩阵交给 `Linear` 层，可以以 {=conv_vs_dense_err:.1e}
的误差复现卷积。无论图像多大，这一层都只有 {=cnn_params_64} 个参数。它编码的先验是：相邻像素属于一起（局部性），同一模式在
任何位置含义相同（空间上的共享），所以输入平移时输出恰好跟着平移（误差 {=conv_equivariance_err:.1e}，而全连接层的相对误差为
{=dense_equivariance_err:.2f}）。

**RNN。** $W$ 在时间上共享。展开 {=rnn_steps} 步后，`nn.RNN` 就是一个 {=rnn_steps} 层、各层共享 $W_{ih}$、$W_{hh}$ 和偏置的
前馈网络（输出相同，误差 {=rnn_vs_unrolled_err:.1e}）；无论序列多长，它都只有 {=rnn_params_1000} 个参数，而对 1000 步的序列
展平后做全连接需要 {=dnn_seq_params_1000} 个。它的先验是：每一步适用同一规则，由状态携带过去的信息。

所以 CNN 是在空间上共享权重的 DNN，RNN 是在时间上共享权重的 DNN；训练方法完全相同。同样的输入、更少的参数，意味着需要的
数据更少——前提是先验与数据相符（先验不符时会怎样，见 `unsuitable-data`）。

**机器学习与深度学习。** 深度学习是机器学习中模型由多层可学习的层堆叠而成的那一部分。经典机器学习把人工设计的特征交给浅层模型
（线性模型、SVM、决策树）；深度学习连特征也一起端到端地学习，在数据充足、且数据结构（图像、语音、文本）适合上述先验时更有优势。
""",
    },
    compute=compute,
)
