"""Locally connected layers (DeepFace): a convolution whose filters are not shared across positions. What the
unshared weights cost (built layers and DeepFace's L4–L6 by formula), what they can fit that a convolution
cannot (a position-dependent map, least-squares optimum of each student), and whether they pay on the
aligned digits and on the same digits shifted."""
from __future__ import annotations

import numpy as np

from ... import backend, nn
from ...analysis import count_params, flops
from ...autograd import Tensor, no_grad
from ..entry import Entry
from ..result import Result
from ._small_nets import digits_images, one_blas_thread, scores, shift_images, train_net

SIDE, K = 8, 3                       # the fitting experiment: 1 channel, 8x8 maps, 3x3 filters, padding 1
N_FIT = 256
# DeepFace's locally connected layers (Taigman et al. 2014): (name, C_in, C_out, kernel, stride, input side)
DEEPFACE = [("L4", 16, 16, 9, 1, 63), ("L5", 16, 16, 7, 2, 55), ("L6", 16, 16, 5, 1, 25)]
N_TRAIN, STEPS, LR, WIDTH = 300, 40, 1e-2, 8


def lc_params(c_in: int, c_out: int, k: int, out_side: int) -> int:
    """OH·OW·C_out·(C_in·k² + 1): one filter bank and one bias per output position."""
    return out_side * out_side * c_out * (c_in * k * k + 1)


def patches(X: np.ndarray) -> np.ndarray:
    """(N, 1, SIDE, SIDE) → (N, SIDE, SIDE, K²): each output position's zero-padded 3x3 input patch."""
    pad = K // 2
    Xp = np.pad(X[:, 0], ((0, 0), (pad, pad), (pad, pad)))
    return np.lib.stride_tricks.sliding_window_view(Xp, (K, K), axis=(1, 2)).reshape(len(X), SIDE, SIDE, K * K)


def least_squares(A: np.ndarray, y: np.ndarray) -> np.ndarray:
    """argmin_w ‖[A 1] w − y‖² (the last entry of w is the bias)."""
    return np.linalg.lstsq(np.column_stack([A, np.ones(len(A))]), y, rcond=None)[0]


def best_students(X: np.ndarray, Y: np.ndarray) -> dict[str, nn.Module]:
    """The best Conv2d(1, 1, 3, padding=1) and LocallyConnected2d(1, 1, 3, 8, padding=1) for the map X → Y in
    the least-squares sense: one system for the shared filter, one per position for the unshared ones."""
    P = patches(X)
    conv = nn.Conv2d(1, 1, K, padding=K // 2)
    w = least_squares(P.reshape(-1, K * K), Y[:, 0].reshape(-1))
    conv.weight.data[...] = w[:-1].reshape(conv.weight.shape)
    conv.bias.data[...] = w[-1]
    local = nn.LocallyConnected2d(1, 1, K, SIDE, padding=K // 2)
    for p in range(SIDE):
        for q in range(SIDE):
            w = least_squares(P[:, p, q], Y[:, 0, p, q])
            local.weight.data[p, q] = w[:-1].reshape(1, 1, K, K)
            local.bias.data[0, p, q] = w[-1]
    return {"conv": conv, "local": local}


def residual(model: nn.Module, X: np.ndarray, Y: np.ndarray) -> float:
    """Mean squared error of the model's output relative to the target's variance (1: no better than a constant)."""
    with no_grad():
        out = model(Tensor(X)).data
    return float(np.mean((out - Y) ** 2) / Y.var())


def shifted(images: np.ndarray, seed: int) -> np.ndarray:
    """Each image moved by its own random (dy, dx) ∈ {−1, 0, 1}², zeros shifted in."""
    moves = np.random.default_rng(seed).integers(-1, 2, size=(len(images), 2))
    return np.concatenate([shift_images(images[i:i + 1], dy, dx) for i, (dy, dx) in enumerate(moves)])


def digit_net(second: str) -> nn.Sequential:
    """Conv 1→8, then a shared (``conv``) or unshared (``local``) 3x3 layer 8→8, max pool, Linear."""
    layer = (nn.Conv2d(WIDTH, WIDTH, K, padding=1) if second == "conv"
             else nn.LocallyConnected2d(WIDTH, WIDTH, K, SIDE, padding=1))
    return nn.Sequential(nn.Conv2d(1, WIDTH, K, padding=1), nn.ReLU(), layer, nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(WIDTH * 16, 10))


def compute(quick: bool) -> Result:
    r = Result()
    # 1. what the unshared weights cost
    built = {"conv": nn.Conv2d(WIDTH, WIDTH, K, padding=1),
             "local": nn.LocallyConnected2d(WIDTH, WIDTH, K, SIDE, padding=1)}
    r.number("params_conv", count_params(built["conv"]), f"Conv2d({WIDTH}, {WIDTH}, {K}, padding=1)")
    r.number("params_local", count_params(built["local"]), f"LocallyConnected2d({WIDTH}, {WIDTH}, {K}, {SIDE}, "
                                                           "padding=1)")
    r.number("params_ratio", r.numbers["params_local"] / r.numbers["params_conv"])
    for name, layer in built.items():
        r.number(f"macs_{name}", flops(layer, (WIDTH, SIDE, SIDE))["total"], f"analysis.flops of the {name} layer")
    r.number("positions", SIDE * SIDE)
    r.number("formula_matches", lc_params(WIDTH, WIDTH, K, SIDE) == r.numbers["params_local"])
    rows, total, total_conv = [], 0, 0
    for name, c_in, c_out, k, s, side in DEEPFACE:
        out_side = (side - k) // s + 1
        local, conv = lc_params(c_in, c_out, k, out_side), c_out * (c_in * k * k + 1)
        total += local
        total_conv += conv
        rows.append([name, f"{side}x{side}x{c_in}", f"{k}x{k}, stride {s}", f"{out_side}x{out_side}x{c_out}", conv,
                     local])
        r.number(f"deepface_{name}", local, f"DeepFace {name}: {c_out} filters {k}x{k} at each of "
                                            f"{out_side}x{out_side} positions")
    r.number("deepface_local_total", total)
    r.number("deepface_conv_total", total_conv, "the same three layers as convolutions")
    r.table("Parameters: one shared filter bank (conv) vs one per output position (locally connected)",
            ["layer", "input", "filter", "output", "as a conv", "locally connected"], rows)

    # 2. what they can fit: targets made by a conv teacher and by a locally connected teacher
    backend.manual_seed(0)
    X = backend.spawn_rng(1).standard_normal((N_FIT, 1, SIDE, SIDE)).astype(np.float64)
    teachers = {"conv": nn.Conv2d(1, 1, K, padding=1, dtype="float64"),
                "local": nn.LocallyConnected2d(1, 1, K, SIDE, padding=1, dtype="float64")}
    fit_rows = []
    for t_name, teacher in teachers.items():
        with no_grad():
            Y = teacher(Tensor(X)).data
        students = best_students(X, Y)
        res = {s: residual(m, X, Y) for s, m in students.items()}
        for s_name, v in res.items():
            r.number(f"fit_{t_name}_by_{s_name}", v, f"relative residual, {s_name} student on a {t_name} teacher "
                                                     "(least-squares optimum)")
        fit_rows.append([f"{t_name} teacher", res["conv"], res["local"]])
    r.table(f"Best possible relative residual ‖f(x) − y‖²/var(y) on {N_FIT} random 8x8 inputs",
            ["targets from", "conv student", "locally connected student"], fit_rows)

    # 3. does it pay on digits? aligned (as given) and each image shifted by up to one pixel
    Xtr, ytr, Xte, yte = digits_images()
    data = {"aligned": (Xtr[:N_TRAIN], Xte), "shifted": (shifted(Xtr[:N_TRAIN], 1), shifted(Xte, 2))}
    seeds = list(range(1 if quick else 3))
    acc_rows = []
    for cond, (A, B) in data.items():
        row = [cond]
        for second in ("conv", "local"):
            accs = []
            for seed in seeds:
                backend.manual_seed(seed)
                model = digit_net(second)
                train_net(model, A, ytr[:N_TRAIN], STEPS, lr=LR, seed=seed)
                accs.append(scores(model, B, yte)[0])
            r.number(f"acc_{cond}_{second}", float(np.mean(accs)), f"test accuracy, {cond} digits, {second} layer")
            row.append(float(np.mean(accs)))
        r.number(f"edge_{cond}", row[2] - row[1], f"locally connected − conv, {cond}")
        acc_rows.append(row)
    with one_blas_thread():
        r.number("params_net_conv", count_params(digit_net("conv")))
        r.number("params_net_local", count_params(digit_net("local")))
    r.table(f"Test accuracy, {N_TRAIN} training digits, {len(seeds)} seed(s)",
            ["digits", f"conv net ({r.numbers['params_net_conv']} params)",
             f"locally connected net ({r.numbers['params_net_local']} params)"], acc_rows)
    r.number("n_train", N_TRAIN)

    n = r.numbers
    r.check("more-params", n["formula_matches"] and n["params_ratio"] == n["positions"]
            and n["macs_local"] == n["macs_conv"])
    fits_what_conv_cannot = n["fit_local_by_local"] < 1e-6 and n["fit_local_by_conv"] > 0.1
    r.check("position-specific", fits_what_conv_cannot and n["fit_conv_by_local"] < 1e-6)
    margin = 2 / len(yte)
    r.verdict("aligned-faces", "confirmed" if n["edge_aligned"] > margin and n["edge_aligned"] > n["edge_shifted"]
              else "depends")
    r.condition(f"Fitting: {N_FIT} standard-normal 8x8 inputs, one channel, 3x3 filters with padding 1, float64, "
                f"each student at its least-squares optimum. Digits: {N_TRAIN} training images, full-batch Adam "
                f"(lr {LR}) for {STEPS} steps; 'shifted' moves each image by up to one pixel each way.")

    import matplotlib.pyplot as plt
    fig, axs = plt.subplots(1, 2, figsize=(9, 3.2))
    xs = np.arange(2)
    for i, s_name in enumerate(("conv", "local")):
        vals = [max(n[f"fit_{t}_by_{s_name}"], 1e-16) for t in ("conv", "local")]
        axs[0].bar(xs + (i - 0.5) * 0.4, vals, 0.4, label=f"{'locally connected' if i else 'conv'} student")
    axs[0].set_yscale("log")
    axs[0].set_xticks(xs)
    axs[0].set_xticklabels(["conv teacher", "locally connected teacher"])
    axs[0].set(ylabel="best relative residual", title="What each layer can fit")
    axs[0].legend(fontsize=7)
    for i, second in enumerate(("conv", "local")):
        axs[1].bar(xs + (i - 0.5) * 0.4, [n[f"acc_{c}_{second}"] for c in data], 0.4,
                   label="locally connected" if i else "conv")
    axs[1].set_xticks(xs)
    axs[1].set_xticklabels(list(data))
    axs[1].set(ylim=(0.5, 1.0), ylabel="test accuracy", title=f"{N_TRAIN} training digits")
    axs[1].legend(fontsize=7)
    for ax in axs:
        ax.title.set_fontsize(9)
    fig.tight_layout()
    r.figure("local_conv_fit", fig, "Left: a conv cannot fit a map whose filter changes with position; the locally "
                                    "connected layer fits both. Right: on digits the extra weights must pay for "
                                    "themselves.")
    return r


ENTRY = Entry(
    id="local-conv",
    section="C",
    title={"zh": "为什么人脸模型用局部连接卷积", "en": "Locally connected layers (DeepFace)"},
    keywords=["为什么很多做人脸的Paper会最后加入一个Local Connected Conv", "locally connected", "local conv", "局部连接", "Local-Conv",
              "DeepFace", "人脸", "face", "weight sharing", "权值共享", "unshared"],
    claims={
        "position-specific": {
            "en": "The notes: a locally connected layer uses a different filter at each point, so it can extract "
                  "features that differ from region to region, which a convolution (one filter everywhere) cannot.",
            "zh": "笔记原文：如果每一个点的处理使用相同的Filter，则为全卷积，如果使用不同的Filter，则为Local-Conv。"},
        "aligned-faces": {
            "en": "The notes: DeepFace uses locally connected layers because in an aligned face each region has its "
                  "own features (eyes, nose, mouth at fixed places); where features are not distributed alike over "
                  "the image, Local-Conv extracts them better.",
            "zh": "笔记原文：这里是用Local-Conv的原因是，人脸在不同的区域存在不同的特征（眼睛/鼻子/嘴的分布位置相对固定），"
                  "当不存在全局的局部特征分布时，Local-Conv更适合特征的提取。"},
        "more-params": {
            "en": "A locally connected layer has as many times the weights of the same convolution as it has output "
                  "positions.",
            "zh": "局部连接层的权重数是同样卷积的（输出位置数）倍。"},
    },
    answer={
        "en": r"""
A convolution applies one filter bank at every position: $y_{o,p,q} = b_o + \sum_{c,i,j} W_{o,c,i,j}\,
x_{c,p+i,q+j}$. A **locally connected** layer keeps the local window but gives every output position its
own filters and bias: $W_{p,q,o,c,i,j}$, $b_{o,p,q}$. It is local connectivity without weight sharing.

**Cost.** Conv2d(8, 8, 3) has {=params_conv} parameters; the locally connected layer on an 8x8 map has
{=params_local}, {=params_ratio:.0f} times as many (the map has {=positions} positions), for the same
arithmetic ({=macs_conv:,} and {=macs_local:,} multiply-adds per image). DeepFace's three
locally connected layers, by the same formula: L4 {=deepface_L4:,}, L5 {=deepface_L5:,}, L6 {=deepface_L6:,}
parameters ({=deepface_local_total:,} in all, where as convolutions the three would hold
{=deepface_conv_total:,}). That is why DeepFace could afford them only on 4 million training faces, and
only after its first layers had shrunk the map.

**What they can fit.** Targets made by a random convolution and by a random locally connected layer, and
each student at its least-squares optimum (so nothing depends on training): the best conv fits the conv
teacher exactly (relative residual {=fit_conv_by_conv:.1e}) but can explain only part of the locally
connected teacher ({=fit_local_by_conv:.2f} of the variance is left); the locally connected student fits both
({=fit_conv_by_local:.1e}, {=fit_local_by_local:.1e}). Its function class contains the conv's; the price is
paid in parameters and data.

**Does it pay?** On the digits (centred, roughly aligned like DeepFace's frontalised faces), a small net
with a shared second layer scores {=acc_aligned_conv:.3f} and one with a locally connected second layer
{=acc_aligned_local:.3f} (edge {=edge_aligned:+.3f}) after {=n_train} training images; with every image shifted
by up to one pixel: {=acc_shifted_conv:.3f} vs {=acc_shifted_local:.3f} (edge {=edge_shifted:+.3f}). The
notes' reasoning is right about the mechanism: unshared filters help only when a location means the same
thing in every image (alignment) and there is enough data to learn a filter per location. Without
alignment, weight sharing is the better prior, and it is the reason convolutions need so much less data.
""",
        "zh": r"""
卷积在每个位置使用同一组滤波器：$y_{o,p,q} = b_o + \sum_{c,i,j} W_{o,c,i,j}\,x_{c,p+i,q+j}$。**局部连接**层保留局部窗口，
但每个输出位置都有自己的滤波器和偏置：$W_{p,q,o,c,i,j}$、$b_{o,p,q}$。它是"局部连接"而没有"权值共享"。

**代价。** Conv2d(8, 8, 3) 有 {=params_conv} 个参数；在 8x8 特征图上的局部连接层有 {=params_local} 个，是它的 {=params_ratio:.0f} 倍
（特征图有 {=positions} 个位置），而计算量相同（每张图分别为 {=macs_conv:,} 和 {=macs_local:,} 次乘加）。
按同一公式，DeepFace 的三个局部连接层：L4 {=deepface_L4:,}、L5 {=deepface_L5:,}、L6 {=deepface_L6:,}
个参数（共 {=deepface_local_total:,} 个；这三层若用卷积，一共只有 {=deepface_conv_total:,} 个）。所以 DeepFace 只有在 400 万张训练人脸、
且前几层已经把特征图缩小之后才用得起它们。

**能拟合什么。** 用一个随机卷积和一个随机局部连接层生成目标，每个学生都取最小二乘最优解（因此与训练无关）：最好的卷积能精确拟合
卷积老师（相对残差 {=fit_conv_by_conv:.1e}），但对局部连接老师只能解释一部分（剩下 {=fit_local_by_conv:.2f} 的方差）；
局部连接学生两者都能拟合（{=fit_conv_by_local:.1e}、{=fit_local_by_local:.1e}）。它的函数类包含卷积的函数类，代价是参数和数据。

**值不值得？** 在 digits 上（居中、大致对齐，像 DeepFace 里正面化的人脸），用 {=n_train} 张训练图片，第二层为共享卷积的小网络得到
{=acc_aligned_conv:.3f}，第二层为局部连接的得到 {=acc_aligned_local:.3f}（差 {=edge_aligned:+.3f}）；每张图随机平移最多一个像素后：
{=acc_shifted_conv:.3f} 对 {=acc_shifted_local:.3f}（差 {=edge_shifted:+.3f}）。笔记对机制的说法是对的：只有当同一个位置在每张图里
含义相同（已对齐），并且数据足以为每个位置学一个滤波器时，不共享的滤波器才有帮助。没有对齐时，权值共享是更好的先验，
这也正是卷积需要的数据少得多的原因。
""",
    },
    compute=compute,
)
