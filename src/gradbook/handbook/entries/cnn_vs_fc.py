"""CNN vs fully connected: three nets on the digits that differ step by step (an MLP with the CNN's parameter
count; the CNN's layout with local but unshared filters; the CNN), their parameters and test accuracy on the
digits as given and moved by one pixel."""
from __future__ import annotations

import numpy as np

from ... import backend, models, nn
from ...analysis import count_params
from ..entry import Entry
from ..result import Result
from ._small_nets import digits_images, paired_margin, scores, shift_images, train_net

N_TRAIN, STEPS, LR = 300, 40, 1e-2
KINDS = ("mlp", "local", "cnn")
LABELS = {"mlp": "MLP (fully connected)", "local": "locally connected (local, unshared)",
          "cnn": "CNN (local, shared)"}


def cnn_params() -> int:
    return count_params(make_net("cnn"))


def mlp_width() -> int:
    """The hidden width h of a 64-h-10 MLP whose 75h + 10 parameters come closest to the CNN's."""
    return round((cnn_params() - 10) / 75)


def make_net(kind: str) -> nn.Module:
    """``cnn``: Conv(1→16) ReLU MaxPool Conv(16→32) ReLU MaxPool Linear(128→10); ``local``: the same with
    LocallyConnected2d layers; ``mlp``: 64-h-10 with the CNN's parameter count."""
    if kind == "mlp":
        return models.MLP([64, mlp_width(), 10])
    if kind == "cnn":
        first, second = nn.Conv2d(1, 16, 3, padding=1), nn.Conv2d(16, 32, 3, padding=1)
    elif kind == "local":
        first, second = nn.LocallyConnected2d(1, 16, 3, 8, padding=1), nn.LocallyConnected2d(16, 32, 3, 4, padding=1)
    else:
        raise ValueError(f"cnn-vs-fc: unknown net {kind!r}; expected one of {KINDS}")
    return nn.Sequential(first, nn.ReLU(), nn.MaxPool2d(2), second, nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(128, 10))


def one_pixel_moves(X: np.ndarray) -> list[np.ndarray]:
    return [shift_images(X, dy, dx) for dy, dx in ((1, 0), (-1, 0), (0, 1), (0, -1))]


def compute(quick: bool) -> Result:
    r = Result()
    Xtr, ytr, Xte, yte = digits_images()
    moved = one_pixel_moves(Xte)
    seeds = list(range(2 if quick else 5))
    acc = {k: [] for k in KINDS}
    acc_moved = {k: [] for k in KINDS}
    for seed in seeds:
        for kind in KINDS:
            backend.manual_seed(seed)
            model = make_net(kind)
            train_net(model, Xtr[:N_TRAIN], ytr[:N_TRAIN], STEPS, lr=LR, seed=seed)
            acc[kind].append(scores(model, Xte, yte)[0])
            acc_moved[kind].append(float(np.mean([scores(model, M, yte)[0] for M in moved])))
    rows = []
    for kind in KINDS:
        r.number(f"params_{kind}", count_params(make_net(kind)), f"count_params({LABELS[kind]})")
        r.number(f"acc_{kind}", float(np.mean(acc[kind])), f"test accuracy, {LABELS[kind]}, {len(seeds)} seeds")
        r.number(f"acc_moved_{kind}", float(np.mean(acc_moved[kind])), "the same on digits moved by one pixel")
        rows.append([LABELS[kind], r.numbers[f"params_{kind}"], r.numbers[f"acc_{kind}"],
                     r.numbers[f"acc_moved_{kind}"]])
    r.table(f"{N_TRAIN} training digits, {STEPS} full-batch Adam steps, mean of {len(seeds)} seeds",
            ["net", "parameters", "test accuracy", "test, moved 1 px"], rows)
    r.table("Test accuracy by seed", ["seed", *KINDS], [[s, *[acc[k][i] for k in KINDS]] for i, s in enumerate(seeds)])
    r.number("mlp_width", mlp_width())
    r.number("n_train", N_TRAIN)
    r.number("seeds", len(seeds))
    n = r.numbers
    r.number("local_over_cnn", n["params_local"] / n["params_cnn"], "parameters: unshared / shared")
    d = np.array(acc["cnn"]) - np.array(acc["mlp"])
    r.number("cnn_edge", float(d.mean()), "CNN − MLP test accuracy, paired by seed")
    r.number("cnn_edge_moved", n["acc_moved_cnn"] - n["acc_moved_mlp"])
    r.number("sharing_edge", n["acc_cnn"] - n["acc_local"], "CNN − locally connected")

    # the notes: connectivity is the only difference. Same connectivity without sharing gives another net.
    r.check("only-connectivity", n["params_local"] == n["params_cnn"] and abs(n["sharing_edge"]) < 2 / len(yte))
    margin = paired_margin(d, len(yte))
    r.verdict("cnn-wins-matched", "confirmed" if n["cnn_edge"] > margin else "corrected" if n["cnn_edge"] < -margin
              else "depends")
    r.condition(f"8x8 digits, {N_TRAIN} training images; the MLP is 64-{n['mlp_width']}-10 ({n['params_mlp']} "
                f"parameters against the CNN's {n['params_cnn']}); full-batch Adam (lr {LR}), {STEPS} steps; "
                f"'moved' averages the four one-pixel shifts.")

    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6.5, 3.4))
    xs = np.arange(len(KINDS))
    ax.bar(xs - 0.2, [n[f"acc_{k}"] for k in KINDS], 0.4, label="digits")
    ax.bar(xs + 0.2, [n[f"acc_moved_{k}"] for k in KINDS], 0.4, label="moved 1 px")
    ax.set_xticks(xs)
    ax.set_xticklabels([f"{k.upper() if k != 'local' else 'local, unshared'}\n{n[f'params_{k}']:,} params"
                        for k in KINDS], fontsize=8)
    ax.set(ylim=(0.3, 1.0), ylabel="test accuracy", title=f"{N_TRAIN} training digits")
    ax.title.set_fontsize(9)
    ax.legend(fontsize=7)
    fig.tight_layout()
    r.figure("cnn_vs_fc", fig, "From fully connected to local to shared: parameters and accuracy.")
    return r


ENTRY = Entry(
    id="cnn-vs-fc",
    section="C",
    title={"zh": "CNN 与全连接网络的区别", "en": "CNN vs. fully connected networks"},
    keywords=["CNN和传统的全连接神经网络有什么区别", "cnn", "fully connected", "全连接", "全连接的区别", "全连接神经网络", "mlp", "dnn", "卷积神经网络",
              "区别", "weight sharing", "权值共享", "local connectivity", "局部连接"],
    claims={
        "only-connectivity": {
            "en": "The notes: the only difference between a fully connected network and a CNN is how adjacent "
                  "layers are connected (in a CNN only some nodes are connected).",
            "zh": "笔记原文：全连接神经网络和卷积神经网络的唯一区别就是神经网络相邻两层的连接方式。"},
        "cnn-wins-matched": {
            "en": "The usual answer: on images a CNN does better than a fully connected network of the same size.",
            "zh": "常见答案：在图像上，同样规模的 CNN 比全连接网络效果更好。"},
    },
    answer={
        "en": r"""
A fully connected layer connects every input to every output with its own weight. A convolutional layer
differs in **two** ways: each output reads only a small window (**local connectivity**), and every window
uses the same filter (**weight sharing**). The notes name only the first. Separating them shows what each
contributes:

- the CNN (two 3x3 convs, pooling, a Linear) has {=params_cnn:,} parameters and scores {=acc_cnn:.3f};
- the same layout with *locally connected* layers (exactly the CNN's connections, but a separate filter at
  each position) has {=params_local:,} parameters ({=local_over_cnn:.0f}x) and scores {=acc_local:.3f};
- an MLP 64-{=mlp_width}-10 with the CNN's budget ({=params_mlp:,} parameters) scores {=acc_mlp:.3f}.

Same connectivity, different network: the difference in connections alone does not make a CNN.
With {=n_train} training images and {=seeds} seeds, the CNN's edge over the MLP of the same size is
{=cnn_edge:+.3f}; on digits moved by one pixel it is {=cnn_edge_moved:+.3f} ({=acc_moved_cnn:.3f} vs
{=acc_moved_mlp:.3f}). Sharing ties the parameter count to the filter size instead of the image size, lets
a pattern learned at one place be recognised at another, and with pooling tolerates small shifts; the MLP
and the locally connected net must learn each position separately from the same few images.

So: **what differs** — connectivity (local windows), sharing (one filter per feature), and with them the
layout of the layers as 3-D volumes (channels x height x width) rather than vectors; **what it buys** — far
fewer parameters and a prior that suits images. On data without spatial structure the prior buys nothing
(see unsuitable-data).
""",
        "zh": r"""
全连接层让每个输入与每个输出相连，每条连接有自己的权重。卷积层与它有**两处**不同：每个输出只读取一个小窗口（**局部连接**），
而且所有窗口使用同一个滤波器（**权值共享**）。笔记只说了第一处。把两者分开做实验，可以看到各自的作用：

- CNN（两个 3x3 卷积、池化、一个 Linear）有 {=params_cnn:,} 个参数，准确率 {=acc_cnn:.3f}；
- 同样的结构换成*局部连接*层（连接方式与 CNN 完全相同，但每个位置有自己的滤波器）有 {=params_local:,} 个参数（{=local_over_cnn:.0f} 倍），
  准确率 {=acc_local:.3f}；
- 与 CNN 参数量相同的 MLP 64-{=mlp_width}-10（{=params_mlp:,} 个参数）准确率 {=acc_mlp:.3f}。

连接方式相同，网络却不同：仅凭连接方式的差别并不能得到 CNN。用 {=n_train} 张训练图片、{=seeds} 个种子，同规模下 CNN 相对 MLP
的优势为 {=cnn_edge:+.3f}；把数字平移一个像素后为 {=cnn_edge_moved:+.3f}（{=acc_moved_cnn:.3f} 对 {=acc_moved_mlp:.3f}）。
权值共享让参数量取决于滤波器大小而不是图像大小，让在一个位置学到的模式可以在另一个位置被认出，配合池化还能容忍小平移；
MLP 和局部连接网络则必须从同样少的图片里为每个位置分别学习。

所以：**区别在于**——连接方式（局部窗口）、权值共享（每个特征一个滤波器），以及随之而来的把每层组织成三维（通道 x 高 x 宽）
而不是向量；**带来的是**——少得多的参数和适合图像的先验。对没有空间结构的数据，这个先验毫无帮助（见 unsuitable-data）。
""",
    },
    compute=compute,
)
