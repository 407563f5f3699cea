"""BN and whitening: the 64 pixels of the digits after BatchNorm1d, after PCA whitening and after ZCA
whitening (``data.transforms``); the covariance left by each, the distance each moves the data, the
cost of each on a layer-sized batch, and what happens when the statistics come from one mini-batch."""
from __future__ import annotations

import time

import numpy as np

from ... import nn
from ...autograd import Tensor, no_grad
from ...data.transforms import PCAWhitening, ZCAWhitening
from ..entry import Entry
from ..result import Result
from ._small_nets import digits_images, one_blas_thread

EPS = 1e-5
MINI_BATCH = 64
FLAT_VAR = 100 * EPS      # pixels with less variance than this are left out
COST_SHAPE = (256, 512)   # a mini-batch of 256 through a 512-unit layer, for the cost comparison


def batch_norm(X: np.ndarray, fit_on: np.ndarray | None = None) -> np.ndarray:
    """BatchNorm1d without affine, in training mode: (x − μ_B)/√(σ²_B + eps), statistics from ``fit_on``
    (default X itself; biased variance, as BN normalises)."""
    if fit_on is None:
        bn = nn.BatchNorm1d(X.shape[1], eps=EPS, affine=False, track_running_stats=False)
        with no_grad():
            return bn(Tensor(X)).data
    return (X - fit_on.mean(0)) / np.sqrt(fit_on.var(0) + EPS)


def covariance(Z: np.ndarray) -> np.ndarray:
    return np.cov(Z, rowvar=False, bias=True)


def off_diagonal(C: np.ndarray) -> np.ndarray:
    return C[~np.eye(len(C), dtype=bool)]


def skewness(Z: np.ndarray) -> np.ndarray:
    Zc = Z - Z.mean(0)
    return (Zc ** 3).mean(0) / (Zc ** 2).mean(0) ** 1.5


def best_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def compute(quick: bool) -> Result:
    r = Result()
    Xtr = digits_images()[0]
    pixels = Xtr.reshape(len(Xtr), -1).astype(np.float64)
    # border pixels almost never inked: on them eps, not the data, would set the scale, so they are left out
    kept = pixels.var(0) > FLAT_VAR
    X = pixels[:, kept]
    live = np.ones(X.shape[1], bool)
    r.number("n_pixels", int(kept.sum()), f"pixels whose variance exceeds {FLAT_VAR:g}")
    r.number("n_flat", int((~kept).sum()), f"pixels with variance below {FLAT_VAR:g} (left out)")

    with one_blas_thread():
        outputs = {"raw": X - X.mean(0), "bn": batch_norm(X), "pca": PCAWhitening(EPS).fit(X)(X),
                   "zca": ZCAWhitening(EPS).fit(X)(X)}
    corr_raw = np.corrcoef(X[:, live], rowvar=False)
    r.number("raw_max_corr", float(np.abs(off_diagonal(corr_raw)).max()), "largest |correlation| between two pixels")
    rows = []
    for name, Z in outputs.items():
        C = covariance(Z)
        keep = live if name != "pca" else np.ones(len(C), bool)     # PCA's outputs are components, not pixels
        diag, off = np.diag(C)[keep], off_diagonal(C[np.ix_(keep, keep)])
        r.number(f"{name}_max_offdiag", float(np.abs(off).max()), f"largest |off-diagonal covariance| after {name}")
        if name != "raw":
            r.number(f"{name}_max_diag_err", float(np.abs(diag - 1).max()), f"largest |variance − 1| after {name}")
        rows.append([name, float(diag.min()), float(diag.max()), float(np.abs(off).max()),
                     float(np.abs(off).mean())])
    r.table(f"Covariance of the {int(live.sum())} non-constant pixels (PCA: of its components) after each transform",
            ["transform", "min variance", "max variance", "max |off-diagonal|", "mean |off-diagonal|"], rows)
    C_bn = covariance(outputs["bn"])[np.ix_(live, live)]
    r.number("bn_cov_vs_corr", float(np.abs(C_bn - corr_raw).max()),
             "max |BN's covariance − the raw correlation matrix| (the same up to eps)")
    r.number("bn_max_mean", float(np.abs(outputs["bn"].mean(0)).max()))
    skew = skewness(outputs["bn"][:, live])
    r.number("bn_mean_abs_skew", float(np.abs(skew).mean()), "mean |skewness| of the pixels after BN (normal: 0)")
    r.number("raw_mean_abs_skew", float(np.abs(skewness(X[:, live])).mean()))
    Xc = outputs["raw"]
    r.number("zca_move", float(np.mean(np.sum((outputs["zca"] - Xc) ** 2, axis=1))),
             "mean ‖ZCA(x) − (x − mean)‖²")
    r.number("pca_move", float(np.mean(np.sum((outputs["pca"] - Xc) ** 2, axis=1))),
             "mean ‖PCA-white(x) − (x − mean)‖²")

    # statistics from one mini-batch, applied to the whole set
    batch = X[:MINI_BATCH]
    with one_blas_thread():
        zca_b = ZCAWhitening(EPS).fit(batch)(X)
    bn_b = batch_norm(X, fit_on=batch)
    live_b = live & (batch.std(0) > 1e-8)
    for name, Z in (("bn", bn_b), ("zca", zca_b)):
        d = np.diag(covariance(Z))[live_b]
        r.number(f"{name}_batch_diag_max", float(d.max()), f"largest pixel variance after {name} with the statistics "
                                                           f"of {MINI_BATCH} images")
        r.number(f"{name}_batch_diag_median", float(np.median(d)), "the median pixel variance, the same way")
    # cost on a layer-sized mini-batch: BN forward vs fitting and applying ZCA
    A = np.random.default_rng(0).standard_normal(COST_SHAPE)
    repeats = 3 if quick else 10
    with one_blas_thread():
        t_bn = best_time(lambda: (A - A.mean(0)) / np.sqrt(A.var(0) + EPS), repeats)
        t_zca = best_time(lambda: ZCAWhitening(EPS).fit(A)(A), repeats)
    r.number("time_bn_ms", t_bn * 1e3, f"BN on {COST_SHAPE}")
    r.number("time_zca_ms", t_zca * 1e3, f"ZCAWhitening fit + apply on {COST_SHAPE}")
    r.number("cost_ratio", t_zca / t_bn)
    r.number("mini_batch", MINI_BATCH)

    n = r.numbers
    standardised = n["bn_max_mean"] < 1e-6 and n["bn_max_diag_err"] < 0.05
    r.verdict("unit-normal", "corrected" if n["bn_mean_abs_skew"] > 0.5 or not standardised else "confirmed")
    decorrelates_not = n["bn_max_offdiag"] > 0.3 and n["zca_max_offdiag"] < 0.05
    r.verdict("simplified-whitening", "confirmed" if decorrelates_not and standardised else "depends")
    r.verdict("whitening-cost", "confirmed" if n["cost_ratio"] > 10 else "depends" if n["cost_ratio"] > 2
              else "corrected")
    r.verdict("zca-closest", "confirmed" if n["zca_move"] < n["pca_move"] else "corrected")
    r.condition(f"The 1,438 training digits as vectors of their {n['n_pixels']} non-flat pixels in [0, 1]; eps = {EPS:g} in BN and in both whitenings; "
                f"BN without γ, β (they would only rescale); times are the best of {repeats} on one BLAS thread.")

    import matplotlib.pyplot as plt
    fig, axs = plt.subplots(1, 4, figsize=(12, 3.2))
    for ax, name, title in zip(axs, ("raw", "bn", "pca", "zca"), ("raw pixels (centred)", "after BN",
                                                                  "after PCA whitening", "after ZCA whitening")):
        C = covariance(outputs[name])
        lim = np.abs(C).max()
        ax.imshow(C, cmap="RdBu_r", vmin=-lim, vmax=lim)
        ax.set_title(title, fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.tight_layout()
    r.figure("bn_whitening_covariance", fig, "Covariance of the digits' pixels: BN equalises the diagonal and "
                                             "keeps every correlation; PCA and ZCA whitening leave the identity.")
    return r


ENTRY = Entry(
    id="bn-whitening",
    section="D",
    title={"zh": "BN 与白化的联系", "en": "BN and whitening"},
    keywords=["batch normalization", "BN", "whitening", "白化", "PCA", "ZCA", "decorrelate", "去相关",
              "covariance", "协方差", "standardise", "标准化"],
    claims={
        "unit-normal": {
            "en": "The notes: BN normalises every layer's outputs to zero mean and unit variance, following a "
                  "normal distribution.",
            "zh": "笔记原文：BatchNorm 就是对神经网络的每一层进行归一化，假设将每一层输出后的数据都归一化到 0 均值，1 方差，满足正太分布。"},
        "simplified-whitening": {
            "en": "The usual answer: BN is a simplified whitening: it standardises each feature but does not "
                  "decorrelate the features.",
            "zh": "常见答案：BN 是简化的白化：它把每个特征标准化，但不去除特征间的相关性。"},
        "whitening-cost": {
            "en": "The usual answer (Ioffe & Szegedy): fully whitening every layer's inputs is too expensive, hence BN.",
            "zh": "常见答案（Ioffe 与 Szegedy）：对每层输入做完整的白化代价太高，所以用 BN。"},
        "zca-closest": {
            "en": "ZCA whitening keeps the whitened data closest to the original (images still look like images).",
            "zh": "ZCA 白化后的数据最接近原数据（图片仍像图片）。"},
    },
    answer={
        "en": r"""
Whitening maps the data to zero mean and identity covariance. With $\Sigma = V\Lambda V^\top$, **PCA
whitening** is $z = \Lambda^{-1/2}V^\top(x-\mu)$ (rotate onto the principal axes, then scale each to unit
variance) and **ZCA whitening** is $z = V\Lambda^{-1/2}V^\top(x-\mu) = \Sigma^{-1/2}(x-\mu)$ (rotate back).
**BN** does only the diagonal part: $z_i = (x_i-\mu_i)/\sqrt{\sigma_i^2+\epsilon}$, feature by feature.

On the {=n_pixels} pixels of the digits that vary (the {=n_flat} border pixels that are almost never inked are
left out: on them $\epsilon$, not the data, would set the scale); neighbouring pixels correlate up to
{=raw_max_corr:.2f}:

- after BN the largest off-diagonal covariance is {=bn_max_offdiag:.2f}: BN's covariance *is* the pixels'
  correlation matrix (largest difference {=bn_cov_vs_corr:.1e}, from $\epsilon$); the variances are 1 within
  {=bn_max_diag_err:.1e};
- after PCA and ZCA whitening the off-diagonal is at most {=pca_max_offdiag:.1e} and {=zca_max_offdiag:.1e}.

So BN is whitening without the decorrelation, as the usual answer says. Nor does it make anything normal:
it is an affine map per feature, so the shape is untouched (mean |skewness| {=bn_mean_abs_skew:.2f} before
and after), which corrects the notes' "满足正太分布".

Why not whiten every layer? **Cost**: on a mini-batch of 256 through a 512-unit layer, BN takes
{=time_bn_ms:.2f} ms and fitting plus applying ZCA {=time_zca_ms:.1f} ms ({=cost_ratio:.0f}x), and
backpropagating through an eigendecomposition is worse still. **Estimation**: statistics from one batch of
{=mini_batch} images, applied to the whole set, give a median pixel variance of {=bn_batch_diag_median:.2f} after
BN but {=zca_batch_diag_median:.1f} after ZCA (largest {=bn_batch_diag_max:.0f} and {=zca_batch_diag_max:.0f}): a
covariance matrix estimated from about as many samples as features has directions with almost no variance,
and whitening blows them up; BN's per-feature estimates go wrong only for the rare pixel the batch barely
inks. BN's statistics are cheap, differentiable and, per feature, stable.

**ZCA vs PCA.** Both whiten; ZCA is the one that moves the data least (mean squared distance to the centred
images {=zca_move:.1f} vs {=pca_move:.1f} for PCA), which is why it is the one used on images: whitened
digits still look like (edge-enhanced) digits.
""",
        "zh": r"""
白化把数据变成零均值、协方差为单位阵。设 $\Sigma = V\Lambda V^\top$，**PCA 白化**是 $z = \Lambda^{-1/2}V^\top(x-\mu)$
（旋转到主轴上，再把每个方向缩放到单位方差），**ZCA 白化**是 $z = V\Lambda^{-1/2}V^\top(x-\mu) = \Sigma^{-1/2}(x-\mu)$（再旋转回去）。
**BN** 只做对角部分：逐个特征 $z_i = (x_i-\mu_i)/\sqrt{\sigma_i^2+\epsilon}$。

在 digits 中有变化的 {=n_pixels} 个像素上（几乎从不着墨的 {=n_flat} 个边缘像素被去掉：在它们上面决定尺度的是 $\epsilon$ 而不是数据；
相邻像素相关系数最高 {=raw_max_corr:.2f}）：

- BN 之后协方差最大的非对角元为 {=bn_max_offdiag:.2f}：BN 后的协方差*就是*像素的相关系数矩阵（最大差 {=bn_cov_vs_corr:.1e}，来自 $\epsilon$）；
  方差都是 1（误差 {=bn_max_diag_err:.1e}）；
- PCA 和 ZCA 白化之后非对角元最大分别只有 {=pca_max_offdiag:.1e} 和 {=zca_max_offdiag:.1e}。

所以正如常见答案所说，BN 是去掉了去相关这一步的白化。它也不会让任何东西变成正态分布：它对每个特征只是仿射变换，分布形状不变
（平均 |偏度| 在 BN 前后都是 {=bn_mean_abs_skew:.2f}），所以笔记中的"满足正太分布"需要更正。

为什么不对每层做白化？**代价**：对 512 个单元、批大小 256 的一层，BN 用 {=time_bn_ms:.2f} ms，拟合并应用 ZCA 用 {=time_zca_ms:.1f} ms
（{=cost_ratio:.0f} 倍），而通过特征分解做反向传播代价更高。**估计**：用一个 {=mini_batch} 张图片的批次的统计量去处理全部数据，
像素方差的中位数在 BN 后是 {=bn_batch_diag_median:.2f}，在 ZCA 后却是 {=zca_batch_diag_median:.1f}（最大值分别为 {=bn_batch_diag_max:.0f}
和 {=zca_batch_diag_max:.0f}）：样本数与特征数相当时估计出的协方差有些方向几乎没有方差，白化会把它们放大；BN 的逐特征估计只在
这个批次几乎没着墨的少数像素上出错。BN 的统计量便宜、可微，而且逐特征地看是稳定的。

**ZCA 与 PCA。** 两者都能白化；ZCA 是移动数据最少的那个（与中心化图片的平均平方距离 {=zca_move:.1f}，PCA 为 {=pca_move:.1f}），
所以图像上用的是它：白化后的数字看起来仍像（边缘增强的）数字。
""",
    },
    compute=compute,
)
