"""Bias and variance measured over resampled training sets: a stump, a deep tree, bagged trees, boosted stumps."""
from __future__ import annotations

import numpy as np

from ... import backend
from ...classic import DecisionTreeRegressor, GradientBoostingRegressor, RandomForestRegressor
from ..entry import Entry
from ..result import Result

NOISE = 0.3


def target(x: np.ndarray) -> np.ndarray:
    """The true function f(x) = sin(4πx)·(1 − x) + x on [0, 1]."""
    return np.sin(4 * np.pi * x) * (1 - x) + x


def training_set(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = backend.spawn_rng(seed)
    x = rng.random(n)
    return x[:, None], target(x) + NOISE * rng.normal(size=n)


def models(n_bagged: int, n_boosted: int) -> dict:
    return {"stump": lambda: DecisionTreeRegressor(max_depth=1),
            "deep tree": lambda: DecisionTreeRegressor(),
            "bagged trees": lambda: RandomForestRegressor(n_estimators=n_bagged, max_features=None, random_state=0),
            "boosted stumps": lambda: GradientBoostingRegressor(max_depth=1, n_estimators=n_boosted, learning_rate=0.2)}


def decompose(predictions: np.ndarray, truth: np.ndarray) -> tuple[float, float]:
    """predictions (R, m) of R models on m grid points: bias² = mean_x (E_D ŷ − f)², variance = mean_x Var_D ŷ."""
    return float(np.mean((predictions.mean(axis=0) - truth) ** 2)), float(np.mean(predictions.var(axis=0)))


def compute(quick: bool) -> Result:
    r = Result()
    n, resamples, n_bagged, n_boosted = (150, 6, 10, 50) if quick else (300, 30, 50, 100)
    grid = np.linspace(0, 1, 200)[:, None]
    truth = target(grid[:, 0])
    r.number("n_train", n)
    r.number("resamples", resamples)
    r.number("n_bagged", n_bagged)
    r.number("n_boosted", n_boosted)
    r.number("noise_var", NOISE ** 2)
    preds = {name: [] for name in models(n_bagged, n_boosted)}
    for k in range(resamples):
        X, y = training_set(n, seed=k)
        for name, make in models(n_bagged, n_boosted).items():
            preds[name].append(make().fit(X, y).predict(grid))
    rows = []
    for name, p in preds.items():
        key = name.replace(" ", "_")
        bias2, var = decompose(np.array(p), truth)
        r.number(f"bias2_{key}", bias2, f"decompose([{name}.fit(D_k).predict(grid) for k], f(grid))[0]")
        r.number(f"var_{key}", var, f"decompose(...)[1]  # {name}")
        r.number(f"err_{key}", bias2 + var + NOISE ** 2)
        rows.append([name, bias2, var, bias2 + var + NOISE ** 2])
    r.table(f"Over {resamples} training sets of n={n} (expected test MSE = bias² + variance + noise {NOISE ** 2:.2f})",
            ["model", "bias²", "variance", "expected test MSE"], rows)
    r.number("var_reduction_bagging", r.numbers["var_deep_tree"] / r.numbers["var_bagged_trees"])
    r.number("bias_reduction_boosting", r.numbers["bias2_stump"] / r.numbers["bias2_boosted_stumps"])

    r.check("bagging-reduces-variance", r.numbers["var_bagged_trees"] < 0.7 * r.numbers["var_deep_tree"]
            and r.numbers["bias2_bagged_trees"] < 2 * r.numbers["bias2_deep_tree"] + 0.005)
    r.check("boosting-reduces-bias", r.numbers["bias2_boosted_stumps"] < 0.2 * r.numbers["bias2_stump"])
    r.check("deep-tree-low-bias-high-variance", r.numbers["var_deep_tree"] > 5 * r.numbers["bias2_deep_tree"])
    r.condition("Boosting also raises variance compared with one stump; bagging leaves the (already small) bias of deep "
                "trees about where it was.")

    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 4, figsize=(12, 3), sharey=True)
    for ax, (name, p) in zip(axes, preds.items()):
        p = np.array(p)
        mean, sd = p.mean(axis=0), p.std(axis=0)
        ax.fill_between(grid[:, 0], mean - sd, mean + sd, color="C0", alpha=0.25, label="mean ± sd over sets")
        ax.plot(grid[:, 0], mean, "C0", label="mean prediction")
        ax.plot(grid[:, 0], truth, "k--", lw=1, label="true f")
        ax.set(title=name, xlabel="x")
    axes[0].legend(fontsize=7, loc="lower right")
    r.figure("bias-variance", fig, "Gap between the mean prediction and f is bias; the band width is variance.")
    return r


ENTRY = Entry(
    id="bias-variance",
    section="B",
    title={"zh": "偏差与方差，集成方法降低哪一个", "en": "Bias vs. variance; which ensembles reduce which"},
    keywords=["bias", "variance", "偏差", "方差", "bagging", "boosting", "ensemble", "集成", "random forest", "gbdt",
              "bias-variance"],
    claims={
        "bagging-reduces-variance": {"en": "Bagging reduces variance (and leaves bias about unchanged).",
                                     "zh": "Bagging 降低方差（偏差基本不变）。"},
        "boosting-reduces-bias": {"en": "Boosting reduces bias: many weak high-bias learners add up to a low-bias model.",
                                  "zh": "Boosting 降低偏差：许多高偏差的弱学习器叠加成低偏差模型。"},
        "deep-tree-low-bias-high-variance": {
            "en": "A fully grown tree has low bias and high variance.",
            "zh": "完全生长的决策树偏差低、方差高。"},
    },
    answer={
        "en": r"""
For squared error, the expected error at $x$ over random training sets $D$ splits as
$$\mathrm{E}\left[(y - \hat f_D(x))^2\right] = \left(\mathrm{E}_D \hat f_D(x) - f(x)\right)^2 + \mathrm{Var}_D \hat f_D(x) + \sigma^2 .$$
**Bias** is how far the *average* model is from the truth; **variance** is how much the model
moves when the training set changes. Both can be measured: draw {=resamples} training sets of
$n={=n_train}$ from a known $f$, fit each model on each, and average on a grid.

- A **stump** (one split): bias² {=bias2_stump:.4f}, variance {=var_stump:.4f} — too simple.
- A **deep tree**: bias² {=bias2_deep_tree:.4f}, variance {=var_deep_tree:.4f} — it follows the noise.
- **Bagging** {=n_bagged} deep trees averages models whose errors are partly independent, so
  variance falls ({=var_bagged_trees:.4f}, {=var_reduction_bagging:.1f}x lower) while bias stays
  ({=bias2_bagged_trees:.4f}): averaging cannot fix what every tree gets wrong.
- **Boosting** {=n_boosted} stumps fits each new stump to the current residuals, so the sum can
  represent what no stump can: bias² drops {=bias_reduction_boosting:.0f}x to
  {=bias2_boosted_stumps:.4f} (variance rises to {=var_boosted_stumps:.4f}).

Hence the rule: bag low-bias, high-variance learners (deep trees: random forests); boost
high-bias, low-variance learners (stumps, shallow trees: AdaBoost, GBDT).
""",
        "zh": r"""
在平方误差下，对随机训练集 $D$ 取期望，点 $x$ 处的误差可分解为
$$\mathrm{E}\left[(y - \hat f_D(x))^2\right] = \left(\mathrm{E}_D \hat f_D(x) - f(x)\right)^2 + \mathrm{Var}_D \hat f_D(x) + \sigma^2 .$$
**偏差**是*平均*模型离真实函数多远；**方差**是训练集变化时模型变动多大。两者都可以直接测量：从已知的 $f$ 中抽取
{=resamples} 个大小为 $n={=n_train}$ 的训练集，在每个上拟合每个模型，再在网格上求平均。

- **树桩**（只有一次划分）：偏差² {=bias2_stump:.4f}，方差 {=var_stump:.4f}——太简单。
- **深树**：偏差² {=bias2_deep_tree:.4f}，方差 {=var_deep_tree:.4f}——它跟着噪声走。
- **Bagging** {=n_bagged} 棵深树：对误差部分独立的模型取平均，方差下降（{=var_bagged_trees:.4f}，降低
  {=var_reduction_bagging:.1f} 倍），偏差不变（{=bias2_bagged_trees:.4f}）：平均无法修正每棵树都犯的错。
- **Boosting** {=n_boosted} 个树桩：每个新树桩拟合当前残差，加起来能表示单个树桩表示不了的函数：偏差²下降
  {=bias_reduction_boosting:.0f} 倍，到 {=bias2_boosted_stumps:.4f}（方差升至 {=var_boosted_stumps:.4f}）。

因此：对低偏差、高方差的学习器做 bagging（深树：随机森林）；对高偏差、低方差的学习器做 boosting（树桩、浅树：
AdaBoost、GBDT）。
""",
    },
    compute=compute,
)
