"""Boosting vs. bagging: accuracy next to scikit-learn's twins, and the 0-1 loss bias / variance of each."""
from __future__ import annotations

import numpy as np

from ... import backend
from ...classic import (AdaBoostClassifier, BaggingClassifier, DecisionTreeClassifier, GradientBoostingClassifier,
                        RandomForestClassifier)
from ...metrics import accuracy_score
from ..entry import Entry
from ..result import Result

FLIP = 0.1


def problem(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Five features, a curved noise-free rule y* = [x₁ > 0.6x₀² − 1 + 0.5 sin(2x₂)], and observed labels
    with a FLIP share flipped. Returns X, y (observed), y* (noise-free)."""
    rng = backend.spawn_rng(seed)
    X = rng.normal(size=(n, 5))
    clean = (X[:, 1] > 0.6 * X[:, 0] ** 2 - 1 + 0.5 * np.sin(2 * X[:, 2])).astype(int)
    return X, np.where(rng.random(n) < FLIP, 1 - clean, clean), clean


def ours(n_members: int) -> dict:
    return {"stump": lambda: DecisionTreeClassifier(max_depth=1, random_state=0),
            "deep tree": lambda: DecisionTreeClassifier(random_state=0),
            "bagging (deep trees)": lambda: BaggingClassifier(n_estimators=n_members, random_state=0),
            "random forest": lambda: RandomForestClassifier(n_estimators=n_members, random_state=0),
            "AdaBoost (stumps)": lambda: AdaBoostClassifier(n_estimators=2 * n_members, random_state=0),
            "gradient boosting (depth 2)": lambda: GradientBoostingClassifier(n_estimators=2 * n_members, max_depth=2,
                                                                              random_state=0)}


def domingos(predictions: np.ndarray, clean: np.ndarray) -> tuple[float, float]:
    """0-1 loss decomposition over R models (R, m): the main prediction is the majority vote;
    bias = share of points where it differs from the noise-free label, variance = mean share of
    models that disagree with the main prediction."""
    main = (predictions.mean(axis=0) > 0.5).astype(int)
    return float(np.mean(main != clean)), float(np.mean(predictions != main))


def compute(quick: bool) -> Result:
    r = Result()
    n, members, resamples = (300, 10, 5) if quick else (600, 30, 15)
    X, y, _ = problem(n, seed=0)
    Xt, yt, clean_t = problem(3000, seed=1)
    r.number("n_train", n)
    r.number("n_members", members)
    r.number("resamples", resamples)
    r.number("flip", FLIP)
    rows = []
    for name, make in ours(members).items():
        key = name.split(" (")[0].replace(" ", "_").lower()
        acc = r.number(f"acc_{key}", accuracy_score(yt, make().fit(X, y).predict(Xt)), f"{name}: test accuracy")
        rows.append([name, acc])
    r.table(f"Test accuracy (n_train={n}, {FLIP:.0%} label noise)", ["model", "accuracy"], rows)

    decomposition = {"stump": [], "deep tree": [], "bagging (deep trees)": [], "AdaBoost (stumps)": []}
    makers = ours(members)
    for k in range(resamples):
        Xk, yk, _ = problem(n, seed=100 + k)
        for name in decomposition:
            decomposition[name].append(makers[name]().fit(Xk, yk).predict(Xt))
    rows = []
    for name, preds in decomposition.items():
        key = name.split(" (")[0].replace(" ", "_").lower()
        bias, var = domingos(np.array(preds), clean_t)
        r.number(f"bias_{key}", bias, f"domingos(predictions of {name} over {resamples} training sets)[0]")
        r.number(f"var_{key}", var)
        rows.append([name, bias, var])
    r.table(f"0-1 loss bias and variance over {resamples} training sets (against the noise-free labels)",
            ["model", "bias", "variance"], rows)

    r.check("bagging-reduces-variance", r.numbers["var_bagging"] < 0.8 * r.numbers["var_deep_tree"])
    r.check("boosting-reduces-bias", r.numbers["bias_adaboost"] < 0.8 * r.numbers["bias_stump"])
    r.check("ensembles-beat-their-base", r.numbers["acc_bagging"] > r.numbers["acc_deep_tree"]
            and r.numbers["acc_adaboost"] > r.numbers["acc_stump"])
    r.condition("Bagging helps unstable, low-bias learners (deep trees); bagging stumps would change little. Boosting "
                "helps weak, high-bias learners; boosting deep trees mostly adds variance.")
    return r


ENTRY = Entry(
    id="boosting-bagging",
    section="I",
    title={"zh": "Boosting 与 Bagging", "en": "Boosting vs. bagging"},
    keywords=["boosting", "bagging", "ensemble", "集成学习", "bootstrap", "自助采样", "adaboost", "random forest",
              "随机森林", "gbdt", "偏差", "方差"],
    claims={
        "bagging-reduces-variance": {
            "en": "Bagging (bootstrap samples, models trained independently, majority vote) mainly reduces variance.",
            "zh": "Bagging（自助采样、各模型独立训练、投票）主要降低方差。"},
        "boosting-reduces-bias": {
            "en": "Boosting (learners trained in sequence on re-weighted data, weighted sum) mainly reduces bias.",
            "zh": "Boosting（按顺序在重新加权的数据上训练学习器，加权求和）主要降低偏差。"},
        "ensembles-beat-their-base": {
            "en": "Both ensembles beat their own base learner.",
            "zh": "两种集成方法都优于各自的基学习器。"},
    },
    answer={
        "en": r"""
**Bagging** draws $B$ bootstrap samples, trains one model on each *independently* (in parallel),
and votes or averages. If each model has variance $\sigma^2$ and pairwise correlation $\rho$, the
average has variance $\rho\sigma^2 + \frac{1-\rho}{B}\sigma^2$: averaging removes the
uncorrelated part, and random forests lower $\rho$ further by sampling features at each split.
Bias is untouched, so bagging suits low-bias, high-variance learners such as deep trees.

**Boosting** trains learners *in sequence*: each one focuses on what the current ensemble gets
wrong (AdaBoost re-weights samples, gradient boosting fits negative gradients), and the final
model is a weighted sum. It builds a flexible model out of weak ones, so it lowers bias; run too
long on noisy labels it raises variance.

**Measured** on {=n_train} training points with {=flip:.0%} label noise. For the 0-1 loss we use
Domingos' decomposition over {=resamples} training sets, against the noise-free labels: the deep
tree has bias {=bias_deep_tree:.3f} and variance {=var_deep_tree:.3f}; bagging {=n_members} of
them cuts variance to {=var_bagging:.3f} (bias {=bias_bagging:.3f}: for the 0-1 loss the
majority vote can move bias as well, unlike the squared-error case). A stump has bias
{=bias_stump:.3f}; AdaBoost on stumps brings it to {=bias_adaboost:.3f} (variance
{=var_stump:.3f} → {=var_adaboost:.3f}). Test accuracy: stump {=acc_stump:.3f}, deep tree
{=acc_deep_tree:.3f}, bagging {=acc_bagging:.3f}, random forest {=acc_random_forest:.3f},
AdaBoost {=acc_adaboost:.3f}, gradient boosting {=acc_gradient_boosting:.3f}.
""",
        "zh": r"""
**Bagging** 抽取 $B$ 个自助样本集，在每个上*独立*（可并行）训练一个模型，再投票或平均。若每个模型方差为 $\sigma^2$、
两两相关系数为 $\rho$，平均后的方差为 $\rho\sigma^2 + \frac{1-\rho}{B}\sigma^2$：平均消除了不相关的部分，随机森林在每次
划分时再随机选特征，进一步降低 $\rho$。偏差不受影响，所以 bagging 适合低偏差、高方差的学习器，例如深树。

**Boosting** *按顺序*训练学习器：每个新学习器专注于当前集成做错的部分（AdaBoost 重新加权样本，梯度提升拟合负梯度），
最终模型是加权和。它用弱学习器搭出灵活的模型，因此降低偏差；在有噪声的标签上训练太久则会增加方差。

**实测**：{=n_train} 个训练样本，{=flip:.0%} 的标签噪声。对 0-1 损失使用 Domingos 分解，在 {=resamples} 个训练集上、
相对无噪声标签计算：深树偏差 {=bias_deep_tree:.3f}、方差 {=var_deep_tree:.3f}；对 {=n_members} 棵深树做 bagging，方差降到
{=var_bagging:.3f}（偏差为 {=bias_bagging:.3f}：0-1 损失下多数投票也可能改变偏差，这与平方误差的情形不同）。树桩偏差为 {=bias_stump:.3f}；AdaBoost 提升树桩后降到 {=bias_adaboost:.3f}
（方差 {=var_stump:.3f} → {=var_adaboost:.3f}）。测试准确率：树桩 {=acc_stump:.3f}，深树 {=acc_deep_tree:.3f}，bagging
{=acc_bagging:.3f}，随机森林 {=acc_random_forest:.3f}，AdaBoost {=acc_adaboost:.3f}，梯度提升 {=acc_gradient_boosting:.3f}。
""",
    },
    compute=compute,
)
