"""PCA vs. LDA: projections of one labelled set, and how separable the classes stay."""
from __future__ import annotations

import numpy as np

from ... import backend
from ...classic import PCA, LinearDiscriminantAnalysis, LogisticRegression
from ...data.datasets import digits
from ...metrics import accuracy_score
from ..entry import Entry
from ..result import Result


def elongated(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Two classes stretched along x₁ (sd 3) and separated along x₂ (means ±1, sd 0.5)."""
    rng = backend.spawn_rng(seed)
    y = np.repeat([0, 1], n // 2)
    X = np.column_stack([3.0 * rng.normal(size=len(y)), np.where(y == 1, 1.0, -1.0) + 0.5 * rng.normal(size=len(y))])
    return X, y


def fisher_ratio(z: np.ndarray, y: np.ndarray) -> float:
    """Between-class over within-class variance of a 1-D projection: (m₁ − m₀)² / (s₀² + s₁²)."""
    a, b = z[y == 0], z[y == 1]
    return float((a.mean() - b.mean()) ** 2 / (a.var() + b.var()))


def digit_arrays():
    train, test = digits()
    (xtr, ytr), (xte, yte) = train.tensors, test.tensors
    return (np.reshape(xtr, (len(ytr), -1)).astype(np.float64), np.asarray(ytr),
            np.reshape(xte, (len(yte), -1)).astype(np.float64), np.asarray(yte))


def compute(quick: bool) -> Result:
    r = Result()
    X, y = elongated(400, seed=0)
    Xt, yt = elongated(2000, seed=1)
    pca1 = PCA(n_components=1).fit(X)
    lda1 = LinearDiscriminantAnalysis(n_components=1).fit(X, y)
    r.number("toy_pca_direction_x2", float(abs(pca1.components_[0, 1])), "|PCA(1).components_[0, 1]| (weight on x2)")
    r.number("toy_pca_fisher", fisher_ratio(pca1.transform(Xt)[:, 0], yt), "fisher_ratio(PCA(1).transform(X_test))")
    r.number("toy_lda_fisher", fisher_ratio(lda1.transform(Xt)[:, 0], yt), "fisher_ratio(LDA(1).transform(X_test))")
    for name, proj in (("pca", pca1), ("lda", lda1)):
        clf = LogisticRegression().fit(proj.transform(X), y)
        r.number(f"toy_{name}_acc", accuracy_score(yt, clf.predict(proj.transform(Xt))),
                 f"LogisticRegression on the 1-D {name.upper()} projection, test accuracy")
    r.number("toy_pca_var_ratio", float(pca1.explained_variance_ratio_[0]))

    Xtr, ytr, Xte, yte = digit_arrays()
    pca = PCA(n_components=2).fit(Xtr)
    lda = LinearDiscriminantAnalysis(n_components=2).fit(Xtr, ytr)
    r.number("digits_pca_var_ratio_2", float(pca.explained_variance_ratio_.sum()), "PCA(2).explained_variance_ratio_.sum()")
    lda_full = LinearDiscriminantAnalysis().fit(Xtr, ytr)
    r.number("digits_lda_max_components", int(lda_full.transform(Xte).shape[1]),
             "LinearDiscriminantAnalysis().fit(X, y).transform(X).shape[1]")
    r.number("digits_n_classes", int(len(np.unique(ytr))))
    projections = {}
    for name, proj in (("pca", pca), ("lda", lda)):
        Ztr, Zte = proj.transform(Xtr), proj.transform(Xte)
        projections[name] = Zte
        clf = LogisticRegression(max_iter=300).fit(Ztr, ytr)
        r.number(f"digits_{name}_acc", accuracy_score(yte, clf.predict(Zte)),
                 f"LogisticRegression on the 2-D {name.upper()} projection of digits, test accuracy")
    r.number("digits_lda_classifier_acc", accuracy_score(yte, lda_full.predict(Xte)),
             "LinearDiscriminantAnalysis().fit(X, y).score on test (all 9 directions)")
    components = PCA().fit(Xtr).components_
    r.number("pca_orthogonality_error", float(np.abs(components @ components.T - np.eye(len(components))).max()))
    r.table("Separability after projection (test accuracy of logistic regression on the projection)",
            ["data", "PCA", "LDA"],
            [["elongated 2-D, 1 component", r.numbers["toy_pca_acc"], r.numbers["toy_lda_acc"]],
             ["digits 64-D, 2 components", r.numbers["digits_pca_acc"], r.numbers["digits_lda_acc"]]])

    r.check("pca-ignores-labels", r.numbers["toy_pca_acc"] < 0.65 < 0.9 < r.numbers["toy_lda_acc"])
    r.check("lda-at-most-c-minus-1", r.numbers["digits_lda_max_components"] == r.numbers["digits_n_classes"] - 1)
    r.check("lda-separates-better", r.numbers["digits_lda_acc"] > r.numbers["digits_pca_acc"])
    r.condition("LDA's advantage assumes roughly Gaussian classes with a shared covariance; PCA needs no labels and also "
                "serves compression and denoising, where LDA does not apply.")

    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.6))
    axes[0].scatter(X[:, 0], X[:, 1], c=y, cmap="coolwarm", s=6)
    for vec, colour, label in ((pca1.components_[0], "C2", "PCA direction"),
                               (lda1.scalings_[:, 0] / np.linalg.norm(lda1.scalings_[:, 0]), "k", "LDA direction")):
        axes[0].plot([-6 * vec[0], 6 * vec[0]], [-6 * vec[1], 6 * vec[1]], color=colour, lw=2, label=label)
    axes[0].set(title="Max variance is not max separation", xlim=(-9, 9), ylim=(-3.5, 3.5))
    axes[0].legend(fontsize=7)
    for ax, name in zip(axes[1:], ("pca", "lda")):
        sc = ax.scatter(*projections[name].T, c=yte, cmap="tab10", s=6)
        ax.set(title=f"digits, {name.upper()} (2 components)", xticks=[], yticks=[])
    fig.colorbar(sc, ax=axes[2], ticks=range(10))
    r.figure("pca-lda", fig, "Left: toy classes. Middle and right: the digits test split projected to 2-D.")
    return r


ENTRY = Entry(
    id="pca-lda",
    section="I",
    title={"zh": "PCA 与 LDA", "en": "PCA vs. LDA"},
    keywords=["pca", "lda", "主成分分析", "线性判别分析", "降维", "dimensionality reduction", "fisher", "projection", "投影"],
    claims={
        "pca-ignores-labels": {
            "en": "PCA keeps the directions of largest variance without looking at labels, so it can throw away the direction that separates the classes.",
            "zh": "PCA 保留方差最大的方向而不看标签，因此可能丢掉区分类别的方向。"},
        "lda-at-most-c-minus-1": {"en": "LDA yields at most C − 1 directions for C classes.",
                                  "zh": "对 C 个类别，LDA 最多得到 C − 1 个投影方向。"},
        "lda-separates-better": {"en": "For the same number of dimensions, LDA's projection keeps classes more separable than PCA's.",
                                 "zh": "降到相同维数时，LDA 的投影比 PCA 的投影更能保持类别可分。"},
    },
    answer={
        "en": r"""
Both are linear projections $z = W^\top x$; they differ in what $W$ maximises.

**PCA** (unsupervised) takes the top eigenvectors of the covariance $\Sigma$: the directions of
largest variance, orthogonal to each other (orthogonality error here {=pca_orthogonality_error:.1e}).
**LDA** (supervised) maximises Fisher's criterion
$$J(w) = \frac{w^\top S_B w}{w^\top S_W w},$$
between-class over within-class scatter, solved by the generalised eigenproblem
$S_B w = \lambda S_W w$. $S_B$ is built from $C$ class means, so its rank is at most $C-1$: LDA
gives at most $C-1$ directions ({=digits_lda_max_components} for the {=digits_n_classes} digit
classes).

**When they disagree.** Two classes stretched along $x_1$ and separated along $x_2$: PCA's first
axis explains {=toy_pca_var_ratio:.1%} of the variance and puts weight {=toy_pca_direction_x2:.3f}
on $x_2$ — it points along the noise. Fisher ratio of the 1-D projection: PCA
{=toy_pca_fisher:.3f}, LDA {=toy_lda_fisher:.2f}; a classifier on it reaches
{=toy_pca_acc:.3f} vs {=toy_lda_acc:.3f}. **On digits** (64 pixels, 2 components): PCA keeps
{=digits_pca_var_ratio_2:.1%} of the variance and logistic regression on it scores
{=digits_pca_acc:.3f}; on LDA's 2 components {=digits_lda_acc:.3f}.

Use PCA for compression, denoising and visualisation without labels (and before LDA when features
outnumber samples); use LDA when the goal is to separate known classes. LDA assumes Gaussian
classes with a shared covariance; it is also a classifier in its own right
({=digits_lda_classifier_acc:.3f} on digits with all its directions).
""",
        "zh": r"""
两者都是线性投影 $z = W^\top x$，区别在于 $W$ 最大化的目标。

**PCA**（无监督）取协方差 $\Sigma$ 的前几个特征向量：方差最大、两两正交的方向（本例正交误差
{=pca_orthogonality_error:.1e}）。**LDA**（有监督）最大化 Fisher 准则
$$J(w) = \frac{w^\top S_B w}{w^\top S_W w},$$
即类间散度与类内散度之比，由广义特征值问题 $S_B w = \lambda S_W w$ 求解。$S_B$ 由 $C$ 个类均值构成，秩至多为 $C-1$：
LDA 最多给出 $C-1$ 个方向（digits 的 {=digits_n_classes} 个类别对应 {=digits_lda_max_components} 个）。

**两者不一致的时候。** 两个类别沿 $x_1$ 拉长、沿 $x_2$ 分开：PCA 第一主轴解释了 {=toy_pca_var_ratio:.1%} 的方差，在 $x_2$
上的权重只有 {=toy_pca_direction_x2:.3f}——它指向噪声方向。一维投影的 Fisher 比：PCA {=toy_pca_fisher:.3f}，LDA
{=toy_lda_fisher:.2f}；在投影上训练的分类器准确率为 {=toy_pca_acc:.3f} 对 {=toy_lda_acc:.3f}。**在 digits 上**（64 个像素，
取 2 个分量）：PCA 保留 {=digits_pca_var_ratio_2:.1%} 的方差，在其上做逻辑回归准确率为 {=digits_pca_acc:.3f}；在 LDA 的
2 个分量上为 {=digits_lda_acc:.3f}。

没有标签、目的是压缩、去噪或可视化时用 PCA（特征数多于样本数时也常在 LDA 之前先做 PCA）；目标是分开已知类别时用 LDA。
LDA 假设各类为共享协方差的高斯分布；它本身也是分类器（用全部方向在 digits 上准确率 {=digits_lda_classifier_acc:.3f}）。
""",
    },
    compute=compute,
)
