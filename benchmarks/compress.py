"""``gradbook.compress`` against torch: the masks torch.nn.utils.prune computes (L1 unstructured on a
1024x1024 weight, L2 structured over the filters of a 256x256x3x3 conv), a training step of a pruned
Linear (masked forward and backward) and Hinton's distillation loss with its gradient.

    python benchmarks/compress.py                # 5 alternated rounds
    python benchmarks/compress.py --repeat 3 --inner 5

Each library runs in its own subprocess (fresh interpreter, one thread, same seed so the same
weights) in alternated order; a worker times each call ``--inner`` times and reports the least CPU
time (other work on a shared machine only lengthens it), the parent prints the median over rounds
and the ratio torch / gradbook (> 1: gradbook is faster). The workers return a checksum of each
result and the parent checks that both computed the same thing.
"""
from __future__ import annotations

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from _timing import alternated_main, ratio_table, worker_report  # noqa: E402

CALLS = (("l1_mask", "L1 unstructured mask, 1024x1024, 80%"),
         ("ln_mask", "L2 structured mask, 256 filters of 256x3x3, 50%"),
         ("pruned_step", "pruned Linear(1024, 1024) forward+backward, batch 256"),
         ("distill", "distillation loss + gradient, 512 x 100 logits"))


def _data():
    rng = np.random.default_rng(0)
    return {"w": rng.standard_normal((1024, 1024)).astype(np.float32),
            "conv": rng.standard_normal((256, 256, 3, 3)).astype(np.float32),
            "x": rng.standard_normal((256, 1024)).astype(np.float32),
            "s": rng.standard_normal((512, 100)).astype(np.float32),
            "t": rng.standard_normal((512, 100)).astype(np.float32),
            "y": rng.integers(0, 100, 512)}


def _gradbook_calls(d):
    import gradbook as gb
    from gradbook import nn
    from gradbook.compress import distillation_loss, prune

    layer = nn.Linear(1024, 1024)
    layer.weight.data[...] = d["w"]
    prune.l1_unstructured(layer, "weight", 0.8)
    x, s, t, y = gb.tensor(d["x"]), gb.tensor(d["s"], requires_grad=True), gb.tensor(d["t"]), gb.tensor(d["y"])

    def step():
        layer.zero_grad()
        layer(x).sum().backward()
        return layer.weight_orig.grad.data

    def distill():
        s.grad = None
        distillation_loss(s, t, y, 4.0, 0.9).backward()
        return s.grad.data

    ones_w, ones_c = np.ones_like(d["w"]), np.ones_like(d["conv"])
    return {"l1_mask": lambda: prune.l1_mask(d["w"], 0.8, ones_w),
            "ln_mask": lambda: prune.ln_mask(d["conv"], 0.5, 2, 0, ones_c),
            "pruned_step": step, "distill": distill}


def _torch_calls(d):
    import torch
    import torch.nn.utils.prune as tprune

    torch.set_num_threads(1)
    layer = torch.nn.Linear(1024, 1024)
    with torch.no_grad():
        layer.weight.copy_(torch.from_numpy(d["w"]))
    tprune.l1_unstructured(layer, "weight", 0.8)
    w, conv, x = (torch.from_numpy(d[k]) for k in ("w", "conv", "x"))
    s = torch.from_numpy(d["s"]).requires_grad_()
    t, y = torch.from_numpy(d["t"]), torch.from_numpy(d["y"])

    def step():
        layer.zero_grad()
        layer(x).sum().backward()
        return layer.weight_orig.grad

    def distill():
        s.grad = None
        soft = torch.nn.functional.kl_div(torch.log_softmax(s / 4.0, 1), torch.softmax(t / 4.0, 1),
                                          reduction="batchmean")
        (0.9 * 16 * soft + 0.1 * torch.nn.functional.cross_entropy(s, y)).backward()
        return s.grad

    ones_w, ones_c = torch.ones_like(w), torch.ones_like(conv)
    return {"l1_mask": lambda: tprune.L1Unstructured(0.8).compute_mask(w, ones_w),
            "ln_mask": lambda: tprune.LnStructured(0.5, 2, 0).compute_mask(conv, ones_c),
            "pruned_step": step, "distill": distill}


def worker(lib: str, inner: int) -> None:
    d = _data()
    calls = _gradbook_calls(d) if lib == "gradbook" else _torch_calls(d)
    worker_report(calls, inner, _checksum)


def _checksum(result) -> list:
    """Size and sum of magnitudes to 4 significant digits (a softmax gradient's plain sum is 0)."""
    result = np.asarray(result, dtype=np.float64)
    return [int(result.size), float(f"{np.abs(result).sum():.4g}")]


def main() -> None:
    alternated_main(__file__, __doc__, worker, lambda repeat, runs: ratio_table(
        f"gradbook.compress vs torch, one thread (CPU ms, median of {repeat} rounds)", runs, list(CALLS)), width=110)


if __name__ == "__main__":
    main()
