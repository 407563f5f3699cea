"""Preventing overfitting: one over-parameterised MLP on 50 digits, each remedy from the notes switched
on alone (L2 weight decay, dropout, early stopping, augmentation, more data, a smaller model, an
ensemble), judged by test accuracy and test cross-entropy over several seeds."""
from __future__ import annotations

import numpy as np

from ... import backend, models
from ...data.transforms import RandomShift
from ...nn import functional as F
from ..entry import Entry
from ..result import Result
from ._small_nets import digits_images, logits, scores, train_net

N_TRAIN, N_MORE = 50, 400        # the small training set, and the larger one for "more data"
VAL = slice(1000, 1200)          # early stopping's validation images: never trained on, never tested
WIDTH, SMALL_WIDTH = 128, 8      # 64-128-128-10 has 26,122 parameters for 50 images
LR = 1e-2
WEIGHT_DECAY, DROPOUT, PATIENCE, SHIFT = 1e-3, 0.5, 10, 1

# remedy -> (training images, width, weight decay, dropout, early stopping, augmentation)
REMEDIES = {
    "none": (N_TRAIN, WIDTH, 0.0, 0.0, False, False),
    "weight-decay": (N_TRAIN, WIDTH, WEIGHT_DECAY, 0.0, False, False),
    "dropout": (N_TRAIN, WIDTH, 0.0, DROPOUT, False, False),
    "early-stopping": (N_TRAIN, WIDTH, 0.0, 0.0, True, False),
    "augmentation": (N_TRAIN, WIDTH, 0.0, 0.0, False, True),
    "more-data": (N_MORE, WIDTH, 0.0, 0.0, False, False),
    "smaller-model": (N_TRAIN, SMALL_WIDTH, 0.0, 0.0, False, False),
}
LABELS = {"none": "no remedy", "weight-decay": f"L2 weight decay {WEIGHT_DECAY:g}", "dropout": f"dropout {DROPOUT}",
          "early-stopping": f"early stopping (patience {PATIENCE})", "augmentation": f"random shift ±{SHIFT} px",
          "more-data": f"{N_MORE} training images", "smaller-model": f"hidden width {SMALL_WIDTH}",
          "ensemble": "ensemble of the seeds' nets"}


def run_remedy(name: str, seed: int, data, steps: int = 300):
    """Train the MLP with one remedy; returns (model, train accuracy, test accuracy, train CE, test CE, epochs)."""
    Xtr, ytr, Xte, yte = data
    n, width, wd, p, early, augment = REMEDIES[name]
    backend.manual_seed(seed)  # the same seed gives every remedy of the same width the same initial weights
    model = models.MLP([64, width, width, 10], "relu", p)
    history = train_net(model, Xtr[:n], ytr[:n], steps, lr=LR, weight_decay=wd, seed=seed,
                        val=(Xtr[VAL], ytr[VAL]) if early else None, patience=PATIENCE if early else None,
                        transform=RandomShift(SHIFT) if augment else None)
    train_acc, train_ce = scores(model, Xtr[:n], ytr[:n])
    test_acc, test_ce = scores(model, Xte, yte)
    return model, train_acc, test_acc, train_ce, test_ce, len(history.epochs)


def judge(acc_gain: float, acc_se: float, ce_ratio: float) -> str:
    """A remedy is confirmed when test accuracy rises by more than twice the standard error of the paired
    (same seed) differences and the test cross-entropy falls by 10% or more; corrected when accuracy falls
    that clearly and the cross-entropy does not improve; otherwise it depends (one improves, not both)."""
    better_acc, worse_acc = acc_gain > 2 * acc_se, acc_gain < -2 * acc_se
    better_ce = ce_ratio < 0.9
    if better_acc and better_ce:
        return "confirmed"
    if worse_acc and not better_ce:
        return "corrected"
    return "depends"


def compute(quick: bool) -> Result:
    r = Result()
    data = digits_images()
    Xtr, ytr, Xte, yte = data
    seeds, steps = (list(range(3)), 200) if quick else (list(range(10)), 300)
    runs = {name: [run_remedy(name, s, data, steps) for s in seeds] for name in REMEDIES}
    stats, per_seed = {}, {}
    for name, rs in runs.items():
        arr = np.array([row[1:] for row in rs], dtype=float)  # train acc, test acc, train CE, test CE, epochs
        per_seed[name] = arr
        stats[name] = {"train_acc": arr[:, 0].mean(), "test_acc": arr[:, 1].mean(), "train_ce": arr[:, 2].mean(),
                       "test_ce": arr[:, 3].mean(), "epochs": arr[:, 4].mean()}
    # an ensemble of the no-remedy nets: average their softmax outputs
    probs = np.mean([F.softmax(_tensor(logits(rs[0], Xte)), dim=1).data for rs in runs["none"]], axis=0)
    train_probs = np.mean([F.softmax(_tensor(logits(rs[0], Xtr[:N_TRAIN])), dim=1).data for rs in runs["none"]], axis=0)
    stats["ensemble"] = {"train_acc": float((train_probs.argmax(1) == ytr[:N_TRAIN]).mean()),
                         "test_acc": float((probs.argmax(1) == yte).mean()),
                         "train_ce": float(-np.log(train_probs[np.arange(N_TRAIN), ytr[:N_TRAIN]]).mean()),
                         "test_ce": float(-np.log(probs[np.arange(len(yte)), yte]).mean()),
                         "epochs": float(steps)}

    base = stats["none"]
    rows = []
    for name, st in stats.items():
        key = name.replace("-", "_")
        for field in ("train_acc", "test_acc", "train_ce", "test_ce", "epochs"):
            call = f"mean over {len(seeds)} seeds: run_remedy({name!r}, seed, digits, {steps})"
            r.number(f"{key}_{field}", float(st[field]), call if field == "test_acc" else None)
        rows.append([LABELS[name], st["train_acc"], st["test_acc"], st["train_acc"] - st["test_acc"],
                     st["test_ce"], st["epochs"]])
        if name == "none":
            continue
        # paired by seed; the ensemble is one model, so its uncertainty is that of a single net's accuracy
        diffs = per_seed[name][:, 1] - per_seed["none"][:, 1] if name in per_seed else per_seed["none"][:, 1]
        se = float(diffs.std(ddof=1) / np.sqrt(len(seeds)))
        r.number(f"{key}_acc_gain", float(st["test_acc"] - base["test_acc"]), "test accuracy − no-remedy test accuracy")
        r.number(f"{key}_acc_se", se, "standard error of the same-seed differences")
        r.number(f"{key}_ce_ratio", float(st["test_ce"] / base["test_ce"]), "test cross-entropy / no-remedy's")
        r.verdict(name, judge(st["test_acc"] - base["test_acc"], se, st["test_ce"] / base["test_ce"]))
    r.number("params", sum(int(np.prod(p.shape)) for p in models.MLP([64, WIDTH, WIDTH, 10]).parameters()),
             f"parameters of MLP([64, {WIDTH}, {WIDTH}, 10])")
    r.number("n_train", N_TRAIN)
    r.number("n_more", N_MORE)
    r.number("seeds", len(seeds))
    r.number("steps", steps)
    r.table(f"MLP 64-{WIDTH}-{WIDTH}-10 on {N_TRAIN} digits, Adam lr {LR}, {steps} full-batch steps, "
            f"mean of {len(seeds)} seeds", ["remedy", "train acc", "test acc", "gap", "test CE", "epochs run"], rows)
    r.table("Test accuracy and cross-entropy by seed", ["remedy", "seed", "test acc", "test CE"],
            [[name, seed, float(per_seed[name][i, 1]), float(per_seed[name][i, 3])]
             for name in per_seed for i, seed in enumerate(seeds)])
    r.condition(f"{N_TRAIN} training images of the embedded digits (8x8), tested on {len(yte)}; early stopping "
                f"watches 200 further labelled images; a remedy is judged against the same net without it.")

    import matplotlib.pyplot as plt
    names = list(stats)
    fig, axs = plt.subplots(1, 2, figsize=(10, 3.6))
    xs = np.arange(len(names))
    axs[0].bar(xs, [stats[k]["test_acc"] for k in names], color=["0.5"] + ["C0"] * (len(names) - 1))
    axs[0].axhline(base["test_acc"], color="k", lw=1, ls=":")
    axs[0].set(ylabel="test accuracy", ylim=(0.5, 1.0), title="Test accuracy")
    axs[1].bar(xs, [stats[k]["test_ce"] for k in names], color=["0.5"] + ["C3"] * (len(names) - 1))
    axs[1].axhline(base["test_ce"], color="k", lw=1, ls=":")
    axs[1].set(ylabel="test cross-entropy", title="Test cross-entropy (lower is better)")
    for ax in axs:
        ax.set_xticks(xs)
        ax.set_xticklabels([LABELS[k] for k in names], rotation=35, ha="right", fontsize=7)
    r.figure("overfitting_remedies", fig, f"Each remedy alone on the same over-parameterised MLP ({N_TRAIN} "
                                          "training digits); the dotted line is the net without a remedy.")
    return r


def _tensor(array: np.ndarray):
    from ...autograd import Tensor

    return Tensor(array.astype(np.float64))


_NOTE = "the notes list it as a way to prevent overfitting"

ENTRY = Entry(
    id="overfitting",
    section="A",
    title={"zh": "怎么防止过拟合", "en": "How do you prevent overfitting?"},
    keywords=["overfitting", "过拟合", "early stopping", "提前终止", "早停", "weight decay", "正则化", "L2",
              "dropout", "data augmentation", "数据增强", "ensemble", "集成学习", "more data"],
    claims={
        "weight-decay": {"en": "The notes: L2 regularisation prevents overfitting.",
                         "zh": "笔记原文：正则化（L2 正则化）可以防止过拟合。"},
        "dropout": {"en": "The notes: dropout prevents overfitting.", "zh": "笔记原文：Dropout 可以防止过拟合。"},
        "early-stopping": {"en": "The notes: stop early (when the validation score gets worse) to prevent overfitting.",
                           "zh": "笔记原文：提前终止（当验证集上的效果变差的时候）。"},
        "augmentation": {"en": "The notes: data augmentation prevents overfitting.",
                         "zh": "笔记原文：数据集扩增（Data augmentation）。"},
        "more-data": {"en": "The notes: to lower variance, find more data.", "zh": "笔记原文：低方差——找寻更多的数据。"},
        "smaller-model": {"en": "The notes: simplify the model.", "zh": "笔记原文：简化模型。"},
        "ensemble": {"en": "The notes: ensemble learning prevents overfitting.", "zh": "笔记原文：集成学习。"},
    },
    answer={
        "en": r"""
A model overfits when it fits its training set better than the data it will meet: the training loss
keeps falling while the test loss stops falling or rises. The test bed here is deliberately bad: an
MLP 64-128-128-10 ({=params} parameters) trained on {=n_train} digits. Without a remedy it reaches
training accuracy {=none_train_acc:.3f} and training cross-entropy {=none_train_ce:.4f}, but test
accuracy {=none_test_acc:.3f} and test cross-entropy {=none_test_ce:.2f}: it has memorised the 50 images
and is confidently wrong on many others. Each remedy from the notes was switched on alone (means over
{=seeds} seeds; a verdict needs the accuracy change to exceed twice its standard error):

- **More data** ({=n_more} images): test accuracy {=more_data_test_acc:.3f} ({=more_data_acc_gain:+.3f}),
  cross-entropy {=more_data_test_ce:.2f}. Nothing else comes close: overfitting is a shortage of data
  relative to capacity, and this attacks the cause.
- **Data augmentation** (random ±1-pixel shifts, redrawn every step): {=augmentation_test_acc:.3f}
  ({=augmentation_acc_gain:+.3f}), cross-entropy {=augmentation_test_ce:.2f}: new, plausible images for free,
  though a one-pixel shift of an 8x8 digit is a coarse one.
- **Early stopping** on 200 held-out images: stops after {=early_stopping_epochs:.0f} of {=steps} steps;
  {=early_stopping_test_acc:.3f} ({=early_stopping_acc_gain:+.3f}), cross-entropy {=early_stopping_test_ce:.2f}.
- **L2 weight decay** ($\lambda$ = 1e-3 added to the gradient): {=weight_decay_test_acc:.3f}
  ({=weight_decay_acc_gain:+.3f}), cross-entropy {=weight_decay_test_ce:.2f}.
- **Dropout** ($p = 0.5$): {=dropout_test_acc:.3f} ({=dropout_acc_gain:+.3f}), cross-entropy {=dropout_test_ce:.2f}.
- **A smaller model** (width 8): {=smaller_model_test_acc:.3f} ({=smaller_model_acc_gain:+.3f}): it still fits
  the 50 images, and simply knows less.
- **An ensemble** of the seeds' unregularised nets (softmax averaged): {=ensemble_test_acc:.3f}
  ({=ensemble_acc_gain:+.3f}), cross-entropy {=ensemble_test_ce:.2f}.

What this shows: weight decay and early stopping mostly cure the *overconfidence* (the test
cross-entropy falls to {=weight_decay_ce_ratio:.0%} and {=early_stopping_ce_ratio:.0%} of the unregularised
net's) and move accuracy by a point or two, about as much as the seed-to-seed noise (standard errors
{=weight_decay_acc_se:.3f} and {=early_stopping_acc_se:.3f}); with 50 images the information is simply not there.
Only real data moved accuracy by much ({=more_data_acc_gain:+.3f}); shifted copies of the same 50 images
added {=augmentation_acc_gain:+.3f}. Which remedy works depends on the model, the data and the
remedy's strength, so every verdict here is relative to this set-up: tune the strength on a validation set, never on the test set.
""",
        "zh": r"""
当模型在训练集上比在将来遇到的数据上拟合得更好时，就是过拟合：训练损失持续下降，而测试损失不再下降甚至上升。
这里特意用一个很差的设定：在 {=n_train} 张 digits 图片上训练 64-128-128-10 的 MLP（{=params} 个参数）。不加任何措施时，
训练准确率 {=none_train_acc:.3f}、训练交叉熵 {=none_train_ce:.4f}，而测试准确率只有 {=none_test_acc:.3f}、测试交叉熵
{=none_test_ce:.2f}：它记住了这 50 张图，并在许多其他图片上"自信地犯错"。把笔记中的每种方法单独打开
（{=seeds} 个随机种子的平均；准确率的变化须超过其标准误的两倍才算数）：

- **更多数据**（{=n_more} 张）：测试准确率 {=more_data_test_acc:.3f}（{=more_data_acc_gain:+.3f}），交叉熵
  {=more_data_test_ce:.2f}。其他方法都远不及它：过拟合的根源是数据相对于模型容量太少，这一条直接针对根源。
- **数据增强**（每步重新随机平移 ±1 像素）：{=augmentation_test_acc:.3f}（{=augmentation_acc_gain:+.3f}），交叉熵
  {=augmentation_test_ce:.2f}：免费得到新的、合理的图片，不过对 8x8 的数字平移一个像素是很粗的变换。
- **提前终止**（在另外 200 张图片上验证）：在 {=steps} 步中的第 {=early_stopping_epochs:.0f} 步停止；
  {=early_stopping_test_acc:.3f}（{=early_stopping_acc_gain:+.3f}），交叉熵 {=early_stopping_test_ce:.2f}。
- **L2 权重衰减**（梯度中加入 $\lambda$ = 1e-3 的惩罚项）：{=weight_decay_test_acc:.3f}（{=weight_decay_acc_gain:+.3f}），
  交叉熵 {=weight_decay_test_ce:.2f}。
- **Dropout**（$p = 0.5$）：{=dropout_test_acc:.3f}（{=dropout_acc_gain:+.3f}），交叉熵 {=dropout_test_ce:.2f}。
- **更小的模型**（宽 8）：{=smaller_model_test_acc:.3f}（{=smaller_model_acc_gain:+.3f}）：它仍能拟合这 50 张图，
  只是学到的更少。
- **集成**：把各种子下未加正则的网络的 softmax 取平均：{=ensemble_test_acc:.3f}（{=ensemble_acc_gain:+.3f}），交叉熵
  {=ensemble_test_ce:.2f}。

结论：权重衰减和提前终止主要治好的是*过度自信*（测试交叉熵分别降到未正则化网络的 {=weight_decay_ce_ratio:.0%} 和
{=early_stopping_ce_ratio:.0%}），准确率只变化一两个点，与随机种子带来的波动相当（标准误 {=weight_decay_acc_se:.3f} 和
{=early_stopping_acc_se:.3f}）；只有 50 张图时，信息本来就不够。只有真实的新数据明显提高了准确率（{=more_data_acc_gain:+.3f}）；
同样 50 张图的平移副本只带来 {=augmentation_acc_gain:+.3f}。哪种方法有效取决于模型、数据和方法的强度，
所以这里的每个结论都针对这一设定：强度要在验证集上调，绝不能在测试集上调。
""",
    },
    compute=compute,
)
