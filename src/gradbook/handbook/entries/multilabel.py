"""Losses for binary, multi-class and multi-label classification: one table, a worked multi-label
example, and a linear model trained with sigmoid + BCE against softmax + CE on multi-label data."""
from __future__ import annotations

import numpy as np

from ... import backend
from ...autograd import Tensor, no_grad
from ...nn import functional as F
from ..entry import Entry
from ..result import Result

LOGITS = [2.0, -1.0, 0.5]
TARGETS = [1.0, 0.0, 1.0]


def multilabel_data(n: int, seed: int = 0):
    """X (n, 6); 4 independent labels y_k = [x·w_k + noise > 0.3]."""
    rng = backend.spawn_rng(seed)
    X = rng.normal(size=(n, 6))
    W = rng.normal(size=(6, 4))
    Y = ((X @ W + rng.normal(0, 0.3, (n, 4))) > 0.3).astype(float)
    return X, Y


def train_linear(kind: str, X, Y, steps: int, seed: int = 0):
    """A 6 → 4 linear layer trained with Adam: 'bce' = sigmoid per label + binary cross-entropy;
    'softmax' = softmax over labels + cross-entropy against the normalised label vector."""
    from ... import nn, optim  # imported here so that the registry never depends on it

    backend.manual_seed(seed)
    layer = nn.Linear(6, 4, dtype=np.float64)
    opt = optim.Adam(layer.parameters(), lr=0.05)
    Xt, Yt = Tensor(X), Tensor(Y)
    soft = Tensor(Y / np.maximum(Y.sum(axis=1, keepdims=True), 1))
    for _ in range(steps):
        z = layer(Xt)
        if kind == "bce":
            loss = F.binary_cross_entropy_with_logits(z, Yt)
        else:
            loss = -(soft * F.log_softmax(z, dim=1)).sum(dim=1).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    return layer


def compute(quick: bool) -> Result:
    r = Result()
    z = Tensor(np.array([LOGITS]), requires_grad=True)
    y = Tensor(np.array([TARGETS]))
    loss = F.binary_cross_entropy_with_logits(z, y)
    loss.backward()
    per_label = F.binary_cross_entropy_with_logits(Tensor(np.array([LOGITS])), y, reduction="none").data[0]
    r.number("bce_mean", float(loss.item()), "F.binary_cross_entropy_with_logits([[2, -1, 0.5]], [[1, 0, 1]])")
    r.number("bce_per_label", [round(float(v), 6) for v in per_label], "reduction='none'")
    r.number("bce_grad", [round(float(v), 6) for v in z.grad.data[0]], "dL/dz = (σ(z) − y)/K")
    r.number("sigmoid_probs", [round(float(v), 4) for v in F.sigmoid(Tensor(np.array(LOGITS))).data], "σ(z)")
    sm = F.softmax(Tensor(np.array([LOGITS])), dim=1).data[0]
    r.number("softmax_probs", [round(float(v), 4) for v in sm], "F.softmax(z)")
    two = F.softmax(Tensor(np.array([[1.3, 0.0]])), dim=1).data[0, 0]
    r.number("two_class_softmax_vs_sigmoid", float(abs(two - 1 / (1 + np.exp(-1.3)))), "softmax([z, 0])[0] − σ(z)")

    n, steps = (400, 150) if quick else (2000, 600)
    X_all, Y_all = multilabel_data(n + 2000)
    X, Y, Xte, Yte = X_all[:n], Y_all[:n], X_all[n:], Y_all[n:]
    rows = {}
    for kind in ("bce", "softmax"):
        layer = train_linear(kind, X, Y, steps)
        with no_grad():
            zt = layer(Tensor(Xte)).data
        probs = 1 / (1 + np.exp(-zt)) if kind == "bce" else F.softmax(Tensor(zt), dim=1).data
        pred = probs > 0.5
        rows[kind] = {"hamming": float((pred == (Yte > 0)).mean()),
                      "exact": float((pred == (Yte > 0)).all(axis=1).mean()),
                      "max_positive": int(pred.sum(axis=1).max())}
        if kind == "softmax":  # give softmax its best chance: predict the top-k with the true k
            k = Yte.sum(axis=1).astype(int)
            ranks = np.argsort(-probs, axis=1).argsort(axis=1)
            topk = ranks < k[:, None]
            rows["softmax top-k (true k)"] = {"hamming": float((topk == (Yte > 0)).mean()),
                                              "exact": float((topk == (Yte > 0)).all(axis=1).mean()),
                                              "max_positive": int(topk.sum(axis=1).max())}
    for kind, v in rows.items():
        key = kind.split()[0] if kind != "softmax top-k (true k)" else "topk"
        r.number(f"hamming_{key}", v["hamming"], f"per-label accuracy, {kind}")
        r.number(f"exact_{key}", v["exact"], f"exact-match accuracy, {kind}")
        r.number(f"max_positive_{key}", v["max_positive"], "most labels predicted for one sample")
    r.number("mean_labels", float(Yte.sum(axis=1).mean()), "average number of true labels per sample")
    r.table("Which output and loss", ["task", "output", "loss", "gradbook", "dL/dz"],
            [["binary", "1 logit, sigmoid", "binary cross-entropy", "F.binary_cross_entropy_with_logits", "σ(z) − y"],
             ["multi-class (one label)", "K logits, softmax", "cross-entropy", "F.cross_entropy", "softmax(z) − onehot"],
             ["multi-label (any subset)", "K logits, sigmoid each", "BCE per label, averaged",
              "F.binary_cross_entropy_with_logits on (N, K)", "(σ(z) − y)/K"]])
    r.table(f"Linear model on 4 independent labels ({n} training samples, threshold 0.5)",
            ["output + loss", "per-label accuracy", "exact match", "most labels predicted"],
            [[k, v["hamming"], v["exact"], v["max_positive"]] for k, v in rows.items()])

    hand = [np.log1p(np.exp(-LOGITS[0])), np.log1p(np.exp(LOGITS[1])), np.log1p(np.exp(-LOGITS[2]))]
    r.check("sigmoid-bce", np.allclose(per_label, hand, atol=1e-12) and rows["bce"]["exact"] > rows["softmax"]["exact"]
            and rows["bce"]["hamming"] > rows["softmax"]["hamming"])
    r.check("softmax-one-label", rows["softmax"]["max_positive"] <= 1 and r.numbers["mean_labels"] > 1.2)
    r.check("binary-same", r.numbers["two_class_softmax_vs_sigmoid"] < 1e-12)

    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(5, 3))
    xs = np.arange(3)
    ax.bar(xs - 0.2, r.numbers["sigmoid_probs"], 0.4, label="sigmoid (independent)")
    ax.bar(xs + 0.2, r.numbers["softmax_probs"], 0.4, label="softmax (sum to 1)")
    ax.axhline(0.5, color="grey", ls=":")
    ax.set_xticks(xs)
    ax.set_xticklabels([f"label {i + 1}\ny={int(t)}" for i, t in enumerate(TARGETS)])
    ax.set(ylabel="probability", title="Logits [2, -1, 0.5]")
    ax.legend(fontsize=7)
    r.figure("multilabel", fig, "Sigmoid can mark labels 1 and 3 both positive; softmax must share one unit of probability.")
    return r


ENTRY = Entry(
    id="multilabel",
    section="F",
    title={"zh": "多标签分类的损失函数", "en": "Losses for binary, multi-class, multi-label"},
    keywords=["multi-label", "multilabel", "多标签", "多分类", "二分类", "BCE", "binary cross entropy", "sigmoid",
              "softmax", "交叉熵"],
    claims={
        "sigmoid-bce": {
            "en": "Multi-label classification uses one sigmoid per label with binary cross-entropy, averaged over the labels.",
            "zh": "多标签分类对每个标签用一个 sigmoid 加二分类交叉熵，再对各标签取平均。"},
        "softmax-one-label": {
            "en": "A softmax output cannot mark several labels as present: at most one probability can exceed 0.5.",
            "zh": "softmax 输出无法同时标出多个标签：最多只有一个概率能超过 0.5。"},
        "binary-same": {
            "en": "For two classes, a softmax over two logits is a sigmoid of their difference.",
            "zh": "两类时，两个 logit 的 softmax 等于它们之差的 sigmoid。"},
    },
    answer={
        "en": r"""
The output layer and the loss follow from what the labels are:
- **binary**: one logit $z$, $p = \sigma(z)$, binary cross-entropy $-y\log p-(1-y)\log(1-p)$;
- **multi-class** (exactly one of $K$): $K$ logits, softmax, cross-entropy $-\log p_y$;
- **multi-label** (any subset of $K$): $K$ logits, a sigmoid **each**, binary cross-entropy per label, averaged.

The labels of a multi-label problem are separate yes/no questions, so each gets its own Bernoulli
output; softmax would force them to compete for one unit of probability. For logits $[2, -1, 0.5]$ and
targets $[1, 0, 1]$, `binary_cross_entropy_with_logits` gives per-label losses {=bce_per_label} (mean
{=bce_mean:.4f}) and gradient {=bce_grad}, i.e. $(\sigma(z)-y)/K$. The sigmoids {=sigmoid_probs} mark labels 1
and 3 as present; the softmax {=softmax_probs} cannot — its probabilities sum to 1, so at most one exceeds 0.5.

On data with 4 independent labels (on average {=mean_labels:.2f} present), a linear model trained with
sigmoid + BCE reaches per-label accuracy {=hamming_bce:.3f} and exact-match accuracy {=exact_bce:.3f}; trained
with softmax + cross-entropy on the normalised label vector it gets {=hamming_softmax:.3f} and
{=exact_softmax:.3f} at threshold 0.5 (never more than {=max_positive_softmax} label per sample). Told the true
number of labels of each sample — information no real model has — its top-$k$ reaches {=exact_topk:.3f}:
softmax can rank the labels, but it cannot say how many are present. For two classes nothing is lost either way:
softmax over $[z, 0]$ is $\sigma(z)$ (difference {=two_class_softmax_vs_sigmoid:.1e}).
""",
        "zh": r"""
输出层和损失由标签的性质决定：
- **二分类**：一个 logit $z$，$p = \sigma(z)$，二分类交叉熵 $-y\log p-(1-y)\log(1-p)$；
- **多分类**（$K$ 类中恰好一类）：$K$ 个 logit，softmax，交叉熵 $-\log p_y$；
- **多标签**（$K$ 个标签的任意子集）：$K$ 个 logit，**各自**过 sigmoid，每个标签算二分类交叉熵后取平均。

多标签问题的各个标签是彼此独立的是/否问题，所以每个标签都有自己的伯努利输出；softmax 会迫使它们争夺总和为 1 的概率。
logit 为 $[2, -1, 0.5]$、目标为 $[1, 0, 1]$ 时，`binary_cross_entropy_with_logits` 给出各标签损失 {=bce_per_label}（平均
{=bce_mean:.4f}），梯度为 {=bce_grad}，即 $(\sigma(z)-y)/K$。sigmoid 概率 {=sigmoid_probs} 把标签 1 和 3 都判为存在；softmax 概率
{=softmax_probs} 做不到——它们的和为 1，最多只有一个超过 0.5。

在 4 个独立标签的数据上（平均每个样本有 {=mean_labels:.2f} 个标签），用 sigmoid + BCE 训练的线性模型逐标签准确率为
{=hamming_bce:.3f}，完全匹配准确率为 {=exact_bce:.3f}；用 softmax + 交叉熵（目标为归一化的标签向量）训练，在阈值 0.5 下分别为
{=hamming_softmax:.3f} 和 {=exact_softmax:.3f}（每个样本最多只预测 {=max_positive_softmax} 个标签）。若告诉它每个样本真实的标签个数
（真实模型并不知道这一信息），取前 $k$ 个的完全匹配可达 {=exact_topk:.3f}：softmax 能给标签排序，却无法判断有几个标签存在。两类问题则两种写法等价：$[z, 0]$ 的 softmax 就是 $\sigma(z)$（差值 {=two_class_softmax_vs_sigmoid:.1e}）。
""",
    },
    compute=compute,
)
