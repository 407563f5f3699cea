"""Local minima and saddles in a small net's loss: tanh MLPs 64-h-10 of widths 2 … 64 on 200 digits, each
trained from several initialisations by full-batch Adam; how far apart their final losses are, and the
Hessian's eigenvalues (every entry by double backward, ``autograd.grad(create_graph=True)``) at the start and
at the end of training."""
from __future__ import annotations

import numpy as np

from ... import optim
from ...autograd import Tensor, grad
from ...nn import functional as F
from ..entry import Entry
from ..result import Result
from ._small_nets import digits_images, one_blas_thread

WIDTHS = (2, 4, 16, 64)
HESSIAN_WIDTHS = (2,)  # 160 parameters: the full Hessian in a tenth of a second
N_IMAGES = 200
LR = 0.02


def data() -> tuple[np.ndarray, np.ndarray]:
    """The first 200 training digits as float64 rows (200, 64) and their labels."""
    Xtr, ytr, _, _ = digits_images()
    return Xtr[:N_IMAGES].reshape(N_IMAGES, -1).astype(np.float64), ytr[:N_IMAGES]


def initial_weights(width: int, seed: int) -> list[np.ndarray]:
    """[W1 (64, h), b1, W2 (h, 10), b2]: normal weights scaled by 1/√fan_in, zero biases."""
    rng = np.random.default_rng(seed)
    return [rng.normal(size=(64, width)) / 8.0, np.zeros(width),
            rng.normal(size=(width, 10)) / np.sqrt(width), np.zeros(10)]


def loss_fn(params, X, y) -> Tensor:
    W1, b1, W2, b2 = params
    return F.cross_entropy((Tensor(X) @ W1 + b1).tanh() @ W2 + b2, Tensor(y))


def train(width: int, seed: int, steps: int) -> list[np.ndarray]:
    """Full-batch Adam (lr 0.02) from ``initial_weights(width, seed)``; returns the final weights."""
    X, y = data()
    params = [Tensor(w, requires_grad=True) for w in initial_weights(width, seed)]
    opt = optim.Adam(params, lr=LR)
    with one_blas_thread():
        for _ in range(steps):
            loss = loss_fn(params, X, y)
            opt.zero_grad()
            loss.backward()
            opt.step()
    return [p.data for p in params]


def hessian(weights: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, float]:
    """(Hessian, gradient, loss) of the training loss at ``weights``, all parameters flattened.

    Row i is the gradient of ⟨∇L, e_i⟩: one Hessian-vector product through the graph that
    ``grad(..., create_graph=True)`` kept."""
    X, y = data()
    params = [Tensor(w, requires_grad=True) for w in weights]
    with one_blas_thread():
        loss = loss_fn(params, X, y)
        grads = grad(loss, params, create_graph=True)
        sizes = [p.data.size for p in params]
        size = sum(sizes)
        rows = np.zeros((size, size))
        for i in range(size):
            direction = np.zeros(size)
            direction[i] = 1.0
            pieces = np.split(direction, np.cumsum(sizes)[:-1])
            dot = sum((g * Tensor(v.reshape(p.shape))).sum() for g, v, p in zip(grads, pieces, params))
            rows[i] = np.concatenate([r.data.ravel() for r in grad(dot, params, retain_graph=True)])
    gradient = np.concatenate([g.data.ravel() for g in grads])
    return rows, gradient, float(loss.item())


def compute(quick: bool) -> Result:
    r = Result()
    seeds = 5 if quick else 20
    steps = 300 if quick else 2000
    r.number("seeds", seeds)
    r.number("steps", steps)
    r.number("n_images", N_IMAGES)
    X, y = data()
    finals = {}
    rows = []
    for width in WIDTHS:
        weights = [train(width, seed, steps) for seed in range(seeds)]
        losses = np.array([float(loss_fn([Tensor(w) for w in ws], X, y).item()) for ws in weights])
        finals[width] = losses
        r.number(f"params_{width}", 64 * width + width + 10 * width + 10)
        r.number(f"loss_min_{width}", float(losses.min()),
                 f"best final training loss over {seeds} seeds, width {width}")
        r.number(f"loss_max_{width}", float(losses.max()), "worst")
        r.number(f"loss_spread_{width}", float(losses.max() - losses.min()), "worst − best")
        r.number(f"distinct_{width}", int(len(np.unique(np.round(losses, 4)))), "final losses distinct to 4 decimals")
        row = [width, r.numbers[f"params_{width}"], f"{losses.min():.4f}", f"{losses.max():.4f}",
               f"{losses.max() - losses.min():.2e}", r.numbers[f"distinct_{width}"]]
        if width in HESSIAN_WIDTHS:
            smallest, ratio, gnorm = [], [], []
            for ws in weights:
                H, g, _ = hessian(ws)
                eig = np.linalg.eigvalsh(H)
                smallest.append(eig[0] / eig[-1])
                ratio.append(float(np.mean(eig < -1e-6 * eig[-1])))
                gnorm.append(float(np.linalg.norm(g)))
            r.number(f"end_min_eig_rel_{width}", float(min(smallest)),
                     "most negative λ_min / λ_max of the Hessian at the end, over seeds")
            r.number(f"end_negative_{width}", float(max(ratio)),
                     "largest fraction of eigenvalues < −1e-6 λ_max at the end")
            r.number(f"end_grad_{width}", float(max(gnorm)), "largest ‖∇L‖ at the end")
            H0, g0, _ = hessian(initial_weights(width, 0))
            eig0 = np.linalg.eigvalsh(H0)
            r.number(f"init_negative_{width}", float(np.mean(eig0 < -1e-6 * eig0[-1])),
                     "fraction of negative Hessian eigenvalues at the initial weights (seed 0)")
            r.number(f"init_min_eig_rel_{width}", float(eig0[0] / eig0[-1]))
            if width == HESSIAN_WIDTHS[0]:
                r.number("eig_init", eig0)
                r.number("eig_end", np.linalg.eigvalsh(hessian(weights[0])[0]))
            row += [f"{r.numbers[f'init_negative_{width}']:.2f}", f"{r.numbers[f'end_negative_{width}']:.3f}",
                    f"{r.numbers[f'end_min_eig_rel_{width}']:.1e}", f"{r.numbers[f'end_grad_{width}']:.1e}"]
        else:
            row += ["", "", "", ""]
        rows.append(row)
    r.table(f"tanh MLP 64-h-10 on {N_IMAGES} digits, full-batch Adam (lr {LR}), {steps} steps, {seeds} initialisations",
            ["h", "parameters", "best loss", "worst loss", "worst − best", "distinct losses",
             "negative eigenvalues at init", "at the end (max over seeds)", "min λ / max λ at the end", "max ‖∇L‖ end"],
            rows)
    r.condition(f"float64; initial weights N(0, 1/fan_in), zero biases, one seed per initialisation; the same "
                f"{N_IMAGES} training images for every run; the Hessian (all second derivatives) for h = 2 only; "
                "an eigenvalue counts as negative below −1e-6 λ_max.")

    # 1. enough neurons avoid the bad local optima: the worst run and the spread shrink with width
    worst = [r.numbers[f"loss_max_{w}"] for w in WIDTHS]
    spread = [r.numbers[f"loss_spread_{w}"] for w in WIDTHS]
    r.check("wide-avoids-bad", bool(np.all(np.diff(worst) < 0) and spread[-1] < spread[0]))

    # 2. gradient descent gets stuck at saddles: where training stopped, is the Hessian indefinite?
    stuck = [r.numbers[f"end_min_eig_rel_{w}"] < -1e-3 and r.numbers[f"end_grad_{w}"] < 1e-3 for w in HESSIAN_WIDTHS]
    saddle_rich_start = all(r.numbers[f"init_negative_{w}"] > 0 for w in HESSIAN_WIDTHS)
    r.verdict("saddle-trap", "confirmed" if any(stuck) else "corrected" if saddle_rich_start else "contested")

    _figure(r, finals)
    return r


def _figure(r: Result, finals) -> None:
    import matplotlib.pyplot as plt

    fig, axs = plt.subplots(1, 2, figsize=(11, 3.8))
    for i, width in enumerate(WIDTHS):
        axs[0].semilogy(np.full(len(finals[width]), i) + np.linspace(-0.15, 0.15, len(finals[width])),
                        finals[width], "o", ms=5)
    axs[0].set(xticks=range(len(WIDTHS)), xticklabels=[f"h = {w}" for w in WIDTHS], ylabel="final training loss",
               title="one dot per initialisation")
    width = HESSIAN_WIDTHS[0]
    axs[1].plot(np.sort(r.numbers["eig_init"]), ".", ms=3, label="at the initial weights")
    axs[1].plot(np.sort(r.numbers["eig_end"]), ".", ms=3, label="after training")
    axs[1].set_yscale("symlog", linthresh=1e-4)
    axs[1].axhline(0, color="k", lw=0.6)
    axs[1].set(xlabel="index", ylabel="Hessian eigenvalue",
               title=f"h = {width}, seed 0: {r.numbers[f'params_{width}']} eigenvalues")
    axs[1].legend(fontsize=8)
    r.figure("local_optima", fig, "Final training losses of MLPs of four widths from several initialisations (left); "
                                  "the Hessian's eigenvalues of the narrowest net before and after training (right).")


ENTRY = Entry(
    id="local-optima",
    section="G",
    title={"zh": "为什么网络够深时能避开较差局部最优", "en": "Local minima, saddle points and wide nets"},
    keywords=["local minimum", "局部最优", "局部极小", "saddle point", "鞍点", "Hessian", "海森矩阵", "loss surface",
              "over-parameterisation", "宽网络", "initialisation"],
    claims={
        "wide-avoids-bad": {
            "en": "The notes ask: \"why can a network that is deep enough (with enough neurons) always avoid poor "
                  "local optima?\" (citing Choromanska et al., The Loss Surfaces of Multilayer Networks).",
            "zh": "笔记：\"为什么网络够深（Neurons 足够多）的时候，总是可以避开较差 Local Optima？\""
                  "（引 The Loss Surfaces of Multilayer Networks）"},
        "saddle-trap": {
            "en": "The notes: \"around a saddle point the error is the same and the gradient is close to 0 in every "
                  "dimension, so SGD is easily trapped there\".",
            "zh": "笔记：\"对于非凸函数，还要避免陷于局部极小值处，或者鞍点处，因为鞍点周围的 error 是一样的，所有维度的梯度都接近于 0，"
                  "SGD 很容易被困在这里。\""},
    },
    answer={
        "en": r"""
A critical point ($\nabla L = 0$) is a minimum when every eigenvalue of the Hessian is $\ge 0$ and a saddle
when some are negative. In a random high-dimensional function most critical points are saddles, because
all $p$ curvatures must agree for a minimum; for neural nets, Dauphin et al. (2014) and Choromanska et al.
(2015) argued that the minima that remain lie in a narrow band of loss close to the global one, and the band
narrows as the net grows.

Live run: tanh MLPs 64-h-10 on {=n_images} digits, {=seeds} initialisations each, {=steps} steps of
full-batch Adam. The narrowest net (h = 2, {=params_2} parameters) ends anywhere between loss
{=loss_min_2:.3f} and {=loss_max_2:.3f}: {=distinct_2} different end points, some much worse than others. At
h = 4 the range is {=loss_min_4:.3f} … {=loss_max_4:.3f}, at h = 16 {=loss_min_16:.4f} … {=loss_max_16:.4f}, and
at h = 64 ({=params_64} parameters) {=loss_min_64:.4f} … {=loss_max_64:.4f}: the runs still end at different
weights (different minima; hidden units can be permuted, so there are at least $h!$ copies of each), but
with practically the same loss.

The notes' claims:

- **Enough neurons avoid the poor local optima** — by width, confirmed here: the worst of {=seeds} runs falls
  from {=loss_max_2:.3f} (h = 2) to {=loss_max_4:.3f}, {=loss_max_16:.4f} and {=loss_max_64:.4f}, and the spread from
  {=loss_spread_2:.2e} to {=loss_spread_64:.2e}. "Always" is too strong (it is a statement about typical
  initialisations), and the cited theory is about size, not depth: more neurons per layer did it here.
- **SGD is easily trapped at saddles** — at the initial weights {=init_negative_2:.0%} of the Hessian's
  eigenvalues are negative (h = 2): training starts in saddle-like terrain, with curvature of both signs. Where
  training ended, at most {=end_negative_2:.1%} are negative, the most negative only {=end_min_eig_rel_2:.1e} of
  the largest, with $\|\nabla L\|$ up to {=end_grad_2:.1e}: the runs left the saddle-like region and sit in
  nearly convex valleys, the bad ones included, still sliding slowly along their flat directions. A saddle is
  unstable: any perturbation along a negative-curvature direction grows, and mini-batch noise supplies one. What
  slows training is the plateau around a saddle, not a trap; the poor results of the narrow net are minima.
""",
        "zh": r"""
临界点（$\nabla L = 0$）处若 Hessian 的所有特征值都 $\ge 0$ 就是极小点，若有负特征值就是鞍点。在随机的高维函数里，大多数临界点是鞍点，
因为极小点要求 $p$ 个方向的曲率全部同号；对于神经网络，Dauphin 等（2014）和 Choromanska 等（2015）认为，剩下的极小点集中在一条接近
全局最优的窄损失带里，网络越大，这条带越窄。

实测：{=n_images} 张 digits 图像上的 tanh MLP 64-h-10，每种宽度 {=seeds} 个初始化，全量 Adam 训练 {=steps} 步。最窄的网络
（h = 2，{=params_2} 个参数）最终损失分布在 {=loss_min_2:.3f} 到 {=loss_max_2:.3f} 之间：{=distinct_2} 个不同的终点，有的比别的差很多。
h = 4 时范围是 {=loss_min_4:.3f} … {=loss_max_4:.3f}，h = 16 时 {=loss_min_16:.4f} … {=loss_max_16:.4f}，h = 64（{=params_64} 个参数）时
{=loss_min_64:.4f} … {=loss_max_64:.4f}：各次运行停在不同的权重上（不同的极小点；隐藏单元可以任意置换，每个极小点至少有 $h!$ 个副本），
但损失几乎一样。

逐条检验笔记：

- **神经元足够多就能避开较差的局部最优**——按宽度来说这里成立：{=seeds} 次运行中最差的损失从 {=loss_max_2:.3f}（h = 2）降到
  {=loss_max_4:.3f}、{=loss_max_16:.4f} 和 {=loss_max_64:.4f}，最差与最好之差从 {=loss_spread_2:.2e} 降到 {=loss_spread_64:.2e}。"总是"说得太满
  （这是对典型初始化而言的），而且所引理论讲的是规模而不是深度：这里起作用的是每层更多的神经元。
- **SGD 很容易被困在鞍点**——在初始权重处，Hessian 有 {=init_negative_2:.0%} 的特征值为负（h = 2）：训练是从类似鞍点、曲率有正有负的
  地形出发的。训练结束处，负特征值最多只占 {=end_negative_2:.1%}，最负的只有最大特征值的 {=end_min_eig_rel_2:.1e}，$\|\nabla L\|$ 最大为
  {=end_grad_2:.1e}：各次运行都离开了类似鞍点的区域，停在近乎凸的谷底，差的那些也是如此，只是仍在沿平坦方向缓慢滑动。鞍点是不稳定的：
  沿负曲率方向的任何扰动都会放大，mini-batch 的噪声就提供了扰动。拖慢训练的是鞍点周围的平台，而不是陷阱；窄网络的差结果是极小点。
""",
    },
    compute=compute,
)
