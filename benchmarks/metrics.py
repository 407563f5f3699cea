"""``roc_curve`` + ``roc_auc_score``: gradbook against scikit-learn on 1,000,000 scores.

    python benchmarks/metrics.py                       # 1M scores, 5 alternated rounds
    python benchmarks/metrics.py --n 200000 --repeat 3

Two data sets: scores rounded to 3 decimals (about 1,000 distinct values, heavy ties) and raw
continuous scores (no ties). Each library runs in its own subprocess (fresh interpreter, same
seed, so the same arrays, one thread), in alternated order; a worker times each call ``--inner``
times and reports the least CPU time (other work on a shared machine only lengthens it), the parent
prints the median over rounds and the ratio sklearn / gradbook (> 1 means gradbook is faster). The
workers also return the AUC and a checksum of the curve, and the parent checks that both libraries
computed the same thing.
"""
from __future__ import annotations

import argparse
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from _timing import alternated_rounds, fastest_cpu_time, median_time  # noqa: E402


def make_data(n: int, ties: bool, seed: int = 0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    s = np.clip(rng.normal(0.5 + 0.15 * (y - 0.5), 0.2, n), 0, 1)
    return y, (np.round(s, 3) if ties else s)


def worker(lib: str, n: int, ties: bool, inner: int) -> None:
    if lib == "gradbook":
        from gradbook.metrics import roc_auc_score, roc_curve
    else:
        from sklearn.metrics import roc_auc_score, roc_curve
    y, s = make_data(n, ties)
    fpr, tpr, thr = roc_curve(y, s)  # also the warm-up (imports, caches)
    out = {"auc": float(roc_auc_score(y, s)),
           "roc_curve": fastest_cpu_time(lambda: roc_curve(y, s), inner, warmup=0),
           "roc_auc_score": fastest_cpu_time(lambda: roc_auc_score(y, s), inner, warmup=0)}
    out["curve"] = [len(fpr), float(fpr.sum()), float(tpr.sum()), float(thr[1:].sum())]
    print(json.dumps(out))


def _walk(order, pos, score):
    """Counts at group ends after an argsort: the textbook cumulative walk."""
    s, y = score[order], pos[order]
    ends = np.concatenate((np.flatnonzero(s[1:] != s[:-1]), [len(s) - 1]))
    tps = np.cumsum(y, dtype=np.int64)[ends]
    return ends + 1 - tps, tps, s[ends]


def _variants(n: int, inner: int, console) -> None:
    """The counting strategies that were tried for ``method="sorted"``, timed in one process."""
    from rich.table import Table

    from gradbook.metrics import ranking

    def by_search(pos, score):  # sort all values + searchsorted into the sorted positives
        s_asc, s_pos = np.sort(score), np.sort(score[pos])
        starts = ranking._group_starts(s_asc)
        tps = len(s_pos) - np.searchsorted(s_pos, s_asc[starts])
        return len(score) - starts - tps, tps, s_asc[starts]

    variants = {
        "argsort stable + cumsum walk (scikit-learn's way)": lambda p, s: _walk(np.argsort(-s, kind="stable"), p, s),
        "argsort quicksort + cumsum walk (ties grouped, so order is free)": lambda p, s: _walk(np.argsort(-s), p, s),
        "value sorts + searchsorted": by_search,
        "gradbook: value sorts, searchsorted or two-run merge": lambda p, s: ranking._counts_sorted(p, s, None),
    }
    table = Table(title=f"counting strategies on {n:,} scores, in one process (median of {inner} calls, ms)")
    table.add_column("strategy")
    for col in ("3 decimals, ties", "continuous"):
        table.add_column(col, justify="right")
    rows = {name: [] for name in variants}
    for ties in (True, False):
        y, s = make_data(n, ties)
        pos = y == 1
        want = None
        for name, fn in variants.items():
            got = fn(pos, s)  # (fps, tps, thresholds), thresholds descending
            if want is not None and not all(np.array_equal(a, b) for a, b in zip(got, want)):
                raise SystemExit(f"strategy {name!r} counts differently")
            want = want or got
            rows[name].append(f"{median_time(lambda: fn(pos, s), inner, warmup=0) * 1e3:.1f}")
    for name, cells in rows.items():
        table.add_row(name, *cells)
    console.print(table)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=5, help="alternated rounds (each a fresh subprocess)")
    ap.add_argument("--inner", type=int, default=3, help="timed calls per subprocess (least CPU time kept)")
    ap.add_argument("--worker", choices=["gradbook", "sklearn"], help=argparse.SUPPRESS)
    ap.add_argument("--ties", type=int, default=1, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args.worker, args.n, bool(args.ties), args.inner)
        return

    from rich.console import Console
    from rich.table import Table

    console = Console(width=100)
    table = Table(title=f"roc_curve + roc_auc_score on {args.n:,} scores, one thread (least CPU time of "
                        f"{args.inner} calls, median of {args.repeat} rounds)")
    for col in ("data", "call", "gradbook ms", "sklearn ms", "sklearn / gradbook"):
        table.add_column(col, justify="right" if "ms" in col or "/" in col else "left")
    for ties in (True, False):
        results = alternated_rounds(__file__, args.repeat, args.inner, libs=("gradbook", "sklearn"),
                                    extra=["--n", str(args.n), "--ties", str(int(ties))])
        g, s = results["gradbook"][0], results["sklearn"][0]
        if abs(g["auc"] - s["auc"]) > 1e-12 or g["curve"] != s["curve"]:
            raise SystemExit(f"gradbook and sklearn disagree: {g} vs {s}")
        label = "3 decimals, ties" if ties else "continuous"
        totals = {}
        for call in ("roc_curve", "roc_auc_score"):
            med = {lib: float(np.median([x[call] for x in results[lib]])) * 1e3 for lib in results}
            totals = {lib: totals.get(lib, 0.0) + med[lib] for lib in med}
            table.add_row(label, call, f"{med['gradbook']:.1f}", f"{med['sklearn']:.1f}",
                          f"{med['sklearn'] / med['gradbook']:.2f}x")
        table.add_row(label, "both", f"{totals['gradbook']:.1f}", f"{totals['sklearn']:.1f}",
                      f"{totals['sklearn'] / totals['gradbook']:.2f}x", end_section=True)
    console.print(table)
    console.print(f"same AUC and curve from both libraries; numpy {np.__version__}, "
                  f"{os.cpu_count()} CPUs")
    _variants(args.n, max(args.inner, 5), console)


if __name__ == "__main__":
    main()
