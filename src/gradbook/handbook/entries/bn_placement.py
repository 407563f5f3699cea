"""BN before or after the activation? The same small CNN with Conv→BN→ReLU and with Conv→ReLU→BN, trained
from the same initial weights on the embedded digits over several seeds: paired test accuracies, the share of
ReLU units left active, and a verdict from the seeds' spread."""
from __future__ import annotations

import copy

import numpy as np

from ... import backend, nn
from ...autograd import Tensor, no_grad
from ..entry import Entry
from ..result import Result
from ._small_nets import digits_images, one_blas_thread, paired_margin, scores, train_net

N_TRAIN, STEPS, LR = 256, 30, 1e-2
CHANNELS = (8, 16)
ORDERS = ("before", "after")   # BN before the ReLU (Conv→BN→ReLU) or after it (Conv→ReLU→BN)


def block(order: str, c_in: int, c_out: int) -> list[nn.Module]:
    """One conv block; the conv has no bias (BN's β takes its place in both orders)."""
    conv = nn.Conv2d(c_in, c_out, 3, padding=1, bias=False)
    if order == "before":
        return [conv, nn.BatchNorm2d(c_out), nn.ReLU()]
    if order == "after":
        return [conv, nn.ReLU(), nn.BatchNorm2d(c_out)]
    raise ValueError(f"bn-placement: order must be one of {ORDERS}, got {order!r}")


def small_cnn(order: str) -> nn.Sequential:
    """(N, 1, 8, 8) → two conv blocks → 2x2 max pool → Linear(16·4·4, 10)."""
    layers, c_in = [], 1
    for c_out in CHANNELS:
        layers += block(order, c_in, c_out)
        c_in = c_out
    return nn.Sequential(*layers, nn.MaxPool2d(2), nn.Flatten(), nn.Linear(c_in * 16, 10))


def same_start(seed: int) -> dict[str, nn.Sequential]:
    """Both orders from one seed's initial weights: the nets differ only in where BN sits."""
    backend.manual_seed(seed)
    nets = {order: small_cnn(order) for order in ORDERS}
    for source, target in zip(weighted(nets["before"]), weighted(nets["after"])):
        target.load_state_dict(source.state_dict())
    return nets


def weighted(model: nn.Sequential) -> list[nn.Module]:
    """The convs and the Linear, in order (the layers whose initial weights are drawn at random)."""
    return [m for m in model if isinstance(m, (nn.Conv2d, nn.Linear))]


def batch_statistics_forward(model: nn.Sequential, X: np.ndarray, upto_relu: bool = False) -> np.ndarray:
    """The model's output with BN normalising by X's own statistics (training mode), on a copy so that the
    running statistics are left alone; with ``upto_relu``, the first block's ReLU output instead."""
    twin = copy.deepcopy(model).train()
    h = Tensor(X)
    with no_grad(), one_blas_thread():
        for layer in twin:
            h = layer(h)
            if upto_relu and isinstance(layer, nn.ReLU):
                break
    return h.data


def relu_active(model: nn.Sequential, X: np.ndarray) -> float:
    """Share of the first block's ReLU outputs that are > 0, BN using the batch's statistics."""
    return float((batch_statistics_forward(model, X, upto_relu=True) > 0).mean())


MEASURES = {"eval": "running statistics (eval mode)", "batch": "the test set's own statistics"}


def compute(quick: bool) -> Result:
    r = Result()
    Xtr, ytr, Xte, yte = digits_images()
    X, y = Xtr[:N_TRAIN], ytr[:N_TRAIN]
    seeds = list(range(3 if quick else 10))
    acc = {(m, o): [] for m in MEASURES for o in ORDERS}
    loss = {o: [] for o in ORDERS}
    active = {o: [] for o in ORDERS}
    active_init = {}
    for seed in seeds:
        nets = same_start(seed)
        for order, model in nets.items():
            if seed == seeds[0]:
                active_init[order] = relu_active(model, X)
            history = train_net(model, X, y, STEPS, lr=LR, seed=seed)
            loss[order].append(float(history.last["loss"]))
            acc["eval", order].append(scores(model, Xte, yte)[0])
            acc["batch", order].append(float((batch_statistics_forward(model, Xte).argmax(1) == yte).mean()))
            active[order].append(relu_active(model, X))
    k = len(seeds)
    diff, margin = {}, {}
    for m, how in MEASURES.items():
        diff[m] = np.array(acc[m, "after"]) - np.array(acc[m, "before"])
        margin[m] = paired_margin(diff[m], len(yte), images=1)   # twice the standard error, at least one image
        for order in ORDERS:
            r.number(f"acc_{m}_{order}", float(np.mean(acc[m, order])),
                     f"mean test accuracy, BN {order} the ReLU, normalising by {how}, {k} seeds")
        r.number(f"diff_{m}", float(diff[m].mean()), f"mean paired difference after − before ({how})")
        r.number(f"diff_{m}_se", float(diff[m].std(ddof=1) / np.sqrt(k)), "its standard error over the seeds")
        r.number(f"after_wins_{m}", int((diff[m] > 0).sum()), f"seeds where BN after the ReLU scored higher ({how})")
    for order in ORDERS:
        r.number(f"loss_{order}", float(np.mean(loss[order])), f"mean final training loss, BN {order} the ReLU")
        r.number(f"active_{order}", float(np.mean(active[order])), "share of first-block ReLU outputs > 0, trained")
        r.number(f"active_init_{order}", active_init[order], "the same share at initialisation")
        r.number(f"stat_gap_{order}", r.numbers[f"acc_batch_{order}"] - r.numbers[f"acc_eval_{order}"],
                 "accuracy lost to the running statistics (batch − eval)")
    for name, value in (("seeds", k), ("n_train", N_TRAIN), ("steps", STEPS)):
        r.number(name, value)
    r.table(f"Test accuracy by seed ({N_TRAIN} training digits, {STEPS} full-batch Adam steps)",
            ["seed", "before (eval)", "after (eval)", "before (batch stats)", "after (batch stats)"],
            [[s, *(acc[m, o][i] for m in MEASURES for o in ORDERS)] for i, s in enumerate(seeds)])
    r.table("Means over the seeds", ["order", "test acc. (eval)", "test acc. (batch stats)", "final training loss",
                                     "ReLU active (init)", "ReLU active (trained)"],
            [[f"BN {o} ReLU", r.numbers[f"acc_eval_{o}"], r.numbers[f"acc_batch_{o}"], r.numbers[f"loss_{o}"],
              active_init[o], r.numbers[f"active_{o}"]] for o in ORDERS])

    n = r.numbers
    sign = {m: 1 if n[f"diff_{m}"] > margin[m] else -1 if n[f"diff_{m}"] < -margin[m] else 0 for m in MEASURES}
    r.verdict("after-is-better", "confirmed" if sign["eval"] == sign["batch"] == 1 else "corrected"
              if sign["eval"] == sign["batch"] == -1 else "contested" if sign["eval"] == sign["batch"] == 0
              else "depends")
    r.check("half-active", abs(active_init["before"] - 0.5) < 0.1, otherwise="corrected")
    r.condition(f"8x8 digits, {N_TRAIN} training images, CNN Conv(1→{CHANNELS[0]})–Conv({CHANNELS[0]}→{CHANNELS[1]}) "
                f"3x3 + max pool + Linear; full-batch Adam (lr {LR}) for {STEPS} steps, BN momentum 0.1; each seed "
                f"starts both orders from the same weights. Longer training lets the running statistics catch up; "
                f"other depths, widths and data sets may rank the orders differently.")

    import matplotlib.pyplot as plt
    fig, axs = plt.subplots(1, 2, figsize=(8, 3.2), sharey=True)
    for ax, (m, how) in zip(axs, MEASURES.items()):
        for i in range(k):
            ax.plot([0, 1], [acc[m, "before"][i], acc[m, "after"][i]], "-o", color="tab:gray", alpha=0.6, ms=4)
        ax.plot([0, 1], [n[f"acc_{m}_before"], n[f"acc_{m}_after"]], "-o", color="tab:red", lw=2, label="mean")
        ax.set_xticks([0, 1])
        ax.set_xticklabels(["Conv→BN→ReLU", "Conv→ReLU→BN"])
        ax.set(xlim=(-0.3, 1.3), title=f"BN normalising by {how}")
        ax.title.set_fontsize(9)
    axs[0].set_ylabel("test accuracy")
    axs[0].legend(fontsize=8)
    fig.tight_layout()
    r.figure("bn_placement_seeds", fig, f"Each grey line is one of {k} seeds: both orders from the same initial "
                                        "weights.")
    return r


ENTRY = Entry(
    id="bn-placement",
    section="D",
    title={"zh": "BN 放在激活前还是后", "en": "BN before or after the activation?"},
    keywords=["先加BN还是激活", "batch normalization", "BN", "placement", "位置", "before", "after", "ReLU", "激活", "先激活",
              "conv-bn-relu"],
    claims={
        "after-is-better": {
            "en": "The notes (\"先加BN还是激活 … (先激活)\"): in practice BN tends to go after the ReLU, and "
                  "evaluations show that BN after the ReLU works better.",
            "zh": "笔记原文：先加BN还是激活，有什么区别（先激活）。目前在实践上，倾向于把BN放在ReLU后面。也有评测表明BN放ReLU后面效果更好。"},
        "half-active": {
            "en": "The usual argument for BN before the ReLU: the standardised pre-activations keep about half of "
                  "the units active.",
            "zh": "支持 BN 放在 ReLU 之前的常见理由：标准化后的激活前值让大约一半的单元处于激活状态。"},
    },
    answer={
        "en": r"""
The two orders compute different things. **Conv→BN→ReLU** (the BN paper's choice, and ResNet's)
standardises the pre-activation $z$ and then clips it: $\max(0, \gamma\hat z + \beta)$, so $\beta$ acts as a
learned threshold and, at the start ($\gamma=1,\beta=0$), roughly half the units fire (here
{=active_init_before:.2f} of them). **Conv→ReLU→BN** standardises the rectified output, so the next layer
receives zero-mean, unit-variance inputs instead of non-negative ones; at the start
{=active_init_after:.2f} of its ReLU outputs are non-zero, set by the conv alone.

Which is better is an empirical question, so here is the experiment: one small CNN, both orders, {=seeds}
seeds, and in each seed both nets start from the *same* weights (BN has no weights of its own to differ), so
the paired difference isolates the order. On {=n_train} digits after {=steps} Adam steps, test accuracy with
BN in eval mode (its running statistics, as deployed) and, to see why, with BN normalising by the test set's
own statistics:

- BN before the ReLU: {=acc_eval_before:.3f} (eval), {=acc_batch_before:.3f} (batch statistics);
- BN after the ReLU: {=acc_eval_after:.3f} (eval), {=acc_batch_after:.3f} (batch statistics);
- paired difference after − before: {=diff_eval:+.4f} ± {=diff_eval_se:.4f} in eval mode,
  {=diff_batch:+.4f} ± {=diff_batch_se:.4f} with batch statistics (standard errors over the seeds).

The two measures can tell different stories, and the gap is the running statistics: they cost BN-after
{=stat_gap_after:.3f} of accuracy and BN-before {=stat_gap_before:.3f}. The training itself is not the problem
(final training loss {=loss_after:.4f} after vs {=loss_before:.4f} before); a plausible reason, not measured
here, is that the statistics of rectified outputs drift more while the conv below them changes, so BN's
momentum averages lag further behind. Training longer gives them time to catch up. A difference counts here
only if it exceeds twice its standard error and one test image; the verdict says `confirmed` or `corrected`
only when both measures agree, `depends` when they differ. Reported benchmarks go both ways too. Use
Conv→BN→ReLU by default (it is what pretrained models and fused inference expect: BN folds into the preceding
conv's weights only when it comes right after it), and treat the other order as a hyperparameter.
""",
        "zh": r"""
两种顺序计算的东西不同。**Conv→BN→ReLU**（BN 原论文和 ResNet 的做法）先把激活前的值 $z$ 标准化再截断：
$\max(0, \gamma\hat z + \beta)$，于是 $\beta$ 相当于一个可学习的阈值；初始时（$\gamma=1,\beta=0$）大约一半单元被激活
（这里是 {=active_init_before:.2f}）。**Conv→ReLU→BN** 标准化的是 ReLU 的输出，下一层得到的是零均值、单位方差的输入，
而不是非负的输入；初始时它的 ReLU 输出中有 {=active_init_after:.2f} 不为零，完全由卷积决定。

哪个更好是经验问题，所以这里做实验：同一个小 CNN，两种顺序，{=seeds} 个种子；每个种子下两个网络从*相同*的权重出发
（BN 本身在初始时没有不同的权重），所以配对差只反映顺序。在 {=n_train} 张 digits 上训练 {=steps} 步 Adam 后，分别用 eval 模式
（BN 用滑动平均统计量，即部署时的做法）和——为了看清原因——用测试集自身的统计量做归一化，测试准确率为：

- BN 在 ReLU 之前：{=acc_eval_before:.3f}（eval），{=acc_batch_before:.3f}（批统计量）；
- BN 在 ReLU 之后：{=acc_eval_after:.3f}（eval），{=acc_batch_after:.3f}（批统计量）；
- 配对差（后 − 前）：eval 模式下 {=diff_eval:+.4f} ± {=diff_eval_se:.4f}，用批统计量时 {=diff_batch:+.4f} ± {=diff_batch_se:.4f}
  （标准误按种子计算）。

两种度量可能给出不同的结论，差别来自滑动平均统计量：它让"BN 在后"损失 {=stat_gap_after:.3f} 的准确率，让"BN 在前"损失
{=stat_gap_before:.3f}。问题不在训练本身（最终训练损失：在后 {=loss_after:.4f}，在前
{=loss_before:.4f}）；一个可能的原因（这里没有测量）是：下面的卷积还在变化时，截断后输出的统计量漂移得更多，所以 BN 的动量平均
滞后得更远。训练更久，平均值就有时间追上。只有差值同时超过
两倍标准误和一张测试图片才算数；只有两种度量一致时结论才是 `confirmed` 或 `corrected`，不一致时为 `depends`。公开的评测
两种结论都有。默认用 Conv→BN→ReLU（预训练模型和推理时的融合都按这个顺序：只有 BN 紧跟在卷积之后，才能折叠进卷积的权重），
把另一种顺序当作超参数去试。
""",
    },
    compute=compute,
)
