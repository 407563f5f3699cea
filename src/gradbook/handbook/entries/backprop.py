"""Backpropagation by hand on a 2-layer net, equal to ``backward()`` and to finite differences."""
from __future__ import annotations

import numpy as np

from ... import backend
from ...autograd import Tensor
from ..entry import Entry
from ..result import Result


def hand_gradients(x, W1, b1, W2, b2, y):
    """Forward and backward of  h = σ(W1 x + b1),  ŷ = W2 h + b2,  L = ½‖ŷ − y‖², by the chain rule."""
    z1 = W1 @ x + b1
    h = 1 / (1 + np.exp(-z1))
    y_hat = W2 @ h + b2
    loss = 0.5 * np.sum((y_hat - y) ** 2)
    d_yhat = y_hat - y                      # ∂L/∂ŷ
    dW2 = np.outer(d_yhat, h)               # ∂L/∂W2 = δ2 hᵀ
    db2 = d_yhat
    d_h = W2.T @ d_yhat                     # back through W2
    d_z1 = d_h * h * (1 - h)                # σ'(z) = σ(z)(1 − σ(z))
    dW1 = np.outer(d_z1, x)
    db1 = d_z1
    return loss, {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}, {"z1": z1, "h": h, "y_hat": y_hat}


def autograd_gradients(x, params, y):
    ts = {k: Tensor(v, requires_grad=True) for k, v in params.items()}
    h = (ts["W1"] @ Tensor(x) + ts["b1"]).sigmoid()
    y_hat = ts["W2"] @ h + ts["b2"]
    loss = 0.5 * ((y_hat - Tensor(y)) ** 2).sum()
    loss.backward()
    return {k: t.grad.data for k, t in ts.items()}


def numeric_gradients(x, params, y, eps=1e-6):
    grads = {}
    for k, v in params.items():
        g = np.zeros_like(v)
        for i in np.ndindex(v.shape):
            for sign in (1, -1):
                p = {n: a.copy() for n, a in params.items()}
                p[k][i] += sign * eps
                g[i] += sign * hand_gradients(x, p["W1"], p["b1"], p["W2"], p["b2"], y)[0] / (2 * eps)
        grads[k] = g
    return grads


def problem():
    """The worked example: input, target and small weights rounded to two decimals."""
    rng = backend.spawn_rng(3)
    x, y = np.array([0.5, -1.0, 2.0]), np.array([1.0, 0.0])
    params = {"W1": np.round(rng.normal(0, 0.5, (4, 3)), 2), "b1": np.round(rng.normal(0, 0.1, 4), 2),
              "W2": np.round(rng.normal(0, 0.5, (2, 4)), 2), "b2": np.round(rng.normal(0, 0.1, 2), 2)}
    return x, y, params


def compute(quick: bool) -> Result:
    r = Result()
    x, y, params = problem()
    loss, hand, steps = hand_gradients(x, params["W1"], params["b1"], params["W2"], params["b2"], y)
    auto = autograd_gradients(x, params, y)
    numeric = numeric_gradients(x, params, y)
    err_auto = max(float(np.abs(hand[k] - auto[k]).max()) for k in hand)
    err_num = max(float(np.abs(hand[k] - numeric[k]).max()) for k in hand)
    r.number("loss", float(loss), "0.5 * ((W2 @ sigmoid(W1 @ x + b1) + b2 - y) ** 2).sum()")
    r.number("y_hat", [round(float(v), 6) for v in steps["y_hat"]])
    r.number("dL_db2", [round(float(v), 6) for v in hand["b2"]])
    r.number("dL_db1", [round(float(v), 6) for v in hand["b1"]])
    r.number("max_err_vs_autograd", err_auto, "max |hand - Tensor.backward()|")
    r.number("max_err_vs_finite_diff", err_num, "max |hand - central differences|")
    r.table("Step by step (hand chain rule)", ["quantity", "value"],
            [["z1 = W1 x + b1", np.round(steps["z1"], 4).tolist()], ["h = sigmoid(z1)", np.round(steps["h"], 4).tolist()],
             ["y_hat = W2 h + b2", np.round(steps["y_hat"], 4).tolist()], ["delta2 = y_hat - y", np.round(hand["b2"], 4).tolist()],
             ["delta1 = W2^T delta2 * h(1-h)", np.round(hand["b1"], 4).tolist()]])
    r.check("hand-equals-autograd", err_auto < 1e-12)
    r.check("hand-equals-finite-differences", err_num < 1e-7)
    return r


ENTRY = Entry(
    id="backprop",
    section="E",
    title={"zh": "手推 BP", "en": "Backpropagation by hand"},
    keywords=["bp", "反向传播", "chain rule", "链式法则", "gradient", "梯度"],
    claims={
        "hand-equals-autograd": {"en": "The chain rule worked by hand gives exactly the gradients of `Tensor.backward()`.",
                                 "zh": "手工按链式法则推出的梯度与 `Tensor.backward()` 完全一致。"},
        "hand-equals-finite-differences": {"en": "Both agree with central finite differences.",
                                           "zh": "二者都与中心差分的数值梯度一致。"},
    },
    answer={
        "en": r"""
Backpropagation is the chain rule applied from the loss backwards, reusing each layer's
intermediate results. For the net $h = \sigma(W_1 x + b_1)$, $\hat y = W_2 h + b_2$,
$L = \frac{1}{2}\|\hat y - y\|^2$:

1. Output error: $\delta_2 = \partial L/\partial \hat y = \hat y - y$.
2. Output layer: $\partial L/\partial W_2 = \delta_2 h^\top$, $\partial L/\partial b_2 = \delta_2$.
3. Back through $W_2$ and the sigmoid: $\delta_1 = (W_2^\top \delta_2) \odot h \odot (1-h)$.
4. First layer: $\partial L/\partial W_1 = \delta_1 x^\top$, $\partial L/\partial b_1 = \delta_1$.

With $x = (0.5, -1, 2)$, $y = (1, 0)$ and small random weights, the loss is {=loss:.6f},
$\hat y =$ {=y_hat} and $\delta_2 =$ {=dL_db2}, $\delta_1 =$ {=dL_db1}. The hand result differs
from gradbook's `backward()` by at most {=max_err_vs_autograd:.1e} and from finite differences
by {=max_err_vs_finite_diff:.1e}.

Each step costs about as much as the forward step it mirrors, which is why a full gradient
costs only a small constant times one forward pass.
""",
        "zh": r"""
反向传播就是从损失出发、反向逐层应用链式法则，并复用前向计算保存的中间结果。对网络
$h = \sigma(W_1 x + b_1)$，$\hat y = W_2 h + b_2$，$L = \frac{1}{2}\|\hat y - y\|^2$：

1. 输出误差：$\delta_2 = \partial L/\partial \hat y = \hat y - y$。
2. 输出层：$\partial L/\partial W_2 = \delta_2 h^\top$，$\partial L/\partial b_2 = \delta_2$。
3. 经过 $W_2$ 与 sigmoid 反传：$\delta_1 = (W_2^\top \delta_2) \odot h \odot (1-h)$。
4. 第一层：$\partial L/\partial W_1 = \delta_1 x^\top$，$\partial L/\partial b_1 = \delta_1$。

取 $x = (0.5, -1, 2)$、$y = (1, 0)$ 及较小的随机权重，损失为 {=loss:.6f}，$\hat y =$ {=y_hat}，
$\delta_2 =$ {=dL_db2}，$\delta_1 =$ {=dL_db1}。手推结果与 gradbook 的 `backward()` 最大相差
{=max_err_vs_autograd:.1e}，与有限差分最大相差 {=max_err_vs_finite_diff:.1e}。

每一步反传的计算量与对应的前向步骤相当，所以完整梯度只需约常数倍于一次前向传播的代价。
""",
    },
    compute=compute,
)
