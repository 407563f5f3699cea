"""The handbook in the terminal (rich): answer, verdict badges, computed numbers and tables.

Inline maths is printed as Unicode (``math_unicode``); every text that is not Markdown goes in as
:class:`rich.text.Text`, so brackets such as ``[h(h+i)+h]`` print instead of being read as markup.
"""
from __future__ import annotations

import os
import re

from rich.console import Console, Group
from rich.markdown import Markdown
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from .entry import Entry, overall
from .math_unicode import replace_maths
from .registry import SECTIONS
from .result import Result

BADGE_STYLE = {"confirmed": "bold white on green4", "corrected": "bold white on red3",
               "depends": "bold black on gold1", "contested": "bold white on purple4", "pending": "dim"}


def badge(word: str) -> Text:
    return Text(f" {word} ", style=BADGE_STYLE.get(word, "bold"))


def escape_markdown(text: str) -> str:
    """Text that Markdown prints as it is (a backslash before each character it would read)."""
    return re.sub(r"([\\`*_\[\]<>#|])", r"\\\1", text)


def terminal_markdown(text: str) -> Markdown:
    """Markdown with its maths turned into Unicode text."""
    return Markdown(replace_maths(text, escape_markdown))


def format_value(value) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, (list, tuple)) and len(value) > 8:
        return f"[{', '.join(format_value(v) for v in value[:8])}, …] ({len(value)} values)"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(format_value(v) for v in value) + "]"
    return str(value)


def show(e: Entry, result: Result, lang: str = "en", console: Console | None = None,
         figure_dir: str | None = None) -> list[str]:
    """Print one entry; figures are written only into ``figure_dir`` when one is given.
    Returns the paths of the saved figures."""
    console = console or Console()
    section = SECTIONS[e.section][lang]
    head = Text.assemble((f"{e.id}", "bold cyan"), "  ", (e.title[lang], "bold"), "  ",
                         badge(overall(result.verdicts)), (f"   {e.section}. {section}", "dim"))
    console.print(Panel(head, expand=True))
    console.print(terminal_markdown(e.text(lang, result)))

    claims = Table(title=Text("claims" if lang == "en" else "论断"), show_lines=False, expand=True)
    claims.add_column("verdict" if lang == "en" else "结论", no_wrap=True)
    claims.add_column("claim" if lang == "en" else "内容")
    for key, text in e.claims.items():
        claims.add_row(badge(result.verdicts[key]), terminal_markdown(text[lang]))
    console.print(claims)

    numbers = Table(title=Text("computed" if lang == "en" else "计算结果"), expand=True)
    numbers.add_column("name", style="cyan", no_wrap=True)
    numbers.add_column("value")
    for name, value in result.numbers.items():
        numbers.add_row(Text(name), Text(format_value(value)))
    console.print(numbers)
    for t in result.tables:
        table = Table(title=Text(t.title))
        for c in t.columns:
            table.add_column(Text(str(c)))
        for row in t.rows:
            table.add_row(*(Text(format_value(v)) for v in row))
        console.print(table)
    for c in result.conditions:
        console.print(Text("• " + c, style="italic"))
    saved = []
    if result.figures and figure_dir is None:
        names = ", ".join(f.name for f in result.figures)
        console.print(Text(f"{len(result.figures)} figure(s): {names} (save them with --figures DIR)", style="dim"))
    elif result.figures:
        os.makedirs(figure_dir, exist_ok=True)
        for f in result.figures:
            path = os.path.join(figure_dir, f"{e.id}-{f.name}.png")
            with open(path, "wb") as fh:
                fh.write(f.png)
            f.path = path
            saved.append(path)
            console.print(Text(f"figure: {path}  {f.caption}", style="green"))
    console.print(Text(f"computed in {result.seconds:.2f} s", style="dim"))
    return saved


def listing(rows: list[tuple[Entry, str]], lang: str = "en") -> Group:
    table = Table(expand=True)
    table.add_column("id", style="cyan", no_wrap=True)
    table.add_column("§", no_wrap=True)
    table.add_column("title" if lang == "en" else "题目")
    table.add_column("verdict" if lang == "en" else "结论", no_wrap=True)
    for e, verdict in rows:
        table.add_row(Text(e.id), Text(e.section), Text(e.title[lang]), badge(verdict))
    return Group(table)
