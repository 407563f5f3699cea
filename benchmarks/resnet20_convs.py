"""Speed of each of resnet20's distinct convolutions (batch 128, 3x32x32 input, no bias), forward +
backward (dx and dW; the stem's input needs no gradient), gradbook against PyTorch CPU, at 2 threads
and at 1 thread, each library in its own process, alternated. The ``x uses`` columns weigh each
shape by how often resnet20 runs it (its 19 convs), so the last row is the convolutions' part of a
training step. Each cell is the median of the processes' medians / the least of them: on a shared
VM a whole process can run at half speed (PyTorch's 16-channel conv took 12.5 ms in some processes,
24 ms in others), and the least median shows the undisturbed speed.

    python benchmarks/resnet20_convs.py [--repeats 3] [--threads 2,1] [--iters 7] [--shapes s1,s2]
"""
from __future__ import annotations

import argparse
import json
import statistics

from _timing import median_time, run_child

BATCH = 128
# name: (in channels, out channels, side, stride, uses in resnet20)
SHAPES = {
    "stem": (3, 16, 32, 1, 1),
    "s1": (16, 16, 32, 1, 6),
    "down2": (16, 32, 32, 2, 1),
    "s2": (32, 32, 16, 1, 5),
    "down3": (32, 64, 16, 2, 1),
    "s3": (64, 64, 8, 1, 5),
}


def _time_conv(lib: str, shape: str, iters: int) -> dict:
    import numpy as np

    cin, cout, side, stride, _ = SHAPES[shape]
    rng = np.random.default_rng(0)
    x = rng.standard_normal((BATCH, cin, side, side)).astype(np.float32)
    w = (rng.standard_normal((cout, cin, 3, 3)) * 0.1).astype(np.float32)
    g = rng.standard_normal((BATCH, cout, side // stride, side // stride)).astype(np.float32)
    if lib == "torch":
        import torch as mod
        from torch.nn.functional import conv2d

        def tensor(a, grad):
            return mod.from_numpy(a).requires_grad_(grad)
    else:
        import gradbook as mod
        from gradbook.nn.functional import conv2d

        def tensor(a, grad):
            return mod.tensor(a, requires_grad=grad)
    xt, wt, gt = tensor(x, shape != "stem"), tensor(w, True), tensor(g, False)

    def step():
        xt.grad = wt.grad = None
        conv2d(xt, wt, None, stride=stride, padding=1).backward(gt)

    return {"seconds": median_time(step, iters)}

def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--threads", default="2,1")
    ap.add_argument("--iters", type=int, default=7)
    ap.add_argument("--shapes", default=",".join(SHAPES))
    ap.add_argument("--worker", nargs=2, metavar=("LIB", "SHAPE"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(_time_conv(*args.worker, args.iters)))
        return
    shapes = args.shapes.split(",")
    for threads in map(int, args.threads.split(",")):
        print(f"\n{threads} thread(s), wall clock, ms per forward + backward: median of {args.repeats} processes' "
              f"medians of {args.iters} steps / the least of those medians")
        print(f"{'conv':24s} {'gradbook':>13s} {'torch':>13s} {'ratio':>11s} {'x uses: gradbook':>17s} {'torch':>13s}")
        total = {lib: [0.0, 0.0] for lib in LIBS}
        for name in shapes:
            cin, cout, side, stride, uses = SHAPES[name]
            runs = {lib: [] for lib in LIBS}
            for r in range(args.repeats):
                for lib in (LIBS if r % 2 == 0 else LIBS[::-1]):
                    runs[lib].append(run_child([__file__, "--iters", str(args.iters), "--worker", lib, name], threads))
            ms = {lib: (statistics.median(run["seconds"] for run in runs[lib]) * 1e3,
                        min(run["seconds"] for run in runs[lib]) * 1e3) for lib in LIBS}
            for lib in LIBS:
                total[lib] = [t + m * uses for t, m in zip(total[lib], ms[lib])]
            print(f"{f'{name} {cin}->{cout} {side}x{side}/{stride}':24s} {_pair(ms['gradbook'])} {_pair(ms['torch'])} "
                  f"{_ratios(ms)} {_pair([m * uses for m in ms['gradbook']], 17)} "
                  f"{_pair([m * uses for m in ms['torch']])}")
        print(f"{'all 19 convs':24s} {'':13s} {'':13s} {_ratios(total)} {_pair(total['gradbook'], 17)} "
              f"{_pair(total['torch'])}")


LIBS = ("gradbook", "torch")


def _pair(ms, width: int = 13) -> str:
    return f"{ms[0]:.1f} / {ms[1]:.1f}".rjust(width)


def _ratios(ms) -> str:
    return f"{ms['gradbook'][0] / ms['torch'][0]:.2f} / {ms['gradbook'][1] / ms['torch'][1]:.2f}".rjust(11)

if __name__ == "__main__":
    main()
