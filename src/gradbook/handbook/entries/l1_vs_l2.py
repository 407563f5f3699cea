"""L1 vs L2 loss: the best constant is the median vs the mean, what outliers do to each, and how
gradient descent behaves near each optimum."""
from __future__ import annotations

import numpy as np

from ... import backend
from ...autograd import Tensor
from ...nn import functional as F
from ..entry import Entry
from ..result import Result


def sample(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """20 values around 5 and the same values with 3 outliers (50, 60, 80) appended."""
    clean = np.round(backend.spawn_rng(seed).normal(5, 1, 20), 2)
    return clean, np.concatenate([clean, [50.0, 60.0, 80.0]])


def best_constant(loss, y: np.ndarray, steps: int, lr: float) -> tuple[float, np.ndarray]:
    """Minimise loss(c·1, y) over the constant c by plain gradient descent (fixed step) from 0;
    returns c and the trajectory."""
    from ... import optim  # imported here so that the registry never depends on it

    c = Tensor(np.zeros(1), requires_grad=True)
    opt = optim.SGD([c], lr=lr)
    target = Tensor(y)
    path = []
    for _ in range(steps):
        value = loss(c.expand(len(y)), target)
        opt.zero_grad()
        value.backward()
        opt.step()
        path.append(float(c.data[0]))
    return float(c.data[0]), np.array(path)


def loss_curve(loss, y: np.ndarray, cs: np.ndarray) -> np.ndarray:
    """loss(c, y) for every c at once: (len(cs), len(y)) predictions."""
    pred = Tensor(np.repeat(cs[:, None], len(y), axis=1))
    return loss(pred, Tensor(np.broadcast_to(y, pred.shape).copy()), reduction="none").data.mean(axis=1)


def compute(quick: bool) -> Result:
    r = Result()
    clean, dirty = sample()
    steps = 400 if quick else 2000
    fits = {}
    for name, loss, lr in (("l2", F.mse_loss, 0.2), ("l1", F.l1_loss, 0.05)):
        for tag, y in (("clean", clean), ("dirty", dirty)):
            c, path = best_constant(loss, y, steps, lr)
            fits[name, tag] = (c, path)
            r.number(f"c_{name}_{tag}", c, f"gradient descent on F.{'mse' if name == 'l2' else 'l1'}_loss(c, y), {tag} data")
    r.number("shift_l2", fits["l2", "dirty"][0] - fits["l2", "clean"][0], "how far 3 outliers move the L2 estimate")
    r.number("shift_l1", fits["l1", "dirty"][0] - fits["l1", "clean"][0], "how far they move the L1 estimate")
    tail = 100
    r.number("l1_oscillation", float(np.ptp(fits["l1", "dirty"][1][-tail:])),
             f"range of the last {tail} L1 iterates (fixed step 0.05)")
    r.number("l2_oscillation", float(np.ptp(fits["l2", "dirty"][1][-tail:])), "same for L2 (step 0.2)")

    # an even number of points: every c between the two middle values minimises L1
    s = np.sort(clean)
    lo, hi = s[len(s) // 2 - 1], s[len(s) // 2]
    flat = loss_curve(F.l1_loss, clean, np.array([lo, (lo + hi) / 2, hi]))
    r.number("middle_low", float(lo))
    r.number("middle_high", float(hi))
    r.number("l1_flat_spread", float(np.ptp(flat)), "L1 loss at the two middle points and between them")
    r.table("Best constant (gradient descent)", ["loss", "20 clean values", "with 3 outliers", "shift"],
            [["L2 (mse_loss)", fits["l2", "clean"][0], fits["l2", "dirty"][0], r.numbers["shift_l2"]],
             ["L1 (l1_loss)", fits["l1", "clean"][0], fits["l1", "dirty"][0], r.numbers["shift_l1"]]])

    mean, median = float(dirty.mean()), float(np.median(dirty))
    r.check("mean-vs-median", abs(fits["l2", "dirty"][0] - mean) < 1e-6 and abs(fits["l1", "dirty"][0] - median) < 0.1)
    r.check("l1-robust", abs(r.numbers["shift_l1"]) < 0.2 * abs(r.numbers["shift_l2"]))
    r.check("l1-nonunique-oscillates", r.numbers["l1_flat_spread"] < 1e-12 and r.numbers["l1_oscillation"] > 1e-3
            and r.numbers["l2_oscillation"] < 1e-9)

    import matplotlib.pyplot as plt
    cs = np.linspace(0, 20, 401)
    fig, axs = plt.subplots(1, 2, figsize=(10, 3.3))
    l2c, l1c = loss_curve(F.mse_loss, dirty, cs), loss_curve(F.l1_loss, dirty, cs)
    axs[0].plot(cs, l2c / l2c.max(), label="L2 (scaled)")
    axs[0].plot(cs, l1c / l1c.max(), label="L1 (scaled)")
    axs[0].axvline(mean, color="C0", ls=":", label="mean")
    axs[0].axvline(median, color="C1", ls=":", label="median")
    axs[0].set(xlabel="constant prediction c", ylabel="loss", title="Loss over c, data with 3 outliers")
    axs[0].legend(fontsize=7)
    axs[1].plot(fits["l2", "dirty"][1][:300], label="L2")
    axs[1].plot(fits["l1", "dirty"][1][:300], label="L1")
    axs[1].set(xlabel="step", ylabel="c", title="Gradient descent, fixed step")
    axs[1].legend(fontsize=7)
    r.figure("l1_vs_l2", fig, "L2 is pulled to the mean by the outliers, L1 stays at the median.")
    return r


ENTRY = Entry(
    id="l1-vs-l2",
    section="F",
    title={"zh": "L1 loss 与 L2 loss", "en": "L1 vs. L2 loss"},
    keywords=["L1 loss", "L2 loss", "MAE", "MSE", "平均绝对误差", "均方误差", "median", "中位数", "mean", "均值",
              "outlier", "离群点", "鲁棒"],
    claims={
        "mean-vs-median": {
            "en": "The constant that minimises the L2 loss is the mean of the targets; for the L1 loss it is the median.",
            "zh": "使 L2 损失最小的常数是目标值的均值；使 L1 损失最小的是中位数。"},
        "l1-robust": {
            "en": "L1 is much less sensitive to outliers than L2.",
            "zh": "L1 对离群点远不如 L2 敏感。"},
        "l1-nonunique-oscillates": {
            "en": "L1's minimiser can be non-unique, and fixed-step gradient descent keeps oscillating around it, while on L2 it converges.",
            "zh": "L1 的最优解可能不唯一，固定步长的梯度下降会在其附近来回振荡；而在 L2 上会收敛。"},
    },
    answer={
        "en": r"""
L1 (mean absolute error) is $\frac{1}{n}\sum_i |y_i - \hat{y}_i|$; L2 (mean squared error) is
$\frac{1}{n}\sum_i (y_i - \hat{y}_i)^2$. For a constant prediction $c$, $\frac{\partial}{\partial c} L_2 = \frac{2}{n}\sum_i (c - y_i)$
vanishes at the **mean**, while $\frac{\partial}{\partial c} L_1 = \frac{1}{n}\sum_i \mathrm{sign}(c - y_i)$ vanishes where as many
points lie above as below: the **median**. (L2 is the maximum-likelihood loss under Gaussian noise,
L1 under Laplace noise.)

On 20 values near 5 plus three outliers (50, 60, 80), gradient descent lands at {=c_l2_dirty:.3f} for L2
(the mean) and {=c_l1_dirty:.3f} for L1 (near the median). The outliers moved L2's answer by {=shift_l2:.2f}
and L1's by only {=shift_l1:.3f}: a squared error gives a point at distance $d$ a pull of $2d$, an absolute
error a pull of 1.

The price: L1's gradient has the same size however close you are, so a fixed step never settles —
the last iterates still span {=l1_oscillation:.3f}, against {=l2_oscillation:.1e} for L2 — and with an even
number of points every value between the two middle ones ({=middle_low} and {=middle_high}) is optimal
(loss differs by {=l1_flat_spread:.1e}). L1 is also not differentiable at 0. Smooth L1 / Huber combine both:
quadratic near 0, linear far away.
""",
        "zh": r"""
L1（平均绝对误差）为 $\frac{1}{n}\sum_i |y_i - \hat{y}_i|$；L2（均方误差）为 $\frac{1}{n}\sum_i (y_i - \hat{y}_i)^2$。
对常数预测 $c$，$\frac{\partial}{\partial c} L_2 = \frac{2}{n}\sum_i (c - y_i)$ 在**均值**处为零，而
$\frac{\partial}{\partial c} L_1 = \frac{1}{n}\sum_i \mathrm{sign}(c - y_i)$ 在上下两侧点数相等处为零，即**中位数**。
（L2 是高斯噪声下的最大似然损失，L1 对应拉普拉斯噪声。）

在 20 个接近 5 的数值加上三个离群点（50、60、80）上，梯度下降对 L2 收敛到 {=c_l2_dirty:.3f}（均值），对 L1 收敛到
{=c_l1_dirty:.3f}（接近中位数）。离群点把 L2 的结果移动了 {=shift_l2:.2f}，而 L1 只移动了 {=shift_l1:.3f}：平方误差对距离为 $d$
的点施加 $2d$ 的拉力，绝对误差只施加 1。

代价是：L1 的梯度大小与离最优点多近无关，固定步长永远停不下来——最后的迭代仍在 {=l1_oscillation:.3f} 的范围内摆动，
L2 只有 {=l2_oscillation:.1e}；而且点数为偶数时，两个中间值（{=middle_low} 和 {=middle_high}）之间的任何值都是最优解
（损失相差 {=l1_flat_spread:.1e}）。L1 在 0 处也不可导。Smooth L1 / Huber 兼顾两者：0 附近为二次，远处为线性。
""",
    },
    compute=compute,
)
