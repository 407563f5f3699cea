"""GBDT vs. AdaBoost: AdaBoost as stagewise fitting of the exponential loss, GBDT as trees fitted to
negative gradients (with Newton leaf values for log-loss)."""
from __future__ import annotations

import numpy as np
from scipy.optimize import minimize_scalar

from ... import backend
from ...classic import AdaBoostClassifier, DecisionTreeRegressor, GradientBoostingClassifier
from ...metrics import accuracy_score
from ..entry import Entry
from ..result import Result


def moons_like(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Four features; the label depends on a curved boundary in the first two; 5% of labels flipped."""
    rng = backend.spawn_rng(seed)
    X = rng.normal(size=(n, 4))
    y = (X[:, 1] > 0.6 * X[:, 0] ** 2 - 1).astype(int)
    return X, np.where(rng.random(n) < 0.05, 1 - y, y)


def same_partition(a: np.ndarray, b: np.ndarray) -> bool:
    """Do two leaf assignments group the samples identically (up to leaf numbering)?"""
    pairs = np.unique(np.column_stack([a, b]), axis=0)
    return len(pairs) == len(np.unique(a)) == len(np.unique(b))


def compute(quick: bool) -> Result:
    r = Result()
    n, stages = (300, 30) if quick else (2000, 200)
    X, y = moons_like(n, seed=0)
    Xt, yt = moons_like(5000, seed=1)
    s = 2 * y - 1
    r.number("n_train", n)
    r.number("stages", stages)

    # --- AdaBoost: each stage weight is the exponential-loss line search --------------------------
    ada = AdaBoostClassifier(n_estimators=stages, random_state=0).fit(X, y)
    G = np.zeros(n)
    gaps, losses = [], [float(np.mean(np.exp(-s * G)))]
    for est, alpha in zip(ada.estimators_, ada.estimator_weights_):
        h = 2 * est.predict(X) - 1
        beta = minimize_scalar(lambda b: np.mean(np.exp(-s * (G + b * h))), bounds=(0, 10), method="bounded",
                               options={"xatol": 1e-12}).x
        gaps.append(abs(beta - alpha / 2))
        G = G + alpha / 2 * h
        losses.append(float(np.mean(np.exp(-s * G))))
    r.number("ada_stages_used", len(ada.estimators_))
    r.number("ada_alpha_1", float(ada.estimator_weights_[0]), "AdaBoostClassifier().estimator_weights_[0]")
    r.number("ada_err_1", float(ada.estimator_errors_[0]))
    r.number("ada_line_search_max_gap", float(max(gaps)), "max_m |argmin_β mean exp(−y(G + βh_m)) − α_m/2|")
    r.number("ada_exp_loss_first", losses[1])
    r.number("ada_exp_loss_last", losses[-1])
    r.number("ada_exp_loss_monotone", bool(np.all(np.diff(losses) < 0)))
    r.number("ada_test_acc", accuracy_score(yt, ada.predict(Xt)), "accuracy_score(y_test, ada.predict(X_test))")

    # --- GBDT with log-loss: trees fit y − p, leaves hold Newton steps ------------------------------
    gb = GradientBoostingClassifier(n_estimators=stages, max_depth=2, learning_rate=0.1, random_state=0).fit(X, y)
    prior = y.mean()
    F = np.full(n, np.log(prior / (1 - prior)))
    partition_ok, newton_gap, mean_gap = [], 0.0, 0.0
    for m, F_next in enumerate(gb.staged_decision_function(X)):
        p = 1 / (1 + np.exp(-F))
        resid = y - p                                        # negative gradient of the log-loss in F
        tree = gb.estimators_[m, 0]
        own = DecisionTreeRegressor(max_depth=2).fit(X, resid)
        leaves = tree.apply(X)
        partition_ok.append(same_partition(leaves, own.apply(X)))
        for leaf in np.unique(leaves):
            in_leaf = leaves == leaf
            value = tree.tree_.value[leaf, 0, 0]
            newton = resid[in_leaf].sum() / (p[in_leaf] * (1 - p[in_leaf])).sum()
            newton_gap = max(newton_gap, abs(value - newton))
            mean_gap = max(mean_gap, abs(value - resid[in_leaf].mean()))
        F = np.asarray(F_next).ravel()
    r.number("gb_partition_match_share", float(np.mean(partition_ok)),
             "share of stages whose tree splits like DecisionTreeRegressor(max_depth=2).fit(X, y − p)")
    r.number("gb_leaf_newton_max_gap", float(newton_gap), "max |leaf value − Σr / Σp(1−p)|")
    r.number("gb_leaf_mean_residual_max_gap", float(mean_gap), "max |leaf value − mean residual|")
    r.number("gb_test_acc", accuracy_score(yt, gb.predict(Xt)), "accuracy_score(y_test, gb.predict(X_test))")
    r.table("AdaBoost vs. GBDT", ["", "AdaBoost (SAMME)", "GBDT"],
            [["loss", "exponential exp(-yF)", "log-loss log(1+exp(-yF)) (any differentiable loss)"],
             ["what the next learner sees", "re-weighted samples", "negative gradients (pseudo-residuals)"],
             ["step size / leaf values", "alpha_m = log((1-e)/e), closed form", "Newton step per leaf, times learning rate"],
             ["base learner", "stumps (classifier)", "small regression trees"],
             [f"test accuracy ({stages} stages)", r.numbers["ada_test_acc"], r.numbers["gb_test_acc"]]])

    r.check("adaboost-is-exponential-loss", r.numbers["ada_line_search_max_gap"] < 1e-6 and r.numbers["ada_exp_loss_monotone"])
    r.check("gbdt-fits-negative-gradient", r.numbers["gb_partition_match_share"] == 1.0)
    r.check("gbdt-leaves-are-mean-residuals", r.numbers["gb_leaf_mean_residual_max_gap"] < 1e-6)
    r.condition("With squared error the leaf means of the residuals are already optimal; the Newton leaf values appear "
                "for log-loss and other non-quadratic losses.")

    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.3))
    m = np.linspace(-2, 2, 200)
    axes[0].plot(m, np.exp(-m), label="exponential (AdaBoost)")
    axes[0].plot(m, np.log2(1 + np.exp(-2 * m)), label="log-loss, scaled (GBDT)")
    axes[0].plot(m, (m < 0).astype(float), "k:", label="0-1")
    axes[0].set(xlabel="margin y F(x)", ylabel="loss", ylim=(0, 5), title="Losses against the margin")
    axes[0].legend(fontsize=8)
    axes[1].semilogy(range(len(losses)), losses, "o-", ms=3)
    axes[1].set(xlabel="stage", ylabel="mean exp(-y G)", title="AdaBoost lowers the exponential loss")
    r.figure("gbdt-adaboost", fig, "Left: the exponential loss punishes wrong margins much harder than log-loss. "
                                   "Right: the exponential loss after each AdaBoost stage.")
    return r


ENTRY = Entry(
    id="gbdt-vs-adaboost",
    section="I",
    title={"zh": "GBDT 与 AdaBoost 的区别与联系", "en": "GBDT vs. AdaBoost"},
    keywords=["gbdt", "adaboost", "boosting", "gradient boosting", "梯度提升", "提升树", "exponential loss", "指数损失",
              "残差", "residual", "xgboost"],
    claims={
        "adaboost-is-exponential-loss": {
            "en": "AdaBoost is forward stagewise additive modelling with the exponential loss: each stage weight is its line search.",
            "zh": "AdaBoost 是以指数损失为目标的前向分步加法模型：每一轮的权重正是该损失上的线搜索结果。"},
        "gbdt-fits-negative-gradient": {
            "en": "Each GBDT tree is fitted to the negative gradient of the loss (for log-loss: y − p).",
            "zh": "GBDT 的每棵树拟合的是损失函数的负梯度（对数损失下为 y − p）。"},
        "gbdt-leaves-are-mean-residuals": {
            "en": "Each GBDT tree predicts the residuals: its leaf values are the mean residual in the leaf.",
            "zh": "GBDT 的每棵树预测残差：叶子节点的值就是叶内残差的均值。"},
    },
    answer={
        "en": r"""
Both build an additive model $F_M(x) = \sum_m \beta_m h_m(x)$ greedily, one learner at a time,
to lower a loss. They differ in the loss and in how the next learner is told what to fix.

**AdaBoost** minimises the exponential loss $\sum_i e^{-y_i F(x_i)}$, $y_i \in \{-1, 1\}$.
Writing $w_i \propto e^{-y_i F_{m-1}(x_i)}$, the best step along a classifier $h$ is
$\beta = \frac{1}{2}\log\frac{1-e_m}{e_m}$ with $e_m$ its weighted error, and the new weights
multiply the misclassified points by $e^{2\beta}$: the famous re-weighting *is* the loss's
bookkeeping. Checked: a numerical line search on the exponential loss matches
$\alpha_m / 2$ at every one of {=ada_stages_used} stages (largest gap
{=ada_line_search_max_gap:.1e}; SAMME stores $\alpha_m = 2\beta_m$, first $\alpha$ =
{=ada_alpha_1:.4f} for $e_1$ = {=ada_err_1:.4f}), and the loss falls every stage, from
{=ada_exp_loss_first:.4f} to {=ada_exp_loss_last:.4f}.

**GBDT** works with any differentiable loss: fit a regression tree to the negative gradient
$-\partial L / \partial F$, then set each leaf's value by a line search. For log-loss the gradient
is $y - p$: a tree fitted to $y - p$ splits exactly like each stage's tree
({=gb_partition_match_share:.0%} of stages). But the leaves are **not** mean residuals (largest
gap {=gb_leaf_mean_residual_max_gap:.3f}): they hold a Newton step
$\frac{\sum r_i}{\sum p_i(1-p_i)}$ (gap {=gb_leaf_newton_max_gap:.1e}). "Trees fit the residuals"
is exact only for squared error.

**In practice** the exponential loss grows as $e^{-\mathrm{margin}}$ and chases mislabelled points;
log-loss grows linearly and is more robust, and GBDT also covers regression and ranking. Test
accuracy here: AdaBoost {=ada_test_acc:.3f}, GBDT {=gb_test_acc:.3f}.
""",
        "zh": r"""
两者都是贪心地逐个加入学习器，构造加法模型 $F_M(x) = \sum_m \beta_m h_m(x)$ 以降低某个损失。区别在于损失函数，以及如何
告诉下一个学习器该修正什么。

**AdaBoost** 最小化指数损失 $\sum_i e^{-y_i F(x_i)}$，$y_i \in \{-1, 1\}$。记 $w_i \propto e^{-y_i F_{m-1}(x_i)}$，沿分类器
$h$ 的最优步长为 $\beta = \frac{1}{2}\log\frac{1-e_m}{e_m}$（$e_m$ 为加权错误率），新的权重把被分错的样本乘以
$e^{2\beta}$：著名的样本重加权*正是*该损失的记账方式。验证：在指数损失上做数值线搜索，{=ada_stages_used} 轮中每一轮都与
$\alpha_m / 2$ 一致（最大差 {=ada_line_search_max_gap:.1e}；SAMME 存储 $\alpha_m = 2\beta_m$，第一轮 $\alpha$ =
{=ada_alpha_1:.4f}，$e_1$ = {=ada_err_1:.4f}），且损失每轮都下降，从 {=ada_exp_loss_first:.4f} 降到 {=ada_exp_loss_last:.4f}。

**GBDT** 适用于任意可微损失：用回归树拟合负梯度 $-\partial L / \partial F$，再对每个叶子做线搜索确定取值。对数损失的负梯度是
$y - p$：对 $y - p$ 拟合的树与每一轮的树划分完全相同（{=gb_partition_match_share:.0%} 的轮次）。但叶子值**不是**残差均值
（最大差 {=gb_leaf_mean_residual_max_gap:.3f}），而是牛顿步 $\frac{\sum r_i}{\sum p_i(1-p_i)}$（差 {=gb_leaf_newton_max_gap:.1e}）。
"树拟合残差"只在平方误差下严格成立。

**实际中**指数损失按 $e^{-\mathrm{margin}}$ 增长，会追着错误标注的点跑；对数损失线性增长，更稳健，而且 GBDT 还能做回归和排序。
本例测试准确率：AdaBoost {=ada_test_acc:.3f}，GBDT {=gb_test_acc:.3f}。
""",
    },
    compute=compute,
)
