"""Timing shared by the benchmark scripts."""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from typing import Any, Callable, Sequence


def median_time(step, steps: int, warmup: int = 3, clock=time.perf_counter) -> float:
    """Median seconds of ``steps`` calls of ``step()`` after ``warmup`` untimed ones, by ``clock``
    (wall clock; ``time.process_time`` for the process's CPU time on a busy machine)."""
    for _ in range(warmup):
        step()
    times = []
    for _ in range(steps):
        start = clock()
        step()
        times.append(clock() - start)
    return statistics.median(times)


def fastest_cpu_time(step, steps: int, warmup: int = 3) -> float:
    """The least CPU seconds (``time.process_time``) of ``steps`` calls of ``step()`` after ``warmup``
    untimed ones: other work on a shared machine can only lengthen a step's CPU time, never shorten it."""
    for _ in range(warmup):
        step()
    times = []
    for _ in range(steps):
        start = time.process_time()
        step()
        times.append(time.process_time() - start)
    return min(times)


def run_child(argv: list[str], threads: int, env: dict[str, str | None] | None = None) -> dict:
    """Run ``python *argv`` with every BLAS/OpenMP pool held to ``threads`` threads and return the
    JSON object on its last line of output (each library is timed in a process of its own: in one
    process OpenBLAS's and PyTorch's thread pools contend and distort the ratio). ``env`` sets
    (or, with None, removes) further environment variables. A failed child raises
    ``subprocess.CalledProcessError`` with its stderr."""
    env = dict(os.environ, **{v: str(threads) for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")},
               **(env or {}))
    env = {k: v for k, v in env.items() if v is not None}
    out = subprocess.run([sys.executable, *argv], capture_output=True, text=True, env=env, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def child_or_skip(argv: list[str], threads: int, lib: str, env: dict[str, str | None] | None = None) -> dict:
    """:func:`run_child`, or ``{"skip": note}`` naming ``lib`` and the child's last line of error when
    it fails (a benchmark row then shows the note instead of stopping the whole table)."""
    try:
        return run_child(argv, threads, env)
    except subprocess.CalledProcessError as exc:
        return {"skip": f"{lib} child failed: {exc.stderr.strip().splitlines()[-1] if exc.stderr else '?'}"}


def alternated_seconds(run, repeats: int, libs: tuple[str, str] = ("gradbook", "torch")):
    """``repeats`` rounds of ``run(lib)`` (a child's JSON: ``seconds`` or ``skip``) for each library in
    turn: ``(seconds per library, None)``, or ``(partial, note)`` at the first skip."""
    times: dict[str, list[float]] = {lib: [] for lib in libs}
    for _ in range(repeats):
        for lib in libs:
            result = run(lib)
            if "skip" in result:
                return times, result["skip"]
            times[lib].append(result["seconds"])
    return times, None


def alternated_rounds(script: str, repeat: int, inner: int, libs: tuple[str, str] = ("gradbook", "torch"),
                      threads: int = 1, extra: Sequence[str] = ()) -> dict[str, list[dict]]:
    """Run ``python script --worker LIB --inner N *extra`` ``repeat`` times per library, alternating
    which goes first, each in a fresh process; the workers' JSON results per library."""
    runs: dict[str, list[dict]] = {lib: [] for lib in libs}
    for r in range(repeat):
        for lib in (libs if r % 2 == 0 else libs[::-1]):
            runs[lib].append(run_child([script, "--worker", lib, "--inner", str(inner), *extra], threads=threads))
    return runs


def worker_report(calls: dict[str, Callable[[], Any]], inner: int, check: Callable[[Any], Any]) -> None:
    """What a worker started by :func:`alternated_rounds` prints: one JSON line holding, for each
    call, ``NAME_check``, ``check`` of its result (what :func:`ratio_table` compares across the
    libraries), and ``NAME``, its least CPU seconds over ``inner`` calls after one warm-up."""
    out = {}
    for name, call in calls.items():
        out[f"{name}_check"] = check(call())
        out[name] = fastest_cpu_time(call, inner, warmup=1)
    print(json.dumps(out))


def alternated_main(script: str, doc: str, worker: Callable[[str, int], None], table: Callable[[int, dict], Any],
                    libs: tuple[str, str] = ("gradbook", "torch"), repeat: int = 5, inner: int = 5,
                    width: int | None = None) -> None:
    """The command line of a benchmark timed by :func:`alternated_rounds`: ``--repeat`` rounds of
    fresh worker processes, ``--inner`` timed calls in each, and the hidden ``--worker LIB`` by which
    a round starts ``worker(lib, inner)``. The parent prints ``table(repeat, runs)`` (a
    :func:`ratio_table`, say) in a console ``width`` characters wide."""
    import argparse

    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=repeat, help="alternated rounds (each a fresh subprocess)")
    ap.add_argument("--inner", type=int, default=inner, help="timed calls per subprocess")
    ap.add_argument("--worker", choices=libs, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args.worker, args.inner)
        return
    from rich.console import Console

    Console(width=width).print(table(args.repeat, alternated_rounds(script, args.repeat, args.inner, libs)))


def ratio_table(title: str, runs: dict[str, list[dict]], calls: list[tuple[str, str]], unit: str = "ms"):
    """A rich table of each call's median over rounds for both libraries and the ratio second / first
    (> 1: the first is faster). Each worker also reports ``NAME_check``; different checks stop the run."""
    import statistics

    from rich.table import Table

    first, second = runs
    table = Table(title=title)
    for col in ("call", first, second, f"{second} / {first}"):
        table.add_column(col, justify="left" if col == "call" else "right")
    for name, label in calls:
        ours, theirs = runs[first][0][f"{name}_check"], runs[second][0][f"{name}_check"]
        if ours != theirs:
            raise SystemExit(f"{name}: {first} and {second} disagree: {ours} vs {theirs}")
        a = statistics.median(run[name] for run in runs[first]) * 1e3
        b = statistics.median(run[name] for run in runs[second]) * 1e3
        table.add_row(label, f"{a:.2f} {unit}", f"{b:.2f} {unit}", f"{b / a:.2f}")
    return table
