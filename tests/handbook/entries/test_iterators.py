import collections.abc as abc

from gradbook import handbook


def test_iterators_numbers_and_verdicts():
    r = handbook.run("iterators", quick=True)
    # 100 samples in batches of 10: one batch read, nine left, two full passes of ten batches
    assert r.numbers["reads_after_one_batch"] == 10
    assert r.numbers["batches_left_after_first"] == 100 // 10 - 1
    assert r.numbers["passes_over_loader"] == [10, 10]
    assert r.numbers["exhausted_iterator_yields"] == 0
    assert r.numbers["list_iterator_is_iterator"] == isinstance(iter([1]), abc.Iterator)
    assert r.verdicts == {"iterable-returns-iterator": "confirmed", "iterator-is-lazy": "depends",
                          "generator-is-iterator": "confirmed", "decorator-adds-behaviour": "confirmed"}
