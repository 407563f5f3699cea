"""Deriving the SVM, checked on a solution: primal = dual at the optimum, the KKT conditions, w from the support vectors."""
from __future__ import annotations

import numpy as np

from ... import backend
from ...classic import SVC
from ..entry import Entry
from ..result import Result

C = 1.0
HARD_C = 100.0  # large enough that no slack is worth paying for on separable data


def blobs(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two overlapping 2-D Gaussian classes (labels 0/1), n per class."""
    rng = backend.spawn_rng(seed)
    X = np.vstack([rng.normal([-1.0, -0.5], 0.9, size=(n, 2)), rng.normal([1.0, 0.5], 0.9, size=(n, 2))])
    return X, np.repeat([0, 1], n)


def compute(quick: bool) -> Result:
    r = Result()
    n = 40 if quick else 200
    X, y = blobs(n)
    svm = SVC(kernel="linear", C=C, tol=1e-6).fit(X, y)
    r.number("n_samples", len(y))
    r.number("C", C)
    obj = svm.objective_values(X, y)
    r.number("primal", float(obj["primal"]), "SVC(kernel='linear').objective_values(X, y)['primal']")
    r.number("dual", float(obj["dual"]), "objective_values(X, y)['dual']")
    r.number("gap", float(obj["gap"]), "primal - dual")
    r.number("kkt_violations", int(len(svm.kkt_violations(X, y, tol=1e-3))), "len(svm.kkt_violations(X, y))")

    ya = svm.dual_coef_[0]                   # yᵢαᵢ of the support vectors (positive score = class 1)
    alpha = np.abs(ya)
    w = ya @ svm.support_vectors_
    b = float(svm.intercept_[0])
    r.number("w_norm", float(np.linalg.norm(w)))
    r.number("margin_width", float(2 / np.linalg.norm(w)), "2 / ||w||")
    r.number("sum_alpha_y", float(ya.sum()), "sum(dual_coef_)  # = Σ αᵢ yᵢ, must be 0")
    r.number("alpha_max", float(alpha.max()))
    r.number("n_support", int(len(svm.support_)))
    free = alpha < C * (1 - 1e-9)
    r.number("n_free_sv", int(free.sum()), "support vectors with 0 < α < C (on the margin)")
    r.number("n_bound_sv", int((~free).sum()), "support vectors with α = C (inside the margin or misclassified)")
    s = 2 * y - 1
    margins = s * (X @ w + b)
    r.number("free_margin_max_dev", float(np.abs(margins[svm.support_[free]] - 1).max()), "max |yᵢf(xᵢ) − 1| over free SVs")
    r.number("non_sv_min_margin", float(np.delete(margins, svm.support_).min()), "min yᵢf(xᵢ) over non-support vectors")
    r.number("decision_vs_w_max_diff", float(np.abs(svm.decision_function(X) - (X @ w + b)).max()))

    sv_only = SVC(kernel="linear", C=C, tol=1e-6).fit(X[svm.support_], y[svm.support_])
    w_sv = sv_only.dual_coef_[0] @ sv_only.support_vectors_
    r.number("refit_on_svs_w_diff", float(np.abs(w_sv - w).max()), "refit on the support vectors only: max |Δw|")

    keep = margins > 1 - 1e-3  # drop the points inside the margin (α = C): what is left is separable
    hard_X, hard_y = X[keep], y[keep]
    hard = SVC(kernel="linear", C=HARD_C, tol=1e-8).fit(hard_X, hard_y)
    hard_obj = hard.objective_values(hard_X, hard_y)
    w_h = hard.dual_coef_[0] @ hard.support_vectors_
    r.number("hard_C", HARD_C)
    r.number("hard_primal", float(hard_obj["primal"]))
    r.number("hard_min_margin", float(((2 * hard_y - 1) * hard.decision_function(hard_X)).min()))
    r.number("hard_half_w2", float(0.5 * w_h @ w_h), "½||w||² of the hard-margin solution")
    r.number("hard_gap", float(hard_obj["gap"]))
    r.number("hard_n_support", int(len(hard.support_)))

    r.check("strong-duality", abs(r.numbers["gap"]) < 1e-4 * r.numbers["primal"])
    r.check("kkt-hold", r.numbers["kkt_violations"] == 0 and abs(r.numbers["sum_alpha_y"]) < 1e-8
            and r.numbers["alpha_max"] <= C * (1 + 1e-12))
    r.check("w-from-support-vectors", r.numbers["decision_vs_w_max_diff"] < 1e-9 and r.numbers["refit_on_svs_w_diff"] < 1e-3)
    r.table("The soft-margin solution (linear kernel, C = 1)", ["quantity", "value"],
            [["primal ½||w||² + C Σ ξ", r.numbers["primal"]], ["dual Σα − ½ αᵀQα", r.numbers["dual"]],
             ["gap", r.numbers["gap"]], ["support vectors", r.numbers["n_support"]],
             ["free (0<α<C)", r.numbers["n_free_sv"]], ["bound (α=C)", r.numbers["n_bound_sv"]],
             ["KKT violations", r.numbers["kkt_violations"]], ["margin 2/||w||", r.numbers["margin_width"]]])

    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(4.6, 4))
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap="coolwarm", s=14)
    ax.scatter(*svm.support_vectors_[free].T, s=70, facecolors="none", edgecolors="k", label="free SV (0<α<C)")
    ax.scatter(*svm.support_vectors_[~free].T, s=70, marker="s", facecolors="none", edgecolors="g", label="bound SV (α=C)")
    xs = np.linspace(X[:, 0].min(), X[:, 0].max(), 2)
    for level, style in ((0, "k-"), (1, "k--"), (-1, "k--")):
        ax.plot(xs, (level - b - w[0] * xs) / w[1], style, lw=1)
    ax.set(xlim=(X[:, 0].min() - 0.3, X[:, 0].max() + 0.3), ylim=(X[:, 1].min() - 0.3, X[:, 1].max() + 0.3),
           title="Soft-margin SVM, C = 1")
    ax.legend(fontsize=7, loc="upper left")
    r.figure("svm", fig, "Decision boundary f = 0 and margins f = ±1; circles: free SVs, squares: bound SVs.")
    return r


ENTRY = Entry(
    id="svm-derivation",
    section="I",
    title={"zh": "手推 SVM", "en": "Deriving the SVM"},
    keywords=["svm", "支持向量机", "dual", "对偶", "KKT", "margin", "间隔", "support vector", "支持向量", "SMO",
              "hinge", "拉格朗日"],
    claims={
        "strong-duality": {"en": "At the optimum the primal and dual objectives are equal (strong duality; zero gap).",
                           "zh": "在最优解处原问题与对偶问题的目标值相等（强对偶，对偶间隙为 0）。"},
        "kkt-hold": {"en": "The solution satisfies the KKT conditions: 0 ≤ α ≤ C, Σαᵢyᵢ = 0 and complementary slackness.",
                     "zh": "解满足 KKT 条件：0 ≤ α ≤ C，Σαᵢyᵢ = 0，以及互补松弛条件。"},
        "w-from-support-vectors": {
            "en": "w is a combination of the support vectors alone: the other points can be removed without changing the model.",
            "zh": "w 只由支持向量线性组合而成：去掉其他样本，模型不变。"},
    },
    answer={
        "en": r"""
**Primal.** With labels $y_i \in \{-1, +1\}$, find the widest margin $2/\|w\|$ while paying $C$
per unit of violation:
$$\min_{w,b,\xi} \frac{1}{2}\|w\|^2 + C\sum_i \xi_i \quad \mathrm{s.t.}\ y_i(w^\top x_i + b) \geq 1 - \xi_i,\ \xi_i \geq 0 .$$
**Lagrangian.** With multipliers $\alpha_i, \mu_i \geq 0$, setting the derivatives to zero gives
$w = \sum_i \alpha_i y_i x_i$, $\sum_i \alpha_i y_i = 0$ and $\alpha_i + \mu_i = C$, hence the
**dual**
$$\max_\alpha \sum_i \alpha_i - \frac{1}{2}\sum_{i,j} \alpha_i \alpha_j y_i y_j x_i^\top x_j \quad \mathrm{s.t.}\ 0 \leq \alpha_i \leq C,\ \sum_i \alpha_i y_i = 0 ,$$
which only needs inner products, so a kernel can replace $x_i^\top x_j$. **KKT** (complementary
slackness): $\alpha_i = 0 \Rightarrow y_i f(x_i) \geq 1$; $0 < \alpha_i < C \Rightarrow y_i f(x_i) = 1$;
$\alpha_i = C \Rightarrow y_i f(x_i) \leq 1$.

**Checked on a solution** (SMO, {=n_samples} points, $C={=C}$): primal {=primal:.6f}, dual
{=dual:.6f}, gap {=gap:.1e}. KKT violations: {=kkt_violations}; $\sum \alpha_i y_i$ =
{=sum_alpha_y:.1e}. Of {=n_support} support vectors, {=n_free_sv} are free and sit on the margin
(largest $|y_i f(x_i) - 1|$: {=free_margin_max_dev:.1e}) and {=n_bound_sv} have $\alpha_i = C$;
every other point has $y_i f(x_i) \geq$ {=non_sv_min_margin:.3f}. Refitting on the support vectors
alone moves $w$ by {=refit_on_svs_w_diff:.1e}. Margin width {=margin_width:.3f}. Without the
violating points the data are separable and $C={=hard_C:.0f}$ gives the hard margin (smallest
$y_i f(x_i)$ = {=hard_min_margin:.6f}, so every $\xi_i = 0$):
$\frac{1}{2}\|w\|^2$ = {=hard_half_w2:.5f} = primal {=hard_primal:.5f}, gap {=hard_gap:.1e},
{=hard_n_support} support vectors.
""",
        "zh": r"""
**原问题。** 标签 $y_i \in \{-1, +1\}$，在最大化间隔 $2/\|w\|$ 的同时，对每单位违反间隔付出代价 $C$：
$$\min_{w,b,\xi} \frac{1}{2}\|w\|^2 + C\sum_i \xi_i \quad \mathrm{s.t.}\ y_i(w^\top x_i + b) \geq 1 - \xi_i,\ \xi_i \geq 0 .$$
**拉格朗日函数。** 引入乘子 $\alpha_i, \mu_i \geq 0$，令偏导为零得 $w = \sum_i \alpha_i y_i x_i$、$\sum_i \alpha_i y_i = 0$、
$\alpha_i + \mu_i = C$，代回得到**对偶问题**
$$\max_\alpha \sum_i \alpha_i - \frac{1}{2}\sum_{i,j} \alpha_i \alpha_j y_i y_j x_i^\top x_j \quad \mathrm{s.t.}\ 0 \leq \alpha_i \leq C,\ \sum_i \alpha_i y_i = 0 ,$$
它只用到内积，因此可以用核函数替换 $x_i^\top x_j$。**KKT 条件**（互补松弛）：$\alpha_i = 0 \Rightarrow y_i f(x_i) \geq 1$；
$0 < \alpha_i < C \Rightarrow y_i f(x_i) = 1$；$\alpha_i = C \Rightarrow y_i f(x_i) \leq 1$。

**在解上验证**（SMO，{=n_samples} 个点，$C={=C}$）：原问题目标值 {=primal:.6f}，对偶目标值 {=dual:.6f}，间隙 {=gap:.1e}。
KKT 违反个数：{=kkt_violations}；$\sum \alpha_i y_i$ = {=sum_alpha_y:.1e}。{=n_support} 个支持向量中，{=n_free_sv} 个是自由支持
向量，恰在间隔边界上（最大 $|y_i f(x_i) - 1|$ 为 {=free_margin_max_dev:.1e}），{=n_bound_sv} 个满足 $\alpha_i = C$；其余所有点
$y_i f(x_i) \geq$ {=non_sv_min_margin:.3f}。只用支持向量重新训练，$w$ 的变化为 {=refit_on_svs_w_diff:.1e}。间隔宽度
{=margin_width:.3f}。去掉违反间隔的点后数据线性可分，取 $C={=hard_C:.0f}$ 得到硬间隔解（最小的 $y_i f(x_i)$ 为 {=hard_min_margin:.6f}，
所有 $\xi_i = 0$）：$\frac{1}{2}\|w\|^2$ = {=hard_half_w2:.5f}
= 原问题目标值 {=hard_primal:.5f}，间隙 {=hard_gap:.1e}，支持向量 {=hard_n_support} 个。
""",
    },
    compute=compute,
)
