import io
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
    assert r.verdicts == {"exact-in-memory": "confirmed", "exact-when-partitioned": "confirmed",
                          "partitions-bound-memory": "confirmed"}
