"""Neural style transfer (Gatys et al., 2016) with gradbook.style on two photographs that ship with
scikit-learn, read by a small CNN with random filters: the Gram (style) loss falling as the pixels are
optimised; what a Gram matrix keeps (a tile-shuffled image keeps it, a pixel-shuffled one keeps only
the colour statistics); and how the depth of the layer changes what content and style keep."""
from __future__ import annotations

import numpy as np

from ...autograd import Tensor, no_grad
from ..entry import Entry
from ..result import Result
from ._small_nets import one_blas_thread

H, W, TILE = 32, 48, 8
WIDTHS = (16, 32, 64)
STYLE_WEIGHT, TV_WEIGHT = 1e5, 10.0
LAYERS = ("relu1", "relu2", "relu3")


def photos(h: int = H, w: int = W) -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's sample photographs (china.jpg: content, flower.jpg: style) as (3, h, w) in [0, 1],
    read from its package data with Pillow (the files ``sklearn.datasets.load_sample_image`` opens,
    without importing scikit-learn)."""
    import importlib.util
    from pathlib import Path

    from ...style.images import load_image, resize_image

    folder = Path(importlib.util.find_spec("sklearn").origin).parent / "datasets" / "images"
    return tuple(resize_image(load_image(folder / name), h, w) for name in ("china.jpg", "flower.jpg"))


def pixel_shuffled(image: np.ndarray, seed: int = 0) -> np.ndarray:
    """Every pixel (its RGB triple) moved to a random position: the same colours, no local structure."""
    c, h, w = image.shape
    perm = np.random.default_rng(seed).permutation(h * w)
    return image.reshape(c, -1)[:, perm].reshape(c, h, w)


def tile_shuffled(image: np.ndarray, tile: int = TILE, seed: int = 0) -> np.ndarray:
    """The image cut into tile × tile blocks put back in random order: local texture kept, layout lost."""
    c, h, w = image.shape
    rows, cols = h // tile, w // tile
    blocks = image.reshape(c, rows, tile, cols, tile).transpose(1, 3, 0, 2, 4).reshape(rows * cols, c, tile, tile)
    blocks = blocks[np.random.default_rng(seed).permutation(rows * cols)]
    return blocks.reshape(rows, cols, c, tile, tile).transpose(2, 0, 3, 1, 4).reshape(c, h, w)


def extractor():
    from ...style import random_cnn

    return random_cnn(3, widths=WIDTHS, seed=0)


def grams(ext, image: np.ndarray) -> dict[str, np.ndarray]:
    """Gram matrices of the raw pixels (3 × 3) and of every extractor layer."""
    from ...style import gram_matrix

    flat = image.reshape(3, -1).astype(np.float64)
    out = {"pixels": flat @ flat.T}
    with no_grad():
        for name, f in ext(Tensor(image[None])).items():
            out[name] = gram_matrix(f).data[0].astype(np.float64)
    return out


def relative(a: np.ndarray, b: np.ndarray) -> float:
    """‖a − b‖_F / ‖a‖_F."""
    return float(np.linalg.norm(a - b) / np.linalg.norm(a))


def compute(quick: bool) -> Result:
    from ...style import transfer

    r = Result()
    steps = 40 if quick else 200
    content, style = photos()
    ext = extractor()

    # what a Gram matrix keeps
    g_style = grams(ext, style)
    variants = {"tiles": tile_shuffled(style), "pixels": pixel_shuffled(style), "other": content}
    with no_grad():
        f_style = ext(Tensor(style[None]), ["relu2"])["relu2"].data
    rows = []
    for key, image in variants.items():
        g = grams(ext, image)
        for layer in ("pixels", *LAYERS):
            r.number(f"gram_{key}_{layer}", relative(g_style[layer], g[layer]),
                     f"‖G(style) − G({key})‖ / ‖G(style)‖ at {layer}")
        with no_grad():
            f = ext(Tensor(image[None]), ["relu2"])["relu2"].data
        r.number(f"content_{key}", relative(f_style, f), f"‖F(style) − F({key})‖ / ‖F(style)‖ at relu2")
        rows.append([key] + [r.numbers[f"gram_{key}_{layer}"] for layer in ("pixels", *LAYERS)]
                    + [r.numbers[f"content_{key}"]])
    r.table("Relative distance to the style image's Gram matrices and relu2 features",
            ["image", "Gram: pixels", "Gram: relu1", "Gram: relu2", "Gram: relu3", "features: relu2"], rows)
    deep = {key: float(np.mean([r.numbers[f"gram_{key}_{layer}"] for layer in LAYERS])) for key in variants}
    for key, value in deep.items():
        r.number(f"gram_deep_{key}", value, "mean over relu1–relu3")

    # style transfer itself, and content reconstructions from single layers
    with one_blas_thread():
        result = transfer(content, style, ext, steps, {"style": STYLE_WEIGHT, "tv": TV_WEIGHT})
        recon = {layer: transfer(content, style, ext, steps, {"style": 0.0}, init="noise", content_layers=[layer])
                 for layer in ("relu1", "relu3")}
    h = result.history
    r.number("steps", steps)
    r.number("style_weight", STYLE_WEIGHT)
    r.number("tv_weight", TV_WEIGHT)
    r.number("style_start", h["style"][0], f"β·Σ_l E_l / L at the content image, β = {STYLE_WEIGHT:g}")
    r.number("style_end", h["style"][-1], f"after {steps} L-BFGS steps")
    r.number("style_drop", h["style"][0] / h["style"][-1])
    r.number("content_end", h["content"][-1], "½‖F(x) − F(content)‖² at relu2 after the steps")
    for layer, rec in recon.items():
        r.number(f"rmse_{layer}", float(np.sqrt(np.mean((rec.image - content) ** 2))),
                 f"pixel RMSE of the image rebuilt from noise to match {layer} alone")
    r.condition(f"{H}×{W} images, random-filter CNN with widths {WIDTHS} (3×3, ReLU, average pooling), "
                f"{steps} L-BFGS steps, style weight {STYLE_WEIGHT:g}, total-variation weight {TV_WEIGHT:g}, "
                f"tiles of {TILE}×{TILE} pixels")

    r.check("style-loss-falls", r.numbers["style_drop"] > 2)
    r.check("gram-ignores-layout", deep["tiles"] < 0.3 * deep["other"] and r.numbers["content_tiles"] > 0.5)
    r.check("gram-beyond-colour", r.numbers["gram_pixels_pixels"] < 1e-5 and deep["pixels"] > 1.5 * deep["tiles"])
    tiles_by_depth = [r.numbers[f"gram_tiles_{layer}"] for layer in LAYERS]
    r.check("depth", r.numbers["rmse_relu3"] > 2 * r.numbers["rmse_relu1"]
            and all(a < b for a, b in zip(tiles_by_depth, tiles_by_depth[1:])))

    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 5, figsize=(11, 2.4), gridspec_kw={"width_ratios": [1, 1, 1, 1, 1.3]})
    shown = [("content", content), ("style", style), ("result", result.image),
             ("rebuilt from relu3", recon["relu3"].image)]
    for ax, (title, image) in zip(axes, shown):
        ax.imshow(np.clip(image.transpose(1, 2, 0), 0, 1))
        ax.set(title=title, xticks=[], yticks=[])
    for name in ("total", "style", "content", "tv"):
        axes[4].plot(np.maximum(h[name], 1e-3), label=name)
    axes[4].set(yscale="log", xlabel="L-BFGS step", title="weighted losses")
    axes[4].legend(fontsize=7)
    r.figure("style_transfer", fig, "Content, style, the stylised result, a relu3 reconstruction and the loss curves.")
    return r


ENTRY = Entry(
    id="style-transfer",
    section="C",
    title={"zh": "风格迁移的原理", "en": "Neural style transfer"},
    keywords=["style transfer", "风格迁移", "风格转换", "Gram", "格拉姆矩阵", "content loss", "style loss", "Gatys",
              "texture", "纹理"],
    claims={
        "style-loss-falls": {
            "en": "Style transfer optimises the pixels of the image itself (the network is fixed) so that its Gram "
                  "matrices approach the style image's while its features stay near the content image's.",
            "zh": "风格迁移优化的是图像本身的像素（网络固定），使其 Gram 矩阵接近风格图，同时特征接近内容图。"},
        "gram-ignores-layout": {
            "en": "A Gram matrix records which features occur together, not where: rearranging the style image's "
                  "regions barely changes it, though the feature maps change completely.",
            "zh": "Gram 矩阵记录的是哪些特征一起出现，而不是出现在哪里：把风格图的区域打乱几乎不改变它，而特征图完全变了。"},
        "gram-beyond-colour": {
            "en": "The Gram matrices of convolutional features capture local texture, not just colour statistics: "
                  "shuffling single pixels keeps the colour statistics exactly but changes them.",
            "zh": "卷积特征的 Gram 矩阵刻画的是局部纹理，不只是颜色统计：逐像素打乱保持颜色统计完全不变，却会改变它们。"},
        "depth": {
            "en": "(the notes) Deeper layers: the content representation resembles the original image less, and "
                  "the style representation takes in more of the image's layout.",
            "zh": "（笔记）越往后层，内容表示与原图越不像；风格表示加入了越多内容（布局）的元素。"},
    },
    answer={
        "en": r"""
**The method** (Gatys, Ecker & Bethge, 2016). A fixed CNN reads three images: the content image $c$, the
style image $s$ and the image being made, $x$. At layer $l$ with $N_l$ channels of $M_l$ positions, the
features form $F^l \in \mathbb{R}^{N_l\times M_l}$ and their **Gram matrix** is $G^l = F^l {F^l}^\top$,
$G^l_{ij} = \sum_k F^l_{ik}F^l_{jk}$: the correlation of channels $i$ and $j$ summed over all positions.
The losses are
$$L_{content} = \tfrac12\sum (F^l(x) - F^l(c))^2, \qquad E_l = \sum_{ij}(G^l(x)-G^l(s))^2 \,/\, (4N_l^2M_l^2),$$
and $x$ minimises $\alpha L_{content} + \beta \sum_l w_l E_l$ (often plus a total-variation term) by
gradient descent **on the pixels** — the network's weights never change. gradbook: `style.transfer`
with L-BFGS or Adam, `gradbook style CONTENT STYLE -o OUT` on image files.

**Measured** on scikit-learn's two sample photographs at {=steps} L-BFGS steps, read by a CNN whose
filters are random (no downloaded VGG: random filters carry texture statistics too). The weighted style
loss falls from {=style_start:.4g} to {=style_end:.4g} ({=style_drop:.1f}×) while the content term, zero
at the start, ends at {=content_end:.4g} (content weight 1, style weight {=style_weight:g}, total-variation
weight {=tv_weight:g}: the balance is a choice — more style weight, more style).

**What a Gram matrix keeps.** Cut the style image into 8×8 tiles and shuffle them: the relu2 feature maps
move by {=content_tiles:.2f} of their norm, yet the Gram matrices of relu1–relu3 move by only
{=gram_deep_tiles:.3f} on average, against {=gram_deep_other:.3f} for a different photograph. The sum
over positions forgets *where*. Shuffle single pixels instead: the 3×3 Gram matrix of the raw colours
is unchanged ({=gram_pixels_pixels:.1e}) — same colour statistics — but the deep Gram matrices move by
{=gram_deep_pixels:.3f}, because a 3×3 filter sees neighbourhoods, and those are destroyed. So style
here means *local texture statistics*: which patterns co-occur, at the scale the filters see.

**Depth.** Rebuilding an image from noise to match the content features of one layer: from relu1 the
pixels come back almost exactly (RMSE {=rmse_relu1:.2g}), from relu3 only the coarse layout
(RMSE {=rmse_relu3:.3f}). The tile-shuffled image's Gram distance grows with depth
({=gram_tiles_relu1:.3f}, {=gram_tiles_relu2:.3f}, {=gram_tiles_relu3:.3f}): deeper units see larger regions,
so their Gram matrices take in more of the arrangement. This is why the notes say deeper content layers
look less like the original and deeper style layers are "more concrete" — the reason is the receptive
field and the pooling, not that style leaks into content.
""",
        "zh": r"""
**方法**（Gatys、Ecker、Bethge，2016）。一个固定的 CNN 读入三张图：内容图 $c$、风格图 $s$ 和正在生成的图 $x$。
第 $l$ 层有 $N_l$ 个通道、$M_l$ 个位置，特征构成 $F^l \in \mathbb{R}^{N_l\times M_l}$，其 **Gram 矩阵**为
$G^l = F^l {F^l}^\top$，$G^l_{ij} = \sum_k F^l_{ik}F^l_{jk}$：通道 $i$ 与 $j$ 的相关在所有位置上求和。损失为
$$L_{content} = \tfrac12\sum (F^l(x) - F^l(c))^2, \qquad E_l = \sum_{ij}(G^l(x)-G^l(s))^2 \,/\, (4N_l^2M_l^2),$$
$x$ 通过对**像素**做梯度下降来最小化 $\alpha L_{content} + \beta \sum_l w_l E_l$（常再加一个全变分项）——网络权重始终不变。
gradbook 中即 `style.transfer`（L-BFGS 或 Adam），以及针对图像文件的 `gradbook style CONTENT STYLE -o OUT`。

**实测**：scikit-learn 自带的两张照片，{=steps} 步 L-BFGS，用滤波器随机的 CNN 提取特征（不下载 VGG：随机滤波器同样携带纹理统计）。
加权风格损失从 {=style_start:.4g} 降到 {=style_end:.4g}（{=style_drop:.1f} 倍），内容项从 0 开始，最终为 {=content_end:.4g}
（内容权重 1，风格权重 {=style_weight:g}，全变分权重 {=tv_weight:g}：二者的平衡是人为选择——风格权重越大，风格越重）。

**Gram 矩阵保留了什么。** 把风格图切成 8×8 的小块再打乱：relu2 特征图变化了其范数的 {=content_tiles:.2f}，而 relu1–relu3
的 Gram 矩阵平均只变了 {=gram_deep_tiles:.3f}，换成另一张照片则是 {=gram_deep_other:.3f}。对位置求和丢掉了"在哪里"。
改为逐像素打乱：原始颜色的 3×3 Gram 矩阵不变（{=gram_pixels_pixels:.1e}）——颜色统计相同——但深层 Gram 矩阵变化了
{=gram_deep_pixels:.3f}，因为 3×3 滤波器看的是邻域，而邻域被破坏了。所以这里的"风格"是*局部纹理统计*：在滤波器所见的尺度上，
哪些模式一起出现。

**深度。** 从噪声出发、只匹配某一层的内容特征来重建图像：用 relu1 几乎能还原像素（RMSE {=rmse_relu1:.2g}），用 relu3 只剩粗略布局
（RMSE {=rmse_relu3:.3f}）。打乱小块后的 Gram 距离随深度增大（{=gram_tiles_relu1:.3f}、{=gram_tiles_relu2:.3f}、
{=gram_tiles_relu3:.3f}）：越深的单元看到的区域越大，其 Gram 矩阵包含了越多的布局信息。这就是笔记所说"越往后层内容越不像原图、
风格越具像"的现象——原因在于感受野和池化，而不是风格"混进"了内容。
""",
    },
    compute=compute,
)
