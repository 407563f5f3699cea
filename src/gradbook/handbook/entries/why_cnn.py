"""Why CNNs work on images, speech, text and Go: the structure they share is a local pattern that means the same
wherever it occurs, and parts that compose into wholes. Measured on 1-D signals (a speech- or text-like
sequence): a motif learned at some positions and tested at others, with each of the notes' four ingredients
removed in turn, and an order task that needs a second layer."""
from __future__ import annotations

import numpy as np

from ... import backend, nn
from ...analysis import count_params
from ..entry import Entry
from ..result import Result
from ._small_nets import scores, train_net

L, NOISE, STEPS, LR = 32, 0.3, 100, 1e-2
MOTIF = 5                   # the detection task: which of two length-5 motifs is in the sequence
SEEN = (0, 12)              # training (and "seen") motif starts; "unseen" starts lie in the second half
UNSEEN = (15, L - MOTIF)
N_TRAIN, N_TEST = 200, 400
PART, GAPS, ORDER_STEPS = 4, (2, 4), 150    # the order task: motifs of length 4, 2-4 apart; which comes first?
FILTERS = 8
ABLATIONS = {"conv": "local + shared + pooled", "mlp": "fully connected", "local": "local, unshared (+ pooled)",
             "conv-flat": "local + shared, no pooling"}


def motifs(length: int) -> np.ndarray:
    """Two fixed random patterns of norm 2."""
    m = np.random.default_rng(0).standard_normal((2, length))
    return 2 * m / np.linalg.norm(m, axis=1, keepdims=True)


def detection_set(n: int, starts: tuple[int, int], seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(n, 1, 1, L) noisy sequences, each holding motif y ∈ {0, 1} at a start drawn from ``starts``."""
    rng = np.random.default_rng(seed)
    X = NOISE * rng.standard_normal((n, 1, 1, L))
    y = rng.integers(0, 2, n)
    m = motifs(MOTIF)
    for i, s in enumerate(rng.integers(starts[0], starts[1] + 1, n)):
        X[i, 0, 0, s:s + MOTIF] += m[y[i]]
    return X.astype(np.float32), y


def order_set(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Both motifs in every sequence, a few samples apart; y = 0 when motif 0 comes first."""
    rng = np.random.default_rng(seed)
    X = NOISE * rng.standard_normal((n, 1, 1, L))
    y = rng.integers(0, 2, n)
    m = motifs(PART)
    for i in range(n):
        gap = rng.integers(GAPS[0], GAPS[1] + 1)
        s = rng.integers(0, L - 2 * PART - gap + 1)
        first, second = (0, 1) if y[i] == 0 else (1, 0)
        X[i, 0, 0, s:s + PART] += m[first]
        X[i, 0, 0, s + PART + gap:s + 2 * PART + gap] += m[second]
    return X.astype(np.float32), y


def detector(kind: str) -> nn.Sequential:
    """The detection nets; sequences are (N, 1, 1, L) so that 1xk filters work for every kind."""
    if kind == "mlp":
        return nn.Sequential(nn.Flatten(), nn.Linear(L, 32), nn.ReLU(), nn.Linear(32, 2))
    if kind == "conv":
        return nn.Sequential(nn.Conv2d(1, FILTERS, (1, MOTIF)), nn.ReLU(), nn.AdaptiveMaxPool2d(1), nn.Flatten(),
                             nn.Linear(FILTERS, 2))
    if kind == "local":
        return nn.Sequential(nn.LocallyConnected2d(1, FILTERS, (1, MOTIF), (1, L)), nn.ReLU(), nn.AdaptiveMaxPool2d(1),
                             nn.Flatten(), nn.Linear(FILTERS, 2))
    if kind == "conv-flat":
        return nn.Sequential(nn.Conv2d(1, FILTERS, (1, MOTIF)), nn.ReLU(), nn.Flatten(),
                             nn.Linear(FILTERS * (L - MOTIF + 1), 2))
    raise ValueError(f"why-cnn: unknown net {kind!r}; expected one of {list(ABLATIONS)}")


def order_net(layers: int) -> nn.Sequential:
    """One conv layer + global max pool, or two (pool 2 between, receptive field 4 + 4·2 = 12 samples)."""
    if layers == 1:
        return nn.Sequential(nn.Conv2d(1, 2 * FILTERS, (1, PART)), nn.ReLU(), nn.AdaptiveMaxPool2d(1), nn.Flatten(),
                             nn.Linear(2 * FILTERS, 2))
    return nn.Sequential(nn.Conv2d(1, FILTERS, (1, PART)), nn.ReLU(), nn.MaxPool2d((1, 2)),
                         nn.Conv2d(FILTERS, FILTERS, (1, 5)), nn.ReLU(), nn.AdaptiveMaxPool2d(1), nn.Flatten(),
                         nn.Linear(FILTERS, 2))


def steps_to(losses: list[float], level: float) -> int:
    """First step whose training loss is below ``level`` (len + 1 when none is)."""
    return next((i + 1 for i, v in enumerate(losses) if v < level), len(losses) + 1)


def compute(quick: bool) -> Result:
    r = Result()
    Xtr, ytr = detection_set(N_TRAIN, SEEN, 1)
    tests = {"seen": detection_set(N_TEST, SEEN, 2), "unseen": detection_set(N_TEST, UNSEEN, 3)}
    seeds = list(range(1 if quick else 3))
    rows = []
    for kind, label in ABLATIONS.items():
        acc = {"train": [], "seen": [], "unseen": []}
        fit_steps = []
        for seed in seeds:
            backend.manual_seed(seed)
            model = detector(kind)
            history = train_net(model, Xtr, ytr, STEPS, lr=LR, seed=seed)
            fit_steps.append(steps_to(history["loss"], 0.1))
            acc["train"].append(scores(model, Xtr, ytr)[0])
            for name, (X, y) in tests.items():
                acc[name].append(scores(model, X, y)[0])
        key = kind.replace("-", "_")
        for name, v in acc.items():
            r.number(f"{key}_{name}", float(np.mean(v)), f"{label}: accuracy, {name} motif positions")
        r.number(f"{key}_params", count_params(detector(kind)))
        r.number(f"{key}_fit_steps", float(np.mean(fit_steps)), f"{label}: steps until the training loss < 0.1")
        rows.append([label, r.numbers[f"{key}_params"], r.numbers[f"{key}_fit_steps"], *(float(np.mean(acc[k]))
                                                                                        for k in acc)])
    r.table(f"Which motif? Trained with the motif starting at {SEEN[0]}–{SEEN[1]}, tested there and at "
            f"{UNSEEN[0]}–{UNSEEN[1]} ({N_TRAIN} training sequences)",
            ["net", "parameters", "steps to loss < 0.1", "train", "test, seen positions", "test, unseen positions"],
            rows)

    Otr, otr = order_set(2 * N_TRAIN, 4)
    Ote, ote = order_set(N_TEST, 5)
    order_rows = []
    for layers in (1, 2):
        accs = []
        for seed in seeds:
            backend.manual_seed(seed)
            model = order_net(layers)
            train_net(model, Otr, otr, ORDER_STEPS, lr=LR, seed=seed)
            accs.append(scores(model, Ote, ote)[0])
        r.number(f"order_{layers}", float(np.mean(accs)), f"which motif first? test accuracy, {layers} conv layer(s)")
        r.number(f"order_{layers}_params", count_params(order_net(layers)))
        order_rows.append([f"{layers} conv layer{'s' if layers > 1 else ''} + global max pool",
                           r.numbers[f"order_{layers}_params"], r.numbers[f"order_{layers}"]])
    r.table("Which motif comes first? (needs parts combined into a whole)", ["net", "parameters", "test accuracy"],
            order_rows)
    for name, value in (("seq_len", L), ("motif", MOTIF), ("n_train", N_TRAIN)):
        r.number(name, value)

    n = r.numbers
    generalises = n["conv_unseen"] > 0.9
    each_needed = all(n[f"{k}_unseen"] < 0.75 for k in ("mlp", "local", "conv_flat"))
    hierarchy = n["order_2"] > 0.9 and n["order_1"] < 0.75
    r.verdict("four-means", "confirmed" if generalises and each_needed and hierarchy else "depends")
    fewer = n["conv_params"] < min(n["mlp_params"], n["local_params"])
    faster = n["conv_fit_steps"] < min(n["mlp_fit_steps"], n["local_fit_steps"])
    r.verdict("sharing-eases-training", "confirmed" if fewer and faster else "depends" if fewer else "corrected")
    r.condition(f"Synthetic 1-D sequences of {L} samples, Gaussian noise σ = {NOISE}, motifs of norm 2; full-batch "
                f"Adam (lr {LR}); {len(seeds)} seed(s). A 1xk Conv2d on (N, 1, 1, L) is a Conv1d.")

    import matplotlib.pyplot as plt
    fig, axs = plt.subplots(1, 2, figsize=(10, 3.4), gridspec_kw={"width_ratios": [2, 1]})
    xs = np.arange(len(ABLATIONS))
    keys = [k.replace("-", "_") for k in ABLATIONS]
    axs[0].bar(xs - 0.2, [n[f"{k}_seen"] for k in keys], 0.4, label="seen positions")
    axs[0].bar(xs + 0.2, [n[f"{k}_unseen"] for k in keys], 0.4, label="unseen positions")
    axs[0].set_xticks(xs)
    axs[0].set_xticklabels([v.replace(" (+ pooled)", "").replace(", no", "\nno").replace(" + pooled", "\n+ pooled")
                            for v in ABLATIONS.values()], fontsize=7)
    axs[0].set(ylim=(0.3, 1.02), ylabel="test accuracy", title="Find a motif wherever it is")
    axs[0].legend(fontsize=7)
    axs[1].bar([0, 1], [n["order_1"], n["order_2"]], 0.5, color="tab:green")
    axs[1].set_xticks([0, 1])
    axs[1].set_xticklabels(["1 layer", "2 layers"], fontsize=8)
    axs[1].set(ylim=(0.3, 1.02), title="Which motif comes first?")
    for ax in axs:
        ax.title.set_fontsize(9)
    fig.tight_layout()
    r.figure("why_cnn_ablations", fig, "Only the net with all of local filters, sharing and pooling finds the motif "
                                      "at positions it never saw; ordering two motifs needs a second layer.")
    return r


ENTRY = Entry(
    id="why-cnn",
    section="C",
    title={"zh": "CNN 为什么能用于 CV、NLP、语音、围棋", "en": "Why do CNNs work across CV, NLP, speech and Go?"},
    keywords=["为什么NLP和Speech的很多问题也可以用CNN解出来", "为什么AlphaGo里也用了CNN", "cnn", "why", "为什么", "nlp", "speech", "语音",
              "alphago", "围棋", "local connectivity", "局部连接", "weight sharing", "权值共享", "pooling", "池化", "hierarchy",
              "多层次"],
    claims={
        "four-means": {
            "en": "The notes: these problems share local-to-global structure (low-level features compose into "
                  "high-level ones), and a CNN captures it by four means: local connectivity, weight sharing, "
                  "pooling and a multi-level hierarchy.",
            "zh": "笔记原文：以上几个不相关问题的相关性在于，都存在局部与整体的关系，由低层次的特征经过组合，组成高层次的特征……"
                  "CNN抓住此共性的手段主要有四个：局部连接/权值共享/池化操作/多层次结构。"},
        "sharing-eases-training": {
            "en": "The notes: weight sharing greatly reduces the difficulty of training the network.",
            "zh": "笔记原文：权值共享大大降低了网络的训练难度。"},
    },
    answer={
        "en": r"""
An image, a spectrogram, a sentence and a Go board have the same two properties: a **local pattern**
(an edge, a phoneme, a word pair, a shape of stones) means the same thing **wherever it occurs**, and
**parts compose into wholes** (edges into shapes, phonemes into words, local shapes into a position's
value). A CNN builds both in: small filters (local connectivity), the same filter everywhere (sharing),
pooling that forgets exactly where, and layers stacked so that later ones see larger, composed regions.

Each ingredient can be removed in turn. Sequences of {=seq_len} noisy samples hold one of two motifs
({=motif} samples long); nets are trained on {=n_train} sequences where the motif starts in the first half
and tested where it starts in the second half:

- local + shared + pooled (a 1-D CNN, {=conv_params} parameters): {=conv_seen:.3f} at seen positions,
  {=conv_unseen:.3f} at unseen ones;
- fully connected ({=mlp_params:,} parameters): {=mlp_seen:.3f} and {=mlp_unseen:.3f};
- local but unshared, pooled ({=local_params:,}): {=local_seen:.3f} and {=local_unseen:.3f};
- local and shared but not pooled ({=conv_flat_params:,}): {=conv_flat_seen:.3f} and {=conv_flat_unseen:.3f}.

Only the full combination transfers what it learnt to positions it never saw: sharing gives the same
detector everywhere, pooling lets the classifier ignore where it fired. **Hierarchy**: when the label is
*which of two motifs comes first*, one conv layer with global pooling scores {=order_1:.3f} (pooling has
thrown away the order, and its filters are too short to see both), while two layers, whose second sees
a composed window of 12 samples, score {=order_2:.3f}.

**"Sharing makes training easier"?** Every net above fits its training set; the steps until the training
loss falls below 0.1 are {=conv_fit_steps:.0f} for the CNN, {=mlp_fit_steps:.0f} for the MLP and
{=local_fit_steps:.0f} for the unshared net. What sharing reduces is the number of parameters
({=conv_params} vs {=local_params:,}) and the data needed to generalise, not the optimisation itself.
That is also the limit of the argument: where a pattern's meaning depends on where it is (aligned faces:
see local-conv) or where there is no local structure at all (tables: see unsuitable-data), the same
priors stop helping.
""",
        "zh": r"""
图像、语谱图、句子和围棋棋盘有两个共同性质：**局部模式**（边缘、音素、相邻的词、棋子的形状）**无论出现在哪里**含义都相同；
**部分组合成整体**（边缘组成形状，音素组成词，局部棋形组成局面）。CNN 把两者都内置了：小滤波器（局部连接），处处相同的滤波器
（权值共享），忘掉确切位置的池化，以及逐层堆叠，使后面的层看到更大的、组合过的区域。

可以逐个去掉这些成分来看。长度为 {=seq_len} 的带噪序列中含有两种模式之一（长 {=motif}）；网络用 {=n_train} 条模式出现在前半段的
序列训练，在模式出现于后半段的序列上测试：

- 局部 + 共享 + 池化（一维 CNN，{=conv_params} 个参数）：见过的位置 {=conv_seen:.3f}，没见过的位置 {=conv_unseen:.3f}；
- 全连接（{=mlp_params:,} 个参数）：{=mlp_seen:.3f} 和 {=mlp_unseen:.3f}；
- 局部但不共享，有池化（{=local_params:,}）：{=local_seen:.3f} 和 {=local_unseen:.3f}；
- 局部且共享，但不池化（{=conv_flat_params:,}）：{=conv_flat_seen:.3f} 和 {=conv_flat_unseen:.3f}。

只有完整的组合能把学到的东西用到从未见过的位置：共享让每个位置都有同一个检测器，池化让分类器不必关心它在哪里被激活。
**多层次结构**：当标签是*两个模式哪个在前*时，一层卷积加全局池化只有 {=order_1:.3f}（池化丢掉了顺序，而滤波器太短看不到两个模式），
两层卷积（第二层看到一个 12 个采样点的组合窗口）则达到 {=order_2:.3f}。

**"权值共享降低了训练难度"？** 上面每个网络都能拟合训练集；训练损失降到 0.1 以下所需的步数：CNN {=conv_fit_steps:.0f}，
MLP {=mlp_fit_steps:.0f}，不共享的网络 {=local_fit_steps:.0f}。共享减少的是参数量（{=conv_params} 对 {=local_params:,}）和泛化所需的数据，
而不是优化本身的难度。这也是这个论证的边界：当模式的含义取决于它的位置（对齐的人脸：见 local-conv），或者数据根本没有局部结构
（表格：见 unsuitable-data）时，这些先验就不再有帮助。
""",
    },
    compute=compute,
)
