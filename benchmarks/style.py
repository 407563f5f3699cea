"""Style transfer's inner step and the focal loss against torch: one evaluation of the style-transfer
objective with its gradient (content + Gram style + total variation through the random 3-layer CNN
of ``gradbook.style.random_cnn``, a 128x85 image, the same filters on both sides) and
``sigmoid_focal_loss`` forward + backward on a detector-sized (8732, 21) logit map (torchvision's
formula written in torch).

    python benchmarks/style.py                # 5 alternated rounds
    python benchmarks/style.py --repeat 3 --inner 5

Each library runs in its own subprocess (one thread) in alternated order; a worker reports the least
CPU time of ``--inner`` calls, the parent prints the median over rounds and the ratio torch /
gradbook (> 1: gradbook is faster), after checking that both computed the same loss (3 digits).
"""
from __future__ import annotations

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from _timing import alternated_main, ratio_table, worker_report  # noqa: E402

H, W, FOCAL = 85, 128, (8732, 21)


def inputs():
    rng = np.random.default_rng(0)
    content, style = rng.random((1, 3, H, W), np.float32), rng.random((1, 3, H, W), np.float32)
    logits = rng.standard_normal(FOCAL).astype(np.float32) * 3
    targets = (rng.random(FOCAL) < 0.05).astype(np.float32)
    return content, style, logits, targets


def gradbook_calls(content, style, logits, targets):
    from gradbook import Tensor
    from gradbook.nn.functional import sigmoid_focal_loss
    from gradbook.style import random_cnn
    from gradbook.style.transfer import _Objective, _weights

    ext = random_cnn(3)
    objective = _Objective(ext, content, style, ["relu2"], list(ext.names), _weights({"tv": 1.0}))
    x = Tensor(content.copy(), requires_grad=True)
    z = Tensor(logits, requires_grad=True)

    def style_step():
        x.grad = None
        loss = objective(x)
        loss.backward()
        return loss.item()

    def focal_step():
        z.grad = None
        loss = sigmoid_focal_loss(z, Tensor(targets), reduction="sum")
        loss.backward()
        return loss.item()
    return {"style": style_step, "focal": focal_step}, ext


def torch_calls(content, style, logits, targets, ext):
    import torch
    import torch.nn.functional as TF

    torch.set_num_threads(1)
    convs = [m for m in ext.modules() if type(m).__name__ == "Conv2d"]
    weights = [(torch.from_numpy(c.weight.data), torch.from_numpy(c.bias.data)) for c in convs]

    def features(x):
        h, out = (x - 0.5) / 0.25, []
        for i, (w, b) in enumerate(weights):
            h = torch.relu(TF.conv2d(TF.avg_pool2d(h, 2) if i else h, w, b, padding=1))
            out.append(h)
        return out

    def gram(f):
        flat = f.reshape(f.shape[0], f.shape[1], -1)
        return flat @ flat.transpose(1, 2)
    with torch.no_grad():
        fc, fs = features(torch.from_numpy(content)), features(torch.from_numpy(style))
    grams = [gram(f) for f in fs]
    x = torch.from_numpy(content.copy()).requires_grad_(True)
    z, t = torch.from_numpy(logits).requires_grad_(True), torch.from_numpy(targets)

    def style_step():
        x.grad = None
        f = features(x)
        c = 0.5 * ((f[1] - fc[1]) ** 2).sum()
        s = sum(((gram(a) - g) ** 2).sum() / (4 * a.shape[1] ** 2 * a[0, 0].numel() ** 2) for a, g in zip(f, grams))
        tv = (torch.diff(x, dim=2) ** 2).sum() + (torch.diff(x, dim=3) ** 2).sum()
        loss = c + 1e4 * s / len(f) + tv
        loss.backward()
        return loss.item()

    def focal_step():
        z.grad = None
        p = torch.sigmoid(z)
        ce = TF.binary_cross_entropy_with_logits(z, t, reduction="none")
        p_t = p * t + (1 - p) * (1 - t)
        loss = ((0.25 * t + 0.75 * (1 - t)) * ce * (1 - p_t) ** 2).sum()
        loss.backward()
        return loss.item()
    return {"style": style_step, "focal": focal_step}


def worker(lib: str, inner: int) -> None:
    data = inputs()
    calls, ext = gradbook_calls(*data)
    if lib == "torch":
        calls = torch_calls(*data, ext)
    worker_report(calls, inner, lambda loss: float(f"{loss:.3g}"))   # the loss, to 3 significant digits


def main() -> None:
    calls = [("style", f"style objective + gradient, {W}x{H} image"),
             ("focal", f"sigmoid_focal_loss + gradient, {FOCAL[0]}x{FOCAL[1]}")]
    alternated_main(__file__, __doc__, worker, lambda repeat, runs: ratio_table(
        f"style and focal loss, one thread (median of {repeat} rounds, CPU ms)", runs, calls))


if __name__ == "__main__":
    main()
