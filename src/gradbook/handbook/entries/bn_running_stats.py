"""BN's running statistics: the momentum update, the unbiased running variance, what evaluation
mode does with them, and how far a biased estimate would be off."""
from __future__ import annotations

import numpy as np

from ... import backend, nn
from ...autograd import Tensor, no_grad
from ...nn import functional as F
from ..entry import Entry
from ..result import Result

MU, SIGMA = 2.0, 3.0          # every channel's true mean and standard deviation
BATCH = 4                     # a small batch makes the (m − 1)/m bias visible
MOMENTUM, EPS = 0.1, 1e-5


def batches(steps: int, channels: int, seed: int = 0) -> np.ndarray:
    """(steps, BATCH, channels) samples of N(MU, SIGMA²); the channels are independent replicas."""
    return backend.spawn_rng(seed).normal(MU, SIGMA, (steps, BATCH, channels))


def expected_running(steps: int, unbiased: bool = True) -> tuple[float, float]:
    """E[running mean], E[running var] after ``steps`` updates from the initial (0, 1):
    (1 − (1 − m)^T)·E[batch statistic] + (1 − m)^T·initial value."""
    decay = (1 - MOMENTUM) ** steps
    batch_var = SIGMA ** 2 if unbiased else SIGMA ** 2 * (BATCH - 1) / BATCH
    return (1 - decay) * MU, (1 - decay) * batch_var + decay * 1.0


def compute(quick: bool) -> Result:
    r = Result()
    steps, channels = (100, 400) if quick else (300, 4000)
    data = batches(steps, channels)
    running_mean, running_var = np.zeros(channels), np.ones(channels)
    hand_mean, hand_var, hand_var_biased = np.zeros(channels), np.ones(channels), np.ones(channels)
    trace = []
    for t in range(steps):
        F.batch_norm(Tensor(data[t]), running_mean, running_var, training=True, momentum=MOMENTUM, eps=EPS)
        # the same recursion written out in NumPy
        hand_mean = (1 - MOMENTUM) * hand_mean + MOMENTUM * data[t].mean(axis=0)
        hand_var = (1 - MOMENTUM) * hand_var + MOMENTUM * data[t].var(axis=0, ddof=1)
        hand_var_biased = (1 - MOMENTUM) * hand_var_biased + MOMENTUM * data[t].var(axis=0)
        trace.append((running_mean[0], running_var[0], running_mean.mean(), running_var.mean()))
    # the layer does the same: nn.BatchNorm1d keeps the buffers and switches on train()/eval()
    layer = nn.BatchNorm1d(channels, momentum=MOMENTUM, eps=EPS, affine=False, dtype=np.float64)
    layer.train()
    with no_grad():
        for t in range(steps):
            layer(Tensor(data[t]))
    r.number("err_layer_vs_functional", float(max(np.abs(layer.running_mean.data - running_mean).max(),
                                                  np.abs(layer.running_var.data - running_var).max())),
             "nn.BatchNorm1d buffers after the same batches vs F.batch_norm's")
    r.number("num_batches_tracked", int(layer.num_batches_tracked.item()), "layer.num_batches_tracked")
    r.condition(f"{steps} steps of batches of {BATCH} from N({MU}, {SIGMA}²), momentum {MOMENTUM}, "
                f"{channels} independent channels (averaged to estimate expectations)")
    r.number("steps", steps)
    r.number("err_vs_hand_recursion", float(max(np.abs(running_mean - hand_mean).max(),
                                                np.abs(running_var - hand_var).max())),
             "F.batch_norm(x, running_mean, running_var, training=True) buffers vs NumPy recursion")
    r.number("running_mean_c0", float(running_mean[0]), "running_mean[0] after all steps")
    r.number("running_var_c0", float(running_var[0]), "running_var[0] after all steps")
    exp_mean, exp_var = expected_running(steps)
    _, exp_var_biased = expected_running(steps, unbiased=False)
    r.number("avg_running_mean", float(running_mean.mean()), "running_mean.mean() over channels")
    r.number("avg_running_var", float(running_var.mean()), "running_var.mean() over channels")
    r.number("avg_running_var_biased", float(hand_var_biased.mean()), "same recursion with the biased batch variance")
    r.number("expected_mean", exp_mean, "(1 − (1 − m)^T)·μ")
    r.number("expected_var", exp_var, "(1 − (1 − m)^T)·σ² + (1 − m)^T")
    r.number("expected_var_biased", exp_var_biased, "(1 − (1 − m)^T)·σ²·(n − 1)/n + (1 − m)^T")
    r.number("biased_ratio", float(hand_var_biased.mean() / running_var.mean()), "biased / unbiased running var")

    # evaluation: the running statistics, the same output for a sample whatever its batch-mates
    rng = backend.spawn_rng(1)
    test = rng.normal(MU, SIGMA, (2000, channels))
    y_eval = F.batch_norm(Tensor(test), running_mean, running_var, training=False, eps=EPS).data
    by_hand = (test - running_mean) / np.sqrt(running_var + EPS)
    r.number("eval_err_vs_formula", float(np.abs(y_eval - by_hand).max()),
             "F.batch_norm(x, rm, rv, training=False) vs (x − rm)/√(rv + ε)")
    layer.eval()
    with no_grad():
        r.number("eval_err_layer", float(np.abs(layer(Tensor(test)).data - by_hand).max()),
                 "nn.BatchNorm1d after .eval() vs (x − rm)/√(rv + ε)")
    y_eval_biased = (test - running_mean) / np.sqrt(hand_var_biased + EPS)
    r.number("eval_std", float(y_eval.std()), "std of the evaluation outputs (unbiased running var)")
    r.number("eval_std_biased", float(y_eval_biased.std()), "std of the evaluation outputs (biased running var)")
    first = test[:1, :3]
    pair_a = F.batch_norm(Tensor(np.vstack([first, test[1:4, :3]])), None, None, training=True).data[0]
    pair_b = F.batch_norm(Tensor(np.vstack([first, test[4:7, :3] + 5])), None, None, training=True).data[0]
    r.number("train_output_shift", float(np.abs(pair_a - pair_b).max()),
             "train-mode output of one sample in two different batches")

    # the original paper's inference statistics: averages over all training batches
    pop_mean = data.mean(axis=(0, 1))
    pop_var = data.var(axis=1).mean(axis=0) * BATCH / (BATCH - 1)
    r.number("pop_mean_rmse", float(np.sqrt(((pop_mean - MU) ** 2).mean())), "whole-run average of batch means")
    r.number("ema_mean_rmse", float(np.sqrt(((running_mean - MU) ** 2).mean())), "exponential moving average")
    r.number("pop_var_rmse", float(np.sqrt(((pop_var - SIGMA ** 2) ** 2).mean())), "m/(m−1)·average batch var")
    r.number("ema_var_rmse", float(np.sqrt(((running_var - SIGMA ** 2) ** 2).mean())), "running_var")
    by_population = (test - pop_mean) / np.sqrt(pop_var + EPS)
    r.number("eval_err_vs_population", float(np.abs(y_eval - by_population).max()),
             "F.batch_norm(x, rm, rv, training=False) vs normalising with the whole-run statistics")
    r.number("ema_weight_last_10", 1 - (1 - MOMENTUM) ** 10, "share of the running mean from the last 10 batches")

    r.table("Running statistics after the last step (averaged over channels)",
            ["quantity", "gradbook", "expected (closed form)"],
            [["running mean", r.numbers["avg_running_mean"], exp_mean],
             ["running var (unbiased batch var)", r.numbers["avg_running_var"], exp_var],
             ["running var if the biased batch var were used", r.numbers["avg_running_var_biased"], exp_var_biased]])
    r.table("Estimating the population statistics (RMSE over channels)", ["method", "mean", "variance"],
            [["EMA, momentum 0.1 (PyTorch, gradbook)", r.numbers["ema_mean_rmse"], r.numbers["ema_var_rmse"]],
             ["average over all batches (BN paper)", r.numbers["pop_mean_rmse"], r.numbers["pop_var_rmse"]]])

    tol = 4 * SIGMA ** 2 / np.sqrt(channels)  # a loose sampling tolerance for the channel averages
    r.check("running-var-unbiased", r.numbers["err_vs_hand_recursion"] < 1e-12
            and abs(r.numbers["avg_running_var"] - exp_var) < tol)
    r.check("biased-underestimates", abs(r.numbers["biased_ratio"] - (BATCH - 1) / BATCH) < 0.05
            and r.numbers["eval_std_biased"] > r.numbers["eval_std"])
    r.check("eval-uses-running", r.numbers["eval_err_vs_formula"] < 1e-12 and r.numbers["eval_err_layer"] < 1e-12
            and r.numbers["train_output_shift"] > 0.1)
    # the paper's recipe estimates well, but the layer's eval output is not what it would give
    uses_population = r.numbers["eval_err_vs_population"] < 1e-6
    paper_recipe_sound = r.numbers["pop_var_rmse"] <= r.numbers["ema_var_rmse"]
    r.verdict("whole-dataset-stats", "confirmed" if uses_population else "depends" if paper_recipe_sound
              else "corrected")
    r.condition("Test-time statistics: the BN paper averages all training batches after training; PyTorch, "
                "TensorFlow and gradbook keep an exponential moving average during training instead")

    import matplotlib.pyplot as plt
    tr = np.array(trace)
    ts = np.arange(1, steps + 1)
    decay = (1 - MOMENTUM) ** ts
    fig, axs = plt.subplots(1, 2, figsize=(9, 3.2))
    axs[0].plot(ts, tr[:, 0], lw=0.8, label="one channel")
    axs[0].plot(ts, tr[:, 2], label="channel average")
    axs[0].plot(ts, (1 - decay) * MU, "k--", label="expected")
    axs[0].set(xlabel="step", ylabel="running mean", title="running_mean")
    axs[1].plot(ts, tr[:, 1], lw=0.8, label="one channel")
    axs[1].plot(ts, tr[:, 3], label="channel average")
    axs[1].plot(ts, (1 - decay) * SIGMA ** 2 + decay, "k--", label="expected (unbiased)")
    axs[1].plot(ts, (1 - decay) * SIGMA ** 2 * (BATCH - 1) / BATCH + decay, "r:", label="expected if biased")
    axs[1].set(xlabel="step", ylabel="running var", title="running_var")
    axs[1].legend(fontsize=7)
    axs[0].legend(fontsize=7)
    r.figure("running_stats", fig, "Running statistics over training steps against their closed-form expectations.")
    return r


ENTRY = Entry(
    id="bn-running-stats",
    section="D",
    title={"zh": "BN 的均值方差如何更新；训练与测试的区别", "en": "BN running statistics; train vs. eval"},
    keywords=["running mean", "running var", "momentum", "滑动平均", "移动平均", "eval", "测试", "BN", "batch norm",
              "无偏", "unbiased"],
    claims={
        "running-var-unbiased": {
            "en": "The running variance is updated with the unbiased batch variance (divided by n − 1, n values per channel), although the batch itself is normalised with the biased one (divided by n).",
            "zh": "滑动方差用无偏的批方差（除以 n − 1，n 为每个通道的数值个数）更新，而批内归一化用的是有偏方差（除以 n）。"},
        "biased-underestimates": {
            "en": "Using the biased batch variance for the running variance would underestimate it by the factor (n − 1)/n and inflate the evaluation outputs.",
            "zh": "若滑动方差使用有偏批方差，会低估为 (n − 1)/n 倍，并使测试时的输出偏大。"},
        "eval-uses-running": {
            "en": "In evaluation mode BN uses the stored running statistics, so a sample's output no longer depends on the rest of its batch.",
            "zh": "测试（eval）模式下 BN 使用保存的滑动统计量，样本的输出不再依赖同批的其他样本。"},
        "whole-dataset-stats": {
            "en": "The notes: at test time the mean and variance are no longer those of one batch but of the whole "
                  "dataset; record every batch's mean and variance during training and compute the overall ones "
                  "after training.",
            "zh": "笔记原文：在测试过程中使用的均值和方差已经不是某一个 batch 的了，而是针对整个数据集而言。因此在训练过程中"
                  "要记录每一个 batch 的均值和方差，以便训练完成之后计算整体的均值和方差。"},
    },
    answer={
        "en": r"""
In training, BN normalises with the statistics of the current batch. It also keeps two buffers
per channel, updated after every batch with the momentum $m$ (PyTorch's convention: the weight
of the *new* value; Keras's momentum 0.99 means the same as PyTorch's 0.01):
$$\hat{\mu} \leftarrow (1-m)\hat{\mu} + m\mu_B, \qquad \hat{\sigma}^2 \leftarrow (1-m)\hat{\sigma}^2 + m\frac{n}{n-1}\sigma_B^2 .$$
The batch is normalised with the biased $\sigma_B^2$ (it is the batch's own spread), but the buffer
stores the unbiased $\frac{n}{n-1}\sigma_B^2$, since it estimates the population variance. After
{=steps} steps gradbook's buffers equal this recursion written in NumPy to {=err_vs_hand_recursion:.1e};
averaged over many channels the running variance is {=avg_running_var:.3f} against the expected
{=expected_var:.3f}. With the biased variance it would be {=avg_running_var_biased:.3f}
(ratio {=biased_ratio:.3f}, close to $(n-1)/n$ for batches of 4), and evaluation outputs would have
standard deviation {=eval_std_biased:.3f} instead of {=eval_std:.3f}.

`nn.BatchNorm1d` fed the same batches holds the same buffers (difference {=err_layer_vs_functional:.1e},
{=num_batches_tracked} batches tracked). In evaluation mode (`model.eval()`) the buffers replace the batch
statistics, so BN becomes a fixed affine map: the output equals $(x-\hat{\mu})/\sqrt{\hat{\sigma}^2+\epsilon}$ to
{=eval_err_layer:.1e}, while in training the same sample's output moved by
{=train_output_shift:.3f} when its batch-mates changed.

"Statistics of the whole training set" is the BN paper's recipe (average every batch after
training); frameworks keep the moving average instead, which tracks the most recent
$\approx 1/m$ batches (the last 10 carry {=ema_weight_last_10:.0%} of its weight). Here the averaging gives
variance RMSE {=pop_var_rmse:.3f} against {=ema_var_rmse:.3f} for the moving average, and the layer's
evaluation output differs from normalising with the whole-run statistics by up to {=eval_err_vs_population:.3f}:
the notes describe the paper, not what `model.eval()` does in PyTorch or gradbook.
""",
        "zh": r"""
训练时 BN 用当前批的统计量做归一化，同时为每个通道维护两个缓冲区，每个批次后按动量 $m$ 更新（PyTorch 约定 $m$ 是*新值*的权重；
Keras 的 momentum 0.99 相当于 PyTorch 的 0.01）：
$$\hat{\mu} \leftarrow (1-m)\hat{\mu} + m\mu_B, \qquad \hat{\sigma}^2 \leftarrow (1-m)\hat{\sigma}^2 + m\frac{n}{n-1}\sigma_B^2 .$$
批内归一化用有偏方差 $\sigma_B^2$（它就是这一批自身的离散程度），而缓冲区保存无偏的 $\frac{n}{n-1}\sigma_B^2$，因为它要估计总体方差。
{=steps} 步之后，gradbook 的缓冲区与用 NumPy 手写的递推相差 {=err_vs_hand_recursion:.1e}；对大量通道取平均，滑动方差为
{=avg_running_var:.3f}，理论期望为 {=expected_var:.3f}。若使用有偏方差则为 {=avg_running_var_biased:.3f}
（比值 {=biased_ratio:.3f}，接近批大小为 4 时的 $(n-1)/n$），测试输出的标准差会是 {=eval_std_biased:.3f} 而不是 {=eval_std:.3f}。

用同样的批次训练 `nn.BatchNorm1d`，缓冲区完全相同（差 {=err_layer_vs_functional:.1e}，共记录 {=num_batches_tracked} 个批次）。
测试模式（`model.eval()`）下用缓冲区代替批统计量，BN 变成固定的仿射变换：输出与 $(x-\hat{\mu})/\sqrt{\hat{\sigma}^2+\epsilon}$
相差 {=eval_err_layer:.1e}；而训练模式下，同一个样本换了同批样本后输出变化了 {=train_output_shift:.3f}。

"使用整个训练集的统计量" 是 BN 原论文的做法（训练结束后对所有批次取平均）；主流框架改用滑动平均，只反映最近约 $1/m$
个批次（最近 10 个批次占 {=ema_weight_last_10:.0%} 的权重）。本实验中全体平均的方差 RMSE 为 {=pop_var_rmse:.3f}，
滑动平均为 {=ema_var_rmse:.3f}；该层测试模式的输出与用全体统计量归一化的结果最多相差 {=eval_err_vs_population:.3f}：
笔记描述的是原论文的做法，而不是 PyTorch 或 gradbook 中 `model.eval()` 的行为。
""",
    },
    compute=compute,
)
