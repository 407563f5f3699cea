"""L0 vs. L1 vs. L2: exact zeros from the L1 penalty, better conditioning and faster gradient descent from L2."""
from __future__ import annotations

from itertools import combinations

import numpy as np

from ... import backend
from ...classic import Lasso, LinearRegression, Ridge
from ..entry import Entry
from ..result import Result

TRUE_COEF = np.array([3.0, -2.0, 1.5, 0.0, 0.0, 0.0, 0.0, 0.0])
RIDGE_ALPHA = 10.0
LASSO_ALPHA = 0.2


def design(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """n samples, 8 standardised-ish features: 3 relevant, 5 irrelevant of which features 6 and 7
    are 0.99-correlated (that pair makes XᵀX ill-conditioned); y = X·TRUE_COEF + N(0, 1)."""
    rng = backend.spawn_rng(seed)
    X = rng.normal(size=(n, TRUE_COEF.size))
    X[:, 7] = 0.99 * X[:, 6] + np.sqrt(1 - 0.99 ** 2) * X[:, 7]
    X -= X.mean(axis=0)
    y = X @ TRUE_COEF + rng.normal(size=n)
    return X, y - y.mean()


def gd_iterations(X: np.ndarray, y: np.ndarray, alpha: float, target: np.ndarray, tol: float, max_iter: int) -> int:
    """Full-batch gradient descent on ‖Xw − y‖² + α‖w‖² with gradbook's SGD (the L2 term as
    weight_decay 2α), step 1/L with L = 2·λ_max(XᵀX + αI); iterations until ‖w − w*‖ ≤ tol·‖w*‖."""
    import gradbook as gb
    from gradbook.optim import SGD

    lr = 1.0 / (2 * np.linalg.eigvalsh(X.T @ X + alpha * np.eye(X.shape[1]))[-1])
    w = gb.Tensor(np.zeros(X.shape[1]), requires_grad=True)
    Xt, yt = gb.Tensor(X), gb.Tensor(y)
    opt = SGD([w], lr=lr, weight_decay=2 * alpha)
    for it in range(1, max_iter + 1):
        opt.zero_grad()
        residual = Xt @ w - yt
        (residual * residual).sum().backward()
        opt.step()
        if np.linalg.norm(w.data - target) <= tol * np.linalg.norm(target):
            return it
    return max_iter


def best_subset(X: np.ndarray, y: np.ndarray, k: int) -> tuple[tuple[int, ...], int]:
    """The L0-constrained least squares: try every support of size k, keep the smallest residual."""
    best, best_rss, fits = None, np.inf, 0
    for support in combinations(range(X.shape[1]), k):
        cols = list(support)
        model = LinearRegression(fit_intercept=False).fit(X[:, cols], y)
        rss = float(((y - model.predict(X[:, cols])) ** 2).sum())
        fits += 1
        if rss < best_rss:
            best, best_rss = support, rss
    return best, fits


def compute(quick: bool) -> Result:
    r = Result()
    n = 100 if quick else 1000
    X, y = design(n)
    p = X.shape[1]
    r.number("n_samples", n)
    r.number("ridge_alpha", RIDGE_ALPHA)
    r.number("lasso_alpha", LASSO_ALPHA)

    ols = LinearRegression(fit_intercept=False).fit(X, y)
    ridge = Ridge(alpha=RIDGE_ALPHA, fit_intercept=False).fit(X, y)
    lasso = Lasso(alpha=LASSO_ALPHA, fit_intercept=False).fit(X, y)
    r.number("lasso_zeros", int((lasso.coef_ == 0).sum()), f"(Lasso(alpha={LASSO_ALPHA}).fit(X, y).coef_ == 0).sum()")
    r.number("ridge_zeros", int((ridge.coef_ == 0).sum()), f"(Ridge(alpha={RIDGE_ALPHA}).fit(X, y).coef_ == 0).sum()")
    r.number("ridge_min_abs_coef", float(np.abs(ridge.coef_).min()))
    r.number("ols_norm", float(np.linalg.norm(ols.coef_)))
    r.number("ridge_norm", float(np.linalg.norm(ridge.coef_)))
    r.table("Coefficients (true: 3 relevant, 5 irrelevant)", ["feature", "true", "OLS", f"Ridge a={RIDGE_ALPHA}",
                                                             f"Lasso a={LASSO_ALPHA}"],
            [[j, TRUE_COEF[j], ols.coef_[j], ridge.coef_[j], lasso.coef_[j]] for j in range(p)])

    lasso_support = tuple(int(j) for j in np.flatnonzero(lasso.coef_))
    l0_support, fits = best_subset(X, y, len(lasso_support))
    r.number("l0_fits", fits, "best_subset(X, y, k): one LinearRegression per support of size k")
    r.number("l0_fits_all_sizes", 2 ** p)
    r.number("lasso_support", str(lasso_support))
    r.number("l0_support", str(l0_support))

    gram = X.T @ X
    r.number("cond_ols", float(np.linalg.cond(gram)), "np.linalg.cond(X.T @ X)")
    r.number("cond_ridge", float(np.linalg.cond(gram + RIDGE_ALPHA * np.eye(p))), "np.linalg.cond(X.T @ X + alpha * I)")
    tol, cap = (1e-4, 20_000) if quick else (1e-8, 100_000)
    r.number("gd_tol", tol)
    r.number("gd_iters_ols", gd_iterations(X, y, 0.0, ols.coef_, tol, cap), "gd_iterations(X, y, 0, w_ols)")
    r.number("gd_iters_ridge", gd_iterations(X, y, RIDGE_ALPHA, ridge.coef_, tol, cap),
             "gd_iterations(X, y, alpha, w_ridge)")
    r.number("gd_speedup", r.numbers["gd_iters_ols"] / r.numbers["gd_iters_ridge"])

    r.check("l1-exact-zeros", r.numbers["lasso_zeros"] > 0 and r.numbers["ridge_zeros"] == 0)
    r.check("l1-finds-l0-support", lasso_support == l0_support, otherwise="depends")
    r.condition("L1 recovers the L0 support when irrelevant features are only weakly correlated with the relevant "
                "ones (the irrepresentable condition) and the signal is strong enough.")
    r.check("l2-conditioning", r.numbers["cond_ridge"] < r.numbers["cond_ols"])
    r.check("l2-faster-gd", r.numbers["gd_iters_ridge"] < r.numbers["gd_iters_ols"])
    r.condition("Gradient descent with L2 converges faster to the ridge minimiser, which is a different (shrunken) "
                "solution from least squares; step size 1/L in both runs.")

    import matplotlib.pyplot as plt
    alphas = np.logspace(-3, 0.5, 30)
    lasso_path = np.array([Lasso(alpha=a, fit_intercept=False).fit(X, y).coef_ for a in alphas])
    ridge_path = np.array([Ridge(alpha=a * n, fit_intercept=False).fit(X, y).coef_ for a in alphas])
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.4), sharey=True)
    axes[0].semilogx(alphas, lasso_path)
    axes[0].set(xlabel="alpha (L1)", ylabel="coefficient", title="Lasso: coefficients hit exactly 0")
    axes[1].semilogx(alphas * n, ridge_path)
    axes[1].set(xlabel="alpha (L2)", title="Ridge: coefficients shrink, never 0")
    r.figure("paths", fig, "Regularisation paths on the same data: L1 zeros features one by one, L2 shrinks all.")
    return r


ENTRY = Entry(
    id="norms",
    section="A",
    title={"zh": "L0、L1、L2 范数", "en": "L0 vs. L1 vs. L2"},
    keywords=["l0", "l1", "l2", "norm", "范数", "lasso", "ridge", "正则", "regularization", "sparse", "稀疏",
              "condition number", "条件数"],
    claims={
        "l1-exact-zeros": {"en": "The L1 penalty sets some weights exactly to zero; L2 makes weights small but not zero.",
                           "zh": "L1 惩罚会让部分权重恰好为 0；L2 只让权重变小而不等于 0。"},
        "l1-finds-l0-support": {
            "en": "L1, the convex relaxation of L0, selects the same features as the exact L0 (best-subset) search.",
            "zh": "L1 是 L0 的凸松弛，它选出的特征与精确的 L0（最优子集）搜索相同。"},
        "l2-conditioning": {"en": "Adding L2 lowers the condition number of the matrix XᵀX + λI that least squares inverts.",
                            "zh": "加入 L2 降低了最小二乘需要求逆的矩阵 XᵀX + λI 的条件数。"},
        "l2-faster-gd": {"en": "With L2 the objective is strongly convex and gradient descent converges in fewer iterations.",
                         "zh": "加入 L2 后目标函数强凸，梯度下降收敛所需迭代次数更少。"},
    },
    answer={
        "en": r"""
**L0** counts non-zero weights, $\|w\|_0 = \#\{j: w_j \neq 0\}$. It is exactly feature selection,
but the problem is combinatorial: with $p$ features the exact search tries every support
({=l0_fits_all_sizes} of them for our $p$; {=l0_fits} least-squares fits just for size-$k$ ones).

**L1**, $\|w\|_1 = \sum_j |w_j|$, is the tightest convex function below L0 on the unit box. Its
kink at 0 gives a subgradient interval $[-\lambda, \lambda]$, so any coordinate whose correlation with
the residual is smaller than $\lambda$ is set *exactly* to zero (soft thresholding). On our data
(3 relevant of 8 features) Lasso with $\alpha = {=lasso_alpha}$ produced {=lasso_zeros} exact zeros
and support {=lasso_support}; the exhaustive L0 search found {=l0_support}.

**L2**, $\|w\|_2^2 = \sum_j w_j^2$, has gradient $2\lambda w$, which vanishes near 0: weights shrink
but do not reach it (Ridge zeros: {=ridge_zeros}; smallest $|w_j|$ {=ridge_min_abs_coef:.3g}). Its
second benefit is numerical: the normal equations become $(X^\top X + \lambda I)w = X^\top y$ and
every eigenvalue moves up by $\lambda$. With two nearly collinear features the condition number
fell from {=cond_ols:.0f} to {=cond_ridge:.1f}. Gradient descent with step $1/L$ contracts the error
by $1 - 1/\kappa$ per step, so it needed {=gd_iters_ols} iterations without and {=gd_iters_ridge}
with the penalty ({=gd_speedup:.0f}x fewer, tolerance {=gd_tol}) — to the ridge solution, which is
shrunken, not to least squares.
""",
        "zh": r"""
**L0** 统计非零权重个数 $\|w\|_0 = \#\{j: w_j \neq 0\}$，它就是特征选择本身，但问题是组合的：$p$ 个特征时
精确搜索要尝试所有支撑集（本例的 $p$ 共 {=l0_fits_all_sizes} 个；仅大小为 $k$ 的就要做 {=l0_fits} 次最小二乘拟合）。

**L1** 范数 $\|w\|_1 = \sum_j |w_j|$ 是单位盒上位于 L0 之下最紧的凸函数。它在 0 处不可导，次梯度是区间
$[-\lambda, \lambda]$，所以与残差相关性小于 $\lambda$ 的坐标会被**恰好**置为 0（软阈值）。在本例数据上（8 个特征中
3 个有用），$\alpha = {=lasso_alpha}$ 的 Lasso 得到 {=lasso_zeros} 个精确的 0，支撑集为 {=lasso_support}；
穷举 L0 搜索得到 {=l0_support}。

**L2** 范数平方 $\|w\|_2^2 = \sum_j w_j^2$ 的梯度 $2\lambda w$ 在 0 附近趋于 0：权重被压缩但不会到 0
（Ridge 的零个数：{=ridge_zeros}；最小的 $|w_j|$ 为 {=ridge_min_abs_coef:.3g}）。它的第二个好处在数值上：正规方程变为
$(X^\top X + \lambda I)w = X^\top y$，每个特征值都增加 $\lambda$。本例有两个几乎共线的特征，条件数从
{=cond_ols:.0f} 降到 {=cond_ridge:.1f}。步长为 $1/L$ 的梯度下降每步把误差缩小为 $1 - 1/\kappa$ 倍，因此不加惩罚需要
{=gd_iters_ols} 次迭代，加上后只需 {=gd_iters_ridge} 次（少 {=gd_speedup:.0f} 倍，容差 {=gd_tol}）——收敛到的是被压缩的
岭回归解，而不是最小二乘解。
""",
    },
    compute=compute,
)
