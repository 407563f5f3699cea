"""Deep nets as stacked GLMs: a one-layer sigmoid net trained by gradient descent is logistic regression."""
from __future__ import annotations

import numpy as np

from ... import backend
from ...classic import LinearRegression, LogisticRegression
from ..entry import Entry
from ..result import Result

TRUE_W = np.array([1.5, -2.0, 0.5])
TRUE_B = -0.3


def data(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Features N(0, I); a binary label from the logistic model and a real target from the linear one."""
    rng = backend.spawn_rng(seed)
    X = rng.normal(size=(n, TRUE_W.size))
    z = X @ TRUE_W + TRUE_B
    y_bin = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(np.float64)
    y_real = z + 0.5 * rng.normal(size=n)
    return X, y_bin, y_real


def train_one_layer(X: np.ndarray, y: np.ndarray, output: str, max_steps: int, tol: float = 1e-10) -> tuple:
    """nn.Linear(d, 1) (+ nn.Sigmoid and nn.BCELoss, or nn.MSELoss), full-batch gradient descent with
    gradbook.optim.SGD at step 1/L (L bounds the loss curvature); stops when ‖∇‖ < tol.
    Returns (weight (d,), bias, steps)."""
    import gradbook as gb
    from gradbook import nn
    from gradbook.optim import SGD

    n, d = X.shape
    X1 = np.hstack([X, np.ones((n, 1))])
    curvature = 0.25 if output == "sigmoid" else 2.0  # σ' ≤ 1/4 for cross-entropy; MSE's Hessian is 2XᵀX/n
    lr = 1.0 / (curvature * np.linalg.eigvalsh(X1.T @ X1 / n)[-1])
    gb.manual_seed(0)
    layer = nn.Linear(d, 1, dtype=np.float64)
    model = nn.Sequential(layer, nn.Sigmoid()) if output == "sigmoid" else layer
    loss_fn = nn.BCELoss() if output == "sigmoid" else nn.MSELoss()
    opt = SGD(model.parameters(), lr=lr)
    Xt, yt = gb.Tensor(X), gb.Tensor(y[:, None])
    for step in range(1, max_steps + 1):
        opt.zero_grad()
        loss_fn(model(Xt), yt).backward()
        grad = np.concatenate([layer.weight.grad.data.ravel(), layer.bias.grad.data.ravel()])
        if np.linalg.norm(grad) < tol:
            break
        opt.step()
    return layer.weight.data.ravel().copy(), float(layer.bias.data[0]), step


def compute(quick: bool) -> Result:
    r = Result()
    n = 300 if quick else 3000
    X, y_bin, y_real = data(n)
    r.number("n_samples", n)
    steps = 3000 if quick else 20000
    w_net, b_net, s_net = train_one_layer(X, y_bin, "sigmoid", steps, tol=1e-8)
    lr = LogisticRegression(penalty=None, tol=1e-10, max_iter=1000).fit(X, y_bin)
    r.number("net_steps", s_net, "train_one_layer(X, y, 'sigmoid'): Linear + Sigmoid + BCELoss, SGD")
    r.number("logistic_coef_max_diff", float(np.abs(w_net - lr.coef_[0]).max()),
             "max |net weight − LogisticRegression(penalty=None).coef_|")
    r.number("logistic_intercept_diff", abs(b_net - float(lr.intercept_[0])))
    p_net = 1 / (1 + np.exp(-(X @ w_net + b_net)))
    r.number("logistic_proba_max_diff", float(np.abs(p_net - lr.predict_proba(X)[:, 1]).max()))
    r.table("Logistic regression vs. a one-layer sigmoid net", ["parameter", "true", "LogisticRegression", "sigmoid net"],
            [*[[f"w{j}", TRUE_W[j], lr.coef_[0][j], w_net[j]] for j in range(TRUE_W.size)],
             ["b", TRUE_B, float(lr.intercept_[0]), b_net]])
    for j in range(TRUE_W.size):
        r.number(f"net_w{j}", float(w_net[j]))
    r.number("net_b", b_net)

    w_lin, b_lin, s_lin = train_one_layer(X, y_real, "identity", steps)
    ols = LinearRegression().fit(X, y_real)
    r.number("linear_steps", s_lin)
    r.number("linear_coef_max_diff", float(np.abs(w_lin - ols.coef_).max()), "max |net weight − LinearRegression().coef_|")
    r.number("linear_intercept_diff", abs(b_lin - float(ols.intercept_)))

    r.check("sigmoid-net-is-logistic-regression", r.numbers["logistic_coef_max_diff"] < 1e-5
            and r.numbers["logistic_intercept_diff"] < 1e-5)
    r.check("linear-net-is-least-squares", r.numbers["linear_coef_max_diff"] < 1e-6 and r.numbers["linear_intercept_diff"] < 1e-6)
    r.condition("Same loss and no penalty on either side: the log-likelihood of a GLM with canonical link is convex, so "
                "any optimiser that converges reaches the same weights.")
    return r


ENTRY = Entry(
    id="glm",
    section="E",
    title={"zh": "广义线性模型与深度学习", "en": "Deep nets as stacked GLMs"},
    keywords=["glm", "广义线性模型", "generalized linear model", "link function", "连接函数", "logistic regression",
              "逻辑回归", "sigmoid", "deep learning", "深度学习"],
    claims={
        "sigmoid-net-is-logistic-regression": {
            "en": "A one-layer network with a sigmoid output trained on cross-entropy is logistic regression: same weights after training.",
            "zh": "输出为 sigmoid、用交叉熵训练的单层网络就是逻辑回归：训练后权重相同。"},
        "linear-net-is-least-squares": {
            "en": "With an identity output and squared error, the same layer is linear regression.",
            "zh": "输出为恒等函数、用平方误差训练时，同样的层就是线性回归。"},
    },
    answer={
        "en": r"""
A **generalised linear model** has three parts: a linear predictor $\eta = w^\top x + b$, a link
$g$ with $\mathrm{E}[y|x] = g^{-1}(\eta)$, and a response distribution from the exponential family,
fitted by maximum likelihood. Bernoulli with the logit link gives logistic regression,
$p = \sigma(\eta)$, and the negative log-likelihood is the binary cross-entropy; Gaussian with the
identity link gives least squares.

A network layer computes exactly $\eta = Wx + b$ followed by an activation, so **the last layer of
a classifier is a GLM** whose inputs are learned features; the output activation plays the role
of $g^{-1}$, the loss the role of the likelihood. Viewed this way a deep net stacks GLM-like
units, though the hidden ones have no response distribution of their own and are not fitted as
GLMs: the analogy names the parts, it is not an equivalence.

**Checked.** A gradbook `nn.Linear` + `nn.Sigmoid` trained with `nn.BCELoss` and plain gradient
descent ({=net_steps} steps on {=n_samples} samples) against `LogisticRegression(penalty=None)`
(Newton / L-BFGS on the same likelihood): largest weight difference
{=logistic_coef_max_diff:.1e}, intercept {=logistic_intercept_diff:.1e}, probabilities
{=logistic_proba_max_diff:.1e}. The log-likelihood is convex for the canonical link, so
different optimisers meet at the same point. With an identity output and `nn.MSELoss`, the same
layer reproduces `LinearRegression` to {=linear_coef_max_diff:.1e}.
""",
        "zh": r"""
**广义线性模型**有三个组成部分：线性预测 $\eta = w^\top x + b$；连接函数 $g$，满足 $\mathrm{E}[y|x] = g^{-1}(\eta)$；
以及指数族中的响应分布，用极大似然拟合。伯努利分布配 logit 连接就是逻辑回归 $p = \sigma(\eta)$，其负对数似然正是
二元交叉熵；高斯分布配恒等连接就是最小二乘。

神经网络的一层计算的正是 $\eta = Wx + b$ 再接激活函数，所以**分类网络的最后一层就是一个 GLM**，只不过输入是学到的特征；
输出激活扮演 $g^{-1}$ 的角色，损失函数扮演似然的角色。从这个角度看，深度网络是堆叠起来的类 GLM 单元；但隐藏层没有自己的
响应分布，也不是按 GLM 拟合的：这个类比帮助命名各部分，并不是严格的等价。

**验证。** 用 gradbook 的 `nn.Linear` + `nn.Sigmoid`，以 `nn.BCELoss` 和普通梯度下降训练（{=n_samples} 个样本，
{=net_steps} 步），与 `LogisticRegression(penalty=None)`（在同一似然上用牛顿法 / L-BFGS）比较：权重最大差
{=logistic_coef_max_diff:.1e}，截距差 {=logistic_intercept_diff:.1e}，概率最大差 {=logistic_proba_max_diff:.1e}。
对典范连接函数，对数似然是凸的，因此不同的优化器会到达同一点。输出改为恒等、损失改为 `nn.MSELoss`，同样的层复现
`LinearRegression`，差异为 {=linear_coef_max_diff:.1e}。
""",
    },
    compute=compute,
)
