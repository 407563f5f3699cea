"""Dropout: inverted scaling keeps the expected activation, train vs eval, the train/test gap of a
small over-parameterised MLP on 50 digits with and without it, and the scaled full net against the
average of sampled thinned nets."""
from __future__ import annotations

import numpy as np

from ... import backend, nn
from ...autograd import Tensor, no_grad
from ...data import digits
from ...nn import functional as F
from ..entry import Entry
from ..result import Result


def digits_arrays():
    train, test = digits()
    Xtr, ytr = (np.asarray(t) for t in train.tensors)
    Xte, yte = (np.asarray(t) for t in test.tensors)
    return Xtr.reshape(len(Xtr), -1), ytr, Xte.reshape(len(Xte), -1), yte


class MLP:
    """64-128-128-10 with ReLU and dropout after each hidden layer."""

    def __init__(self, p: float, width: int = 128):
        self.p = p
        self.layers = [nn.Linear(64, width), nn.Linear(width, width), nn.Linear(width, 10)]

    def parameters(self):
        return [q for layer in self.layers for q in layer.parameters()]

    def __call__(self, x: np.ndarray, training: bool) -> Tensor:
        h = Tensor(x)
        for layer in self.layers[:-1]:
            h = F.dropout(F.relu(layer(h)), self.p, training=training)
        return self.layers[-1](h)


def train(p: float, data, n: int, steps: int, seed: int) -> MLP:
    from ... import optim  # imported here so that the registry never depends on it

    Xtr, ytr, _, _ = data
    backend.manual_seed(seed)
    model = MLP(p)
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    for _ in range(steps):
        loss = F.cross_entropy(model(Xtr[:n], training=True), Tensor(ytr[:n]))
        opt.zero_grad()
        loss.backward()
        opt.step()
    return model


def accuracy(logits: np.ndarray, y: np.ndarray) -> float:
    return float((logits.argmax(1) == y).mean())


def compute(quick: bool) -> Result:
    r = Result()
    # inverted dropout on a vector of ones
    p = 0.3
    backend.manual_seed(0)
    x = Tensor(np.ones(200_000, np.float32), requires_grad=True)
    y = F.dropout(x, p, training=True)
    y.sum().backward()
    kept = y.data[y.data != 0]
    r.number("p", p)
    r.number("mean_train", float(y.data.mean()), f"F.dropout(ones(200000), {p}, training=True).mean()")
    r.number("kept_value", float(kept.max()), "value of a kept unit")
    r.number("kept_value_min", float(kept.min()))
    r.number("drop_fraction", float((y.data == 0).mean()), "share of zeros")
    r.number("grad_equals_mask", float(np.abs(x.grad.data - y.data).max()), "x.grad − mask/(1 − p)")
    r.number("eval_err", float(np.abs(F.dropout(x, p, training=False).data - x.data).max()),
             "F.dropout(x, p, training=False) − x")
    r.number("dtype", str(y.dtype))

    data = digits_arrays()
    Xtr, ytr, Xte, yte = data
    n = 50
    steps = 60 if quick else 300
    seeds = [0] if quick else [0, 1, 2]
    rates = [0.0, 0.5] if quick else [0.0, 0.3, 0.5]
    rows, gaps, models = [], {}, {}
    for rate in rates:
        tr_acc, te_acc = [], []
        for s in seeds:
            m = train(rate, data, n, steps, s)
            models[rate, s] = m
            with no_grad():
                tr_acc.append(accuracy(m(Xtr[:n], False).data, ytr[:n]))
                te_acc.append(accuracy(m(Xte, False).data, yte))
        gaps[rate] = float(np.mean(tr_acc) - np.mean(te_acc))
        rows.append([rate, float(np.mean(tr_acc)), float(np.mean(te_acc)), gaps[rate]])
        tag = str(rate).replace(".", "_")
        r.number(f"train_acc_p{tag}", float(np.mean(tr_acc)))
        r.number(f"test_acc_p{tag}", float(np.mean(te_acc)), f"digits test accuracy, dropout p={rate}")
        r.number(f"gap_p{tag}", gaps[rate])
    r.table(f"64-128-128-10 MLP on {n} training digits, SGD, {steps} steps", ["dropout p", "train acc",
                                                                               "test acc", "gap"], rows)
    r.condition(f"{n} training images of digits, 2 hidden layers of 128, SGD (lr 0.1, momentum 0.9), {steps} "
                f"full-batch steps, {len(seeds)} seed(s)")

    # the scaled full network against the average of sampled thinned networks
    m = models[0.5, 0]
    T = 50 if quick else 500
    with no_grad():
        full = m(Xte, training=False).data
        backend.manual_seed(1)
        probs = np.mean([F.softmax(m(Xte, training=True), dim=1).data for _ in range(T)], axis=0)
        single = m(Xte, training=True).data
    r.number("T", T)
    r.number("acc_full_scaled", accuracy(full, yte), "eval-mode net (all units, inverted scaling)")
    r.number("acc_mc_average", accuracy(probs, yte), f"average of {T} sampled thinned nets' softmax")
    r.number("acc_single_subnet", accuracy(single, yte), "one sampled thinned net")
    r.number("agreement", float((full.argmax(1) == probs.argmax(1)).mean()), "same predicted class, full vs average")

    r.check("inverted-scaling", abs(r.numbers["mean_train"] - 1) < 0.01 and r.numbers["eval_err"] == 0
            and abs(r.numbers["kept_value"] - 1 / (1 - p)) < 1e-6 and r.numbers["grad_equals_mask"] == 0)
    best = min(gaps[q] for q in rates if q > 0)
    r.check("reduces-gap", best < gaps[0.0] - 0.01, otherwise="depends")
    r.check("ensemble", r.numbers["agreement"] > 0.9
            and abs(r.numbers["acc_full_scaled"] - r.numbers["acc_mc_average"]) < 0.03)

    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(5, 3.2))
    xs = np.arange(len(rates))
    ax.bar(xs - 0.2, [row[1] for row in rows], 0.4, label="train")
    ax.bar(xs + 0.2, [row[2] for row in rows], 0.4, label="test")
    ax.set_xticks(xs)
    ax.set_xticklabels([f"p = {q}" for q in rates])
    ax.set(ylabel="accuracy", ylim=(0.5, 1.02), title=f"Dropout on {n} training digits")
    ax.legend(fontsize=8)
    r.figure("dropout_gap", fig, "Train and test accuracy with and without dropout.")
    return r


ENTRY = Entry(
    id="dropout",
    section="A",
    title={"zh": "dropout 的原理", "en": "How does dropout work, and why does it help?"},
    keywords=["dropout", "随机失活", "inverted dropout", "ensemble", "集成", "过拟合", "overfitting", "train", "eval"],
    claims={
        "inverted-scaling": {
            "en": "Inverted dropout zeroes each unit with probability p and scales the kept ones by 1/(1 − p), so the expected activation is unchanged and evaluation needs no rescaling.",
            "zh": "inverted dropout 以概率 p 把神经元置零，并把保留的乘以 1/(1 − p)，期望不变，测试时无需再缩放。"},
        "reduces-gap": {
            "en": "Dropout reduces overfitting: the gap between training and test accuracy shrinks.",
            "zh": "dropout 能减轻过拟合：训练与测试准确率之间的差距变小。"},
        "ensemble": {
            "en": "Dropout trains an ensemble of thinned networks; the full network with scaled weights approximates their average.",
            "zh": "dropout 相当于训练许多\"变瘦\"的子网络的集成；缩放后的完整网络近似它们的平均。"},
    },
    answer={
        "en": r"""
During training, dropout multiplies each activation by an independent mask $m_i \sim \mathrm{Bernoulli}(1-p)$.
gradbook (like PyTorch) uses **inverted** dropout: $y_i = m_i x_i/(1-p)$, so $E[y_i] = x_i$ and the network
in evaluation mode is used as is. On a vector of ones with $p$ = {=p}: the mean stays {=mean_train:.4f},
kept units become {=kept_value:.4f} $= 1/(1-p)$, a share {=drop_fraction:.4f} is zero, the gradient is the
same scaled mask, and `training=False` returns the input unchanged.

Why it helps: a unit cannot rely on particular partners (they may be absent), which discourages
co-adaptation, and every step trains a different thinned network sharing the same weights — an
ensemble of $2^n$ sub-networks. Evaluating the full network is a cheap approximation to averaging
them: on digits, {=T} sampled thinned nets averaged reach accuracy {=acc_mc_average:.3f}, the scaled full
network {=acc_full_scaled:.3f} (same prediction for {=agreement:.3f} of test images); one thinned net alone
gets {=acc_single_subnet:.3f}.

Does it reduce overfitting? With 50 training images, both nets fit the training set
({=train_acc_p0_0:.3f} without dropout, {=train_acc_p0_5:.3f} with $p = 0.5$); test accuracy is
{=test_acc_p0_0:.3f} against {=test_acc_p0_5:.3f}. The difference is small and depends on the model size,
the amount of data and the training length; dropout is one regulariser among several, and nets with
batch norm often need little of it.
""",
        "zh": r"""
训练时 dropout 把每个激活乘以独立的掩码 $m_i \sim \mathrm{Bernoulli}(1-p)$。gradbook（与 PyTorch 一样）使用 **inverted**
dropout：$y_i = m_i x_i/(1-p)$，所以 $E[y_i] = x_i$，测试时网络直接使用即可。对全 1 向量取 $p$ = {=p}：均值仍为
{=mean_train:.4f}，保留的单元变为 {=kept_value:.4f} $= 1/(1-p)$，置零比例为 {=drop_fraction:.4f}，梯度就是同一个缩放后的掩码，
`training=False` 时输入原样返回。

为什么有效：一个神经元不能依赖特定的"搭档"（它们可能被丢弃），从而抑制了共适应；每一步训练的都是共享权重的不同"瘦"网络——
相当于 $2^n$ 个子网络的集成。测试时用完整网络是对它们取平均的廉价近似：在 digits 上，{=T} 个采样子网络平均后准确率为
{=acc_mc_average:.3f}，缩放后的完整网络为 {=acc_full_scaled:.3f}（{=agreement:.3f} 的测试图片预测相同）；单个子网络只有 {=acc_single_subnet:.3f}。

它能减轻过拟合吗？只用 50 张训练图片时，两个网络都能拟合训练集（无 dropout {=train_acc_p0_0:.3f}，$p = 0.5$ 时
{=train_acc_p0_5:.3f}）；测试准确率分别为 {=test_acc_p0_0:.3f} 和 {=test_acc_p0_5:.3f}。差别不大，且取决于模型大小、数据量和训练时长；
dropout 只是多种正则化手段之一，使用 BN 的网络往往不太需要它。
""",
    },
    compute=compute,
)
