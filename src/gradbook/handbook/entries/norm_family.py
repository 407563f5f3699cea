"""BN, LN, IN and GN: which axes each one normalises (shown on one tensor), GN's special cases,
and what happens to each as the batch shrinks to 2."""
from __future__ import annotations

import numpy as np

from ... import backend, nn
from ...autograd import Tensor, no_grad
from ...data import digits
from ...nn import functional as F
from ..entry import Entry
from ..result import Result

GROUPS = 3
SLICES = {  # name → how to view (N, C, H, W) and which axes make one slice
    "per channel (N, H, W)": (lambda y: y, (0, 2, 3)),
    "per sample (C, H, W)": (lambda y: y, (1, 2, 3)),
    "per sample and channel (H, W)": (lambda y: y, (2, 3)),
    "per sample and group of {} channels": (lambda y: y.reshape(y.shape[0], GROUPS, -1), (2,)),
}


def feature_map(seed: int = 0) -> np.ndarray:
    """(N=4, C=6, H=3, W=3) with a different offset and scale for every sample and every channel."""
    rng = backend.spawn_rng(seed)
    n, c = 4, 6
    offset = rng.normal(0, 3, (n, 1, 1, 1)) + rng.normal(0, 3, (1, c, 1, 1))
    scale = rng.uniform(0.5, 3, (n, 1, 1, 1)) * rng.uniform(0.5, 3, (1, c, 1, 1))
    return offset + scale * rng.normal(size=(n, c, 3, 3))


def normalise_all(x: np.ndarray) -> dict[str, np.ndarray]:
    t = Tensor(x)
    c = x.shape[1]
    return {"BatchNorm": F.batch_norm(t, None, None, training=True).data,
            "LayerNorm": F.layer_norm(t, x.shape[1:]).data,
            "InstanceNorm": F.instance_norm(t).data,
            "GroupNorm": F.group_norm(t, GROUPS).data,
            "GroupNorm G=1": F.group_norm(t, 1).data,
            "GroupNorm G=C": F.group_norm(t, c).data}


def slice_stats(y: np.ndarray, view, axes) -> tuple[float, float]:
    """Largest |mean| and largest |var − 1| over the slices."""
    v = view(y)
    return float(np.abs(v.mean(axis=axes)).max()), float(np.abs(v.var(axis=axes) - 1).max())


def _mlp(norm: str):
    layers = {"BatchNorm": lambda: nn.BatchNorm1d(32), "GroupNorm": lambda: nn.GroupNorm(4, 32),
              "LayerNorm": lambda: nn.LayerNorm(32), "none": lambda: None}
    return nn.Linear(64, 32), layers[norm](), nn.Linear(32, 10)


def batch_size_accuracy(norm: str, batch: int, data, n_train: int, epochs: int, seed: int) -> float:
    """Test accuracy of 64-32-10 (Linear → norm → ReLU → Linear) trained by SGD (momentum 0.9,
    lr 0.2·batch/32, the same number of epochs for every batch size) and evaluated in eval mode."""
    from ... import optim  # imported here so that the registry never depends on it

    Xtr, ytr, Xte, yte = data
    backend.manual_seed(seed)
    l1, nm, l2 = _mlp(norm)
    mods = [m for m in (l1, nm, l2) if m is not None]
    opt = optim.SGD([p for m in mods for p in m.parameters()], lr=0.2 * batch / 32, momentum=0.9)

    def forward(x):
        h = l1(x)
        return l2(F.relu(nm(h) if nm is not None else h))

    rng = backend.spawn_rng(seed)
    for _ in range(epochs):
        order = rng.permutation(n_train)
        for s in range(0, n_train - batch + 1, batch):
            b = order[s:s + batch]
            loss = F.cross_entropy(forward(Tensor(Xtr[b])), Tensor(ytr[b]))
            opt.zero_grad()
            loss.backward()
            opt.step()
    for m in mods:
        m.eval()
    with no_grad():
        return float((forward(Tensor(Xte)).data.argmax(1) == yte).mean())


def compute(quick: bool) -> Result:
    r = Result()
    x = feature_map()
    outs = normalise_all(x)
    rows, stats = [], {}
    for method in ("BatchNorm", "LayerNorm", "InstanceNorm", "GroupNorm"):
        row = [method]
        for name, (view, axes) in SLICES.items():
            m, v = slice_stats(outs[method], view, axes)
            stats[method, name] = (m, v)
            row.append(f"{m:.1e} / {v:.1e}")
        rows.append(row)
    slice_names = list(SLICES)
    r.table("Max |mean| / max |var − 1| over each kind of slice, x of shape (4, 6, 3, 3)",
            ["method"] + [s.format(6 // GROUPS) for s in slice_names], rows)
    own = {"BatchNorm": slice_names[0], "LayerNorm": slice_names[1], "InstanceNorm": slice_names[2],
           "GroupNorm": slice_names[3]}
    for method, s in own.items():
        r.number(f"{method}_own_mean", stats[method, s][0], f"max |mean| of F.{method} output over its own slices")
        r.number(f"{method}_own_var", stats[method, s][1], f"max |var − 1| of F.{method} output over its own slices")
    r.number("BatchNorm_per_sample_mean", stats["BatchNorm", slice_names[1]][0],
             "max |mean| of the BN output over one sample")
    r.number("LayerNorm_per_channel_mean", stats["LayerNorm", slice_names[0]][0],
             "max |mean| of the LN output over one channel")
    r.number("gn1_vs_ln", float(np.abs(outs["GroupNorm G=1"] - outs["LayerNorm"]).max()), "F.group_norm(x, 1) − F.layer_norm")
    r.number("gnc_vs_in", float(np.abs(outs["GroupNorm G=C"] - outs["InstanceNorm"]).max()), "F.group_norm(x, C) − F.instance_norm")
    two = F.batch_norm(Tensor(np.array([[0.3, -5.0, 100.0], [0.7, 2.0, 100.5]])), None, None, training=True).data
    r.number("bn_two_samples", [[round(float(v), 4) for v in row] for row in two],
             "F.batch_norm on a batch of two samples")

    train, test = digits()
    Xtr, ytr = (np.asarray(t) for t in train.tensors)
    Xte, yte = (np.asarray(t) for t in test.tensors)
    data = (Xtr.reshape(len(Xtr), -1), ytr, Xte.reshape(len(Xte), -1), yte)
    batches = [32, 2] if quick else [32, 8, 2]
    norms = ["BatchNorm", "GroupNorm"] + ([] if quick else ["LayerNorm", "none"])
    seeds = [0] if quick else [0, 1]
    n_train, epochs = (300, 2) if quick else (len(Xtr), 2)
    acc = {(n, b): float(np.mean([batch_size_accuracy(n, b, data, n_train, epochs, s) for s in seeds]))
           for n in norms for b in batches}
    for (n, b), a in acc.items():
        r.number(f"acc_{n}_b{b}", a, f"digits test accuracy, {n}, batch {b}")
    r.table("Digits test accuracy (eval mode) vs batch size", ["norm"] + [f"batch {b}" for b in batches],
            [[n] + [acc[n, b] for b in batches] for n in norms])
    r.condition(f"digits (8×8), MLP 64-32-10 with the norm after the hidden Linear, {epochs} epochs over "
                f"{n_train} training images, SGD momentum 0.9 with lr ∝ batch size, {len(seeds)} seed(s)")

    tol = 1e-3  # var(x̂) = σ²/(σ²+ε) is 1 only up to ε
    r.check("axes", all(r.numbers[f"{m}_own_mean"] < 1e-10 and r.numbers[f"{m}_own_var"] < tol for m in own)
            and r.numbers["BatchNorm_per_sample_mean"] > 0.1 and r.numbers["LayerNorm_per_channel_mean"] > 0.1)
    r.check("gn-special-cases", r.numbers["gn1_vs_ln"] < 1e-10 and r.numbers["gnc_vs_in"] < 1e-10)
    r.check("bn-small-batch", acc["BatchNorm", 2] < acc["BatchNorm", 32] - 0.05
            and all(acc[n, 2] > acc["BatchNorm", 2] for n in norms if n not in ("BatchNorm", "none")))

    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(5, 3.2))
    for n in norms:
        ax.plot(batches, [acc[n, b] for b in batches], "o-", label=n)
    ax.set(xscale="log", xlabel="batch size", ylabel="test accuracy", title="Normalisation vs batch size")
    ax.set_xticks(batches)
    ax.set_xticklabels([str(b) for b in batches])
    ax.legend(fontsize=8)
    r.figure("norm_batch", fig, "BatchNorm needs batch statistics; with 2 samples they are useless, GN/LN do not care.")
    return r


ENTRY = Entry(
    id="norm-family",
    section="D",
    title={"zh": "BN、LN、IN、GN 的区别", "en": "BN vs. LN vs. IN vs. GN"},
    keywords=["batch norm", "layer norm", "instance norm", "group norm", "switchable norm", "BN", "LN", "IN", "GN", "SN",
              "归一化", "批大小", "batch size"],
    claims={
        "axes": {
            "en": "BN normalises each channel over (N, H, W); LN each sample over (C, H, W); IN each sample's channel over (H, W); GN each sample's group of channels over (C/G, H, W).",
            "zh": "BN 对每个通道在 (N, H, W) 上归一化；LN 对每个样本在 (C, H, W) 上；IN 对每个样本的每个通道在 (H, W) 上；GN 对每个样本的每组通道在 (C/G, H, W) 上。"},
        "gn-special-cases": {
            "en": "GroupNorm with one group is LayerNorm (over C, H, W); with one channel per group it is InstanceNorm.",
            "zh": "GroupNorm 只分 1 组时就是 LayerNorm（在 C, H, W 上）；每组 1 个通道时就是 InstanceNorm。"},
        "bn-small-batch": {
            "en": "BN degrades when the batch is very small, while GN and LN (which do not use the batch) do not.",
            "zh": "batch 很小时 BN 效果明显下降，而不依赖 batch 的 GN 和 LN 不受影响。"},
    },
    answer={
        "en": r"""
All four compute $\hat{x} = (x-\mu)/\sqrt{\sigma^2+\epsilon}$ and then a per-channel $\gamma, \beta$; they differ
only in **which values share one $\mu, \sigma$**. For a feature map of shape $(N, C, H, W)$:
- **BN**: one pair per channel, over $(N, H, W)$ — depends on the other samples in the batch, needs running statistics for inference.
- **LN**: one pair per sample, over $(C, H, W)$ — independent of the batch; the standard choice in RNNs and Transformers.
- **IN**: one pair per sample and channel, over $(H, W)$ — removes each image's per-channel contrast (style transfer, GANs).
- **GN**: channels split into $G$ groups, one pair per sample and group — LN when $G=1$, IN when $G=C$.

On one tensor of shape (4, 6, 3, 3) with offsets per sample and per channel, each method's own slices
end with mean at most {=BatchNorm_own_mean:.1e} (BN), {=LayerNorm_own_mean:.1e} (LN),
{=InstanceNorm_own_mean:.1e} (IN), {=GroupNorm_own_mean:.1e} (GN) and variance 1 up to $\epsilon$, while other
slices do not: a BN output's per-sample mean reaches {=BatchNorm_per_sample_mean:.2f}. GN with $G=1$ equals LN
to {=gn1_vs_ln:.1e}, and with $G=C$ equals IN to {=gnc_vs_in:.1e}.

**Small batches.** With two samples every BN output is about $\pm 1$ whatever the input
({=bn_two_samples}), and the running statistics come from noisy batches. On digits an MLP with BN
reached {=acc_BatchNorm_b32:.3f} at batch 32 but {=acc_BatchNorm_b2:.3f} at batch 2, while GN, which
never looks across samples, gave {=acc_GroupNorm_b32:.3f} and {=acc_GroupNorm_b2:.3f}. Switchable Norm (SN) learns a weighted mix of
the BN, LN and IN statistics; gradbook does not implement it.
""",
        "zh": r"""
四者都先计算 $\hat{x} = (x-\mu)/\sqrt{\sigma^2+\epsilon}$，再做逐通道的 $\gamma, \beta$ 变换；区别只在于**哪些数值共享同一组
$\mu, \sigma$**。对形状为 $(N, C, H, W)$ 的特征图：
- **BN**：每个通道一组，在 $(N, H, W)$ 上统计——依赖同批的其他样本，推理时需要滑动统计量。
- **LN**：每个样本一组，在 $(C, H, W)$ 上统计——与 batch 无关，是 RNN 和 Transformer 的标准选择。
- **IN**：每个样本的每个通道一组，在 $(H, W)$ 上统计——去掉每张图各通道的对比度（风格迁移、GAN）。
- **GN**：把通道分成 $G$ 组，每个样本每组一对统计量——$G=1$ 时即 LN，$G=C$ 时即 IN。

在一个形状为 (4, 6, 3, 3)、各样本与各通道带不同偏移的张量上，每种方法在"自己的"切片上均值最大为
{=BatchNorm_own_mean:.1e}（BN）、{=LayerNorm_own_mean:.1e}（LN）、{=InstanceNorm_own_mean:.1e}（IN）、{=GroupNorm_own_mean:.1e}（GN），
方差在 $\epsilon$ 误差内为 1；其他切片则不然：BN 输出按样本的均值可达 {=BatchNorm_per_sample_mean:.2f}。$G=1$ 的 GN 与 LN 相差
{=gn1_vs_ln:.1e}，$G=C$ 的 GN 与 IN 相差 {=gnc_vs_in:.1e}。

**小 batch。** 只有两个样本时，BN 的输出无论输入如何都约为 $\pm 1$（{=bn_two_samples}），滑动统计量也来自噪声很大的批次。
在 digits 上，带 BN 的 MLP 在 batch 32 时准确率为 {=acc_BatchNorm_b32:.3f}，batch 2 时只有 {=acc_BatchNorm_b2:.3f}；
而不跨样本统计的 GN 分别为 {=acc_GroupNorm_b32:.3f} 和 {=acc_GroupNorm_b2:.3f}。Switchable Norm（SN）学习 BN、LN、IN 统计量的加权组合；gradbook 未实现 SN。
""",
    },
    compute=compute,
)
