"""Logistic regression on data no line separates (XOR, circles): feature maps and kernels."""
from __future__ import annotations

import numpy as np

from ... import backend
from ...classic import KernelLogisticRegression, LogisticRegression, poly2_feature_map
from ...metrics import accuracy_score
from ..entry import Entry
from ..result import Result

C = 10.0


def xor(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Points around the four corners (±1, ±1); label 1 where x₁x₂ > 0."""
    rng = backend.spawn_rng(seed)
    corners = rng.choice([-1.0, 1.0], size=(n, 2))
    X = corners + 0.35 * rng.normal(size=(n, 2))
    return X, (corners[:, 0] * corners[:, 1] > 0).astype(int)


def circles(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Two concentric rings, radius 0.5 (label 1) and 1.0 (label 0), radial noise 0.08."""
    rng = backend.spawn_rng(seed)
    y = rng.integers(0, 2, n)
    angle = rng.uniform(0, 2 * np.pi, n)
    radius = np.where(y == 1, 0.5, 1.0) + 0.08 * rng.normal(size=n)
    return np.column_stack([radius * np.cos(angle), radius * np.sin(angle)]), y


def compute(quick: bool) -> Result:
    r = Result()
    n = 100 if quick else 400
    r.number("n_train", n)
    r.number("C", C)
    rows = []
    fitted = {}
    for name, make in (("xor", xor), ("circles", circles)):
        X, y = make(n, seed=0)
        Xt, yt = make(2000, seed=1)
        models = {
            "linear": LogisticRegression(C=C).fit(X, y),
            # tight tolerances: the two routes to the same optimum are compared below
            "poly2_map": LogisticRegression(C=C, tol=1e-8, max_iter=1000).fit(poly2_feature_map(X), y),
            "poly2_kernel": KernelLogisticRegression(kernel="poly", degree=2, gamma=1.0, coef0=1.0, C=C,
                                                     tol=1e-8).fit(X, y),
            "rbf_kernel": KernelLogisticRegression(kernel="rbf", C=C).fit(X, y),
        }
        fitted[name] = (X, y, models)
        accs = {"linear": accuracy_score(yt, models["linear"].predict(Xt)),
                "poly2_map": accuracy_score(yt, models["poly2_map"].predict(poly2_feature_map(Xt))),
                "poly2_kernel": accuracy_score(yt, models["poly2_kernel"].predict(Xt)),
                "rbf_kernel": accuracy_score(yt, models["rbf_kernel"].predict(Xt))}
        for key, acc in accs.items():
            r.number(f"{name}_{key}", acc, f"accuracy_score on test, {key}, {name}")
        diff = np.abs(models["poly2_map"].decision_function(poly2_feature_map(Xt))
                      - models["poly2_kernel"].decision_function(Xt)).max()
        r.number(f"{name}_kernel_vs_map_max_diff", float(diff),
                 "max |LR on poly2_feature_map(X) − KernelLogisticRegression('poly', degree=2)| of the scores")
        rows.append([name, *accs.values()])
    r.number("map_dim", poly2_feature_map(np.zeros((1, 2))).shape[1], "poly2_feature_map(X).shape[1] for 2 inputs")
    r.table(f"Test accuracy (n_train = {n}, C = {C})",
            ["data", "linear LR", "LR on φ(x) (degree 2)", "kernel LR, poly degree 2", "kernel LR, RBF"], rows)

    r.check("linear-lr-fails", r.numbers["xor_linear"] < 0.65 and r.numbers["circles_linear"] < 0.65)
    r.check("mapping-separates", min(r.numbers[f"{d}_{m}"] for d in ("xor", "circles")
                                     for m in ("poly2_map", "poly2_kernel", "rbf_kernel")) > 0.95)
    r.check("kernel-equals-feature-map", max(r.numbers["xor_kernel_vs_map_max_diff"],
                                             r.numbers["circles_kernel_vs_map_max_diff"]) < 1e-3)

    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(2, 2, figsize=(7, 6.4))
    g = np.linspace(-2, 2, 120)
    gx, gy = np.meshgrid(g, g)
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    for row, name in enumerate(("xor", "circles")):
        X, y, models = fitted[name]
        for col, key in enumerate(("linear", "rbf_kernel")):
            ax = axes[row, col]
            p = models[key].predict_proba(grid)[:, 1].reshape(gx.shape)
            ax.contourf(gx, gy, p, levels=np.linspace(0, 1, 11), cmap="coolwarm", alpha=0.6)
            ax.contour(gx, gy, p, levels=[0.5], colors="k", linewidths=1)
            ax.scatter(X[:, 0], X[:, 1], c=y, cmap="coolwarm", s=6, edgecolors="k", linewidths=0.2)
            ax.set(title=f"{name}: {'linear LR' if key == 'linear' else 'kernel LR (RBF)'}", xticks=[], yticks=[])
    r.figure("lr-nonlinear", fig, "Predicted probability of class 1; black line: the 0.5 boundary.")
    return r


ENTRY = Entry(
    id="lr-nonlinear",
    section="I",
    title={"zh": "LR 如何解决低维不可分", "en": "Logistic regression on non-separable data"},
    keywords=["logistic regression", "逻辑回归", "LR", "XOR", "异或", "线性不可分", "kernel", "核函数", "feature map",
              "特征映射", "circles"],
    claims={
        "linear-lr-fails": {"en": "Plain (linear) logistic regression cannot separate XOR or concentric circles.",
                            "zh": "普通（线性）逻辑回归无法分开异或数据或同心圆数据。"},
        "mapping-separates": {
            "en": "Mapping the data to a higher-dimensional space (feature transform or kernel) makes them linearly separable there.",
            "zh": "把数据映射到高维空间（特征变换或核函数）后，数据在该空间中线性可分。"},
        "kernel-equals-feature-map": {
            "en": "A kernel computes inner products in the mapped space without forming φ(x): kernel LR equals LR on the explicit map.",
            "zh": "核函数无需显式计算 φ(x) 就能得到映射空间中的内积：核逻辑回归与在显式映射上做 LR 等价。"},
    },
    answer={
        "en": r"""
Logistic regression models $p(y=1|x) = \sigma(w^\top x + b)$: its decision boundary
$w^\top x + b = 0$ is a line. On XOR (label = sign of $x_1 x_2$) and on two concentric circles no
line does better than chance: test accuracy {=xor_linear:.3f} and {=circles_linear:.3f}.

**Map the features.** With $\phi(x)$ the degree-2 monomials ({=map_dim} coordinates for two inputs:
$1, x_1, x_2, x_1^2, x_2^2, x_1 x_2$, suitably scaled), XOR becomes the sign of the $x_1 x_2$
coordinate and the circles become a threshold on $x_1^2 + x_2^2$: both linear in $\phi$. LR on
$\phi(x)$ scores {=xor_poly2_map:.3f} and {=circles_poly2_map:.3f}.

**Or use a kernel.** By the representer theorem the optimal $w$ is a combination
$\sum_i a_i \phi(x_i)$, so the score is $\sum_i a_i K(x_i, x) + b$ with
$K(x, z) = \phi(x)^\top \phi(z)$, here $(x^\top z + 1)^2$. Kernel LR with that kernel gives the
same model as LR on $\phi$ (largest score difference {=xor_kernel_vs_map_max_diff:.1e} on XOR,
{=circles_kernel_vs_map_max_diff:.1e} on circles) without ever forming $\phi$. The RBF kernel,
whose $\phi$ is infinite-dimensional, reaches {=xor_rbf_kernel:.3f} and {=circles_rbf_kernel:.3f}.

The price: kernel LR has one coefficient per training sample ($n \times n$ kernel matrix) and no
sparsity (unlike the SVM's support vectors); with many samples an explicit small map, random
features, or a tree/boosting model is cheaper.
""",
        "zh": r"""
逻辑回归建模 $p(y=1|x) = \sigma(w^\top x + b)$，决策边界 $w^\top x + b = 0$ 是一条直线。在异或数据（标签为
$x_1 x_2$ 的符号）和同心圆上，任何直线都不比随机猜测好：测试准确率分别为 {=xor_linear:.3f} 和 {=circles_linear:.3f}。

**映射特征。** 取 $\phi(x)$ 为二次单项式（两个输入时共 {=map_dim} 维：$1, x_1, x_2, x_1^2, x_2^2, x_1 x_2$，带适当系数），
异或变成 $x_1 x_2$ 这一坐标的符号，同心圆变成 $x_1^2 + x_2^2$ 上的阈值：在 $\phi$ 空间都是线性的。在 $\phi(x)$ 上做 LR，
准确率为 {=xor_poly2_map:.3f} 和 {=circles_poly2_map:.3f}。

**或者用核函数。** 由表示定理，最优 $w$ 是 $\sum_i a_i \phi(x_i)$ 的形式，因此得分为 $\sum_i a_i K(x_i, x) + b$，其中
$K(x, z) = \phi(x)^\top \phi(z)$，这里是 $(x^\top z + 1)^2$。用这个核的核逻辑回归与在 $\phi$ 上做 LR 得到同一个模型
（得分最大差异：异或 {=xor_kernel_vs_map_max_diff:.1e}，同心圆 {=circles_kernel_vs_map_max_diff:.1e}），却从不显式计算
$\phi$。RBF 核对应无穷维的 $\phi$，准确率达到 {=xor_rbf_kernel:.3f} 和 {=circles_rbf_kernel:.3f}。

代价：核逻辑回归每个训练样本一个系数（$n \times n$ 核矩阵），而且不像 SVM 那样只依赖支持向量；样本很多时，显式的小映射、
随机特征或树/提升模型更划算。
""",
    },
    compute=compute,
)
