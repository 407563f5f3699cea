"""The curse of dimensionality, measured: ball volume, distance concentration, neighbourhood size."""
from __future__ import annotations

import math

import numpy as np

from ... import backend
from ..entry import Entry
from ..result import Result


def inscribed_ball_volume(d: int) -> float:
    """Volume of the ball of radius 1/2 inside the unit cube: π^{d/2} / Γ(d/2 + 1) · (1/2)^d."""
    return math.exp(d / 2 * math.log(math.pi) - math.lgamma(d / 2 + 1) + d * math.log(0.5))


def relative_contrast(d: int, n: int, rng: np.random.Generator) -> float:
    """(max − min) / min of the distances from a random query to n uniform points in [0,1]^d."""
    points = rng.random((n, d))
    query = rng.random(d)
    dist = np.sqrt(((points - query) ** 2).sum(axis=1))
    return float((dist.max() - dist.min()) / dist.min())


def compute(quick: bool) -> Result:
    r = Result()
    rng = backend.spawn_rng(0)
    dims = [1, 2, 3, 5, 10, 20, 50, 100]
    volumes = [inscribed_ball_volume(d) for d in dims]
    samples = 20_000 if quick else 200_000
    mc = {d: float((np.linalg.norm(rng.random((samples, d)) - 0.5, axis=1) <= 0.5).mean()) for d in (2, 5, 10)}
    r.number("ball_volume_d2", volumes[1], "inscribed_ball_volume(2)")
    r.number("ball_volume_d10", volumes[4], "inscribed_ball_volume(10)")
    r.number("ball_volume_d20", volumes[5], "inscribed_ball_volume(20)")
    r.number("mc_ball_fraction_d10", mc[10], "Monte Carlo share of uniform points inside the ball, d=10")
    contrast_dims = [2, 10, 100, 1000]
    n_points = 500 if quick else 5000
    contrast = [relative_contrast(d, n_points, rng) for d in contrast_dims]
    r.number("contrast_d2", contrast[0])
    r.number("contrast_d1000", contrast[-1])
    edge = {d: 0.01 ** (1 / d) for d in (1, 2, 10, 100)}
    r.number("edge_1pct_d10", edge[10], "0.01 ** (1/10)")
    r.number("edge_1pct_d100", edge[100])
    r.table("Inscribed ball volume vs dimension", ["d", "volume of ball r=1/2", "cube volume"],
            [[d, v, 1.0] for d, v in zip(dims, volumes)])
    r.table("Distance concentration (query vs uniform points)", ["d", "(max-min)/min"],
            [[d, c] for d, c in zip(contrast_dims, contrast)])
    r.check("ball-volume-vanishes", volumes[-1] < 1e-30 and all(a > b for a, b in zip(volumes[1:], volumes[2:])))
    r.check("distances-concentrate", all(a > b for a, b in zip(contrast, contrast[1:])))
    r.check("neighbourhoods-not-local", edge[10] > 0.6)

    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.2))
    axes[0].semilogy(dims, volumes, "o-")
    axes[0].set(xlabel="dimension d", ylabel="volume", title="Ball inscribed in the unit cube")
    axes[1].loglog(contrast_dims, contrast, "s-", color="C3")
    axes[1].set(xlabel="dimension d", ylabel="(max-min)/min distance", title="Distances concentrate")
    r.figure("curse", fig, "Left: the inscribed ball's share of the cube vanishes. Right: nearest and farthest "
                           "points become almost equally far.")
    return r


ENTRY = Entry(
    id="curse-of-dimensionality",
    section="A",
    title={"zh": "维数灾难", "en": "The curse of dimensionality"},
    keywords=["dimension", "高维", "维度", "稀疏", "distance", "hypersphere", "超球"],
    claims={
        "ball-volume-vanishes": {
            "en": "The volume of the ball inscribed in the unit cube goes to 0 as the dimension grows, while the cube's stays 1.",
            "zh": "随着维度增加，单位超立方体的内切超球体积趋于 0，而超立方体体积始终为 1。"},
        "distances-concentrate": {
            "en": "In high dimension the nearest and the farthest neighbour are almost equally far (distances concentrate).",
            "zh": "高维空间中最近邻与最远邻的距离几乎相同（距离集中现象）。"},
        "neighbourhoods-not-local": {
            "en": "A neighbourhood holding 1% of uniform data must span most of each axis once d is about 10.",
            "zh": "当维度约为 10 时，包含 1% 均匀样本的邻域在每个坐标轴上都要覆盖大半范围。"},
    },
    answer={
        "en": r"""
As the number of features $d$ grows, a fixed number of samples covers space ever more thinly,
so models need far more data (or stronger assumptions) to avoid overfitting.

**Where the volume goes.** The ball of radius $\frac{1}{2}$ inside the unit cube has volume
$$V_d = \frac{\pi^{d/2}}{\Gamma(d/2+1)} \left(\frac{1}{2}\right)^d .$$
It is {=ball_volume_d2:.4f} of the cube for $d=2$, {=ball_volume_d10:.3g} for $d=10$ and
{=ball_volume_d20:.3g} for $d=20$ (a Monte Carlo estimate at $d=10$ gives {=mc_ball_fraction_d10:.4f}).
Almost all the volume of a high-dimensional cube sits in its corners, far from the centre.

**Distances stop discriminating.** For a random query and uniform points, the relative gap
$(\max - \min)/\min$ between the farthest and the nearest point falls from {=contrast_d2:.3g} at
$d=2$ to {=contrast_d1000:.3g} at $d=1000$: "nearest neighbour" loses its meaning.

**Neighbourhoods are not local.** A sub-cube holding 1% of uniform data has edge $0.01^{1/d}$:
{=edge_1pct_d10:.3f} of each axis at $d=10$ and {=edge_1pct_d100:.3f} at $d=100$.

Remedies: more data, feature selection or dimensionality reduction (PCA), regularisation, and
models whose structure matches the data (e.g. convolutions for images).
""",
        "zh": r"""
特征维度 $d$ 增大时，同样数量的样本在空间中越来越稀疏，模型需要多得多的数据（或更强的先验假设）才能避免过拟合。

**体积去了哪里。** 单位立方体内半径为 $\frac{1}{2}$ 的内切球体积为
$$V_d = \frac{\pi^{d/2}}{\Gamma(d/2+1)} \left(\frac{1}{2}\right)^d .$$
$d=2$ 时占立方体的 {=ball_volume_d2:.4f}，$d=10$ 时为 {=ball_volume_d10:.3g}，$d=20$ 时仅为
{=ball_volume_d20:.3g}（$d=10$ 的蒙特卡洛估计为 {=mc_ball_fraction_d10:.4f}）。高维立方体的体积几乎都在角落里，远离中心。

**距离失去区分度。** 随机查询点到均匀样本的最远与最近距离之比差 $(\max - \min)/\min$ 从 $d=2$ 的
{=contrast_d2:.3g} 降到 $d=1000$ 的 {=contrast_d1000:.3g}："最近邻"不再有意义。

**邻域不再局部。** 包含 1% 均匀样本的子立方体边长为 $0.01^{1/d}$：$d=10$ 时为每个坐标轴的 {=edge_1pct_d10:.3f}，
$d=100$ 时为 {=edge_1pct_d100:.3f}。

对策：更多数据、特征选择或降维（PCA）、正则化，以及与数据结构相匹配的模型（如图像用卷积）。
""",
    },
    compute=compute,
)
