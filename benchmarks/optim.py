"""Optimizer step time: gradbook.optim against torch.optim (CPU, its default single-tensor path),
on LeNet-5's parameters (61,706) and on a 784-2048-2048-10 MLP's (5.8 M).

Each measurement runs in its own subprocess, gradbook and PyTorch alternated, with the same
thread count. Gradients are fixed random arrays set once; the timed region is ``step()`` only.

    python benchmarks/optim.py [--repeats 3] [--threads 2] [--steps 50] [--only NAME ...]
"""
from __future__ import annotations

import argparse
import json
import statistics

from _timing import alternated_seconds, child_or_skip, median_time

SHAPES = {
    "LeNet-5": [(6, 1, 5, 5), (6,), (16, 6, 5, 5), (16,), (120, 400), (120,), (84, 120), (84,), (10, 84), (10,)],
    "MLP 784-2048-2048-10": [(2048, 784), (2048,), (2048, 2048), (2048,), (10, 2048), (10,)],
}
OPTIMIZERS = {
    "SGD momentum=0.9": ("SGD", dict(lr=0.01, momentum=0.9)),
    "SGD nesterov, weight_decay": ("SGD", dict(lr=0.01, momentum=0.9, nesterov=True, weight_decay=1e-4)),
    "Adam": ("Adam", dict(lr=1e-3)),
    "AdamW amsgrad": ("AdamW", dict(lr=1e-3, amsgrad=True)),
    "Adagrad": ("Adagrad", dict(lr=1e-2)),
    "Adadelta": ("Adadelta", dict()),
    "RMSprop": ("RMSprop", dict(lr=1e-3)),
    "RMSprop centered, momentum": ("RMSprop", dict(lr=1e-3, momentum=0.9, centered=True)),
    "NAdam": ("NAdam", dict()),
    "RAdam": ("RAdam", dict()),
    "Adamax": ("Adamax", dict()),
    "ASGD": ("ASGD", dict()),
    "Rprop": ("Rprop", dict()),
}
# LBFGS is left out: its step() runs a closure many times, so a fixed-gradient step time says nothing


def _arrays(model: str):
    import numpy as np

    rng = np.random.default_rng(0)
    return [(rng.standard_normal(s).astype(np.float32), rng.standard_normal(s).astype(np.float32))
            for s in SHAPES[model]]


_time = median_time


def _child(args) -> None:
    name, opts = OPTIMIZERS[args.opt]
    pairs = _arrays(args.model)
    if args.lib == "torch":
        import torch

        torch.set_num_threads(args.threads)
        params = [torch.nn.Parameter(torch.from_numpy(w)) for w, _ in pairs]
        for p, (_, g) in zip(params, pairs):
            p.grad = torch.from_numpy(g)
        opt = getattr(torch.optim, name)(params, **opts)
    else:
        import gradbook as gb
        from gradbook import nn, optim

        params = [nn.Parameter(w) for w, _ in pairs]
        for p, (_, g) in zip(params, pairs):
            p.grad = gb.tensor(g)
        opt = getattr(optim, name)(params, **opts)
    print(json.dumps({"seconds": _time(opt.step, args.steps)}))


def _run(lib: str, model: str, opt: str, steps: int, threads: int) -> dict:
    return child_or_skip([__file__, "--child", "--lib", lib, "--model", model, "--opt", opt, "--steps", str(steps),
                          "--threads", str(threads)], threads, lib)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--steps", type=int, default=50)
    p.add_argument("--only", nargs="+", metavar="NAME", help="time only these optimizer classes (e.g. RMSprop Rprop)")
    p.add_argument("--child", action="store_true")
    p.add_argument("--lib")
    p.add_argument("--model")
    p.add_argument("--opt")
    args = p.parse_args()
    if args.child:
        _child(args)
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"optimizer step, gradbook vs PyTorch {args.threads}-thread CPU, "
                        f"median of {args.repeats} alternated runs")
    for col in ("parameters", "optimizer", "gradbook", "PyTorch", "ratio (gradbook / PyTorch)"):
        table.add_column(col, justify="left" if col in ("parameters", "optimizer") else "right")
    for model in SHAPES:
        for opt in OPTIMIZERS:
            if args.only and OPTIMIZERS[opt][0] not in args.only:
                continue
            times, skipped = alternated_seconds(lambda lib: _run(lib, model, opt, args.steps, args.threads),
                                                args.repeats)
            if skipped:
                table.add_row(model, opt, "skipped", "", skipped)
                continue
            g, t = statistics.median(times["gradbook"]), statistics.median(times["torch"])
            table.add_row(model, opt, f"{g * 1e3:.3f} ms", f"{t * 1e3:.3f} ms", f"{g / t:.2f}x")
    Console().print(table)


if __name__ == "__main__":
    main()
