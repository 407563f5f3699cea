"""Grouped convolution (ResNeXt's cardinality, Xception's depthwise extreme, ShuffleNet's channel shuffle):
parameters, multiply-adds and measured time against the number of groups, the depthwise-separable cost ratio,
which input groups reach which output groups with and without a shuffle, and grouped vs plain nets on digits."""
from __future__ import annotations

import time

import numpy as np

from ... import backend, nn
from ...analysis import count_params, flops
from ...autograd import Tensor
from ..entry import Entry
from ..result import Result
from ._small_nets import digits_images, one_blas_thread, paired_margin, scores, train_net

C, K, SIDE, BATCH = 64, 3, 16, 8             # the cost table: Conv2d(64, 64, 3, padding=1, groups=g) on 16x16
GROUPS = [1, 2, 4, 8, 16, 32, 64]
SHUFFLE_C, SHUFFLE_G = 16, 4                 # the connectivity check: two grouped 1x1 convs, 16 channels, 4 groups
N_TRAIN, STEPS, LR, WIDTH, NET_GROUPS = 300, 40, 1e-2, 16, 4


def best_seconds(fn, repeats: int) -> float:
    """Least CPU time of ``repeats`` calls (CPU time: other work on the machine does not count)."""
    times = []
    for _ in range(repeats):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return min(times)


def step_time(layer: nn.Module, x: np.ndarray, repeats: int) -> float:
    """Forward and backward of ``layer`` on ``x`` (one BLAS thread)."""
    def step():
        layer(Tensor(x, requires_grad=True)).sum().backward()

    with one_blas_thread():
        step()    # warm-up
        return best_seconds(step, repeats)


def stacked(shuffle: bool) -> nn.Sequential:
    """Two grouped 1x1 convolutions, with ShuffleNet's channel shuffle between them or without."""
    mid = [nn.ChannelShuffle(SHUFFLE_G)] if shuffle else []
    return nn.Sequential(nn.Conv2d(SHUFFLE_C, SHUFFLE_C, 1, groups=SHUFFLE_G, bias=False), *mid,
                         nn.Conv2d(SHUFFLE_C, SHUFFLE_C, 1, groups=SHUFFLE_G, bias=False))


def group_reach(model: nn.Module) -> np.ndarray:
    """(groups x groups) booleans: does output group a depend on input group b? Read from the gradient of each
    output channel with respect to the input (a 1x1 map: the Jacobian's channel block)."""
    per_group = SHUFFLE_C // SHUFFLE_G
    reach = np.zeros((SHUFFLE_G, SHUFFLE_G), bool)
    x0 = backend.spawn_rng(3).standard_normal((1, SHUFFLE_C, 1, 1))
    for o in range(SHUFFLE_C):
        x = Tensor(x0.astype(np.float32), requires_grad=True)
        model(x)[0, o].sum().backward()
        touched = np.abs(x.grad.reshape(SHUFFLE_C)) > 0
        reach[o // per_group] |= touched.reshape(SHUFFLE_G, per_group).any(1)
    return reach


def digit_net(groups: int) -> nn.Sequential:
    """Conv 1→16, then a 3x3 conv 16→16 with ``groups`` groups, max pool, Linear."""
    return nn.Sequential(nn.Conv2d(1, WIDTH, K, padding=1), nn.ReLU(),
                         nn.Conv2d(WIDTH, WIDTH, K, padding=1, groups=groups), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(WIDTH * 16, 10))


def compute(quick: bool) -> Result:
    r = Result()
    backend.manual_seed(0)
    x = backend.spawn_rng(0).standard_normal((BATCH, C, SIDE, SIDE)).astype(np.float32)
    repeats = 3 if quick else 10
    rows = []
    for g in GROUPS:
        layer = nn.Conv2d(C, C, K, padding=1, groups=g, bias=False)
        params, macs = count_params(layer), flops(layer, (C, SIDE, SIDE))["total"]
        seconds = step_time(layer, x, repeats)
        rows.append([g, params, macs, seconds])
        r.number(f"params_g{g}", params, f"count_params(Conv2d({C}, {C}, {K}, groups={g}, bias=False))")
        r.number(f"macs_g{g}", macs, f"flops(...) on {C}x{SIDE}x{SIDE}")
        r.number(f"ms_g{g}", seconds * 1e3, f"forward + backward, batch {BATCH}, least CPU time of {repeats}")
    base = rows[0]
    table = [[g, p, m, p / base[1], m / base[2], s / base[3], 1 / g] for g, p, m, s in rows]
    r.table(f"Conv2d({C}, {C}, {K}, padding=1, groups=g) on {C}x{SIDE}x{SIDE}, relative to g = 1",
            ["groups", "parameters", "multiply-adds", "params ratio", "MACs ratio", "time ratio", "1/g"], table)
    r.number("exact_one_over_g", all(abs(t[3] - 1 / t[0]) < 1e-12 and abs(t[4] - 1 / t[0]) < 1e-12 for t in table),
             "params and MACs ratios equal 1/g for every g")
    r.number("time_ratio_g8", table[GROUPS.index(8)][5])
    r.number("time_ratio_depthwise", table[-1][5], f"groups = {C} (depthwise)")
    r.number("macs_ratio_depthwise", table[-1][4])

    # depthwise separable (Xception / MobileNet): depthwise k x k then pointwise 1x1, against a plain conv
    sep = nn.SeparableConv2d(C, C, K, padding=1, bias=False)
    sep_ratio = flops(sep, (C, SIDE, SIDE))["total"] / base[2]
    r.number("sep_ratio", sep_ratio, f"MACs of SeparableConv2d({C}, {C}, {K}) / Conv2d({C}, {C}, {K})")
    r.number("sep_params_ratio", count_params(sep) / base[1])
    r.number("sep_formula", 1 / C + 1 / K ** 2, "1/N + 1/k² (N output channels)")
    r.number("notes_formula", 1 / (C * K ** 2), "the notes' 1/(D·k²)")

    # channel shuffle: which input groups reach which output groups
    reach = {s: group_reach(stacked(s)) for s in (False, True)}
    r.number("reach_plain", float(reach[False].mean()), "share of (output group, input group) pairs connected, "
                                                        "no shuffle")
    r.number("reach_shuffle", float(reach[True].mean()), "the same with ChannelShuffle between the convs")
    r.number("shuffle_groups", SHUFFLE_G)

    # grouped vs plain nets on digits
    Xtr, ytr, Xte, yte = digits_images()
    seeds = list(range(2 if quick else 5))
    acc = {1: [], NET_GROUPS: []}
    for seed in seeds:
        for g in acc:
            backend.manual_seed(seed)
            model = digit_net(g)
            train_net(model, Xtr[:N_TRAIN], ytr[:N_TRAIN], STEPS, lr=LR, seed=seed)
            acc[g].append(scores(model, Xte, yte)[0])
    r.number("acc_plain", float(np.mean(acc[1])), f"test accuracy, plain 3x3 conv {WIDTH}→{WIDTH}")
    r.number("acc_grouped", float(np.mean(acc[NET_GROUPS])), f"the same with groups={NET_GROUPS}")
    r.number("params_net_plain", count_params(digit_net(1)))
    r.number("params_net_grouped", count_params(digit_net(NET_GROUPS)))
    diff = np.array(acc[NET_GROUPS]) - np.array(acc[1])
    r.number("acc_diff", float(diff.mean()), "grouped − plain, paired by seed")
    r.number("net_groups", NET_GROUPS)
    r.number("seeds", len(seeds))
    r.table(f"Test accuracy by seed, {N_TRAIN} training digits", ["seed", "plain", f"groups={NET_GROUPS}"],
            [[s, acc[1][i], acc[NET_GROUPS][i]] for i, s in enumerate(seeds)])

    n = r.numbers
    r.check("fewer-params", n["exact_one_over_g"])
    tracks_macs = all(t[5] <= 2 / t[0] for t in table)      # time within 2x of 1/g at every g
    r.number("time_tracks_macs", tracks_macs)
    r.verdict("faster", "confirmed" if tracks_macs else "depends" if n["time_ratio_g8"] < 0.9 else "corrected")
    r.check("separable-ratio", abs(sep_ratio - n["notes_formula"]) < 1e-9 * sep_ratio)
    r.check("shuffle-mixes", n["reach_plain"] == 1 / SHUFFLE_G and n["reach_shuffle"] == 1.0)
    margin = paired_margin(diff, len(yte))
    # "may beat": a loss here does not refute it everywhere, it makes it conditional
    r.verdict("regularises", "confirmed" if n["acc_diff"] > margin else "depends" if n["acc_diff"] < -margin
              else "contested")
    r.condition(f"Costs: Conv2d({C}, {C}, {K}, padding=1) on {C}x{SIDE}x{SIDE}, batch {BATCH}, gradbook on one CPU "
                f"thread (a GPU's or cuDNN's grouped kernels scale differently). Digits: {N_TRAIN} training "
                f"images, full-batch Adam (lr {LR}), {STEPS} steps, {len(seeds)} seeds.")

    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(5.5, 3.5))
    gs = np.array(GROUPS)
    ax.loglog(gs, [t[3] for t in table], "o-", label="parameters")
    ax.loglog(gs, [t[4] for t in table], "s--", label="multiply-adds")
    ax.loglog(gs, [t[5] for t in table], "^-", label="measured time (CPU)")
    ax.loglog(gs, 1 / gs, ":", color="k", label="1/g")
    ax.set_xticks(GROUPS)
    ax.set_xticklabels([str(g) for g in GROUPS])
    ax.set(xlabel="groups g", ylabel="relative to g = 1", title=f"Conv2d({C}, {C}, {K}, groups=g)")
    ax.title.set_fontsize(9)
    ax.legend(fontsize=7)
    fig.tight_layout()
    r.figure("group_conv_cost", fig, "Parameters and multiply-adds fall as 1/g; the measured time falls far less "
                                     "once the layer is memory-bound.")
    return r


ENTRY = Entry(
    id="group-conv",
    section="C",
    title={"zh": "分组卷积、ResNeXt、Xception、ShuffleNet", "en": "Grouped convolution: ResNeXt, Xception, ShuffleNet"},
    keywords=["group convolution的优点", "group convolution", "grouped", "分组卷积", "组卷积", "cardinality", "基数", "ResNeXt",
              "Xception", "depthwise", "深度可分离", "ShuffleNet", "channel shuffle", "通道交换"],
    claims={
        "fewer-params": {
            "en": "The notes: the model's parameters fall as the number of groups (the cardinality) grows.",
            "zh": "笔记原文：模型效率高。模型参数随着组数或者基数的增加而减少。"},
        "faster": {
            "en": "The notes: grouped convolution trains efficiently; \"Group Conv saves 1/g of the computation\".",
            "zh": "笔记原文：训练效率高……Group Conv（可节省1/g计算量）。"},
        "separable-ratio": {
            "en": "The notes: splitting a convolution into depthwise and pointwise convolutions cuts computation and "
                  "parameters to 1/(D_k²).",
            "zh": "笔记原文：卷积分解为deepwise Conv和pointwise Conv可大幅度减小计算量和参数量1/(Dk^2)。"},
        "shuffle-mixes": {
            "en": "The notes: ShuffleNet exchanges the channels after a group conv so that the channels are mixed "
                  "more evenly.",
            "zh": "笔记原文：ShuffleNet就对group conv后的通道进行交换，得到更加均匀融合后的通道。"},
        "regularises": {
            "en": "The notes: grouped convolution may beat a plain one, since filter relations are sparse and "
                  "grouping acts as a regulariser.",
            "zh": "笔记原文：分组卷积可能能够比普通卷积组成的模型效果更优，这是因为滤波器之间的关系是稀疏的，"
                  "而划分组以后对模型可以起到一定正则化的作用。"},
    },
    answer={
        "en": r"""
A grouped convolution splits the $C_{in}$ input and $C_{out}$ output channels into $g$ groups and convolves
each group only with its own: the weight is $(C_{out}, C_{in}/g, k, k)$, so parameters and multiply-adds are
$1/g$ of the plain conv's. ResNeXt's *cardinality* is $g$; Xception's depthwise convolution is the extreme
$g = C_{in}$; ShuffleNet adds a channel shuffle so that stacked grouped convs do not stay separate.

**Cost against g** (Conv2d(64, 64, 3) on a 64x16x16 map): parameters and multiply-adds are exactly $1/g$ of
$g=1$'s for every $g$ in the table ({=params_g1:,} → {=params_g64:,} weights). The measured time (gradbook,
one CPU thread, forward + backward) falls far less: {=time_ratio_g8:.2f} of $g=1$'s at $g=8$ and
{=time_ratio_depthwise:.2f} at $g=64$, where the arithmetic is {=macs_ratio_depthwise:.3f}. With so little
arithmetic per value the layer waits on memory, and GPUs show the same: depthwise convs are notoriously far
from their FLOP count. So "saves 1/g" needs two corrections: the layer *needs* $1/g$ of the arithmetic (it
saves $1 - 1/g$), and the time follows the arithmetic only while the arithmetic dominates.

**Depthwise separable.** Depthwise $k \times k$ then pointwise $1 \times 1$ costs
$\frac{1}{N} + \frac{1}{k^2}$ of the plain conv ($N$ output channels): {=sep_ratio:.4f} here, equal to
$1/64 + 1/9$ = {=sep_formula:.4f}, not the notes' $1/(D_k^2)$-style {=notes_formula:.5f}, which forgets the
pointwise part (which dominates).

**Channel shuffle.** Two grouped 1x1 convs with {=shuffle_groups} groups: without a shuffle, each output group
depends on its own input group only ({=reach_plain:.2f} of the group pairs connected, read from gradients);
with ShuffleNet's shuffle between them, {=reach_shuffle:.2f}: every output group sees every input group
(this needs at least $g$ channels per group, $C/g \ge g$, so that the shuffle can deal one channel from each
group to each group).

**Regularisation?** A small net on digits with its 16→16 conv plain or in {=net_groups} groups
({=params_net_plain:,} vs {=params_net_grouped:,} parameters): test accuracy {=acc_plain:.3f} vs
{=acc_grouped:.3f} over {=seeds} seeds (paired difference {=acc_diff:+.3f}). Fewer connections are a prior,
not a guaranteed gain: ResNeXt wins by spending the saved budget on more width, not by grouping alone.
""",
        "zh": r"""
分组卷积把 $C_{in}$ 个输入通道和 $C_{out}$ 个输出通道各分成 $g$ 组，每组只与自己那组卷积：权重形状为 $(C_{out}, C_{in}/g, k, k)$，
参数量和乘加次数都是普通卷积的 $1/g$。ResNeXt 的*基数*就是 $g$；Xception 的逐通道（depthwise）卷积是极端情形 $g = C_{in}$；
ShuffleNet 再加上通道重排（channel shuffle），让堆叠的分组卷积不至于一直各自为政。

**代价与 g 的关系**（Conv2d(64, 64, 3)，输入 64x16x16）：对表中每个 $g$，参数量和乘加次数都恰好是 $g=1$ 时的 $1/g$
（权重从 {=params_g1:,} 降到 {=params_g64:,}）。实测时间（gradbook，单 CPU 线程，前向 + 反向）下降得少得多：$g=8$ 时是 $g=1$ 的
{=time_ratio_g8:.2f}，$g=64$ 时是 {=time_ratio_depthwise:.2f}，而计算量只有 {=macs_ratio_depthwise:.3f}。每个数值上的计算太少，
层就卡在内存访问上；GPU 上也一样，depthwise 卷积的速度远不及其 FLOPs 所示。所以"节省 1/g"要改两处：它*需要* $1/g$ 的计算量
（节省的是 $1 - 1/g$），而时间只在计算占主导时才跟着计算量下降。

**深度可分离卷积。** 先做 $k \times k$ 逐通道卷积，再做 $1 \times 1$ 逐点卷积，代价是普通卷积的 $\frac{1}{N} + \frac{1}{k^2}$
（$N$ 为输出通道数）：这里是 {=sep_ratio:.4f}，等于 $1/64 + 1/9$ = {=sep_formula:.4f}，而不是笔记中 $1/(D_k^2)$ 式的
{=notes_formula:.5f}——那忘了逐点卷积这一部分（而它是大头）。

**通道重排。** 两个 {=shuffle_groups} 组的 1x1 分组卷积：没有重排时，每个输出组只依赖于自己的输入组（由梯度读出，
{=reach_plain:.2f} 的组对相连）；在中间加上 ShuffleNet 的重排后为 {=reach_shuffle:.2f}：每个输出组都看得到每个输入组
（这要求每组至少有 $g$ 个通道，即 $C/g \ge g$，重排才能从每组各发一个通道到每一组）。

**正则化？** digits 上的小网络，把其中 16→16 的卷积做成普通卷积或分成 {=net_groups} 组（参数 {=params_net_plain:,} 对
{=params_net_grouped:,}）：{=seeds} 个种子的测试准确率为 {=acc_plain:.3f} 对 {=acc_grouped:.3f}（配对差 {=acc_diff:+.3f}）。
更少的连接是一种先验，并不保证更好：ResNeXt 的提升来自把省下的预算用在更宽的网络上，而不只是分组本身。
""",
    },
    compute=compute,
)
