"""Batch normalisation in four steps: the fused op equals the same computation composed from
primitives (forward and every gradient), γ = √(σ²+ε), β = μ gives the input back, and the
output is standardised but not made Gaussian."""
from __future__ import annotations

import numpy as np

from ... import backend, nn
from ...autograd import Tensor
from ...nn import functional as F
from ..entry import Entry
from ..result import Result

EPS = 1e-5


def problem(seed: int = 0):
    """A skewed (exponential) batch x of shape (N, C, H, W) with per-channel offsets and scales,
    γ, β, and a random upstream gradient g, all float64."""
    rng = backend.spawn_rng(seed)
    n, c, h, w = 8, 3, 4, 4
    x = rng.exponential(1.0, (n, c, h, w)) * np.array([0.5, 2.0, 5.0]).reshape(1, c, 1, 1) \
        + np.array([-3.0, 0.0, 10.0]).reshape(1, c, 1, 1)
    gamma, beta = rng.normal(1.0, 0.3, c), rng.normal(0.0, 0.5, c)
    g = rng.normal(size=x.shape)
    return x, gamma, beta, g


def composed(x: Tensor, gamma: Tensor, beta: Tensor, eps: float = EPS):
    """The four steps written with autograd primitives; returns (y, x̂, μ, σ²)."""
    axes = (0, 2, 3)
    shape = (1, -1, 1, 1)
    mu = x.mean(dim=axes, keepdim=True)                       # step 1: batch mean per channel
    var = ((x - mu) ** 2).mean(dim=axes, keepdim=True)        # step 2: biased batch variance
    xhat = (x - mu) / (var + eps).sqrt()                      # step 3: normalise
    y = gamma.reshape(shape) * xhat + beta.reshape(shape)     # step 4: scale and shift
    return y, xhat, mu, var


def _grads(y: Tensor, g: np.ndarray, *ts: Tensor):
    (y * Tensor(g)).sum().backward()
    return [t.grad.data.copy() for t in ts]


def _skew(a: np.ndarray) -> float:
    z = (a - a.mean()) / a.std()
    return float((z ** 3).mean())


def compute(quick: bool) -> Result:
    r = Result()
    x0, gamma0, beta0, g = problem()

    x, gamma, beta = (Tensor(a, requires_grad=True) for a in (x0, gamma0, beta0))
    y_fused = F.batch_norm(x, None, None, gamma, beta, training=True, eps=EPS)
    dx_f, dg_f, db_f = _grads(y_fused, g, x, gamma, beta)

    xc, gc, bc = (Tensor(a, requires_grad=True) for a in (x0, gamma0, beta0))
    y_comp, xhat, mu, var = composed(xc, gc, bc)
    dx_c, dg_c, db_c = _grads(y_comp, g, xc, gc, bc)

    r.number("err_forward", float(np.abs(y_fused.data - y_comp.data).max()),
             "F.batch_norm(x, None, None, w, b, training=True) vs the four steps composed")
    r.number("err_dx", float(np.abs(dx_f - dx_c).max()), "x.grad, fused vs composed")
    r.number("err_dgamma", float(np.abs(dg_f - dg_c).max()), "weight.grad, fused vs composed")
    r.number("err_dbeta", float(np.abs(db_f - db_c).max()), "bias.grad, fused vs composed")
    layer = nn.BatchNorm2d(x0.shape[1], eps=EPS, dtype=np.float64)
    layer.weight.data[...] = gamma0
    layer.bias.data[...] = beta0
    xl = Tensor(x0, requires_grad=True)
    dx_l, = _grads(layer(xl), g, xl)
    r.number("err_layer", float(max(np.abs(layer(Tensor(x0)).data - y_fused.data).max(), np.abs(dx_l - dx_f).max())),
             "nn.BatchNorm2d(3) with weight γ, bias β (train mode) vs F.batch_norm: output and x.grad")
    r.number("dx_fused_first", [round(float(v), 6) for v in dx_f[0, :, 0, 0]], "x.grad[0, :, 0, 0]")
    r.number("dgamma", [float(v) for v in dg_f], "weight.grad")
    r.number("dbeta", [float(v) for v in db_f], "bias.grad")
    # a common shift of a channel leaves the output unchanged, so the gradient has no such component
    r.number("max_sum_dx", float(np.abs(dx_f.sum(axis=(0, 2, 3))).max()), "Σ x.grad per channel")

    axes = (0, 2, 3)
    steps = []
    for c in range(x0.shape[1]):
        steps.append([c, float(mu.data[0, c, 0, 0]), float(var.data[0, c, 0, 0]),
                      float(xhat.data[:, c].mean()), float(xhat.data[:, c].var()),
                      float(y_fused.data[:, c].mean()), float(y_fused.data[:, c].std()),
                      float(gamma0[c]), float(beta0[c])])
    r.table("The four steps, per channel", ["channel", "1: mean μ", "2: variance σ²", "3: mean of x̂",
                                            "3: var of x̂", "4: mean of y", "4: std of y", "γ", "β"], steps)
    r.number("xhat_max_abs_mean", float(np.abs(xhat.data.mean(axis=axes)).max()), "x̂.mean over (N, H, W)")
    r.number("xhat_var_c0", float(xhat.data[:, 0].var()), "x̂[:, 0].var()")
    r.number("var_c0", float(var.data[0, 0, 0, 0]))

    # identity: γ = √(σ² + ε), β = μ undo the normalisation
    sd_eps = np.sqrt(var.data.reshape(-1) + EPS)
    y_id = F.batch_norm(Tensor(x0), None, None, Tensor(sd_eps), Tensor(mu.data.reshape(-1)), training=True, eps=EPS)
    r.number("identity_err", float(np.abs(y_id.data - x0).max()),
             "F.batch_norm(x, ..., weight=sqrt(var+eps), bias=mean, training=True) − x")
    y_sigma = F.batch_norm(Tensor(x0), None, None, Tensor(np.sqrt(var.data.reshape(-1))),
                           Tensor(mu.data.reshape(-1)), training=True, eps=EPS)
    r.number("identity_err_gamma_sigma", float(np.abs(y_sigma.data - x0).max()),
             "same with weight = σ (ε ignored)")

    skew_in = _skew(x0[:, 2])
    skew_out = _skew(y_fused.data[:, 2])
    r.number("skew_in", skew_in, "skewness of channel 2 of x")
    r.number("skew_out", skew_out, "skewness of channel 2 of the BN output")

    r.check("fused-equals-composed",
            max(r.numbers[k] for k in ("err_forward", "err_dx", "err_dgamma", "err_dbeta", "err_layer")) < 1e-10)
    r.check("identity-recoverable", r.numbers["identity_err"] < 1e-10)
    r.check("output-is-standard-normal", abs(skew_out) < 0.5 * abs(skew_in))

    import matplotlib.pyplot as plt
    fig, axs = plt.subplots(1, 4, figsize=(11, 2.6), sharey=True)
    c = 2
    stages = [("input x", x0[:, c]), ("step 1-2: x - mean", x0[:, c] - mu.data[0, c]),
              ("step 3: normalised", xhat.data[:, c]), ("step 4: gamma x + beta", y_fused.data[:, c])]
    for ax, (name, a) in zip(axs, stages):
        ax.hist(a.ravel(), bins=20, color="C0")
        ax.set_title(name, fontsize=9)
    axs[0].set_ylabel("count")
    r.figure("bn_steps", fig, "One channel through the four steps: shifted and rescaled, but the skewed shape stays.")
    return r


ENTRY = Entry(
    id="batchnorm",
    section="D",
    title={"zh": "BN 的原理、四个步骤与可学习参数", "en": "Batch normalisation: the four steps, γ and β"},
    keywords=["batch norm", "batchnorm", "BN", "批归一化", "批标准化", "gamma", "beta", "γ", "β", "归一化"],
    claims={
        "fused-equals-composed": {
            "en": "The fused batch-norm op (one hand-derived backward) gives the same output and the same gradients for x, γ and β as the four steps composed from primitives.",
            "zh": "融合实现的 BN（手推的反向传播）与用基本运算逐步组合的四个步骤，输出以及对 x、γ、β 的梯度完全一致。"},
        "identity-recoverable": {
            "en": "With γ = √(σ²+ε) and β = μ, batch norm returns its input: the learnable pair can undo the normalisation.",
            "zh": "取 γ = √(σ²+ε)、β = μ 时，BN 的输出等于输入：可学习参数能够撤销归一化。"},
        "output-is-standard-normal": {
            "en": "BN makes each layer's input follow a standard normal distribution N(0, 1) (as the notes say).",
            "zh": "BN 使每一层的输入服从标准正态分布 N(0, 1)（笔记中的说法）。"},
    },
    answer={
        "en": r"""
Batch normalisation standardises every channel over the mini-batch (and, for images, over all
positions), then lets the network choose the scale and offset back:

1. mean $\mu = \frac{1}{m}\sum_i x_i$;
2. variance $\sigma^2 = \frac{1}{m}\sum_i (x_i-\mu)^2$ (biased);
3. normalise $\hat{x}_i = (x_i-\mu)/\sqrt{\sigma^2+\epsilon}$;
4. scale and shift $y_i = \gamma \hat{x}_i + \beta$.

$\gamma$ and $\beta$ are the only learnable parameters (one pair per channel). Without them every
layer would be forced to zero mean and unit variance; with $\gamma=\sqrt{\sigma^2+\epsilon}$,
$\beta=\mu$ the layer is the identity — here the input comes back to {=identity_err:.1e}
(with $\gamma=\sigma$, ignoring $\epsilon$, only to {=identity_err_gamma_sigma:.1e}).

The backward pass, derived by hand, is
$$\frac{\partial L}{\partial x_i} = \frac{\gamma}{m\sqrt{\sigma^2+\epsilon}}\left(m g_i - \sum_j g_j - \hat{x}_i \sum_j g_j \hat{x}_j\right),$$
$\partial L/\partial\gamma = \sum_i g_i \hat{x}_i$, $\partial L/\partial\beta = \sum_i g_i$. gradbook's fused op
agrees with the same four steps run through autograd to {=err_dx:.1e} (input gradient) and
{=err_forward:.1e} (output); the layer `nn.BatchNorm2d` gives the same to {=err_layer:.1e}. The input gradient sums to zero per channel ({=max_sum_dx:.1e}):
shifting a whole channel cannot change the loss.

**Not a Gaussian.** BN fixes the first two moments only. A skewed channel keeps its shape:
skewness {=skew_in:.3f} before, {=skew_out:.3f} after. "BN makes inputs N(0, 1)" is wrong.
""",
        "zh": r"""
BN 在小批量上（图像还包括所有空间位置）对每个通道做标准化，再让网络自己把尺度和偏移学回来：

1. 均值 $\mu = \frac{1}{m}\sum_i x_i$；
2. 方差 $\sigma^2 = \frac{1}{m}\sum_i (x_i-\mu)^2$（有偏）；
3. 归一化 $\hat{x}_i = (x_i-\mu)/\sqrt{\sigma^2+\epsilon}$；
4. 缩放平移 $y_i = \gamma \hat{x}_i + \beta$。

每个通道只有 $\gamma$、$\beta$ 两个可学习参数。没有它们，每层都被强制为零均值单位方差，表达能力下降；
取 $\gamma=\sqrt{\sigma^2+\epsilon}$、$\beta=\mu$ 时该层就是恒等映射——这里输入被还原到 {=identity_err:.1e} 的误差
（若取 $\gamma=\sigma$ 而忽略 $\epsilon$，误差为 {=identity_err_gamma_sigma:.1e}）。

手推的反向传播为
$$\frac{\partial L}{\partial x_i} = \frac{\gamma}{m\sqrt{\sigma^2+\epsilon}}\left(m g_i - \sum_j g_j - \hat{x}_i \sum_j g_j \hat{x}_j\right),$$
$\partial L/\partial\gamma = \sum_i g_i \hat{x}_i$，$\partial L/\partial\beta = \sum_i g_i$。gradbook 的融合实现与用自动微分逐步计算的四个步骤相比，
输入梯度相差 {=err_dx:.1e}，输出相差 {=err_forward:.1e}；`nn.BatchNorm2d` 层与之相差 {=err_layer:.1e}。每个通道的输入梯度之和为零（{=max_sum_dx:.1e}）：
对通道整体平移不会改变损失。

**并不是正态分布。** BN 只固定了一阶和二阶矩，偏斜的通道形状不变：偏度变换前为 {=skew_in:.3f}，变换后为
{=skew_out:.3f}。"BN 使输入服从 N(0, 1)" 的说法是错误的。
""",
    },
    compute=compute,
)
