"""What an entry's live run returns: named numbers, tables, figures, a verdict per claim, the
conditions the answer depends on, and the gradbook calls that produced the numbers."""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

VERDICTS = ("confirmed", "corrected", "depends", "contested")


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[list[Any]]


@dataclass
class Figure:
    name: str
    png: bytes
    caption: str = ""
    path: str | None = None


@dataclass
class Result:
    numbers: dict[str, Any] = field(default_factory=dict)
    verdicts: dict[str, str] = field(default_factory=dict)
    tables: list[Table] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    conditions: list[str] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def number(self, name: str, value: Any, call: str | None = None) -> Any:
        """Record a computed value (and, optionally, the gradbook call that produced it)."""
        self.numbers[name] = value
        if call:
            self.calls.append(f"{name} = {call}")
        return value

    def verdict(self, claim: str, word: str) -> None:
        if word not in VERDICTS:
            raise ValueError(f"verdict for {claim!r} must be one of {VERDICTS}, got {word!r}")
        self.verdicts[claim] = word

    def check(self, claim: str, holds: bool, otherwise: str = "corrected") -> bool:
        """``confirmed`` when the computed evidence supports the claim, else ``otherwise``."""
        self.verdict(claim, "confirmed" if holds else otherwise)
        return holds

    def table(self, title: str, columns: list[str], rows: list[list[Any]]) -> Table:
        t = Table(title, list(columns), [list(r) for r in rows])
        self.tables.append(t)
        return t

    def figure(self, name: str, fig, caption: str = "") -> Figure:
        """Store a matplotlib figure as PNG bytes and close it."""
        import matplotlib.pyplot as plt

        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
        plt.close(fig)
        f = Figure(name, buf.getvalue(), caption)
        self.figures.append(f)
        return f

    def condition(self, text: str) -> None:
        self.conditions.append(text)
