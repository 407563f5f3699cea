"""Backprop through pooling: max pooling routes each window's gradient to its arg-max, average
pooling spreads it evenly; a hand example, overlapping windows, ties, and finite differences."""
from __future__ import annotations

import numpy as np

from ... import backend
from ...autograd import Tensor
from ...nn import functional as F
from ..entry import Entry
from ..plots import image_row
from ..result import Result

X_HAND = np.array([[1.0, 3.0, 2.0, 4.0],
                   [5.0, 6.0, 1.0, 2.0],
                   [7.0, 2.0, 9.0, 1.0],
                   [3.0, 4.0, 0.0, 8.0]])
G_HAND = np.array([[1.0, 2.0],
                   [3.0, 4.0]])


def pool_grad(pool, x: np.ndarray, g: np.ndarray, **kw) -> tuple[np.ndarray, np.ndarray]:
    """Output and input gradient of ``pool`` for a 2-D map x and upstream gradient g."""
    t = Tensor(x[None, None], requires_grad=True)
    y = pool(t, **kw)
    (y * Tensor(g[None, None])).sum().backward()
    return y.data[0, 0], t.grad.data[0, 0]


def finite_difference_error(pool, x: np.ndarray, g: np.ndarray, eps: float = 1e-6, **kw) -> float:
    """max |backward − central differences of Σ g·pool(x)| over every input element."""
    _, grad = pool_grad(pool, x, g, **kw)

    def f(a):
        return float((pool(Tensor(a[None, None]), **kw).data[0, 0] * g).sum())

    numeric = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[i] = eps
        numeric[i] = (f(x + step) - f(x - step)) / (2 * eps)
    return float(np.abs(numeric - grad).max())


def compute(quick: bool) -> Result:
    r = Result()
    y_max, dx_max = pool_grad(F.max_pool2d, X_HAND, G_HAND, kernel_size=2)
    y_avg, dx_avg = pool_grad(F.avg_pool2d, X_HAND, G_HAND, kernel_size=2)
    r.number("max_out", y_max.tolist(), "F.max_pool2d(x, 2)")
    r.number("max_dx", dx_max.tolist(), "x.grad after (F.max_pool2d(x, 2) * g).sum().backward()")
    r.number("avg_out", y_avg.tolist(), "F.avg_pool2d(x, 2)")
    r.number("avg_dx", dx_avg.tolist(), "x.grad after (F.avg_pool2d(x, 2) * g).sum().backward()")
    r.number("max_nonzero", int((dx_max != 0).sum()), "number of inputs that receive a gradient")
    r.number("grad_total_max", float(dx_max.sum()))
    r.number("grad_total_avg", float(dx_avg.sum()))
    r.number("grad_total_upstream", float(G_HAND.sum()))
    r.table("Hand example: x (4×4), kernel 2, stride 2, upstream g = [[1, 2], [3, 4]]",
            ["row", "x", "max-pool dx", "avg-pool dx"],
            [[i, X_HAND[i].tolist(), dx_max[i].tolist(), dx_avg[i].tolist()] for i in range(4)])

    # overlapping windows (kernel 3, stride 1): an input that is the max of several windows sums their gradients
    x_ov = np.array([[0.0, 1.0, 0.0, 0.0], [1.0, 9.0, 1.0, 0.0], [0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 0.0, 2.0]])
    _, dx_ov = pool_grad(F.max_pool2d, x_ov, np.ones((2, 2)), kernel_size=3, stride=1)
    r.number("overlap_grad_at_max", float(dx_ov[1, 1]), "x.grad at the 9 (max of all four 3×3 windows)")
    # ties: one window holding equal values
    _, dx_tie = pool_grad(F.max_pool2d, np.full((2, 2), 5.0), np.ones((1, 1)), kernel_size=2)
    r.number("tie_dx", dx_tie.tolist(), "x.grad for a window of four equal values")

    rng = backend.spawn_rng(0)
    size = 6 if quick else 10
    x = rng.normal(size=(size, size))
    errs = {}
    for name, pool, kw in (("max_k2s2", F.max_pool2d, dict(kernel_size=2)),
                           ("max_k3s2_pad1", F.max_pool2d, dict(kernel_size=3, stride=2, padding=1)),
                           ("avg_k2s2", F.avg_pool2d, dict(kernel_size=2)),
                           ("avg_k3s1", F.avg_pool2d, dict(kernel_size=3, stride=1))):
        out_shape = pool(Tensor(x[None, None]), **kw).shape[2:]
        errs[name] = finite_difference_error(pool, x, rng.normal(size=out_shape), **kw)
        r.number(f"fd_err_{name}", errs[name], f"backward vs central differences, {name}, random {size}×{size} x")
    r.table("Backward vs finite differences (float64, ε = 1e-6)", ["pooling", "max abs error"],
            [[k, v] for k, v in errs.items()])

    r.check("max-to-argmax", r.numbers["max_nonzero"] == 4 and r.numbers["grad_total_max"] == G_HAND.sum()
            and errs["max_k2s2"] < 1e-6)
    r.check("avg-spread-evenly", np.allclose(dx_avg, np.kron(G_HAND, np.ones((2, 2))) / 4) and errs["avg_k2s2"] < 1e-6)
    r.check("overlap-accumulates", r.numbers["overlap_grad_at_max"] == 4.0 and errs["max_k3s2_pad1"] < 1e-6)

    fig, _ = image_row([("input x", X_HAND), ("max-pool dx", dx_max), ("avg-pool dx", dx_avg)], annotate="all",
                       cmap="Blues")
    r.figure("pool_grads", fig, "2×2 pooling, upstream gradient [[1, 2], [3, 4]]: max routes each value to one "
                                "input, average splits it into four quarters.")
    return r


ENTRY = Entry(
    id="pooling-backprop",
    section="C",
    title={"zh": "max pooling 处怎么反向传播", "en": "Backprop through max and mean pooling"},
    keywords=["pooling", "池化", "max pooling", "最大池化", "mean pooling", "平均池化", "average pooling", "反向传播",
              "backprop", "argmax"],
    claims={
        "max-to-argmax": {
            "en": "Max pooling passes each window's gradient unchanged to the input that was the maximum; every other input gets 0.",
            "zh": "最大池化把每个窗口的梯度原封不动地传给取到最大值的输入，其他输入的梯度为 0。"},
        "avg-spread-evenly": {
            "en": "Average pooling spreads each window's gradient evenly: every input of a k×k window gets 1/k² of it.",
            "zh": "平均池化把每个窗口的梯度平均分配：k×k 窗口中每个输入得到 1/k²。"},
        "overlap-accumulates": {
            "en": "With overlapping windows an input that is the maximum of several windows receives the sum of their gradients.",
            "zh": "窗口重叠时，若某个输入同时是多个窗口的最大值，它得到这些窗口梯度之和。"},
    },
    answer={
        "en": r"""
Pooling has no parameters, so backprop only has to pass the gradient $g$ of each output to the
inputs that produced it. For **max pooling** $y = \max_{i \in W} x_i$, so $\partial y/\partial x_i$ is 1 for
the arg-max and 0 elsewhere: the forward pass stores the arg-max, the backward pass scatters $g$
there. For **average pooling** $y = \frac{1}{k^2}\sum_{i \in W} x_i$, so every input of the window receives
$g/k^2$.

Hand example: $x$ = [[1, 3, 2, 4], [5, 6, 1, 2], [7, 2, 9, 1], [3, 4, 0, 8]], 2×2 windows, stride 2,
upstream $g$ = [[1, 2], [3, 4]]. Max pooling gives {=max_out}; its input gradient is {=max_dx}: only
{=max_nonzero} inputs (the 6, 4, 7 and 9) receive anything. Average pooling gives {=avg_dx}. Both
conserve the total: {=grad_total_max} and {=grad_total_avg} against {=grad_total_upstream} upstream.

When windows overlap (kernel 3, stride 1) the same input can be the maximum of several windows and
its gradient is the **sum**: the central 9 of our example receives {=overlap_grad_at_max}. With ties
the derivative is not defined; gradbook, like PyTorch, gives it all to the first maximum
({=tie_dx}). Against central finite differences on random inputs the backward passes agree to
{=fd_err_max_k2s2:.1e} (max, 2×2), {=fd_err_max_k3s2_pad1:.1e} (max, 3×3 stride 2 padded) and
{=fd_err_avg_k3s1:.1e} (average, overlapping).
""",
        "zh": r"""
池化层没有参数，反向传播只需把每个输出的梯度 $g$ 传回产生它的输入。**最大池化** $y = \max_{i \in W} x_i$，
$\partial y/\partial x_i$ 对最大值位置为 1、其余为 0：前向时记录最大值位置，反向时把 $g$ 放回该位置。
**平均池化** $y = \frac{1}{k^2}\sum_{i \in W} x_i$，窗口内每个输入得到 $g/k^2$。

手算示例：$x$ = [[1, 3, 2, 4], [5, 6, 1, 2], [7, 2, 9, 1], [3, 4, 0, 8]]，2×2 窗口、步长 2，上游梯度
$g$ = [[1, 2], [3, 4]]。最大池化输出 {=max_out}，输入梯度为 {=max_dx}：只有 {=max_nonzero} 个输入（6、4、7、9）得到梯度。
平均池化的输入梯度为 {=avg_dx}。两者都保持总量：{=grad_total_max} 与 {=grad_total_avg}，上游为 {=grad_total_upstream}。

窗口重叠时（核 3、步长 1），同一个输入可能是多个窗口的最大值，其梯度为各窗口梯度之**和**：示例中央的 9 得到
{=overlap_grad_at_max}。出现并列最大值时导数没有定义；gradbook 与 PyTorch 一样把梯度全部交给第一个最大值（{=tie_dx}）。
与中心差分相比，随机输入上的反向传播误差为 {=fd_err_max_k2s2:.1e}（最大池化 2×2）、{=fd_err_max_k3s2_pad1:.1e}
（最大池化 3×3、步长 2、带填充）和 {=fd_err_avg_k3s1:.1e}（重叠的平均池化）。
""",
    },
    compute=compute,
)
