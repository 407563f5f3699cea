"""Kernel functions: K(x, y) = φ(x)·φ(y), shown for the degree-2 polynomial kernel."""
from __future__ import annotations

import time

import numpy as np

from ... import backend
from ...classic.kernels import linear_kernel, poly2_feature_map, polynomial_kernel, rbf_kernel
from ..entry import Entry
from ..result import Result


def compute(quick: bool) -> Result:
    r = Result()
    rng = backend.spawn_rng(11)
    d = 10 if quick else 50
    X, Y = rng.normal(size=(200, d)), rng.normal(size=(150, d))
    gamma, coef0 = 0.5, 1.0
    K = polynomial_kernel(X, Y, degree=2, gamma=gamma, coef0=coef0)
    PX, PY = poly2_feature_map(X, gamma, coef0), poly2_feature_map(Y, gamma, coef0)
    r.number("input_dim", d)
    r.number("feature_dim", PX.shape[1], "poly2_feature_map(X).shape[1]")
    r.number("max_gap_kernel_vs_features", float(np.abs(K - PX @ PY.T).max()),
             "max |polynomial_kernel(X, Y, degree=2) - φ(X) φ(Y)ᵀ|")
    start = time.perf_counter()
    for _ in range(5):
        polynomial_kernel(X, Y, degree=2, gamma=gamma, coef0=coef0)
    t_kernel = (time.perf_counter() - start) / 5
    start = time.perf_counter()
    for _ in range(5):
        poly2_feature_map(X, gamma, coef0) @ poly2_feature_map(Y, gamma, coef0).T
    t_map = (time.perf_counter() - start) / 5
    r.number("seconds_kernel", t_kernel)
    r.number("seconds_feature_map", t_map)

    x, y = np.array([[1.0, 2.0]]), np.array([[3.0, -1.0]])
    r.number("example_kernel", float(polynomial_kernel(x, y, degree=2, gamma=1.0, coef0=1.0)[0, 0]),
             "polynomial_kernel([[1, 2]], [[3, -1]], degree=2, gamma=1, coef0=1)")
    r.number("example_phi_x", [round(float(v), 4) for v in poly2_feature_map(x, 1.0, 1.0)[0]])
    r.number("example_phi_dot", float((poly2_feature_map(x, 1.0, 1.0) @ poly2_feature_map(y, 1.0, 1.0).T)[0, 0]))

    G = rbf_kernel(X[:60], gamma=0.1)
    r.number("rbf_gram_min_eigenvalue", float(np.linalg.eigvalsh(G).min()), "eigvalsh(rbf_kernel(X))")
    L = linear_kernel(X[:60])
    r.number("linear_gram_rank", int(np.linalg.matrix_rank(L)), "matrix_rank(linear_kernel(X))")
    r.check("kernel-is-inner-product", r.numbers["max_gap_kernel_vs_features"] < 1e-9)
    r.check("kernel-is-not-a-mapping", PX.shape[1] > d and K.shape == (200, 150))
    r.check("gram-is-psd", r.numbers["rbf_gram_min_eigenvalue"] > -1e-10)
    return r


ENTRY = Entry(
    id="kernels",
    section="I",
    title={"zh": "核函数", "en": "Kernel functions"},
    keywords=["kernel", "核函数", "核技巧", "kernel trick", "rbf", "polynomial", "多项式核", "高斯核", "feature map"],
    claims={
        "kernel-is-inner-product": {"en": "A kernel equals an inner product of mapped features: $K(x,y) = \\phi(x) \\cdot \\phi(y)$.",
                                    "zh": "核函数等于映射后特征的内积：$K(x,y) = \\phi(x) \\cdot \\phi(y)$。"},
        "kernel-is-not-a-mapping": {
            "en": "The kernel is not the mapping itself: it returns the inner product without ever forming $\\phi(x)$.",
            "zh": "核函数不是映射本身：它直接给出内积，而无需构造 $\\phi(x)$。"},
        "gram-is-psd": {"en": "A valid kernel's Gram matrix is positive semi-definite (Mercer's condition).",
                        "zh": "合法核函数的 Gram 矩阵是半正定的（Mercer 条件）。"},
    },
    answer={
        "en": r"""
Many algorithms (SVMs, kernel logistic regression, kernel PCA) touch the data only through inner
products $x_i \cdot x_j$. Replacing them by $K(x_i, x_j) = \phi(x_i) \cdot \phi(x_j)$ runs the
same algorithm in the feature space of $\phi$, where data that is not linearly separable may
become separable, without ever computing $\phi$. The kernel is therefore not a mapping but a
shortcut to the inner product after one.

**Degree-2 polynomial kernel.** $K(x,y) = (\gamma\, x \cdot y + c_0)^2$ expands to the inner
product of $\phi(x) = [c_0, \sqrt{2 c_0 \gamma}\, x_i, \gamma x_i^2, \sqrt{2}\gamma x_i x_j]$:
for $d =$ {=input_dim} inputs that is {=feature_dim} features. gradbook's
`polynomial_kernel` and `poly2_feature_map` agree to {=max_gap_kernel_vs_features:.1e}. For
$x=(1,2)$, $y=(3,-1)$, $\gamma = c_0 = 1$: $K = (1 + 1)^2 =$ {=example_kernel} and
$\phi(x) \cdot \phi(y) =$ {=example_phi_dot:.4f}.

The kernel costs $O(d)$ per pair, the explicit map $O(d^2)$; for the RBF kernel
$K(x,y) = e^{-\gamma \|x - y\|^2}$ the feature space is infinite-dimensional and only the kernel
is computable. A valid kernel gives a positive semi-definite Gram matrix: the smallest
eigenvalue of an RBF Gram matrix here is {=rbf_gram_min_eigenvalue:.2e}.
""",
        "zh": r"""
很多算法（SVM、核逻辑回归、核 PCA）只通过内积 $x_i \cdot x_j$ 使用数据。把内积换成
$K(x_i, x_j) = \phi(x_i) \cdot \phi(x_j)$，就等于在 $\phi$ 的特征空间里运行同一个算法——原空间中线性不可分的数据在那里可能变得可分，
而我们从不需要计算 $\phi$。因此核函数不是映射，而是"映射后再求内积"的捷径。

**二次多项式核。** $K(x,y) = (\gamma\, x \cdot y + c_0)^2$ 展开后正是
$\phi(x) = [c_0, \sqrt{2 c_0 \gamma}\, x_i, \gamma x_i^2, \sqrt{2}\gamma x_i x_j]$ 的内积：输入为 $d =$ {=input_dim} 维时，
特征有 {=feature_dim} 维。gradbook 的 `polynomial_kernel` 与 `poly2_feature_map` 的结果相差不超过
{=max_gap_kernel_vs_features:.1e}。取 $x=(1,2)$、$y=(3,-1)$、$\gamma = c_0 = 1$：$K = (1 + 1)^2 =$ {=example_kernel}，
$\phi(x) \cdot \phi(y) =$ {=example_phi_dot:.4f}。

核函数每对样本的代价是 $O(d)$，显式映射是 $O(d^2)$；对 RBF 核 $K(x,y) = e^{-\gamma \|x - y\|^2}$，特征空间是无穷维的，只能用核函数计算。
合法的核函数给出半正定的 Gram 矩阵：这里 RBF Gram 矩阵的最小特征值为 {=rbf_gram_min_eigenvalue:.2e}。
""",
    },
    compute=compute,
)
