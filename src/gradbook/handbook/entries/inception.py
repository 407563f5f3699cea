"""Inception v1 → v4, measured on the library's modules: what the 1x1 reductions of v1 save, what factorising an
n×n kernel into 1×n then n×1 saves (v3), that the factorised pair is an n×n kernel of rank one, where BN sits, and
that only the Inception-ResNet blocks (not Inception-v4's) carry an identity path."""
from __future__ import annotations

import numpy as np

from ... import backend
from ...analysis import conv_params, count_params, flops
from ...autograd import Tensor, no_grad
from ...models import InceptionA as InceptionV4A
from ...models import InceptionResNetA
from ...models.googlenet import BasicConv2d, Inception
from ...models.inception import InceptionC
from ...nn import AdaptiveAvgPool2d, BatchNorm2d, Conv2d, Flatten, Linear, Module, ReLU, Sequential
from ...nn import functional as F
from ...ops.elementwise import relu
from ...ops.shape import cat
from ..entry import Entry
from ..result import Result
from ._small_nets import digits_images, train_net

KERNELS = (3, 5, 7)
C = 192            # channels in and out of the factorisation table (Inception-v3's 17x17 width c7 = 192)
GRID = 17          # the 17x17 grid where v3 factorises 7x7
V1_IN, V1_SIZE = 192, 28   # GoogLeNet's inception (3a): 192 channels on 28x28
V1_3A = (64, 96, 128, 16, 32, 32)   # ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj (paper, Table 1)


def factorised_pair(c: int, n: int) -> Sequential:
    """1×n then n×1, c → c channels, no bias: the v3 factorisation of one n×n conv."""
    return Sequential(Conv2d(c, c, (1, n), padding=(0, n // 2), bias=False),
                      Conv2d(c, c, (n, 1), padding=(n // 2, 0), bias=False))


class UnfactorisedC(Module):
    """Inception-v3's 17x17 module (``InceptionC``) with each 1x7→7x1 pair written as one 7x7 conv: 1x1 (192) |
    1x1 → 7x7 (192) | 1x1 → 7x7 → 7x7 (192) | avg pool → 1x1 (192); the same widths, 768 channels out."""

    def __init__(self, in_channels: int, c7: int):
        super().__init__()
        self.branch1x1 = BasicConv2d(in_channels, 192, kernel_size=1)
        self.branch7x7 = Sequential(BasicConv2d(in_channels, c7, kernel_size=1),
                                    BasicConv2d(c7, 192, kernel_size=7, padding=3))
        self.branch7x7dbl = Sequential(BasicConv2d(in_channels, c7, kernel_size=1),
                                       BasicConv2d(c7, c7, kernel_size=7, padding=3),
                                       BasicConv2d(c7, 192, kernel_size=7, padding=3))
        self.branch_pool = BasicConv2d(in_channels, 192, kernel_size=1)

    def forward(self, x: Tensor) -> Tensor:
        pooled = F.avg_pool2d(x, 3, stride=1, padding=1)
        return cat([self.branch1x1(x), self.branch7x7(x), self.branch7x7dbl(x), self.branch_pool(pooled)], 1)


class NoReductionV1(Module):
    """GoogLeNet's inception (3a) without its 1x1 reductions: 1x1 (64) | 3x3 (128) | 5x5 (32) | pool → 1x1 (32)."""

    def __init__(self, in_channels: int, ch1x1: int, ch3x3: int, ch5x5: int, pool_proj: int):
        super().__init__()
        self.branch1 = BasicConv2d(in_channels, ch1x1, kernel_size=1)
        self.branch2 = BasicConv2d(in_channels, ch3x3, kernel_size=3, padding=1)
        self.branch3 = BasicConv2d(in_channels, ch5x5, kernel_size=5, padding=2)
        self.branch4 = BasicConv2d(in_channels, pool_proj, kernel_size=1)

    def forward(self, x: Tensor) -> Tensor:
        pooled = F.max_pool2d(x, 3, stride=1, padding=1)
        return cat([self.branch1(x), self.branch2(x), self.branch3(x), self.branch4(pooled)], 1)


def v1_modules() -> dict[str, Module]:
    """Inception (3a) with 5x5 in the third branch (the paper's; torchvision's has 3x3 there), without reductions,
    and one plain 5x5 conv to the same 256 channels."""
    ch1, red3, ch3, red5, ch5, proj = V1_3A
    with_red = Inception(V1_IN, ch1, red3, ch3, red5, ch5, proj)
    with_red.branch3 = Sequential(BasicConv2d(V1_IN, red5, kernel_size=1), BasicConv2d(red5, ch5, kernel_size=5,
                                                                                        padding=2))
    return {"inception (3a), 1x1 reductions": with_red,
            "the same branches, no reductions": NoReductionV1(V1_IN, ch1, ch3, ch5, proj),
            "one plain 5x5 conv": BasicConv2d(V1_IN, ch1 + ch3 + ch5 + proj, kernel_size=5, padding=2)}


def rank_one_gap(n: int, seed: int = 0) -> tuple[float, int]:
    """A 1×n conv then an n×1 conv (one channel, linear) against the n×n conv whose kernel is the outer product of
    the two: (max |difference|, numerical rank of that kernel)."""
    rng = np.random.default_rng(seed)
    row, col = rng.standard_normal((1, 1, 1, n)), rng.standard_normal((1, 1, n, 1))
    x = rng.standard_normal((2, 1, 9, 9))
    with no_grad():
        pair = F.conv2d(F.conv2d(Tensor(x), Tensor(row), padding=(0, n // 2)), Tensor(col), padding=(n // 2, 0)).data
        kernel = (col[0, 0] @ row[0, 0])[None, None]   # k[i, j] = col[i] · row[j]
        full = F.conv2d(Tensor(x), Tensor(kernel), padding=n // 2).data
    return float(np.abs(pair - full).max()), int(np.linalg.matrix_rank(kernel[0, 0]))


def identity_passes(block: Module, channels: int, size: int = 5, seed: int = 0) -> float:
    """max |block(x) − relu(x)| once every weight of the block is zero (eval-mode BN): 0 when the block adds x."""
    for p in block.parameters():
        p.data[...] = 0
    block.eval()
    x = np.random.default_rng(seed).standard_normal((1, channels, size, size)).astype(np.float32)
    with no_grad():
        y = block(Tensor(x)).data
    if y.shape != x.shape:   # a module that concatenates branches cannot return x itself
        return float("inf")
    return float(np.abs(y - np.maximum(x, 0)).max())


def macs_on_grid(module: Module, channels: int, grid: int = GRID) -> int:
    """Multiply-adds of a size-keeping module on a grid x grid map: every layer's output keeps the input's size, so
    its count is the area times the count on a 1x1 map (traced there: far cheaper than at 17x17)."""
    return flops(module, (channels, 1, 1))["total"] * grid * grid


class NoShortcutResNetA(InceptionResNetA):
    """Inception-ResNet-A without its shortcut: y = ReLU(s · W cat(branches)), the same weights and widths."""

    def forward(self, x: Tensor) -> Tensor:
        y = self.conv(cat(self.branch_outputs(x), 1)) * self.scale
        return relu(y) if self.activation else y


def digits_inception(residual: bool, blocks: int = 3, width: int = 32) -> Sequential:
    """(N, 1, 8, 8) → conv 3x3 (1 → 32) → BN → ReLU → ``blocks`` Inception-ResNet-A blocks (with or without their
    shortcut) → global average pool → Linear(32, 10)."""
    block = InceptionResNetA if residual else NoShortcutResNetA
    return Sequential(Conv2d(1, width, 3, padding=1, bias=False), BatchNorm2d(width), ReLU(),
                      *[block(width) for _ in range(blocks)], AdaptiveAvgPool2d(1), Flatten(), Linear(width, 10))


def training_losses(quick: bool) -> dict[str, list[float]]:
    """Training-loss curves of :func:`digits_inception` with and without shortcuts, same seed and data."""
    Xtr, ytr, _, _ = digits_images()
    n_train, steps = (64, 20) if quick else (512, 60)
    curves = {}
    for residual in (False, True):
        backend.manual_seed(0)
        history = train_net(digits_inception(residual), Xtr[:n_train], ytr[:n_train], steps, lr=1e-2, seed=0)
        curves["residual" if residual else "plain"] = [float(v) for v in history["loss"]]
    return curves


def compute(quick: bool) -> Result:
    r = Result()
    backend.manual_seed(0)
    n_ = r.numbers
    rows = []
    for n in KERNELS:
        full_w = conv_params(C, C, n, bias=False)
        pair = factorised_pair(C, n)
        pair_w = count_params(pair)
        full_macs = macs_on_grid(Conv2d(C, C, n, padding=n // 2, bias=False), C)
        pair_macs = macs_on_grid(pair, C)
        r.number(f"full_{n}", full_w, f"conv_params({C}, {C}, {n}, bias=False)")
        r.number(f"pair_{n}", pair_w, f"count_params(1x{n} then {n}x1, {C} channels)")
        r.number(f"saved_{n}", 1 - pair_w / full_w)
        r.number(f"macs_saved_{n}", 1 - pair_macs / full_macs, f"flops at {GRID}x{GRID}")
        rows.append([f"{n}x{n}", full_w, pair_w, n_[f"saved_{n}"], full_macs, pair_macs])
    r.table(f"One n×n conv vs 1×n then n×1, {C} → {C} channels, no bias (multiply-adds on {GRID}x{GRID})",
            ["kernel", "n×n weights", "1×n + n×1 weights", "weights saved", "n×n MACs", "pair MACs"], rows)
    r.number("two_3x3_saved", 1 - 2 * conv_params(C, C, 3, bias=False) / conv_params(C, C, 5, bias=False),
             "5x5 replaced by two 3x3 (v2/v3)")
    gap, rank = rank_one_gap(7)
    r.number("gap_7", gap, "max |conv(1x7 then 7x1) − conv(outer-product 7x7)|")
    r.number("rank_7", rank)

    # the v3 module, factorised (the library's InceptionC) and as 7x7 convs
    fact, unfact = InceptionC(768, 192), UnfactorisedC(768, 192)
    r.number("v3_module", count_params(fact), "count_params(models.inception.InceptionC(768, 192))")
    r.number("v3_unfactorised", count_params(unfact), "the same module with 7x7 convs")
    r.number("v3_module_saved", 1 - n_["v3_module"] / n_["v3_unfactorised"])
    r.number("v3_macs", macs_on_grid(fact, 768), f"multiply-adds at {GRID}x{GRID}")
    r.number("v3_unfactorised_macs", macs_on_grid(unfact, 768))
    r.number("v3_relus", sum(isinstance(m, BasicConv2d) for m in fact.modules()), "ReLUs (one per BasicConv2d)")
    r.number("v3_unfactorised_relus", sum(isinstance(m, BasicConv2d) for m in unfact.modules()))

    # v1: what the 1x1 reductions save
    v1 = {name: count_params(m) for name, m in v1_modules().items()}
    v1_macs = {name: macs_on_grid(m, V1_IN, V1_SIZE) for name, m in v1_modules().items()}
    names = list(v1)
    r.number("v1_with", v1[names[0]], "inception (3a) with 1x1 reductions (5x5 in branch 3)")
    r.number("v1_without", v1[names[1]], "the same branches without the reductions")
    r.number("v1_plain", v1[names[2]], "one 5x5 conv, 192 → 256")
    r.number("v1_reduction_saved", 1 - v1[names[0]] / v1[names[1]])
    r.number("v1_branches_saved", 1 - v1[names[1]] / v1[names[2]])
    r.table(f"Inception v1 (3a), {V1_IN} channels on {V1_SIZE}x{V1_SIZE} → 256 channels",
            ["module", "parameters", "multiply-adds"], [[k, v1[k], v1_macs[k]] for k in names])

    # v2/v3: where BN sits; v4 vs Inception-ResNet: which block passes its input through
    r.number("bn_layers", sum(isinstance(m, BatchNorm2d) for m in fact.modules()), "BatchNorm2d layers in InceptionC")
    r.number("conv_layers", sum(isinstance(m, Conv2d) for m in fact.modules()))
    r.number("v4_identity_gap", identity_passes(InceptionV4A(384), 384), "Inception-v4 block A, all weights zero")
    r.number("resnet_identity_gap", identity_passes(InceptionResNetA(320), 320), "Inception-ResNet-A, weights zero")

    curves = training_losses(quick)
    r.number("incres_loss", curves["residual"][-1], "final training loss, 3 Inception-ResNet-A blocks")
    r.number("noshort_loss", curves["plain"][-1], "the same blocks without their shortcut")
    r.number("incres_steps", len(curves["residual"]))
    r.number("incres_loss_ratio", curves["residual"][-1] / curves["plain"][-1])
    r.verdict("residual-for-speed", "confirmed" if n_["incres_loss_ratio"] < 0.8 else
              "corrected" if n_["incres_loss_ratio"] > 1.25 else "contested")

    r.check("v1-small-kernels-save", n_["v1_with"] < n_["v1_plain"] / 2, otherwise="corrected")
    r.check("v2-bn-at-input", n_["bn_layers"] <= 1, otherwise="corrected")
    r.check("v3-factorisation", n_["saved_7"] > 0.5 and n_["v3_macs"] < n_["v3_unfactorised_macs"]
            and n_["v3_relus"] > n_["v3_unfactorised_relus"], otherwise="corrected")
    r.check("v4-adds-resnet", n_["v4_identity_gap"] == 0.0, otherwise="corrected")
    r.condition(f"Counts on freshly built modules; multiply-adds per image at {GRID}x{GRID} (v3) and "
                f"{V1_SIZE}x{V1_SIZE} (v1). Every conv inside a module is conv → BN → ReLU as in torchvision.")

    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(5.4, 3.2))
    x = np.arange(len(KERNELS))
    ax.bar(x - 0.2, [n_[f"full_{n}"] for n in KERNELS], 0.4, label="n×n")
    ax.bar(x + 0.2, [n_[f"pair_{n}"] for n in KERNELS], 0.4, label="1×n then n×1")
    for i, n in enumerate(KERNELS):
        ax.text(i + 0.2, n_[f"pair_{n}"], f"−{n_[f'saved_{n}']:.0%}", ha="center", va="bottom", fontsize=8)
    ax.set_xticks(x)
    ax.set_xticklabels([f"n = {n}" for n in KERNELS])
    ax.set(ylabel="weights", title=f"{C} → {C} channels: n² C² vs 2n C²")
    ax.title.set_fontsize(9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    r.figure("inception_factorisation", fig, "Weights of one n×n conv and of its 1×n + n×1 factorisation.")
    return r


ENTRY = Entry(
    id="inception",
    section="C",
    title={"zh": "Inception v1–v4 的改进", "en": "Inception v1→v4"},
    keywords=["inception", "googlenet", "factorization", "分解", "1x7", "7x1", "1xn", "inception-v4",
              "inception-resnet", "bottleneck"],
    claims={
        "v1-small-kernels-save": {
            "en": "The notes: \"Inceptionv1的核心就是把googlenet的某一些大的卷积层换成1*1,3*3,5*5的小卷积,这样能够大大的减小权值"
                  "参数数量\" (v1 replaces large convolutions by 1x1, 3x3 and 5x5 ones, greatly cutting the weights).",
            "zh": "笔记原文：Inceptionv1的核心就是把googlenet的某一些大的卷积层换成1*1,3*3,5*5的小卷积,这样能够大大的减小权值参数数量。"},
        "v2-bn-at-input": {
            "en": "The notes: \"inception V2在输入的时候增加了batch_normal\" (v2 added batch normalisation at the input).",
            "zh": "笔记原文：inception V2在输入的时候增加了batch_normal。"},
        "v3-factorisation": {
            "en": "The notes: v3 turns 7x7 convolutions into a 1x7 and a 7x1 in series (3x3 likewise into 1x3 and "
                  "3x1), \"这样加速了计算,还增加了网络的非线性\" — fewer computations and more non-linearity.",
            "zh": "笔记原文：inception V3把googlenet里一些7*7的卷积变成了1*7和7*1的两层串联,3*3的也一样,变成了1*3和3*1,"
                  "这样加速了计算,还增加了网络的非线性。"},
        "residual-for-speed": {
            "en": "The notes: \"论文说引入resnet不是用来提高深度,进而提高准确度的,只是用来提高速度的\" (the paper adds "
                  "residual connections to speed up training, not to go deeper; the speed-up is tested here).",
            "zh": "笔记原文：论文说引入resnet不是用来提高深度,进而提高准确度的,只是用来提高速度的（这里检验训练速度）。"},
        "v4-adds-resnet": {
            "en": "The notes: \"inception v4实际上是把原来的inception加上了resnet的方法\" (Inception-v4 is Inception "
                  "plus ResNet's shortcuts).",
            "zh": "笔记原文：inception v4实际上是把原来的inception加上了resnet的方法。"},
    },
    answer={
        "en": r"""
**v1 (GoogLeNet).** A module runs 1x1, 3x3 and 5x5 convolutions and a pooling branch side by side and
concatenates them, so one layer sees several scales. What keeps it cheap is the **1x1 reduction** in
front of the 3x3 and 5x5 branches. Module (3a) (192 channels in, 256 out) has {=v1_with} parameters;
one plain 5x5 conv to 256 channels needs {=v1_plain}. Two things share the saving: narrow branches
with mostly small kernels need {=v1_without} ({=v1_branches_saved:.0%} less than the plain conv), and the
1x1 reductions cut that by another {=v1_reduction_saved:.0%}. Small kernels alone do not do it.

**v2 (BN-Inception).** Batch normalisation is added after **every** convolution, not at the input
(the v3 module built here holds {=bn_layers} BN layers for {=conv_layers} convs), and a 5x5 conv is
replaced by two 3x3 convs, {=two_3x3_saved:.0%} fewer weights with the same receptive field.

**v3.** An n×n conv is factorised into 1×n then n×1: $n^2C^2$ weights become $2nC^2$, a saving of
$1 - 2/n$. For $C = 192$: 3x3 saves {=saved_3:.0%}, 5x5 {=saved_5:.0%}, 7x7 {=saved_7:.1%} of the
weights, and the multiply-adds fall by the same share ({=macs_saved_7:.1%} for 7x7 on a 17x17 map). The
pair is not free: with one channel it equals an n×n conv whose kernel is the outer product of the two
(rank {=rank_7}; the two outputs differ by {=gap_7:.1e}), so it can only represent a restricted family
of n×n kernels, which is why v3 applies it on the medium (17x17) grid. Inception-v3's 17x17 module has
{=v3_module} parameters against {=v3_unfactorised} with 7x7 convs ({=v3_module_saved:.0%} fewer),
{=v3_macs} multiply-adds against {=v3_unfactorised_macs}, and {=v3_relus} ReLUs against
{=v3_unfactorised_relus}. v3 also used label smoothing, an auxiliary classifier with BN and a larger input.

**v4 and Inception-ResNet.** The same paper presents two things: Inception-v4, a deeper and more
uniform pure Inception network **without** shortcuts, and Inception-ResNet-v1/v2, whose blocks add a
scaled residual $y = \mathrm{ReLU}(x + s \cdot W\,\mathrm{cat}(\text{branches}))$. With every weight
zeroed, the Inception-ResNet-A block returns ReLU(x) exactly (gap {=resnet_identity_gap}), while
Inception-v4's block A cannot (gap {=v4_identity_gap}). The paper reports that residual connections
mainly make training faster, not the final accuracy higher. Three Inception-ResNet-A blocks trained on the
digits for {=incres_steps} steps reach a training loss of {=incres_loss:.3f}; the same blocks without their
shortcut reach {=noshort_loss:.3f} (ratio {=incres_loss_ratio:.2f}).
""",
        "zh": r"""
**v1（GoogLeNet）**：一个模块里并行做 1x1、3x3、5x5 卷积和一个池化分支，再按通道拼接，让同一层看到多种尺度。
让它便宜的关键之一是 3x3、5x5 分支前面的 **1x1 降维**。模块 (3a)（输入 192 通道，输出 256 通道）有 {=v1_with} 个参数，
而一个直接输出 256 通道的 5x5 卷积需要 {=v1_plain} 个。节省来自两处：窄而多为小核的分支需要 {=v1_without} 个（比单个大卷积少
{=v1_branches_saved:.0%}），1x1 降维再省 {=v1_reduction_saved:.0%}。只靠"卷积核变小"是做不到的。

**v2（BN-Inception）**：BN 加在**每一个**卷积之后，而不只是输入处（这里构建的 v3 模块中有 {=conv_layers} 个卷积、
{=bn_layers} 个 BN 层）；同时把 5x5 卷积换成两个 3x3，感受野不变，权重少 {=two_3x3_saved:.0%}。

**v3**：把 n×n 卷积分解成 1×n 再接 n×1：权重从 $n^2C^2$ 变成 $2nC^2$，节省 $1 - 2/n$。$C = 192$ 时，3x3 省
{=saved_3:.0%}，5x5 省 {=saved_5:.0%}，7x7 省 {=saved_7:.1%}；乘加次数按同样比例下降（17x17 特征图上 7x7 少
{=macs_saved_7:.1%}）。代价是表达能力：单通道时这对卷积等于一个 n×n 卷积，其核是两个向量的外积（秩为 {=rank_7}，
两者输出相差 {=gap_7:.1e}），只能表示一部分 n×n 核，所以 v3 只在中等尺寸（17x17）的网格上使用它。
Inception-v3 的 17x17 模块有 {=v3_module} 个参数，换成 7x7 卷积则为 {=v3_unfactorised} 个（少 {=v3_module_saved:.0%}）；
乘加 {=v3_macs} 对 {=v3_unfactorised_macs}；ReLU 数 {=v3_relus} 对 {=v3_unfactorised_relus}。v3 还用了标签平滑、
带 BN 的辅助分类器和更大的输入尺寸。

**v4 与 Inception-ResNet**：同一篇论文提出了两样东西：Inception-v4 是更深、更规整的纯 Inception 网络，**没有**旁路；
Inception-ResNet-v1/v2 的模块才加上缩放后的残差 $y = \mathrm{ReLU}(x + s \cdot W\,\mathrm{cat}(\text{branches}))$。
把所有权重置零后，Inception-ResNet-A 模块恰好输出 ReLU(x)（差 {=resnet_identity_gap}），而 Inception-v4 的 A 模块做不到
（差 {=v4_identity_gap}）。论文的结论是残差连接主要让训练更快，而不是让最终精度更高。三个 Inception-ResNet-A 模块在 digits 上
训练 {=incres_steps} 步后训练损失为 {=incres_loss:.3f}；去掉旁路的同样模块为 {=noshort_loss:.3f}（比值 {=incres_loss_ratio:.2f}）。
""",
    },
    compute=compute,
)
