"""ResNeXt, DenseNet (-B, -C, -BC) and DPN: parameters and multiply-adds of the ImageNet models the notes compare,
what the bottleneck and the compression of DenseNet save, what a dual path block adds and concatenates, and a
small ResNet, ResNeXt and DenseNet-BC of matched size trained the same way on the embedded digits."""
from __future__ import annotations

import numpy as np

from ... import backend
from ...analysis import count_params, trace
from ...autograd import Tensor, no_grad
from ...models import Bottleneck, DualPathBlock, ResNet, densenet121, densenet_cifar, dpn92, resnet50, resnext_cifar
from ...models.cifar_resnet import CifarResNet
from ..entry import Entry
from ..result import Result
from ._small_nets import digits_images, scores, train_net

SCALE = 7        # 224 / 32: every feature map of these ImageNet nets at 224x224 is 7x7 times its size at 32x32
LR = 1e-2
DENSE_VARIANTS = {"DenseNet": (False, 1.0), "DenseNet-B": (True, 1.0), "DenseNet-C": (False, 0.5),
                  "DenseNet-BC": (True, 0.5)}


def macs_224(model) -> int:
    """Multiply-adds per 224x224 image from one trace at 32x32: conv layers scale with the map area (7² = 49: the
    7x7/2 stem, the 3x3/2 pool and every stride-2 stage halve 224 and 32 alike down to 7 and 1), linear layers do
    not (the head sees a globally pooled vector)."""
    return macs_224_from(trace(model, (3, 32, 32)))


def macs_224_from(records) -> int:
    """:func:`macs_224` from the layer records of a trace at 32x32."""
    return sum(rec.macs * (SCALE ** 2 if rec.kind.startswith("Conv") else 1) for rec in records)


def resnet200() -> ResNet:
    """ResNet-200 (He et al. 2016b): bottleneck blocks (3, 24, 36, 3)."""
    return ResNet(Bottleneck, [3, 24, 36, 3])


def resnext101_32x4d() -> ResNet:
    """ResNeXt-101 (32x4d): bottleneck blocks (3, 4, 23, 3), 32 groups of width 4 in the first stage."""
    return ResNet(Bottleneck, [3, 4, 23, 3], groups=32, width_per_group=4)


def small_nets() -> dict[str, object]:
    """Three CIFAR-style nets of about 75k parameters (3-channel input, 10 classes)."""
    return {"ResNet-8": CifarResNet(1), "ResNeXt-11 (4x6d)": resnext_cifar(11, 4, 6, 8),
            "DenseNet-BC-22 (k=12)": densenet_cifar(22, 12, True, 0.5)}


def dual_path_split(seed: int = 0) -> tuple[float, float, int]:
    """A DualPathBlock (stride 1) on x = [residual | dense]: (max |y_res − (x_res + h_res)|,
    max |y_dense[:d] − x_dense|, new dense channels), with h taken from the block's own convs."""
    backend.manual_seed(seed)
    out, inc, dense = 64, 16, 32
    block = DualPathBlock(out + dense, 32, out, inc, groups=4)
    block.eval()
    x = np.random.default_rng(seed).standard_normal((2, out + dense, 4, 4)).astype(np.float32)
    with no_grad():
        y = block(Tensor(x)).data
        h = block.conv3(block.conv2(block.conv1(Tensor(x)))).data
    return (float(np.abs(y[:, :out] - (x[:, :out] + h[:, :out])).max()),
            float(np.abs(y[:, out:out + dense] - x[:, out:]).max()), y.shape[1] - x.shape[1])


def compute(quick: bool) -> Result:
    r = Result()
    n_ = r.numbers
    backend.manual_seed(0)
    big = {"ResNet-50": resnet50(), "ResNet-200": resnet200(), "ResNeXt-101 (32x4d)": resnext101_32x4d(),
           "DenseNet-121": densenet121(), "DPN-92": dpn92()}
    keys = {"ResNet-50": "r50", "ResNet-200": "r200", "ResNeXt-101 (32x4d)": "rx101", "DenseNet-121": "d121",
            "DPN-92": "dpn92"}
    for name, model in big.items():
        r.number(f"{keys[name]}_params", count_params(model), f"count_params({name})")
        r.number(f"{keys[name]}_macs", macs_224(model), f"multiply-adds at 224x224 ({name})")
    r.table("ImageNet models (1000 classes, multiply-adds per 224x224 image)", ["model", "parameters", "multiply-adds"],
            [[name, n_[f"{k}_params"], n_[f"{k}_macs"]] for name, k in keys.items()])
    r.number("rx101_vs_r200_macs", n_["rx101_macs"] / n_["r200_macs"])
    r.number("d121_vs_r50_params", n_["d121_params"] / n_["r50_params"])
    r.number("d121_vs_r50_macs", n_["d121_macs"] / n_["r50_macs"])
    r.number("dpn92_vs_rx101_params", n_["dpn92_params"] / n_["rx101_params"])

    rows = []
    for name, (bottleneck, theta) in DENSE_VARIANTS.items():
        key = name.split("-")[1].lower() if "-" in name else "plain"
        r.number(f"dense40_{key}", count_params(densenet_cifar(40, 12, bottleneck, theta)), f"{name}, L=40, k=12")
        rows.append([name, "yes" if bottleneck else "no", theta, n_[f"dense40_{key}"]])
    r.table("CIFAR DenseNets, L = 40, k = 12, 10 classes", ["variant", "bottleneck 1x1", "θ", "parameters"], rows)

    res_gap, dense_gap, new = dual_path_split()
    r.number("dpn_residual_gap", res_gap, "max |y_res − (x_res + h_res)|")
    r.number("dpn_dense_gap", dense_gap, "max |y_dense[:d] − x_dense|")
    r.number("dpn_new_channels", new, "dense channels the block appends")

    Xtr, ytr, Xte, yte = digits_images()
    n_train, steps, seeds = (96, 20, [0, 1]) if quick else (600, 60, [0, 1, 2])
    X, y, Xt = np.repeat(Xtr[:n_train], 3, axis=1), ytr[:n_train], np.repeat(Xte, 3, axis=1)
    acc, params = {}, {}
    for name in small_nets():
        acc[name] = []
        for seed in seeds:
            backend.manual_seed(seed)
            model = small_nets()[name]
            params[name] = count_params(model)
            train_net(model, X, y, steps, lr=LR, seed=seed)
            acc[name].append(scores(model, Xt, yte)[0])
    names = list(acc)
    r.table(f"About {params[names[0]] // 1000}k parameters each, {n_train} digits, {steps} full-batch Adam steps, "
            f"{len(seeds)} seed(s)", ["net", "parameters", "test accuracy (mean)"],
            [[k, params[k], float(np.mean(acc[k]))] for k in names])
    for k, short in zip(names, ("resnet", "resnext", "densenet")):
        r.number(f"acc_{short}", float(np.mean(acc[k])), f"test accuracy, {k}")
        r.number(f"params_{short}", params[k])
    r.number("n_train", n_train)
    r.number("steps", steps)

    margin = 2 / len(yte)   # two test images
    r.check("resnext-half-compute", 0.4 <= n_["rx101_vs_r200_macs"] <= 0.6)
    r.check("densenet-fewer-params", n_["d121_params"] < 0.5 * n_["r50_params"])
    r.check("densenet-b-c", n_["dense40_b"] < n_["dense40_plain"] and n_["dense40_c"] < n_["dense40_plain"]
            and n_["dense40_bc"] < min(n_["dense40_b"], n_["dense40_c"]))
    diffs = np.array(acc[names[2]]) - np.array(acc[names[0]])   # DenseNet − ResNet, paired by seed
    r.number("dense_minus_res", float(diffs.mean()))
    r.number("dense_wins", int((diffs > margin).sum()), "seeds where DenseNet-BC beat ResNet by more than 2 images")
    r.number("res_wins", int((diffs < -margin).sum()), "seeds where ResNet beat DenseNet-BC by more than 2 images")
    r.number("seeds", len(seeds))
    r.verdict("add-impedes-flow", "confirmed" if n_["dense_wins"] == len(seeds) else
              "corrected" if n_["res_wins"] == len(seeds) else "contested")
    r.check("dpn-both-paths", n_["dpn_residual_gap"] < 1e-5 and n_["dpn_dense_gap"] == 0.0
            and n_["dpn_new_channels"] > 0)
    r.condition("ImageNet figures: parameters counted on the built models, multiply-adds of conv and linear layers at "
                f"224x224. Digits: 8x8 images repeated on 3 channels, {n_train} for training, {steps} full-batch Adam "
                f"steps (lr {LR}), {len(seeds)} seed(s); at this scale the ranking of the three small nets can change "
                "with the seed and the budget.")

    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(5.4, 3.4))
    for name, k in keys.items():
        ax.scatter(n_[f"{k}_macs"] / 1e9, n_[f"{k}_params"] / 1e6, s=30)
        ax.annotate(name, (n_[f"{k}_macs"] / 1e9, n_[f"{k}_params"] / 1e6), fontsize=7, xytext=(4, 2),
                    textcoords="offset points")
    ax.set(xlabel="multiply-adds at 224x224 (G)", ylabel="parameters (M)", title="Cost of the ImageNet models")
    ax.title.set_fontsize(9)
    fig.tight_layout()
    r.figure("resnext_densenet_dpn_cost", fig, "Parameters against multiply-adds of the models the notes compare.")
    return r


ENTRY = Entry(
    id="resnext-densenet-dpn",
    section="C",
    title={"zh": "ResNeXt、DenseNet、DPN", "en": "ResNeXt, DenseNet(-B/-C/-BC), DPN"},
    keywords=["resnext", "densenet", "dpn", "dual path", "cardinality", "基数", "growth rate", "compression",
              "bottleneck", "densenet-bc", "串联", "concatenation"],
    claims={
        "resnext-half-compute": {
            "en": "The notes: \"一个 101 层的 ResNeXt 网络,和 200 层的 ResNet 准确度差不多,但是计算量只有后者的一半\" (a 101-layer "
                  "ResNeXt matches a 200-layer ResNet at half the computation; the computation is checked here).",
            "zh": "笔记原文：一个 101 层的 ResNeXt 网络,和 200 层的 ResNet 准确度差不多,但是计算量只有后者的一半（这里核对计算量）。"},
        "densenet-fewer-params": {
            "en": "The notes: DenseNet's structure \"使得需要计算的参数量大大降低\" — it needs far fewer parameters.",
            "zh": "笔记原文：由于DenseBlock的横向结构类似Inception block的结构,使得需要计算的参数量大大降低。"},
        "densenet-b-c": {
            "en": "The notes: a 1x1 bottleneck in each layer makes DenseNet-B, compressing the transition to θm "
                  "channels makes DenseNet-C, both make DenseNet-BC — each to keep the channel count down.",
            "zh": "笔记原文：为防止靠后的串联层输入通道过多,引入bottleneck layer,即1x1卷积……DenseNet-B；在transition layer中"
                  "进一步压缩通道个数的网络成为DN-C……同时包含两者的称为DN-BC。"},
        "add-impedes-flow": {
            "en": "The notes: \"相比ResNet输出通过相加的方式结合从而阻碍信息的传播,DN通过串联方式结合\" — ResNet's addition hinders "
                  "the flow of information, DenseNet's concatenation does better (tested as accuracy at matched size).",
            "zh": "笔记原文：相比ResNet输出通过相加的方式结合从而阻碍信息的传播,DN通过串联方式结合（这里以同等参数量下的准确率检验）。"},
        "dpn-both-paths": {
            "en": "The notes: DPN brings DenseNet's core into ResNeXt (\"在ResNeXt的基础上引入了DenseNet的核心内容\").",
            "zh": "笔记原文：DPN网络可以理解为在ResNeXt的基础上引入了DenseNet的核心内容,使得模型对特征的利用更加充分。"},
    },
    answer={
        "en": r"""
**ResNeXt** keeps ResNet's bottleneck block but splits its 3x3 conv into $C$ parallel paths of the
same shape (the *cardinality*), implemented as one grouped convolution. At equal cost more, narrower
paths worked better than deeper or wider ones. ResNeXt-101 (32x4d) has {=rx101_params} parameters and
{=rx101_macs} multiply-adds per 224x224 image; ResNet-200 has {=r200_params} and {=r200_macs}, so the
ResNeXt costs {=rx101_vs_r200_macs:.0%} of it — the "half" of the notes (the equal accuracy is the
paper's ImageNet result, not re-run here).

**DenseNet** concatenates every earlier feature map of a block, $x_\ell = H_\ell([x_0, \dots, x_{\ell-1}])$,
where ResNet adds $x_{\ell} = x_{\ell-1} + F(x_{\ell-1})$. Each layer adds only $k$ (the growth rate)
channels, so layers are narrow: DenseNet-121 has {=d121_params} parameters against ResNet-50's
{=r50_params} ({=d121_vs_r50_params:.0%}) and {=d121_vs_r50_macs:.0%} of its multiply-adds. The inputs
still widen along a block, hence two savings, measured on CIFAR DenseNets with $L = 40$, $k = 12$:
plain {=dense40_plain}, **-B** (1x1 bottleneck to $4k$ before each 3x3) {=dense40_b}, **-C**
(transitions keep $\theta m$ of $m$ channels, $\theta = 0.5$) {=dense40_c}, **-BC** {=dense40_bc}.
The price of concatenation is memory: every earlier map stays alive.

**Add or concatenate, at matched size.** A ResNet-8 ({=params_resnet} parameters), a small ResNeXt
({=params_resnext}) and a DenseNet-BC-22 ({=params_densenet}), trained the same way on {=n_train}
digits for {=steps} steps, reach test accuracies {=acc_resnet:.3f}, {=acc_resnext:.3f} and
{=acc_densenet:.3f} (means over {=seeds} seeds); the DenseNet − ResNet difference is
{=dense_minus_res:+.3f}, DenseNet ahead by more than two test images in {=dense_wins} seed(s), ResNet in
{=res_wins}. The claim counts as confirmed only if DenseNet wins in every seed. Whether addition
"hinders the flow" is therefore an empirical question of size and budget; the papers' own gains are a
few tenths of a percent on ImageNet at equal cost.

**DPN** runs both in one block: a ResNeXt bottleneck whose output is split, the first part **added**
to a residual path (feature re-use) and the rest **concatenated** to a dense path (new features).
Checked on the library's block: the residual part equals $x_{res} + h_{res}$ (gap
{=dpn_residual_gap:.1e}), the old dense channels pass through unchanged (gap {=dpn_dense_gap}) and
{=dpn_new_channels} new ones are appended. DPN-92 has {=dpn92_params} parameters and {=dpn92_macs}
multiply-adds ({=dpn92_vs_rx101_params:.0%} of ResNeXt-101 (32x4d)'s parameters).
""",
        "zh": r"""
**ResNeXt** 保留 ResNet 的瓶颈块，但把其中的 3x3 卷积拆成 $C$ 条形状相同的并行路径（*基数* cardinality），实现上就是一个分组卷积。
在相同计算量下，更多、更窄的路径比更深或更宽的网络效果更好。ResNeXt-101（32x4d）有 {=rx101_params} 个参数，每张 224x224 图片
{=rx101_macs} 次乘加；ResNet-200 为 {=r200_params} 个参数、{=r200_macs} 次乘加，所以 ResNeXt 的计算量是后者的
{=rx101_vs_r200_macs:.0%}——即笔记说的"一半"（精度相当是论文在 ImageNet 上的结果，这里没有重跑）。

**DenseNet** 在一个 block 内把之前所有层的特征图拼接起来，$x_\ell = H_\ell([x_0, \dots, x_{\ell-1}])$，而 ResNet 是相加
$x_{\ell} = x_{\ell-1} + F(x_{\ell-1})$。每层只新增 $k$（增长率）个通道，所以每层都很窄：DenseNet-121 有 {=d121_params} 个参数，
ResNet-50 有 {=r50_params} 个（前者为后者的 {=d121_vs_r50_params:.0%}），乘加为后者的 {=d121_vs_r50_macs:.0%}。但输入通道沿 block
不断变宽，于是有两种节省，在 $L = 40$、$k = 12$ 的 CIFAR DenseNet 上实测：普通版 {=dense40_plain}，**-B**（每个 3x3 前先用 1x1
瓶颈降到 $4k$）{=dense40_b}，**-C**（transition 只保留 $m$ 个通道中的 $\theta m$ 个，$\theta = 0.5$）{=dense40_c}，**-BC**
{=dense40_bc}。拼接的代价是显存：之前的特征图都要一直保留。

**相加还是拼接（同等参数量）**：ResNet-8（{=params_resnet} 个参数）、小 ResNeXt（{=params_resnext}）和 DenseNet-BC-22
（{=params_densenet}）用同样的方式在 {=n_train} 张 digits 上训练 {=steps} 步，测试准确率分别为 {=acc_resnet:.3f}、
{=acc_resnext:.3f}、{=acc_densenet:.3f}（{=seeds} 个种子的平均）；DenseNet − ResNet 为 {=dense_minus_res:+.3f}，
DenseNet 领先超过两张测试图片的种子数为 {=dense_wins}，ResNet 为 {=res_wins}。只有 DenseNet 在每个种子上都赢才算"证实"。所以相加是否"阻碍信息传播"是一个
取决于规模和训练预算的经验问题；论文本身在 ImageNet 上、同等代价下的提升也只有零点几个百分点。

**DPN** 在一个块里同时做两件事：ResNeXt 瓶颈的输出被拆开，前一部分**加**到残差通路上（特征重用），其余部分**拼接**到密集通路上
（新特征）。在库里的模块上核对：残差部分等于 $x_{res} + h_{res}$（差 {=dpn_residual_gap:.1e}），原有的密集通道原样通过
（差 {=dpn_dense_gap}），并新增 {=dpn_new_channels} 个通道。DPN-92 有 {=dpn92_params} 个参数、{=dpn92_macs} 次乘加
（参数为 ResNeXt-101（32x4d）的 {=dpn92_vs_rx101_params:.0%}）。
""",
    },
    compute=compute,
)
