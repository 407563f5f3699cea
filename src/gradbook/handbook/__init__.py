"""The executable handbook: every question answered in Chinese and English, each answer backed
by a live computation with gradbook's own library that ends in a verdict.

>>> from gradbook import handbook
>>> handbook.ids()[:3]            # doctest: +SKIP
>>> r = handbook.run("softmax-ce", quick=True)
>>> r.verdicts                    # doctest: +SKIP
"""
from __future__ import annotations

from .entry import Entry, overall
from .registry import SECTIONS, UnknownEntry, entry, ids, search
from .result import VERDICTS, Figure, Result, Table


def run(id: str, quick: bool = True) -> Result:
    """Run one entry's live computation and return its :class:`Result`."""
    return entry(id).run(quick)


__all__ = ["Entry", "Figure", "Result", "SECTIONS", "Table", "UnknownEntry", "VERDICTS", "entry", "ids",
           "overall", "run", "search"]
