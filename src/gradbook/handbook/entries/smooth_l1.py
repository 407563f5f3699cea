"""Smooth L1 for box regression: a gradient bounded by 1 for large errors and shrinking near 0,
measured by autograd, and a line fit with outliers under L2, L1 and Smooth L1."""
from __future__ import annotations

import numpy as np

from ... import backend
from ...autograd import Tensor
from ...nn import functional as F
from ..entry import Entry
from ..result import Result

ERRORS = [0.01, 0.1, 0.5, 1.0, 2.0, 10.0, 100.0]
LOSSES = {"L2 (mse_loss)": F.mse_loss, "L1 (l1_loss)": F.l1_loss, "Smooth L1 (beta 1)": F.smooth_l1_loss}
TRUE_SLOPE, TRUE_INTERCEPT = 2.0, 1.0


def grad_of_error(loss, errors) -> np.ndarray:
    """dL/d(prediction) at each error e = prediction − target (one element per loss call)."""
    pred = Tensor(np.asarray(errors, dtype=float), requires_grad=True)
    loss(pred, Tensor(np.zeros(len(errors))), reduction="sum").backward()
    return pred.grad.data


def outlier_line(n: int = 100, share: float = 0.1, seed: int = 0):
    """y = 2x + 1 + N(0, 0.1²) on x ∈ [0, 1], with a share of the targets pushed up by 20–40."""
    rng = backend.spawn_rng(seed)
    x = rng.random(n)
    y = TRUE_SLOPE * x + TRUE_INTERCEPT + rng.normal(0, 0.1, n)
    out = rng.random(n) < share
    y[out] += rng.uniform(20, 40, out.sum())
    return x, y, out


def fit_line(loss, x, y, steps: int, lr: float = 0.3):
    """Fit y ≈ a·x + b by minimising ``loss`` with Adam from (0, 0); returns a, b and the largest
    gradient norm seen at the start."""
    from ... import optim  # imported here so that the registry never depends on it

    a = Tensor(np.zeros(1), requires_grad=True)
    b = Tensor(np.zeros(1), requires_grad=True)
    opt = optim.Adam([a, b], lr=lr)
    X, Y = Tensor(x), Tensor(y)
    first = None
    for step in range(steps):
        value = loss(a * X + b, Y)
        opt.zero_grad()
        value.backward()
        if first is None:
            first = float(np.hypot(a.grad.data[0], b.grad.data[0]))
        if step > steps // 2:  # anneal: L1's gradient does not shrink near the optimum
            for group in opt.param_groups:
                group["lr"] = lr * 0.1
        opt.step()
    return float(a.data[0]), float(b.data[0]), first


def compute(quick: bool) -> Result:
    r = Result()
    grads = {name: grad_of_error(loss, ERRORS) for name, loss in LOSSES.items()}
    r.table("dL/d(prediction) against the error (autograd, reduction='sum')", ["error"] + list(LOSSES),
            [[e] + [float(grads[n][i]) for n in LOSSES] for i, e in enumerate(ERRORS)])
    for n, key in zip(LOSSES, ("l2", "l1", "sl1")):
        r.number(f"grad_{key}_100", float(grads[n][-1]), f"gradient of {n} at error 100")
        r.number(f"grad_{key}_0_1", float(grads[n][1]), f"gradient of {n} at error 0.1")
    sl1_h = F.smooth_l1_loss(Tensor(np.linspace(-3, 3, 61)), Tensor(np.zeros(61)), reduction="none", beta=0.5).data
    hub = F.huber_loss(Tensor(np.linspace(-3, 3, 61)), Tensor(np.zeros(61)), reduction="none", delta=0.5).data
    r.number("smooth_l1_vs_huber", float(np.abs(sl1_h - hub / 0.5).max()), "smooth_l1(beta=0.5) − huber(delta=0.5)/0.5")

    x, y, out = outlier_line()
    steps = 400 if quick else 1500
    rows, fits = [], {}
    for n, key in zip(LOSSES, ("l2", "l1", "sl1")):
        a, b, g0 = fit_line(LOSSES[n], x, y, steps)
        fits[key] = (a, b)
        rows.append([n, a, b, g0])
        r.number(f"slope_{key}", a, f"Adam fit of a·x + b under {n}")
        r.number(f"intercept_{key}", b)
        r.number(f"grad0_{key}", g0, "gradient norm at (0, 0)")
    r.number("outliers", int(out.sum()))
    r.number("n", len(x))
    r.table(f"Fitting y = 2x + 1 with {int(out.sum())} outliers among {len(x)} points",
            ["loss", "slope", "intercept", "gradient norm at start"], rows)

    r.check("bounded-gradient", abs(r.numbers["grad_sl1_100"]) == 1.0 and r.numbers["grad_l2_100"] == 200.0
            and abs(r.numbers["grad_sl1_0_1"] - 0.1) < 1e-12 and abs(r.numbers["grad_l1_0_1"]) == 1.0)
    err = {k: abs(a - TRUE_SLOPE) + abs(b - TRUE_INTERCEPT) for k, (a, b) in fits.items()}
    r.check("robust-to-outliers", err["sl1"] < 0.5 and err["l2"] > 2)
    r.check("is-huber", r.numbers["smooth_l1_vs_huber"] < 1e-12)

    import matplotlib.pyplot as plt
    e = np.linspace(-3, 3, 301)
    fig, axs = plt.subplots(1, 3, figsize=(12, 3.3))
    for n, loss in LOSSES.items():
        t = Tensor(e, requires_grad=True)
        v = loss(t, Tensor(np.zeros_like(e)), reduction="none")
        v.sum().backward()
        axs[0].plot(e, v.data, label=n)
        axs[1].plot(e, t.grad.data, label=n)
    axs[0].set(xlabel="error", ylabel="loss", title="Loss", ylim=(0, 4))
    axs[1].set(xlabel="error", ylabel="dL/d(prediction)", title="Gradient (autograd)")
    axs[1].legend(fontsize=7)
    axs[2].scatter(x[~out], y[~out], s=8, color="grey")
    axs[2].scatter(x[out], y[out], s=8, color="red", label="outliers")
    xs = np.array([0.0, 1.0])
    for (n, key), c in zip(zip(LOSSES, ("l2", "l1", "sl1")), ("C0", "C1", "C2")):
        axs[2].plot(xs, fits[key][0] * xs + fits[key][1], color=c, label=n)
    axs[2].set(xlabel="x", ylabel="y", title="Line fit with outliers", ylim=(-1, 45))
    axs[2].legend(fontsize=7)
    r.figure("smooth_l1", fig, "Smooth L1: quadratic near 0, linear (gradient ±1) beyond beta; robust line fit.")
    return r


ENTRY = Entry(
    id="smooth-l1",
    section="C",
    title={"zh": "Fast R-CNN 为什么用 Smooth L1", "en": "Why Smooth L1 for box regression"},
    keywords=["smooth l1", "huber", "fast r-cnn", "box regression", "边框回归", "离群点", "outlier", "L1", "L2", "损失函数"],
    claims={
        "bounded-gradient": {
            "en": "Smooth L1's gradient is the error itself for small errors (like L2) and ±1 for large ones (like L1), so a large error cannot produce a huge gradient.",
            "zh": "Smooth L1 的梯度在误差小时等于误差本身（同 L2），误差大时为 ±1（同 L1），所以大误差不会产生巨大的梯度。"},
        "robust-to-outliers": {
            "en": "Smooth L1 is robust to outliers, unlike L2.",
            "zh": "与 L2 相比，Smooth L1 对离群点更鲁棒。"},
        "is-huber": {
            "en": "Smooth L1 with threshold β is the Huber loss with δ = β divided by β (the same loss when β = 1).",
            "zh": "阈值为 β 的 Smooth L1 等于 δ = β 的 Huber 损失除以 β（β = 1 时两者相同）。"},
    },
    answer={
        "en": r"""
With error $e$ = prediction − target and threshold $\beta$ (1 in Fast R-CNN),
$$\mathrm{smooth}_{L1}(e) = \frac{e^2}{2\beta} \ \ (|e| < \beta), \qquad |e| - \frac{\beta}{2} \ \ \mathrm{otherwise}.$$
Its derivative is $e/\beta$ near 0 and $\mathrm{sign}(e)$ beyond $\beta$. It takes the good half of each
neighbour: like L2 it is smooth at 0 and its gradient shrinks as the box gets close, so training
settles; like L1 the gradient never exceeds 1, so a badly placed box (early in training, or a
mislabelled one) cannot dominate the update. By autograd, at an error of 100 the gradient is
{=grad_l2_100} for L2 ($e^2$), {=grad_l1_100} for L1 and {=grad_sl1_100} for Smooth L1; at 0.1 it is
{=grad_l2_0_1}, {=grad_l1_0_1} and {=grad_sl1_0_1}. It is the Huber loss divided by $\beta$
(difference {=smooth_l1_vs_huber:.1e}).

**Outliers.** Fitting $y = 2x + 1$ where {=outliers} of {=n} targets were pushed up by 20–40: L2 gives
slope {=slope_l2:.2f}, intercept {=intercept_l2:.2f} (the outliers drag the line, its starting gradient norm is
{=grad0_l2:.1f}); L1 gives {=slope_l1:.2f}, {=intercept_l1:.2f}; Smooth L1 gives {=slope_sl1:.2f},
{=intercept_sl1:.2f} with starting gradient norm {=grad0_sl1:.2f}. For box regression the targets are
offsets normalised by the box size, so most errors are below 1 and the quadratic part is the one in use.
""",
        "zh": r"""
设误差 $e$ = 预测 − 目标，阈值为 $\beta$（Fast R-CNN 中为 1），
$$\mathrm{smooth}_{L1}(e) = \frac{e^2}{2\beta} \ \ (|e| < \beta), \qquad |e| - \frac{\beta}{2} \ \ \mathrm{otherwise}.$$
导数在 0 附近为 $e/\beta$，超过 $\beta$ 后为 $\mathrm{sign}(e)$。它取了两边的优点：像 L2 一样在 0 处光滑、误差变小时梯度随之变小，
训练能稳定收敛；像 L1 一样梯度绝不超过 1，位置很差的框（训练初期或标注错误）不会主导更新。用自动微分求得：误差为 100 时，
L2（$e^2$）的梯度为 {=grad_l2_100}，L1 为 {=grad_l1_100}，Smooth L1 为 {=grad_sl1_100}；误差为 0.1 时分别为 {=grad_l2_0_1}、
{=grad_l1_0_1} 和 {=grad_sl1_0_1}。它就是 Huber 损失除以 $\beta$（差值 {=smooth_l1_vs_huber:.1e}）。

**离群点。** 拟合 $y = 2x + 1$，其中 {=n} 个目标里有 {=outliers} 个被抬高了 20–40：L2 得到斜率 {=slope_l2:.2f}、截距
{=intercept_l2:.2f}（离群点把直线拉走，初始梯度范数为 {=grad0_l2:.1f}）；L1 得到 {=slope_l1:.2f}、{=intercept_l1:.2f}；Smooth L1 得到
{=slope_sl1:.2f}、{=intercept_sl1:.2f}，初始梯度范数为 {=grad0_sl1:.2f}。边框回归的目标是按框大小归一化的偏移量，大多数误差小于 1，
实际起作用的多是二次部分。
""",
    },
    compute=compute,
)
