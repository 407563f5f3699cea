"""Why regularisation reduces overfitting: a degree-9 polynomial fitted by ridge regression to 30 noisy
points, over many training sets: bias², variance, expected test error, weight norm, input sensitivity and
effective number of parameters against λ; exact zeros under L2 and under L1."""
from __future__ import annotations

import warnings

import numpy as np

from ... import backend
from ..entry import Entry
from ..result import Result

DEGREE, N, SIGMA = 9, 30, 0.3
LAMBDAS = [0.0] + [float(10.0 ** k) for k in range(-8, 3)]
L1_ALPHA = 1e-3


def target(x: np.ndarray) -> np.ndarray:
    return np.sin(np.pi * x)


def poly(x: np.ndarray) -> np.ndarray:
    """Features x, x², ..., x^DEGREE (the intercept is fitted separately and not penalised)."""
    return np.stack([x ** k for k in range(1, DEGREE + 1)], axis=1)


def training_sets(count: int, seed: int = 0):
    """``count`` independent training sets: N points uniform on [−1, 1], y = sin(πx) + N(0, SIGMA²)."""
    rng = backend.spawn_rng(seed)
    sets = []
    for _ in range(count):
        x = rng.uniform(-1, 1, N)
        sets.append((x, target(x) + SIGMA * rng.standard_normal(N)))
    return sets


def slope(coef: np.ndarray, x: np.ndarray) -> np.ndarray:
    """p'(x) of the fitted polynomial: Σ k w_k x^(k−1)."""
    return sum(k * coef[k - 1] * x ** (k - 1) for k in range(1, DEGREE + 1))


def effective_df(X: np.ndarray, lam: float) -> float:
    """Ridge's effective number of parameters, trace of the hat matrix: Σ d_j²/(d_j² + λ) over the
    singular values d_j of the centred design (plus one for the intercept)."""
    d = np.linalg.svd(X - X.mean(axis=0), compute_uv=False)
    return float(1 + np.sum(d ** 2 / (d ** 2 + lam)))


def compute(quick: bool) -> Result:
    from ...classic import Lasso, Ridge

    r = Result()
    sets = training_sets(100 if quick else 400)
    xt = np.linspace(-1, 1, 201)
    Ft = poly(xt)
    rows, curves = [], {k: [] for k in ("bias2", "variance", "error", "norm", "slope", "df", "zeros")}
    for lam in LAMBDAS:
        preds, norms, slopes, zeros = [], [], [], 0
        for x, y in sets:
            model = Ridge(alpha=lam, solver="svd").fit(poly(x), y)
            preds.append(model.predict(Ft))
            norms.append(np.linalg.norm(model.coef_))
            slopes.append(np.abs(slope(model.coef_, xt)).mean())
            zeros += int(np.count_nonzero(model.coef_ == 0))
        P = np.array(preds)
        bias2 = float(((P.mean(axis=0) - target(xt)) ** 2).mean())
        variance = float(P.var(axis=0).mean())
        values = {"bias2": bias2, "variance": variance, "error": bias2 + variance + SIGMA ** 2,
                  "norm": float(np.median(norms)), "slope": float(np.median(slopes)),
                  "df": effective_df(poly(sets[0][0]), lam), "zeros": zeros}
        for k, v in values.items():
            curves[k].append(v)
        rows.append([f"{lam:g}", bias2, variance, values["error"], values["norm"], values["slope"], values["df"],
                     zeros])
    r.table(f"Ridge on degree-{DEGREE} polynomial features, {N} points, {len(sets)} training sets",
            ["λ", "bias²", "variance", "expected test MSE", "median ‖w‖", "median mean |p'(x)|",
             "effective parameters", "exact zeros (all fits)"], rows)

    best = int(np.argmin(curves["error"]))
    r.number("lam_best", LAMBDAS[best], "the λ with the lowest expected test error")
    for tag, i in (("ols", 0), ("best", best), ("max", len(LAMBDAS) - 1)):
        for k in ("bias2", "variance", "error", "norm", "slope", "df"):
            r.number(f"{k}_{tag}", curves[k][i], f"Ridge(alpha={LAMBDAS[i]:g}) over {len(sets)} training sets"
                     if k == "error" else None)
    r.number("lam_max", LAMBDAS[-1])
    r.number("variance_share_ols", curves["variance"][0] / (curves["bias2"][0] + curves["variance"][0]),
             "variance / (bias² + variance) without a penalty")
    r.number("l2_zeros", sum(curves["zeros"]), "coefficients exactly 0 over every ridge fit")
    r.number("parameters", DEGREE + 1)
    r.number("degree", DEGREE)
    r.number("noise_var", SIGMA ** 2)
    l1_zeros = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # coordinate descent on powers of x converges slowly
        for x, y in sets[:20]:
            l1_zeros.append(int(np.count_nonzero(Lasso(alpha=L1_ALPHA, max_iter=5000).fit(poly(x), y).coef_ == 0)))
    r.number("l1_zeros_mean", float(np.mean(l1_zeros)),
             f"Lasso(alpha={L1_ALPHA:g}): coefficients exactly 0, mean of 20 fits")
    r.number("l1_alpha", L1_ALPHA)
    r.number("sets", len(sets))

    n = r.numbers
    # overfitting as variance: without a penalty the error is almost all variance, and the penalty trades it for bias
    r.check("overfitting-is-variance", n["variance_share_ols"] > 0.9 and n["variance_max"] < n["variance_ols"]
            and n["bias2_max"] > n["bias2_best"])
    literal = n["l2_zeros"] > 0
    effective = all(a >= b for a, b in zip(curves["df"], curves["df"][1:])) and n["df_max"] < n["df_ols"] / 2
    r.verdict("fewer-parameters", "confirmed" if literal else "depends" if effective or n["l1_zeros_mean"] > 0
              else "corrected")
    monotone = all(a >= b * 0.999 for a, b in zip(curves["norm"], curves["norm"][1:]))
    r.check("less-sensitive", monotone and n["slope_max"] < n["slope_ols"])
    u_shape = n["error_best"] < n["error_ols"] and n["error_best"] < n["error_max"]
    r.verdict("prevents-overfitting", "depends" if u_shape else "confirmed" if n["error_best"] < n["error_ols"]
              else "corrected")
    r.condition(f"Ridge regression, y = sin(πx) + N(0, {SIGMA}²), {N} training points on [−1, 1], degree {DEGREE}; "
                "bias and variance over independent training sets, error on a grid of 201 points.")

    import matplotlib.pyplot as plt
    lams = np.array([1e-9] + LAMBDAS[1:])  # λ = 0 drawn at 1e-9 on the log axis
    fig, axs = plt.subplots(1, 2, figsize=(10, 3.6))
    axs[0].loglog(lams, curves["bias2"], "C0-o", ms=3, label="bias²")
    axs[0].loglog(lams, curves["variance"], "C3-o", ms=3, label="variance")
    axs[0].loglog(lams, curves["error"], "k-", lw=2, label="expected test MSE")
    axs[0].axvline(LAMBDAS[best], color="0.6", ls=":")
    axs[0].set(xlabel="λ (0 drawn at 1e-9)", title="Test error against λ")
    axs[0].legend(fontsize=7)
    axs[1].loglog(lams, curves["norm"], "C2-o", ms=3, label="median ‖w‖")
    axs[1].loglog(lams, curves["slope"], "C1-o", ms=3, label="median mean |p'(x)|")
    axs[1].loglog(lams, curves["df"], "C4-o", ms=3, label="effective parameters")
    axs[1].set(xlabel="λ", title="Weight norm, sensitivity, effective parameters")
    axs[1].legend(fontsize=7)
    r.figure("regularization_lambda", fig, "Ridge on a degree-9 polynomial: the penalty trades variance for bias; "
                                           "the test error is lowest in between.")
    return r


ENTRY = Entry(
    id="regularization-why",
    section="A",
    title={"zh": "为什么正则化能防止过拟合", "en": "Why does regularisation reduce overfitting?"},
    keywords=["regularization", "regularisation", "正则化", "ridge", "L2", "weight decay", "variance", "方差",
              "bias", "偏差", "overfitting", "过拟合", "lambda"],
    claims={
        "overfitting-is-variance": {"en": "The notes: overfitting is caused by high variance.",
                                    "zh": "笔记原文：过拟合是由于高方差引起的。"},
        "fewer-parameters": {"en": "The notes: regularisation reduces the number of parameters.",
                             "zh": "笔记原文：正则化能够减少参数数量。"},
        "less-sensitive": {"en": "The notes: regularisation makes the model less sensitive to its features.",
                           "zh": "笔记原文：正则化能够降低特征值敏感度。"},
        "prevents-overfitting": {"en": "The notes: ...so regularisation prevents overfitting.",
                                 "zh": "笔记原文：……所以（正则化）能阻止过拟合。"},
    },
    answer={
        "en": r"""
Fit a degree-{=degree} polynomial ({=parameters} coefficients with the intercept) to 30 noisy points of
$\sin \pi x$ with ridge regression, $\min_w \|y - Xw\|^2 + \lambda \|w\|^2$, on {=sets} independent training
sets, and split the expected test error into bias² (how far the average fit is from the truth) and
variance (how much the fit moves from one training set to the next).

**Overfitting is variance.** Without a penalty the expected test error is {=error_ols:.3f}, of which
variance is {=variance_ols:.3f} and bias² only {=bias2_ols:.4f} (variance share {=variance_share_ols:.1%}):
the polynomial chases the noise of its particular 30 points. The penalty trades variance for bias:
at the best $\lambda$ = {=lam_best:g} variance falls to {=variance_best:.3f} and bias² is {=bias2_best:.4f}, so the
error drops to {=error_best:.3f} (the noise floor $\sigma^2$ is {=noise_var:.2f}). At $\lambda$ = {=lam_max:g} the variance is
{=variance_max:.3f} but bias² has grown to {=bias2_max:.3f}: the model underfits (error {=error_max:.3f}).
So regularisation prevents overfitting only at the right strength; the test error against $\lambda$ is
U-shaped, and $\lambda$ is chosen on validation data.

**Why it lowers variance.** An L2 penalty pulls every weight towards 0 (median $\|w\|$:
{=norm_ols:.1f} without, {=norm_best:.2f} at the best $\lambda$, {=norm_max:.3f} at the largest), and small
weights mean a smooth function that cannot bend to fit individual points: the fit's mean slope
$|p'(x)|$ falls from {=slope_ols:.1f} to {=slope_best:.2f}. That is the notes' "less sensitive".

**Fewer parameters?** Not literally for L2: over all ridge fits, {=l2_zeros} coefficients were
exactly zero. It shrinks all of them instead, so the *effective* number of parameters,
$\mathrm{tr}(H) = 1 + \sum_j d_j^2/(d_j^2 + \lambda)$, falls from {=df_ols:.1f} to {=df_best:.2f} at the best $\lambda$.
Exact zeros need an L1 penalty (Lasso, $\alpha$ = {=l1_alpha:g}: {=l1_zeros_mean:.1f} of {=degree} coefficients are zero on
average): see the `norms` entry.
""",
        "zh": r"""
用岭回归 $\min_w \|y - Xw\|^2 + \lambda \|w\|^2$ 把 {=degree} 次多项式（连截距共 {=parameters} 个系数）拟合到 $\sin \pi x$ 的 30 个带噪声的点上，
在 {=sets} 个独立的训练集上重复，把期望测试误差分解为偏差²（平均拟合离真实函数多远）和方差（换一个训练集，拟合变化多大）。

**过拟合就是方差大。** 不加惩罚时期望测试误差为 {=error_ols:.3f}，其中方差 {=variance_ols:.3f}，偏差² 只有 {=bias2_ols:.4f}
（方差占 {=variance_share_ols:.1%}）：多项式在追逐那 30 个点各自的噪声。惩罚项用偏差换方差：在最佳的 $\lambda$ = {=lam_best:g}
处方差降到 {=variance_best:.3f}，偏差² 为 {=bias2_best:.4f}，误差降到 {=error_best:.3f}（噪声下限 $\sigma^2$ 为 {=noise_var:.2f}）。
$\lambda$ = {=lam_max:g} 时方差为 {=variance_max:.3f}，但偏差² 增大到 {=bias2_max:.3f}：模型欠拟合（误差 {=error_max:.3f}）。
所以正则化只有在强度合适时才能防止过拟合；测试误差随 $\lambda$ 呈 U 形，$\lambda$ 要在验证集上选。

**为什么能降低方差。** L2 惩罚把每个权重拉向 0（$\|w\|$ 中位数：不加惩罚 {=norm_ols:.1f}，最佳 $\lambda$ 时 {=norm_best:.2f}，最大
$\lambda$ 时 {=norm_max:.3f}），权重小意味着函数平滑，无法弯曲去拟合个别点：拟合函数的平均斜率 $|p'(x)|$ 从 {=slope_ols:.1f}
降到 {=slope_best:.2f}。这就是笔记所说的"降低敏感度"。

**减少参数数量？** 对 L2 而言并不是字面意义上的减少：所有岭回归拟合中恰好为 0 的系数有 {=l2_zeros} 个。它把所有系数一起缩小，
所以*有效*参数个数 $\mathrm{tr}(H) = 1 + \sum_j d_j^2/(d_j^2 + \lambda)$ 从 {=df_ols:.1f} 降到最佳 $\lambda$ 处的 {=df_best:.2f}。
要得到恰好为 0 的系数需要 L1 惩罚（Lasso，$\alpha$ = {=l1_alpha:g}：{=degree} 个系数中平均有 {=l1_zeros_mean:.1f} 个为 0），见 `norms` 条目。
""",
    },
    compute=compute,
)
