"""Huffman coding of integer symbols (the shared-weight indices, the gaps between nonzero weights).

Huffman's construction repeatedly merges the two least frequent subtrees; a symbol's code length
is its depth. The average length L = Σ p_s·len_s is optimal among prefix codes and lies in
H ≤ L < H + 1 with H = −Σ p_s log2 p_s the entropy of the symbol frequencies.

The code is *canonical*: codes are assigned in order of (length, symbol), so the code lengths
alone describe it; a file stores one length per symbol of the alphabet and the bitstream (most
significant bit first, packed into uint8 with ``np.packbits``).
"""
from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np

__all__ = ["HuffmanCode", "code_lengths", "canonical_codes", "encode", "decode", "entropy", "gaps", "ungaps"]

_TABLE_BITS = 16  # decode through a 2^L lookup table up to this longest code; bit by bit beyond


def code_lengths(counts: np.ndarray) -> np.ndarray:
    """Huffman code length of each symbol 0..len(counts)-1 (0 for a symbol that never occurs; a
    lone symbol gets length 1 so that its stream still has one bit per symbol)."""
    counts = np.asarray(counts, np.int64)
    lengths = np.zeros(len(counts), np.int64)
    present = np.flatnonzero(counts > 0)
    if len(present) == 1:
        lengths[present] = 1
        return lengths
    # heap of (count, tie-break, symbols in the subtree); every merge deepens its symbols by one
    heap = [(int(counts[s]), i, [int(s)]) for i, s in enumerate(present)]
    heapq.heapify(heap)
    tie = len(heap)
    while len(heap) > 1:
        c1, _, s1 = heapq.heappop(heap)
        c2, _, s2 = heapq.heappop(heap)
        lengths[s1 + s2] += 1
        heapq.heappush(heap, (c1 + c2, tie, s1 + s2))
        tie += 1
    return lengths


def canonical_codes(lengths: np.ndarray) -> np.ndarray:
    """The canonical code (an int whose low ``length`` bits are the code) of each symbol."""
    lengths = np.asarray(lengths, np.int64)
    codes = np.zeros(len(lengths), np.int64)
    code, prev = 0, 0
    for s in sorted(np.flatnonzero(lengths), key=lambda s: (lengths[s], s)):
        code <<= int(lengths[s]) - prev
        codes[s] = code
        prev = int(lengths[s])
        code += 1
    return codes


@dataclass
class HuffmanCode:
    """A canonical Huffman code over the alphabet 0..len(lengths)-1."""

    lengths: np.ndarray

    @classmethod
    def fit(cls, symbols: np.ndarray, alphabet: int | None = None) -> "HuffmanCode":
        symbols = _symbols(symbols)
        size = int(symbols.max()) + 1 if alphabet is None and symbols.size else (alphabet or 1)
        return cls(code_lengths(np.bincount(symbols, minlength=size)))

    @property
    def codes(self) -> np.ndarray:
        return canonical_codes(self.lengths)

    def average_length(self, symbols: np.ndarray) -> float:
        """Bits per symbol when ``symbols`` are coded."""
        symbols = _symbols(symbols)
        return float(self.lengths[symbols].mean()) if symbols.size else 0.0


def _symbols(symbols) -> np.ndarray:
    s = np.asarray(symbols).ravel()
    if s.size and (s.dtype.kind not in "iu" or s.min() < 0):
        raise ValueError(f"huffman: symbols must be non-negative integers, got dtype {s.dtype}"
                         + (f" with minimum {s.min()}" if s.dtype.kind in "iu" else ""))
    return s.astype(np.int64)


def encode(symbols: np.ndarray, code: HuffmanCode) -> tuple[np.ndarray, int]:
    """``(packed bits as uint8, number of bits)`` of ``symbols`` under ``code``."""
    symbols = _symbols(symbols)
    if symbols.size and (symbols.max() >= len(code.lengths) or np.any(code.lengths[symbols] == 0)):
        raise ValueError("huffman.encode: a symbol has no code (it was absent when the code was built)")
    lengths, codes = code.lengths[symbols], code.codes[symbols]
    width = int(lengths.max()) if symbols.size else 0
    # row i holds symbol i's code right-aligned in `width` bits; keep the last lengths[i] of them
    shifts = np.arange(width - 1, -1, -1)
    bits = (codes[:, None] >> shifts[None, :]) & 1
    used = shifts[None, :] < lengths[:, None]
    stream = bits[used].astype(np.uint8)
    return np.packbits(stream), int(stream.size)


def decode(packed: np.ndarray, n_bits: int, n_symbols: int, code: HuffmanCode) -> np.ndarray:
    """The ``n_symbols`` symbols coded in the first ``n_bits`` bits of ``packed``."""
    bits = np.unpackbits(np.asarray(packed, np.uint8))[:n_bits]
    if bits.size < n_bits:
        raise ValueError(f"huffman.decode: the stream holds {bits.size} bits, {n_bits} were announced")
    longest = int(code.lengths.max()) if len(code.lengths) else 0
    out = np.empty(n_symbols, np.int64)
    if longest <= _TABLE_BITS:
        _decode_by_table(bits, code, longest, out)
    else:
        _decode_bit_by_bit(bits, code, out)
    return out


def _decode_by_table(bits: np.ndarray, code: HuffmanCode, longest: int, out: np.ndarray) -> None:
    """Every ``longest``-bit window starts with exactly one code: look it up, advance by its length."""
    table_symbol = np.full(1 << longest, -1, np.int64)
    table_length = np.zeros(1 << longest, np.int64)
    for s in np.flatnonzero(code.lengths):
        length = int(code.lengths[s])
        first = int(code.codes[s]) << (longest - length)
        table_symbol[first:first + (1 << (longest - length))] = s
        table_length[first:first + (1 << (longest - length))] = length
    padded = np.concatenate([bits, np.zeros(longest, np.uint8)]).astype(np.int64)
    # window value at every bit position, by Horner over the `longest` following bits
    window = np.zeros(bits.size + 1, np.int64)
    for j in range(longest):
        window = (window << 1) | padded[j:j + bits.size + 1]
    pos = 0
    for i in range(len(out)):
        if pos >= bits.size:
            raise ValueError(f"huffman.decode: the stream ended after {i} of {len(out)} symbols")
        s, length = table_symbol[window[pos]], table_length[window[pos]]
        if s < 0:
            raise ValueError(f"huffman.decode: bits at position {pos} match no code (corrupt stream)")
        if pos + length > bits.size:
            raise ValueError(f"huffman.decode: the stream ended inside symbol {i + 1} of {len(out)}")
        out[i] = s
        pos += length
    if pos != bits.size:
        raise ValueError(f"huffman.decode: {bits.size - pos} bits left over after {len(out)} symbols (corrupt stream)")


def _decode_bit_by_bit(bits: np.ndarray, code: HuffmanCode, out: np.ndarray) -> None:
    lookup = {(int(code.lengths[s]), int(code.codes[s])): int(s) for s in np.flatnonzero(code.lengths)}
    pos, value, length, i = 0, 0, 0, 0
    while i < len(out):
        if pos >= bits.size:
            raise ValueError(f"huffman.decode: the stream ended after {i} of {len(out)} symbols")
        value, length, pos = (value << 1) | int(bits[pos]), length + 1, pos + 1
        if (length, value) in lookup:
            out[i], value, length, i = lookup[(length, value)], 0, 0, i + 1
    if pos != bits.size:
        raise ValueError(f"huffman.decode: {bits.size - pos} bits left over after {len(out)} symbols (corrupt stream)")


def entropy(symbols: np.ndarray) -> float:
    """H = −Σ p log2 p of the symbols' empirical frequencies, in bits per symbol."""
    symbols = _symbols(symbols)
    if not symbols.size:
        return 0.0
    p = np.bincount(symbols) / symbols.size
    p = p[p > 0]
    return float(-(p * np.log2(p)).sum())


def gaps(mask: np.ndarray) -> np.ndarray:
    """Relative indices of a sparse tensor: the distance from each nonzero entry (flattened) to
    the previous one (the first counted from position −1), so that the positions are their cumsum − 1."""
    positions = np.flatnonzero(np.asarray(mask).ravel())
    return np.diff(positions, prepend=-1)


def ungaps(g: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """The boolean mask of ``shape`` whose nonzero positions have gaps ``g``."""
    mask = np.zeros(int(np.prod(shape)), bool)
    mask[np.cumsum(g) - 1] = True
    return mask.reshape(shape)
