"""Softmax cross-entropy: the fused, stable loss and its gradient p − onehot, on scores [1, 5, 3]."""
from __future__ import annotations

import numpy as np

from ...autograd import Tensor
from ...nn import functional as F
from ..entry import Entry
from ..result import Result

QUOTED = [0.015, 0.886, 0.117]  # the probabilities as the interview notes give them


def compute(quick: bool) -> Result:
    r = Result()
    scores = Tensor(np.array([[1.0, 5.0, 3.0]]), requires_grad=True)
    target = Tensor(np.array([1]))  # the second class
    loss = F.cross_entropy(scores, target)
    loss.backward()
    p = F.softmax(Tensor(scores.data), dim=1).data[0]
    grad = scores.grad.data[0]
    for i in range(3):
        r.number(f"p{i + 1}", float(p[i]), "F.softmax(tensor([[1., 5., 3.]]), dim=1)")
    r.number("p_sum", float(p.sum()))
    r.number("loss", float(loss.item()), "F.cross_entropy(scores, tensor([1]))")
    r.number("grad", [round(float(g), 4) for g in grad], "scores.grad after loss.backward()")
    onehot = np.array([0.0, 1.0, 0.0])
    r.number("max_err_grad_vs_p_minus_onehot", float(np.abs(grad - (p - onehot)).max()))
    r.number("quoted_p2", QUOTED[1])
    r.number("quoted_sum", float(sum(QUOTED)))

    big = Tensor(np.array([[1001.0, 1005.0, 1003.0]]))
    with np.errstate(over="ignore", invalid="ignore"):
        naive = float(-np.log(np.exp(big.data[0, 1]) / np.exp(big.data).sum()))
    stable = float(F.cross_entropy(big, target).item())
    r.number("naive_loss_large_scores", naive, "-log(exp(s_y) / sum(exp(s))) with s = [1001, 1005, 1003]")
    r.number("stable_loss_large_scores", stable, "F.cross_entropy(tensor([[1001., 1005., 1003.]]), tensor([1]))")

    r.check("gradient-is-p-minus-onehot", r.numbers["max_err_grad_vs_p_minus_onehot"] < 1e-12)
    r.check("quoted-probabilities", np.allclose(p, QUOTED, atol=5e-4))
    r.check("fused-is-stable", not np.isfinite(naive) and np.isclose(stable, r.numbers["loss"]))
    r.table("Softmax of [1, 5, 3] and the gradient", ["class", "score", "p (computed)", "p (notes)", "dL/ds"],
            [[i + 1, float(scores.data[0, i]), float(p[i]), QUOTED[i], float(grad[i])] for i in range(3)])
    return r


ENTRY = Entry(
    id="softmax-ce",
    section="F",
    title={"zh": "softmax 交叉熵的梯度", "en": "Softmax cross-entropy and its gradient"},
    keywords=["softmax", "cross entropy", "交叉熵", "logsumexp", "梯度", "gradient"],
    claims={
        "gradient-is-p-minus-onehot": {
            "en": "The gradient of softmax cross-entropy with respect to the scores is $p - y$ (probabilities minus the one-hot target).",
            "zh": "softmax 交叉熵对得分的梯度为 $p - y$（概率向量减去 one-hot 标签）。"},
        "quoted-probabilities": {
            "en": "For scores [1, 5, 3] the softmax probabilities are [0.015, 0.886, 0.117] (as the notes say).",
            "zh": "得分 [1, 5, 3] 的 softmax 概率为 [0.015, 0.886, 0.117]（笔记中的数值）。"},
        "fused-is-stable": {
            "en": "Computed as one fused log-sum-exp, the loss stays finite for huge scores where the textbook formula overflows.",
            "zh": "用 log-sum-exp 融合计算时，即使得分很大损失也保持有限，而教科书公式会溢出。"},
    },
    answer={
        "en": r"""
With scores $s$ and softmax $p_i = e^{s_i} / \sum_j e^{s_j}$, the cross-entropy for the true
class $y$ is $L = -\log p_y = -s_y + \log \sum_j e^{s_j}$. Differentiating,
$$\frac{\partial L}{\partial s_i} = p_i - \mathbb{1}[i = y],$$
so the gradient is simply the probabilities with 1 subtracted at the true class — no softmax
Jacobian is ever formed. That simplicity is one reason softmax and cross-entropy are paired.

For scores $[1, 5, 3]$ and the second class as target: $p = $ ({=p1:.4f}, {=p2:.4f}, {=p3:.4f}),
the loss is {=loss:.4f} and gradbook's `backward()` gives {=grad}, equal to $p - y$ up to
{=max_err_grad_vs_p_minus_onehot:.1e}. The often-quoted probabilities $[0.015, 0.886, 0.117]$
are wrong: the middle one is {=p2:.3f}, and the quoted three sum to {=quoted_sum:.3f}, not 1.

**Stability.** gradbook computes $\log \sum_j e^{s_j}$ as $m + \log \sum_j e^{s_j - m}$ with
$m = \max_j s_j$. For scores $[1001, 1005, 1003]$ the textbook formula gives {=naive_loss_large_scores}
(overflow), the fused loss {=stable_loss_large_scores:.4f} — the same as for $[1, 5, 3]$, because
softmax ignores a common shift.
""",
        "zh": r"""
设得分为 $s$，softmax 为 $p_i = e^{s_i} / \sum_j e^{s_j}$，真实类别 $y$ 的交叉熵为
$L = -\log p_y = -s_y + \log \sum_j e^{s_j}$。求导得
$$\frac{\partial L}{\partial s_i} = p_i - \mathbb{1}[i = y],$$
即梯度就是概率向量在真实类别处减 1——根本不需要构造 softmax 的雅可比矩阵。这种简洁正是 softmax 与交叉熵搭配使用的原因之一。

得分 $[1, 5, 3]$、目标为第二类时：$p = $（{=p1:.4f}, {=p2:.4f}, {=p3:.4f}），损失为 {=loss:.4f}，gradbook 的
`backward()` 给出 {=grad}，与 $p - y$ 相差不超过 {=max_err_grad_vs_p_minus_onehot:.1e}。常被引用的概率
$[0.015, 0.886, 0.117]$ 是错的：中间一项应为 {=p2:.3f}，而引用的三个数之和为 {=quoted_sum:.3f}，不等于 1。

**数值稳定。** gradbook 把 $\log \sum_j e^{s_j}$ 计算为 $m + \log \sum_j e^{s_j - m}$，其中 $m = \max_j s_j$。
得分为 $[1001, 1005, 1003]$ 时教科书公式得到 {=naive_loss_large_scores}（溢出），融合实现得到
{=stable_loss_large_scores:.4f}——与 $[1, 5, 3]$ 相同，因为 softmax 对所有得分同时平移不变。
""",
    },
    compute=compute,
)
