"""The LSTM by hand (the cell drawn as a figure) and why it eases vanishing gradients, measured: on a
long-dependency task (the label sits in the first input, T steps before the loss), the norm of
∂L_T/∂x_t for every t through ``nn.RNN`` (tanh, ReLU, identity-initialised ReLU), ``nn.GRU`` and
``nn.LSTM`` (default and raised forget-gate biases), the per-step decay factor fitted to it, and the
LSTM's factor set against its mean forget gate (the cell path multiplies by f, nothing else)."""
from __future__ import annotations

import numpy as np

from ... import backend, nn
from ...autograd import Tensor
from ...nn import functional as F
from ..entry import Entry
from ..result import Result

HIDDEN, FEATURES, BATCH = 32, 4, 64
FORGET_BIASES = (0.0, 1.0, 2.0, 3.0)
VARIANTS = ("rnn", "relu", "irnn", "gru", "lstm")  # the LSTM with forget bias 0 (torch's default init)
NAMES = {"rnn": "RNN (tanh)", "relu": "RNN (ReLU)", "irnn": "RNN (ReLU, W_hh = I)", "gru": "GRU", "lstm": "LSTM"}
STEADY = 0.9  # a per-step factor at or above this keeps 0.9^20 ≈ 12% of the gradient over 20 steps


def memory_batch(rng: np.random.Generator, length: int, batch: int = BATCH) -> tuple[np.ndarray, np.ndarray]:
    """The label y ∈ {0, 1} written into the first step (x[0, :, 0] = ±1); every other input N(0, 0.5²)
    noise: (T, N, FEATURES) float64 and (N,) labels. Only step 0 predicts the label read at step T."""
    y = rng.integers(0, 2, batch)
    x = rng.standard_normal((length, batch, FEATURES)) * 0.5
    x[0, :, 0] = 2.0 * y - 1.0
    return x, y


def make(variant: str, seed: int, forget_bias: float = 0.0):
    """(recurrent core, linear read-out H → 2), float64, PyTorch's default initialisation from
    ``backend.manual_seed(seed)``; 'irnn' sets W_hh = I (Le et al. 2015), 'lstm' adds ``forget_bias``
    to b_ih's forget block (rows H:2H)."""
    backend.manual_seed(seed)
    if variant == "lstm":
        core = nn.LSTM(FEATURES, HIDDEN, dtype="float64")
        core.bias_ih_l0.data[HIDDEN:2 * HIDDEN] += forget_bias
    elif variant == "gru":
        core = nn.GRU(FEATURES, HIDDEN, dtype="float64")
    else:
        core = nn.RNN(FEATURES, HIDDEN, nonlinearity="tanh" if variant == "rnn" else "relu", dtype="float64")
        if variant == "irnn":
            core.weight_hh_l0.data[:] = np.eye(HIDDEN)
    return core, nn.Linear(HIDDEN, 2, dtype="float64")


def gradient_through_time(core, head, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """‖∂L_T/∂x_t‖ for t = 0 … T−1, the mean over the batch of each sequence's norm; L_T is the mean
    cross-entropy of the read-out of h_T."""
    xt = Tensor(x, requires_grad=True)
    out, _ = core(xt)
    F.cross_entropy(head(out[-1]), Tensor(y)).backward()
    return np.linalg.norm(xt.grad.data, axis=2).mean(axis=1)


def decay_fit(norms: np.ndarray) -> tuple[float, float]:
    """(per-step factor ρ, R²) of log10 ‖∂L/∂x_t‖ ≈ a + (T−1−t) log10 ρ, least squares over the
    non-zero norms (a dead ReLU path can give exact zeros)."""
    distance = np.arange(len(norms))[::-1].astype(float)
    keep = norms > 0
    logs = np.log10(norms[keep])
    slope, intercept = np.polyfit(distance[keep], logs, 1)
    residual = logs - (intercept + slope * distance[keep])
    return float(10 ** slope), float(1 - residual.var() / logs.var())


def mean_forget_gate(core, x: np.ndarray) -> float:
    """The LSTM's forget gate f_t = σ(W_if x_t + b_if + W_hf h_{t−1} + b_hf), averaged over every
    unit, example and step of the forward pass (NumPy, from the layer's weights)."""
    H = core.hidden_size
    w_ih, w_hh = core.weight_ih_l0.data, core.weight_hh_l0.data
    b = core.bias_ih_l0.data + core.bias_hh_l0.data
    h = np.zeros((x.shape[1], H))
    c = np.zeros_like(h)
    forget = []
    for x_t in x:
        z = x_t @ w_ih.T + h @ w_hh.T + b
        i, f, o = (1 / (1 + np.exp(-z[:, k * H:(k + 1) * H])) for k in (0, 1, 3))
        c = f * c + i * np.tanh(z[:, 2 * H:3 * H])
        h = o * np.tanh(c)
        forget.append(f)
    return float(np.mean(forget))


def compute(quick: bool) -> Result:
    r = Result()
    length = 60 if quick else 100
    seeds = 3 if quick else 8
    r.number("length", length)
    r.number("seeds", seeds)
    r.number("hidden", HIDDEN)
    curves, rows = {}, []
    radii = []
    settings = [(v, 0.0) for v in VARIANTS] + [("lstm", b) for b in FORGET_BIASES[1:]]
    for variant, bias in settings:
        key = variant if variant != "lstm" else f"lstm_f{bias:g}"
        factors, fits, firsts, forgets = [], [], [], []
        for seed in range(seeds):
            x, y = memory_batch(np.random.default_rng([seed, 1]), length)
            core, head = make(variant, seed, bias)
            norms = gradient_through_time(core, head, x, y)
            factor, fit = decay_fit(norms)
            factors.append(factor)
            fits.append(fit)
            firsts.append(norms[0] / norms[-1])
            if variant == "lstm":
                forgets.append(mean_forget_gate(core, x))
            if variant == "rnn":
                radii.append(float(np.abs(np.linalg.eigvals(core.weight_hh_l0.data)).max()))
            if seed == 0:
                curves[key] = norms
        r.number(f"factor_{key}", float(np.exp(np.mean(np.log(factors)))),
                 f"per-step factor of ‖∂L_T/∂x_t‖, geometric mean over {seeds} initialisations")
        r.number(f"r2_{key}", float(np.min(fits)), "the worst R² of the log-linear fit")
        r.number(f"survive_{key}", float(np.exp(np.mean(np.log(firsts)))),
                 f"‖∂L_T/∂x_0‖ / ‖∂L_T/∂x_{{T−1}}‖, geometric mean: what reaches the label's step")
        if variant == "lstm":
            r.number(f"forget_{key}", float(np.mean(forgets)), "mean forget-gate activation")
        label = NAMES[variant] + (f", forget bias {bias:g}" if variant == "lstm" else "")
        rows.append([label, f"{r.numbers[f'factor_{key}']:.3f}", f"{r.numbers[f'survive_{key}']:.1e}",
                     f"{r.numbers[f'r2_{key}']:.3f}",
                     f"{r.numbers[f'forget_{key}']:.3f}" if variant == "lstm" else "—"])
    r.table(f"Gradient of the loss at step T = {length} with respect to the input at step t (hidden {HIDDEN}, "
            f"{seeds} initialisations)", ["layer", "per-step factor ρ", "‖∂L/∂x_0‖ / ‖∂L/∂x_{T−1}‖",
                                          "worst R² (log-linear)", "mean forget gate"], rows)
    r.condition(f"A memory task: the label in the first of {length} inputs ({FEATURES} features, the rest N(0, 0.5²) "
                f"noise), cross-entropy of a linear read-out of h_T; float64, PyTorch's default initialisation "
                f"U(−1/√H, 1/√H) with H = {HIDDEN}, at initialisation (before training, where a vanishing "
                "gradient "
                "decides whether training can start to use step 0); batch of 64; ρ fitted to log10 of the norms "
                "against the distance T − 1 − t.")

    r.number("radius_whh", float(np.mean(radii)), "spectral radius of the tanh RNN's initial W_hh, mean over seeds")

    # 1. the notes: vanishing gradients come from the product in backpropagation (through T steps here)
    r.number("steady", STEADY)
    r.number("steady_kept", STEADY ** 20, "share of the gradient a factor of STEADY keeps over 20 steps")
    product = r.numbers["r2_rnn"] >= 0.95 and r.numbers["factor_rnn"] < 1
    r.verdict("chain-product", "confirmed" if product else "depends")
    r.number("product_en", "yes" if product else "only roughly")
    r.number("product_zh", "对" if product else "只是大致如此")

    # 2. the notes: use ReLU instead of sigmoid/tanh — in a recurrent net W_hh's scale decides, not the activation
    relu, irnn, tanh = r.numbers["factor_relu"], r.numbers["factor_irnn"], r.numbers["factor_rnn"]
    r.verdict("relu-instead", "confirmed" if relu >= STEADY else "depends" if irnn >= STEADY else "corrected")

    # 3. the notes: the LSTM's structure eases vanishing gradients
    default, raised = r.numbers["factor_lstm_f0"], max(r.numbers[f"factor_lstm_f{b:g}"] for b in FORGET_BIASES)
    r.number("lstm_over_rnn", default / tanh, "per-step factor, LSTM (default init) / tanh RNN")
    r.number("best_forget_bias", max(FORGET_BIASES, key=lambda b: r.numbers[f"factor_lstm_f{b:g}"]))
    forget = [r.numbers[f"forget_lstm_f{b:g}"] for b in FORGET_BIASES]
    r.number("forget_tracks_factor", float(np.corrcoef(forget, [r.numbers[f"factor_lstm_f{b:g}"]
                                                                for b in FORGET_BIASES])[0, 1]),
             "correlation over the forget biases of the mean forget gate and the per-step factor")
    r.verdict("lstm-eases", "confirmed" if default >= STEADY else "depends" if raised >= STEADY and default > tanh
              else "corrected")
    better = default > tanh
    r.number("default_en", ("already better" if better else "no better") + (", yet still vanishing" if default < STEADY
                                                                             else ", and steady"))
    r.number("default_zh", ("已经更好" if better else "并不更好")
             + ("，但仍然在消失" if default < STEADY else "，而且稳定"))
    r.number("irnn_en", "helps" if irnn >= STEADY else "does not help either")
    r.number("irnn_zh", "才有效" if irnn >= STEADY else "也无效")
    _figures(r, curves, length)
    return r


def _figures(r: Result, curves: dict, length: int) -> None:
    import matplotlib.pyplot as plt

    r.figure("lstm-cell", draw_cell(plt), "The LSTM cell: the gates f, i, o (σ) and the candidate g (tanh) read "
                                          "[h_{t−1}, x_t]; the cell line on top is only scaled by f and added to, so "
                                          "∂c_t/∂c_{t−1} = diag(f_t).")
    fig, axs = plt.subplots(1, 2, figsize=(12, 4.2))
    distance = np.arange(length)[::-1]
    for key, norms in curves.items():
        name = NAMES.get(key, f"LSTM, forget bias {key[len('lstm_f'):]}")
        style = "-" if key.startswith("lstm") else "--"
        axs[0].semilogy(distance, np.where(norms > 0, norms, np.nan), style, label=name)
    axs[0].set(xlabel="distance T − 1 − t (steps back from the loss)", ylabel="‖∂L_T / ∂x_t‖ (batch mean)",
               title=f"Gradient through time, T = {length}, seed 0")
    axs[0].legend(fontsize=7)
    biases = list(FORGET_BIASES)
    axs[1].plot(biases, [r.numbers[f"factor_lstm_f{b:g}"] for b in biases], "o-", label="LSTM per-step factor ρ")
    axs[1].plot(biases, [r.numbers[f"forget_lstm_f{b:g}"] for b in biases], "s--", label="mean forget gate f")
    axs[1].axhline(r.numbers["factor_rnn"], color="gray", ls=":", label="tanh RNN's ρ")
    axs[1].set(xlabel="forget-gate bias added at initialisation", ylim=(0, 1.05),
               title="The cell path multiplies by f")
    axs[1].legend(fontsize=8)
    r.figure("lstm-gradients", fig, "Left: the gradient of the loss at the last step with respect to each input, "
                                    "on a log scale; a straight line is a constant factor per step. Right: the "
                                    "LSTM's per-step factor follows its mean forget gate.")


def draw_cell(plt):
    """The LSTM cell as a matplotlib figure: the cell line c_{t−1} → ⊗f → ⊕ → c_t on top, the four
    gates σ, σ, tanh, σ fed by [h_{t−1}, x_t], and h_t = o ⊙ tanh(c_t). Returns the matplotlib figure."""
    fig, ax = plt.subplots(figsize=(8, 4.6))
    ax.set_xlim(-1.8, 12.2)
    ax.set_ylim(-1.3, 7.3)
    ax.axis("off")
    ax.add_patch(plt.Rectangle((0, 0), 10.4, 6.2, fill=True, color="#eef3fb", ec="#4c72b0", lw=1.5))
    arrow = dict(arrowstyle="-|>", color="black", lw=1.2)

    def line(a, b):
        ax.annotate("", xy=b, xytext=a, arrowprops=arrow)

    def node(xy, text, kind="op"):
        if kind == "gate":
            ax.add_patch(plt.Rectangle((xy[0] - 0.55, xy[1] - 0.4), 1.1, 0.8, color="#f6c85f", ec="black"))
        else:
            ax.add_patch(plt.Circle(xy, 0.38, color="#ffffff", ec="black"))
        ax.text(*xy, text, ha="center", va="center", fontsize=12)

    cell_y, bus_y, gate_y = 5.2, 1.0, 2.6
    gates = {"f": 2.0, "i": 3.7, "g": 5.4, "o": 7.1}
    line((-1.6, cell_y), (1.62, cell_y))
    node((2.0, cell_y), "×")
    line((2.38, cell_y), (4.7, cell_y))
    node((5.08, cell_y), "+")
    line((5.46, cell_y), (12.0, cell_y))
    ax.text(-1.6, cell_y + 0.3, r"$c_{t-1}$", fontsize=12)
    ax.text(11.3, cell_y + 0.3, r"$c_t$", fontsize=12)
    # [h_{t-1}, x_t] bus feeding the gates
    ax.plot([-1.6, gates["o"]], [bus_y, bus_y], color="black", lw=1.2)
    line((0.9, -1.1), (0.9, bus_y))
    ax.text(-1.6, bus_y - 0.45, r"$h_{t-1}$", fontsize=12)
    ax.text(1.05, -1.05, r"$x_t$", fontsize=12)
    for name, gx in gates.items():
        line((gx, bus_y), (gx, gate_y - 0.42))
        node((gx, gate_y), "tanh" if name == "g" else "σ", "gate")
        ax.text(gx + 0.62, gate_y - 0.05, name, fontsize=11, color="#8c2d04")
    line((gates["f"], gate_y + 0.42), (gates["f"], cell_y - 0.4))                  # f → ×
    node((4.55, 3.9), "×")                                                         # i ⊙ g
    line((gates["i"], gate_y + 0.42), (4.3, 3.65))
    line((gates["g"], gate_y + 0.42), (4.8, 3.65))
    line((4.7, 4.25), (5.0, cell_y - 0.38))
    node((8.9, 4.0), "tanh", "gate")                                                # tanh(c_t)
    line((8.9, cell_y), (8.9, 4.42))
    node((8.9, 2.6), "×")                                                          # o ⊙ tanh(c_t)
    line((8.9, 3.58), (8.9, 2.98))
    line((gates["o"], gate_y + 0.42), (8.52, 2.65))
    ax.plot([8.9, 8.9], [2.22, bus_y], color="black", lw=1.2)
    line((8.9, bus_y), (12.0, bus_y))
    line((10.0, bus_y), (10.0, 7.1))
    ax.text(11.3, bus_y - 0.45, r"$h_t$", fontsize=12)
    ax.text(10.15, 6.8, r"$h_t$", fontsize=12)
    ax.text(0.15, 6.55, r"$c_t = f \odot c_{t-1} + i \odot g,\quad h_t = o \odot \tanh(c_t)$", fontsize=11)
    return fig


ENTRY = Entry(
    id="lstm",
    section="H",
    title={"zh": "手画 LSTM；LSTM 为何缓解梯度消失", "en": "LSTM by hand; why it eases vanishing gradients"},
    keywords=["LSTM", "长短期记忆", "forget gate", "遗忘门", "vanishing gradient", "梯度消失", "RNN", "GRU",
              "cell state", "BPTT"],
    claims={
        "chain-product": {
            "en": "The notes: \"vanishing and exploding gradients … are in essence the effect of repeated "
                  "multiplication in backpropagation\".",
            "zh": "笔记：\"梯度爆炸和梯度消失问题……本质上是因为梯度反向传播中的连乘效应。\""},
        "relu-instead": {
            "en": "The notes: \"for vanishing gradients, consider replacing the sigmoid activation with ReLU\".",
            "zh": "笔记：\"对于更普遍的梯度消失问题，可以考虑用 ReLU 激活函数取代 sigmoid 激活函数。\""},
        "lstm-eases": {
            "en": "The notes: \"the LSTM's structure also eases the vanishing-gradient problem of RNNs\".",
            "zh": "笔记：\"LSTM 的结构设计也可以改善 RNN 中的梯度消失问题。\""},
    },
    answer={
        "en": r"""
**The cell, by hand** (figure): from $[h_{t-1}, x_t]$ four affine maps give the forget, input and output
gates $f, i, o = \sigma(\cdot)$ and the candidate $g = \tanh(\cdot)$; then
$c_t = f \odot c_{t-1} + i \odot g$ and $h_t = o \odot \tanh(c_t)$ (`nn.LSTM`, PyTorch's gate order i, f, g, o).

**Why the gradient vanishes in a plain RNN.** $h_t = \tanh(W_{hh} h_{t-1} + W_{ih} x_t + b)$, so
$\partial h_t/\partial h_{t-1} = \mathrm{diag}(1 - h_t^2)\,W_{hh}$ and the gradient reaching step $t$ from
step $T$ is a product of $T - t$ such matrices. Measured on a memory task whose label sits $T = {=length}$
steps before the loss: the tanh RNN's gradient shrinks by a factor ρ = {=factor_rnn:.3f} per step (a straight
line on a log scale, R² ≥ {=r2_rnn:.3f}), so the label's step receives {=survive_rnn:.1e} of what the last step
receives.

**Why the LSTM eases it.** Along the cell line $\partial c_t/\partial c_{t-1} = \mathrm{diag}(f_t)$ (plus paths
through the gates): no weight matrix and no squashing derivative, only the forget gate, which the network can
hold near 1 to keep a memory. The LSTM's per-step factor follows its mean forget gate (correlation
{=forget_tracks_factor:.2f} over the biases tried): with PyTorch's default initialisation (forget bias 0,
f ≈ {=forget_lstm_f0:.2f}) ρ = {=factor_lstm_f0:.3f}, {=lstm_over_rnn:.2f}× the RNN's — {=default_en}; with the
forget-gate bias raised to 1, 2, 3 (Gers et al. 2000; Jozefowicz et al. 2015)
f ≈ {=forget_lstm_f1:.2f}, {=forget_lstm_f2:.2f}, {=forget_lstm_f3:.2f} and ρ = {=factor_lstm_f1:.3f},
{=factor_lstm_f2:.3f}, {=factor_lstm_f3:.3f}: the first step then receives {=survive_lstm_f3:.1e} of the last
step's gradient instead of {=survive_rnn:.1e}. The GRU's update gate plays the same role (ρ = {=factor_gru:.3f}
at its default initialisation).

The notes' claims:

- **A product effect** — {=product_en}: the tanh RNN's log-gradient falls linearly with the distance
  (R² ≥ {=r2_rnn:.3f}),
  i.e. by the same factor every step, which is what a product of similar Jacobians gives. Depth here is time.
- **Use ReLU instead of sigmoid** — in a recurrent net the activation is not the main factor: a ReLU RNN with
  the default initialisation decays by ρ = {=factor_relu:.3f} per step (tanh: {=factor_rnn:.3f}), because
  $W_{hh}$'s scale (entries U(−1/√H, 1/√H), spectral radius {=radius_whh:.2f} here) shrinks the gradient at every step and
  ReLU's derivative is 0 for every unit below zero. With $W_{hh}$ started at the identity (IRNN, Le et al.
  2015) ReLU {=irnn_en}:
  ρ = {=factor_irnn:.3f}. In feed-forward nets ReLU does help (see vanishing-gradients).
- **The LSTM's structure eases vanishing gradients** — the additive cell update with a gate is the mechanism;
  how much it eases depends on the forget gate: ρ = {=factor_lstm_f0:.3f} at the default initialisation,
  {=factor_lstm_f3:.3f} with forget bias 3 (the criterion here: ρ ≥ {=steady}, which keeps {=steady_kept:.0%} of the
  gradient over 20 steps).
""",
        "zh": r"""
**手画 LSTM**（见图）：由 $[h_{t-1}, x_t]$ 经四个仿射变换得到遗忘门、输入门、输出门 $f, i, o = \sigma(\cdot)$ 和候选值
$g = \tanh(\cdot)$；然后 $c_t = f \odot c_{t-1} + i \odot g$，$h_t = o \odot \tanh(c_t)$（`nn.LSTM`，PyTorch 的门顺序 i, f, g, o）。

**普通 RNN 的梯度为何消失。** $h_t = \tanh(W_{hh} h_{t-1} + W_{ih} x_t + b)$，因此
$\partial h_t/\partial h_{t-1} = \mathrm{diag}(1 - h_t^2)\,W_{hh}$，从第 $T$ 步传到第 $t$ 步的梯度是 $T - t$ 个这样的矩阵之积。
在一个记忆任务上实测（标签在损失之前 $T = {=length}$ 步的输入里）：tanh RNN 的梯度每步缩小为 ρ = {=factor_rnn:.3f} 倍
（对数坐标下是一条直线，R² ≥ {=r2_rnn:.3f}），标签所在的那一步得到的梯度只有最后一步的 {=survive_rnn:.1e}。

**LSTM 为何能缓解。** 沿着细胞状态这条线 $\partial c_t/\partial c_{t-1} = \mathrm{diag}(f_t)$（另有经过各门的路径）：
没有权重矩阵，也没有饱和激活函数的导数，只有遗忘门，而网络可以让它接近 1 来保持记忆。LSTM 每步的衰减因子跟随其遗忘门的平均值
（在所试的偏置上相关系数为 {=forget_tracks_factor:.2f}）：用 PyTorch 默认初始化（遗忘门偏置 0，f ≈ {=forget_lstm_f0:.2f}）时
ρ = {=factor_lstm_f0:.3f}，是 RNN 的 {=lstm_over_rnn:.2f} 倍——{=default_zh}；把遗忘门偏置提高到 1、2、3
（Gers 等 2000；Jozefowicz 等 2015）时 f ≈ {=forget_lstm_f1:.2f}、{=forget_lstm_f2:.2f}、{=forget_lstm_f3:.2f}，
ρ = {=factor_lstm_f1:.3f}、{=factor_lstm_f2:.3f}、{=factor_lstm_f3:.3f}：第一步得到的梯度是最后一步的 {=survive_lstm_f3:.1e}，
而 RNN 只有 {=survive_rnn:.1e}。GRU 的更新门起同样的作用（默认初始化下 ρ = {=factor_gru:.3f}）。

逐条检验笔记：

- **连乘效应**——{=product_zh}：tanh RNN 的对数梯度随距离线性下降（R² ≥ {=r2_rnn:.3f}），即每一步乘以同一个因子，
  这正是相近的雅可比矩阵连乘的结果。这里的"深"是时间上的深。
- **用 ReLU 取代 sigmoid**——在循环网络里激活函数不是主因：默认初始化的 ReLU RNN 每步衰减 ρ = {=factor_relu:.3f}（tanh 为
  {=factor_rnn:.3f}），因为 $W_{hh}$ 的尺度（元素服从 U(−1/√H, 1/√H)，这里谱半径为 {=radius_whh:.2f}）每一步都在缩小梯度，而 ReLU 对小于零的
  单元导数为 0。当 $W_{hh}$ 初始化为单位阵时（IRNN，Le 等 2015）ReLU {=irnn_zh}：ρ = {=factor_irnn:.3f}。在前馈网络里 ReLU 确实有帮助
  （见 vanishing-gradients）。
- **LSTM 的结构缓解梯度消失**——带门的加法式细胞更新正是其机制；缓解多少取决于遗忘门：默认初始化时 ρ = {=factor_lstm_f0:.3f}，
  遗忘门偏置为 3 时 ρ = {=factor_lstm_f3:.3f}（这里的标准：ρ ≥ {=steady}，即 20 步后仍保留 {=steady_kept:.0%} 的梯度）。
""",
    },
    compute=compute,
)
