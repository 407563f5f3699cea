"""Huffman coding: encode/decode round trips, the code is prefix-free and optimal (its total
length equals the sum of all merge weights), the average length lies in [H, H + 1), and the
sparse gaps round trip."""
import heapq

import numpy as np
import pytest
from hypothesis import given, strategies as st

from gradbook.compress import huffman


def _merge_cost(counts) -> int:
    """Huffman's total coded length computed independently: the sum of every merged pair's weight."""
    heap = [int(c) for c in counts if c > 0]
    if len(heap) == 1:
        return heap[0]
    heapq.heapify(heap)
    total = 0
    while len(heap) > 1:
        merged = heapq.heappop(heap) + heapq.heappop(heap)
        total += merged
        heapq.heappush(heap, merged)
    return total


symbol_arrays = st.builds(lambda seed, k, n, skew: np.random.default_rng(seed).choice(
    k, size=n, p=(lambda w: w / w.sum())(np.random.default_rng(seed).random(k) ** skew)),
    st.integers(0, 10**6), st.integers(1, 40), st.integers(1, 600), st.sampled_from([1, 4, 12]))


@given(symbols=symbol_arrays)
def test_round_trip_optimal_and_within_the_entropy_bound(symbols):
    code = huffman.HuffmanCode.fit(symbols)
    packed, n_bits = huffman.encode(symbols, code)
    assert packed.dtype == np.uint8 and len(packed) == (n_bits + 7) // 8
    np.testing.assert_array_equal(huffman.decode(packed, n_bits, len(symbols), code), symbols)
    counts = np.bincount(symbols)
    assert n_bits == (_merge_cost(counts) if (counts > 0).sum() > 1 else len(symbols))
    p = counts[counts > 0] / len(symbols)
    h = float(-(p * np.log2(p)).sum())
    assert huffman.entropy(symbols) == pytest.approx(h)
    avg = code.average_length(symbols)
    assert avg == pytest.approx(n_bits / len(symbols))
    if len(p) > 1:
        assert h - 1e-12 <= avg < h + 1


@given(symbols=symbol_arrays)
def test_canonical_code_is_prefix_free(symbols):
    code = huffman.HuffmanCode.fit(symbols)
    words = [format(int(c), f"0{int(n)}b") for c, n in zip(code.codes, code.lengths) if n]
    for a in words:
        assert sum(b.startswith(a) for b in words) == 1
    assert sum(2.0 ** -len(w) for w in words) <= 1 + 1e-12  # Kraft


def test_long_codes_decode_bit_by_bit():
    counts = [1, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610, 987, 1597, 2584, 4181]  # Fibonacci: depth 18
    symbols = np.random.default_rng(0).permutation(np.repeat(np.arange(len(counts)), counts))
    code = huffman.HuffmanCode.fit(symbols)
    assert code.lengths.max() > 16
    packed, n = huffman.encode(symbols, code)
    np.testing.assert_array_equal(huffman.decode(packed, n, len(symbols), code), symbols)


def test_gaps_round_trip_and_one_symbol_streams():
    mask = np.random.default_rng(1).random((7, 9)) < 0.2
    g = huffman.gaps(mask)
    assert g[0] == np.flatnonzero(mask)[0] + 1
    np.testing.assert_array_equal(huffman.ungaps(g, mask.shape), mask)
    ones = np.zeros(10, np.int64)
    code = huffman.HuffmanCode.fit(ones)
    packed, n = huffman.encode(ones, code)
    assert n == 10 and np.array_equal(huffman.decode(packed, n, 10, code), ones)


def test_bad_streams_and_symbols():
    code = huffman.HuffmanCode.fit(np.array([0, 1, 1, 2, 2, 2]))
    packed, n = huffman.encode(np.array([2, 1, 0]), code)
    with pytest.raises(ValueError, match="left over"):
        huffman.decode(packed, n, 2, code)
    with pytest.raises(ValueError, match="ended"):
        huffman.decode(packed, n - 1, 3, code)
    with pytest.raises(ValueError, match="no code"):
        huffman.encode(np.array([3]), code)
    with pytest.raises(ValueError, match="non-negative integers"):
        huffman.HuffmanCode.fit(np.array([0.5, 1.0]))
