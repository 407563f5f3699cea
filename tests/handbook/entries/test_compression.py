"""compression: the key numbers recomputed independently — the files decoded and scored by a torch
forward pass, sizes from the files on disk, sparsity and codebook sizes counted with numpy, the
index entropy and Huffman length from counts (heapq), the conv costs from the MAC formulas — and
every verdict rederived from the numbers."""
import heapq
import os

import numpy as np
import pytest
import torch

from gradbook import handbook
from gradbook.compress import fileformat
from gradbook.handbook.entries import compression


@pytest.fixture(scope="module")
def run():
    return handbook.run("compression", quick=True), compression.experiment(True)


def _torch_accuracy(state, X, y):
    """The MLP's forward pass written in torch from the decoded weights."""
    h = torch.tensor(X.reshape(len(X), -1), dtype=torch.float64)
    layers = sorted({k.rsplit(".", 1)[0] for k in state if k.endswith("weight")}, key=int)
    for i, name in enumerate(layers):
        h = h @ torch.tensor(state[f"{name}.weight"], dtype=torch.float64).T + torch.tensor(state[f"{name}.bias"])
        if i < len(layers) - 1:
            h = torch.relu(h)
    return float((h.argmax(1).numpy() == y).mean())


def _huffman_length(counts) -> float:
    heap, total = [int(c) for c in counts if c], 0
    heapq.heapify(heap)
    while len(heap) > 1:
        merged = heapq.heappop(heap) + heapq.heappop(heap)
        total += merged
        heapq.heappush(heap, merged)
    return total / sum(counts)


def test_files_sizes_and_accuracies_recomputed(run):
    r, (_, data, out, _) = run
    n = r.numbers
    _, _, Xte, yte = data
    for method in ("dense", "prune", "quantise", "quantise+huffman", "prune+quantise+huffman"):
        key, path = compression.KEYS[method], out[method].details["path"]
        assert n[f"{key}_bytes"] == os.path.getsize(path)
        with np.load(path, allow_pickle=False) as npz:
            assert n[f"{key}_payload"] == npz["data"].nbytes
        state, _ = fileformat.load(path)
        assert abs(_torch_accuracy(state, Xte, yte) - n[f"{key}_acc"]) <= 1 / len(yte)
        assert n[f"{key}_ratio"] == pytest.approx(n["dense_bytes"] / n[f"{key}_bytes"])
    assert n["dense_payload"] == 4 * n["dense_params"] == 4 * (64 * 128 + 128 + 128 * 64 + 64 + 64 * 10 + 10)
    state, _ = fileformat.load(out["prune+quantise+huffman"].details["path"])
    weights = [state[f"{i}.weight"] for i in (0, 2, 4)]
    zeros = sum(int((w == 0).sum()) for w in weights) / sum(w.size for w in weights)
    assert zeros == pytest.approx(n["sparsity"], abs=1e-3)
    entropy = length = total = 0.0  # each layer has its own code: averages weighted by the layer's indices
    for w in weights:
        values, counts = np.unique(w[w != 0], return_counts=True)
        assert len(values) <= n["k"]
        p = counts / counts.sum()
        entropy += -(p * np.log2(p)).sum() * counts.sum()
        length += _huffman_length(counts) * counts.sum()
        total += counts.sum()
    assert n["index_entropy"] == pytest.approx(entropy / total, rel=1e-9)
    assert n["index_huffman_bits"] == pytest.approx(length / total, rel=1e-9)


def test_storage_and_conv_arithmetic(run):
    n = run[0].numbers
    m, c, k, hw, g = n["conv_m"], n["conv_n"], n["conv_k"], n["conv_hw"], n["g"]
    assert n["macs_standard"] == m * c * k * k * hw * hw
    assert n["macs_separable"] == m * k * k * hw * hw + m * c * hw * hw
    assert n["macs_grouped"] == m * c * k * k * hw * hw // g
    assert n["separable_ratio"] == pytest.approx(1 / c + 1 / k ** 2)
    # CSR at 40% zeros: 0.6 of the entries each with a 4-byte value and a 4-byte index, plus row pointers
    rows = 128 + 64 + 10
    entries = 64 * 128 + 128 * 64 + 64 * 10
    kept = entries - round(0.4 * entries)
    assert n["csr_ratio_40"] == pytest.approx((8 * kept + 4 * (rows + 3)) / (4 * entries), rel=1e-9)
    assert n["binary_bits_per_weight"] == pytest.approx(1 + 32 * 64 / (128 * 64))


def test_verdicts_follow_the_numbers(run):
    r = run[0]
    n, v = r.numbers, r.verdicts
    ok = n["prune_delta"] >= -1
    assert v["pruning-sparse"] == ("confirmed" if ok and n["csr_ratio_40"] <= 1 else "depends" if ok else "corrected")
    assert v["quantisation"] == ("confirmed" if n["quantise_delta"] >= -1 and n["quantise_ratio"] >= 5 else "depends")
    h, length = n["index_entropy"], n["index_huffman_bits"]
    assert v["huffman"] == ("confirmed" if h <= length < h + 1 and n["huffman_saving_pct"] >= 5 else "depends")
    assert v["binarisation"] == ("confirmed" if min(n["bwn_delta"], n["xnor_delta"]) >= -2 else "depends")
    assert v["svd"] == ("confirmed" if n["svd_delta"] >= -1 and n["svd_params"] < n["dense_params"] else "depends")
    assert v["depthwise-separable"] == "corrected"  # 1/N + 1/k² differs from 1/k² for any finite N
    assert v["group-conv"] == ("confirmed" if n["g"] == 2 else "corrected")  # saves 1 - 1/g
    gain, se = n["distill_gain_pts"], n["distill_se_pts"]
    assert v["distillation"] == ("confirmed" if gain > 2 * se else "corrected" if gain < -2 * se else "depends")
    assert n["eckart_young_gap"] < 1e-8
