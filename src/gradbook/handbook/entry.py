"""``Entry``: one handbook question with its bilingual answer, the claims it checks and the live
computation that decides them.

Answer text is Markdown with LaTeX maths (``$...$``, ``$$...$$``). Computed values are embedded
by name as ``{=name}`` or ``{=name:.3f}`` (a format spec), so no number in the prose is typed by
hand; the braces of LaTeX are left alone.
"""
from __future__ import annotations

import inspect
import re
import time
from dataclasses import dataclass, field
from typing import Callable

from .result import Result

_PLACEHOLDER = re.compile(r"\{=([A-Za-z_][\w]*)(?::([^}]*))?\}")
LANGS = ("zh", "en")


class MissingNumber(KeyError):
    """An answer refers to a number its run did not compute."""


_CJK = "\u3000-\u303f\u4e00-\u9fff\uff00-\uffef"
_CJK_SOFT_BREAK = re.compile(f"(?<=[{_CJK}])[ \\t]*\\n[ \\t]*(?=[{_CJK}])")


def join_cjk_lines(text: str) -> str:
    """Join a paragraph's soft line breaks that fall between two Chinese characters.

    Markdown turns a soft break into a space, which Chinese text does not have between characters
    (the answers' source wraps long Chinese lines). Breaks next to Latin text keep their space, and
    blank lines (paragraph ends) are left alone because the next line then starts with a newline.
    """
    return _CJK_SOFT_BREAK.sub("", text)


def fill(text: str, numbers: dict) -> str:
    """Replace ``{=name[:spec]}`` with the computed value."""

    def sub(m: re.Match) -> str:
        name, spec = m.group(1), m.group(2)
        if name not in numbers:
            raise MissingNumber(f"the answer uses {{={name}}} but the run computed no number of that name")
        value = numbers[name]
        return format(value, spec) if spec else _plain(value)

    return _PLACEHOLDER.sub(sub, text)


def _plain(value) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def placeholders(text: str) -> list[str]:
    return [m.group(1) for m in _PLACEHOLDER.finditer(text)]


@dataclass
class Entry:
    id: str
    section: str
    title: dict[str, str]
    answer: dict[str, str]
    claims: dict[str, dict[str, str]]
    compute: Callable[[bool], Result]
    keywords: list[str] = field(default_factory=list)

    def __post_init__(self):
        for lang in LANGS:
            if not self.title.get(lang) or not self.answer.get(lang):
                raise ValueError(f"handbook entry {self.id!r}: title and answer are needed in {lang!r}")
            for claim, text in self.claims.items():
                if not text.get(lang):
                    raise ValueError(f"handbook entry {self.id!r}: claim {claim!r} has no {lang!r} text")

    def run(self, quick: bool = True) -> Result:
        """Compute the live answer; every claim must get a verdict."""
        start = time.perf_counter()
        result = self.compute(quick)
        result.seconds = time.perf_counter() - start
        missing = set(self.claims) - set(result.verdicts)
        if missing:
            raise RuntimeError(f"handbook entry {self.id!r}: no verdict for claim(s) {sorted(missing)}")
        unknown = set(result.verdicts) - set(self.claims)
        if unknown:
            raise RuntimeError(f"handbook entry {self.id!r}: verdicts for unknown claim(s) {sorted(unknown)}")
        return result

    def text(self, lang: str, result: Result) -> str:
        return join_cjk_lines(fill(self.answer[lang], result.numbers))

    def source(self) -> str:
        """The code of the live computation, shown beside the numbers it produced."""
        try:
            return inspect.getsource(self.compute)
        except (OSError, TypeError):
            return ""

    @property
    def verdict_words(self) -> tuple[str, ...]:
        return tuple(self.claims)


def overall(verdicts: dict[str, str]) -> str:
    """One word for an entry: the most notable of its claims' verdicts."""
    for word in ("corrected", "contested", "depends", "confirmed"):
        if word in verdicts.values():
            return word
    return "confirmed"
