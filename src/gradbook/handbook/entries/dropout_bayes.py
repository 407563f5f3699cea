"""Dropout as approximate Bayesian inference (Gal & Ghahramani, 2016): an MLP with dropout trained on
the digits 0–4, then ``nn.utils.mc_dropout_predict`` (dropout on, T passes) on unseen test digits
0–4 (in distribution), on the digits 5–9 it never saw and on uniform noise (out of distribution):
predictive variance, how well it flags the out-of-distribution inputs against the plain softmax
confidence, and calibration on clean and noise-shifted digits."""
from __future__ import annotations

import numpy as np

from ... import backend, nn
from ...autograd import Tensor
from ...nn import functional as F
from ..entry import Entry
from ..result import Result
from ._small_nets import digits_images, logits, one_blas_thread, train_net

KNOWN = 5                      # trained on the classes 0 … KNOWN − 1
P, WIDTH, LR = 0.5, 128, 3e-3
SHIFTS = (0.3, 0.4)            # σ of the Gaussian pixel noise of the shifted test sets
N_NOISE, BINS = 200, 10


def build(seed: int = 0) -> nn.Module:
    """64-128-128-5 ReLU MLP with dropout p = 0.5 after each hidden layer."""
    backend.manual_seed(seed)
    return nn.Sequential(nn.Flatten(), nn.Linear(64, WIDTH), nn.ReLU(), nn.Dropout(P), nn.Linear(WIDTH, WIDTH),
                         nn.ReLU(), nn.Dropout(P), nn.Linear(WIDTH, KNOWN))


def datasets():
    """Training digits 0–4, and the test sets: in-distribution, unseen classes, noise, shifted."""
    Xtr, ytr, Xte, yte = digits_images()
    known_tr, known_te = ytr < KNOWN, yte < KNOWN
    rng = np.random.default_rng(0)
    sets = {"id": Xte[known_te], "unseen": Xte[~known_te],
            "noise": rng.random((N_NOISE, 1, 8, 8)).astype(np.float32)}
    for s in SHIFTS:
        noisy = Xte[known_te] + rng.normal(0, s, Xte[known_te].shape)
        sets[f"shift{s}"] = np.clip(noisy, 0, 1).astype(np.float32)
    return Xtr[known_tr], ytr[known_tr], sets, yte[known_te]


def steps_for(quick: bool) -> int:
    return 150 if quick else 400


def trained_model(quick: bool) -> nn.Module:
    X, y, _, _ = datasets()
    model = build()
    train_net(model, X, y, steps_for(quick), lr=LR, seed=0)
    return model


def ece(probs: np.ndarray, y: np.ndarray, bins: int = BINS) -> float:
    """Expected calibration error: Σ_b (n_b / n)·|accuracy_b − mean confidence_b| over equal-width
    confidence bins (lo, hi], confidence = the largest class probability."""
    conf, right = probs.max(1), probs.argmax(1) == y
    edges = np.linspace(0, 1, bins + 1)
    total = 0.0
    for lo, hi in zip(edges[:-1], edges[1:]):
        inside = (conf > lo) & (conf <= hi)
        if inside.any():
            total += inside.mean() * abs(right[inside].mean() - conf[inside].mean())
    return float(total)


def nll(probs: np.ndarray, y: np.ndarray) -> float:
    return float(-np.log(np.clip(probs[np.arange(len(y)), y], 1e-12, 1)).mean())


def compute(quick: bool) -> Result:
    from ...metrics import roc_auc_score
    from ...nn.utils import mc_dropout_predict

    r = Result()
    T = 50 if quick else 200
    _, ytrain, sets, y_id = datasets()
    model = trained_model(quick)
    r.number("T", T)
    r.number("p", P)
    r.number("n_train", len(ytrain))
    everything = np.concatenate(list(sets.values()))     # one batch: every test set at once
    ends = np.cumsum([len(X) for X in sets.values()])[:-1]
    backend.manual_seed(1)
    with one_blas_thread():
        mean, v = mc_dropout_predict(model, Tensor(everything), T, output_fn=lambda z: F.softmax(z, dim=1))
    eval_probs = F.softmax(Tensor(logits(model, everything)), dim=1).data.astype(np.float64)
    det = dict(zip(sets, np.split(eval_probs, ends)))
    mc = dict(zip(sets, np.split(mean.data.astype(np.float64), ends)))
    var = dict(zip(sets, np.split(v.data.astype(np.float64).sum(1), ends)))
    for name in ("id", "unseen", "noise"):
        r.number(f"var_{name}", float(var[name].mean()),
                 f"mc_dropout_predict(model, x_{name}, T={T}, softmax): Σ_c Var[p_c], averaged over inputs")
        r.number(f"maxp_det_{name}", float(det[name].max(1).mean()), "eval-mode net: mean largest probability")
        r.number(f"maxp_mc_{name}", float(mc[name].max(1).mean()))
    rows = []
    for ood in ("unseen", "noise"):
        r.number(f"ratio_{ood}", r.numbers[f"var_{ood}"] / r.numbers["var_id"])
        labels = np.r_[np.zeros(len(var["id"])), np.ones(len(var[ood]))]
        scores = {"var": np.r_[var["id"], var[ood]],
                  "det": 1 - np.r_[det["id"].max(1), det[ood].max(1)],
                  "mc": 1 - np.r_[mc["id"].max(1), mc[ood].max(1)]}
        for key, s in scores.items():
            r.number(f"auroc_{key}_{ood}", float(roc_auc_score(labels, s)),
                     f"roc_auc_score(is {ood}, score)  # score: {key}")
        rows.append([ood, r.numbers[f"var_{ood}"], r.numbers[f"ratio_{ood}"], r.numbers[f"auroc_var_{ood}"],
                     r.numbers[f"auroc_det_{ood}"], r.numbers[f"auroc_mc_{ood}"]])
    r.table(f"Out-of-distribution inputs against the {len(y_id)} test digits 0–4 (predictive variance "
            f"{r.numbers['var_id']:.4f} there)", ["inputs", "variance", "× in-distribution", "AUROC: variance",
                                                  "AUROC: 1 − max p (eval net)", "AUROC: 1 − max p (MC mean)"], rows)

    cal_rows = []
    for name in ("id", *(f"shift{s}" for s in SHIFTS)):
        tag = name.replace(".", "_")
        for key, probs in (("det", det[name]), ("mc", mc[name])):
            r.number(f"acc_{key}_{tag}", float((probs.argmax(1) == y_id).mean()))
            r.number(f"ece_{key}_{tag}", ece(probs, y_id), f"expected calibration error, {BINS} bins")
            r.number(f"nll_{key}_{tag}", nll(probs, y_id))
        label = "clean" if name == "id" else f"pixel noise σ = {name[5:]}"
        cal_rows.append([label, r.numbers[f"acc_det_{tag}"], r.numbers[f"ece_det_{tag}"], r.numbers[f"ece_mc_{tag}"],
                         r.numbers[f"nll_det_{tag}"], r.numbers[f"nll_mc_{tag}"]])
    r.table("Calibration on the digits 0–4", ["test set", "accuracy", "ECE eval net", "ECE MC dropout",
                                              "NLL eval net", "NLL MC dropout"], cal_rows)
    r.condition(f"64-128-128-5 MLP, dropout p = {P}, trained with Adam on the {len(ytrain)} training digits 0–4 "
                f"({steps_for(quick)} full-batch steps); T = {T} dropout samples; one seed")

    higher = min(r.numbers["ratio_unseen"], r.numbers["ratio_noise"])
    r.check("variance-flags-ood", higher > 2 and min(r.numbers["auroc_var_unseen"], r.numbers["auroc_var_noise"]) > 0.8)
    gains = [r.numbers[f"auroc_var_{o}"] - r.numbers[f"auroc_det_{o}"] for o in ("unseen", "noise")]
    r.number("gain_unseen", gains[0])
    r.number("gain_noise", gains[1])
    if all(g > 0.02 for g in gains):
        r.verdict("beats-softmax", "confirmed")
    elif all(g < -0.02 for g in gains):
        r.verdict("beats-softmax", "corrected")
    else:
        r.verdict("beats-softmax", "depends")
    better = [r.numbers[f"ece_mc_{t}"] < r.numbers[f"ece_det_{t}"]
              for t in ("id", *(f"shift{s}".replace(".", "_") for s in SHIFTS))]
    r.number("shift_better", int(sum(better[1:])), "shifted sets where MC dropout's ECE is the lower")
    r.number("n_shifts", len(SHIFTS))
    r.verdict("calibration", "confirmed" if all(better) else ("corrected" if not any(better) else "depends"))

    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(5.6, 3.2))
    edges = np.logspace(-6, 0, 40)
    for name, label in (("id", "test digits 0–4"), ("unseen", "digits 5–9 (unseen)"), ("noise", "uniform noise")):
        ax.hist(np.clip(var[name], 1e-6, 1), bins=edges, histtype="step", density=True, label=label)
    ax.set(xscale="log", xlabel="MC dropout predictive variance Σ_c Var[p_c]", ylabel="density",
           title=f"T = {T} dropout samples")
    ax.legend(fontsize=8)
    r.figure("dropout_bayes_variance", fig, "Predictive variance in and out of distribution.")
    return r


ENTRY = Entry(
    id="dropout-bayes",
    section="A",
    title={"zh": "用贝叶斯概率说明 dropout", "en": "Dropout as approximate Bayesian inference"},
    keywords=["dropout", "bayesian", "贝叶斯", "MC dropout", "uncertainty", "不确定性", "calibration", "校准",
              "out-of-distribution", "Gal"],
    claims={
        "variance-flags-ood": {
            "en": "MC dropout's predictive variance is higher on out-of-distribution inputs than on inputs like "
                  "the training data.",
            "zh": "MC dropout 的预测方差在分布外输入上高于与训练数据同分布的输入。"},
        "beats-softmax": {
            "en": "MC dropout's variance detects out-of-distribution inputs better than the ordinary network's "
                  "softmax confidence.",
            "zh": "用 MC dropout 的方差识别分布外输入，比普通网络的 softmax 置信度更好。"},
        "calibration": {
            "en": "Averaging T dropout samples gives better-calibrated probabilities than the single "
                  "evaluation-mode network.",
            "zh": "对 T 次 dropout 采样取平均得到的概率，比单个测试模式网络的概率校准得更好。"},
    },
    answer={
        "en": r"""
**The Bayesian reading.** A Bayesian network keeps a distribution over its weights and predicts with
$p(y\mid x) = \int p(y\mid x, W)\,q(W)\,dW$. Gal and Ghahramani (2016) showed that training with dropout
minimises (up to constants) the KL divergence between a particular $q(W)$ — each row of every weight
matrix either kept or zeroed, Bernoulli($1-p$) — and the posterior of a deep Gaussian process, with the
L2 penalty playing the prior. So a dropout net already *is* a distribution over networks; the usual
test-time trick (all units, scaled) only uses its mean. **MC dropout** keeps dropout on at prediction,
runs $T$ passes and reads
$$\bar p = \tfrac1T\textstyle\sum_t p(y\mid x, \hat W_t), \qquad \mathrm{Var} = \tfrac1T\textstyle\sum_t (p_t-\bar p)^2 .$$
In gradbook: `nn.utils.mc_dropout_predict(model, x, T)` (dropout modules in training mode, batch norm
and everything else in evaluation mode).

**Measured.** A 64-128-128-5 MLP with $p$ = {=p} trained on the {=n_train} training digits 0–4,
$T$ = {=T}. The predictive variance $\sum_c \mathrm{Var}[p_c]$ is {=var_id:.4f} on test digits 0–4,
{=var_unseen:.4f} on the digits 5–9 it never saw ({=ratio_unseen:.1f}×) and {=var_noise:.4f} on uniform
noise ({=ratio_noise:.1f}×). As a detector of those inputs the variance reaches AUROC
{=auroc_var_unseen:.3f} (unseen digits) and {=auroc_var_noise:.3f} (noise); the plain net's
$1-\max_c p_c$ gets {=auroc_det_unseen:.3f} and {=auroc_det_noise:.3f}. Note that the plain net is still
confident on noise (mean largest probability {=maxp_det_noise:.3f}): softmax confidence is not an
uncertainty.

**Calibration.** On clean test digits both are nearly perfect (ECE {=ece_det_id:.4f} for the
evaluation-mode net, {=ece_mc_id:.4f} for MC dropout): there is little to correct. Under a shift (pixel
noise σ = 0.3, accuracy {=acc_det_shift0_3:.3f}) ECE is {=ece_det_shift0_3:.3f} against
{=ece_mc_shift0_3:.3f} and the NLL {=nll_det_shift0_3:.3f} against {=nll_mc_shift0_3:.3f}; at σ = 0.4,
ECE {=ece_det_shift0_4:.3f} against {=ece_mc_shift0_4:.3f}: MC dropout has the lower ECE on
{=shift_better} of the {=n_shifts} shifted sets. Averaging can only help where the single net is
often wrong and still confident, which is where calibration matters.

**Caveats.** The approximate posterior is crude (one dropout rate, independent masks), $T$ passes cost
$T$ times the compute, and the variance measures the spread of *this* family of thinned nets — an
input far away can still get a small variance if every thinned net extrapolates alike.
""",
        "zh": r"""
**贝叶斯视角。** 贝叶斯神经网络对权重保持一个分布，用 $p(y\mid x) = \int p(y\mid x, W)\,q(W)\,dW$ 做预测。
Gal 与 Ghahramani（2016）证明：带 dropout 的训练（在常数意义下）等价于最小化一个特定分布 $q(W)$——每个权重矩阵的每一行以
Bernoulli($1-p$) 保留或置零——与深度高斯过程后验之间的 KL 散度，L2 正则项相当于先验。因此带 dropout 的网络本身就是
"网络的分布"；通常测试时的做法（全部单元、按比例缩放）只用了它的均值。**MC dropout** 在预测时保持 dropout 开启，跑 $T$ 次，
读出
$$\bar p = \tfrac1T\textstyle\sum_t p(y\mid x, \hat W_t), \qquad \mathrm{Var} = \tfrac1T\textstyle\sum_t (p_t-\bar p)^2 .$$
gradbook 中即 `nn.utils.mc_dropout_predict(model, x, T)`（dropout 模块处于训练模式，BN 等其余模块处于测试模式）。

**实测。** 64-128-128-5 的 MLP，$p$ = {=p}，只用 {=n_train} 张训练集中的数字 0–4 训练，$T$ = {=T}。预测方差
$\sum_c \mathrm{Var}[p_c]$ 在测试集数字 0–4 上为 {=var_id:.4f}，在从未见过的数字 5–9 上为 {=var_unseen:.4f}
（{=ratio_unseen:.1f} 倍），在均匀噪声上为 {=var_noise:.4f}（{=ratio_noise:.1f} 倍）。用方差来识别这些输入，AUROC 为
{=auroc_var_unseen:.3f}（未见数字）和 {=auroc_var_noise:.3f}（噪声）；普通网络的 $1-\max_c p_c$ 分别为
{=auroc_det_unseen:.3f} 和 {=auroc_det_noise:.3f}。注意普通网络在噪声上仍然很自信（最大概率均值 {=maxp_det_noise:.3f}）：
softmax 置信度并不是不确定性。

**校准。** 在干净的测试数字上两者几乎都完美（测试模式网络 ECE {=ece_det_id:.4f}，MC dropout {=ece_mc_id:.4f}），
没什么可改进的。在分布偏移下（像素噪声 σ = 0.3，准确率 {=acc_det_shift0_3:.3f}），ECE 为 {=ece_det_shift0_3:.3f} 对
{=ece_mc_shift0_3:.3f}，NLL 为 {=nll_det_shift0_3:.3f} 对 {=nll_mc_shift0_3:.3f}；σ = 0.4 时 ECE 为 {=ece_det_shift0_4:.3f}
对 {=ece_mc_shift0_4:.3f}：在 {=n_shifts} 个偏移测试集中，MC dropout 的 ECE 在 {=shift_better} 个上更低。
取平均只可能在单个网络经常出错却仍然自信的地方有帮助，而那正是校准要紧的地方。

**注意。** 这个近似后验很粗糙（单一 dropout 率、独立掩码），$T$ 次前向要付出 $T$ 倍计算；方差衡量的只是*这一族*
"变瘦"网络之间的分歧——若所有子网络外推得一样，远离训练分布的输入也可能方差很小。
""",
    },
    compute=compute,
)
