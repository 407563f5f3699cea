"""Activation functions compared: values and autograd derivatives, the saturation bounds of
sigmoid and tanh, dying ReLU under a too-large learning rate, and the usual ranking put to a test."""
from __future__ import annotations

import numpy as np

from ... import backend
from ...autograd import Tensor, no_grad
from ... import nn
from ...nn import functional as F
from ..entry import Entry
from ..result import Result

PRELU_INIT = 0.25   # PyTorch's nn.PReLU default slope


def _leaky(alpha: float):
    return lambda z: F.leaky_relu(z, alpha)


FUNCTIONS = {
    "sigmoid": F.sigmoid,
    "tanh": F.tanh,
    "relu": F.relu,
    "leaky_relu": _leaky(0.01),
    "prelu": lambda z: F.prelu(z, Tensor(np.array([PRELU_INIT], z.dtype))),
    "elu": F.elu,
}
RANKED = ["elu", "leaky_relu", "relu", "tanh", "sigmoid"]   # the notes' order, best first


def derivative(name: str, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """f(x) and f'(x) from autograd: the gradient of Σ f(x_i) is f'(x_i) elementwise."""
    t = Tensor(x, requires_grad=True)
    y = FUNCTIONS[name](t)
    y.sum().backward()
    return y.data, t.grad.data


def spirals(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved noisy spirals in the unit disc, labels 0/1."""
    t = np.sqrt(rng.random(n)) * 3 * np.pi
    cls = rng.integers(0, 2, n)
    x = np.stack([t * np.cos(t + np.pi * cls), t * np.sin(t + np.pi * cls)], 1) + rng.normal(0, 0.3, (n, 2))
    return (x / (3 * np.pi)).astype(np.float32), cls.astype(np.int64)


def train_mlp(act, data, lr: float, steps: int, seed: int, width: int = 32, depth: int = 3) -> dict:
    """Full-batch gradient descent (optim.SGD, p ← p − lr·∇p) on a depth×width MLP with PyTorch's default init.
    Returns the test accuracy and, per hidden layer, the share of units that output 0 (zero
    gradient) on every training input."""
    from ... import optim  # imported here so that the registry never depends on it

    X, y, Xt, yt = data
    backend.manual_seed(seed)
    layers = [nn.Linear(2, width)] + [nn.Linear(width, width) for _ in range(depth - 1)] + [nn.Linear(width, 2)]
    params = [p for layer in layers for p in layer.parameters()]
    opt = optim.SGD(params, lr=lr)

    def forward(inp):
        h, pre = Tensor(inp), []
        for layer in layers[:-1]:
            z = layer(h)
            pre.append(z.data)
            h = act(z)
        return layers[-1](h), pre

    with np.errstate(all="ignore"):
        for _ in range(steps):
            loss = F.cross_entropy(forward(X)[0], Tensor(y))
            opt.zero_grad()
            loss.backward()
            opt.step()
        loss = F.cross_entropy(forward(X)[0], Tensor(y))
        for p in params:
            p.grad = None
        loss.backward()
        with no_grad():
            out, pre = forward(X)
            acc = float((forward(Xt)[0].data.argmax(1) == yt).mean())
    dead = [(z <= 0).all(axis=0) for z in pre]
    # a unit whose pre-activation is ≤ 0 on every input gets no gradient into its incoming weights
    zero_grad = [float((np.abs(layers[i].weight.grad.data).sum(axis=1) == 0).mean()) for i in range(depth)]
    return {"acc": acc if np.isfinite(loss.item()) else 0.5, "loss": float(loss.item()),
            "dead": float(np.mean([d.mean() for d in dead])), "zero_grad": float(np.mean(zero_grad))}


def compute(quick: bool) -> Result:
    r = Result()
    x = np.linspace(-6, 6, 1201)
    curves = {name: derivative(name, x) for name in FUNCTIONS}
    ds, dt = curves["sigmoid"][1], curves["tanh"][1]
    r.number("max_sigmoid_grad", float(ds.max()), "max of x.grad after F.sigmoid(x).sum().backward()")
    r.number("argmax_sigmoid_grad", float(x[ds.argmax()]))
    r.number("max_tanh_grad", float(dt.max()), "max of x.grad after F.tanh(x).sum().backward()")
    r.number("sigmoid_grad_at_5", float(derivative("sigmoid", np.array([5.0]))[1][0]), "σ'(5) by autograd")
    r.number("sigmoid_grad_10_layers", float(ds.max()) ** 10, "max σ' to the 10th power")
    r.number("leaky_grad_negative", float(curves["leaky_relu"][1][0]), "leaky_relu'(−6)")
    r.number("elu_grad_at_minus2", float(derivative("elu", np.array([-2.0]))[1][0]), "elu'(−2) by autograd")
    r.table("Derivatives by autograd", ["function", "f'(-3)", "f'(0)", "f'(3)", "max f'"],
            [[n, float(d[np.searchsorted(x, -3)]), float(d[600]), float(d[np.searchsorted(x, 3)]), float(d.max())]
             for n, (_, d) in curves.items()])

    seeds = [0] if quick else [0, 1, 2]
    steps = 150 if quick else 500
    rng = backend.spawn_rng(7)
    data = (*spirals(200 if quick else 400, rng), *spirals(1000, rng))
    mean = lambda rs, k: float(np.mean([q[k] for q in rs]))  # noqa: E731
    small_lr, big_lr = 0.5, 3.0
    ranking_runs = {n: [train_mlp(FUNCTIONS[n], data, small_lr, steps, s) for s in seeds] for n in RANKED}
    acc = {n: mean(rs, "acc") for n, rs in ranking_runs.items()}
    big = {n: [train_mlp(FUNCTIONS[n], data, big_lr, steps, s) for s in seeds] for n in ("relu", "leaky_relu")}
    alphas = [0.01, 0.1, 0.3]
    alpha_acc = [acc["leaky_relu"]] + [mean([train_mlp(_leaky(a), data, small_lr, steps, s) for s in seeds], "acc")
                                       for a in alphas[1:]]
    for n in RANKED:
        r.number(f"acc_{n}", acc[n], f"test accuracy, 3×32 MLP, lr {small_lr}, {steps} steps")
    r.number("dead_relu_small_lr", mean(ranking_runs["relu"], "dead"), f"share of dead ReLU units, lr {small_lr}")
    r.number("dead_relu_big_lr", mean(big["relu"], "dead"), f"share of dead ReLU units, lr {big_lr}")
    r.number("zero_grad_relu_big_lr", mean(big["relu"], "zero_grad"), "share of units with all-zero weight gradient")
    r.number("negative_leaky_big_lr", mean(big["leaky_relu"], "dead"), "share of leaky units negative on all inputs")
    r.number("zero_grad_leaky_big_lr", mean(big["leaky_relu"], "zero_grad"))
    r.number("acc_relu_big_lr", mean(big["relu"], "acc"))
    r.number("acc_leaky_big_lr", mean(big["leaky_relu"], "acc"))
    for a, v in zip(alphas, alpha_acc):
        r.number(f"acc_leaky_alpha_{a}".replace(".", "_"), v)
    r.condition(f"Two-spiral task, MLP 2-32-32-32-2, PyTorch default init, full-batch gradient descent, "
                f"{steps} steps, {len(seeds)} seed(s); the ranking claims are judged on this one small task")
    r.table("Test accuracy by activation", ["activation", f"lr {small_lr}"] , [[n, acc[n]] for n in RANKED])
    r.table("Dying ReLU", ["activation", "lr", "units dead on all inputs", "units with zero gradient", "test acc"],
            [["relu", small_lr, r.numbers["dead_relu_small_lr"], mean(ranking_runs["relu"], "zero_grad"), acc["relu"]],
             ["relu", big_lr, r.numbers["dead_relu_big_lr"], r.numbers["zero_grad_relu_big_lr"], r.numbers["acc_relu_big_lr"]],
             ["leaky_relu", big_lr, r.numbers["negative_leaky_big_lr"], r.numbers["zero_grad_leaky_big_lr"],
              r.numbers["acc_leaky_big_lr"]]])
    r.table("Leaky ReLU slope", ["alpha", "test acc"], [[a, v] for a, v in zip(alphas, alpha_acc)])

    r.check("sigmoid-max-grad", abs(r.numbers["max_sigmoid_grad"] - 0.25) < 1e-12)
    r.check("tanh-max-grad", abs(r.numbers["max_tanh_grad"] - 1.0) < 1e-12)
    r.check("relu-dies", r.numbers["dead_relu_big_lr"] > r.numbers["dead_relu_small_lr"]
            and r.numbers["zero_grad_relu_big_lr"] > 0)
    # confirmed only if leaky units both keep a gradient and train as well as at a sane learning rate
    r.check("leaky-fixes-dying", r.numbers["zero_grad_leaky_big_lr"] == 0
            and r.numbers["acc_leaky_big_lr"] > acc["leaky_relu"] - 0.05, otherwise="depends")
    r.condition("Leaky ReLU: no unit ever has a zero gradient, but a too-large learning rate still wrecks training")
    observed = sorted(RANKED, key=lambda n: -acc[n])
    r.number("observed_ranking", " > ".join(observed))
    r.verdict("ranking", "depends" if observed == RANKED else "contested")
    r.verdict("leaky-larger-alpha", "depends" if alpha_acc[0] < alpha_acc[1] < alpha_acc[2] else "contested")

    import matplotlib.pyplot as plt
    fig, axs = plt.subplots(1, 2, figsize=(10, 3.4))
    for n, (v, d) in curves.items():
        axs[0].plot(x, v, label=n)
        axs[1].plot(x, d, label=n)
    axs[0].set(xlabel="x", ylabel="f(x)", title="Activation", ylim=(-2, 4))
    axs[1].set(xlabel="x", ylabel="f'(x) (autograd)", title="Derivative", ylim=(-0.1, 1.2))
    axs[1].legend(fontsize=7)
    r.figure("activations", fig, "Values and derivatives; sigmoid' peaks at 0.25, tanh' at 1.")
    return r


ENTRY = Entry(
    id="activations",
    section="E",
    title={"zh": "各激活函数的优缺点", "en": "Activation functions compared"},
    keywords=["activation", "激活函数", "sigmoid", "tanh", "relu", "leaky relu", "prelu", "elu", "dying relu",
              "dead relu", "神经元死亡", "梯度消失", "saturation", "饱和"],
    claims={
        "sigmoid-max-grad": {"en": "The derivative of the sigmoid is at most 0.25 (at x = 0).",
                             "zh": "sigmoid 的导数最大为 0.25（在 x = 0 处）。"},
        "tanh-max-grad": {"en": "The derivative of tanh is at most 1 (at x = 0).",
                          "zh": "tanh 的导数最大为 1（在 x = 0 处）。"},
        "relu-dies": {
            "en": "With a too-large learning rate, ReLU units die: they output 0 on every input, get zero gradient and never recover.",
            "zh": "学习率过大时 ReLU 神经元会\"死亡\"：对所有输入输出 0，梯度为 0，且再也无法恢复。"},
        "leaky-fixes-dying": {"en": "Leaky ReLU solves the dying-ReLU problem.",
                              "zh": "Leaky ReLU 解决了 ReLU 神经元死亡的问题。"},
        "ranking": {"en": "Activations rank ELU > Leaky ReLU > ReLU > tanh > sigmoid.",
                    "zh": "激活函数的优劣顺序为 ELU > Leaky ReLU > ReLU > tanh > sigmoid。"},
        "leaky-larger-alpha": {"en": "Leaky ReLU works better with a larger slope α than with a small one.",
                               "zh": "Leaky ReLU 的 α 取较大值时比取较小值效果更好。"},
    },
    answer={
        "en": r"""
An activation makes the network non-linear; its derivative decides how gradients survive depth.
**Sigmoid** $\sigma(x) = 1/(1+e^{-x})$ has $\sigma' = \sigma(1-\sigma)$, at most {=max_sigmoid_grad} (autograd,
at $x$ = {=argmax_sigmoid_grad}); already $\sigma'(5)$ = {=sigmoid_grad_at_5:.4f}, and ten sigmoid layers scale
a gradient by at most {=sigmoid_grad_10_layers:.2e}. Its outputs are also all positive (not zero-centred).
**tanh** is zero-centred with $\tanh' = 1-\tanh^2$, at most {=max_tanh_grad}, but it saturates too.
**ReLU** $\max(0, x)$ has derivative 1 for $x>0$: no saturation, cheap, sparse — but a unit whose
pre-activation is negative on every input gets exactly zero gradient and stays dead.
**Leaky ReLU** ($\alpha x$ for $x<0$, slope {=leaky_grad_negative}), **PReLU** (learned $\alpha$) and **ELU**
($\alpha(e^x-1)$, derivative {=elu_grad_at_minus2:.3f} at $-2$, smooth, mean closer to 0) keep a gradient there.

On a two-spiral task (3×32 MLP, plain gradient descent) a learning rate of 3 left {=dead_relu_big_lr:.2f}
of ReLU units dead (vs {=dead_relu_small_lr:.2f} at 0.5), each with exactly zero weight gradient; accuracy
fell to {=acc_relu_big_lr:.3f}. Leaky ReLU kept a gradient in every unit (share with zero gradient:
{=zero_grad_leaky_big_lr}) and reached {=acc_leaky_big_lr:.3f}, still below its {=acc_leaky_relu:.3f} at a
sane learning rate: it removes the zero gradient, not the damage of a bad learning rate.

The popular ranking ELU > Leaky ReLU > ReLU > tanh > sigmoid came out as {=observed_ranking}; slope
α = 0.01, 0.1, 0.3 gave {=acc_leaky_alpha_0_01:.3f}, {=acc_leaky_alpha_0_1:.3f}, {=acc_leaky_alpha_0_3:.3f}.
Such orders depend on the task, depth, initialisation and learning rate; treat them as priors.
""",
        "zh": r"""
激活函数让网络变成非线性，它的导数决定梯度能否穿过很多层。**sigmoid** $\sigma(x) = 1/(1+e^{-x})$ 的导数
$\sigma' = \sigma(1-\sigma)$ 最大为 {=max_sigmoid_grad}（自动微分得到，位于 $x$ = {=argmax_sigmoid_grad}）；
$\sigma'(5)$ 仅为 {=sigmoid_grad_at_5:.4f}，十层 sigmoid 最多把梯度缩小到 {=sigmoid_grad_10_layers:.2e} 倍，且输出恒为正（非零中心）。
**tanh** 以零为中心，$\tanh' = 1-\tanh^2$ 最大为 {=max_tanh_grad}，但同样会饱和。
**ReLU** $\max(0, x)$ 在 $x>0$ 时导数为 1：不饱和、计算便宜、输出稀疏；但若某个神经元对所有输入的预激活都为负，
它的梯度恰好为零，从此"死亡"。**Leaky ReLU**（$x<0$ 时为 $\alpha x$，斜率 {=leaky_grad_negative}）、**PReLU**（$\alpha$ 可学习）和
**ELU**（$\alpha(e^x-1)$，在 $-2$ 处导数 {=elu_grad_at_minus2:.3f}，光滑、均值更接近 0）在负半轴仍保留梯度。

在双螺旋数据上（3×32 的 MLP，普通梯度下降），学习率取 3 时有 {=dead_relu_big_lr:.2f} 比例的 ReLU 神经元死亡
（学习率 0.5 时为 {=dead_relu_small_lr:.2f}），它们的权重梯度恰好为零，准确率降到 {=acc_relu_big_lr:.3f}。Leaky ReLU
的每个神经元都保留了梯度（零梯度比例为 {=zero_grad_leaky_big_lr}），准确率为 {=acc_leaky_big_lr:.3f}，仍低于正常学习率下的
{=acc_leaky_relu:.3f}：它消除了零梯度，却消除不了过大学习率带来的破坏。

流行的排序 ELU > Leaky ReLU > ReLU > tanh > sigmoid 在本实验中为 {=observed_ranking}；斜率 α = 0.01、0.1、0.3
的准确率分别为 {=acc_leaky_alpha_0_01:.3f}、{=acc_leaky_alpha_0_1:.3f}、{=acc_leaky_alpha_0_3:.3f}。这类排序取决于任务、深度、
初始化和学习率，只能当作经验先验。
""",
    },
    compute=compute,
)
