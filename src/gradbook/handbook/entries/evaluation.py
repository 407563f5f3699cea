"""How do you judge a model? Learning curves read for bias and variance; precision, recall, F1 and
the confusion matrix on one held-out split."""
from __future__ import annotations

import numpy as np

from ... import backend
from ...classic import DecisionTreeClassifier, Ridge
from ...data.datasets import digits
from ...metrics import accuracy_score, confusion_matrix, f1_score, mean_squared_error, precision_score, recall_score
from ..entry import Entry
from ..result import Result

NOISE = 0.3  # y = sin(2πx) + N(0, NOISE²): no model can go below NOISE² on fresh data
MODELS = {"simple": (1, 1e-3), "flexible": (12, 1e-4)}  # polynomial degree, ridge alpha
POSITIVE_DIGIT = 8


def poly(x: np.ndarray, degree: int) -> np.ndarray:
    """Features (2x−1)^k, k = 1..degree (centred on [0, 1] to keep them of comparable size)."""
    return np.column_stack([(2 * x - 1) ** k for k in range(1, degree + 1)])


def draw(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = backend.spawn_rng(seed)
    x = rng.random(n)
    return x, np.sin(2 * np.pi * x) + NOISE * rng.normal(size=n)


def binary_digits() -> tuple[np.ndarray, ...]:
    """scikit-learn's digits through gradbook.data (fixed stratified split), relabelled 'is it an 8?'."""
    train, test = digits()
    (xtr, ytr), (xte, yte) = train.tensors, test.tensors
    return (np.reshape(xtr, (len(ytr), -1)), (np.asarray(ytr) == POSITIVE_DIGIT).astype(int),
            np.reshape(xte, (len(yte), -1)), (np.asarray(yte) == POSITIVE_DIGIT).astype(int))


def compute(quick: bool) -> Result:
    r = Result()
    sizes, reps = ((20, 40, 80, 160, 320), 8) if quick else ((20, 40, 80, 160, 320, 640, 1280), 30)
    r.number("noise_var", NOISE ** 2)
    r.number("reps", reps)
    x_val, y_val = draw(5000, seed=0)
    curves = {}
    for name, (degree, alpha) in MODELS.items():
        train_err, val_err = [], []
        for n in sizes:
            tr, va = [], []
            for rep in range(reps):
                x, y = draw(n, seed=1000 + rep)
                model = Ridge(alpha=alpha).fit(poly(x, degree), y)
                tr.append(mean_squared_error(y, model.predict(poly(x, degree))))
                va.append(mean_squared_error(y_val, model.predict(poly(x_val, degree))))
            train_err.append(float(np.mean(tr))), val_err.append(float(np.mean(va)))
        curves[name] = (train_err, val_err)
        r.number(f"{name}_degree", degree)
        r.number(f"{name}_train_first", train_err[0])
        r.number(f"{name}_val_first", val_err[0])
        r.number(f"{name}_train_last", train_err[-1], f"mean_squared_error on the training set, n={sizes[-1]}")
        r.number(f"{name}_val_last", val_err[-1], f"mean_squared_error on validation, Ridge on degree {degree}")
        r.number(f"{name}_gap_first", val_err[0] - train_err[0])
        r.number(f"{name}_gap_last", val_err[-1] - train_err[-1])
    r.number("n_first", sizes[0])
    r.number("n_last", sizes[-1])
    r.table("Learning curves (mean MSE over resamples)",
            ["n", "simple train", "simple val", "flexible train", "flexible val"],
            [[n, curves["simple"][0][i], curves["simple"][1][i], curves["flexible"][0][i], curves["flexible"][1][i]]
             for i, n in enumerate(sizes)])

    Xtr, ytr, Xte, yte = binary_digits()
    clf = DecisionTreeClassifier(max_depth=4, random_state=0).fit(Xtr, ytr)
    pred = clf.predict(Xte)
    cm = confusion_matrix(yte, pred)
    r.number("n_test", len(yte))
    r.number("prevalence", float(yte.mean()))
    r.number("tn", int(cm[0, 0])), r.number("fp", int(cm[0, 1])), r.number("fn", int(cm[1, 0])), r.number("tp", int(cm[1, 1]))
    r.number("accuracy", accuracy_score(yte, pred), "accuracy_score(y_test, tree.predict(X_test))")
    r.number("precision", precision_score(yte, pred), "precision_score(y_test, pred)")
    r.number("recall", recall_score(yte, pred), "recall_score(y_test, pred)")
    r.number("f1", f1_score(yte, pred), "f1_score(y_test, pred)")
    r.number("constant_accuracy", accuracy_score(yte, np.zeros_like(yte)), "accuracy_score(y_test, all zeros)")
    r.table(f"Confusion matrix, 'is it an {POSITIVE_DIGIT}?' (depth-4 tree, digits test split)",
            ["", "predicted not 8", "predicted 8"], [["actual not 8", cm[0, 0], cm[0, 1]], ["actual 8", cm[1, 0], cm[1, 1]]])

    simple_tr, simple_va = curves["simple"]
    flex_tr, flex_va = curves["flexible"]
    r.check("high-bias-signature", r.numbers["simple_gap_last"] < 0.05 and simple_va[-1] > 2 * NOISE ** 2)
    r.check("high-variance-signature", r.numbers["flexible_gap_first"] > 5 * r.numbers["flexible_gap_last"]
            and flex_va[-1] < 1.5 * NOISE ** 2)
    r.check("more-data-fixes-variance-not-bias",
            (flex_va[0] - flex_va[-1]) > 10 * (simple_va[0] - simple_va[-1]) and simple_va[-1] > 2 * NOISE ** 2)
    r.check("accuracy-not-enough", r.numbers["constant_accuracy"] > 0.85 and r.numbers["recall"] < r.numbers["accuracy"])

    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.4))
    for ax, name in zip(axes, MODELS):
        ax.loglog(sizes, curves[name][0], "o--", label="train")
        ax.loglog(sizes, curves[name][1], "o-", label="validation")
        ax.axhline(NOISE ** 2, color="k", lw=1, ls=":", label="noise floor")
        ax.set(xlabel="training size n", title=f"degree {MODELS[name][0]} ({'bias' if name == 'simple' else 'variance'})")
        ax.legend(fontsize=8)
    axes[0].set_ylabel("MSE")
    r.figure("learning-curves", fig, "Left: a too-simple model; both curves meet high above the noise floor. "
                                     "Right: a flexible model; a large gap that closes as n grows.")
    return r


ENTRY = Entry(
    id="evaluation",
    section="B",
    title={"zh": "如何评判一个模型", "en": "How do you judge a model?"},
    keywords=["evaluation", "评估", "learning curve", "学习曲线", "bias", "variance", "偏差", "方差", "precision", "recall",
              "F1", "精确率", "召回率", "confusion matrix", "混淆矩阵", "train/validation/test"],
    claims={
        "high-bias-signature": {
            "en": "High bias (underfitting): training and validation error meet, and stay well above the noise floor.",
            "zh": "高偏差（欠拟合）：训练误差与验证误差接近，且都明显高于噪声下限。"},
        "high-variance-signature": {
            "en": "High variance (overfitting): a large gap between low training and high validation error that narrows as data grows.",
            "zh": "高方差（过拟合）：训练误差低、验证误差高，二者差距大，并随数据增加而缩小。"},
        "more-data-fixes-variance-not-bias": {
            "en": "More data cures variance but not bias.",
            "zh": "更多数据能解决方差问题，但解决不了偏差问题。"},
        "accuracy-not-enough": {
            "en": "Accuracy alone can mislead on imbalanced classes; report precision, recall, F1 and the confusion matrix.",
            "zh": "类别不均衡时只看准确率会误导，应同时报告精确率、召回率、F1 和混淆矩阵。"},
    },
    answer={
        "en": r"""
Judge a model on data it never saw: fit on **train**, choose settings on **validation**, report
once on **test**. Two tools tell you *why* it is not better.

**Learning curves** plot training and validation error against the training size $n$. Here
$y = \sin 2\pi x + \varepsilon$ with noise variance {=noise_var:.2f}, ridge on polynomial
features, {=reps} resamples per point. A degree-{=simple_degree} model is too simple: at
$n={=n_last}$ train {=simple_train_last:.3f}, validation {=simple_val_last:.3f} — the curves have
met (gap {=simple_gap_last:.3f}) far above the noise floor. That is **bias**; more data will
not help, a richer model will. A degree-{=flexible_degree} model at $n={=n_first}$ has train
{=flexible_train_first:.3f} but validation {=flexible_val_first:.3g}: **variance**. The gap
closes as $n$ grows (validation {=flexible_val_last:.3f} at $n={=n_last}$, near the floor), so
more data or regularisation is the cure. Expected error decomposes as
$\mathrm{bias}^2 + \mathrm{variance} + \sigma^2$; the curves show which term dominates.

**On one split**, a class-level view: a depth-4 tree answering "is it an 8?" on the digits test
split ({=n_test} images, positives {=prevalence:.3f}). Confusion matrix TP {=tp}, FP {=fp},
FN {=fn}, TN {=tn}. Accuracy {=accuracy:.3f} looks fine, but always saying "no" already scores
{=constant_accuracy:.3f}. Precision $\frac{TP}{TP+FP}$ = {=precision:.3f}, recall
$\frac{TP}{TP+FN}$ = {=recall:.3f}, $F_1 = \frac{2PR}{P+R}$ = {=f1:.3f} tell what accuracy hides.
""",
        "zh": r"""
评判模型要用它没见过的数据：在**训练集**上拟合，在**验证集**上选超参数，最后在**测试集**上报告一次。
有两类工具能说明模型*为什么*不够好。

**学习曲线**画出训练误差和验证误差随训练样本数 $n$ 的变化。本例 $y = \sin 2\pi x + \varepsilon$，噪声方差
{=noise_var:.2f}，用多项式特征加岭回归，每个点做 {=reps} 次重采样。{=simple_degree} 次模型太简单：$n={=n_last}$
时训练误差 {=simple_train_last:.3f}、验证误差 {=simple_val_last:.3f}，两条曲线已经汇合（差距 {=simple_gap_last:.3f}），
却远高于噪声下限。这就是**偏差**：加数据没用，需要更复杂的模型。{=flexible_degree} 次模型在 $n={=n_first}$ 时训练误差
{=flexible_train_first:.3f}，验证误差却是 {=flexible_val_first:.3g}：这是**方差**。随着 $n$ 增大差距缩小
（$n={=n_last}$ 时验证误差 {=flexible_val_last:.3f}，接近下限），所以解决办法是更多数据或正则化。期望误差可分解为
$\mathrm{bias}^2 + \mathrm{variance} + \sigma^2$，学习曲线告诉你哪一项占主导。

**在一次划分上**看类别层面的表现：用深度为 4 的决策树判断 digits 测试集图片"是不是 8"（{=n_test} 张，正样本比例
{=prevalence:.3f}）。混淆矩阵 TP {=tp}、FP {=fp}、FN {=fn}、TN {=tn}。准确率 {=accuracy:.3f} 看起来不错，但永远回答"不是"
也能得到 {=constant_accuracy:.3f}。精确率 $\frac{TP}{TP+FP}$ = {=precision:.3f}，召回率 $\frac{TP}{TP+FN}$ =
{=recall:.3f}，$F_1 = \frac{2PR}{P+R}$ = {=f1:.3f}，它们揭示了准确率掩盖的问题。
""",
    },
    compute=compute,
)
