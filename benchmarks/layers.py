"""Layer speed against PyTorch CPU: forward + backward of

  (a) Conv2d(32, 64, 3, padding=1) on a 64x32x32x32 input,
  (b) the same with groups=32 (32 → 64 channels, one input channel per group), and depthwise:
      Conv2d(64, 64, 3, padding=1, groups=64) on a 64x64x32x32 input,
  (c) BatchNorm2d(32) (training mode) on a 64x32x32x32 input,
  (d) a full LeNet-5 training step (forward, cross-entropy, backward, Adam) at batch 64 and 256.

Each measurement runs in its own subprocess with the same thread count for both libraries
(in one process OpenBLAS's and PyTorch's thread pools contend and distort the ratio), gradbook and
PyTorch alternated, and the table shows the median over the repeats (each child reports the median
of its own timed iterations) and the range of the paired ratios (each gradbook run over the PyTorch
run right after it), which shows how much the machine's load moved the figures. Rows whose layer
is not available yet are skipped with a note.

On a machine that other work keeps busy, ``--clock cpu`` times each step by its process's CPU time
(meaningful with ``--threads 1``).

    python benchmarks/layers.py [--repeats 5] [--threads 2] [--rows a,b,c,d] [--clock cpu]
"""
from __future__ import annotations

import argparse
import json
import statistics
import time

from _timing import alternated_seconds, child_or_skip, median_time

# name: (label, conv FLOPs of one forward or None, iterations timed in a child)
ROWS = {
    "conv": ("(a) Conv2d 32→64 3x3 pad 1, 64x32x32x32", 2 * 64 * 64 * 32 * 9 * 32 * 32, 10),
    "group32": ("(b) Conv2d 32→64 groups=32, 64x32x32x32", 2 * 64 * 64 * 1 * 9 * 32 * 32, 10),
    "depthwise": ("(b) depthwise Conv2d 64→64 groups=64, 64x64x32x32", 2 * 64 * 64 * 1 * 9 * 32 * 32, 10),
    "batchnorm": ("(c) BatchNorm2d(32) train, 64x32x32x32", None, 10),
    "lenet64": ("(d) LeNet-5 step (fwd, CE, bwd, Adam), batch 64", None, 30),
    "lenet256": ("(d) LeNet-5 step (fwd, CE, bwd, Adam), batch 256", None, 20),
}
GROUPS = {"a": ["conv"], "b": ["group32", "depthwise"], "c": ["batchnorm"], "d": ["lenet64", "lenet256"]}


class Skip(Exception):
    """The layer this row needs is not in gradbook yet."""


def _layer_case(lib: str, row: str):
    """(module, input) for the single-layer rows, with the same shapes in both libraries."""
    import numpy as np

    rng = np.random.default_rng(0)
    shape = (64, 64, 32, 32) if row == "depthwise" else (64, 32, 32, 32)
    x = rng.standard_normal(shape).astype(np.float32)
    if lib == "torch":
        import torch as lib_mod
        nn = lib_mod.nn
    else:
        import gradbook as lib_mod
        from gradbook import nn
    lib_mod.manual_seed(0)
    if row == "conv":
        layer = nn.Conv2d(32, 64, 3, padding=1)
    elif row == "group32":
        layer = nn.Conv2d(32, 64, 3, padding=1, groups=32)
    elif row == "depthwise":
        layer = nn.Conv2d(64, 64, 3, padding=1, groups=64)
    else:
        if not hasattr(nn, "BatchNorm2d"):
            raise Skip("gradbook.nn.BatchNorm2d is not there yet")
        layer = nn.BatchNorm2d(32)
    return layer, x


def _time_layer(lib: str, row: str, iters: int, clock) -> float:
    import numpy as np

    layer, x = _layer_case(lib, row)
    if lib == "torch":
        import torch

        xt = torch.from_numpy(x).requires_grad_(True)
        g = torch.from_numpy(np.random.default_rng(1).standard_normal(layer(xt).shape).astype(np.float32))

        def step():
            xt.grad = None
            layer.zero_grad()
            layer(xt).backward(g)
    else:
        import gradbook as gb

        xt = gb.tensor(x, requires_grad=True)
        g = gb.tensor(np.random.default_rng(1).standard_normal(layer(xt).shape).astype(np.float32))

        def step():
            xt.grad = None
            layer.zero_grad()
            layer(xt).backward(g)
    return median_time(step, iters, clock=clock)


def _time_lenet(lib: str, batch: int, iters: int, clock) -> float:
    import numpy as np

    rng = np.random.default_rng(0)
    x = rng.random((batch, 1, 28, 28), dtype=np.float32)
    y = rng.integers(0, 10, batch)
    if lib == "torch":
        import torch
        import torch.nn as tnn

        torch.manual_seed(0)
        net = tnn.Sequential(tnn.Conv2d(1, 6, 5, padding=2), tnn.ReLU(), tnn.MaxPool2d(2),
                             tnn.Conv2d(6, 16, 5), tnn.ReLU(), tnn.MaxPool2d(2), tnn.Flatten(),
                             tnn.Linear(400, 120), tnn.ReLU(), tnn.Linear(120, 84), tnn.ReLU(), tnn.Linear(84, 10))
        opt = torch.optim.Adam(net.parameters(), lr=1e-3)
        xt, yt, loss_fn = torch.from_numpy(x), torch.from_numpy(y), torch.nn.functional.cross_entropy
    else:
        import gradbook as gb

        try:
            from gradbook.models import LeNet5
            from gradbook.nn.functional import cross_entropy
            from gradbook.optim import Adam
        except ImportError as exc:
            raise Skip(f"needs gradbook.models.LeNet5, cross_entropy and optim.Adam ({exc})") from None
        gb.manual_seed(0)
        net = LeNet5()
        opt = Adam(net.parameters(), lr=1e-3)
        xt, yt, loss_fn = gb.tensor(x), gb.tensor(y), cross_entropy

    def step():
        loss = loss_fn(net(xt), yt)
        opt.zero_grad()
        loss.backward()
        opt.step()

    return median_time(step, iters, clock=clock)


def _child(lib: str, row: str, threads: int, clock: str) -> None:
    from gradbook.backend import retain_freed_memory

    retain_freed_memory()  # in both libraries' processes: the allocator setting importing gradbook makes
    if lib == "torch":
        import torch

        torch.set_num_threads(threads)
    iters, clock = ROWS[row][2], time.process_time if clock == "cpu" else time.perf_counter
    try:
        seconds = (_time_lenet(lib, int(row[5:]), iters, clock) if row.startswith("lenet")
                   else _time_layer(lib, row, iters, clock))
        print(json.dumps({"seconds": seconds}))
    except Skip as exc:
        print(json.dumps({"skip": str(exc)}))


def _run(lib: str, row: str, threads: int, clock: str) -> dict:
    return child_or_skip([__file__, "--child", lib, "--row", row, "--threads", str(threads), "--clock", clock],
                         threads, lib)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--rows", default="a,b,c,d", help="which of a, b, c, d to run")
    p.add_argument("--child", choices=["gradbook", "torch"])
    p.add_argument("--row")
    p.add_argument("--clock", choices=("wall", "cpu"), default="wall")
    args = p.parse_args()
    if args.child:
        _child(args.child, args.row, args.threads, args.clock)
        return
    from rich.console import Console
    from rich.table import Table

    clock = "wall-clock" if args.clock == "wall" else "process CPU time"
    table = Table(title=f"gradbook vs PyTorch, {args.threads}-thread CPU, forward + backward, {clock}, "
                        f"median of {args.repeats} alternated runs")
    for col in ("what", "gradbook", "PyTorch", "ratio", "pairs", "gradbook GFLOP/s", "PyTorch GFLOP/s"):
        table.add_column(col, justify="left" if col == "what" else "right")
    console = Console(width=200)
    for row in [r for key in args.rows.split(",") for r in GROUPS[key.strip()]]:
        label, flops, _ = ROWS[row]
        times, skipped = alternated_seconds(lambda lib: _run(lib, row, args.threads, args.clock), args.repeats)
        if skipped:
            table.add_row(label, "skipped", "", "", "", "", skipped)
            continue
        g, t = statistics.median(times["gradbook"]), statistics.median(times["torch"])
        # forward + backward of a convolution is 3 products of the forward's size (y, dx, dW)
        gf = f"{3 * flops / g / 1e9:.1f}" if flops else ""
        tf = f"{3 * flops / t / 1e9:.1f}" if flops else ""
        # each gradbook run over the PyTorch run right after it: the spread shows the machine's noise
        pairs = sorted(a / b for a, b in zip(times["gradbook"], times["torch"]))
        spread = f"{pairs[0]:.2f}-{pairs[-1]:.2f}x"
        table.add_row(label, f"{g * 1e3:.2f} ms", f"{t * 1e3:.2f} ms", f"{g / t:.2f}x", spread, gf, tf)
        console.print(f"{label}: gradbook {g * 1e3:.2f} ms, PyTorch {t * 1e3:.2f} ms, ratio {g / t:.2f}x "
                      f"(pairs {spread})")
    console.print(table)


if __name__ == "__main__":
    main()
