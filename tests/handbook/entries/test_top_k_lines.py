import io
import tracemalloc
from collections import Counter

import numpy as np

from gradbook import handbook
from gradbook.handbook.entries.top_k_lines import make_messages


def test_top_k_lines_numbers_and_verdicts():
    r = handbook.run("top-k-lines", quick=True)
    data = make_messages(200_000, 50_000, np.random.default_rng(10))
    # the answer checked with a plain Counter over the same stream (the generator is seeded alike)
    counts = Counter(data.splitlines())
    assert r.numbers["lines"] == sum(counts.values())
    best_line, best_count = counts.most_common(1)[0]
    assert r.numbers["top_count"] == best_count and r.numbers["top_line"] == best_line.decode()
    assert r.numbers["partitions"] > 0
    assert r.verdicts["exact-in-memory"] == r.verdicts["exact-when-partitioned"] == "confirmed"

    # the memory verdict rederived from the table: within every budget, or far below counting in memory
    table = next(t for t in r.tables if t.title.startswith("Memory against the budget"))
    runs = [row for row in table.rows if isinstance(row[0], int)]
    budgets = [row[0] for row in runs]
    assert budgets == [r.numbers["budget_bytes"] // 2, r.numbers["budget_bytes"], 2 * r.numbers["budget_bytes"]]
    peaks = [p for row in runs for p in (row[2], row[3])]
    within = all(row[2] <= row[0] and row[3] <= row[0] for row in runs)
    expected = "confirmed" if within else ("depends" if max(peaks) < r.numbers["full_traced_bytes"] / 4 else "corrected")
    assert r.verdicts["partitions-bound-memory"] == expected
    assert r.numbers["traced_over_budget"] == runs[1][3] / runs[1][0]
    # counting in memory, measured here with a plain Counter, needs several times the partitioned peak
    tracemalloc.start()
    Counter(data.splitlines())
    counter_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert 0.5 < r.numbers["full_traced_bytes"] / counter_peak < 2
    assert max(row[3] for row in runs) < counter_peak / 4
