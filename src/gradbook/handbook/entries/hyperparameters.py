"""Which hyperparameters matter: one ReLU MLP on the digits, SGD, and each of the notes' six main
hyperparameters (learning rate, L2 strength, depth, width, epochs, batch size) swept alone around one
base setting over the range people search; the spread of validation accuracy ranks them. Then the
notes' "broad strategy" (simplify, monitor): a learning rate chosen on a small, short problem, tried on
the full one."""
from __future__ import annotations

import time

import numpy as np

from ... import optim
from ...autograd import Tensor, no_grad
from ...nn import functional as F
from ..entry import Entry
from ..result import Result
from ._small_nets import digits_images, one_blas_thread

BASE = {"lr": 0.1, "weight_decay": 1e-4, "layers": 1, "width": 32, "epochs": 8, "batch_size": 32}
SWEEPS = {
    "lr": [1e-3, 1e-2, 0.1, 0.5, 2.0],
    "weight_decay": [0.0, 1e-3, 1e-2, 3e-2, 0.1],
    "layers": [1, 2, 3, 4],
    "width": [4, 8, 32, 128],
    "epochs": [1, 2, 8, 24],
    "batch_size": [8, 32, 128, 512],
}
NAMES = {"lr": ("learning rate η", "学习率 η"), "weight_decay": ("L2 strength λ", "正则化参数 λ"),
         "layers": ("hidden layers L", "隐层数 L"), "width": ("neurons per layer j", "每层神经元数 j"),
         "epochs": ("epochs", "回合数 epoch"), "batch_size": ("mini-batch size", "minibatch 大小")}
N_VAL = 360
SMALL_TRAIN, SMALL_EPOCHS = 200, 2  # the simplified problem of the broad strategy


def data() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The digits' training split as float64 rows, cut into train (1078, 64) and validation (360, 64)
    after a fixed permutation; the test split is not read (hyperparameters are chosen on validation)."""
    X, y, _, _ = digits_images()
    X = X.reshape(len(X), -1).astype(np.float64)
    order = np.random.default_rng(12345).permutation(len(y))
    X, y = X[order], y[order]
    return X[N_VAL:], y[N_VAL:], X[:N_VAL], y[:N_VAL]


def initial_weights(layers: int, width: int, seed: int) -> list[np.ndarray]:
    """[W1, b1, ..., W_{L+1}, b_{L+1}] for 64 → width (× layers) → 10: He-normal weights, zero biases."""
    rng = np.random.default_rng(seed)
    sizes = [64] + [width] * layers + [10]
    out = []
    for fan_in, fan_out in zip(sizes, sizes[1:]):
        out += [rng.normal(size=(fan_in, fan_out)) * np.sqrt(2.0 / fan_in), np.zeros(fan_out)]
    return out


def forward(params, X) -> Tensor:
    """ReLU between the affine layers, none after the last; output: logits (N, 10)."""
    h = Tensor(X)
    for k in range(0, len(params), 2):
        h = h @ params[k] + params[k + 1]
        if k + 2 < len(params):
            h = h.relu()
    return h


def train(config: dict, seed: int = 0, n_train: int | None = None) -> dict:
    """Plain SGD (L2 through ``weight_decay``, as torch.optim.SGD) on mean cross-entropy; the examples
    reshuffled every epoch by ``np.random.default_rng(seed + 1)``. Returns validation accuracy, the
    final training loss and the seconds spent."""
    Xtr, ytr, Xva, yva = data()
    if n_train is not None:
        Xtr, ytr = Xtr[:n_train], ytr[:n_train]
    params = [Tensor(w, requires_grad=True) for w in initial_weights(config["layers"], config["width"], seed)]
    opt = optim.SGD(params, lr=config["lr"], weight_decay=config["weight_decay"])
    rng = np.random.default_rng(seed + 1)
    B = config["batch_size"]
    start = time.perf_counter()
    with one_blas_thread():
        for _ in range(config["epochs"]):
            order = rng.permutation(len(ytr))
            for b in range(0, len(ytr), B):
                idx = order[b:b + B]
                loss = F.cross_entropy(forward(params, Xtr[idx]), Tensor(ytr[idx]))
                opt.zero_grad()
                loss.backward()
                opt.step()
        seconds = time.perf_counter() - start
        with no_grad():
            finite = all(np.all(np.isfinite(p.data)) for p in params)
            acc = float((forward(params, Xva).data.argmax(1) == yva).mean()) if finite else 0.1
    return {"val_acc": acc, "diverged": not finite, "seconds": seconds}


def sweep(name: str, seeds: int) -> tuple[np.ndarray, list[str]]:
    """Validation accuracy (values × seeds) with ``name`` swept and the rest at ``BASE``, and the
    settings of the runs that diverged."""
    runs = [[train({**BASE, name: v}, seed) for seed in range(seeds)] for v in SWEEPS[name]]
    diverged = [f"{name} = {v:g}" for v, row in zip(SWEEPS[name], runs) if any(run["diverged"] for run in row)]
    return np.array([[run["val_acc"] for run in row] for row in runs]), diverged


def compute(quick: bool) -> Result:
    r = Result()
    seeds = 2 if quick else 5
    r.number("seeds", seeds)
    r.number("n_train", len(data()[1]))
    r.number("n_val", N_VAL)
    for name, value in BASE.items():
        r.number(f"base_{name}", value)
    spreads, noise, rows, diverged = {}, {}, [], []
    for name in SWEEPS:
        acc, lost = sweep(name, seeds)  # (values, seeds)
        diverged += lost
        mean = acc.mean(1)
        for i, (v, m) in enumerate(zip(SWEEPS[name], mean)):
            r.number(f"acc_{name}_{i}", float(m), f"train({{**BASE, {name!r}: {v!r}}}): validation accuracy, "
                                                   f"mean of {seeds} seeds")
        spreads[name] = float(mean.max() - mean.min())
        # seed-to-seed standard error of one value's mean, pooled over the sweep
        noise[name] = float(np.sqrt(np.mean(acc.var(1, ddof=1)) / seeds))
        r.number(f"spread_{name}", spreads[name], "max − min of the mean validation accuracy over the sweep")
        r.number(f"se_{name}", noise[name], "standard error of one value's mean accuracy, pooled over the sweep")
        r.number(f"best_{name}", SWEEPS[name][int(mean.argmax())])
        r.number(f"worst_{name}", SWEEPS[name][int(mean.argmin())])
        rows.append([NAMES[name][0], " / ".join(f"{v:g}" for v in SWEEPS[name]),
                     " / ".join(f"{m:.3f}" for m in mean), f"{spreads[name]:.3f}", f"{noise[name]:.3f}"])
    r.number("diverged_en", ", ".join(diverged) or "none")
    r.number("diverged_zh", "、".join(diverged) or "无")
    ranking = sorted(SWEEPS, key=lambda k: -spreads[k])
    r.table(f"Validation accuracy with one hyperparameter swept, the others at the base setting (mean of {seeds} "
            "seeds)", ["hyperparameter", "values", "validation accuracy", "spread", "standard error"],
            [rows[list(SWEEPS).index(k)] for k in ranking])
    r.number("ranking_en", ", ".join(NAMES[k][0] for k in ranking))
    r.number("ranking_zh", "、".join(NAMES[k][1] for k in ranking))
    r.number("most_sensitive_en", NAMES[ranking[0]][0])
    r.number("most_sensitive_zh", NAMES[ranking[0]][1])
    r.number("least_sensitive_en", NAMES[ranking[-1]][0])
    r.number("least_sensitive_zh", NAMES[ranking[-1]][1])
    r.number("lr_rank", ranking.index("lr") + 1)
    r.number("lr_over_second", spreads["lr"] / max(spreads[k] for k in SWEEPS if k != "lr"),
             "the learning rate's spread / the largest other spread")
    r.condition(f"ReLU MLP 64 → j (× L) → 10, He-normal initial weights, plain SGD with L2 weight decay, mean "
                f"cross-entropy; {r.numbers['n_train']} training and {N_VAL} validation digits (the test split "
                f"unread); base: {', '.join(f'{k}={v:g}' for k, v in BASE.items())}; one hyperparameter changed "
                f"at a time over the listed range, {seeds} seeds (initial weights and shuffles) per value. A "
                "diverged run counts as chance accuracy (0.1). The spreads depend on the ranges: these are the "
                "ranges one would search.")

    # 1. the notes' list: each of the six changes the result (beyond twice the seed noise)
    matters = {k: spreads[k] > 2 * max(noise[k], 0.005) for k in SWEEPS}
    r.number("n_matter", sum(matters.values()))
    r.number("not_mattering_en", ", ".join(NAMES[k][0] for k in SWEEPS if not matters[k]) or "none")
    r.number("not_mattering_zh", "、".join(NAMES[k][1] for k in SWEEPS if not matters[k]) or "无")
    r.verdict("main-list", "confirmed" if all(matters.values()) else "depends" if sum(matters.values()) >= 3
              else "corrected")

    # 2. the learning rate first: it moves the accuracy most
    r.verdict("lr-first", "confirmed" if ranking[0] == "lr" else "depends" if ranking.index("lr") <= 1
              else "corrected")

    # 3. the broad strategy: simplify (few examples, few epochs), pick the lr there, then use it on the full problem
    small = [train({**BASE, "lr": v, "epochs": SMALL_EPOCHS}, 0, n_train=SMALL_TRAIN) for v in SWEEPS["lr"]]
    full = [train({**BASE, "lr": v}, 0) for v in SWEEPS["lr"]]
    small_best = SWEEPS["lr"][int(np.argmax([s["val_acc"] for s in small]))]
    full_acc = [f["val_acc"] for f in full]
    r.number("small_train", SMALL_TRAIN)
    r.number("small_epochs", SMALL_EPOCHS)
    r.number("small_best_lr", small_best, f"the best lr with {SMALL_TRAIN} examples and {SMALL_EPOCHS} epochs")
    r.number("full_best_lr", SWEEPS["lr"][int(np.argmax(full_acc))])
    r.number("small_choice_full_acc", full_acc[SWEEPS["lr"].index(small_best)],
             "full-problem validation accuracy at the lr the small problem chose")
    r.number("full_best_acc", max(full_acc))
    r.number("small_cost_ratio", sum(f["seconds"] for f in full) / sum(s["seconds"] for s in small),
             "training seconds of the full lr sweep / the small one")
    r.table("The learning rate chosen on a simplified problem (seed 0)",
            ["lr", f"{SMALL_TRAIN} examples, {SMALL_EPOCHS} epochs", f"{r.numbers['n_train']} examples, "
             f"{BASE['epochs']} epochs"],
            [[f"{v:g}", f"{s['val_acc']:.3f}", f"{f['val_acc']:.3f}"] for v, s, f in zip(SWEEPS["lr"], small, full)])
    gap = r.numbers["full_best_acc"] - r.numbers["small_choice_full_acc"]
    r.number("small_choice_gap", gap)
    r.number("small_full_spearman", spearman([s["val_acc"] for s in small], full_acc),
             "Spearman correlation of the lr sweep's accuracies, small problem against full")
    r.verdict("broad-strategy", "confirmed" if gap <= 0.02 else "depends" if gap <= 0.1 else "corrected")

    _figure(r, spreads, ranking)
    return r


def spearman(a, b) -> float:
    """Pearson correlation of the ranks (ties share their mean rank)."""
    from scipy.stats import rankdata

    return float(np.corrcoef(rankdata(a), rankdata(b))[0, 1])


def _figure(r: Result, spreads: dict, ranking: list) -> None:
    import matplotlib.pyplot as plt

    fig, axs = plt.subplots(2, 3, figsize=(13, 6.5))
    for ax, name in zip(axs.ravel(), SWEEPS):
        values = SWEEPS[name]
        acc = [r.numbers[f"acc_{name}_{i}"] for i in range(len(values))]
        xs = np.arange(len(values))
        ax.plot(xs, acc, "o-")
        ax.set_xticks(xs, [f"{v:g}" for v in values])
        ax.axhline(max(acc), color="g", lw=0.5)
        ax.set(ylim=(0, 1.02), xlabel=NAMES[name][0], ylabel="validation accuracy",
               title=f"{NAMES[name][0]}: spread {spreads[name]:.3f} (rank {ranking.index(name) + 1})")
    fig.tight_layout()
    r.figure("hyperparameters", fig, "Validation accuracy of the same MLP with one hyperparameter swept and the rest "
                                     "at the base setting; the spread ranks how much each one matters here.")


ENTRY = Entry(
    id="hyperparameters",
    section="G",
    title={"zh": "怎么选择超参数", "en": "Which hyperparameters matter and how to choose them"},
    keywords=["hyperparameters", "超参数", "learning rate", "学习率", "sensitivity", "敏感度", "broad strategy",
              "宽泛策略", "batch size", "epochs"],
    claims={
        "main-list": {
            "en": "The notes: \"the hyperparameters of a neural network are mainly 1. the learning rate η, 2. the "
                  "regularisation parameter λ, 3. the number of layers L, 4. the number of neurons j in each hidden "
                  "layer, 5. the number of epochs, 6. the mini-batch size\".",
            "zh": "笔记：\"神经网路中的超参数主要包括 1. 学习率 η，2. 正则化参数 λ，3. 神经网络的层数 L，4. 每一个隐层中神经元的"
                  "个数 j，5. 学习的回合数 Epoch，6. 小批量数据 minibatch 的大小\"。"},
        "lr-first": {
            "en": "The notes put the learning rate η first in their list (the usual advice: it matters most, so "
                  "tune it first).",
            "zh": "笔记把学习率 η 列在第一位（通常的建议：它最重要，应最先调）。"},
        "broad-strategy": {
            "en": "The notes: \"the core of the broad strategy is to simplify and to monitor\" (settle a "
                  "hyperparameter on a smaller, faster problem first).",
            "zh": "笔记：\"宽泛策略的核心在于简化和监控\"（先在更小、更快的问题上把超参数定下来）。"},
    },
    answer={
        "en": r"""
Hyperparameters are what training does not learn: the optimiser's settings (learning rate, batch size,
epochs), the model's size (layers, width) and its regularisation (λ, dropout). Choose them on a **validation
set**, never the test set; search rates and strengths on a **log scale**; go coarse to fine; change what
matters most first. To see what matters, the live run trains one ReLU MLP on {=n_train} digits with plain SGD
and sweeps each of the notes' six hyperparameters alone around a base setting (lr {=base_lr:g}, λ
{=base_weight_decay:g}, L = {=base_layers}, j = {=base_width}, {=base_epochs} epochs, batch {=base_batch_size}),
over the range one would search, scoring accuracy on {=n_val} held-out digits ({=seeds} seeds each).

Ranked by the spread of validation accuracy: {=ranking_en}. The learning rate moves it by {=spread_lr:.3f}
(from {=acc_lr_0:.3f} at 0.001 to {=acc_lr_2:.3f} at 0.1 and {=acc_lr_4:.3f} at 2; runs that diverged: {=diverged_en});
λ by {=spread_weight_decay:.3f}, depth by {=spread_layers:.3f}, width by {=spread_width:.3f}, epochs by
{=spread_epochs:.3f} and the batch size by {=spread_batch_size:.3f}.

The notes' claims:

- **The six main hyperparameters** — {=n_matter} of the six change the accuracy by more than twice the seed
  noise over these ranges (not beyond it: {=not_mattering_en}). Several interact: the batch size and the
  number of epochs set how many updates the learning rate gets, so a batch size "mattering" is partly a
  learning rate that was not rescaled with it (see batch-size).
- **Learning rate first** — here the most sensitive is the {=most_sensitive_en}; the learning rate ranks
  {=lr_rank} (its spread is {=lr_over_second:.1f}× the largest other one). Over the range one would search, a
  learning rate off by a factor of ten or more can ruin training outright, which is why it is usually tuned
  first and on a log scale (Bengio 2012).
- **The broad strategy: simplify, then monitor** — picking the lr on a problem of {=small_train} examples and
  {=small_epochs} epochs chose lr = {=small_best_lr:g} ({=small_cost_ratio:.0f}× less training time than the
  full sweep); on the full problem that lr scores {=small_choice_full_acc:.3f} against the best
  {=full_best_acc:.3f} (lr {=full_best_lr:g}), {=small_choice_gap:.3f} short; the two sweeps rank the learning
  rates with a Spearman correlation of {=small_full_spearman:.2f}. The small problem finds the right order of
  magnitude cheaply, a starting point to refine on the full problem; the remaining hyperparameters are then
  settled with the validation curve in view (monitoring), e.g. the epochs by early stopping.
""",
        "zh": r"""
超参数是训练过程不去学习的量：优化器的设置（学习率、batch 大小、回合数）、模型的大小（层数、宽度）和正则化（λ、dropout）。
应当在**验证集**上选择（绝不用测试集）；学习率和正则强度按**对数尺度**搜索；先粗后细；先调最重要的。为了看哪些重要，实测
用一个 ReLU MLP 在 {=n_train} 个 digits 样本上用普通 SGD 训练，围绕一个基准设置（lr {=base_lr:g}，λ {=base_weight_decay:g}，
L = {=base_layers}，j = {=base_width}，{=base_epochs} 个 epoch，batch {=base_batch_size}）每次只改变笔记六个超参数中的一个，
在通常会搜索的范围内取值，用 {=n_val} 个留出样本评估准确率（每个取值 {=seeds} 个种子）。

按验证准确率的变化幅度排序：{=ranking_zh}。学习率使准确率变化 {=spread_lr:.3f}（0.001 时 {=acc_lr_0:.3f}，0.1 时
{=acc_lr_2:.3f}，2 时 {=acc_lr_4:.3f}；发散的运行：{=diverged_zh}）；λ 为 {=spread_weight_decay:.3f}，层数 {=spread_layers:.3f}，宽度
{=spread_width:.3f}，回合数 {=spread_epochs:.3f}，batch 大小 {=spread_batch_size:.3f}。

逐条检验笔记：

- **六个主要超参数**——在这些范围内，六个中有 {=n_matter} 个对准确率的影响超过种子噪声的两倍（未超过的：{=not_mattering_zh}）。
  它们相互关联：batch 大小和回合数决定了学习率能做多少次更新，所以 batch 大小"重要"部分是因为学习率没有随它缩放（见 batch-size）。
- **学习率最先调**——这里最敏感的是{=most_sensitive_zh}；学习率排第 {=lr_rank}（其变化幅度是其他最大者的 {=lr_over_second:.1f} 倍）。
  在通常的搜索范围内，学习率偏差十倍以上就可能让训练完全失败，所以通常最先调它，并按对数尺度调（Bengio 2012）。
- **宽泛策略：简化，然后监控**——在 {=small_train} 个样本、{=small_epochs} 个 epoch 的小问题上选学习率，选中 lr =
  {=small_best_lr:g}（训练时间是完整搜索的 1/{=small_cost_ratio:.0f}）；在完整问题上这个 lr 得到 {=small_choice_full_acc:.3f}，最好的是
  {=full_best_acc:.3f}（lr {=full_best_lr:g}），差 {=small_choice_gap:.3f}；两次搜索对学习率排序的 Spearman 相关系数为
  {=small_full_spearman:.2f}。小问题能便宜地找到正确的数量级，作为在完整问题上细调的起点；其余超参数再盯着验证曲线确定（监控），
  例如用早停确定回合数。
""",
    },
    compute=compute,
)
