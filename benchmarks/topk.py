"""``gradbook topk`` against ``LC_ALL=C sort | uniq -c | sort -rn | head`` and a plain
``collections.Counter`` script on a log of Zipf-distributed messages.

    python benchmarks/topk.py                  # 10M lines (~0.6 GB), 3 alternated rounds
    python benchmarks/topk.py --lines 1000000 --repeat 1

Each tool runs in its own subprocess, in alternated order; wall time and peak resident memory
(GNU ``/usr/bin/time``'s %M: for the pipeline the largest of its processes) are measured.
The expected answer comes from the generator itself (numpy counts of the drawn ranks), so every
tool's output is checked, not just timed. The bounded run gets a ``--memory`` budget below the
in-memory run's own peak, and its peak RSS, interpreter included, is compared with that budget.
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

LEVELS = [b"INFO", b"WARN", b"ERROR", b"DEBUG"]
WHAT = [b"ok", b"timeout after retries", b"connection reset by peer", b"cache miss",
        b"user not found in directory service", b"slow query on orders table (full scan)",
        b"disk usage above threshold", b"token expired"]

TIME = "/usr/bin/time" if os.path.exists("/usr/bin/time") else None
COUNTER_SCRIPT = ("import collections, sys\n"
                  "c = collections.Counter(open(sys.argv[1], 'rb'))\n"
                  "for line, n in c.most_common(int(sys.argv[2])):\n"
                  "    sys.stdout.write('%7d %s' % (n, line.decode('utf-8', 'replace')))\n")


def message(rank: int) -> bytes:
    """A log line, one per rank (the rank is in it, so different ranks never collide)."""
    return b"%s [svc-%d] request %d: %s" % (LEVELS[rank & 3], rank % 17, rank, WHAT[rank % len(WHAT)])


def generate(path: str, n_lines: int, exponent: float, seed: int) -> tuple[list[tuple[int, bytes]], int]:
    """Write ``n_lines`` Zipf(exponent)-ranked messages; return the exact top 10 and distinct count."""
    rng = np.random.default_rng(seed)
    all_ranks = []
    with open(path, "wb") as out:
        for start in range(0, n_lines, 1_000_000):
            ranks = rng.zipf(exponent, min(1_000_000, n_lines - start))
            unique, inverse = np.unique(ranks, return_inverse=True)
            table = np.empty(len(unique), dtype=object)
            table[:] = [message(r) for r in unique.tolist()]
            out.write(b"\n".join(table[inverse]) + b"\n")
            all_ranks.append(ranks)
    unique, counts = np.unique(np.concatenate(all_ranks), return_counts=True)
    best = np.argsort(-counts, kind="stable")[:200]
    top = sorted(((int(counts[i]), message(int(unique[i]))) for i in best), key=lambda t: (-t[0], t[1]))
    return top, len(unique)


def run(command: list[str] | str, shell: bool = False) -> tuple[float, int, bytes]:
    """Wall seconds, peak RSS bytes, stdout of one command in its own process.

    The peak comes from GNU time (``/usr/bin/time -f %M``): the rusage of a process forked from
    this one would include this process's own pages. Without it, ``os.wait4``'s rusage is used,
    which counts what the child inherited at fork.
    """
    if shell:
        command = ["sh", "-c", command]
    with tempfile.NamedTemporaryFile("r") as report:
        timed = [TIME, "-f", "%M", "-o", report.name, *command] if TIME else command
        start = time.perf_counter()
        proc = subprocess.Popen(timed, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        out, err = proc.communicate()
        seconds = time.perf_counter() - start
        if proc.returncode != 0:
            raise RuntimeError(f"{command} failed ({proc.returncode}): {err.decode(errors='replace')}")
        peak = int(report.read().split()[-1]) * 1024 if TIME else resource.getrusage(
            resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    return seconds, peak, out


def parse(out: bytes) -> list[tuple[int, bytes]]:
    rows = []
    for row in out.splitlines():
        count, _, line = row.strip().partition(b" ")
        rows.append((int(count), line.strip()))
    return rows


def agrees(rows: list[tuple[int, bytes]], expected: list[tuple[int, bytes]], exact: bool) -> bool:
    """Exact order for gradbook; for the others the same counts and right counts per line (their
    tie order differs)."""
    if exact:
        return rows == expected[:len(rows)] and len(rows) == min(10, len(expected))
    truth = dict((line, count) for count, line in expected)
    return ([c for c, _ in rows] == [c for c, _ in expected[:len(rows)]]
            and all(truth.get(line) == count for count, line in rows))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=10_000_000)
    parser.add_argument("--exponent", type=float, default=1.2, help="Zipf exponent (smaller: more distinct)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--memory", default=None,
                        help="budget for the bounded run (default: half the in-memory run's peak RSS)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    gradbook = shutil.which("gradbook")
    gradbook = [gradbook] if gradbook else [sys.executable, "-m", "gradbook.cli"]
    with tempfile.TemporaryDirectory(prefix="topk-bench-") as directory:
        path = os.path.join(directory, "messages.log")
        t0 = time.perf_counter()
        expected, distinct = generate(path, args.lines, args.exponent, args.seed)
        size = os.path.getsize(path)
        print(f"{args.lines:,} lines, {distinct:,} distinct, {size / 2**20:.0f} MB "
              f"(Zipf {args.exponent}, generated in {time.perf_counter() - t0:.1f} s); "
              f"{os.cpu_count()} CPUs; best of {args.repeat}, alternated\n")

        tools = {
            "gradbook topk (in memory)": ([*gradbook, "topk", path, "--memory", "16GB"], False, True),
            "sort | uniq -c | sort -rn": (f"LC_ALL=C sort '{path}' | uniq -c | sort -rn | head -10", True, False),
            "collections.Counter script": ([sys.executable, "-c", COUNTER_SCRIPT, path, "10"], False, False),
        }
        # the in-memory run's peak decides the bounded run's budget
        seconds, peak, out = run(tools["gradbook topk (in memory)"][0])
        budget_text = args.memory or f"{max(peak // 2, 96 * 2**20) // 2**20}MB"
        tools["gradbook topk --memory " + budget_text] = (
            [*gradbook, "topk", path, "--memory", budget_text], False, True)

        results: dict[str, list[tuple[float, int, bool]]] = {name: [] for name in tools}
        names = list(tools)
        for round_ in range(args.repeat):
            for name in (names if round_ % 2 == 0 else names[::-1]):
                command, shell, exact = tools[name]
                seconds, peak, out = run(command, shell)
                results[name].append((seconds, peak, agrees(parse(out), expected, exact)))

    from gradbook.tools.topk import parse_size

    sort_time = min(s for s, _, _ in results["sort | uniq -c | sort -rn"])
    print(f"{'tool':34} {'best s':>8} {'median s':>9} {'peak RSS':>10} {'vs sort':>8}  correct")
    for name, rows in results.items():
        times = sorted(s for s, _, _ in rows)
        peak = max(p for _, p, _ in rows)
        print(f"{name:34} {times[0]:8.2f} {float(np.median(times)):9.2f} {peak / 2**20:8.0f}MB "
              f"{sort_time / times[0]:7.1f}x  {all(ok for _, _, ok in rows)}")
    print("(vs sort: the sort pipeline's best time / this tool's best time; above 1 is faster)")
    budget = parse_size(budget_text)
    bounded = max(p for _, p, _ in results["gradbook topk --memory " + budget_text])
    unbounded = max(p for _, p, _ in results["gradbook topk (in memory)"])
    print(f"\nbounded run: peak RSS {bounded / 2**20:.0f} MB vs budget {budget / 2**20:.0f} MB "
          f"({'UNDER' if bounded <= budget else 'OVER'} budget; in-memory run peaked at "
          f"{unbounded / 2**20:.0f} MB; interpreter and imports included)")


if __name__ == "__main__":
    main()
