"""Model compression: every method of ``gradbook.compress`` on one MLP trained on the embedded
digits, each written as a real compressed file, loaded back and scored (size on disk against
accuracy); plus the cost arithmetic of depthwise-separable and grouped convolutions that the notes
list among the compression tricks."""
from __future__ import annotations

import tempfile
from functools import lru_cache

import numpy as np

from ... import backend, nn
from ...analysis import flops
from ...compress import fileformat, lowrank, pipeline, prune
from ...models import MLP
from ..entry import Entry
from ..result import Result
from ._small_nets import digits_images, one_blas_thread

SIZES = [64, 128, 64, 10]
KEYS = {"dense": "dense", "dense+fine-tune": "control", "prune": "prune", "quantise": "quantise",
        "quantise+huffman": "quantise_huffman", "prune+quantise+huffman": "pqh", "bwn": "bwn", "xnor": "xnor",
        "svd": "svd", "student": "student", "distilled": "distilled"}


def settings(quick: bool) -> tuple[int, pipeline.Settings]:
    """(epochs to train the base MLP, the compression settings)."""
    if quick:
        return 12, pipeline.Settings(epochs=2, student_epochs=8)
    return 30, pipeline.Settings(epochs=4, student_epochs=15)


@lru_cache(maxsize=2)
def experiment(quick: bool):
    """The trained base MLP, the data and every method's outcome (files kept in a folder that lives
    as long as this process, so a test can read them)."""
    data = digits_images()
    base_epochs, s = settings(quick)
    folder = tempfile.TemporaryDirectory(prefix="gradbook-compression-")
    with one_blas_thread():
        backend.manual_seed(0)
        base = MLP(SIZES)
        pipeline.fine_tune(base, data[0], data[1], s, epochs=base_epochs)
        outcomes = pipeline.run(base, data[:2], data[2:], folder.name, s, base=lambda: MLP(SIZES))
    return base, data, {o.method: o for o in outcomes}, folder


def csr_bytes(w: np.ndarray) -> int:
    """A CSR matrix with float32 values, int32 column indices and int32 row pointers."""
    return int(np.count_nonzero(w)) * (4 + 4) + (w.shape[0] + 1) * 4


def _weights(model) -> list[np.ndarray]:
    return [m.weight.data for m, _ in prune.prunable(model)]


def _storage_at(base, amount: float) -> tuple[float, float]:
    """(CSR bytes, gradbook's sparse entry bytes) of the weight matrices pruned to ``amount``, each
    over their dense bytes."""
    import copy

    net = copy.deepcopy(base)
    prune.magnitude(net, amount=amount, scope="global")
    ws = _weights(net)
    dense = sum(w.size * 4 for w in ws)
    ours = sum(fileformat.payload_bytes({"w": fileformat.encode_sparse(w)}) for w in ws)
    return sum(csr_bytes(w) for w in ws) / dense, ours / dense


def _paired_se(model_a, model_b, X, y) -> float:
    """Standard error of the accuracy difference of two models on the same test images (McNemar:
    √(b + c)/n, b and c the images only one of them gets right)."""
    from ...autograd import Tensor, no_grad

    with no_grad():
        a = model_a.eval()(Tensor(X)).data.argmax(1) == y
        b = model_b.eval()(Tensor(X)).data.argmax(1) == y
    return float(np.sqrt(np.sum(a != b)) / len(y))


def _conv_costs(r: Result) -> None:
    m, n, k, size, g = 32, 64, 3, 16, 4
    std = flops(nn.Sequential(nn.Conv2d(m, n, k, padding=1, bias=False)), (m, size, size))["total"]
    sep = flops(nn.Sequential(nn.Conv2d(m, m, k, padding=1, groups=m, bias=False), nn.Conv2d(m, n, 1, bias=False)),
                (m, size, size))["total"]
    grouped = flops(nn.Sequential(nn.Conv2d(m, n, k, padding=1, groups=g, bias=False)), (m, size, size))["total"]
    r.number("conv_m", m), r.number("conv_n", n), r.number("conv_k", k), r.number("conv_hw", size), r.number("g", g)
    r.number("macs_standard", std, f"flops(Conv2d({m}, {n}, {k}, padding=1), ({m}, {size}, {size}))")
    r.number("macs_separable", sep, f"depthwise Conv2d({m}, {m}, {k}, groups={m}) + pointwise Conv2d({m}, {n}, 1)")
    r.number("separable_ratio", sep / std)
    r.number("one_over_k2", 1 / k ** 2)
    r.number("one_over_n_plus_one_over_k2", 1 / n + 1 / k ** 2)
    r.number("macs_grouped", grouped, f"Conv2d({m}, {n}, {k}, groups={g})")
    r.number("grouped_ratio", grouped / std)
    r.number("grouped_saved", 1 - grouped / std)
    r.number("one_over_g", 1 / g)
    sep_ok = abs(sep / std - 1 / k ** 2) < 1e-3 * (1 / k ** 2)
    r.number("separable_phrase_en", "is" if sep_ok else "is not")
    r.number("separable_phrase_zh", "是" if sep_ok else "不是")
    group_ok = abs((1 - grouped / std) - 1 / g) < 1e-9
    r.number("group_phrase_en", "exactly" if group_ok else "not")
    r.number("group_phrase_zh", "正是" if group_ok else "而不是")
    r.check("depthwise-separable", sep_ok)
    r.check("group-conv", group_ok)


def compute(quick: bool) -> Result:
    r = Result()
    base, data, out, _ = experiment(quick)
    Xtr, ytr, Xte, yte = data
    base_epochs, s = settings(quick)
    r.number("n_train", len(ytr)), r.number("n_test", len(yte)), r.number("base_epochs", base_epochs)
    r.number("ft_epochs", s.epochs), r.number("sparsity", s.sparsity), r.number("bits", s.bits)
    r.number("k", 2 ** s.bits), r.number("energy", s.energy), r.number("T", s.T), r.number("alpha", s.alpha)
    r.number("student_hidden", s.student_hidden), r.number("student_epochs", s.student_epochs)
    dense = out["dense"]
    rows = []
    for method, o in out.items():
        key = KEYS[method]
        r.number(f"{key}_bytes", o.file_bytes, f"pipeline.run(...): {method}")
        r.number(f"{key}_payload", o.payload_bytes)
        r.number(f"{key}_ratio", dense.file_bytes / o.file_bytes)
        r.number(f"{key}_acc", o.accuracy)
        r.number(f"{key}_delta", 100 * (o.accuracy - dense.accuracy))
        r.number(f"{key}_bits", o.bits_per_parameter)
        r.number(f"{key}_params", o.parameters)
        rows.append([method, o.file_bytes, o.payload_bytes, round(dense.file_bytes / o.file_bytes, 2), o.parameters,
                     round(o.bits_per_parameter, 2), round(o.accuracy, 4),
                     round(100 * (o.accuracy - dense.accuracy), 2)])
    r.table("Size on disk and test accuracy of each method (files written, reloaded, scored)",
            ["method", "file bytes", "array bytes", "x smaller", "parameters", "bits/param", "test accuracy",
             "vs dense (pts)"], rows)

    # pruning and sparse storage
    csr80, ours80 = _storage_at(base, s.sparsity)
    csr40, ours40 = _storage_at(base, 0.4)
    r.number("csr_ratio_80", csr80, "CSR (float32 values, int32 indices) bytes / dense bytes, 80% pruned")
    r.number("mask_ratio_80", ours80)
    r.number("csr_ratio_40", csr40)
    r.number("mask_ratio_40", ours40)
    ok_prune = r.numbers["prune_delta"] >= -1.0
    worse = csr40 > 1
    r.number("csr_phrase_en", "more than dense" if worse else "still less than dense")
    r.number("csr_phrase_zh", "比稠密还大" if worse else "仍比稠密小")
    r.number("prune_phrase_en", "So pruning saves space only at high sparsity or with a compact index." if worse
             else "Even a plain CSR matrix saves space here.")
    r.number("prune_phrase_zh", "所以剪枝只有在稀疏度高或索引紧凑时才省空间。" if worse else "这里即使普通的 CSR 也能省空间。")
    r.verdict("pruning-sparse", "confirmed" if ok_prune and csr40 <= 1 else "depends" if ok_prune else "corrected")

    # weight sharing
    r.check("quantisation", r.numbers["quantise_delta"] >= -1.0 and r.numbers["quantise_ratio"] >= 5, "depends")

    # Huffman: indices against their entropy, and the whole pipeline with and without it
    pqh = out["prune+quantise+huffman"]
    h, length = pqh.details["index_entropy"], pqh.details["index_huffman_bits"]
    plain = fileformat.payload_bytes(pipeline.encode_model(pqh.model, use_huffman=False))
    r.number("index_entropy", h), r.number("index_huffman_bits", length)
    r.number("pqh_payload_without_huffman", plain)
    r.number("huffman_saving_pct", 100 * (1 - pqh.payload_bytes / plain))
    r.check("huffman", h <= length < h + 1 and r.numbers["huffman_saving_pct"] >= 5, "depends")

    # binarisation: the binary layers' own storage, and accuracy
    bin_entries = [e for e in pipeline.encode_model(out["bwn"].model).values() if e["kind"] == "binary"]
    n_bin = sum(int(np.prod(e["shape"])) for e in bin_entries)
    r.number("binary_bits_per_weight", 8 * fileformat.payload_bytes({str(i): e for i, e in enumerate(bin_entries)})
             / n_bin)
    r.number("binary_weights", n_bin)
    r.check("binarisation", r.numbers["bwn_delta"] >= -2.0 and r.numbers["xnor_delta"] >= -2.0, "depends")

    # SVD: Eckart–Young on the first layer at the rank the energy rule chose
    rank = out["svd"].details["ranks"].get("0")
    w = base[0].weight.data.astype(np.float64)
    sv = np.linalg.svd(w, compute_uv=False)
    rank = rank if rank is not None else len(sv)
    fac = lowrank.svd_linear(base[0], rank=rank)
    w_r = fac[1].weight.data.astype(np.float64) @ fac[0].weight.data.astype(np.float64)
    r.number("svd_rank_first", rank), r.number("svd_full_rank_first", len(sv))
    r.number("eckart_young_gap", abs(float(((w - w_r) ** 2).sum()) - float((sv[rank:] ** 2).sum())))
    r.number("svd_discarded_energy", float((sv[rank:] ** 2).sum() / (sv ** 2).sum()))
    r.check("svd", r.numbers["svd_delta"] >= -1.0 and out["svd"].parameters < dense.parameters, "depends")

    _conv_costs(r)

    # distillation: the same small MLP with and without the teacher
    diff = out["distilled"].accuracy - out["student"].accuracy
    se = _paired_se(out["distilled"].model, out["student"].model, Xte, yte)
    r.number("distill_gain_pts", 100 * diff), r.number("distill_se_pts", 100 * se)
    word = "confirmed" if diff > 2 * se else "corrected" if diff < -2 * se else "depends"
    r.verdict("distillation", word)
    r.number("distill_phrase_en", {"confirmed": "the teacher's soft targets help beyond the noise",
                                   "corrected": "the student learns worse from the teacher than from the labels",
                                   "depends": "the difference is within the noise of one run"}[word])
    r.number("distill_phrase_zh", {"confirmed": "教师的软目标带来了超出噪声的提升",
                                   "corrected": "学生跟着教师学反而不如直接学标签",
                                   "depends": "差别在单次运行的噪声之内"}[word])

    r.figure("compression", pipeline.figure(list(out.values()), "MLP 64-128-64-10 on digits: file size vs accuracy"),
             "Test accuracy against the size of each compressed file (log scale).")
    r.condition(f"one MLP {SIZES} trained {base_epochs} epochs (Adam) on {len(ytr)} digits; every method fine-tuned "
                f"{s.epochs} epochs; accuracies on {len(yte)} test digits, one seed")
    return r


ENTRY = Entry(
    id="compression",
    section="I",
    title={"zh": "模型压缩的方法", "en": "How do you compress a deep model?"},
    keywords=["compression", "pruning", "quantization", "quantisation", "huffman", "binarization", "BWN", "XNOR",
              "SVD", "low rank", "distillation", "剪枝", "量化", "霍夫曼", "二值化", "蒸馏", "低秩", "压缩"],
    claims={
        "pruning-sparse": {
            "zh": "“权值剪枝（变成稀疏矩阵）”：剪掉小权重后以稀疏矩阵存储，模型变小而精度基本不变。",
            "en": "'Weight pruning (into a sparse matrix)': small weights are cut and the rest stored as a sparse "
                  "matrix, so the model shrinks with little loss of accuracy."},
        "quantisation": {"zh": "“权值量化（聚类）”：把权重聚成少数共享值即可大幅压缩。",
                         "en": "'Weight quantisation (clustering)': sharing a few clustered values shrinks the model."},
        "huffman": {"zh": "“霍夫曼编码”能在量化之后进一步压缩。",
                    "en": "'Huffman coding' compresses further after quantisation."},
        "binarisation": {"zh": "“二值化（BWN，XNorNet）”：权重（XNOR 连同激活）只用 1 比特。",
                         "en": "'Binarisation (BWN, XNOR-Net)': 1-bit weights (XNOR: activations too)."},
        "svd": {"zh": "“奇异值分解（projection 层）”：用低秩分解压缩全连接层。",
                "en": "'SVD (projection layer)': a low-rank factorisation compresses fully connected layers."},
        "depthwise-separable": {
            "zh": "“卷积分解为 depthwise Conv 和 pointwise Conv 可大幅度减小计算量和参数量 1/(Dk^2)”。",
            "en": "'Splitting a conv into depthwise and pointwise convs cuts compute and parameters to 1/Dk²'."},
        "group-conv": {"zh": "“Group Conv（可节省 1/g 计算量）”。",
                       "en": "'Group convolution saves 1/g of the compute'."},
        "distillation": {"zh": "“蒸馏法”：小模型跟着大模型学，比单独训练更好。",
                         "en": "'Distillation': a small model taught by a large one beats the same model "
                               "trained alone."},
    },
    answer={
        "en": r"""
The notes list thirteen tricks; gradbook implements the ones that shrink a *trained* model and
measures each on one MLP ({=dense_params} parameters, {=dense_acc:.2%} test accuracy on the
{=n_test} test digits). Every result below was written to a real compressed file
(`gradbook.compress.fileformat`: safe `.npz`, bitstreams as uint8), loaded back and scored.
The dense file takes {=dense_bytes} bytes.

**Pruning** (Han et al. 2015): zero the {=sparsity:.0%} smallest weights (one global
threshold), fine-tune with the masks on so they stay zero: accuracy {=prune_acc:.2%}
({=prune_delta:+.2f} points), file {=prune_ratio:.1f}x smaller. *Sparse matrix* is the catch:
stored as CSR with 32-bit indices the pruned weights take {=csr_ratio_80:.2f} of their dense
bytes at 80% zeros but {=csr_ratio_40:.2f} at 40% — {=csr_phrase_en}. A packed bit mask (one bit
per weight) gives {=mask_ratio_80:.2f} and {=mask_ratio_40:.2f}. {=prune_phrase_en}

**Weight sharing** (k-means, {=k} values per layer, linear initialisation, centroids fine-tuned
by the summed gradients of their cluster): {=quantise_acc:.2%} ({=quantise_delta:+.2f}), file
{=quantise_ratio:.1f}x smaller at {=quantise_bits:.2f} bits per parameter.

**Huffman coding** of the cluster indices takes {=index_huffman_bits:.3f} bits per index against
{=bits} bits fixed-width and an entropy of {=index_entropy:.3f} (inside Huffman's bound
$H \le L < H+1$): it can only gain what the indices' skew allows. Over the whole pipeline (prune → quantise →
Huffman on the indices *and* on the gaps between nonzeros) it cuts the arrays by
{=huffman_saving_pct:.1f}%. The pipeline: {=pqh_bits:.2f} bits per parameter, file
{=pqh_ratio:.1f}x smaller, {=pqh_acc:.2%} ({=pqh_delta:+.2f}).

**Binarisation**: BWN stores {=binary_bits_per_weight:.2f} bits per weight in the
binarised layers (the sign plus one α = mean|W| per output unit); first and last layers stay full
precision, so the whole file is only {=bwn_ratio:.1f}x smaller; {=bwn_acc:.2%}
({=bwn_delta:+.2f}) after fine-tuning with the straight-through estimator. XNOR also binarises the
activations (after a BatchNorm: after a ReLU every sign would be +1): {=xnor_acc:.2%}
({=xnor_delta:+.2f}).

**SVD**: keeping {=energy:.0%} of $\sum s_i^2$ factors the first layer at rank
{=svd_rank_first} of {=svd_full_rank_first}; its Frobenius error equals the discarded singular
values (Eckart–Young, gap {=eckart_young_gap:.1e}). {=svd_params} parameters instead of
{=dense_params}, {=svd_acc:.2%} ({=svd_delta:+.2f}).

**Depthwise-separable convolution** {=separable_phrase_en} 1/Dk² of a standard one. For {=conv_m}→{=conv_n}
channels, $3\times3$, on $16\times16$: {=macs_separable} vs {=macs_standard} multiply-adds, a
ratio of {=separable_ratio:.4f}, against $1/N + 1/D_k^2$ = {=one_over_n_plus_one_over_k2:.4f} and
$1/D_k^2$ = {=one_over_k2:.4f}; the weights shrink by the same ratio.

**Group convolution** with $g={=g}$ *needs* {=grouped_ratio:.2f} of the compute, i.e. it saves
{=grouped_saved:.2f} ($1 - 1/g$), {=group_phrase_en} 1/g ({=one_over_g:.2f}).

**Distillation** (T = {=T}, α = {=alpha}): a {=student_hidden}-unit MLP taught by the model scores
{=distilled_acc:.2%}, the same MLP trained alone {=student_acc:.2%}: {=distill_gain_pts:+.2f}
points (paired standard error {=distill_se_pts:.2f}): {=distill_phrase_en}.

Every method was fine-tuned {=ft_epochs} epochs; the dense model fine-tuned as long (a control)
scores {=control_acc:.2%} ({=control_delta:+.2f}), so differences of that size are the extra
training, not the compression.
""",
        "zh": r"""
笔记列了十三种方法；gradbook 实现了其中能压缩*已训练*模型的那些，并在同一个 MLP 上逐一测量
（{=dense_params} 个参数，{=n_test} 张测试数字上准确率 {=dense_acc:.2%}）。下面每个结果都写成真实的压缩文件
（`gradbook.compress.fileformat`：安全的 `.npz`，比特流存为 uint8），再读回来评测。原始文件 {=dense_bytes} 字节。

**剪枝**（Han 等 2015）：用一个全局阈值把最小的 {=sparsity:.0%} 权重置零，带着掩码微调（被剪的权重梯度为零，
始终为零）：准确率 {=prune_acc:.2%}（{=prune_delta:+.2f} 个百分点），文件缩小 {=prune_ratio:.1f} 倍。
关键在“稀疏矩阵”：用 32 位索引的 CSR 存储，80% 为零时占原大小的 {=csr_ratio_80:.2f}，但 40% 为零时是
{=csr_ratio_40:.2f}——{=csr_phrase_zh}。用每个权重一比特的位掩码则是 {=mask_ratio_80:.2f} 和 {=mask_ratio_40:.2f}。
{=prune_phrase_zh}

**权值共享**（k-means，每层 {=k} 个值，线性初始化，用簇内梯度之和微调中心）：{=quantise_acc:.2%}
（{=quantise_delta:+.2f}），文件缩小 {=quantise_ratio:.1f} 倍，每个参数 {=quantise_bits:.2f} 比特。

**霍夫曼编码**：簇索引平均每个 {=index_huffman_bits:.3f} 比特，定长编码为 {=bits} 比特，熵为 {=index_entropy:.3f}
（满足 $H \le L < H+1$）：它能省下的只有索引分布不均匀的那部分。在整条流水线（剪枝 → 量化 →
对索引*和*非零元素间隔做霍夫曼编码）中，它让数组减少 {=huffman_saving_pct:.1f}%。整条流水线：每个参数
{=pqh_bits:.2f} 比特，文件缩小 {=pqh_ratio:.1f} 倍，准确率 {=pqh_acc:.2%}（{=pqh_delta:+.2f}）。

**二值化**：BWN 在二值化的层里每个权重 {=binary_bits_per_weight:.2f} 比特（符号加上每个输出单元一个
α = mean|W|）；首尾两层保持全精度，所以整个文件只缩小 {=bwn_ratio:.1f} 倍；用直通估计器微调后
{=bwn_acc:.2%}（{=bwn_delta:+.2f}）。XNOR 连激活也二值化（先过 BatchNorm：ReLU 之后的符号全是 +1）：
{=xnor_acc:.2%}（{=xnor_delta:+.2f}）。

**SVD**：保留 $\sum s_i^2$ 的 {=energy:.0%}，第一层分解到秩 {=svd_rank_first}（满秩 {=svd_full_rank_first}）；
其 Frobenius 误差正好等于舍去的奇异值（Eckart–Young，差 {=eckart_young_gap:.1e}）。参数 {=svd_params}
（原 {=dense_params}），准确率 {=svd_acc:.2%}（{=svd_delta:+.2f}）。

**深度可分离卷积**的计算量{=separable_phrase_zh}标准卷积的 1/Dk²。{=conv_m}→{=conv_n} 通道、$3\times3$、$16\times16$ 特征图：
{=macs_separable} 对 {=macs_standard} 次乘加，比例 {=separable_ratio:.4f}；$1/N + 1/D_k^2$ =
{=one_over_n_plus_one_over_k2:.4f}，$1/D_k^2$ = {=one_over_k2:.4f}；权重数按同一比例减少。

**分组卷积**（$g={=g}$）*需要*原来 {=grouped_ratio:.2f} 的计算量，也就是节省 {=grouped_saved:.2f}（$1-1/g$），
{=group_phrase_zh} 1/g（{=one_over_g:.2f}）。

**蒸馏**（T = {=T}，α = {=alpha}）：{=student_hidden} 个隐单元的 MLP 跟着原模型学，准确率 {=distilled_acc:.2%}；
同一个 MLP 单独训练 {=student_acc:.2%}：差 {=distill_gain_pts:+.2f} 个百分点（配对标准误 {=distill_se_pts:.2f}）：
{=distill_phrase_zh}。

每种方法都微调了 {=ft_epochs} 轮；原模型同样微调（对照组）得到 {=control_acc:.2%}（{=control_delta:+.2f}），
所以这种量级的差别来自额外训练，而不是压缩本身。
""",
    },
    compute=compute,
)
