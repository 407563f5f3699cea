"""Drawing ROC: the threshold sweep, the fast sorted walk, and what ties do to a naive walk."""
from __future__ import annotations

import time

import numpy as np

from ... import backend
from ...metrics import auc, roc_curve
from ..entry import Entry
from ..result import Result


def _auc(labels, scores, method: str) -> float:
    fpr, tpr, _ = roc_curve(labels, scores, method=method, drop_intermediate=False)
    return auc(fpr, tpr)


def _best_time(fn, repeats: int = 3) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def compute(quick: bool) -> Result:
    r = Result()
    scores = np.array([0.9, 0.8, 0.8, 0.7])
    labels = np.array([1, 1, 0, 0])
    swapped = np.array([1, 0, 1, 0])  # the same samples, the tied pair listed the other way round
    r.number("naive_auc_pos_first", _auc(labels, scores, "naive"), 'auc(*roc_curve(y, s, method="naive")[:2])')
    r.number("naive_auc_neg_first", _auc(swapped, scores, "naive"))
    r.number("sweep_auc", _auc(labels, scores, "sweep"), 'roc_curve(y, s, method="sweep")')
    r.number("sorted_auc", _auc(labels, scores, "sorted"), 'roc_curve(y, s, method="sorted")')
    r.number("sorted_auc_swapped", _auc(swapped, scores, "sorted"))

    rng = backend.spawn_rng(1)
    n = 2_000 if quick else 20_000
    y = rng.integers(0, 2, n)
    s_unique = rng.random(n) + 0.3 * y
    agree = [_auc(y, s_unique, m) for m in ("naive", "sweep", "sorted")]
    r.number("no_ties_max_auc_gap", float(max(agree) - min(agree)))
    s_tied = np.round(s_unique, 1)
    r.number("distinct_scores_tied", int(np.unique(s_tied).size))
    t_sweep = _best_time(lambda: roc_curve(y, s_unique, method="sweep"))
    t_sorted = _best_time(lambda: roc_curve(y, s_unique, method="sorted"))
    r.number("n_timed", n)
    r.number("sweep_seconds", t_sweep)
    r.number("sorted_seconds", t_sorted)
    r.number("sweep_over_sorted", t_sweep / t_sorted)
    r.table("AUC of the 4-sample example", ["method", "order (1,1,0,0)", "order (1,0,1,0)"],
            [["naive walk", r.numbers["naive_auc_pos_first"], r.numbers["naive_auc_neg_first"]],
             ["threshold sweep", r.numbers["sweep_auc"], _auc(swapped, scores, "sweep")],
             ["sorted walk, ties grouped", r.numbers["sorted_auc"], r.numbers["sorted_auc_swapped"]]])

    r.check("same-without-ties", r.numbers["no_ties_max_auc_gap"] < 1e-12)
    # the notes' fast method is the naive walk: with a tie it draws one of two curves, neither the ROC
    naive = (r.numbers["naive_auc_pos_first"], r.numbers["naive_auc_neg_first"])
    r.check("notes-fast-method", all(a == r.numbers["sweep_auc"] for a in naive))
    r.condition("The notes' one-step-per-sample walk is exact only when no two samples share a score; with ties "
                "it must take one diagonal step per tie group.")
    r.check("tie-aware-walk-equals-sweep", r.numbers["sorted_auc"] == r.numbers["sweep_auc"]
            == r.numbers["sorted_auc_swapped"])
    r.check("sorted-is-faster", t_sorted < t_sweep)

    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(4.2, 4))
    for lab, yy, m, style in (("naive, positive first", labels, "naive", "C0--"),
                              ("naive, negative first", swapped, "naive", "C3--"),
                              ("sweep = grouped walk", labels, "sweep", "k-")):
        fpr, tpr, _ = roc_curve(yy, scores, method=m, drop_intermediate=False)
        ax.plot(fpr, tpr, style, lw=2, label=lab)
    ax.set(xlabel="FPR", ylabel="TPR", title="Scores [.9,.8,.8,.7]")
    ax.legend(loc="lower right", fontsize=8)
    r.figure("roc-ties", fig, "With a tie, the naive walk goes up-then-right or right-then-up; the sweep takes the diagonal.")
    return r


ENTRY = Entry(
    id="roc-methods",
    section="B",
    title={"zh": "绘制 ROC 的标准方法和快速方法", "en": "Drawing ROC: threshold sweep vs. the fast sorted walk"},
    keywords=["roc", "auc", "threshold", "阈值", "排序", "tie", "并列"],
    claims={
        "same-without-ties": {"en": "Without tied scores, the sweep and the sorted walk draw the same curve.",
                              "zh": "没有并列分数时，阈值扫描与排序遍历画出同一条曲线。"},
        "notes-fast-method": {
            "en": "The notes' fast method: sort the samples by score and walk from the top, one unit up the TPR axis "
                  "for each positive and one unit along the FPR axis otherwise, until all are visited; this draws "
                  "the ROC curve.",
            "zh": "笔记原文（快速方法）：根据模型预测结果将样本进行排序后，从高到低遍历样本，每遇到一个正样本就沿纵轴方向绘制"
                  "一个单位长度的曲线，反之则沿横轴，直到遍历完成。"},
        "tie-aware-walk-equals-sweep": {
            "en": "Walking tie groups as one diagonal step gives exactly the sweep's curve and AUC.",
            "zh": "把并列的一组样本当作一步对角线走，结果与阈值扫描的曲线和 AUC 完全相同。"},
        "sorted-is-faster": {"en": "The sorted walk, O(n log n), is faster than sweeping every threshold, O(n·t).",
                             "zh": "排序遍历的复杂度为 O(n log n)，比逐阈值扫描的 O(n·t) 更快。"},
    },
    answer={
        "en": r"""
**Standard method (threshold sweep).** Lower a threshold $t$ from $+\infty$ through every distinct
score; at each $t$ count $\mathrm{TPR} = TP/P$ and $\mathrm{FPR} = FP/N$ and join the points. With
$t$ distinct scores this costs $O(n \cdot t)$.

**Fast method (sorted walk).** Sort once by score and walk from the top: a positive moves the
curve up by $1/P$, a negative right by $1/N$. Cost $O(n \log n)$; here on {=n_timed} samples the
sweep took {=sweep_seconds:.4f} s and the walk {=sorted_seconds:.4f} s ({=sweep_over_sorted:.1f}x).

**The catch: ties.** The notes' fast method walks one sample at a time. With scores
$[0.9, 0.8, 0.8, 0.7]$ and labels $[1, 1, 0, 0]$ that walk gives AUC {=naive_auc_pos_first} if
the tied positive comes first and {=naive_auc_neg_first} if the tied negative does — the same
model, two answers, and neither is the ROC's {=sweep_auc}. A threshold cannot separate tied samples, so the correct curve moves
*diagonally* across a tie group: grouping ties gives {=sorted_auc}, exactly the sweep's
{=sweep_auc}. Without ties all three agree (largest AUC gap on random data:
{=no_ties_max_auc_gap:.1e}). Real scores tie often (rounded probabilities, trees, kNN), so a
correct implementation must group them; gradbook's `roc_curve(method="sorted")` does, and equals
scikit-learn.
""",
        "zh": r"""
**标准方法（阈值扫描）。** 阈值 $t$ 从 $+\infty$ 开始依次降到每个不同的分数，在每个阈值下统计
$\mathrm{TPR} = TP/P$ 与 $\mathrm{FPR} = FP/N$，再把各点连起来。若有 $t$ 个不同分数，代价为 $O(n \cdot t)$。

**快速方法（排序遍历）。** 按分数排序一次，从高到低遍历：遇到正样本沿纵轴上移 $1/P$，遇到负样本沿横轴右移
$1/N$。代价为 $O(n \log n)$；在 {=n_timed} 个样本上扫描用时 {=sweep_seconds:.4f} 秒，遍历用时
{=sorted_seconds:.4f} 秒（{=sweep_over_sorted:.1f} 倍）。

**问题在于并列分数。** 笔记中的快速方法是一个样本走一步。分数 $[0.9, 0.8, 0.8, 0.7]$、标签 $[1, 1, 0, 0]$ 时，
若并列的正样本排在前面，AUC 为 {=naive_auc_pos_first}；若并列的负样本在前，AUC 为 {=naive_auc_neg_first}
——同一个模型得到两个答案，而且都不是 ROC 的 {=sweep_auc}。阈值无法区分分数相同的样本，所以正确的曲线在并列组上应走**对角线**：
把并列样本合为一组得到 {=sorted_auc}，与阈值扫描的 {=sweep_auc} 完全一致。没有并列时三种方法一致
（随机数据上 AUC 最大差 {=no_ties_max_auc_gap:.1e}）。实际中分数常有并列（概率取整、决策树、kNN），
因此正确的实现必须分组处理；gradbook 的 `roc_curve(method="sorted")` 即如此，并与 scikit-learn 相同。
""",
    },
    compute=compute,
)
