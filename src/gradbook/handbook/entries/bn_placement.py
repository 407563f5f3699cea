"""BN before or after the activation? The same small CNN with Conv→BN→ReLU and with Conv→ReLU→BN, trained
from the same initial weights on the embedded digits over several seeds: paired test accuracies, the share of
ReLU units left active, and a verdict from the seeds' spread."""
from __future__ import annotations

import numpy as np

from ... import backend, nn
from ...autograd import Tensor, no_grad
from ..entry import Entry
from ..result import Result
from ._small_nets import digits_images, one_blas_thread, scores, train_net

N_TRAIN, STEPS, LR = 300, 40, 1e-2
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


def relu_active(model: nn.Sequential, X: np.ndarray) -> float:
    """Share of the first block's ReLU outputs that are > 0 (training-mode BN: the batch's statistics)."""
    was_training = model.training
    model.train()
    h = Tensor(X)
    try:
        with no_grad(), one_blas_thread():
            for layer in model:
                h = layer(h)
                if isinstance(layer, nn.ReLU):
                    return float((h.data > 0).mean())
    finally:
        model.train(was_training)
    raise ValueError("bn-placement: the model has no ReLU")


def compute(quick: bool) -> Result:
    r = Result()
    Xtr, ytr, Xte, yte = digits_images()
    X, y = Xtr[:N_TRAIN], ytr[:N_TRAIN]
    seeds = list(range(3 if quick else 10))
    acc = {o: [] for o in ORDERS}
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
            acc[order].append(scores(model, Xte, yte)[0])
            active[order].append(relu_active(model, X))
    diff = np.array(acc["after"]) - np.array(acc["before"])
    k = len(seeds)
    se = float(diff.std(ddof=1) / np.sqrt(k))
    for order in ORDERS:
        r.number(f"acc_{order}", float(np.mean(acc[order])), f"mean test accuracy, BN {order} the ReLU, {k} seeds")
        r.number(f"loss_{order}", float(np.mean(loss[order])), f"mean final training loss, BN {order} the ReLU")
        r.number(f"active_{order}", float(np.mean(active[order])), "share of first-block ReLU outputs > 0, trained")
        r.number(f"active_init_{order}", active_init[order], "the same share at initialisation")
    r.number("diff", float(diff.mean()), "mean paired difference, after − before (same seed, same initial weights)")
    r.number("diff_se", se, "standard error of that difference over the seeds")
    r.number("after_wins", int((diff > 0).sum()), "seeds where BN after the ReLU scored higher")
    r.number("before_wins", int((diff < 0).sum()), "seeds where BN before the ReLU scored higher")
    r.number("seeds", k)
    r.number("n_train", N_TRAIN)
    r.number("steps", STEPS)
    r.table(f"Test accuracy by seed ({N_TRAIN} training digits, {STEPS} full-batch Adam steps)",
            ["seed", "BN before ReLU", "BN after ReLU", "after − before"],
            [[s, acc["before"][i], acc["after"][i], float(diff[i])] for i, s in enumerate(seeds)])
    r.table("Means over the seeds", ["order", "test accuracy", "final training loss", "ReLU active (init)",
                                     "ReLU active (trained)"],
            [[f"BN {o} ReLU", r.numbers[f"acc_{o}"], r.numbers[f"loss_{o}"], active_init[o],
              r.numbers[f"active_{o}"]] for o in ORDERS])

    # a difference counts when it exceeds twice its standard error and one test image
    margin = max(2 * se, 1 / len(yte))
    n = r.numbers
    r.verdict("after-is-better", "confirmed" if n["diff"] > margin else "corrected" if n["diff"] < -margin
              else "contested")
    r.check("half-active", abs(active_init["before"] - 0.5) < 0.1, otherwise="corrected")
    r.condition(f"8x8 digits, {N_TRAIN} training images, CNN Conv(1→{CHANNELS[0]})–Conv({CHANNELS[0]}→{CHANNELS[1]}) "
                f"3x3 + max pool + Linear; full-batch Adam (lr {LR}) for {STEPS} steps; each seed starts both "
                f"orders from the same weights. Other depths, widths, data sets and schedules may rank them "
                f"differently.")

    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(5, 3.2))
    for i in range(k):
        ax.plot([0, 1], [acc["before"][i], acc["after"][i]], "-o", color="tab:gray", alpha=0.6, ms=4)
    ax.plot([0, 1], [n["acc_before"], n["acc_after"]], "-o", color="tab:red", lw=2, label="mean")
    ax.set_xticks([0, 1])
    ax.set_xticklabels(["Conv→BN→ReLU", "Conv→ReLU→BN"])
    ax.set(xlim=(-0.3, 1.3), ylabel="test accuracy", title=f"{k} seeds, same initial weights per seed")
    ax.title.set_fontsize(9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    r.figure("bn_placement_seeds", fig, "Each grey line is one seed: both orders from the same initial weights.")
    return r


ENTRY = Entry(
    id="bn-placement",
    section="D",
    title={"zh": "BN 放在激活前还是后", "en": "BN before or after the activation?"},
    keywords=["batch normalization", "BN", "placement", "位置", "before", "after", "ReLU", "激活", "先激活",
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
the paired difference isolates the order. On {=n_train} digits after {=steps} Adam steps:

- BN before the ReLU: test accuracy {=acc_before:.3f}, final training loss {=loss_before:.3f};
- BN after the ReLU: test accuracy {=acc_after:.3f}, final training loss {=loss_after:.3f};
- paired difference (after − before) {=diff:+.4f} ± {=diff_se:.4f} (standard error); after wins
  {=after_wins} seeds, before wins {=before_wins}.

A difference counts here only if it exceeds both twice its standard error and one test image. The verdict on
the notes' "BN after the ReLU works better" is read from those numbers (see above); reported benchmarks go
both ways, and at this scale the order matters far less than the seed. Use Conv→BN→ReLU by default (it is what
pretrained models and fused inference kernels expect: BN folds into the preceding conv's weights only when it
comes right after it), and try the other order as a hyperparameter if you care about the last few tenths.
""",
        "zh": r"""
两种顺序计算的东西不同。**Conv→BN→ReLU**（BN 原论文和 ResNet 的做法）先把激活前的值 $z$ 标准化再截断：
$\max(0, \gamma\hat z + \beta)$，于是 $\beta$ 相当于一个可学习的阈值；初始时（$\gamma=1,\beta=0$）大约一半单元被激活
（这里是 {=active_init_before:.2f}）。**Conv→ReLU→BN** 标准化的是 ReLU 的输出，下一层得到的是零均值、单位方差的输入，
而不是非负的输入；初始时它的 ReLU 输出中有 {=active_init_after:.2f} 不为零，完全由卷积决定。

哪个更好是经验问题，所以这里做实验：同一个小 CNN，两种顺序，{=seeds} 个种子；每个种子下两个网络从*相同*的权重出发
（BN 本身在初始时没有不同的权重），所以配对差只反映顺序。在 {=n_train} 张 digits 上训练 {=steps} 步 Adam 后：

- BN 在 ReLU 之前：测试准确率 {=acc_before:.3f}，最终训练损失 {=loss_before:.3f}；
- BN 在 ReLU 之后：测试准确率 {=acc_after:.3f}，最终训练损失 {=loss_after:.3f}；
- 配对差（后 − 前）{=diff:+.4f} ± {=diff_se:.4f}（标准误）；"之后"赢 {=after_wins} 个种子，"之前"赢 {=before_wins} 个。

只有当差值同时超过两倍标准误和一张测试图片时才算有差别。笔记"BN 放 ReLU 后面效果更好"的结论由这些数字判定（见上）；
公开的评测两种结论都有，在这个规模上顺序的影响远小于随机种子。默认用 Conv→BN→ReLU（预训练模型和推理时的融合都按这个顺序：
只有 BN 紧跟在卷积之后，才能折叠进卷积的权重），若在意最后零点几个百分点，再把顺序当作超参数去试。
""",
    },
    compute=compute,
)
