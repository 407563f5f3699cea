"""Finds the entries: one module per question id in ``handbook/entries`` (``-`` in an id is ``_``
in its module name), each defining ``ENTRY``."""
from __future__ import annotations

import difflib
import importlib
import pkgutil
import re
import unicodedata
from functools import lru_cache

from .entry import Entry

SECTIONS: dict[str, dict[str, str]] = {
    "A": {"en": "Generalisation and regularisation", "zh": "泛化与正则化"},
    "B": {"en": "Evaluation and data", "zh": "评估与数据"},
    "C": {"en": "Convolutional networks", "zh": "卷积神经网络"},
    "D": {"en": "Normalisation", "zh": "归一化"},
    "E": {"en": "Activations, initialisation, gradients", "zh": "激活函数、初始化与梯度"},
    "F": {"en": "Losses", "zh": "损失函数"},
    "G": {"en": "Optimisation", "zh": "优化"},
    "H": {"en": "Recurrent networks", "zh": "循环神经网络"},
    "I": {"en": "Learning paradigms and classic ML", "zh": "学习范式与经典机器学习"},
    "J": {"en": "Engineering questions", "zh": "工程问题"},
}


class UnknownEntry(KeyError):
    def __str__(self) -> str:
        return self.args[0]


@lru_cache(maxsize=1)
def _entries() -> dict[str, Entry]:
    from . import entries

    found: dict[str, Entry] = {}
    for info in pkgutil.iter_modules(entries.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{entries.__name__}.{info.name}")
        e = getattr(module, "ENTRY", None)
        if not isinstance(e, Entry):
            raise TypeError(f"handbook module {module.__name__} defines no ENTRY")
        if e.id.replace("-", "_") != info.name:
            raise ValueError(f"handbook module {info.name} holds entry {e.id!r}: names must match")
        if e.section not in SECTIONS:
            raise ValueError(f"handbook entry {e.id!r}: unknown section {e.section!r}")
        found[e.id] = e
    return dict(sorted(found.items(), key=lambda kv: (kv[1].section, kv[0])))


def ids(section: str | None = None) -> list[str]:
    return [i for i, e in _entries().items() if section is None or e.section == section.upper()]


def entry(id: str) -> Entry:
    table = _entries()
    if id in table:
        return table[id]
    near = difflib.get_close_matches(id, list(table), n=3, cutoff=0.4)
    hint = f"; did you mean {', '.join(near)}?" if near else f"; known ids: {', '.join(table)}"
    raise UnknownEntry(f"no handbook entry {id!r}{hint}")


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


_CJK_RUN = re.compile("[\u4e00-\u9fff]+")


def _cjk_bigrams(text: str) -> list[str]:
    """Chinese has no spaces between words: a query's character pairs stand in for its words."""
    return [run[i:i + 2] for run in _CJK_RUN.findall(text) for i in range(max(len(run) - 1, 1))]


def search(text: str) -> list[tuple[float, Entry]]:
    """Entries ranked by how well ``text`` matches their id, titles, keywords and answers."""
    q = _norm(text).strip()
    words = [w for w in q.replace("-", " ").split() if w]
    pairs = _cjk_bigrams(q)
    scored = []
    for e in _entries().values():
        titles = " ".join(_norm(t) for t in e.title.values())
        keys = " ".join(_norm(k) for k in e.keywords)
        body = " ".join(_norm(a) for a in e.answer.values())
        score = 0.0
        if q == e.id:
            score += 100
        if q and (q in titles or q in keys):
            score += 20
        if q and q in e.id:
            score += 10
        for w in words:
            score += 4 * (w in titles) + 3 * (w in keys) + 2 * (w in e.id) + 0.5 * (w in body)
        if pairs:
            score += 8 * sum((p in titles) + (p in keys) + 0.1 * (p in body) for p in pairs) / len(pairs)
        score += 5 * difflib.SequenceMatcher(None, q, e.id).ratio()
        if score > 3:
            scored.append((score, e))
    scored.sort(key=lambda se: -se[0])
    return scored
