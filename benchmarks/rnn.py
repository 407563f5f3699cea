"""Recurrent layer speed: LSTM(64→128) (and GRU, RNN of the same size), sequence 32, batch 64,
forward + backward of output.sum() — gradbook's hand-written BPTT against torch.nn on CPU.

Each measurement runs in its own subprocess, gradbook and PyTorch alternated, with the same
thread count (OpenBLAS's and PyTorch's thread pools in one process contend and distort the
ratio). Same sizes, float32. ``--clock cpu`` (the default) takes the process's CPU time per step
and the fastest of ``--steps`` steps after warm-up, which other work on a shared machine can only
lengthen; ``--clock wall`` the median wall time (fair only on an idle machine). With more than
one thread, CPU time adds up the threads' work.

    python benchmarks/rnn.py [--repeats 3] [--threads 1] [--steps 20] [--clock cpu|wall] [--kinds LSTM,GRU]
"""
from __future__ import annotations

import argparse
import json
import statistics

from _timing import alternated_seconds, child_or_skip, fastest_cpu_time, median_time

T, N, I, H = 32, 64, 64, 128


CLOCK = "cpu"


def _time(step, steps: int) -> float:
    return median_time(step, steps) if CLOCK == "wall" else fastest_cpu_time(step, steps)


def _layer_step(lib, kind: str, steps: int) -> float:
    """Seconds of one forward + backward of ``lib.nn.<kind>(I, H)``; ``lib`` is ``gradbook`` or
    ``torch`` (the same names, so one body times both)."""
    import numpy as np

    lib.manual_seed(0)
    layer = getattr(lib.nn, kind)(I, H)
    x = lib.tensor(np.random.default_rng(0).standard_normal((T, N, I)).astype(np.float32), requires_grad=True)

    def step():
        layer.zero_grad()
        x.grad = None
        out, _ = layer(x)
        out.sum().backward()

    return _time(step, steps)


def _run(lib: str, kind: str, steps: int, threads: int, clock: str) -> dict:
    return child_or_skip([__file__, "--child", "--lib", lib, "--kind", kind, "--steps", str(steps),
                          "--threads", str(threads), "--clock", clock], threads, lib)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--clock", choices=("cpu", "wall"), default="cpu")
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--kinds", default="LSTM,GRU,RNN")
    p.add_argument("--child", action="store_true")
    p.add_argument("--lib")
    p.add_argument("--kind", default="LSTM")
    args = p.parse_args()
    if args.child:
        global CLOCK
        CLOCK = args.clock
        if args.lib == "torch":
            import torch as lib

            lib.set_num_threads(args.threads)
        else:
            import gradbook as lib
        print(json.dumps({"seconds": _layer_step(lib, args.kind, args.steps)}))
        return
    from rich.console import Console
    from rich.table import Table

    what = "fastest step's CPU time" if args.clock == "cpu" else "median step's wall time"
    table = Table(title=f"{I}→{H}, sequence {T}, batch {N}, forward+backward; {args.threads}-thread CPU, "
                        f"{what}, median of {args.repeats} alternated runs")
    for col in ("layer", "gradbook (ms)", "PyTorch (ms)", "ratio (gradbook / PyTorch)"):
        table.add_column(col, justify="right" if col != "layer" else "left")
    for kind in args.kinds.split(","):
        times, skipped = alternated_seconds(lambda lib: _run(lib, kind, args.steps, args.threads, args.clock),
                                            args.repeats)
        if skipped:
            table.add_row(f"{kind}({I}, {H})", "skipped", "", skipped)
            continue
        a, b = statistics.median(times["gradbook"]), statistics.median(times["torch"])
        table.add_row(f"{kind}({I}, {H})", f"{a * 1e3:.1f}", f"{b * 1e3:.1f}", f"{a / b:.2f}x")
    Console().print(table)


if __name__ == "__main__":
    main()
