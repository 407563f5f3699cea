"""The k most repeated lines of a file of any size, exactly, in bounded memory.

The interview classic "find the 10 most repeated messages among 10 million" as a tool.

Lines are compared as bytes (any encoding); ``\\r\\n`` counts as ``\\n``; a last line without a
newline is counted; ties are ranked by count descending, then bytes ascending.

How it works:

1. Fast path. Read binary blocks, ``bytes.split(b"\\n")`` them (a line cut by a block end is
   carried to the next block) and ``Counter.update`` the list of lines: both run in C. Blocks are
   512 KiB: measured faster than 8-64 MB ones, whose line objects fall out of the CPU cache
   between the split and the update.
2. Memory estimate of the Counter: ``3 * sys.getsizeof(counter)`` (a resize briefly holds the old
   table and the doubled one) + the distinct keys' ``bytes`` objects (33-byte header + length,
   rounded up by the allocator) + one int object per count above 256.
3. When the estimate passes the budget, the Counter's lines and counts are appended to P partition
   files in a ``TemporaryDirectory`` (P from the projected need), chosen by a hash of the line,
   and the Counter starts again empty: it acts as a combiner, so a line repeated within one
   filling is written once. All occurrences of a line land in the same partition, so counting
   each partition alone gives exact totals; a partition that still does not fit is partitioned
   again with another hash seed.
4. The k best of each Counter are merged into one k-sized list (``heapq.nsmallest``).

Temporary files are removed on success, on errors and on Ctrl-C (``KeyboardInterrupt``).
"""
from __future__ import annotations

import heapq
import io
import os
import re
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from itertools import compress, islice
from typing import BinaryIO, Union

import numpy as np

Source = Union[str, "os.PathLike[str]", BinaryIO]
#: ``progress(phase, done, total)``: phase ``"reading"`` counts bytes of the source (total None for
#: a stream of unknown size), phase ``"partitions"`` counts bytes of the first-level partitions.
ProgressCallback = Callable[[str, int, Union[int, None]], None]

DEFAULT_MEMORY = 512 * 2**20

_KEY_OBJECT = 33 + 8        # sys.getsizeof(b"") + the allocator's mean rounding to 16 bytes
_BIG_INT = 32               # an int above 256 is its own object (small ints are shared)
_PER_LINE = 8 + 48          # list slot + bytes object of a line in a block
_MIN_BLOCK = 64 * 2**10
_BLOCK = 512 * 2**10        # measured: larger blocks are slower, their lines fall out of the cache
_MAX_PARTITIONS = 256
_MAX_DEPTH = 8
_FLUSH_CHUNK = 1 << 16       # lines routed at once when flushing (fewer for small budgets)
_MASK64 = 2**64 - 1


@dataclass
class TopKStats:
    """What a run did; ``partitions > 0`` means it did not fit and went through temporary files."""

    lines: int = 0              # lines read from the source
    bytes: int = 0              # bytes read from the source
    distinct: int = 0           # distinct lines
    partitions: int = 0         # partitions created, all levels together
    depth: int = 0              # deepest partitioning level (0: counted in memory)
    spilled_bytes: int = 0      # bytes written to temporary files
    peak_estimate: int = 0      # largest estimated Counter footprint, bytes
    over_budget: bool = False   # counted something that did not fit: one line over the budget, or the depth limit


@dataclass
class TopKResult:
    top: list[tuple[int, bytes]]
    stats: TopKStats = field(default_factory=TopKStats)


def parse_size(text: str | int) -> int:
    """``"64MB"`` -> 67108864. Binary units, as ``sort -S`` and ``ulimit``: KB = 1024 bytes.

    Accepts a plain byte count (``"1048576"``, ``1048576``), decimals (``"1.5GB"``) and the units
    B, K/KB/KiB, M/MB/MiB, G/GB/GiB, T/TB/TiB in any case.
    """
    if isinstance(text, bool) or not isinstance(text, (int, str)):
        raise ValueError(f"parse_size: expected a size such as '64MB' or a byte count, got {text!r}")
    if isinstance(text, int):
        value = text
    else:
        match = re.fullmatch(r"\s*(\d+(?:\.\d*)?|\.\d+)\s*([A-Za-z]*)\s*", text)
        unit = match and match.group(2).lower()
        if match is None or unit not in _UNITS:
            raise ValueError(f"parse_size: expected a size such as 512KB, 64MB, 2GB or a byte count, "
                             f"got {text!r}")
        try:
            value = int(Decimal(match.group(1)) * _UNITS[unit])
        except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
            raise ValueError(f"parse_size: cannot read the number in {text!r}") from None
    if value <= 0:
        raise ValueError(f"parse_size: a size must be positive, got {text!r}")
    return value


_UNITS = {"": 1, "b": 1}
for _power, _letter in enumerate("kmgt", start=1):
    for _suffix in (_letter, _letter + "b", _letter + "ib"):
        _UNITS[_suffix] = 1024 ** _power


def top_k_lines(source: Source, k: int = 10, memory: int | str = DEFAULT_MEMORY,
                progress: ProgressCallback | None = None, *, temp_dir: str | None = None,
                block_size: int | None = None) -> list[tuple[int, bytes]]:
    """The ``k`` most repeated lines of ``source`` as ``[(count, line), ...]``, best first.

    Parameters
    ----------
    source : path, ``"-"`` for standard input, or a binary file object.
    k : how many lines to return (fewer when the source has fewer distinct lines).
    memory : bytes (or a size string, see :func:`parse_size`) the counting may use on top of
        what the interpreter already holds; read blocks have a floor of 64 KiB, and a single
        line larger than the budget is still counted (``TopKStats.over_budget``). What does
        not fit goes to temporary files (``TopKStats.spilled_bytes`` of disk, at most about
        the source's size plus 8 bytes a line).
    progress : optional ``progress(phase, done, total)`` callback, see ``ProgressCallback``.
    temp_dir : where the partition directory is made (default: ``tempfile``'s choice).
    block_size : fixed read size in bytes (default: adapts to ``memory`` and the line length).

    Examples
    --------
    >>> import io
    >>> top_k_lines(io.BytesIO(b"b\\na\\r\\nb\\nc\\na"), k=2)
    [(2, b'a'), (2, b'b')]
    """
    return count_top_k(source, k, memory, progress, temp_dir=temp_dir, block_size=block_size).top


def count_top_k(source: Source, k: int = 10, memory: int | str = DEFAULT_MEMORY,
                progress: ProgressCallback | None = None, *, temp_dir: str | None = None,
                block_size: int | None = None) -> TopKResult:
    """:func:`top_k_lines` plus :class:`TopKStats` (lines, distinct, partitions, ...)."""
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"top_k_lines: k must be a positive integer, got {k!r}")
    budget = parse_size(memory)
    if block_size is not None and (isinstance(block_size, bool) or not isinstance(block_size, int)
                                   or block_size < 1):
        raise ValueError(f"top_k_lines: block_size must be a positive integer, got {block_size!r}")
    with _open_source(source) as (stream, size):
        counter = _TopK(int(k), budget, progress, temp_dir, block_size)
        counter.run(stream, size)
    return TopKResult(sorted(counter.best, key=_rank), counter.stats)


def _rank(item: tuple[int, bytes]) -> tuple[int, bytes]:
    return -item[0], item[1]


@contextmanager
def _open_source(source: Source) -> Iterator[tuple[BinaryIO, int | None]]:
    if isinstance(source, str) and source == "-":
        yield sys.stdin.buffer, _size_of(sys.stdin.buffer)
    elif isinstance(source, (str, os.PathLike)):
        with open(source, "rb", buffering=0) as stream:
            yield stream, _size_of(stream)
    elif hasattr(source, "read"):
        yield source, _size_of(source)
    else:
        raise ValueError(f"top_k_lines: source must be a path, '-' or a binary file object, "
                         f"got {type(source).__name__}")


def _size_of(stream: BinaryIO) -> int | None:
    """Bytes left to read, or None for a pipe or a terminal."""
    try:
        if stream.seekable():
            here = stream.tell()
            return max(os.fstat(stream.fileno()).st_size - here, 0)
    except (OSError, AttributeError, ValueError):
        pass
    try:
        if stream.seekable():
            here = stream.tell()
            end = stream.seek(0, os.SEEK_END)
            stream.seek(here)
            return end - here
    except (OSError, AttributeError, ValueError):
        pass
    return None


def _line_blocks(read: Callable[[int], bytes], block_size: Callable[[], int],
                 crlf: bool) -> Iterator[tuple[list[bytes], int]]:
    """``(complete lines without \\n, bytes read)`` block by block; the unterminated last line at EOF.

    A line cut by the end of a block is carried over; a ``\\r\\n`` cut between two blocks is
    normalised like one inside a block (``crlf=False`` keeps every ``\\r``, for partition files).
    """
    pending: list[bytes] = []       # pieces of a line that has not ended yet
    while True:
        chunk = read(block_size())
        if not chunk:
            break
        if not isinstance(chunk, bytes):
            raise ValueError(f"top_k_lines: the source must be opened in binary mode ('rb'), it "
                             f"returned {type(chunk).__name__}")
        if crlf:
            if pending and pending[-1].endswith(b"\r") and chunk.startswith(b"\n"):
                pending[-1] = pending[-1][:-1]
            if b"\r" in chunk:
                chunk = chunk.replace(b"\r\n", b"\n")
        size = len(chunk)
        lines = chunk.split(b"\n")
        del chunk
        if len(lines) == 1:
            pending.append(lines[0])
            continue
        if pending:
            pending.append(lines[0])
            lines[0] = b"".join(pending)
            pending = []
        tail = lines.pop()
        if tail:
            pending.append(tail)
        yield lines, size
    if pending:
        line = b"".join(pending)
        yield [line], len(line)


def _buckets(keys: list[bytes], level: int, parts: int) -> np.ndarray:
    """Partition index of each key: Python's bytes hash, mixed with a per-level seed (murmur3's
    finaliser), so a partition that is split again spreads over all sub-partitions."""
    h = np.fromiter(map(hash, keys), dtype=np.int64, count=len(keys)).view(np.uint64)
    h ^= np.uint64((0x9E3779B97F4A7C15 * (level + 1)) & _MASK64)
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xFF51AFD7ED558CCD)
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xC4CEB9FE1A85EC53)
    h ^= h >> np.uint64(33)
    return (h % np.uint64(parts)).astype(np.uint16)


def _grouped(keys: list[bytes], buckets: np.ndarray, parts: int) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
    """``(partition, keys in it, their positions in keys)`` for every non-empty partition."""
    order = np.argsort(buckets, kind="stable")
    objects = np.empty(len(keys), dtype=object)
    objects[:] = keys
    objects = objects[order]
    start = 0
    for part, end in enumerate(np.cumsum(np.bincount(buckets, minlength=parts)).tolist()):
        if end > start:
            yield part, objects[start:end], order[start:end]
        start = end


def _write_all(stream: BinaryIO, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[stream.write(view):]


class _Partitions:
    """P partitions, each a keys file (lines, one per line) and a counts file (one int64 per key):
    a partition is a stream of weighted lines, the same line possibly several times."""

    def __init__(self, directory: str, name: str, level: int, parts: int, stats: TopKStats) -> None:
        self.level, self.parts, self.stats = level, parts, stats
        self.paths = [{kind: os.path.join(directory, f"{name}.{p}.{kind}") for kind in ("keys", "counts")}
                      for p in range(parts)]
        self.open: dict[tuple[int, str], BinaryIO] = {}
        stats.partitions += parts
        stats.depth = max(stats.depth, level)

    def write(self, keys: list[bytes], counts: np.ndarray) -> None:
        for part, group, where in _grouped(keys, _buckets(keys, self.level, self.parts), self.parts):
            self._put(part, "keys", b"\n".join(group) + b"\n")
            self._put(part, "counts", counts[where].astype(np.int64).tobytes())

    def _put(self, part: int, kind: str, data: bytes) -> None:
        stream = self.open.get((part, kind))
        if stream is None:
            stream = self.open[part, kind] = open(self.paths[part][kind], "ab", buffering=0)
        _write_all(stream, data)
        self.stats.spilled_bytes += len(data)

    def close(self) -> None:
        for stream in self.open.values():
            stream.close()
        self.open.clear()

    def size(self, part: int) -> int:
        return sum(_file_size(path) for path in self.paths[part].values())

    def remove(self, part: int) -> None:
        for path in self.paths[part].values():
            if os.path.exists(path):
                os.remove(path)


def _file_size(path: str) -> int:
    return os.path.getsize(path) if os.path.exists(path) else 0


def _open_part(path: str) -> BinaryIO:
    return open(path, "rb", buffering=0) if os.path.exists(path) else io.BytesIO()


def _top_of(counter: Counter, k: int) -> list[tuple[int, bytes]]:
    """The k best ``(count, line)`` of a Counter in C-speed passes: the k-th largest count by
    ``np.partition``, then the lines above it, then the smallest lines tied at it."""
    n = len(counter)
    if n <= k:
        return [(count, line) for line, count in counter.items()]
    counts = np.fromiter(counter.values(), dtype=np.int64, count=n)
    kth = int(np.partition(counts, n - k)[n - k])
    top = [(count, line) for line, count in compress(counter.items(), counts > kth)]
    ties = heapq.nsmallest(k - len(top), compress(counter, counts == kth))
    return top + [(kth, line) for line in ties]


class _TopK:
    """One run: the budget split, the k-best list, the stats, the partition directory."""

    def __init__(self, k: int, budget: int, progress: ProgressCallback | None,
                 temp_dir: str | None, block_size: int | None) -> None:
        self.k = k
        self.block_budget = budget // 4              # a block and its lines
        self.counter_budget = budget - self.block_budget
        self.progress = progress
        self.temp_dir = temp_dir
        self.fixed_block = block_size
        self.lines_per_byte = 0.5                    # pessimistic until a block has been seen
        self.best: list[tuple[int, bytes]] = []
        self.stats = TopKStats()
        self.directory: str | None = None
        self.writers: list[_Partitions] = []

    def run(self, stream: BinaryIO, size: int | None) -> None:
        with tempfile.TemporaryDirectory(prefix="gradbook-topk-", dir=self.temp_dir) as directory:
            self.directory = directory
            try:
                read = self._reader(stream.read, "reading", size)
                self._count(lambda block_size: self._lines(read, block_size), size, 0)
            finally:  # on errors and Ctrl-C too: close before the directory is removed
                for parts in self.writers:
                    parts.close()

    def _reader(self, read: Callable[[int], bytes], phase: str | None, total: int | None,
                start: int = 0) -> Callable[[int], bytes]:
        done = start

        def counted(n: int) -> bytes:
            nonlocal done
            data = read(n)
            done += len(data)
            if phase == "reading":
                self.stats.bytes = done
            if phase and self.progress is not None:
                self.progress(phase, done, total)
            return data
        return counted

    def _lines(self, read: Callable[[int], bytes], block_size: Callable[[], int]) -> Iterator[_Records]:
        """The source's lines, each with weight one (counts None)."""
        for lines, size in _line_blocks(read, block_size, crlf=True):
            self.stats.lines += len(lines)
            self.lines_per_byte = len(lines) / max(size, len(lines))
            yield lines, None, size, size - len(lines)

    def _block_size(self) -> int:
        if self.fixed_block is not None:
            return self.fixed_block
        per_byte = 3 + _PER_LINE * self.lines_per_byte   # chunk, CRLF copy, line pieces; per line
        return int(min(max(self.block_budget / per_byte, _MIN_BLOCK), _BLOCK))

    def _count(self, records: Callable[[Callable[[], int]], Iterator[_Records]], size: int | None,
               level: int) -> None:
        """Count one source (the input or a partition); spill to partitions if it does not fit."""
        counter: Counter[bytes] = Counter()
        need = _Need(self.counter_budget)
        parts = self._fill(counter, need, records, size, level)
        self.stats.peak_estimate = max(self.stats.peak_estimate, need.peak)
        if parts is None:
            if need.over(counter):          # the depth limit, or a single line larger than the budget
                self.stats.over_budget = True
            self.stats.distinct += len(counter)
            self.best = heapq.nsmallest(self.k, self.best + _top_of(counter, self.k), key=_rank)
            return
        del counter
        parts.close()
        self._count_partitions(parts)

    def _fill(self, counter: Counter, need: _Need, records: Callable[[Callable[[], int]], Iterator[_Records]],
              size: int | None, level: int) -> _Partitions | None:
        """Count into ``counter``; each time it would not fit, flush it to partitions and go on
        (the Counter doubles as a combiner: a line repeated within one filling is written once)."""
        parts: _Partitions | None = None
        consumed = 0
        for keys, counts, read_bytes, key_bytes in records(self._block_size):
            consumed += read_bytes
            before = len(counter)
            counter.update(keys)
            weight = len(keys)
            if counts is not None:
                heavy = counts > 1
                if heavy.any():
                    _add(counter, compress(keys, heavy), (counts[heavy] - 1).tolist())
                weight = int(counts.sum())
            mean_length = key_bytes / len(keys)
            del keys
            need.add_keys(counter, (len(counter) - before) * (_KEY_OBJECT + mean_length), weight / 257)
            if level < _MAX_DEPTH and len(counter) > 1 and need.over(counter):  # one line: nothing to split
                if parts is None:
                    parts = self._partitions(need.total(counter), consumed, size, level)
                self._flush(counter, parts)
                need.reset()
        if parts is not None and counter:
            self._flush(counter, parts)
        return parts

    def _partitions(self, need: float, consumed: int, size: int | None, level: int) -> _Partitions:
        """P partitions for a source of ``size`` bytes whose first ``consumed`` bytes need ``need``."""
        if size:
            projected = need * max(size / max(consumed, 1), 1.0)
            n_parts = int(min(max(-(-1.5 * projected // self.counter_budget), 2), _MAX_PARTITIONS))
        else:  # a stream of unknown length: plenty, as re-partitioning costs another pass
            n_parts = 64
        parts = _Partitions(self.directory, f"p{len(self.writers)}", level + 1, n_parts, self.stats)
        self.writers.append(parts)
        return parts

    def _flush(self, counter: Counter, parts: _Partitions) -> None:
        """Write the Counter's lines and counts to their partitions, and empty it."""
        keys, values = iter(counter), iter(counter.values())
        size = min(max(self.block_budget // 128, 1024), _FLUSH_CHUNK)   # ~100 bytes a line in flight
        while chunk := list(islice(keys, size)):
            parts.write(chunk, np.fromiter(values, dtype=np.int64, count=len(chunk)))
        counter.clear()

    def _count_partitions(self, parts: _Partitions) -> None:
        first = parts.level == 1
        total = sum(parts.size(p) for p in range(parts.parts)) if first else None
        done = 0
        for p in range(parts.parts):
            size = parts.size(p)
            if size == 0:
                continue
            with _open_part(parts.paths[p]["keys"]) as keys, _open_part(parts.paths[p]["counts"]) as counts:
                read = self._reader(keys.read, "partitions" if first else None, total, done)
                self._count(lambda block_size: _weighted(read, counts, block_size), size, parts.level)
            parts.remove(p)
            done += size


_Records = tuple[list[bytes], Union[np.ndarray, None], int, int]   # keys, counts, bytes read, key bytes


def _weighted(read: Callable[[int], bytes], counts: BinaryIO, block_size: Callable[[], int]
              ) -> Iterator[_Records]:
    """A partition's records: keys (one per line, ``\\r`` kept) with their int64 counts."""
    for keys, size in _line_blocks(read, block_size, crlf=False):
        yield keys, np.frombuffer(counts.read(8 * len(keys)), dtype=np.int64), size + 8 * len(keys), size - len(keys)


def _add(counter: Counter, keys: Iterable[bytes], extra: Iterable[int]) -> None:
    for key, count in zip(keys, extra):
        counter[key] += count


class _Need:
    """Estimated bytes of a Counter: 3x its table (room for the next resize) + keys + big ints.

    The keys' bytes are estimated from each block's mean line length, and recounted exactly
    (``sum(map(len, counter))``, C speed) whenever the estimate grows by a quarter or says "full".
    """

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.keys = 0.0
        self.big_ints = 0.0
        self.recount_at = budget / 2
        self.peak = 0

    def reset(self) -> None:
        self.keys = self.big_ints = 0.0
        self.recount_at = self.budget / 2

    def add_keys(self, counter: Counter, key_bytes: float, big_ints: float) -> None:
        self.keys += key_bytes
        self.big_ints = min(self.big_ints + big_ints, len(counter))
        if self.total(counter) > self.recount_at:
            self._recount(counter)

    def _recount(self, counter: Counter) -> None:
        self.keys = sum(map(len, counter)) + _KEY_OBJECT * len(counter)
        self.recount_at = max(self.total(counter) * 1.25, self.budget / 2)

    def total(self, counter: Counter) -> float:
        return 3 * sys.getsizeof(counter) + self.keys + _BIG_INT * self.big_ints

    def over(self, counter: Counter) -> bool:
        total = self.total(counter)
        self.peak = max(self.peak, int(total))
        if total <= self.budget:
            return False
        self._recount(counter)
        return self.total(counter) > self.budget
