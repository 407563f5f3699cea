"""Logistic regression's loss and gradient, with and without L2: the formula against autograd and
finite differences, the fitted model as a zero of that gradient, and what C means in terms of λ."""
from __future__ import annotations

import numpy as np

from ... import backend
from ...autograd import Tensor
from ...classic import LogisticRegression
from ...nn import functional as F
from ..entry import Entry
from ..result import Result


def problem(n: int = 200, seed: int = 0):
    """X (n, 3) and labels drawn from a logistic model with weights [1.5, -2, 0.5] and bias 0.3."""
    rng = backend.spawn_rng(seed)
    X = rng.normal(size=(n, 3))
    p = 1 / (1 + np.exp(-(X @ np.array([1.5, -2.0, 0.5]) + 0.3)))
    return X, (rng.random(n) < p).astype(float)


def loss_and_grad(w: np.ndarray, b: float, X: np.ndarray, y: np.ndarray, lam: float = 0.0):
    """J = (1/n) Σ [log(1 + e^{z_i}) − y_i z_i] + (λ/2)‖w‖²,  z = Xw + b;
    ∂J/∂w = Xᵀ(σ(z) − y)/n + λw,  ∂J/∂b = mean(σ(z) − y)."""
    z = X @ w + b
    residual = 1 / (1 + np.exp(-z)) - y
    loss = np.mean(np.logaddexp(0.0, z) - y * z) + 0.5 * lam * w @ w
    return loss, X.T @ residual / len(y) + lam * w, residual.mean()


def autograd_loss_and_grad(w: np.ndarray, b: float, X: np.ndarray, y: np.ndarray, lam: float = 0.0):
    """The same objective built from gradbook ops: BCE-with-logits plus the L2 term."""
    wt, bt = Tensor(w, requires_grad=True), Tensor(np.array(b), requires_grad=True)
    loss = F.binary_cross_entropy_with_logits(Tensor(X) @ wt + bt, Tensor(y)) + 0.5 * lam * (wt * wt).sum()
    loss.backward()
    return loss.item(), wt.grad.data, float(bt.grad.data)


def numerical_grad(w, b, X, y, lam, eps=1e-6):
    theta = np.append(w, b)
    g = np.zeros_like(theta)
    for i in range(len(theta)):
        e = np.zeros_like(theta)
        e[i] = eps
        g[i] = (loss_and_grad((theta + e)[:-1], (theta + e)[-1], X, y, lam)[0]
                - loss_and_grad((theta - e)[:-1], (theta - e)[-1], X, y, lam)[0]) / (2 * eps)
    return g[:-1], g[-1]


def compute(quick: bool) -> Result:
    r = Result()
    X, y = problem()
    n = len(y)
    rng = backend.spawn_rng(1)
    w, b = rng.normal(size=3), 0.2
    for lam, tag in ((0.0, "plain"), (0.1, "l2")):
        loss, gw, gb = loss_and_grad(w, b, X, y, lam)
        aloss, agw, agb = autograd_loss_and_grad(w, b, X, y, lam)
        nw, nb = numerical_grad(w, b, X, y, lam)
        r.number(f"loss_{tag}", float(loss), f"mean log-loss + {lam}/2·‖w‖² at a random w")
        r.number(f"grad_{tag}", [float(v) for v in np.append(gw, gb)], "Xᵀ(σ(z) − y)/n + λw, mean(σ(z) − y)")
        r.number(f"err_autograd_{tag}", float(max(abs(aloss - loss), np.abs(agw - gw).max(), abs(agb - gb))),
                 "F.binary_cross_entropy_with_logits(Xw + b, y) + λ/2·(w*w).sum(), backward()")
        r.number(f"err_numeric_{tag}", float(max(np.abs(nw - gw).max(), abs(nb - gb))), "central differences, ε = 1e-6")

    # the fitted model: C multiplies the summed loss, so λ for the mean loss is 1/(C·n)
    C = 0.05
    model = LogisticRegression(C=C, tol=1e-10, max_iter=500).fit(X, y)
    wf, bf = model.coef_[0], float(model.intercept_[0])
    for lam, tag in ((1 / (C * n), "c_n"), (1 / C, "c")):
        _, gw, gb = loss_and_grad(wf, bf, X, y, lam)
        r.number(f"grad_norm_at_fit_lambda_{tag}", float(np.abs(np.append(gw, gb)).max()),
                 f"max |∇J| at LogisticRegression(C={C}).fit(X, y) with λ = {'1/(C·n)' if tag == 'c_n' else '1/C'}")
    r.number("coef_fit", [float(v) for v in wf], f"LogisticRegression(C={C}).fit(X, y).coef_")
    r.number("intercept_fit", bf)
    r.number("n", n)
    r.number("C", C)
    norms = []
    for c in (0.001, 0.01, 0.1, 1.0, 100.0):
        m = LogisticRegression(C=c, tol=1e-8, max_iter=500).fit(X, y)
        norms.append([c, 1 / (c * n), float(np.linalg.norm(m.coef_)), float(m.score(X, y))])
    r.table("Regularisation path", ["C", "λ = 1/(C·n)", "‖w‖", "training accuracy"], norms)
    r.number("norm_small_c", norms[0][2])
    r.number("norm_large_c", norms[-1][2])

    r.check("gradient-formula", max(r.numbers[k] for k in ("err_autograd_plain", "err_autograd_l2")) < 1e-10
            and max(r.numbers[k] for k in ("err_numeric_plain", "err_numeric_l2")) < 1e-7)
    r.check("fit-is-stationary", r.numbers["grad_norm_at_fit_lambda_c_n"] < 1e-6)
    r.verdict("c-is-inverse-lambda",
              "depends" if r.numbers["grad_norm_at_fit_lambda_c"] > 1e-3 and r.numbers["grad_norm_at_fit_lambda_c_n"] < 1e-6
              else "confirmed")
    r.condition("C = 1/λ holds when the loss is summed over samples (scikit-learn's C·Σℓ + ½‖w‖²); "
                "for the usual mean loss λ = 1/(C·n)")
    r.check("l2-shrinks", all(a[2] < b[2] for a, b in zip(norms, norms[1:])))

    import matplotlib.pyplot as plt
    cs = np.logspace(-3, 2, 6 if quick else 30)
    coefs = np.array([LogisticRegression(C=c, tol=1e-8, max_iter=500).fit(X, y).coef_[0] for c in cs])
    fig, ax = plt.subplots(figsize=(5, 3.2))
    for j in range(3):
        ax.semilogx(cs, coefs[:, j], "o-", ms=3, label=f"w{j + 1}")
    ax.set(xlabel="C (inverse regularisation)", ylabel="coefficient", title="L2 regularisation path")
    ax.legend(fontsize=8)
    r.figure("lr_path", fig, "Coefficients shrink towards 0 as C falls (λ grows); the true weights are 1.5, -2, 0.5.")
    return r


ENTRY = Entry(
    id="lr-loss",
    section="F",
    title={"zh": "LR 的损失函数与导数（含正则）", "en": "Logistic regression: loss and gradient, with regularisation"},
    keywords=["logistic regression", "逻辑回归", "LR", "log loss", "对数损失", "交叉熵", "gradient", "导数", "L2",
              "正则", "regularization", "C", "lambda"],
    claims={
        "gradient-formula": {
            "en": "The gradient of the mean log-loss is Xᵀ(σ(Xw+b) − y)/n; an L2 penalty (λ/2)‖w‖² adds λw (the bias is not penalised).",
            "zh": "平均对数损失的梯度为 Xᵀ(σ(Xw+b) − y)/n；L2 正则 (λ/2)‖w‖² 再加上 λw（偏置不加正则）。"},
        "fit-is-stationary": {
            "en": "The fitted model is the point where this gradient vanishes.",
            "zh": "训练得到的模型正是该梯度为零的点。"},
        "c-is-inverse-lambda": {
            "en": "The C of LogisticRegression is 1/λ.",
            "zh": "LogisticRegression 的 C 就是 1/λ。"},
        "l2-shrinks": {
            "en": "A stronger L2 penalty (smaller C) shrinks the weight norm.",
            "zh": "L2 正则越强（C 越小），权重的范数越小。"},
    },
    answer={
        "en": r"""
Logistic regression models $p = \sigma(z)$, $z = w^\top x + b$. Its loss is the negative log-likelihood
of the labels, i.e. binary cross-entropy:
$$J = \frac{1}{n}\sum_i \left[\log(1+e^{z_i}) - y_i z_i\right] + \frac{\lambda}{2}\|w\|^2 .$$
Because $\sigma' = \sigma(1-\sigma)$, the derivative of each term with respect to $z_i$ collapses to
$\sigma(z_i) - y_i$, hence
$$\frac{\partial J}{\partial w} = \frac{1}{n}X^\top(\sigma(Xw+b) - y) + \lambda w, \qquad \frac{\partial J}{\partial b} = \frac{1}{n}\sum_i (\sigma(z_i)-y_i).$$
The bias is not penalised. At a random point the formula equals gradbook's autograd of
`binary_cross_entropy_with_logits` to {=err_autograd_l2:.1e} and central differences to
{=err_numeric_l2:.1e} (without the penalty: {=err_numeric_plain:.1e}). The loss is convex, so the
fitted model is exactly where the gradient vanishes.

**C versus λ.** scikit-learn (and gradbook) minimise $C\sum_i \ell_i + \frac{1}{2}\|w\|^2$: $C$ multiplies the
*summed* loss. Dividing by $Cn$ gives the mean-loss form with $\lambda = 1/(Cn)$. For `LogisticRegression(C={=C})`
on {=n} samples, the gradient at the fitted weights is {=grad_norm_at_fit_lambda_c_n:.1e} with
$\lambda = 1/(Cn)$ but {=grad_norm_at_fit_lambda_c:.3f} with $\lambda = 1/C$. Smaller $C$ means stronger
shrinkage: $\|w\|$ grows from {=norm_small_c:.3f} at $C = 0.001$ to {=norm_large_c:.3f} at $C = 100$.
""",
        "zh": r"""
逻辑回归建模 $p = \sigma(z)$，$z = w^\top x + b$。它的损失是标签的负对数似然，即二分类交叉熵：
$$J = \frac{1}{n}\sum_i \left[\log(1+e^{z_i}) - y_i z_i\right] + \frac{\lambda}{2}\|w\|^2 .$$
由于 $\sigma' = \sigma(1-\sigma)$，每一项对 $z_i$ 的导数化简为 $\sigma(z_i) - y_i$，所以
$$\frac{\partial J}{\partial w} = \frac{1}{n}X^\top(\sigma(Xw+b) - y) + \lambda w, \qquad \frac{\partial J}{\partial b} = \frac{1}{n}\sum_i (\sigma(z_i)-y_i).$$
偏置不加正则。在一个随机点上，该公式与 gradbook 对 `binary_cross_entropy_with_logits` 的自动微分相差
{=err_autograd_l2:.1e}，与中心差分相差 {=err_numeric_l2:.1e}（无正则时为 {=err_numeric_plain:.1e}）。损失是凸的，
训练得到的模型恰好是梯度为零的点。

**C 与 λ。** scikit-learn（以及 gradbook）最小化 $C\sum_i \ell_i + \frac{1}{2}\|w\|^2$：$C$ 乘的是损失的*总和*。
两边除以 $Cn$ 得到平均损失形式，$\lambda = 1/(Cn)$。对 {=n} 个样本上的 `LogisticRegression(C={=C})`，
在拟合得到的权重处，取 $\lambda = 1/(Cn)$ 时梯度为 {=grad_norm_at_fit_lambda_c_n:.1e}，取 $\lambda = 1/C$ 时为
{=grad_norm_at_fit_lambda_c:.3f}。$C$ 越小收缩越强：$\|w\|$ 从 $C = 0.001$ 时的 {=norm_small_c:.3f} 增大到 $C = 100$ 时的 {=norm_large_c:.3f}。
""",
    },
    compute=compute,
)
