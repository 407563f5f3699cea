"""Vanishing and exploding gradients, measured: the gradient norm of every layer of a 20-layer MLP on
digits with sigmoid or ReLU, default or He initialisation, with batch norm, with residual connections,
and with gradient clipping; and how far each layer's weights move in the first SGD steps."""
from __future__ import annotations

import numpy as np

from ... import backend, nn, optim
from ...autograd import Tensor
from ...nn import functional as F
from ...nn.utils import clip_grad_norm_
from ..entry import Entry
from ..result import Result
from ._small_nets import digits_images

DEPTH, WIDTH, BATCH = 20, 64, 128
ACTIVATIONS = {"sigmoid": F.sigmoid, "relu": F.relu}
# name: (activation, batch norm, residual, initialisation of the hidden weights)
CONFIGS = {
    "sigmoid": ("sigmoid", False, False, "default"),
    "sigmoid + BN": ("sigmoid", True, False, "default"),
    "sigmoid + residual": ("sigmoid", False, True, "default"),
    "ReLU": ("relu", False, False, "default"),
    "ReLU, He init": ("relu", False, False, "he"),
    "ReLU + BN": ("relu", True, False, "default"),
    "ReLU + residual": ("relu", False, True, "default"),
    "ReLU, 1.5 × He init": ("relu", False, False, "he1.5"),
}


class DeepMLP:
    """64 → WIDTH, DEPTH hidden layers h ← act(BN(W h)) (or h ← h + act(BN(W h)) when residual), → 10."""

    def __init__(self, activation: str, batch_norm: bool, residual: bool, init: str, seed: int = 0):
        backend.manual_seed(seed)
        self.act, self.residual = ACTIVATIONS[activation], residual
        self.inp = nn.Linear(64, WIDTH, dtype="float64")
        self.hidden = [nn.Linear(WIDTH, WIDTH, dtype="float64") for _ in range(DEPTH)]
        self.norms = [nn.BatchNorm1d(WIDTH, dtype="float64") if batch_norm else None for _ in range(DEPTH)]
        self.out = nn.Linear(WIDTH, 10, dtype="float64")
        if init.startswith("he"):
            gain = float(init[2:] or 1)
            generator = np.random.default_rng(seed)
            for layer in self.hidden:
                nn.init.kaiming_normal_(layer.weight, nonlinearity="relu", generator=generator)
                layer.weight.data *= gain

    def parameters(self):
        layers = [self.inp, *self.hidden, self.out] + [b for b in self.norms if b is not None]
        return [p for layer in layers for p in layer.parameters()]

    def features(self, x: np.ndarray) -> Tensor:
        """The last hidden layer's activations."""
        h = self.act(self.inp(Tensor(x)))
        for linear, norm in zip(self.hidden, self.norms):
            z = linear(h)
            z = self.act(norm(z) if norm is not None else z)
            h = h + z if self.residual else z
        return h

    def __call__(self, x: np.ndarray) -> Tensor:
        return self.out(self.features(x))


def batch():
    X, y, _, _ = digits_images()
    return X[:BATCH].reshape(BATCH, -1).astype(np.float64), y[:BATCH]


def layer_gradients(model: DeepMLP, x, y, clip: float | None = None) -> np.ndarray:
    """‖∂L/∂W_l‖_F for the DEPTH hidden layers (after clip_grad_norm_ when ``clip``)."""
    loss = F.cross_entropy(model(x), Tensor(y))
    loss.backward()
    if clip is not None:
        clip_grad_norm_(model.parameters(), clip)
    return np.array([np.linalg.norm(layer.weight.grad.data) for layer in model.hidden])


def relative_moves(name: str, x, y, steps: int, lr: float = 0.1) -> np.ndarray:
    """‖W_l(after) − W_l(before)‖ / ‖W_l(before)‖ for each hidden layer after ``steps`` SGD steps."""
    model = DeepMLP(*CONFIGS[name])
    before = [layer.weight.data.copy() for layer in model.hidden]
    opt = optim.SGD(model.parameters(), lr=lr)
    for _ in range(steps):
        opt.zero_grad()
        F.cross_entropy(model(x), Tensor(y)).backward()
        opt.step()
    return np.array([np.linalg.norm(layer.weight.data - w) / np.linalg.norm(w)
                     for layer, w in zip(model.hidden, before)])


def compute(quick: bool) -> Result:
    r = Result()
    r.number("DEPTH_text", DEPTH)
    x, y = batch()
    grads = {name: layer_gradients(DeepMLP(*config), x, y) for name, config in CONFIGS.items()}
    grads["ReLU, 1.5 × He init, clipped"] = layer_gradients(DeepMLP(*CONFIGS["ReLU, 1.5 × He init"]), x, y, clip=1.0)
    rows = []
    for name, g in grads.items():
        tag = _tag(name)
        r.number(f"first_{tag}", float(g[0]), f"‖∂L/∂W₁‖, {name}")
        r.number(f"last_{tag}", float(g[-1]), f"‖∂L/∂W_{DEPTH}‖, {name}")
        r.number(f"ratio_{tag}", float(g[0] / g[-1]), "first hidden layer's gradient norm / last one's")
        r.number(f"per_layer_{tag}", float((g[0] / g[-1]) ** (1 / (DEPTH - 1))), "geometric mean factor per layer")
        rows.append([name, f"{g[0]:.2e}", f"{g[-1]:.2e}", f"{g[0] / g[-1]:.2e}",
                     f"{r.numbers[f'per_layer_{tag}']:.3f}"])
    r.table(f"Gradient norms of a {DEPTH}-layer MLP (width {WIDTH}) at initialisation, one batch of {BATCH} digits",
            ["network", "‖∂L/∂W₁‖", f"‖∂L/∂W_{DEPTH}‖", "first / last", "factor per layer"], rows)
    r.condition(f"{DEPTH} hidden Linear({WIDTH}, {WIDTH}) layers between 64 → {WIDTH} and {WIDTH} → 10; "
                f"cross-entropy on the first {BATCH} training digits; float64; seed 0. 'default' is torch's Linear "
                "initialisation (U(±1/√fan_in)); He is kaiming_normal_(nonlinearity='relu'); BN in training mode.")

    # exploding: everything scales, clipping rescales the gradient only
    r.number("explode_factor", n_last("ReLU, 1.5 × He init", r) / n_last("ReLU, He init", r),
             "‖∂L/∂W_20‖ at 1.5 × He init over He init")
    r.number("forward_factor", float(np.linalg.norm(DeepMLP(*CONFIGS["ReLU, 1.5 × He init"]).features(x).data)
                                     / np.linalg.norm(DeepMLP(*CONFIGS["ReLU, He init"]).features(x).data)),
             "‖h_20‖ at 1.5 × He init over He init (the forward pass; clipping does not touch it)")
    r.number("gain_power", 1.5 ** DEPTH, "1.5^20: one factor 1.5 per scaled hidden layer")

    # the sigmoid's slope
    grid = np.linspace(-10, 10, 200001)
    slope = F.sigmoid(Tensor(grid)).data * (1 - F.sigmoid(Tensor(grid)).data)
    r.number("sigmoid_slope_max", float(slope.max()), "max σ'(z) = σ(1 − σ) on a grid over [−10, 10]")
    r.number("sigmoid_slope_at_4", float(slope[np.argmin(np.abs(grid - 4))]), "σ'(4)")

    # how far each layer moves in the first SGD steps
    steps = 20 if quick else 50
    r.number("move_steps", steps)
    moves = {name: relative_moves(name, x, y, steps) for name in ("sigmoid", "ReLU, He init", "ReLU + residual")}
    for name, move in moves.items():
        tag = _tag(name)
        r.number(f"move_first_{tag}", float(move[0]), f"‖ΔW₁‖/‖W₁‖ after {steps} SGD steps (lr 0.1), {name}")
        r.number(f"move_last_{tag}", float(move[-1]), f"‖ΔW_{DEPTH}‖/‖W_{DEPTH}‖")

    n = r.numbers
    r.check("early-layers-slow", n["ratio_sigmoid"] < 1e-3 and n["move_first_sigmoid"] < 1e-2 * n["move_last_sigmoid"])
    r.check("sigmoid-quarter", abs(n["sigmoid_slope_max"] - 0.25) < 1e-12 and n["per_layer_sigmoid"] < 0.5)
    he_balanced = 0.1 < n["ratio_ReLU_He_init"] < 10
    r.verdict("relu-fixes", "depends" if he_balanced and n["ratio_ReLU"] < 1e-2 else "confirmed" if he_balanced
              else "corrected")
    bn_balanced = 0.1 < n["ratio_sigmoid_BN"] < 10 and 0.1 < n["ratio_ReLU_BN"] < 10
    r.check("bn-helps", bn_balanced, otherwise="depends")
    r.check("residual-helps", 0.1 < n["ratio_sigmoid_residual"] < 10 and 0.1 < n["ratio_ReLU_residual"] < 10,
            otherwise="depends")
    same_ratio = abs(n["ratio_ReLU_1_5_He_init_clipped"] / n["ratio_ReLU_1_5_He_init"] - 1) < 1e-9
    r.verdict("clipping", "depends" if same_ratio and n["last_ReLU_1_5_He_init_clipped"] < n["last_ReLU_1_5_He_init"]
              and n["forward_factor"] > 100 else "confirmed")

    _figure(r, grads)
    return r


def n_last(name: str, r: Result) -> float:
    return r.numbers[f"last_{_tag(name)}"]


def _tag(name: str) -> str:
    return (name.replace(" × ", "_").replace(" + ", "_").replace(", ", "_").replace(" ", "_").replace(".", "_"))


def _figure(r: Result, grads) -> None:
    import matplotlib.pyplot as plt

    fig, axs = plt.subplots(1, 2, figsize=(13, 4.2), sharey=True)
    layers = np.arange(1, DEPTH + 1)
    for name, g in grads.items():
        ax = axs[0] if name.startswith("sigmoid") else axs[1]
        style = "--" if "clipped" in name else "-"
        ax.semilogy(layers, g, style, marker=".", lw=1.2, label=name)
    for ax, title in zip(axs, ("sigmoid", "ReLU")):
        ax.set(xlabel="hidden layer (1 = nearest the input)", title=title, xticks=[1, 5, 10, 15, 20])
        ax.legend(fontsize=8)
    axs[0].set_ylabel("‖∂L/∂W_l‖")
    r.figure("layer_gradients", fig, f"Gradient norm of each hidden layer of a {DEPTH}-layer MLP at initialisation. "
                                     "A line falling towards layer 1 is a vanishing gradient; one rising towards "
                                     "layer 1 (ReLU + BN) or lying far above the rest (1.5 × He init) an exploding "
                                     "one; clipping (dashed) lowers the whole line and keeps its shape.")


ENTRY = Entry(
    id="vanishing-gradients",
    section="E",
    title={"zh": "梯度消失与梯度爆炸的原因及解决", "en": "Vanishing and exploding gradients: causes and remedies"},
    keywords=["vanishing gradient", "exploding gradient", "梯度消失", "梯度爆炸", "sigmoid", "relu", "batch norm",
              "BN", "residual", "残差", "ResNet", "He init", "初始化", "gradient clipping", "梯度裁剪", "连乘"],
    claims={
        "early-layers-slow": {
            "en": "The notes: \"with vanishing gradients the layers near the output (hidden layer 3) update normally, "
                  "but hidden layer 1 updates very slowly and stays close to its initial weights\".",
            "zh": "笔记：\"梯度消失问题发生时，接近于输出层的 hidden layer 3 等的权值更新相对正常，但前面的 hidden layer 1 的权值更新会变得很慢，"
                  "导致前面的层权值几乎不变，仍接近于初始化的权值。\""},
        "sigmoid-quarter": {
            "en": "The notes' derivation: the sigmoid's derivative is at most 1/4, so the chain-rule product shrinks "
                  "layer by layer (the \"product effect\").",
            "zh": "笔记的推导：sigmoid 导数最大为 1/4，链式法则的连乘使梯度逐层变小（\"连乘效应\"）。"},
        "relu-fixes": {
            "en": "The notes: \"for the common vanishing-gradient problem, replace sigmoid by ReLU\".",
            "zh": "笔记：\"对于更普遍的梯度消失问题，可以考虑用 ReLU 激活函数取代 sigmoid 激活函数。\""},
        "bn-helps": {
            "en": "The notes: \"batch norm pulls the drifting distributions back to a standard one, so activation "
                  "inputs fall where the activation is sensitive, the gradient grows, and vanishing gradients are "
                  "avoided\".",
            "zh": "笔记：\"BN 通过规范化的手段，将越来越偏的分布拉回到标准化的分布，使得激活函数的输入值落在激活函数对输入比较敏感的区域，"
                  "从而使梯度变大……避免梯度消失的问题。\""},
        "residual-helps": {
            "en": "The notes: \"ResNet's skip connections effectively solve the vanishing gradient of very deep "
                  "networks\".",
            "zh": "笔记：\"ResNet 的特点：引入跳跃连接，有效地解决了网络过深时候梯度消失的问题。\""},
        "clipping": {
            "en": "Gradient clipping solves exploding gradients.",
            "zh": "梯度裁剪可以解决梯度爆炸。"},
    },
    answer={
        "en": r"""
Back-propagation multiplies, layer by layer, $\partial L/\partial h_{l-1} = W_l^\top\, \mathrm{diag}(\phi'(z_l))\,
\partial L/\partial h_l$. If each factor shrinks a vector on average, the gradient reaching the first layers
vanishes geometrically with depth; if it stretches it, the gradient explodes. Measured on a {=DEPTH_text}-layer MLP
at initialisation (table and figure: the gradient norm of each hidden layer's weights):

- **Sigmoid** ($\max \sigma'$ = {=sigmoid_slope_max:.4f}, and $\sigma'(4)$ = {=sigmoid_slope_at_4:.4f}): the first
  layer's gradient is {=ratio_sigmoid:.1e} times the last one's, a factor {=per_layer_sigmoid:.3f} per layer. So the
  notes are right that the early layers barely learn: after {=move_steps} SGD steps layer 1 has moved
  {=move_first_sigmoid:.1e} of its norm, layer 20 {=move_last_sigmoid:.1e}.
- **ReLU** ($\phi'$ is 0 or 1) fixes only half of it: with torch's default initialisation, whose variance
  $1/(3 n)$ is a sixth of what ReLU needs, the gradient still vanishes (ratio {=ratio_ReLU:.1e}). With He
  initialisation ($\mathrm{Var}\,W = 2/n$, which keeps $E\|h\|^2$ constant through ReLU layers) the ratio is
  {=ratio_ReLU_He_init:.2f}. The activation and the initialisation have to fit each other.
- **Batch norm** re-standardises every layer's pre-activation. With sigmoid it cures the vanishing gradient
  (ratio {=ratio_sigmoid_BN:.2f}). With ReLU it overshoots: the gradient *grows* towards the input by
  {=per_layer_ReLU_BN:.3f} per layer, ratio {=ratio_ReLU_BN:.1f} after {=DEPTH_text} layers — the gradient explosion
  of deep batch-normalised nets at initialisation (Yang et al., 2019). Mild here, but it compounds with depth.
- **Residual connections** $h \leftarrow h + f(h)$ add an identity path to each Jacobian, $I + \partial f/\partial h$:
  ratio {=ratio_sigmoid_residual:.2f} (sigmoid) and {=ratio_ReLU_residual:.2f} (ReLU), and layer 1 moves
  {=move_first_ReLU_residual:.1e} of its norm in {=move_steps} steps against {=move_last_ReLU_residual:.1e} for layer 20.
- **Exploding**: He initialisation times 1.5 makes every ReLU layer stretch its input by 1.5 forward and the
  gradient by 1.5 backward. The two cancel in the *ratio* of weight gradients ($\partial L/\partial W_l =
  \delta_l h_{l-1}^\top$: {=ratio_ReLU_1_5_He_init:.2f}, as with He init), but every weight gradient is
  {=explode_factor:.0f} times larger than with He init and the last activations {=forward_factor:.0f} times
  (of the order of $1.5^{20}$ = {=gain_power:.0f}). `clip_grad_norm_(…, 1)` scales all gradients by one number: the step
  becomes safe (last layer {=last_ReLU_1_5_He_init:.2e} → {=last_ReLU_1_5_He_init_clipped:.2e}) and the ratio stays
  {=ratio_ReLU_1_5_He_init_clipped:.2f}, but the forward pass is as exploded as before. Clipping treats the symptom
  (one huge step), not the cause; the cure is the initialisation or a normalisation.
""",
        "zh": r"""
反向传播逐层相乘：$\partial L/\partial h_{l-1} = W_l^\top\, \mathrm{diag}(\phi'(z_l))\, \partial L/\partial h_l$。若每个因子平均把向量缩小，
传到前几层的梯度就随深度指数式消失；若平均放大，梯度就爆炸。在初始化时的 {=DEPTH_text} 层 MLP 上实测（表和图给出每个隐藏层权重的梯度范数）：

- **Sigmoid**（$\max \sigma'$ = {=sigmoid_slope_max:.4f}，$\sigma'(4)$ = {=sigmoid_slope_at_4:.4f}）：第一层的梯度只有最后一层的 {=ratio_sigmoid:.1e} 倍，
  每层缩小为 {=per_layer_sigmoid:.3f} 倍。笔记说前面的层几乎学不动是对的：{=move_steps} 步 SGD 之后，第 1 层权重只变了自身范数的
  {=move_first_sigmoid:.1e}，第 20 层变了 {=move_last_sigmoid:.1e}。
- **ReLU**（导数为 0 或 1）只解决了一半：用 torch 默认初始化（方差 $1/(3 n)$，只有 ReLU 所需的六分之一）时梯度仍然消失（比值
  {=ratio_ReLU:.1e}）。用 He 初始化（$\mathrm{Var}\,W = 2/n$，使 ReLU 层间 $E\|h\|^2$ 保持不变）时比值为 {=ratio_ReLU_He_init:.2f}。激活函数和
  初始化必须相互匹配。
- **BN** 把每层激活前的输入重新标准化。配 sigmoid 时它治好了梯度消失（比值 {=ratio_sigmoid_BN:.2f}）。配 ReLU 时则过了头：梯度朝输入方向
  每层*增大*为 {=per_layer_ReLU_BN:.3f} 倍，{=DEPTH_text} 层后比值为 {=ratio_ReLU_BN:.1f}——这是深层 BN 网络在初始化时的梯度爆炸（Yang 等，2019）。
  这里还不严重，但会随深度累积。
- **残差连接** $h \leftarrow h + f(h)$ 给每个雅可比矩阵加上了恒等通路 $I + \partial f/\partial h$：比值为 {=ratio_sigmoid_residual:.2f}（sigmoid）和
  {=ratio_ReLU_residual:.2f}（ReLU）；{=move_steps} 步内第 1 层移动了自身范数的 {=move_first_ReLU_residual:.1e}，第 20 层为 {=move_last_ReLU_residual:.1e}。
- **梯度爆炸**：He 初始化再乘 1.5，每个 ReLU 层前向把输入放大 1.5 倍，反向把梯度放大 1.5 倍。二者在权重梯度的*比值*里相互抵消
  （$\partial L/\partial W_l = \delta_l h_{l-1}^\top$：{=ratio_ReLU_1_5_He_init:.2f}，与 He 初始化相同），但每层的权重梯度都是 He 初始化时的
  {=explode_factor:.0f} 倍，最后一层激活是 {=forward_factor:.0f} 倍（与 $1.5^{20}$ = {=gain_power:.0f} 同一量级）。`clip_grad_norm_(…, 1)` 用同一个数缩放所有梯度：
  步子变安全了（最后一层从 {=last_ReLU_1_5_He_init:.2e} 变为 {=last_ReLU_1_5_He_init_clipped:.2e}），比值仍为 {=ratio_ReLU_1_5_He_init_clipped:.2f}，
  但前向传播照样是爆炸的。裁剪治的是症状（一步迈得太大），不是病因；根治要靠初始化或归一化。
""",
    },
    compute=compute,
)
