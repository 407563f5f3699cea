"""What conv, pooling and FC layers do, measured: how much each stage's features change when the digit moves by
one or two pixels, test accuracy under shifts and under a zoom for nets with local, global and no pooling, and
what pooling does to the classifier's parameter count."""
from __future__ import annotations

import numpy as np

from ... import backend, nn
from ...analysis import count_params
from ...autograd import Tensor, no_grad
from ..entry import Entry
from ..result import Result
from ._small_nets import digits_images, one_blas_thread, scores, shift_images, train_net

N_TRAIN, STEPS, LR = 300, 40, 1e-2
SHIFTS = [0, 1, 2]
MOVES = [(1, 0), (-1, 0), (0, 1), (0, -1)]    # down, up, right, left (times the shift)
NETS = ("no pooling", "max pool 2x2", "global pooling")


def make_net(kind: str) -> nn.Sequential:
    """Two 3x3 conv layers (16, 32 channels) on 8x8 digits; they differ only in pooling, and so in the FC."""
    c1, c2 = nn.Conv2d(1, 16, 3, padding=1), nn.Conv2d(16, 32, 3, padding=1)
    if kind == "no pooling":
        return nn.Sequential(c1, nn.ReLU(), c2, nn.ReLU(), nn.Flatten(), nn.Linear(32 * 64, 10))
    if kind == "max pool 2x2":
        return nn.Sequential(c1, nn.ReLU(), nn.MaxPool2d(2), c2, nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                             nn.Linear(32 * 4, 10))
    if kind == "global pooling":
        return nn.Sequential(c1, nn.ReLU(), nn.MaxPool2d(2), c2, nn.ReLU(), nn.AdaptiveMaxPool2d(1), nn.Flatten(),
                             nn.Linear(32, 10))
    raise ValueError(f"layer-roles: unknown net {kind!r}; expected one of {NETS}")


def stage_features(model: nn.Sequential, X: np.ndarray) -> dict[str, np.ndarray]:
    """The pooled net's features at each stage, flattened per image: input, conv1 (after ReLU), pool1, conv2
    (after ReLU), pool2, and conv2 max-pooled over the whole map (32 numbers per image)."""
    names = {1: "conv1", 2: "pool1", 4: "conv2", 5: "pool2"}
    out = {"input": X.reshape(len(X), -1)}
    h = Tensor(X)
    with no_grad(), one_blas_thread():
        for i, layer in enumerate(model):
            h = layer(h)
            if i in names:
                out[names[i]] = h.data.reshape(len(X), -1)
    out["global max"] = out["conv2"].reshape(len(X), 32, -1).max(axis=2)
    return out


def relative_change(model: nn.Sequential, X: np.ndarray, shift: int) -> dict[str, float]:
    """Mean over images and the four directions of ‖f(shifted x) − f(x)‖ / ‖f(x)‖ at each stage."""
    base = stage_features(model, X)
    change = {k: 0.0 for k in base}
    for dy, dx in MOVES:
        moved = stage_features(model, shift_images(X, dy * shift, dx * shift))
        for k, f in base.items():
            norm = np.linalg.norm(f, axis=1)
            keep = norm > 0
            change[k] += float(np.mean(np.linalg.norm(moved[k] - f, axis=1)[keep] / norm[keep])) / len(MOVES)
    return change


def shifted_accuracy(model: nn.Module, X: np.ndarray, y: np.ndarray, shift: int) -> float:
    if shift == 0:
        return scores(model, X, y)[0]
    return float(np.mean([scores(model, shift_images(X, dy * shift, dx * shift), y)[0] for dy, dx in MOVES]))


def zoom_out(X: np.ndarray) -> np.ndarray:
    """Each 8x8 digit shrunk to 4x4 (2x2 means) and centred on an empty 8x8 canvas: the same digit, half size."""
    small = X.reshape(len(X), 1, 4, 2, 4, 2).mean(axis=(3, 5))
    out = np.zeros_like(X)
    out[..., 2:6, 2:6] = small
    return out


def compute(quick: bool) -> Result:
    r = Result()
    Xtr, ytr, Xte, yte = digits_images()
    seeds = list(range(1 if quick else 3))
    acc = {kind: {s: [] for s in SHIFTS} for kind in NETS}
    zoom = {kind: [] for kind in NETS}
    trained = {}
    for seed in seeds:
        for kind in NETS:
            backend.manual_seed(seed)
            model = make_net(kind)
            train_net(model, Xtr[:N_TRAIN], ytr[:N_TRAIN], STEPS, lr=LR, seed=seed)
            for s in SHIFTS:
                acc[kind][s].append(shifted_accuracy(model, Xte, yte, s))
            zoom[kind].append(scores(model, zoom_out(Xte), yte)[0])
            if seed == seeds[0]:
                trained[kind] = model
    key = {"no pooling": "none", "max pool 2x2": "pool", "global pooling": "global"}
    rows = []
    for kind in NETS:
        k = key[kind]
        for s in SHIFTS:
            r.number(f"acc_{k}_shift{s}", float(np.mean(acc[kind][s])), f"test accuracy, {kind}, shifted {s} px")
        r.number(f"acc_{k}_zoom", float(np.mean(zoom[kind])), f"test accuracy, {kind}, digits at half size")
        r.number(f"drop_{k}_shift1", r.numbers[f"acc_{k}_shift0"] - r.numbers[f"acc_{k}_shift1"])
        r.number(f"params_{k}", count_params(trained[kind]), f"parameters, {kind}")
        r.number(f"fc_{k}", count_params(trained[kind][-1]), f"parameters of the final Linear, {kind}")
        rows.append([kind, r.numbers[f"params_{k}"], r.numbers[f"fc_{k}"],
                     *[r.numbers[f"acc_{k}_shift{s}"] for s in SHIFTS], r.numbers[f"acc_{k}_zoom"]])
    r.table(f"Test accuracy when every test digit moves ({N_TRAIN} training digits, {len(seeds)} seed(s))",
            ["net", "parameters", "FC parameters", *[f"shift {s} px" for s in SHIFTS], "half size"], rows)

    stages = None
    change_rows = []
    for s in SHIFTS[1:]:
        change = relative_change(trained["max pool 2x2"], Xte, s)
        stages = list(change)
        for stage, v in change.items():
            r.number(f"change_{stage.replace(' ', '_')}_shift{s}", v)
        change_rows.append([f"{s} px", *change.values()])
    r.table("Relative change of the pooled net's features, ‖f(shifted x) − f(x)‖ / ‖f(x)‖",
            ["shift", *stages], change_rows)
    r.number("n_train", N_TRAIN)

    n = r.numbers
    local_robust = (n["change_pool1_shift1"] < n["change_conv1_shift1"]
                    and n["drop_pool_shift1"] < n["drop_none_shift1"])
    r.verdict("pool-small-shifts", "confirmed" if local_robust else "depends"
              if n["change_pool1_shift1"] < n["change_conv1_shift1"] else "corrected")
    # "detected wherever it is" and "scale invariance": a large shift and a zoom, on the best-pooled net
    best = max(n["acc_pool_shift2"], n["acc_global_shift2"])
    r.number("best_shift2", best)
    r.number("best_zoom", max(n["acc_pool_zoom"], n["acc_global_zoom"]))
    keeps = best > n["acc_pool_shift0"] - 0.05 and n["best_zoom"] > n["acc_pool_shift0"] - 0.05
    r.verdict("pool-invariance", "confirmed" if keeps else "corrected")
    fewer = n["fc_none"] - 10 == 16 * (n["fc_pool"] - 10) and n["params_pool"] < n["params_none"]
    # "and so controls overfitting": the pooled net must not do worse on the unshifted test digits
    r.verdict("pool-fewer-params", "corrected" if not fewer else "confirmed"
              if n["acc_pool_shift0"] >= n["acc_none_shift0"] else "depends")
    r.condition(f"8x8 digits; {N_TRAIN} training images without augmentation; full-batch Adam (lr {LR}), {STEPS} "
                f"steps; shifts move the whole digit (zeros shifted in), averaged over up, down, left and right.")

    import matplotlib.pyplot as plt
    fig, axs = plt.subplots(1, 2, figsize=(10, 3.4))
    xs = np.arange(len(stages))
    for i, s in enumerate(SHIFTS[1:]):
        axs[0].bar(xs + (i - 0.5) * 0.4, change_rows[i][1:], 0.4, label=f"shift {s} px")
    axs[0].set_xticks(xs)
    axs[0].set_xticklabels(stages, fontsize=8)
    axs[0].set(ylabel="relative feature change", title="Pooled net: how much each stage moves")
    axs[0].legend(fontsize=7)
    for kind in NETS:
        axs[1].plot(SHIFTS, [n[f"acc_{key[kind]}_shift{s}"] for s in SHIFTS], "o-", label=kind)
    axs[1].set_xticks(SHIFTS)
    axs[1].set(xlabel="shift (pixels)", ylabel="test accuracy", title="Accuracy on shifted digits")
    axs[1].legend(fontsize=7)
    for ax in axs:
        ax.title.set_fontsize(9)
    fig.tight_layout()
    r.figure("layer_roles_shift", fig, "Pooling damps the change a one-pixel shift makes; larger shifts still hurt.")
    return r


ENTRY = Entry(
    id="layer-roles",
    section="C",
    title={"zh": "卷积、池化、全连接层的作用", "en": "What conv, pooling and FC layers do"},
    keywords=["讲一下CNN，每个层及作用", "如何理解卷积、池化等、全连接层等操作", "pooling", "池化", "池化的作用", "卷积层的作用", "全连接层的作用", "每个层及作用",
              "convolution", "卷积层", "fully connected", "全连接", "translation invariance", "平移不变", "robustness", "鲁棒",
              "classifier", "分类器"],
    claims={
        "pool-small-shifts": {
            "en": "The notes: pooling makes the network more robust to slightly transformed images.",
            "zh": "笔记原文：池化的作用……增加网络对略微变换后的图像的鲁棒性。"},
        "pool-invariance": {
            "en": "The notes: pooling achieves a kind of scale invariance, i.e. the object is detected wherever it "
                  "is in the image.",
            "zh": "笔记原文：（池化）达到一种尺度不变性，即无论物体在图像中哪个方位均可以被检测到。"},
        "pool-fewer-params": {
            "en": "The notes: pooling shrinks the feature maps and so reduces the number of parameters, which "
                  "helps against overfitting.",
            "zh": "笔记原文：池化的作用减少特征维度大小……减少参数个数，从而控制过拟合程度。"},
    },
    answer={
        "en": r"""
The usual division of labour: **convolutions** extract local features (each filter responds to a pattern
in a small window, the same filter everywhere); **activations** make the stack non-linear; **pooling**
summarises each neighbourhood, shrinking the map; the **fully connected** layers at the end map the
resulting features to class scores (the "classifier"). The roles can be measured.

**Robustness to small shifts.** In a trained net (conv 16 → pool → conv 32 → pool → FC), moving every test
digit by one pixel changes the conv1 features by {=change_conv1_shift1:.2f} of their norm (a convolution is
*equivariant*: its output moves with the input, so position by position it changes a lot) but the pooled
features by {=change_pool1_shift1:.2f}, and after the second pool {=change_pool2_shift1:.2f}; the conv2 map
max-pooled over all positions changes by only {=change_global_max_shift1:.2f}. In accuracy: the net without
pooling drops from {=acc_none_shift0:.3f} to {=acc_none_shift1:.3f} at a one-pixel shift, the pooled net from
{=acc_pool_shift0:.3f} to {=acc_pool_shift1:.3f}, the globally pooled one from {=acc_global_shift0:.3f} to
{=acc_global_shift1:.3f}.

**Not invariance.** A 2x2 pool absorbs only shifts within its window. At two pixels the pooled nets score
{=acc_pool_shift2:.3f} and {=acc_global_shift2:.3f}, and on the same digits at half size {=acc_pool_zoom:.3f}
and {=acc_global_zoom:.3f}. Pooling gives *local* translation robustness; it gives no scale invariance at all
(that needs multi-scale training, augmentation or image pyramids), and "detected wherever it is" comes from
the convolution's weight sharing plus *global* pooling, and then only for positions the training data
covered well enough. The notes' sentence mixes these up.

**Fewer parameters.** Pooling itself has no weights, but it shrinks what the FC layer reads: the final
Linear has {=fc_none:,} weights without pooling and {=fc_pool:,} after two 2x2 pools ({=fc_global:,} after
global pooling); the nets hold {=params_none:,}, {=params_pool:,} and {=params_global:,} parameters, and on the
unshifted test digits score {=acc_none_shift0:.3f}, {=acc_pool_shift0:.3f} and {=acc_global_shift0:.3f}.
""",
        "zh": r"""
通常的分工：**卷积层**提取局部特征（每个滤波器对小窗口里的某种模式有响应，且在所有位置使用同一个滤波器）；**激活函数**使网络
非线性；**池化层**对每个邻域做汇总，缩小特征图；最后的**全连接层**把得到的特征映射到类别得分（"分类器"）。这些作用都可以测量。

**对小平移的鲁棒性。** 在训练好的网络（卷积 16 → 池化 → 卷积 32 → 池化 → 全连接）中，把每张测试图平移一个像素，conv1 的特征变化
为其范数的 {=change_conv1_shift1:.2f}（卷积是*等变*的：输出随输入一起移动，所以逐位置比较时变化很大），池化后的特征只变化
{=change_pool1_shift1:.2f}，第二次池化后为 {=change_pool2_shift1:.2f}；conv2 特征图在全部位置上取最大值后只变化
{=change_global_max_shift1:.2f}。看准确率：没有池化的网络在平移一个像素时从 {=acc_none_shift0:.3f} 降到 {=acc_none_shift1:.3f}，
有池化的从 {=acc_pool_shift0:.3f} 降到 {=acc_pool_shift1:.3f}，全局池化的从 {=acc_global_shift0:.3f} 降到 {=acc_global_shift1:.3f}。

**不是不变性。** 2x2 池化只能吸收窗口以内的平移。平移两个像素时，两个带池化的网络只有 {=acc_pool_shift2:.3f} 和
{=acc_global_shift2:.3f}；同样的数字缩小一半时为 {=acc_pool_zoom:.3f} 和 {=acc_global_zoom:.3f}。池化带来的是*局部*的平移鲁棒性，
完全不带来尺度不变性（那要靠多尺度训练、数据增强或图像金字塔）；"无论物体在哪个方位都能检测到"来自卷积的权值共享加上*全局*池化，
而且只对训练数据充分覆盖过的位置成立。笔记的这句话把这几件事混在了一起。

**参数更少。** 池化本身没有权重，但它缩小了全连接层的输入：最后的 Linear 在没有池化时有 {=fc_none:,} 个参数，两次 2x2 池化后有
{=fc_pool:,} 个（全局池化后 {=fc_global:,} 个）；三个网络共有 {=params_none:,}、{=params_pool:,} 和 {=params_global:,} 个参数，
在未平移的测试图上分别为 {=acc_none_shift0:.3f}、{=acc_pool_shift0:.3f} 和 {=acc_global_shift0:.3f}。
""",
    },
    compute=compute,
)
