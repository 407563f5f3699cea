"""Lightweight networks: SqueezeNet's Fire module, MobileNet's depthwise separable unit and ShuffleNet's unit,
counted against a plain 3x3 conv of the same width (parameters and multiply-adds), the separable cost ratio against
the notes' 1/Dk², MobileNet v1 against the same network with full convolutions, and what the channel shuffle
connects."""
from __future__ import annotations

import numpy as np

from ... import backend
from ...analysis import conv_params, count_params, flops, trace
from ...autograd import Tensor, no_grad
from ...models import alexnet, mobilenet_v1, shufflenet_v1, squeezenet1_0
from ...models._blocks import Conv2dNormActivation
from ...models.mobilenet_v1 import DepthwiseSeparable
from ...models.shufflenet_v1 import ShuffleUnit
from ...models.squeezenet import Fire
from ...nn import ChannelShuffle, Conv2d, Sequential
from ..entry import Entry
from ..result import Result

C, SIZE, K = 256, 28, 3     # every unit maps C → C channels on a SIZE x SIZE map
SHUFFLE_GROUPS = (4, 8)
IMAGENET = (3, 224, 224)


def units() -> dict[str, object]:
    """The units compared, each C → C channels, size kept; BN and ReLU as in their networks."""
    built = {"plain 3x3 conv": Conv2dNormActivation(C, C, K),
             "Fire (s=32, e1=e3=128)": Fire(C, 32, C // 2, C // 2),
             "depthwise separable": DepthwiseSeparable(C, C)}
    for g in SHUFFLE_GROUPS:
        built[f"ShuffleNet unit, g={g}"] = ShuffleUnit(C, C, g)
    return built


def separable_ratio(n_out: int, k: int) -> float:
    """(depthwise k×k + pointwise 1×1) / (full k×k conv), weights: (M k² + M N) / (M N k²) = 1/N + 1/k²."""
    m = 8  # the input width cancels; any value gives the same ratio
    return (conv_params(m, m, k, groups=m, bias=False) + conv_params(m, n_out, 1, bias=False)) \
        / conv_params(m, n_out, k, bias=False)


def is_depthwise(rec) -> bool:
    """A traced 3x3 conv with one filter per channel: C → C channels and C·9 weights."""
    return rec.kind == "Conv2d" and rec.input_shape[1] == rec.output_shape[1] and rec.params == 9 * rec.input_shape[1]


def full_conv_mobilenet(records) -> tuple[int, int]:
    """MobileNet v1 with every depthwise → BN → ReLU → pointwise chain replaced by one full 3x3 conv (the paper's
    "Conv MobileNet"), from the traced layers: (parameters, multiply-adds). The pointwise conv's BN and ReLU stay."""
    params = macs = 0
    inside_pair = False
    for rec in records:
        if is_depthwise(rec):
            inside_pair = True
        elif inside_pair and rec.kind == "Conv2d":   # the pointwise partner: the pair becomes one 3x3 conv
            c_in = rec.input_shape[1]
            params += conv_params(c_in, rec.output_shape[1], 3, bias=False)
            macs += int(np.prod(rec.output_shape)) * c_in * 9
            inside_pair = False
        elif not inside_pair:                        # layers outside the pairs (the depthwise's BN goes with it)
            params += rec.params
            macs += rec.macs
    return params, macs


def group_connectivity(groups: int, shuffle: bool, channels: int = 24, seed: int = 0) -> float:
    """Share of (output group, input group) pairs joined by two grouped 1x1 convs (with or without a channel
    shuffle between them): perturb one input group, see which output groups move."""
    backend.manual_seed(seed)
    layers = [Conv2d(channels, channels, 1, groups=groups, bias=False)]
    layers += [ChannelShuffle(groups)] if shuffle else []
    net = Sequential(*layers, Conv2d(channels, channels, 1, groups=groups, bias=False))
    width = channels // groups
    x = np.random.default_rng(seed).standard_normal((1, channels, 1, 1)).astype(np.float32)
    joined = 0
    with no_grad():
        base = net(Tensor(x)).data
        for j in range(groups):
            bumped = x.copy()
            bumped[:, j * width:(j + 1) * width] += 1.0
            moved = np.abs(net(Tensor(bumped)).data - base).reshape(groups, width).max(axis=1) > 1e-6
            joined += int(moved.sum())
    return joined / groups ** 2


def compute(quick: bool) -> Result:
    r = Result()
    n_ = r.numbers
    backend.manual_seed(0)
    rows = []
    for i, (name, unit) in enumerate(units().items()):
        p, m = count_params(unit), flops(unit, (C, SIZE, SIZE))["total"]
        if i == 0:
            plain_p, plain_m = p, m
        key = ["plain", "fire", "separable", *[f"shuffle{g}" for g in SHUFFLE_GROUPS]][i]
        r.number(f"{key}_params", p, f"count_params({name})")
        r.number(f"{key}_macs", m, f"flops({name}, ({C}, {SIZE}, {SIZE}))")
        r.number(f"{key}_param_share", p / plain_p)
        r.number(f"{key}_mac_share", m / plain_m)
        rows.append([name, p, p / plain_p, m, m / plain_m])
    r.table(f"Units of {C} → {C} channels on {SIZE}x{SIZE}, against a plain 3x3 conv (with BN)",
            ["unit", "parameters", "÷ plain", "multiply-adds", "÷ plain"], rows)

    r.number("sep_ratio", separable_ratio(C, K), "(M k² + M N) / (M N k²) from conv_params")
    r.number("sep_ratio_notes", 1 / K ** 2, "the notes' 1/Dk²")
    r.number("sep_ratio_32", separable_ratio(32, K))
    r.number("sep_ratio_64", separable_ratio(64, K))
    r.number("sep_unit_conv_share", (n_["separable_macs"]) / (C * C * K * K * SIZE * SIZE),
             "the separable unit's MACs / a full 3x3 conv's MACs")

    mb = mobilenet_v1()
    records = trace(mb, IMAGENET)
    r.number("mobilenet_params", count_params(mb), "count_params(mobilenet_v1())")
    r.number("mobilenet_macs", sum(rec.macs for rec in records), "flops(mobilenet_v1(), (3, 224, 224))")
    conv_params_total, conv_macs_total = full_conv_mobilenet(records)
    r.number("conv_mobilenet_params", conv_params_total, "the same layers with full 3x3 convs")
    r.number("conv_mobilenet_macs", conv_macs_total)
    r.number("mobilenet_param_share", n_["mobilenet_params"] / n_["conv_mobilenet_params"])
    r.number("mobilenet_mac_share", n_["mobilenet_macs"] / n_["conv_mobilenet_macs"])
    pointwise = [rec for rec in records if rec.kind == "Conv2d" and rec.params == rec.input_shape[1] *
                 rec.output_shape[1] and rec.input_shape[1] > 3]
    r.number("pointwise_mac_share", sum(rec.macs for rec in pointwise) / n_["mobilenet_macs"],
             "share of MobileNet v1's multiply-adds in its 1x1 convs")
    sq, sh = squeezenet1_0(), shufflenet_v1()
    r.number("squeezenet_params", count_params(sq), "count_params(squeezenet1_0())")
    r.number("squeezenet_macs", flops(sq, IMAGENET)["total"])
    r.number("shufflenet_params", count_params(sh), "count_params(shufflenet_v1())  (g = 3, 1x)")
    r.number("shufflenet_macs", flops(sh, IMAGENET)["total"])
    r.number("alexnet_params", count_params(alexnet()), "count_params(alexnet())")
    r.number("squeeze_vs_alexnet", n_["alexnet_params"] / n_["squeezenet_params"])
    r.table("Whole networks at 224x224 (multiply-adds per image)", ["network", "parameters", "multiply-adds"],
            [["AlexNet", n_["alexnet_params"], "—"], ["SqueezeNet 1.0", n_["squeezenet_params"], n_["squeezenet_macs"]],
             ["MobileNet v1 with full 3x3 convs", n_["conv_mobilenet_params"], n_["conv_mobilenet_macs"]],
             ["MobileNet v1", n_["mobilenet_params"], n_["mobilenet_macs"]],
             ["ShuffleNet v1 1x (g=3)", n_["shufflenet_params"], n_["shufflenet_macs"]]])

    for g in SHUFFLE_GROUPS[:1]:
        r.number("joined_plain", group_connectivity(g, False), f"group pairs joined, two 1x1 convs, g={g}")
        r.number("joined_shuffled", group_connectivity(g, True), "the same with a channel shuffle between")
    r.number("groups", SHUFFLE_GROUPS[0])

    r.check("separable-1-over-k2", abs(n_["sep_ratio"] - n_["sep_ratio_notes"]) < 0.01 * n_["sep_ratio_notes"])
    r.check("mobilenet-table", abs(n_["mobilenet_params"] / 4.2e6 - 1) < 0.02
            and abs(n_["conv_mobilenet_params"] / 29.3e6 - 1) < 0.02 and abs(n_["mobilenet_macs"] / 569e6 - 1) < 0.02
            and abs(n_["conv_mobilenet_macs"] / 4866e6 - 1) < 0.02)
    r.check("squeezenet-50x", 45 <= n_["squeeze_vs_alexnet"] <= 55)
    r.check("shuffle-mixes-groups", n_["joined_shuffled"] == 1.0 and n_["joined_plain"] == 1 / SHUFFLE_GROUPS[0])
    r.condition(f"Units compared at {C} → {C} channels on {SIZE}x{SIZE}; whole networks at 224x224; multiply-adds "
                "of convolutions and linear layers only (BN, ReLU, pooling and shuffles are not counted).")

    import matplotlib.pyplot as plt
    names = [row[0] for row in rows]
    fig, ax = plt.subplots(figsize=(6.2, 3.2))
    y = np.arange(len(names))
    ax.barh(y + 0.2, [row[2] for row in rows], 0.4, label="parameters ÷ plain")
    ax.barh(y - 0.2, [row[4] for row in rows], 0.4, label="multiply-adds ÷ plain")
    ax.set_yticks(y)
    ax.set_yticklabels(names, fontsize=8)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set(xlabel="share of a plain 3x3 conv (log)", title=f"{C} → {C} channels, {SIZE}x{SIZE}")
    ax.title.set_fontsize(9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    r.figure("lightweight_units", fig, "Cost of each unit relative to a plain 3x3 conv of the same width.")
    return r


ENTRY = Entry(
    id="lightweight",
    section="C",
    title={"zh": "SqueezeNet、MobileNet、ShuffleNet", "en": "Lightweight architectures"},
    keywords=["squeezenet", "mobilenet", "shufflenet", "fire", "depthwise", "separable", "深度可分离", "轻量",
              "channel shuffle", "lightweight"],
    claims={
        "separable-1-over-k2": {
            "en": "The notes: \"卷积分解为deepwise Conv和pointwise Conv可大幅度减小计算量和参数量1/(Dk^2)\" — splitting a "
                  "convolution into depthwise and pointwise cuts computation and parameters to 1/Dk².",
            "zh": "笔记原文：卷积分解为deepwise Conv和pointwise Conv可大幅度减小计算量和参数量1/(Dk^2)。"},
        "mobilenet-table": {
            "en": "The MobileNet paper (Table 4): 4.2M parameters and 569M multiply-adds, against 29.3M and 4866M for "
                  "the same network with full convolutions.",
            "zh": "MobileNet 论文（表 4）：4.2M 参数、569M 次乘加；同一网络用普通卷积则为 29.3M 参数、4866M 次乘加。"},
        "squeezenet-50x": {
            "en": "SqueezeNet's title: AlexNet-level accuracy with 50x fewer parameters (the count is checked here).",
            "zh": "SqueezeNet 论文标题：以少 50 倍的参数达到 AlexNet 的精度（这里核对参数个数）。"},
        "shuffle-mixes-groups": {
            "en": "The notes: \"ShuffleNet就对group conv后的通道进行交换,得到更加均匀融合后的通道\" — the shuffle after a "
                  "group conv mixes the channels of the groups.",
            "zh": "笔记原文：ShuffleNet就对group conv后的通道进行交换,得到更加均匀融合后的通道。"},
    },
    answer={
        "en": r"""
All three families spend their weights where they are cheap: on 1x1 convolutions, on per-channel
(depthwise) filters, or on groups. Each unit below is set against a plain 3x3 conv with BN, 256 → 256
channels on a 28x28 map ({=plain_params} parameters, {=plain_macs} multiply-adds):

- **Fire (SqueezeNet):** a 1x1 *squeeze* to 32 channels, then 1x1 and 3x3 *expand* convs side by
  side: {=fire_params} parameters ({=fire_param_share:.1%} of the plain conv), {=fire_mac_share:.1%}
  of its multiply-adds. SqueezeNet 1.0 has {=squeezenet_params} parameters, {=squeeze_vs_alexnet:.1f}x
  fewer than AlexNet's {=alexnet_params}.
- **Depthwise separable (MobileNet, Xception):** a 3x3 filter per channel, then a 1x1 conv to mix:
  {=separable_params} parameters ({=separable_param_share:.1%}), {=separable_mac_share:.1%} of the
  multiply-adds. For $M$ input and $N$ output channels and a $D_k \times D_k$ kernel the cost is
  $$\frac{D_k^2 M + M N}{D_k^2 M N} = \frac{1}{N} + \frac{1}{D_k^2},$$
  not $1/D_k^2$: {=sep_ratio:.4f} for $N = 256$ against $1/9 =$ {=sep_ratio_notes:.4f}, and
  {=sep_ratio_32:.4f} for $N = 32$. The $1/D_k^2$ is the limit for wide layers. After the split, the
  1x1 convs dominate: they carry {=pointwise_mac_share:.1%} of MobileNet v1's multiply-adds.
- **ShuffleNet unit:** grouped 1x1 convs around a depthwise 3x3, with a residual add:
  g = 4: {=shuffle4_params} parameters ({=shuffle4_param_share:.1%}); g = 8: {=shuffle8_params}
  ({=shuffle8_param_share:.1%}). Grouping alone would cut the network into $g$ independent towers: with
  two grouped 1x1 convs (g = {=groups}) only {=joined_plain:.0%} of (output group, input group) pairs
  are connected; a **channel shuffle** between them connects {=joined_shuffled:.0%}.

Whole networks at 224x224: MobileNet v1 has {=mobilenet_params} parameters and {=mobilenet_macs}
multiply-adds; with full 3x3 convs in the same places it would have {=conv_mobilenet_params} and
{=conv_mobilenet_macs} ({=mobilenet_param_share:.1%} and {=mobilenet_mac_share:.1%} of those).
ShuffleNet v1 1x (g = 3): {=shufflenet_params} parameters, {=shufflenet_macs} multiply-adds.

Fewer multiply-adds do not mean proportionally faster: depthwise and grouped convs do little work per
byte moved, so on real hardware they run far below peak; ShuffleNet v2 was designed around that.
""",
        "zh": r"""
这三类网络都把参数花在便宜的地方：1x1 卷积、逐通道（depthwise）的滤波器、或者分组。下面每个单元都与一个普通
3x3 卷积对比（256 → 256 通道，28x28 特征图：{=plain_params} 个参数，{=plain_macs} 次乘加）：

- **Fire（SqueezeNet）**：先用 1x1 *squeeze* 压到 32 个通道，再并行做 1x1 和 3x3 的 *expand*：{=fire_params} 个参数
  （普通卷积的 {=fire_param_share:.1%}），乘加为其 {=fire_mac_share:.1%}。SqueezeNet 1.0 共 {=squeezenet_params} 个参数，
  比 AlexNet 的 {=alexnet_params} 少 {=squeeze_vs_alexnet:.1f} 倍。
- **深度可分离卷积（MobileNet、Xception）**：每个通道一个 3x3 滤波器，再用 1x1 卷积混合通道：{=separable_params} 个参数
  （{=separable_param_share:.1%}），乘加为 {=separable_mac_share:.1%}。输入 $M$ 通道、输出 $N$ 通道、卷积核
  $D_k \times D_k$ 时代价之比为
  $$\frac{D_k^2 M + M N}{D_k^2 M N} = \frac{1}{N} + \frac{1}{D_k^2},$$
  而不是 $1/D_k^2$：$N = 256$ 时为 {=sep_ratio:.4f}，$1/9 =$ {=sep_ratio_notes:.4f}；$N = 32$ 时为 {=sep_ratio_32:.4f}。
  $1/D_k^2$ 只是通道很多时的极限。拆分之后 1x1 卷积成了大头：MobileNet v1 的乘加有 {=pointwise_mac_share:.1%} 在 1x1 卷积里。
- **ShuffleNet 单元**：分组 1x1 卷积夹着一个 depthwise 3x3，再加残差：g = 4 时 {=shuffle4_params} 个参数
  （{=shuffle4_param_share:.1%}），g = 8 时 {=shuffle8_params} 个（{=shuffle8_param_share:.1%}）。只分组会把网络切成 $g$ 个
  互不相通的塔：连续两个分组 1x1 卷积（g = {=groups}）只连通 {=joined_plain:.0%} 的（输出组，输入组）对；中间加一次
  **通道重排（channel shuffle）** 后连通 {=joined_shuffled:.0%}。

整个网络（224x224）：MobileNet v1 有 {=mobilenet_params} 个参数、{=mobilenet_macs} 次乘加；同样位置换成普通 3x3 卷积则为
{=conv_mobilenet_params} 个参数、{=conv_mobilenet_macs} 次乘加（只占 {=mobilenet_param_share:.1%} 和
{=mobilenet_mac_share:.1%}）。ShuffleNet v1 1x（g = 3）：{=shufflenet_params} 个参数，{=shufflenet_macs} 次乘加。

乘加少并不等于按比例变快：depthwise 和分组卷积每搬运一个字节做的计算很少，在真实硬件上远达不到峰值；ShuffleNet v2
正是围绕这一点设计的。
""",
    },
    compute=compute,
)
