"""Multicollinearity: what correlated features do to coefficients, to predictions, and what ridge changes."""
from __future__ import annotations

import numpy as np

from ... import backend
from ...classic import LinearRegression, Ridge
from ...metrics import mean_squared_error
from ..entry import Entry
from ..result import Result

RHOS = (0.0, 0.9, 0.99)
RIDGE_ALPHA = 5.0
NOISE = 1.0


def sample(n: int, rho: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two unit-variance features with correlation rho; y = x₁ + x₂ + N(0, NOISE²)."""
    z = rng.normal(size=(n, 2))
    X = np.column_stack([z[:, 0], rho * z[:, 0] + np.sqrt(1 - rho ** 2) * z[:, 1]])
    return X, X.sum(axis=1) + NOISE * rng.normal(size=n)


def training_set(k: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The training sample used for correlation RHOS[k]."""
    return sample(n, RHOS[k], backend.spawn_rng(10 + k))


def resample_indices(n: int, n_boot: int, seed: int) -> np.ndarray:
    """(n_boot, n) bootstrap row indices, drawn with replacement."""
    return backend.spawn_rng(seed).integers(0, n, size=(n_boot, n))


def compute(quick: bool) -> Result:
    r = Result()
    n, n_boot = (50, 60) if quick else (50, 1000)
    r.number("n_samples", n)
    r.number("n_boot", n_boot)
    r.number("ridge_alpha", RIDGE_ALPHA)
    rng = backend.spawn_rng(0)
    X_indep, y_indep = sample(2000, 0.0, rng)  # test points where the correlation is broken
    rows = []
    for k, rho in enumerate(RHOS):
        X, y = training_set(k, n)
        X_same, y_same = sample(2000, rho, backend.spawn_rng(20 + k))
        coefs = {"ols": [], "ridge": []}
        mse = {(m, t): [] for m in coefs for t in ("same", "indep")}
        for idx in resample_indices(n, n_boot, seed=k):
            for name, model in (("ols", LinearRegression()), ("ridge", Ridge(alpha=RIDGE_ALPHA))):
                model.fit(X[idx], y[idx])
                coefs[name].append(model.coef_)
                mse[name, "same"].append(mean_squared_error(y_same, model.predict(X_same)))
                mse[name, "indep"].append(mean_squared_error(y_indep, model.predict(X_indep)))
        tag = f"rho{int(round(rho * 100))}"
        var_ols = r.number(f"var_ols_{tag}", float(np.var(np.array(coefs["ols"])[:, 0])),
                           f"np.var([LinearRegression().fit(X[b], y[b]).coef_[0] for b in boot])  # rho={rho}")
        var_ridge = r.number(f"var_ridge_{tag}", float(np.var(np.array(coefs["ridge"])[:, 0])),
                             f"np.var([Ridge(alpha={RIDGE_ALPHA}).fit(X[b], y[b]).coef_[0] for b in boot])")
        r.number(f"mean_ridge_coef_{tag}", float(np.array(coefs["ridge"])[:, 0].mean()))
        r.number(f"vif_{tag}", 1 / (1 - rho ** 2))
        for (m, t), values in mse.items():
            r.number(f"mse_{m}_{t}_{tag}", float(np.mean(values)))
        rows.append([rho, 1 / (1 - rho ** 2), var_ols, var_ridge, r.numbers[f"mse_ols_same_{tag}"],
                     r.numbers[f"mse_ridge_same_{tag}"], r.numbers[f"mse_ols_indep_{tag}"],
                     r.numbers[f"mse_ridge_indep_{tag}"]])
    r.table(f"Bootstrap over {n_boot} resamples of n={n} (noise variance {NOISE ** 2})",
            ["rho", "VIF 1/(1-rho^2)", "Var coef OLS", "Var coef ridge", "test MSE OLS (same rho)",
             "test MSE ridge (same rho)", "test MSE OLS (rho=0)", "test MSE ridge (rho=0)"], rows)
    r.number("var_ratio_ols", r.numbers["var_ols_rho99"] / r.numbers["var_ols_rho0"])
    r.number("var_ratio_ridge_vs_ols_rho99", r.numbers["var_ridge_rho99"] / r.numbers["var_ols_rho99"])
    r.number("mse_ratio_same", r.numbers["mse_ols_same_rho99"] / r.numbers["mse_ols_same_rho0"])
    r.number("mse_ratio_indep", r.numbers["mse_ols_indep_rho99"] / r.numbers["mse_ols_same_rho99"])

    r.check("variance-inflates", r.numbers["var_ratio_ols"] > 10)
    r.check("ridge-stabilises", all(r.numbers[f"var_ridge_rho{t}"] < r.numbers[f"var_ols_rho{t}"] for t in (0, 90, 99)))
    same_ok = r.numbers["mse_ratio_same"] < 1.5
    ood_bad = r.numbers["mse_ratio_indep"] > 2
    r.verdict("collinearity-overfits", "depends" if same_ok and ood_bad else ("confirmed" if not same_ok else "contested"))
    r.condition("Test data drawn with the same correlation: collinearity barely changes the prediction error.")
    r.condition("Test data where the correlation is broken (rho=0): the unstable OLS coefficients give large errors.")

    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(4.6, 3.4))
    ax.semilogy(RHOS, [r.numbers[f"var_ols_rho{int(round(t * 100))}"] for t in RHOS], "o-", label="OLS")
    ax.semilogy(RHOS, [r.numbers[f"var_ridge_rho{int(round(t * 100))}"] for t in RHOS], "s-", label="Ridge")
    ax.set(xlabel="correlation rho", ylabel="bootstrap variance of coef 1", title="Coefficient variance")
    ax.legend()
    r.figure("coef-variance", fig, "Coefficient variance across bootstrap resamples as the two features get correlated.")
    return r


ENTRY = Entry(
    id="collinearity",
    section="A",
    title={"zh": "共线性与过拟合", "en": "Multicollinearity and overfitting"},
    keywords=["collinearity", "multicollinearity", "共线性", "多重共线性", "VIF", "ridge", "岭回归", "方差"],
    claims={
        "variance-inflates": {
            "en": "Highly correlated features make the regression coefficients unstable (their variance explodes).",
            "zh": "高度相关的特征使回归系数不稳定（方差急剧增大）。"},
        "ridge-stabilises": {"en": "A weight penalty (ridge) reduces the variance of the coefficients.",
                             "zh": "加入权重正则（岭回归）可以降低系数的方差。"},
        "collinearity-overfits": {
            "en": "Collinearity makes the model redundant and therefore overfit (worse test error).",
            "zh": "共线性造成冗余，从而导致过拟合（测试误差变差）。"},
    },
    answer={
        "en": r"""
With two standardised features of correlation $\rho$, least squares has
$\mathrm{Var}(\hat w_j) \approx \frac{\sigma^2}{n} \cdot \frac{1}{1-\rho^2}$; the factor
$\frac{1}{1-\rho^2}$ is the variance inflation factor (VIF). When $\rho \to 1$ the data only pin
down $w_1 + w_2$; the difference $w_1 - w_2$ moves freely along a flat valley of the loss.

**Experiment.** $y = x_1 + x_2 + \varepsilon$, $n={=n_samples}$, {=n_boot} bootstrap resamples.
The variance of $\hat w_1$ under OLS grew from {=var_ols_rho0:.4f} ($\rho=0$) to
{=var_ols_rho99:.3f} ($\rho=0.99$), {=var_ratio_ols:.0f}x (VIF {=vif_rho99:.1f}). Ridge
($\alpha={=ridge_alpha}$) adds $\alpha I$ to $X^\top X$, lifting the flat direction: at
$\rho=0.99$ its variance is {=var_ratio_ridge_vs_ols_rho99:.3f} of OLS's, at the price of bias
(mean $\hat w_1$ = {=mean_ridge_coef_rho99:.3f}; true 1).

**Does it overfit?** Only in a specific sense. On test data with the same correlation, OLS's
average test MSE is {=mse_ols_same_rho99:.3f} at $\rho=0.99$ vs {=mse_ols_same_rho0:.3f} at
$\rho=0$: the wild coefficients cancel because $x_1 \approx x_2$. On test points where the
correlation is broken, the same models score {=mse_ols_indep_rho99:.3f} (ridge
{=mse_ridge_indep_rho99:.3f}). So collinearity ruins interpretation and extrapolation; it
overfits when the deployment data do not share the correlation. Remedies: drop or combine
correlated features (PCA), or regularise.
""",
        "zh": r"""
两个标准化特征相关系数为 $\rho$ 时，最小二乘估计满足
$\mathrm{Var}(\hat w_j) \approx \frac{\sigma^2}{n} \cdot \frac{1}{1-\rho^2}$，其中
$\frac{1}{1-\rho^2}$ 称为方差膨胀因子（VIF）。$\rho \to 1$ 时数据只能确定 $w_1 + w_2$，差值
$w_1 - w_2$ 可以沿损失函数的平坦谷底自由移动。

**实验。** $y = x_1 + x_2 + \varepsilon$，$n={=n_samples}$，{=n_boot} 次自助重采样。OLS 的 $\hat w_1$ 方差从
{=var_ols_rho0:.4f}（$\rho=0$）增至 {=var_ols_rho99:.3f}（$\rho=0.99$），放大 {=var_ratio_ols:.0f} 倍（VIF 为
{=vif_rho99:.1f}）。岭回归（$\alpha={=ridge_alpha}$）给 $X^\top X$ 加上 $\alpha I$，抬起了平坦方向：$\rho=0.99$ 时
其方差只有 OLS 的 {=var_ratio_ridge_vs_ols_rho99:.3f}，代价是偏差（$\hat w_1$ 均值 {=mean_ridge_coef_rho99:.3f}，真值 1）。

**会过拟合吗？** 只在特定意义上。在相关性相同的测试数据上，$\rho=0.99$ 时 OLS 平均测试 MSE 为
{=mse_ols_same_rho99:.3f}，$\rho=0$ 时为 {=mse_ols_same_rho0:.3f}：由于 $x_1 \approx x_2$，离谱的系数相互抵消。
在相关性被打破的测试点上，同样的模型 MSE 为 {=mse_ols_indep_rho99:.3f}（岭回归 {=mse_ridge_indep_rho99:.3f}）。
所以共线性破坏的是系数的可解释性和外推能力；只有当部署数据不再具有同样的相关性时才表现为过拟合。
对策：删除或合并相关特征（PCA），或加正则。
""",
    },
    compute=compute,
)
