"""Pseudo-labelling with few labels: an MLP on the embedded digits with 5 labels per class and the rest
of the training images unlabelled, trained by ``semi.PseudoLabel`` from the start, after a warm-up,
with and without a confidence threshold, and with several pseudo shares of each batch; every run has
the same number of optimizer steps as the supervised one."""
from __future__ import annotations

import math

import numpy as np

from ... import backend
from ..entry import Entry
from ..result import Result
from ._small_nets import digits_images, one_blas_thread

PER_CLASS = 5
HIDDEN = 64
LR = 3e-3
BATCH = 256
WARMUP = 150        # labelled-only epochs (one batch each: 50 labels < BATCH)
PSEUDO_EPOCHS = 12  # epochs after warm-up, each a pass over the unlabelled images
ALPHA, RAMP, THRESHOLD = 3.0, 5, 0.95
# arm: (warm-up epochs, ramp, threshold, pseudo share); None: labelled data only
ARMS = {"supervised": None,
        "start": (0, 0, 0.0, 0.25),
        "warmup": (WARMUP, RAMP, 0.0, 0.25),
        "start_threshold": (0, 0, THRESHOLD, 0.25),
        "warmup_threshold": (WARMUP, RAMP, THRESHOLD, 0.25)}
LABELS = {"supervised": "labelled only", "start": "pseudo-labels from the start",
          "warmup": "pseudo-labels after warm-up", "start_threshold": f"from the start, p ≥ {THRESHOLD}",
          "warmup_threshold": f"after warm-up, p ≥ {THRESHOLD}"}


def split(seed: int = 0):
    """(X_labelled, y_labelled, X_unlabelled, y_unlabelled, X_test, y_test): PER_CLASS labelled images
    per class drawn from the digits' training split, the rest unlabelled; flattened to 64 features."""
    Xtr, ytr, Xte, yte = digits_images()
    Xtr, Xte = Xtr.reshape(len(Xtr), -1), Xte.reshape(len(Xte), -1)
    rng = backend.spawn_rng(seed)
    lab = np.concatenate([rng.choice(np.flatnonzero(ytr == c), PER_CLASS, replace=False) for c in range(10)])
    unl = np.setdiff1d(np.arange(len(ytr)), lab)
    return Xtr[lab], ytr[lab], Xtr[unl], ytr[unl], Xte, yte


def pseudo_batches(n_labelled: int, n_unlabelled: int, share: float) -> int:
    """Batches in one epoch with pseudo-labels on (see semi.MixedBatches)."""
    n_u = max(1, round(share * BATCH))
    return max(math.ceil(n_labelled / (BATCH - n_u)), math.ceil(n_unlabelled / n_u))


def total_steps(n_labelled: int, n_unlabelled: int) -> int:
    """The step budget every arm gets: warm-up plus the pseudo epochs at the default share."""
    return WARMUP * math.ceil(n_labelled / BATCH) + PSEUDO_EPOCHS * pseudo_batches(n_labelled, n_unlabelled, 0.25)


def epochs_for(arm, n_labelled: int, n_unlabelled: int) -> int:
    """Epochs that spend the common step budget: labelled-only epochs cost ceil(n/BATCH) steps, the others
    pseudo_batches(...) steps each."""
    budget = total_steps(n_labelled, n_unlabelled)
    if arm is None:
        return budget // math.ceil(n_labelled / BATCH)
    warm, _, _, share = arm
    rest = budget - warm * math.ceil(n_labelled / BATCH)
    return warm + max(1, round(rest / pseudo_batches(n_labelled, n_unlabelled, share)))


def run_arm(arm, seed: int, data) -> tuple[float, dict]:
    """Test accuracy and the last epoch's log of one arm for one seed (the seed fixes the initial weights)."""
    from ...models import MLP
    from ...semi import PseudoLabel

    X, y, Xu, yu, Xte, yte = data
    backend.manual_seed(seed)
    net = MLP([X.shape[1], HIDDEN, 10])
    epochs = epochs_for(arm, len(X), len(Xu))
    if arm is None:  # α stays 0: labelled batches only
        pl = PseudoLabel(net, warmup_epochs=epochs, batch_size=BATCH, lr=LR, seed=seed)
    else:
        warm, ramp, threshold, share = arm
        pl = PseudoLabel(net, threshold=threshold, warmup_epochs=warm, pseudo_share=share, ramp=ramp,
                         alpha_max=ALPHA, batch_size=BATCH, lr=LR, seed=seed)
    with one_blas_thread():
        pl.fit(X, y, Xu, epochs, y_unlabelled=yu)
    return pl.score(Xte, yte), pl.history_.epochs[-1]


def paired_verdict(better: np.ndarray, worse: np.ndarray, margin: float) -> str:
    """'confirmed' when ``better`` beats ``worse`` in every seed by ``margin`` on average, 'corrected' when it
    never beats it, else 'depends'."""
    diff = np.asarray(better) - np.asarray(worse)
    if (diff > 0).all() and diff.mean() > margin:
        return "confirmed"
    if (diff <= 0).all():
        return "corrected"
    return "depends"


def warmup_verdict(warmup: np.ndarray, warmup_threshold: np.ndarray, supervised: np.ndarray) -> str:
    """'confirmed' when pseudo-labels after warm-up beat labelled-only training in every seed both as the
    notes describe them (every prediction) and with a confidence threshold; 'depends' when only one of the
    two does; 'corrected' when neither ever does."""
    plain = paired_verdict(warmup, supervised, 0.0)
    filtered = paired_verdict(warmup_threshold, supervised, 0.0)
    if plain == filtered == "confirmed":
        return "confirmed"
    if plain == filtered == "corrected":
        return "corrected"
    return "depends"


def compute(quick: bool) -> Result:
    r = Result()
    data = split()
    X, _, Xu, _, Xte, _ = data
    seeds = [0, 1] if quick else list(range(5))
    shares = (0.5,) if quick else (0.1, 1 / 3, 0.5)
    r.number("n_labelled", len(X))
    r.number("n_unlabelled", len(Xu))
    r.number("n_test", len(Xte))
    r.number("steps", total_steps(len(X), len(Xu)), "optimizer steps of every run")
    r.number("seeds", len(seeds))
    acc, logs = {}, {}
    for name, arm in ARMS.items():
        results = [run_arm(arm, s, data) for s in seeds]
        acc[name] = np.array([a for a, _ in results])
        logs[name] = [log for _, log in results]
        r.number(f"acc_{name}", float(acc[name].mean()), f"mean over {len(seeds)} seeds of PseudoLabel(...).score")
        if arm is not None:
            used = sum(log["pseudo_used"] for log in logs[name])
            right = sum(log["pseudo_correct"] for log in logs[name])
            r.number(f"used_{name}", used / len(seeds), "pseudo-labels used in the last epoch (mean over seeds)")
            r.number(f"right_{name}", right / len(seeds))
            r.number(f"right_share_{name}", right / used if used else float("nan"))
    for share in shares:
        key = f"share_{round(share * 100)}"
        acc[key] = np.array([run_arm((WARMUP, RAMP, THRESHOLD, share), s, data)[0] for s in seeds])
        r.number(f"acc_{key}", float(acc[key].mean()))
    acc["share_25"] = acc["warmup_threshold"]
    r.number("acc_share_25", float(acc["share_25"].mean()))
    r.number("gain_warmup", r.numbers["acc_warmup"] - r.numbers["acc_supervised"])
    r.number("gain_warmup_threshold", r.numbers["acc_warmup_threshold"] - r.numbers["acc_supervised"])
    r.number("loss_start", r.numbers["acc_warmup"] - r.numbers["acc_start"])

    rows = [[LABELS[name], *map(float, acc[name]), float(acc[name].mean()),
             r.numbers.get(f"used_{name}", 0), r.numbers.get(f"right_share_{name}", float("nan"))] for name in ARMS]
    r.table(f"Test accuracy ({len(Xte)} digits), {len(X)} labels, {len(Xu)} unlabelled, "
            f"{r.numbers['steps']} Adam steps each",
            ["run", *[f"seed {s}" for s in seeds], "mean", "pseudo-labels used (last epoch)", "share right"], rows)
    share_keys = sorted((k for k in acc if k.startswith("share_")), key=lambda k: int(k.split("_")[1]))
    r.table(f"Pseudo share of each batch (after warm-up, p ≥ {THRESHOLD})", ["share", "test accuracy"],
            [[int(k.split("_")[1]) / 100, float(acc[k].mean())] for k in share_keys])

    r.verdict("warmup-helps", warmup_verdict(acc["warmup"], acc["warmup_threshold"], acc["supervised"]))
    r.verdict("start-overfits", paired_verdict(acc["warmup"], acc["start"], 0.02))
    # the notes' 1/4 to 1/3: confirmed if it beats every other share tried, corrected if another share beats it
    others = [k for k in share_keys if k not in ("share_25", "share_33")]
    verdicts = [paired_verdict(acc["share_25"], acc[k], 0.005) for k in others]
    r.verdict("quarter-share", "confirmed" if all(v == "confirmed" for v in verdicts)
              else "corrected" if any(paired_verdict(acc[k], acc["share_25"], 0.005) == "confirmed" for k in others)
              else "depends")
    r.condition(f"{PER_CLASS} labels per class on 8x8 digits, an MLP 64-{HIDDEN}-10, the same step budget for "
                f"every run; α rises to {ALPHA:g} over {RAMP} epochs after a warm-up of {WARMUP} labelled-only "
                "epochs ('from the start': α at full weight from the first step). Without a threshold the gain "
                "after warm-up is small (a few test digits) and not seen in every seed of the full run; with "
                f"p ≥ {THRESHOLD} it is.")

    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6.6, 3.2))
    names = list(ARMS)
    pos = np.arange(len(names))
    ax.bar(pos, [acc[n].mean() for n in names], color=["0.5", "C3", "C0", "C1", "C2"])
    for i, n in enumerate(names):
        ax.plot([i] * len(seeds), acc[n], "k.", ms=4)
    ax.axhline(acc["supervised"].mean(), color="k", lw=0.8, ls=":")
    ax.set_xticks(pos, [LABELS[n] for n in names], rotation=20, ha="right", fontsize=7)
    ax.set(ylabel="test accuracy", ylim=(max(0.0, min(a.min() for a in acc.values()) - 0.05), 1.0),
           title=f"{len(X)} labels + {len(Xu)} unlabelled digits")
    r.figure("pseudo_label", fig, "Test accuracy of each way of using the unlabelled images (dots: seeds; "
                                  "dotted: labelled data only).")
    return r


ENTRY = Entry(
    id="pseudo-label",
    section="I",
    title={"zh": "伪标签技术", "en": "Pseudo-labelling"},
    keywords=["pseudo-label", "pseudo label", "伪标签", "semi-supervised", "半监督", "self-training", "自训练",
              "unlabelled", "未标注", "warm-up", "confidence threshold", "置信度", "Lee 2013"],
    claims={
        "warmup-helps": {
            "en": "The notes: after a few epochs on the labelled set alone, training on labelled and pseudo-labelled "
                  "data together improves the network's generalisation.",
            "zh": "笔记原文：经过几轮训练迭代后（只使用原有训练集数据）将训练集和未打标签的数据一起进行训练，则会提升网络的泛化能力。"},
        "start-overfits": {
            "en": "The notes: using pseudo-labels right from the start risks overfitting.",
            "zh": "笔记原文：如果训练开始就直接使用该技术，则网络可能会有过拟合风险。"},
        "quarter-share": {
            "en": "The notes: usually 1/4 to 1/3 of each batch is pseudo-labelled data.",
            "zh": "笔记原文：操作过程中一般每个 batch 中的 1/4 到 1/3 的数据为伪标签数据。"},
    },
    answer={
        "en": r"""
**Pseudo-labelling** (Lee 2013) treats the network's own prediction $\hat y = \arg\max_c f_c(x')$ on an
unlabelled image as if it were its label, and adds it to the loss with a weight that grows over training:
$$L = \frac{1}{n}\sum_{i} \mathrm{CE}(f(x_i), y_i) + \alpha(t)\,\frac{1}{n'}\sum_{j} \mathrm{CE}(f(x'_j), \hat y_j).$$
Pushing predictions on unlabelled data towards one class is entropy minimisation: it moves the decision
boundary away from dense regions of the data, which is why the notes call it a regulariser.

**Experiment** (`semi.PseudoLabel`): {=n_labelled} labelled digits (5 per class), {=n_unlabelled}
unlabelled, {=n_test} test digits, the same MLP and {=steps} Adam steps for every run, {=seeds} seeds.
Labelled data only: accuracy {=acc_supervised:.3f}. Pseudo-labels at full weight from the first step:
{=acc_start:.3f} — the untrained net's guesses are mostly wrong and it learns them (only
{=right_share_start:.0%} of its pseudo-labels are right at the end). After a warm-up of labelled-only
epochs and a ramp of α: {=acc_warmup:.3f} ({=right_share_warmup:.0%} of pseudo-labels right); with a
confidence threshold $p \ge 0.95$ as well: {=acc_warmup_threshold:.3f}, using {=used_warmup_threshold:.0f}
pseudo-labels per epoch of which {=right_share_warmup_threshold:.0%} are right. The threshold alone also
rescues the run from the start ({=acc_start_threshold:.3f}): what hurts is *wrong* pseudo-labels at full
weight, and warm-up and threshold are two ways to avoid them.

**Share of each batch.** After warm-up with the threshold, a pseudo share of 25 % gives {=acc_share_25:.3f}
and 50 % gives {=acc_share_50:.3f} (the full run adds 10 % and 1/3): within this range the share matters far
less than when and how confidently pseudo-labels are used. The notes' 1/4–1/3 is a reasonable default,
not a rule.
""",
        "zh": r"""
**伪标签**（Lee 2013）把网络对未标注图片的预测 $\hat y = \arg\max_c f_c(x')$ 当作它的标签，并以随训练增大的权重加入损失：
$$L = \frac{1}{n}\sum_{i} \mathrm{CE}(f(x_i), y_i) + \alpha(t)\,\frac{1}{n'}\sum_{j} \mathrm{CE}(f(x'_j), \hat y_j).$$
让未标注数据上的预测趋向某一类就是熵最小化：它把决策边界推离数据密集的区域，这正是笔记说它起正则化作用的原因。

**实验**（`semi.PseudoLabel`）：{=n_labelled} 张有标注的数字图片（每类 5 张），{=n_unlabelled} 张未标注，{=n_test} 张测试；
所有实验用同一个 MLP、同样的 {=steps} 步 Adam，{=seeds} 个随机种子。只用标注数据：准确率 {=acc_supervised:.3f}。从第一步起
就以全权重使用伪标签：{=acc_start:.3f}——未训练网络的猜测大多是错的，而它把这些错误学了进去（最后只有
{=right_share_start:.0%} 的伪标签正确）。先只用标注数据预热若干轮、再逐渐增大 α：{=acc_warmup:.3f}（伪标签正确率
{=right_share_warmup:.0%}）；再加上置信度阈值 $p \ge 0.95$：{=acc_warmup_threshold:.3f}，每轮使用
{=used_warmup_threshold:.0f} 个伪标签，其中 {=right_share_warmup_threshold:.0%} 正确。仅靠阈值也能挽救从一开始就使用伪标签的
训练（{=acc_start_threshold:.3f}）：有害的是以全权重学习*错误的*伪标签，预热和阈值是避免它的两种办法。

**每个 batch 中伪标签的比例。** 预热并使用阈值后，伪标签占 25 % 时准确率为 {=acc_share_25:.3f}，占 50 % 时为
{=acc_share_50:.3f}（完整运行还比较 10 % 和 1/3）：在这个范围内，比例远不如"何时使用、以多大置信度使用"重要。笔记中的
1/4–1/3 是合理的默认值，而不是规则。
""",
    },
    compute=compute,
)
