"""ROC vs. PR under class imbalance: one scorer, more and more negatives."""
from __future__ import annotations

import numpy as np

from ... import backend
from ...metrics import average_precision_score, precision_recall_curve, roc_auc_score, roc_curve
from ..entry import Entry
from ..result import Result

SEPARATION = 1.5  # positives score N(SEPARATION, 1), negatives N(0, 1): the same scorer at every ratio
RATIOS = (1, 10, 100)


def scores(n_pos: int, ratio: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Labels and scores of the fixed binormal scorer with ``ratio`` negatives per positive: the
    same positives at every ratio, the negatives the first ``n_pos * ratio`` of one pool."""
    rng = backend.spawn_rng(seed)
    positives = rng.normal(SEPARATION, 1.0, n_pos)
    negatives = rng.normal(0.0, 1.0, n_pos * max(RATIOS))[: n_pos * ratio]
    s = np.concatenate([positives, negatives])
    y = np.concatenate([np.ones(n_pos, dtype=int), np.zeros(n_pos * ratio, dtype=int)])
    return y, s


def compute(quick: bool) -> Result:
    r = Result()
    n_pos = 500 if quick else 5000
    r.number("n_pos", n_pos)
    r.number("separation", SEPARATION)
    rows, curves = [], {}
    for ratio in RATIOS:
        y, s = scores(n_pos, ratio)
        roc = r.number(f"roc_auc_1_{ratio}", roc_auc_score(y, s), f"roc_auc_score(y, s)  # 1:{ratio}")
        ap = r.number(f"ap_1_{ratio}", average_precision_score(y, s), f"average_precision_score(y, s)  # 1:{ratio}")
        r.number(f"prevalence_1_{ratio}", 1 / (1 + ratio))
        rows.append([f"1:{ratio}", roc, ap, 1 / (1 + ratio)])
        curves[ratio] = (roc_curve(y, s), precision_recall_curve(y, s))
    r.table("Same scorer, more negatives", ["pos:neg", "ROC AUC", "average precision", "AP of a random scorer"], rows)
    aucs = [r.numbers[f"roc_auc_1_{k}"] for k in RATIOS]
    aps = [r.numbers[f"ap_1_{k}"] for k in RATIOS]
    r.number("roc_auc_spread", max(aucs) - min(aucs), "max - min ROC AUC over the three ratios")
    r.number("ap_drop", aps[0] - aps[-1], "AP at 1:1 minus AP at 1:100")
    r.condition("The scorer is fixed (its score distributions per class do not change); only the class ratio does.")

    r.check("roc-stable", r.numbers["roc_auc_spread"] < 0.05)
    r.check("pr-drops", aps[0] > aps[1] > aps[2] and r.numbers["ap_drop"] > 0.3)

    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.8))
    for k, ratio in enumerate(RATIOS):
        (fpr, tpr, _), (prec, rec, _) = curves[ratio]
        axes[0].plot(fpr, tpr, color=f"C{k}", label=f"1:{ratio}, AUC {aucs[k]:.3f}")
        axes[1].plot(rec, prec, color=f"C{k}", label=f"1:{ratio}, AP {aps[k]:.3f}")
    axes[0].plot([0, 1], [0, 1], "k:", lw=1)
    axes[0].set(xlabel="false positive rate", ylabel="true positive rate", title="ROC: almost unchanged")
    axes[1].set(xlabel="recall", ylabel="precision", title="PR: collapses as negatives grow", ylim=(0, 1.02))
    for ax in axes:
        ax.legend(loc="lower right" if ax is axes[0] else "upper right", fontsize=8)
    r.figure("roc-vs-pr", fig, "One scorer evaluated with 1, 10 and 100 negatives per positive.")
    return r


ENTRY = Entry(
    id="roc-vs-pr",
    section="B",
    title={"zh": "ROC 与 PR 曲线的对比", "en": "ROC vs. PR under class imbalance"},
    keywords=["roc", "pr", "precision-recall", "average precision", "auc", "imbalance", "不均衡", "精确率", "召回率",
              "PR曲线"],
    claims={
        "roc-stable": {
            "en": "When the ratio of negatives to positives changes sharply, the ROC curve (and its AUC) of the same scorer stays almost the same.",
            "zh": "正负样本比例剧烈变化时，同一个打分器的 ROC 曲线（及 AUC）基本保持不变。"},
        "pr-drops": {
            "en": "Under the same change the PR curve changes drastically: average precision falls as negatives are added.",
            "zh": "同样的变化下 PR 曲线剧烈改变：负样本增多时平均精确率（AP）明显下降。"},
    },
    answer={
        "en": r"""
Both curves sweep a threshold over one scorer's outputs; they differ in what they divide by.
ROC plots $\mathrm{TPR} = TP/P$ against $\mathrm{FPR} = FP/N$: each axis is a rate *within one
class*, so multiplying the number of negatives by ten leaves every point where it was (up to
sampling noise). PR plots precision $TP/(TP+FP)$ against recall: precision mixes the classes,
and at a fixed FPR the false positives grow with $N$, so precision falls.

**Experiment.** Positives score $\mathcal{N}({=separation}, 1)$, negatives $\mathcal{N}(0, 1)$,
{=n_pos} positives, and 1, 10 or 100 negatives per positive. ROC AUC is {=roc_auc_1_1:.3f},
{=roc_auc_1_10:.3f}, {=roc_auc_1_100:.3f} (spread {=roc_auc_spread:.3f}; the population value is
$\Phi({=separation}/\sqrt{2})$). Average precision is {=ap_1_1:.3f}, {=ap_1_10:.3f}, {=ap_1_100:.3f}: it
lost {=ap_drop:.3f}. A random scorer's AP equals the prevalence ({=prevalence_1_100:.4f} at 1:100).

**Which to use.** ROC's insensitivity is an advantage when the test ratio is arbitrary and you
want to compare rankers. It is a drawback when positives are rare and what matters is how many
of the flagged items are real (fraud, retrieval, detection): there PR and AP show the pain that
ROC hides. Report AP together with the prevalence it was measured at.
""",
        "zh": r"""
两种曲线都在同一个打分器的输出上扫描阈值，区别在于分母。ROC 的横纵轴是 $\mathrm{FPR} = FP/N$ 与
$\mathrm{TPR} = TP/P$，每个轴都是**某一类内部**的比例，所以负样本数量乘以十，曲线上每个点（除抽样噪声外）
都不动。PR 的纵轴是精确率 $TP/(TP+FP)$，它混合了两类：固定 FPR 时假正例随 $N$ 增长，精确率随之下降。

**实验。** 正样本分数服从 $\mathcal{N}({=separation}, 1)$，负样本服从 $\mathcal{N}(0, 1)$，正样本
{=n_pos} 个，每个正样本配 1、10、100 个负样本。ROC AUC 分别为 {=roc_auc_1_1:.3f}、{=roc_auc_1_10:.3f}、
{=roc_auc_1_100:.3f}（极差 {=roc_auc_spread:.3f}；总体值为 $\Phi({=separation}/\sqrt{2})$）。平均精确率 AP 分别为
{=ap_1_1:.3f}、{=ap_1_10:.3f}、{=ap_1_100:.3f}，下降了 {=ap_drop:.3f}。随机打分器的 AP 等于正样本比例
（1:100 时为 {=prevalence_1_100:.4f}）。

**如何选择。** 当测试集的类别比例是任意设定、只想比较排序能力时，ROC 不受比例影响是优点；当正样本稀少、
关心的是被报警的样本中有多少是真的（欺诈、检索、检测）时，这反而是缺点：PR 与 AP 能暴露 ROC 掩盖的问题。
报告 AP 时应同时给出测得它的正样本比例。
""",
    },
    compute=compute,
)
