"""Weight initialisation: the activation scale layer by layer through a deep tanh / ReLU MLP for
each ``nn.init`` scheme, and the symmetry that equal (e.g. zero) weights never break."""
from __future__ import annotations

import math

import numpy as np

from ... import backend, nn
from ...autograd import Tensor, no_grad
from ...nn import functional as F
from ...nn import init
from ..entry import Entry
from ..result import Result


def notes_he(w, generator):
    """The notes' code for He init: np.random.rand(fan_in, fan_out) / np.sqrt(fan_in / 2) —
    uniform on [0, 1), so every weight is positive."""
    fan_in = w.shape[1]
    w.data[...] = generator.random(w.shape) / np.sqrt(fan_in / 2)


SCHEMES = {
    "zeros": lambda w, g: init.zeros_(w),
    "normal std 0.02": lambda w, g: init.normal_(w, 0.0, 0.02, generator=g),
    "normal var 0.02": lambda w, g: init.normal_(w, 0.0, math.sqrt(0.02), generator=g),
    "normal std 1": lambda w, g: init.normal_(w, 0.0, 1.0, generator=g),
    "lecun_uniform": lambda w, g: init.lecun_uniform_(w, generator=g),
    "lecun_normal": lambda w, g: init.lecun_normal_(w, generator=g),
    "xavier_uniform": lambda w, g: init.xavier_uniform_(w, generator=g),
    "xavier_normal": lambda w, g: init.xavier_normal_(w, generator=g),
    "xavier_uniform gain 5/3": lambda w, g: init.xavier_uniform_(w, gain=init.calculate_gain("tanh"), generator=g),
    "kaiming_uniform relu": lambda w, g: init.kaiming_uniform_(w, nonlinearity="relu", generator=g),
    "kaiming_normal relu": lambda w, g: init.kaiming_normal_(w, nonlinearity="relu", generator=g),
    "orthogonal": lambda w, g: init.orthogonal_(w, generator=g),
    "notes' He code (rand)": notes_he,
}
ACTS = {"tanh": F.tanh, "relu": F.relu}


def activation_stds(scheme: str, act: str, depth: int, width: int, seed: int = 0) -> list[float]:
    """std of the activations after each of ``depth`` bias-free layers, input N(0, 1) of (4·width, width)."""
    g = backend.spawn_rng(seed)
    h = Tensor(g.standard_normal((4 * width, width)))
    w = Tensor(np.empty((width, width)))
    stds = []
    with no_grad(), np.errstate(all="ignore"):
        for _ in range(depth):
            SCHEMES[scheme](w, g)
            h = ACTS[act](F.linear(h, w))
            stds.append(float(h.data.std()))
    return stds


def train_from(weight_init, data, steps: int = 150, lr: float = 0.5, seed: int = 0):
    """A 4-16-16-3 tanh MLP, biases 0, weights set by ``weight_init``, full-batch gradient descent.
    Returns the layers and the final training accuracy."""
    from ... import optim  # imported here so that the registry never depends on it

    X, y = data
    backend.manual_seed(seed)
    layers = [nn.Linear(4, 16), nn.Linear(16, 16), nn.Linear(16, 3)]
    for layer in layers:
        weight_init(layer.weight)
        init.zeros_(layer.bias)
    opt = optim.SGD([p for layer in layers for p in layer.parameters()], lr=lr)

    def forward():
        h = Tensor(X)
        for layer in layers[:-1]:
            h = F.tanh(layer(h))
        return layers[-1](h)

    for _ in range(steps):
        loss = F.cross_entropy(forward(), Tensor(y))
        opt.zero_grad()
        loss.backward()
        opt.step()
    with no_grad():
        acc = float((forward().data.argmax(1) == y).mean())
    return layers, acc


WIDENING = [16, 32, 64, 128, 256, 512]  # a ReLU MLP whose layers each double the width


def widening_stds(mode: str, seed: int = 0) -> list[float]:
    """Activation std after each layer of the widening ReLU MLP, He-normal weights with the fan taken as
    ``mode``: "fan_in" (inputs × kernel area) or "fan_out" (outputs × kernel area, the notes' "output channels")."""
    g = backend.spawn_rng(seed)
    h = Tensor(g.standard_normal((2048, WIDENING[0])))
    stds = []
    with no_grad():
        for n_in, n_out in zip(WIDENING[:-1], WIDENING[1:]):
            w = Tensor(np.empty((n_out, n_in)))
            init.kaiming_normal_(w, mode=mode, nonlinearity="relu", generator=g)
            h = F.relu(F.linear(h, w))
            stds.append(float(h.data.std()))
    return stds


def per_layer_factor(scheme: str, act: str, depth: int, width: int, seeds) -> float:
    """Geometric mean over seeds of (std at the last layer / std at the first)^(1/(depth − 1)): the
    factor by which one layer changes the activation scale."""
    logs = []
    for seed in seeds:
        stds = activation_stds(scheme, act, depth, width, seed)
        logs.append(math.log(stds[-1] / stds[0]) / (depth - 1))
    return float(math.exp(np.mean(logs)))


def blobs(n: int, rng: np.random.Generator):
    centres = rng.normal(0, 2, (3, 4))
    y = rng.integers(0, 3, n)
    return (centres[y] + rng.normal(size=(n, 4))).astype(np.float32), y.astype(np.int64)


def compute(quick: bool) -> Result:
    r = Result()
    depth, width = (20, 128) if quick else (20, 512)
    stds = {(s, a): activation_stds(s, a, depth, width) for s in SCHEMES for a in ACTS}
    shown = [1, 5, 10, depth]
    for a in ACTS:
        r.table(f"Activation std layer by layer, {a}, width {width}", ["scheme"] + [f"layer {i}" for i in shown],
                [[s] + [stds[s, a][i - 1] for i in shown] for s in SCHEMES])
    key = {"xavier_uniform": "xavier", "kaiming_normal relu": "kaiming", "normal std 0.02": "std002",
           "normal var 0.02": "var002", "notes' He code (rand)": "notes", "orthogonal": "orthogonal",
           "lecun_normal": "lecun", "xavier_uniform gain 5/3": "xavier_tanh_gain"}
    for s, k in key.items():
        for a in ACTS:
            r.number(f"{a}_{k}_l1", stds[s, a][0], f"activation_stds({s!r}, {a!r}, {depth}, {width})[0]")
            r.number(f"{a}_{k}_last", stds[s, a][-1], f"activation_stds({s!r}, {a!r}, {depth}, {width})[-1]")
    r.number("depth", depth)
    r.number("width", width)
    r.condition(f"Bias-free MLP, {depth} layers of width {width}, input N(0, 1); std over the batch")

    # one layer's scale factor, averaged over seeds: √(n·Var(W)/2) predicts 1 for He and 1/√2 for Xavier
    seeds = range(4) if quick else range(8)
    r.number("relu_kaiming_factor", per_layer_factor("kaiming_normal relu", "relu", depth, width, seeds),
             f"per_layer_factor('kaiming_normal relu', 'relu', {depth}, {width}, seeds={len(seeds)})")
    r.number("relu_xavier_factor", per_layer_factor("xavier_uniform", "relu", depth, width, seeds),
             f"per_layer_factor('xavier_uniform', 'relu', {depth}, {width}, seeds={len(seeds)})")
    r.number("factor_seeds", len(seeds))

    # what fan_in is: a conv weight (out 16, in 3, 3x3) has fan_in = 3·3·3, not its 16 output channels
    conv_w = Tensor(np.empty((16, 3, 3, 3)))
    fan_in, fan_out = init._calculate_fan_in_and_fan_out(conv_w)
    r.number("conv_fan_in", fan_in, "init._calculate_fan_in_and_fan_out(Conv2d(3, 16, 3).weight)[0]")
    r.number("conv_fan_out", fan_out)
    r.number("conv_out_channels", 16)
    r.number("conv_in_channels_times_kernel", 3 * 3 * 3)
    wide_in, wide_out = widening_stds("fan_in"), widening_stds("fan_out")
    r.number("widening_fan_in_ratio", wide_in[-1] / wide_in[0], "widening_stds('fan_in'): last / first layer std")
    r.number("widening_fan_out_ratio", wide_out[-1] / wide_out[0],
             "widening_stds('fan_out') (fan = output units): last / first")
    r.number("widening_layers", len(WIDENING) - 1)
    r.table(f"He-normal ReLU MLP {'-'.join(map(str, WIDENING))}: activation std per layer",
            ["fan used"] + [f"layer {i + 1}" for i in range(len(WIDENING) - 1)],
            [["inputs (fan_in)"] + wide_in, ["output units (the notes)"] + wide_out])

    # the notes' snippet's scale, 1/√(fan_in/2), with randn instead of rand: whose variance is it?
    n_in = n_out = 256  # square, so Glorot's 2/(n_in + n_out) = 1/n: half of He's 2/n
    g = backend.spawn_rng(3)
    snippet = g.standard_normal((n_in, n_out)) / np.sqrt(n_in / 2)
    he, xavier = Tensor(np.empty((n_out, n_in))), Tensor(np.empty((n_out, n_in)))
    init.kaiming_normal_(he, nonlinearity="relu", generator=g)
    init.xavier_normal_(xavier, generator=g)
    r.number("snippet_var", float(snippet.var()), "var(randn(256, 256) / √(256/2))")
    r.number("he_var", float(he.data.var()), "var of init.kaiming_normal_(W (256, 256), nonlinearity='relu')")
    r.number("xavier_var", float(xavier.data.var()), "var of init.xavier_normal_(W (256, 256))")
    r.number("snippet_over_he", r.numbers["snippet_var"] / r.numbers["he_var"])
    r.number("snippet_over_xavier", r.numbers["snippet_var"] / r.numbers["xavier_var"])

    rng = backend.spawn_rng(5)
    data = blobs(300, rng)
    layers_c, acc_const = train_from(lambda w: init.constant_(w, 0.3), data)
    layers_z, acc_zero = train_from(init.zeros_, data)
    _, acc_rand = train_from(lambda w: init.xavier_uniform_(w, gain=init.calculate_gain("tanh")), data)
    w1 = layers_c[0].weight.data
    r.number("const_unit_spread", float(np.abs(w1 - w1[:1]).max()),
             "max |W1[i] − W1[0]| over hidden units after training from constant 0.3")
    r.number("const_weight_moved", float(np.abs(w1 - 0.3).max()), "how far those weights moved from 0.3")
    r.number("zero_hidden_max", float(max(np.abs(layer.weight.data).max() for layer in layers_z)),
             "largest weight anywhere after training from zeros")
    r.number("acc_const", acc_const, "training accuracy, constant init")
    r.number("acc_zero", acc_zero, "training accuracy, zero init")
    r.number("acc_random", acc_rand, "training accuracy, xavier_uniform(gain 5/3)")
    r.number("majority_share", float(np.bincount(data[1]).max() / len(data[1])), "share of the largest class")
    r.table("Training from equal weights (4-16-16-3 tanh MLP, 150 steps)", ["init", "training accuracy"],
            [["zeros", acc_zero], ["constant 0.3", acc_const], ["xavier_uniform (gain 5/3)", acc_rand]])

    n = r.numbers
    r.check("xavier-tanh-not-relu", n["relu_xavier_last"] < 1e-2 * n["relu_xavier_l1"]
            and n["tanh_xavier_last"] > 10 * n["relu_xavier_last"])
    r.check("he-keeps-relu", abs(n["relu_kaiming_factor"] - 1) < 0.05
            and abs(n["relu_xavier_factor"] - 1 / math.sqrt(2)) < 0.05)
    r.check("fan-in-output-channels", n["conv_fan_in"] == n["conv_out_channels"]
            and abs(math.log(n["widening_fan_out_ratio"])) <= abs(math.log(n["widening_fan_in_ratio"])) + 0.1)
    r.check("notes-code-is-xavier", abs(n["snippet_over_xavier"] - 1) < 0.1)
    r.check("std-002", 0.5 < n["relu_std002_last"] / n["relu_std002_l1"] < 2
            and 0.5 < n["relu_var002_last"] / n["relu_var002_l1"] < 2)
    r.check("notes-code-rand", 0.5 < n["relu_notes_last"] / n["relu_notes_l1"] < 2)
    r.check("equal-init-symmetric", n["const_unit_spread"] < 1e-6 and n["const_weight_moved"] > 1e-2
            and n["zero_hidden_max"] == 0 and n["acc_random"] > max(n["acc_zero"], n["acc_const"]))

    import matplotlib.pyplot as plt
    fig, axs = plt.subplots(1, 2, figsize=(11, 3.8), sharey=True)
    layers = np.arange(1, depth + 1)
    for ax, a in zip(axs, ACTS):
        for i, s in enumerate(SCHEMES):
            if s == "zeros":
                continue
            ax.semilogy(layers, np.maximum(stds[s, a], 1e-30), label=s, color=f"C{i % 10}",
                        ls="-" if i < 10 else "--")
        ax.set(xlabel="layer", title=f"{a}", ylim=(1e-12, 1e12))
    axs[0].set_ylabel("activation std")
    axs[1].legend(fontsize=6, loc="upper left", ncol=2)
    r.figure("init_stds", fig, "Activation scale through depth: only scales matched to fan-in and to the "
                               "non-linearity keep it steady.")
    return r


ENTRY = Entry(
    id="initialization",
    section="E",
    title={"zh": "权重初始化：不同方式的后果", "en": "Weight initialisation"},
    keywords=["initialization", "initialisation", "初始化", "xavier", "glorot", "kaiming", "he init", "lecun",
              "orthogonal", "正交", "零初始化", "zero init", "symmetry", "对称"],
    claims={
        "xavier-tanh-not-relu": {
            "en": "The notes: \"Xavier – tanh (not well suited to ReLU)\": with ReLU the activations shrink layer after layer.",
            "zh": "笔记原文：Xavier-tanh（不太适合 relu）：用 ReLU 时激活值逐层变小。"},
        "he-keeps-relu": {
            "en": "He (Kaiming) initialisation keeps the scale of ReLU activations constant with depth.",
            "zh": "He（Kaiming）初始化使 ReLU 网络的激活尺度不随深度变化。"},
        "fan-in-output-channels": {
            "en": "The notes: \"fan_in: the number of output channels\".",
            "zh": "笔记原文：fan_in 输出通道数。"},
        "notes-code-is-xavier": {
            "en": "The notes file the code np.random.rand(fan_in, fan_out) / np.sqrt(fan_in / 2) under Xavier for tanh: "
                  "its scale is Xavier's.",
            "zh": "笔记把代码 np.random.rand(fan_in, fan_out) / np.sqrt(fan_in / 2) 归在 Xavier-tanh 之下：其尺度即 Xavier 初始化的尺度。"},
        "std-002": {
            "en": "A good initialisation draws weights with mean 0 and variance (or std) 0.02, whatever the layer.",
            "zh": "好的初始化是均值为 0、方差（或标准差）为 0.02 的权重，与层的大小无关。"},
        "notes-code-rand": {
            "en": "The notes' code np.random.rand(fan_in, fan_out) / np.sqrt(fan_in / 2) initialises a layer so that "
                  "activations keep a steady scale.",
            "zh": "笔记中的代码 np.random.rand(fan_in, fan_out) / np.sqrt(fan_in / 2) 能让激活值保持稳定的尺度。"},
        "equal-init-symmetric": {
            "en": "With all weights equal (zero or a constant) the hidden units stay identical during training, so the network cannot learn more than one feature per layer.",
            "zh": "所有权重相同（全零或同一常数）时，隐藏单元在训练中始终相同，每层实际上只能学到一个特征。"},
    },
    answer={
        "en": r"""
A layer $z = Wh$ with $n$ inputs multiplies the variance of its signal by about $n\,\mathrm{Var}(W)\,c$,
where $c$ is what the non-linearity keeps ($c \approx 1$ for tanh near 0, $c = \frac{1}{2}$ for ReLU).
Over many layers any factor other than 1 compounds into vanishing or exploding activations and
gradients. Hence the schemes: LeCun $\mathrm{Var}(W) = 1/n_{in}$; Xavier/Glorot
$2/(n_{in}+n_{out})$ (forward and backward balanced); He/Kaiming $2/n_{in}$ (undoing ReLU's $\frac{1}{2}$);
orthogonal $W$ preserves norms exactly before the non-linearity.

Measured through {=depth} layers of width {=width}: with ReLU, Xavier's activation std falls from
{=relu_xavier_l1:.3f} to {=relu_xavier_last:.2e}, Kaiming's goes from {=relu_kaiming_l1:.3f} to
{=relu_kaiming_last:.3f}; with tanh, Xavier keeps {=tanh_xavier_last:.3f} at the last layer. Per layer
(geometric mean over {=factor_seeds} seeds) Kaiming multiplies the ReLU scale by {=relu_kaiming_factor:.3f} and
Xavier by {=relu_xavier_factor:.3f}, against the predicted $1$ and $1/\sqrt{2} \approx 0.707$; the small
drift below 1 is the finite width.

**What the fan is.** $n_{in}$ (fan_in) counts the inputs of one output unit: for a conv weight of
shape (out, in, k, k) it is $\text{in} \cdot k^2$. The notes call it "the number of output channels";
for a 3x3 conv from 3 to 16 channels fan_in is {=conv_fan_in} ($3 \cdot 3 \cdot 3$), not {=conv_out_channels},
and {=conv_fan_out} is fan_out. The two differ whenever a layer changes the width: in a ReLU MLP that
doubles its width {=widening_layers} times, He's scale with the true fan_in keeps the std
(last / first layer {=widening_fan_in_ratio:.3f}), with the number of output units it halves the
variance at every layer ({=widening_fan_out_ratio:.3f}). (PyTorch's `mode="fan_out"` is that choice,
made on purpose to preserve the backward pass instead.)
A fixed std of 0.02 ignores $n$: the ReLU std collapses to {=relu_std002_last:.2e}; a fixed variance of 0.02
suits ReLU only where $n \cdot 0.02/2 = 1$, i.e. $n = 100$ (here it ends at {=relu_var002_last:.2e}).

**The notes' code.** The notes give `np.random.rand(fan_in, fan_out) / np.sqrt(fan_in / 2)` under
"Xavier – tanh". Its scale $1/\sqrt{n_{in}/2}$ is He's, not Xavier's: with `randn` the weight variance is
{=snippet_var:.4f} for a 256 → 256 layer, He's {=he_var:.4f} (ratio {=snippet_over_he:.2f}) and Xavier's
{=xavier_var:.4f} (ratio {=snippet_over_xavier:.2f}). And it uses `rand` (uniform on [0, 1), all
positive) instead of `randn`: every weight is positive, so ReLU activations grow to {=relu_notes_last:.2e}.

**Symmetry.** If all weights are equal, every hidden unit computes the same value and receives the
same gradient, so they stay equal forever. Trained from the constant 0.3, the first-layer units
differ by {=const_unit_spread:.1e} after the weights moved by {=const_weight_moved:.3f}; from zeros no
weight moves at all (largest {=zero_hidden_max}). Training accuracy: zeros {=acc_zero:.3f},
constant {=acc_const:.3f}, random {=acc_random:.3f}. Biases may start at 0: randomness in $W$ alone breaks the symmetry.
""",
        "zh": r"""
一层 $z = Wh$ 有 $n$ 个输入，它把信号方差大约乘以 $n\,\mathrm{Var}(W)\,c$，$c$ 是非线性保留的比例（tanh 在 0 附近
$c \approx 1$，ReLU 为 $c = \frac{1}{2}$）。层数一多，只要这个因子不等于 1，就会累积成激活值和梯度的消失或爆炸。
因此有：LeCun $\mathrm{Var}(W) = 1/n_{in}$；Xavier/Glorot $2/(n_{in}+n_{out})$（兼顾前向和反向）；He/Kaiming
$2/n_{in}$（抵消 ReLU 的 $\frac{1}{2}$）；正交矩阵在非线性之前严格保持范数。

在 {=depth} 层、宽 {=width} 的网络中测得：ReLU 配 Xavier，激活标准差从 {=relu_xavier_l1:.3f} 降到 {=relu_xavier_last:.2e}；
配 Kaiming 则从 {=relu_kaiming_l1:.3f} 变为 {=relu_kaiming_last:.3f}；tanh 配 Xavier 最后一层仍有 {=tanh_xavier_last:.3f}。
按每层计算（{=factor_seeds} 个随机种子的几何平均），Kaiming 让 ReLU 的尺度乘以 {=relu_kaiming_factor:.3f}，Xavier 乘以
{=relu_xavier_factor:.3f}，理论值分别为 $1$ 和 $1/\sqrt{2} \approx 0.707$；略低于 1 是有限宽度造成的。

**fan 是什么。** $n_{in}$（fan_in）是一个输出单元的输入个数：形状为 (out, in, k, k) 的卷积权重，fan_in 为 $\text{in} \cdot k^2$。
笔记说它是"输出通道数"；对 3 通道到 16 通道的 3x3 卷积，fan_in 是 {=conv_fan_in}（$3 \cdot 3 \cdot 3$），而不是 {=conv_out_channels}，
{=conv_fan_out} 才是 fan_out。只要某层改变了宽度，两者就不同：在宽度连续翻倍 {=widening_layers} 次的 ReLU MLP 中，用真正的 fan_in
做 He 初始化，标准差保持不变（末层/首层 {=widening_fan_in_ratio:.3f}）；用输出单元数则每层方差减半（{=widening_fan_out_ratio:.3f}）。
（PyTorch 的 `mode="fan_out"` 就是这种选择，目的是保持反向传播的尺度。）
固定标准差 0.02 忽略了 $n$：ReLU 的标准差坍缩到 {=relu_std002_last:.2e}；固定方差 0.02 只在 $n \cdot 0.02/2 = 1$
即 $n = 100$ 时适合 ReLU（这里最后为 {=relu_var002_last:.2e}）。

**笔记中的代码。** 笔记在"Xavier-tanh"下给出 `np.random.rand(fan_in, fan_out) / np.sqrt(fan_in / 2)`。它的尺度
$1/\sqrt{n_{in}/2}$ 是 He 初始化的，而不是 Xavier 的：换成 `randn` 后，256 → 256 的层权重方差为 {=snippet_var:.4f}，
He 为 {=he_var:.4f}（比值 {=snippet_over_he:.2f}），Xavier 为 {=xavier_var:.4f}（比值 {=snippet_over_xavier:.2f}）。
而且它用的是 `rand`（[0, 1) 上的均匀分布，全为正）而不是 `randn`：权重全为正，ReLU 激活增长到 {=relu_notes_last:.2e}。

**对称性。** 若所有权重相同，每个隐藏单元计算相同的值、得到相同的梯度，于是永远相同。从常数 0.3 开始训练后，
第一层各单元之间相差 {=const_unit_spread:.1e}，而权重本身移动了 {=const_weight_moved:.3f}；从全零开始则没有任何权重移动
（最大值 {=zero_hidden_max}）。训练准确率：全零 {=acc_zero:.3f}，常数 {=acc_const:.3f}，随机 {=acc_random:.3f}。
偏置可以从 0 开始：只要 $W$ 是随机的，对称性就被打破了。
""",
    },
    compute=compute,
)
