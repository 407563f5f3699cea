"""Batch size on one real problem: the same tanh MLP 64-32-10 on scikit-learn's digits trained with plain
SGD at batch sizes 8 … 1438 (full batch), at one fixed learning rate and with the learning rate scaled
linearly with the batch; the noise of a mini-batch gradient measured against 1/B; time per epoch."""
from __future__ import annotations

import time

import numpy as np

from ... import optim
from ...autograd import Tensor, no_grad
from ...nn import functional as F
from ..entry import Entry
from ..result import Result
from ._small_nets import digits_images, one_blas_thread

HIDDEN = 32
BATCHES = (8, 32, 128, 512, 1438)  # 1438: the whole training set
LR = 0.1  # one learning rate for every batch size
BASE_BATCH, BASE_LR = 8, 0.02  # the linear-scaling runs: lr = BASE_LR · B / BASE_BATCH
TARGET = 0.5  # training cross-entropy the runs race to
NOISE_BATCHES = (1, 4, 16, 64, 256)
NOISE_DRAWS = 200


def data() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Digits as float64 rows: train (1438, 64), labels, test (359, 64), labels."""
    Xtr, ytr, Xte, yte = digits_images()
    return Xtr.reshape(len(Xtr), -1).astype(np.float64), ytr, Xte.reshape(len(Xte), -1).astype(np.float64), yte


def initial_weights(seed: int = 0) -> list[np.ndarray]:
    """[W1 (64, 32), b1, W2 (32, 10), b2]: normal weights scaled by 1/√fan_in, zero biases."""
    rng = np.random.default_rng(seed)
    return [rng.normal(size=(64, HIDDEN)) / 8.0, np.zeros(HIDDEN),
            rng.normal(size=(HIDDEN, 10)) / np.sqrt(HIDDEN), np.zeros(10)]


def forward(params, X) -> Tensor:
    W1, b1, W2, b2 = params
    return (Tensor(X) @ W1 + b1).tanh() @ W2 + b2


def loss_of(params, X, y) -> float:
    with no_grad():
        return float(F.cross_entropy(forward(params, X), Tensor(y)).item())


def accuracy(params, X, y) -> float:
    with no_grad():
        return float((forward(params, X).data.argmax(1) == y).mean())


def train(batch_size: int, lr: float, epochs: int, seed: int = 0) -> dict:
    """Plain SGD on mean cross-entropy; examples reshuffled each epoch by ``np.random.default_rng(seed)``.
    Returns the training loss after every epoch, the updates made, each epoch's seconds and the final weights."""
    Xtr, ytr, _, _ = data()
    n = len(ytr)
    params = [Tensor(w, requires_grad=True) for w in initial_weights()]
    opt = optim.SGD(params, lr=lr)
    rng = np.random.default_rng(seed)
    losses, seconds = [loss_of(params, Xtr, ytr)], []
    with one_blas_thread():
        for _ in range(epochs):
            order = rng.permutation(n)
            start = time.perf_counter()
            for b in range(0, n, batch_size):
                idx = order[b:b + batch_size]
                loss = F.cross_entropy(forward(params, Xtr[idx]), Tensor(ytr[idx]))
                opt.zero_grad()
                loss.backward()
                opt.step()
            seconds.append(time.perf_counter() - start)
            losses.append(loss_of(params, Xtr, ytr) if np.all(np.isfinite(params[0].data)) else float("nan"))
    return {"loss": np.array(losses), "seconds": np.array(seconds), "steps_per_epoch": -(-n // batch_size),
            "params": [p.data for p in params]}


def gradient(params, X, y) -> np.ndarray:
    """The mean cross-entropy's gradient over (X, y), all parameters flattened into one vector."""
    for p in params:
        p.grad = None
    F.cross_entropy(forward(params, X), Tensor(y)).backward()
    return np.concatenate([p.grad.data.ravel() for p in params])


def gradient_noise(seed: int = 0) -> dict:
    """At the initial weights: E‖g_B − g‖² and the cosine between g_B and the full gradient g, over
    ``NOISE_DRAWS`` batches drawn without replacement for every B in ``NOISE_BATCHES``."""
    Xtr, ytr, _, _ = data()
    params = [Tensor(w, requires_grad=True) for w in initial_weights()]
    rng = np.random.default_rng(seed)
    with one_blas_thread():
        full = gradient(params, Xtr, ytr)
        out = {}
        for B in NOISE_BATCHES:
            draws = [gradient(params, Xtr[idx], ytr[idx])
                     for idx in (rng.choice(len(ytr), B, replace=False) for _ in range(NOISE_DRAWS))]
            g = np.array(draws)
            cos = g @ full / (np.linalg.norm(g, axis=1) * np.linalg.norm(full))
            out[B] = (float(np.mean(np.sum((g - full) ** 2, axis=1))), float(np.mean(cos)))
    return {"full_norm2": float(full @ full), "by_batch": out}


def epochs_to(loss: np.ndarray, target: float):
    hit = np.flatnonzero(loss < target)
    return None if len(hit) == 0 else int(hit[0])


def compute(quick: bool) -> Result:
    r = Result()
    Xtr, ytr, Xte, yte = data()
    n = len(ytr)
    epochs = 10 if quick else 40
    r.number("epochs", epochs)
    r.number("n_train", n)
    r.number("target", TARGET)
    r.number("lr", LR)

    runs, scaled = {}, {}
    rows = []
    for B in BATCHES:
        run = runs[B] = train(B, LR, epochs)
        final = run["loss"][-1]
        r.number(f"loss_{B}", float(final), f"train(batch_size={B}, lr={LR}, epochs={epochs}): training cross-entropy")
        r.number(f"test_acc_{B}", accuracy([Tensor(w) for w in run["params"]], Xte, yte))
        r.number(f"epochs_to_target_{B}", epochs_to(run["loss"], TARGET), f"epochs until training loss < {TARGET}")
        e = r.numbers[f"epochs_to_target_{B}"]
        r.number(f"updates_to_target_{B}", None if e is None else e * run["steps_per_epoch"])
        r.number(f"ms_per_epoch_{B}", float(np.min(run["seconds"]) * 1e3), "fastest epoch of the run")
        r.number(f"seconds_to_target_{B}", None if e is None else float(np.sum(run["seconds"][:e])))
        lr_scaled = BASE_LR * B / BASE_BATCH
        s = scaled[B] = train(B, lr_scaled, epochs)
        r.number(f"scaled_lr_{B}", lr_scaled)
        r.number(f"scaled_loss_{B}", float(s["loss"][-1]), f"train(batch_size={B}, lr={lr_scaled:g}): linear scaling")
        rows.append([B, run["steps_per_epoch"], f"{final:.3f}", f"{r.numbers[f'test_acc_{B}']:.3f}", _show(e),
                     _show(r.numbers[f"updates_to_target_{B}"]), f"{r.numbers[f'ms_per_epoch_{B}']:.1f}",
                     f"{lr_scaled:g}", f"{s['loss'][-1]:.3f}"])
    r.table(f"MLP 64-32-10 (tanh) on digits ({n} training images), plain SGD, {epochs} epochs",
            ["batch", "updates / epoch", f"train loss (lr {LR:g})", "test accuracy", f"epochs to {TARGET:g}",
             f"updates to {TARGET:g}", "ms / epoch", "scaled lr", "train loss (scaled lr)"], rows)
    r.condition(f"float64; the same initial weights (seed 0) and the same shuffles for every run; SGD without momentum "
                f"or decay; linear scaling: lr = {BASE_LR:g} · B / {BASE_BATCH}. Times are on this machine, one BLAS "
                "thread.")

    # gradient noise against 1/B
    noise = gradient_noise()
    r.number("full_grad_norm2", noise["full_norm2"], "‖∇L‖² over the whole training set at the initial weights")
    for B, (var, cos) in noise["by_batch"].items():
        r.number(f"noise_{B}", var, f"E‖g_B − g‖² over {NOISE_DRAWS} batches of {B}")
        r.number(f"cos_{B}", cos, f"mean cosine between g_B and g, B = {B}")
    Bs = np.array(NOISE_BATCHES, dtype=float)
    # without replacement the variance is tr Σ / B · (N − B)/(N − 1): take the finite-population factor out
    corrected = np.array([noise["by_batch"][B][0] for B in NOISE_BATCHES]) / ((n - Bs) / (n - 1))
    r.number("noise_slope", float(np.polyfit(np.log(Bs), np.log(corrected), 1)[0]),
             "slope of log E‖g_B − g‖² (finite-population factor removed) against log B; 1/B gives −1")
    r.number("noise_times_b_spread", float(np.max(corrected * Bs) / np.min(corrected * Bs)),
             "max/min of B · E‖g_B − g‖² (1 if the variance is exactly ∝ 1/B)")

    # 1. a larger batch gives a more accurate direction
    cosines = [noise["by_batch"][B][1] for B in NOISE_BATCHES]
    r.check("larger-more-accurate", -1.2 < r.numbers["noise_slope"] < -0.8 and bool(np.all(np.diff(cosines) > 0)))

    # 2. fewer iterations per epoch: an epoch is processed faster
    per_epoch = [r.numbers[f"ms_per_epoch_{B}"] for B in BATCHES]
    r.number("epoch_speedup", per_epoch[0] / per_epoch[-1], f"ms per epoch, batch {BATCHES[0]} / full batch")
    r.check("epoch-faster", bool(np.all(np.diff(per_epoch) < 0)))

    # 3. blindly larger batches: at the same lr, the same accuracy takes longer
    def seconds(B):
        return r.numbers[f"seconds_to_target_{B}"]
    reached = [B for B in BATCHES if seconds(B) is not None]
    fastest = min(reached, key=seconds) if reached else None
    r.number("fastest_to_target", fastest, "batch size that reached the target in the least training time")
    r.number("fastest_seconds", float("nan") if fastest is None else seconds(fastest))
    missed = [str(B) for B in BATCHES if seconds(B) is None]
    r.number("not_reached", ", ".join(missed) if missed else "none", f"batch sizes still above {TARGET} after the run")
    full = seconds(BATCHES[-1])
    r.number("full_batch_to_target_en", f"never within {epochs} epochs" if full is None else f"{full:.3f} s")
    r.number("full_batch_to_target_zh", f"{epochs} 个 epoch 内始终达不到" if full is None else f"{full:.3f} 秒")
    full_later = seconds(BATCHES[-1]) is None or (fastest is not None and fastest != BATCHES[-1])
    more_epochs = all(_less(r.numbers[f"epochs_to_target_{a}"], r.numbers[f"epochs_to_target_{b}"])
                      or r.numbers[f"epochs_to_target_{a}"] == r.numbers[f"epochs_to_target_{b}"]
                      for a, b in zip(BATCHES, BATCHES[1:]))
    r.number("epochs_grow_with_batch", more_epochs, "epochs to the target never fell as the batch grew (fixed lr)")
    r.check("blind-increase-slower", full_later and more_epochs, otherwise="depends")

    # 4. beyond some size the direction hardly changes: the noise scale tr Σ / ‖g‖² (McCandlish et al. 2018) marks
    # where the noise E‖g_B − g‖² ≈ tr Σ / B falls below the signal ‖g‖²
    gains = np.diff(cosines)
    r.number("noise_scale", noise["by_batch"][1][0] / noise["full_norm2"],
             "B_noise = tr Σ / ‖g‖² at the initial weights (tr Σ = E‖g_1 − g‖²)")
    r.number("cos_gain_first", float(gains[0]), f"cosine gain from B = {NOISE_BATCHES[0]} to {NOISE_BATCHES[1]}")
    r.number("cos_gain_last", float(gains[-1]), f"cosine gain from B = {NOISE_BATCHES[-2]} to {NOISE_BATCHES[-1]}")
    r.number("cos_gain_max", float(gains.max()), "the largest cosine gain between neighbouring batch sizes")
    saturated = cosines[-1] > 0.95 and gains[-1] < 0.05
    diminishing = gains[-1] < gains.max()
    r.verdict("direction-saturates", "confirmed" if saturated else "depends" if diminishing else "corrected")

    # the linear scaling rule: how far the scaled runs' final losses spread, against the fixed-lr runs'
    fixed = np.array([r.numbers[f"loss_{B}"] for B in BATCHES])
    lin = np.array([r.numbers[f"scaled_loss_{B}"] for B in BATCHES])
    r.number("fixed_lr_loss_ratio", float(fixed.max() / fixed.min()), "max/min final loss over batch sizes, lr fixed")
    initial = float(runs[BATCHES[0]]["loss"][0])
    r.number("initial_loss", initial)
    learned = np.isfinite(lin) & (lin < initial)
    r.number("scaled_learned_up_to", int(np.array(BATCHES)[learned].max()) if learned.any() else None,
             "largest batch whose linearly scaled run ended below the initial loss")
    r.number("scaled_loss_ratio_small", float(lin[:3].max() / lin[:3].min()) if np.all(np.isfinite(lin[:3])) else None,
             f"max/min final loss, scaled lr, batches {BATCHES[:3]}")

    _figure(r, runs, scaled, noise, n)
    return r


def _less(a, b) -> bool:
    return a is not None and (b is None or a < b)


def _show(v):
    return "never" if v is None else f"{v:g}"


def _figure(r: Result, runs, scaled, noise, n: int) -> None:
    import matplotlib.pyplot as plt

    fig, axs = plt.subplots(1, 3, figsize=(15, 3.8))
    for B, run in runs.items():
        axs[0].semilogy(run["loss"], ".-", ms=3, lw=1, label=f"B = {B}")
        axs[1].semilogy(scaled[B]["loss"], ".-", ms=3, lw=1, label=f"B = {B}, lr {BASE_LR * B / BASE_BATCH:g}")
    for ax in axs[:2]:
        ax.axhline(TARGET, color="k", ls=":", lw=0.8)
        ax.set(xlabel="epoch", ylabel="training cross-entropy")
        ax.legend(fontsize=7)
    axs[0].set_title(f"lr {LR:g} for every batch size")
    axs[1].set_title(f"lr scaled with B ({BASE_LR:g} at B = {BASE_BATCH})")
    Bs = np.array(NOISE_BATCHES, dtype=float)
    var = np.array([noise["by_batch"][B][0] for B in NOISE_BATCHES])
    axs[2].loglog(Bs, var, "o-", label=r"measured $E\|g_B - g\|^2$")
    axs[2].loglog(Bs, var[0] / Bs * (n - Bs) / (n - 1), "k:", label=r"$\propto (1/B)\,(N-B)/(N-1)$")
    axs[2].set(xlabel="batch size B", ylabel="gradient noise", title="noise of a mini-batch gradient")
    axs[2].legend(fontsize=8)
    r.figure("batch_size", fig, "An MLP on digits trained by SGD at five batch sizes: with one learning rate (left) "
                                "and with the rate scaled linearly with the batch (middle); the variance of a "
                                "mini-batch gradient against B at the initial weights (right).")


ENTRY = Entry(
    id="batch-size",
    section="G",
    title={"zh": "batch size 如何影响收敛", "en": "How batch size affects convergence"},
    keywords=["batch size", "batch_size", "mini-batch", "小批量", "收敛速度", "gradient noise", "梯度噪声",
              "linear scaling", "学习率线性缩放", "epoch", "large batch"],
    claims={
        "larger-more-accurate": {
            "en": "The notes: \"within a range, the larger the batch size, the more accurate the descent direction it "
                  "fixes, and the less training oscillates\".",
            "zh": "笔记：\"在一定范围内，一般来说 Batch_Size 越大，其确定的下降方向越准，引起训练震荡越小。\""},
        "epoch-faster": {
            "en": "The notes: \"fewer iterations are needed per epoch, so the same amount of data is processed "
                  "faster\".",
            "zh": "笔记：\"跑完一次 epoch（全数据集）所需的迭代次数减少，对于相同数据量的处理速度进一步加快。\""},
        "blind-increase-slower": {
            "en": "The notes: \"blindly increasing the batch size: to reach the same accuracy takes much more time, so "
                  "the parameters are corrected more slowly\".",
            "zh": "笔记：\"盲目增大 batch_size……要想达到相同的精度，其所花费的时间大大增加了，从而对参数的修正也就显得更加缓慢。\""},
        "direction-saturates": {
            "en": "The notes: \"beyond a certain batch size, the descent direction it fixes hardly changes any "
                  "more\".",
            "zh": "笔记：\"Batch Size 增大到一定程度，其确定的下降方向已经基本不再变化。\""},
    },
    answer={
        "en": r"""
A mini-batch gradient $g_B$ is the mean of $B$ per-example gradients, an unbiased estimate of the full gradient
$g$ whose variance falls like $1/B$: $E\|g_B - g\|^2 = \frac{\operatorname{tr}\Sigma}{B}\cdot\frac{N-B}{N-1}$
when the batch is drawn without replacement from $N$ examples. So the batch size trades three things: the
noise of each step, the number of steps per epoch ($N/B$), and the cost of a step (which grows much more slowly
than $B$ on vectorised hardware).

Live run: a tanh MLP 64-32-10 on the digits ({=n_train} training images), plain SGD from the same weights, at
lr {=lr:g} for every batch size. After {=epochs} epochs the training loss is {=loss_8:.3f} at B = 8,
{=loss_32:.3f} at 32, {=loss_128:.3f} at 128, {=loss_512:.3f} at 512 and {=loss_1438:.3f} with the full batch
(test accuracy {=test_acc_8:.3f}, {=test_acc_32:.3f}, {=test_acc_128:.3f}, {=test_acc_512:.3f},
{=test_acc_1438:.3f}). With one learning rate, a larger batch simply takes fewer steps per epoch: the loss falls below
{=target:g} after {=updates_to_target_8} updates at B = 8 and {=updates_to_target_32} at B = 32, that is after
{=epochs_to_target_8} and {=epochs_to_target_32} epochs; batch sizes still above it after {=epochs} epochs:
{=not_reached}.

**Linear scaling** (Goyal et al. 2017): if $B$ grows $k$ times, grow the learning rate $k$ times, so that one
epoch still moves the weights about as far. With lr = 0.02 · B / 8 the final losses are {=scaled_loss_8:.3f},
{=scaled_loss_32:.3f}, {=scaled_loss_128:.3f}, {=scaled_loss_512:.3f} and {=scaled_loss_1438:.3g} (spread
{=scaled_loss_ratio_small:.2f}× over the three smallest batches against {=fixed_lr_loss_ratio:.1f}× at fixed lr).
It holds up to B = {=scaled_learned_up_to} here and breaks once the scaled rate exceeds what the curvature
allows (lr {=scaled_lr_1438:g} for the full batch ends at loss {=scaled_loss_1438:.3g}, from {=initial_loss:.2f});
in practice it is used with a warm-up and stops working at some critical batch size.

The notes' claims:

- **A larger batch gives a more accurate direction** — confirmed by measurement at the initial weights:
  $E\|g_B - g\|^2$ falls with slope {=noise_slope:.2f} in log-log (−1 is exactly $1/B$; $B \cdot$ variance varies
  by a factor {=noise_times_b_spread:.2f} across B = 1 … 256), and the mean cosine with the full gradient rises
  from {=cos_1:.2f} (B = 1) to {=cos_16:.2f} (16) and {=cos_256:.3f} (256).
- **Fewer iterations per epoch, so an epoch is faster** — an epoch takes {=ms_per_epoch_8:.0f} ms at B = 8,
  {=ms_per_epoch_128:.0f} ms at 128 and {=ms_per_epoch_1438:.1f} ms with the full batch ({=epoch_speedup:.0f}× faster):
  the per-step overhead (Python, the graph, small matrix products) is paid $N/B$ times.
- **Blindly increasing B, the same accuracy takes longer** — at a fixed learning rate the epochs to the target
  grow with B, and the least training time to the target was at B = {=fastest_to_target} ({=fastest_seconds:.3f} s);
  the full batch: {=full_batch_to_target_en} (final loss {=loss_1438:.2f}). The cure is the larger learning rate
  that the quieter gradient permits (linear scaling), until curvature stops it.
- **Beyond some size the direction no longer changes** — only past a size set by the problem and the moment of
  training. The noise $\operatorname{tr}\Sigma/B$ equals the signal $\|g\|^2$ = {=full_grad_norm2:.3g} at the noise
  scale $B_\text{noise} = \operatorname{tr}\Sigma/\|g\|^2$ = {=noise_scale:.0f} (McCandlish et al. 2018). Below it
  each 4× larger batch turns the direction a lot (cosine gain {=cos_gain_first:.2f} from B = 1 to 4, up to
  {=cos_gain_max:.2f}); from 64 to 256 the gain is {=cos_gain_last:.2f} and the cosine reaches {=cos_256:.2f}, so the
  returns diminish but have not stopped. As training proceeds $\|g\|$ shrinks, so $B_\text{noise}$ grows: the size
  "beyond which nothing changes" is not a constant.
""",
        "zh": r"""
mini-batch 梯度 $g_B$ 是 $B$ 个单样本梯度的平均，是全量梯度 $g$ 的无偏估计，方差按 $1/B$ 下降：从 $N$ 个样本中不放回地抽取时，
$E\|g_B - g\|^2 = \frac{\operatorname{tr}\Sigma}{B}\cdot\frac{N-B}{N-1}$。所以 batch size 在三件事之间权衡：每一步的噪声、每个 epoch
的步数（$N/B$）、每一步的开销（在向量化硬件上远比 $B$ 增长得慢）。

实测：digits 数据（{=n_train} 张训练图像）上的 tanh MLP 64-32-10，相同初始权重，普通 SGD，所有 batch size 都用 lr {=lr:g}。
{=epochs} 个 epoch 后，训练损失在 B = 8 时为 {=loss_8:.3f}，32 时 {=loss_32:.3f}，128 时 {=loss_128:.3f}，512 时 {=loss_512:.3f}，全量
batch 为 {=loss_1438:.3f}（测试准确率 {=test_acc_8:.3f}、{=test_acc_32:.3f}、{=test_acc_128:.3f}、{=test_acc_512:.3f}、{=test_acc_1438:.3f}）。
学习率不变时，大 batch 每个 epoch 走的步数就少：B = 8 经过 {=updates_to_target_8} 次更新、B = 32 经过 {=updates_to_target_32} 次更新，
损失降到 {=target:g} 以下，也就是分别用了 {=epochs_to_target_8} 个和 {=epochs_to_target_32} 个 epoch；{=epochs} 个 epoch 后仍未达到的
batch size：{=not_reached}。

**线性缩放规则**（Goyal 等，2017）：$B$ 变为 $k$ 倍，学习率也变为 $k$ 倍，使一个 epoch 内权重移动的距离大致不变。取
lr = 0.02 · B / 8，最终损失为 {=scaled_loss_8:.3f}、{=scaled_loss_32:.3f}、{=scaled_loss_128:.3f}、{=scaled_loss_512:.3f} 和
{=scaled_loss_1438:.3g}（最小的三个 batch 之间相差 {=scaled_loss_ratio_small:.2f} 倍，而固定学习率时相差 {=fixed_lr_loss_ratio:.1f} 倍）。
这里规则一直到 B = {=scaled_learned_up_to} 都成立；当缩放后的学习率超过曲率允许的范围，规则就失效了（全量 batch 对应 lr {=scaled_lr_1438:g}，
最终损失 {=scaled_loss_1438:.3g}，初始为 {=initial_loss:.2f}）；实践中要配合 warm-up，且存在一个临界
batch size，超过它就不再有效。

逐条检验笔记：

- **batch 越大，下降方向越准**——在初始权重处实测成立：$E\|g_B - g\|^2$ 在对数坐标下斜率为 {=noise_slope:.2f}（−1 即严格的
  $1/B$；B = 1 … 256 之间 $B \cdot$ 方差只相差 {=noise_times_b_spread:.2f} 倍），与全量梯度的平均余弦相似度从 {=cos_1:.2f}（B = 1）
  升到 {=cos_16:.2f}（16）和 {=cos_256:.3f}（256）。
- **每个 epoch 迭代次数少，处理速度更快**——B = 8 时一个 epoch 耗时 {=ms_per_epoch_8:.0f} ms，128 时 {=ms_per_epoch_128:.0f} ms，
  全量 batch {=ms_per_epoch_1438:.1f} ms（快 {=epoch_speedup:.0f} 倍）：每一步的固定开销（Python、计算图、小矩阵乘法）要付 $N/B$ 次。
- **盲目增大 batch，达到相同精度花的时间更多**——学习率固定时，达到目标所需的 epoch 数随 B 增大，训练时间最少的是
  B = {=fastest_to_target}（{=fastest_seconds:.3f} 秒）；全量 batch：{=full_batch_to_target_zh}（最终损失 {=loss_1438:.2f}）。解决办法是利用梯度噪声变小
  而允许的更大学习率（线性缩放），直到曲率成为限制。
- **增大到一定程度，方向基本不再变化**——要超过一个由问题和训练阶段决定的大小才成立。噪声 $\operatorname{tr}\Sigma/B$ 等于信号
  $\|g\|^2$ = {=full_grad_norm2:.3g} 的位置是噪声尺度 $B_\text{noise} = \operatorname{tr}\Sigma/\|g\|^2$ = {=noise_scale:.0f}（McCandlish 等，2018）。
  在它之下，batch 每增大 4 倍方向都改善很多（B 从 1 到 4 余弦相似度增加 {=cos_gain_first:.2f}，最多增加 {=cos_gain_max:.2f}）；从 64 到 256
  增加 {=cos_gain_last:.2f}，余弦达到 {=cos_256:.2f}：收益在递减，但还没有停止。训练中 $\|g\|$ 变小，$B_\text{noise}$ 随之变大："不再变化"的
  那个大小并不是常数。
""",
    },
    compute=compute,
)
