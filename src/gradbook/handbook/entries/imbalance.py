"""Class imbalance: under-sampling, over-sampling, class weights and threshold moving on one data set."""
from __future__ import annotations

import numpy as np

from ... import backend
from ...classic import LogisticRegression
from ...metrics import f1_score, precision_recall_curve, precision_score, recall_score
from ..entry import Entry
from ..result import Result

PREVALENCE = 0.05
SHIFT = np.array([1.2, 1.2, 0.0, 0.0, 0.0])  # positives N(SHIFT, I), negatives N(0, I): the posterior is logistic


def sample(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = backend.spawn_rng(seed)
    y = (rng.random(n) < PREVALENCE).astype(int)
    return rng.normal(size=(n, SHIFT.size)) + np.outer(y, SHIFT), y


def undersample(y: np.ndarray, seed: int) -> np.ndarray:
    """All minority rows plus as many majority rows, drawn without replacement."""
    rng = backend.spawn_rng(seed)
    pos, neg = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
    return np.concatenate([pos, rng.choice(neg, size=pos.size, replace=False)])


def oversample(y: np.ndarray, seed: int) -> np.ndarray:
    """All majority rows plus minority rows drawn with replacement up to the majority count."""
    rng = backend.spawn_rng(seed)
    pos, neg = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
    return np.concatenate([neg, rng.choice(pos, size=neg.size, replace=True)])


def balanced_weights(y: np.ndarray) -> np.ndarray:
    """scikit-learn's class_weight='balanced': n / (n_classes · n_c) for a sample of class c."""
    counts = np.bincount(y)
    return (len(y) / (2 * counts))[y]


def compute(quick: bool) -> Result:
    r = Result()
    n_train = 4000 if quick else 40_000
    X, y = sample(n_train, seed=0)
    Xv, yv = sample(4000, seed=1)    # validation: to choose a threshold honestly
    Xt, yt = sample(20_000, seed=2)  # test
    r.number("n_train", n_train)
    r.number("n_minority", int(y.sum()))
    r.number("prevalence", float(y.mean()), "minority / (minority + majority) in the training set")

    base = LogisticRegression().fit(X, y)
    under = undersample(y, seed=3)
    over = oversample(y, seed=4)
    fits = {"baseline (threshold 0.5)": (base, 0.5),
            "under-sampling": (LogisticRegression().fit(X[under], y[under]), 0.5),
            "over-sampling": (LogisticRegression().fit(X[over], y[over]), 0.5),
            "class weights (balanced)": (LogisticRegression().fit(X, y, sample_weight=balanced_weights(y)), 0.5),
            "threshold = prevalence": (base, r.numbers["prevalence"])}
    prec, rec, thr = precision_recall_curve(yv, base.predict_proba(Xv)[:, 1])
    f1_curve = 2 * prec[:-1] * rec[:-1] / np.maximum(prec[:-1] + rec[:-1], 1e-300)
    r.number("f1_threshold", float(thr[np.argmax(f1_curve)]), "argmax of F1 over precision_recall_curve on validation")
    fits["threshold = best F1 on validation"] = (base, r.numbers["f1_threshold"])

    keys = ("baseline", "under", "over", "weights", "prevalence", "f1thr")
    rows, preds = [], {}
    for key, (label, (model, t)) in zip(keys, fits.items()):
        pred = (model.predict_proba(Xt)[:, 1] >= t).astype(int)
        preds[key] = pred
        p, rc, f = precision_score(yt, pred), recall_score(yt, pred), f1_score(yt, pred)
        bal = 0.5 * (rc + np.mean(pred[yt == 0] == 0))
        r.number(f"precision_{key}", p, f"precision_score(y_test, pred)  # {label}")
        r.number(f"recall_{key}", rc)
        r.number(f"f1_{key}", f)
        r.number(f"balanced_acc_{key}", float(bal))
        rows.append([label, t, p, rc, f, bal])
    r.table(f"Test set ({len(yt)} samples, {PREVALENCE:.0%} positives), logistic regression",
            ["method", "threshold", "precision", "recall", "F1", "balanced accuracy"], rows)
    r.number("agree_weights_vs_prevalence", float(np.mean(preds["weights"] == preds["prevalence"])),
             "share of test predictions equal: class weights vs threshold = prevalence")
    best_f1 = max(r.numbers[f"f1_{k}"] for k in keys)
    r.number("best_f1", best_f1)
    r.number("f1_half_best", best_f1 / 2)

    fixes = ("under", "over", "weights", "prevalence")
    r.check("rebalancing-raises-recall", all(r.numbers[f"recall_{k}"] > r.numbers["recall_baseline"]
                                             and r.numbers[f"precision_{k}"] < r.numbers["precision_baseline"]
                                             for k in fixes))
    r.check("weights-equal-threshold-moving", r.numbers["agree_weights_vs_prevalence"] > 0.97)
    pi_best_balanced = r.numbers["balanced_acc_prevalence"] >= max(r.numbers[f"balanced_acc_{k}"] for k in keys) - 0.01
    pi_best_f1 = r.numbers["f1_prevalence"] >= best_f1 - 0.01
    r.verdict("prevalence-threshold", "confirmed" if pi_best_f1 else ("depends" if pi_best_balanced else "corrected"))
    r.condition("The threshold minority/(minority+majority) on calibrated probabilities is the balanced-cost rule: it "
                "maximises balanced accuracy (TPR − FPR), not F1; the F1-optimal threshold is about half the best F1.")

    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6.4, 3.4))
    labels = ["baseline", "under", "over", "weights", "t = prev.", "t = best F1"]
    width = 0.27
    pos = np.arange(len(keys))
    for j, (metric, colour) in enumerate((("precision", "C0"), ("recall", "C1"), ("f1", "C2"))):
        ax.bar(pos + (j - 1) * width, [r.numbers[f"{metric}_{k}"] for k in keys], width, color=colour,
               label=metric if metric != "f1" else "F1")
    ax.set_xticks(pos, labels, fontsize=8)
    ax.set(ylim=(0, 1), title="One imbalanced set, six ways to handle it")
    ax.legend(fontsize=8, ncol=3)
    r.figure("imbalance", fig, "Precision, recall and F1 on the test set for each remedy.")
    return r


ENTRY = Entry(
    id="imbalance",
    section="B",
    title={"zh": "数据不均衡如何处理", "en": "Handling class imbalance"},
    keywords=["imbalance", "不均衡", "不平衡", "under-sampling", "over-sampling", "欠采样", "过采样", "class weight",
              "类别权重", "threshold", "阈值", "threshold moving"],
    claims={
        "rebalancing-raises-recall": {
            "en": "Under-sampling, over-sampling, class weights and a lower threshold all buy minority recall with precision.",
            "zh": "欠采样、过采样、类别权重和降低阈值都是用精确率换取少数类的召回率。"},
        "weights-equal-threshold-moving": {
            "en": "For logistic regression, balanced class weights act almost exactly like moving the threshold to the prevalence.",
            "zh": "对逻辑回归而言，平衡的类别权重几乎等价于把阈值移到正样本比例处。"},
        "prevalence-threshold": {
            "en": "The recommended fix: move the threshold from 0.5 to minority/(minority+majority).",
            "zh": "推荐做法：把阈值从 0.5 调整为 较少类别/(较少类别+较多类别)。"},
    },
    answer={
        "en": r"""
With {=prevalence:.1%} positives, a classifier trained to minimise average log-loss predicts
"positive" only where $p(y=1|x) > 0.5$, which is rare: recall suffers. Every remedy shifts the
decision towards the minority; they differ in cost. **Under-sampling** throws majority data
away, **over-sampling** repeats minority rows (the model sees the same points many times),
**class weights** multiply each sample's loss by $\frac{n}{2 n_c}$ without touching the data, and
**threshold moving** keeps the model and changes only the cut on $p$.

**Experiment** (logistic regression, Gaussian classes, test F1 / recall / precision): baseline
{=f1_baseline:.3f} / {=recall_baseline:.3f} / {=precision_baseline:.3f}; under-sampling
{=f1_under:.3f} / {=recall_under:.3f} / {=precision_under:.3f}; over-sampling
{=f1_over:.3f} / {=recall_over:.3f} / {=precision_over:.3f}; class weights
{=f1_weights:.3f} / {=recall_weights:.3f} / {=precision_weights:.3f}.

Weighting multiplies the odds by $\frac{n_0}{n_1}$, i.e. shifts the intercept by
$\log\frac{n_0}{n_1}$ — the same as cutting the unweighted $p$ at $\pi = \frac{n_1}{n_0+n_1}$; the two agree on
{=agree_weights_vs_prevalence:.1%} of test points. So the notes' threshold
$\pi$ = {=prevalence:.3f} (F1 {=f1_prevalence:.3f}, recall {=recall_prevalence:.3f}) is the
*balanced-cost* choice: it maximises $\mathrm{TPR} - \mathrm{FPR}$, not F1. If F1 is the goal,
pick the threshold on validation: {=f1_threshold:.3f} gives F1 {=f1_f1thr:.3f}; theory for
calibrated scores puts it at half the best F1 ({=f1_half_best:.3f}). Choose the rule from the
costs of the two errors, not a formula.
""",
        "zh": r"""
正样本只占 {=prevalence:.1%} 时，以平均对数损失训练的分类器只在 $p(y=1|x) > 0.5$ 处预测为正，而这种区域很少：
召回率很差。所有补救方法都把决策往少数类方向推，区别在于代价。**欠采样**丢掉多数类数据；**过采样**重复少数类样本
（模型反复看到同样的点）；**类别权重**把每个样本的损失乘以 $\frac{n}{2 n_c}$，数据不变；**阈值调整**不改模型，只改
$p$ 的切分点。

**实验**（逻辑回归、高斯类别，测试集 F1 / 召回率 / 精确率）：基线 {=f1_baseline:.3f} / {=recall_baseline:.3f} /
{=precision_baseline:.3f}；欠采样 {=f1_under:.3f} / {=recall_under:.3f} / {=precision_under:.3f}；过采样
{=f1_over:.3f} / {=recall_over:.3f} / {=precision_over:.3f}；类别权重 {=f1_weights:.3f} / {=recall_weights:.3f} /
{=precision_weights:.3f}。

加权等于把几率乘以 $\frac{n_0}{n_1}$，即截距平移 $\log\frac{n_0}{n_1}$——与在未加权的 $p$ 上以
$\pi = \frac{n_1}{n_0+n_1}$ 为阈值相同；两者在 {=agree_weights_vs_prevalence:.1%} 的测试点上预测一致。因此笔记推荐的阈值
$\pi$ = {=prevalence:.3f}（F1 {=f1_prevalence:.3f}，召回率 {=recall_prevalence:.3f}）是**代价均衡**的选择：它最大化
$\mathrm{TPR} - \mathrm{FPR}$，而不是 F1。若目标是 F1，应在验证集上选阈值：{=f1_threshold:.3f} 时 F1 为
{=f1_f1thr:.3f}；对校准良好的分数，理论上最优阈值约为最佳 F1 的一半（{=f1_half_best:.3f}）。应根据两类错误的代价选择规则，
而不是套公式。
""",
    },
    compute=compute,
)
