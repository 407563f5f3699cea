"""Logistic regression vs. SVM: losses, margins, support vectors, on the same data."""
from __future__ import annotations

import numpy as np

from ... import backend
from ...classic import SVC, LogisticRegression
from ...metrics import accuracy_score, log_loss
from ..entry import Entry
from ..result import Result

C = 1.0


def blobs(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Two 2-D Gaussian classes with a little overlap, n per class."""
    rng = backend.spawn_rng(seed)
    X = np.vstack([rng.normal([-1.2, -0.6], 0.8, size=(n, 2)), rng.normal([1.2, 0.6], 0.8, size=(n, 2))])
    return X, np.repeat([0, 1], n)


def linear_svm_w(svm) -> np.ndarray:
    return svm.dual_coef_[0] @ svm.support_vectors_


def angle_deg(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.degrees(np.arccos(np.clip(a @ b / np.linalg.norm(a) / np.linalg.norm(b), -1, 1))))


def compute(quick: bool) -> Result:
    r = Result()
    n = 60 if quick else 300
    X, y = blobs(n, seed=0)
    Xt, yt = blobs(2000, seed=1)
    lr = LogisticRegression(C=C).fit(X, y)
    svm = SVC(kernel="linear", C=C, tol=1e-6).fit(X, y)
    w_lr, w_svm = lr.coef_[0], linear_svm_w(svm)
    r.number("n_train", len(y))
    r.number("lr_acc", accuracy_score(yt, lr.predict(Xt)), "accuracy_score(y_test, LogisticRegression().predict)")
    r.number("svm_acc", accuracy_score(yt, svm.predict(Xt)), "accuracy_score(y_test, SVC(kernel='linear').predict)")
    r.number("angle_deg", angle_deg(w_lr, w_svm), "angle between LR's w and the SVM's w (degrees)")
    r.number("n_support", int(len(svm.support_)), "len(SVC(kernel='linear').fit(X, y).support_)")
    r.number("lr_log_loss", log_loss(yt, lr.predict_proba(Xt)), "log_loss(y_test, lr.predict_proba(X_test))")

    # drop every point the SVM does not use: the SVM cannot notice, logistic regression does
    keep = np.zeros(len(y), dtype=bool)
    keep[svm.support_] = True
    svm_sv = SVC(kernel="linear", C=C, tol=1e-6).fit(X[keep], y[keep])
    lr_sv = LogisticRegression(C=C).fit(X[keep], y[keep])
    r.number("n_dropped", int((~keep).sum()))
    r.number("svm_w_change", float(np.linalg.norm(linear_svm_w(svm_sv) - w_svm) / np.linalg.norm(w_svm)),
             "relative change of the SVM's w after refitting on its support vectors only")
    r.number("lr_w_change", float(np.linalg.norm(lr_sv.coef_[0] - w_lr) / np.linalg.norm(w_lr)),
             "relative change of LR's w after refitting on the same subset")

    # the two losses at the margin m = y f(x)
    for m in (-1.0, 0.0, 1.0, 2.0):
        tag = str(m).replace("-", "minus").replace(".0", "")
        r.number(f"hinge_at_{tag}", max(0.0, 1 - m))
        r.number(f"logistic_at_{tag}", float(np.log1p(np.exp(-m))))
    r.table("Logistic regression vs. linear SVM (C = 1, same data)", ["", "logistic regression", "linear SVM"],
            [["loss on margin m = y f(x)", "log(1 + exp(-m))", "max(0, 1 - m)"],
             ["points that shape the solution", "all (weights p(1-p) never reach 0)", f"{r.numbers['n_support']} support vectors"],
             ["output", "probability p(y=1|x)", "signed distance, no probability"],
             ["test accuracy", r.numbers["lr_acc"], r.numbers["svm_acc"]],
             ["relative change of w when non-SVs are removed", r.numbers["lr_w_change"], r.numbers["svm_w_change"]]])

    r.check("svm-uses-support-vectors-only", r.numbers["svm_w_change"] < 1e-4)
    r.check("lr-uses-every-point", r.numbers["lr_w_change"] > 0.01)
    r.check("similar-linear-boundaries", abs(r.numbers["lr_acc"] - r.numbers["svm_acc"]) < 0.03 and r.numbers["angle_deg"] < 15)
    r.condition("Both are linear here; with kernels both become non-linear, but only the SVM's solution stays sparse.")

    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.6))
    m = np.linspace(-3, 3, 200)
    axes[0].plot(m, np.maximum(0, 1 - m), label="hinge (SVM)")
    axes[0].plot(m, np.log1p(np.exp(-m)), label="logistic (LR)")
    axes[0].plot(m, (m < 0).astype(float), "k:", label="0-1")
    axes[0].set(xlabel="margin m = y f(x)", ylabel="loss", title="Hinge is exactly 0 beyond m = 1")
    axes[0].legend(fontsize=8)
    ax = axes[1]
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap="coolwarm", s=10)
    ax.scatter(*X[svm.support_].T, s=60, facecolors="none", edgecolors="k", label="support vectors")
    xs = np.array([X[:, 0].min(), X[:, 0].max()])
    ax.plot(xs, -(lr.intercept_[0] + w_lr[0] * xs) / w_lr[1], "C2-", label="LR boundary")
    ax.plot(xs, -(svm.intercept_[0] + w_svm[0] * xs) / w_svm[1], "k--", label="SVM boundary")
    ax.set(ylim=(X[:, 1].min() - 0.5, X[:, 1].max() + 0.5), title="Same data, two boundaries")
    ax.legend(fontsize=7)
    r.figure("lr-vs-svm", fig, "Left: the two losses. Right: boundaries and the SVM's support vectors.")
    return r


ENTRY = Entry(
    id="lr-vs-svm",
    section="I",
    title={"zh": "LR 与 SVM 的区别与联系", "en": "Logistic regression vs. SVM"},
    keywords=["lr", "svm", "logistic regression", "逻辑回归", "支持向量机", "hinge", "合页损失", "support vector",
              "支持向量", "margin", "间隔"],
    claims={
        "svm-uses-support-vectors-only": {
            "en": "The SVM's solution depends only on its support vectors: removing the other points changes nothing.",
            "zh": "SVM 的解只依赖支持向量：删去其他样本，解不变。"},
        "lr-uses-every-point": {"en": "Logistic regression is shaped by every point, including far, correctly classified ones.",
                                "zh": "逻辑回归受所有样本影响，包括离边界很远、已正确分类的点。"},
        "similar-linear-boundaries": {
            "en": "With linear features both find similar boundaries and similar accuracy.",
            "zh": "使用线性特征时，两者得到的边界和准确率相近。"},
    },
    answer={
        "en": r"""
**What they share.** Both are linear classifiers $f(x) = w^\top x + b$ trained by minimising a
convex surrogate of the 0-1 loss on the margin $m = y f(x)$ plus an L2 penalty:
$$\min_w \frac{1}{2}\|w\|^2 + C\sum_i \ell(y_i f(x_i)),$$
with $\ell(m) = \log(1 + e^{-m})$ for logistic regression and $\ell(m) = \max(0, 1 - m)$ for the
SVM. Both can be kernelised. Here, on the same {=n_train} points, they reach test accuracy
{=lr_acc:.3f} (LR) and {=svm_acc:.3f} (SVM), with directions {=angle_deg:.1f} degrees apart.

**Where they differ.** The hinge is *exactly zero* once $m \geq 1$; the logistic loss is never zero
(at $m = 2$ it is still {=logistic_at_2:.3f}). So the SVM's solution is a combination of the
{=n_support} support vectors alone: deleting the other {=n_dropped} points and refitting moves
$w$ by {=svm_w_change:.1e} (relative), while logistic regression moves by {=lr_w_change:.3f}.
LR models a probability, $p(y=1|x) = \sigma(f(x))$, fitted by maximum likelihood (test log-loss
{=lr_log_loss:.3f}); the SVM outputs a score whose size has no probabilistic meaning and
maximises the margin instead. LR's gradient weights every point by $p(1-p)$, so it is smooth and
easy to optimise with (stochastic) gradients and to update online; the SVM's dual solution is
sparse, which makes kernel predictions cheap.

**Choosing.** Need probabilities or huge data: LR. Small or medium data with a kernel, or a
max-margin boundary: SVM.
""",
        "zh": r"""
**相同点。** 两者都是线性分类器 $f(x) = w^\top x + b$，都通过在间隔 $m = y f(x)$ 上最小化 0-1 损失的凸替代损失加 L2 正则来训练：
$$\min_w \frac{1}{2}\|w\|^2 + C\sum_i \ell(y_i f(x_i)),$$
逻辑回归取 $\ell(m) = \log(1 + e^{-m})$，SVM 取 $\ell(m) = \max(0, 1 - m)$。两者都可以核化。在同样的 {=n_train} 个样本上，
测试准确率分别为 {=lr_acc:.3f}（LR）和 {=svm_acc:.3f}（SVM），方向相差 {=angle_deg:.1f} 度。

**不同点。** 合页损失在 $m \geq 1$ 时*恰好为 0*；逻辑损失永远不为 0（$m = 2$ 时仍为 {=logistic_at_2:.3f}）。因此 SVM 的解只由
{=n_support} 个支持向量组合而成：删去其余 {=n_dropped} 个点再训练，$w$ 的相对变化为 {=svm_w_change:.1e}，而逻辑回归变化
{=lr_w_change:.3f}。LR 建模概率 $p(y=1|x) = \sigma(f(x))$，用极大似然拟合（测试对数损失 {=lr_log_loss:.3f}）；SVM 输出的
得分大小没有概率含义，它最大化的是间隔。LR 的梯度对每个点以 $p(1-p)$ 加权，目标光滑，便于用（随机）梯度优化和在线更新；
SVM 的对偶解是稀疏的，核方法预测代价低。

**如何选择。** 需要概率输出或数据量巨大：用 LR。中小规模数据、需要核函数或最大间隔边界：用 SVM。
""",
    },
    compute=compute,
)
