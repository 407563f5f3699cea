"""Training speed: one epoch of the default `gradbook train` run, and single LeNet-5 training
steps (forward, cross-entropy, backward, Adam) at batch 64 and 256 — gradbook against PyTorch CPU.

Each measurement runs in its own subprocess, gradbook and PyTorch alternated, with the same
thread count (in one process OpenBLAS's and PyTorch's thread pools contend and distort the
ratio). The same net, the same batches, the same optimizer settings.

Two allocator settings: the first rows give both processes the setting gradbook makes on import
(glibc keeps freed blocks, :func:`gradbook.backend.retain_freed_memory`), so they compare the
arithmetic; the "default settings" rows run each library as a user's own loop gets it — gradbook
just imported, PyTorch with glibc's defaults.

On a machine that other work keeps busy, wall-clock times mostly measure the wait for a core;
``--clock cpu`` times each step by the CPU time of its process instead (meaningful with
``--threads 1``: with more, idle threads spinning count too).

    python benchmarks/train.py [--repeats 3] [--threads 2] [--only "default settings"] [--clock cpu]
"""
from __future__ import annotations

import argparse
import json
import statistics
import time

from _timing import alternated_seconds, child_or_skip

_clock = time.perf_counter  # the child's timer: wall clock, or the process's CPU time (--clock cpu)


def _batches(batch_size: int, count: int):
    import numpy as np

    from gradbook.data import mnist_sample

    x, y = mnist_sample()[0].tensors
    rng = np.random.default_rng(0)
    out = []
    for _ in range(count):
        idx = rng.choice(len(x), batch_size, replace=False)
        out.append((np.ascontiguousarray(x[idx]), y[idx]))
    return out


def _trainer(net, opt, lossf):
    """One training step of ``net`` on a batch: the same calls in both libraries."""
    def step(x, y) -> None:
        loss = lossf(net(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return step


def _epoch_seconds(step, loader) -> float:
    start = _clock()
    for x, y in loader:
        step(x, y)
    return _clock() - start


def _median_step_seconds(step, data, warmup: int = 3) -> float:
    times = []
    for i, (x, y) in enumerate(data):
        start = _clock()
        step(x, y)
        if i >= warmup:
            times.append(_clock() - start)
    return statistics.median(times)


def _gradbook(kind: str, batch_size: int, steps: int) -> float:
    import gradbook as gb
    from gradbook import models, optim
    from gradbook.nn import functional as F

    gb.manual_seed(0)
    net = models.LeNet5()
    step = _trainer(net, optim.Adam(net.parameters(), lr=2e-3), F.cross_entropy)
    if kind == "epoch":
        from gradbook.data import DataLoader, mnist_sample

        loader = DataLoader(mnist_sample()[0], batch_size=64, shuffle=True, seed=0)
        for x, y in loader:  # warm-up epoch
            pass
        return _epoch_seconds(step, loader)
    return _median_step_seconds(step, [(gb.tensor(x), gb.tensor(y)) for x, y in _batches(batch_size, steps + 3)])


def _torch_net():
    import torch.nn as tnn

    return tnn.Sequential(tnn.Conv2d(1, 6, 5, padding=2), tnn.ReLU(), tnn.MaxPool2d(2),
                          tnn.Conv2d(6, 16, 5), tnn.ReLU(), tnn.MaxPool2d(2), tnn.Flatten(),
                          tnn.Linear(400, 120), tnn.ReLU(), tnn.Linear(120, 84), tnn.ReLU(), tnn.Linear(84, 10))


def _torch(kind: str, batch_size: int, steps: int) -> float:
    import torch

    torch.manual_seed(0)
    net = _torch_net()
    step = _trainer(net, torch.optim.Adam(net.parameters(), lr=2e-3), torch.nn.functional.cross_entropy)
    if kind == "epoch":
        from gradbook.data import mnist_sample

        x_all, y_all = (torch.from_numpy(a.copy()) for a in mnist_sample()[0].tensors)
        loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x_all, y_all), batch_size=64,
                                             shuffle=True, generator=torch.Generator().manual_seed(0))
        return _epoch_seconds(step, loader)
    return _median_step_seconds(step, [(torch.from_numpy(x), torch.from_numpy(y))
                                       for x, y in _batches(batch_size, steps + 3)])


def _child(args) -> None:
    global _clock
    _clock = time.process_time if args.clock == "cpu" else time.perf_counter
    if args.settings == "retain":
        from gradbook.backend import retain_freed_memory

        retain_freed_memory()  # in both libraries' processes: the allocator setting importing gradbook makes
    if args.lib == "torch":
        import torch

        torch.set_num_threads(args.threads)
        value = _torch(args.kind, args.batch, args.steps)
    else:
        value = _gradbook(args.kind, args.batch, args.steps)
    print(json.dumps({"seconds": value}))


def _run(lib: str, kind: str, batch: int, steps: int, threads: int, settings: str, clock: str) -> dict:
    # "default": gradbook as imported (its default holds), PyTorch with glibc's defaults (the child
    # imports gradbook.data for the batches, so the variable keeps gradbook's default out of it)
    env = {"GRADBOOK_RETAIN_FREED_MEMORY": "0" if lib == "torch" else None} if settings == "default" else None
    return child_or_skip([__file__, "--child", "--lib", lib, "--kind", kind, "--batch", str(batch), "--steps",
                          str(steps), "--threads", str(threads), "--settings", settings, "--clock", clock], threads,
                         lib, env)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--child", action="store_true")
    p.add_argument("--lib")
    p.add_argument("--kind", default="step")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--settings", choices=("retain", "default"), default="retain")
    p.add_argument("--only", default="", help="Run only the rows whose label contains this text.")
    p.add_argument("--clock", choices=("wall", "cpu"), default="wall")
    args = p.parse_args()
    if args.child:
        _child(args)
        return
    from rich.console import Console
    from rich.table import Table

    rows = [("one epoch, MNIST sample (4,000 images, batch 64)", "epoch", 64, "retain"),
            ("LeNet-5 step, batch 64", "step", 64, "retain"), ("LeNet-5 step, batch 256", "step", 256, "retain"),
            ("LeNet-5 step, own loop, default settings in both processes, batch 64", "step", 64, "default"),
            ("LeNet-5 step, own loop, default settings in both processes, batch 256", "step", 256, "default")]
    rows = [row for row in rows if args.only in row[0]]
    clock = "wall-clock" if args.clock == "wall" else "process CPU time"
    table = Table(title=f"gradbook vs PyTorch {args.threads}-thread CPU, {clock}, median of {args.repeats} "
                        "alternated runs")
    for col in ("what", "gradbook", "PyTorch", "ratio (gradbook / PyTorch)"):
        table.add_column(col, justify="right" if col != "what" else "left")
    for label, kind, batch, settings in rows:
        times, skipped = alternated_seconds(
            lambda lib: _run(lib, kind, batch, args.steps, args.threads, settings, args.clock), args.repeats)
        if skipped:
            table.add_row(label, "skipped", "", skipped)
            continue
        g, t = statistics.median(times["gradbook"]), statistics.median(times["torch"])
        unit, scale = ("s", 1) if kind == "epoch" else ("ms", 1000)
        table.add_row(label, f"{g * scale:.2f} {unit}", f"{t * scale:.2f} {unit}", f"{g / t:.2f}x")
    Console().print(table)


if __name__ == "__main__":
    main()
