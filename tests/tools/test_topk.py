"""top_k_lines against collections.Counter over the whole input, in memory and partitioned."""
from __future__ import annotations

import io
import os
import sys
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gradbook.tools.topk import _top_of, count_top_k, parse_size, top_k_lines


def reference(data: bytes, k: int) -> list[tuple[int, bytes]]:
    """The definition: CRLF -> LF, split on LF, a last line without LF counts, rank by
    (count descending, bytes ascending)."""
    lines = data.replace(b"\r\n", b"\n").split(b"\n")
    if lines[-1] == b"":
        lines.pop()
    ranked = sorted(((count, line) for line, count in Counter(lines).items()), key=lambda t: (-t[0], t[1]))
    return ranked[:k]


def distinct_lines(data: bytes) -> int:
    lines = data.replace(b"\r\n", b"\n").split(b"\n")
    return len(set(lines[:-1] if lines[-1] == b"" else lines))


class Stream(io.RawIOBase):
    """A pipe-like source: not seekable, so the size is unknown (as for stdin)."""

    def __init__(self, data: bytes) -> None:
        self.data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        return self.data.readinto(buffer)


# raw bytes rich in \r, \n, invalid UTF-8 and repeats; and files built from a few whole lines
raw_bytes = st.lists(st.sampled_from([b"a", b"b", b"\r", b"\n", b"\r\n", b"\xff", b"\xc3\xa9", b""]),
                     max_size=80).map(b"".join)
line_files = st.builds(
    lambda lines, ends, last: b"".join(line + end for line, end in zip(lines, ends)) + last,
    st.lists(st.sampled_from([b"", b"a", b"b", b"ab", b"a\r", b"\rb", b"\xff\xfe", b"caf\xc3\xa9", b"x" * 40]),
             max_size=60),
    st.lists(st.sampled_from([b"\n", b"\r\n"]), min_size=60, max_size=60),
    st.sampled_from([b"", b"tail", b"a", b"\r"]))
inputs = st.one_of(raw_bytes, line_files)


@settings(max_examples=100)
@given(data=inputs, k=st.integers(1, 8), block=st.integers(1, 17))
def test_matches_counter_in_memory(data, k, block):
    result = count_top_k(io.BytesIO(data), k=k, block_size=block)
    assert result.top == reference(data, k)
    assert result.stats.partitions == 0
    assert result.stats.distinct == distinct_lines(data)
    assert result.stats.bytes == len(data)


@settings(max_examples=100)
@given(data=inputs, k=st.integers(1, 8), block=st.integers(1, 17), memory=st.integers(1, 3000),
       pipe=st.booleans())
def test_matches_counter_partitioned(data, k, block, memory, pipe, tmp_path_factory):
    temp = tmp_path_factory.mktemp("topk")
    source = Stream(data) if pipe else io.BytesIO(data)
    result = count_top_k(source, k=k, memory=memory, block_size=block, temp_dir=str(temp))
    assert result.top == reference(data, k)
    assert result.stats.distinct == distinct_lines(data)
    if count_top_k(io.BytesIO(data)).stats.peak_estimate > 2 * memory:   # cannot fit: partitioned
        assert result.stats.partitions > 0 and result.stats.spilled_bytes > 0
    assert os.listdir(temp) == []


def zipf_file(path, n_lines: int, exponent: float = 1.3, vocabulary: int = 50_000) -> bytes:
    ranks = np.random.default_rng(0).zipf(exponent, n_lines) % vocabulary
    data = b"".join(b"message %d %s\n" % (r, b"x" * (r % 13)) for r in ranks.tolist())
    path.write_bytes(data)
    return data


def test_partitions_a_real_file_within_budget_and_agrees(tmp_path):
    data = zipf_file(tmp_path / "log.txt", 100_000, exponent=1.1, vocabulary=200_000)
    need = count_top_k(tmp_path / "log.txt", k=10).stats.peak_estimate     # about 6 MB
    budget = need // 4
    result = count_top_k(str(tmp_path / "log.txt"), k=10, memory=budget, temp_dir=str(tmp_path))
    assert result.top == reference(data, 10)
    assert result.stats.partitions >= 2 and result.stats.depth >= 1
    assert result.stats.peak_estimate <= budget        # the Counter stayed within the budget
    assert result.stats.lines == data.count(b"\n") and result.stats.distinct == distinct_lines(data)
    assert sorted(os.listdir(tmp_path)) == ["log.txt"]


def test_repartitions_a_partition_that_still_does_not_fit(tmp_path):
    data = b"".join(b"line %d\n" % (i % 3000) for i in range(9000))
    result = count_top_k(Stream(data), k=5, memory=8_000, temp_dir=str(tmp_path))  # 64 parts, unknown size
    assert result.top == reference(data, 5)
    assert result.stats.depth >= 2
    assert os.listdir(tmp_path) == []


def test_ties_rank_by_bytes():
    # counted by hand: a, b and c twice each, d once
    assert top_k_lines(io.BytesIO(b"c\nb\na\nd\nc\nb\na"), k=3) == [(2, b"a"), (2, b"b"), (2, b"c")]
    assert top_k_lines(io.BytesIO(b"c\nb\na\nd\nc\nb\na"), k=2) == [(2, b"a"), (2, b"b")]


def test_crlf_final_line_and_empty():
    # by hand: "x" three times (LF, CRLF, no newline at the end), "" twice, "x\r" once (lone CR kept)
    assert top_k_lines(io.BytesIO(b"x\n\r\nx\r\n\nx\r\r\nx")) == [(3, b"x"), (2, b""), (1, b"x\r")]
    assert top_k_lines(io.BytesIO(b"")) == []
    assert count_top_k(io.BytesIO(b"")).stats.lines == 0


def test_top_of_breaks_large_ties_by_bytes():
    rng = np.random.default_rng(1)
    counter = Counter({b"%d" % i: int(c) for i, c in enumerate(rng.integers(1, 4, 500))})
    expected = sorted(((c, line) for line, c in counter.items()), key=lambda t: (-t[0], t[1]))[:7]
    assert sorted(_top_of(counter, 7), key=lambda t: (-t[0], t[1])) == expected


def test_sources_path_str_file_and_stdin(tmp_path, monkeypatch):
    data = b"b\na\nb\n\xff\n"
    (tmp_path / "f").write_bytes(data)
    expected = reference(data, 10)
    assert top_k_lines(tmp_path / "f") == expected
    assert top_k_lines(str(tmp_path / "f")) == expected
    with open(tmp_path / "f", "rb") as handle:
        assert top_k_lines(handle) == expected
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    assert top_k_lines("-") == expected


def test_progress_reports_bytes(tmp_path):
    data = zipf_file(tmp_path / "log.txt", 5000)
    seen = []
    top_k_lines(tmp_path / "log.txt", block_size=4096, progress=lambda *event: seen.append(event))
    assert seen[-1] == ("reading", len(data), len(data))
    assert [done for _, done, _ in seen] == sorted(done for _, done, _ in seen)


class Boom(Exception):
    pass


@pytest.mark.parametrize("error", [Boom, KeyboardInterrupt])
@pytest.mark.parametrize("phase", ["reading", "partitions"])
def test_temporary_files_removed_when_interrupted(tmp_path, error, phase):
    src = tmp_path / "src"
    src.mkdir()
    temp = tmp_path / "temp"
    temp.mkdir()
    zipf_file(src / "log.txt", 20_000)
    listed = []

    def progress(now, done, total):
        if now == phase and done > total // 2:
            listed.append(os.listdir(temp))
            raise error

    with pytest.raises(error):
        top_k_lines(src / "log.txt", memory=30_000, block_size=8192, progress=progress, temp_dir=str(temp))
    assert listed and listed[0]                   # there were files when it stopped ...
    assert os.listdir(temp) == []                 # ... and none are left


def test_bad_arguments():
    with pytest.raises(ValueError, match="k must be a positive integer"):
        top_k_lines(io.BytesIO(b"a"), k=0)
    with pytest.raises(ValueError, match="binary mode"):
        top_k_lines(io.StringIO("a\n"))
    with pytest.raises(ValueError, match="source must be a path"):
        top_k_lines(42)
    with pytest.raises(ValueError, match="block_size"):
        top_k_lines(io.BytesIO(b"a"), block_size=0)
    with pytest.raises(FileNotFoundError):
        top_k_lines("/no/such/file")


@pytest.mark.parametrize("text, expected", [
    ("1MB", 2**20), ("64MB", 64 * 2**20), ("2GB", 2 * 2**30), ("512KB", 512 * 2**10), ("1048576", 1048576),
    (4096, 4096), ("1.5GB", 3 * 2**29), ("64 mib", 64 * 2**20), ("8m", 8 * 2**20), ("3B", 3), ("1TB", 2**40),
])
def test_parse_size(text, expected):
    assert parse_size(text) == expected


@pytest.mark.parametrize("text", ["", "MB", "abc", "-1MB", "0", "0KB", "12XB", "1.2.3MB", True, None, 0])
def test_parse_size_rejects(text):
    with pytest.raises(ValueError, match="parse_size"):
        parse_size(text)
