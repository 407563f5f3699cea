"""The handbook as a PDF: the HTML report printed by a headless Chromium when one is installed,
otherwise laid out page by page with matplotlib's PDF backend (text with its maths as Unicode,
verdicts, computed numbers, tables and the figures).

matplotlib's fallback needs a CJK font for the Chinese text; without one it prints the English
text only and says so on the first page.
"""
from __future__ import annotations

import io
import logging
import os
import re
import shutil
import subprocess
import tempfile
import textwrap
import warnings

from .entry import Entry, overall
from .math_unicode import replace_maths
from .registry import SECTIONS
from .render_terminal import format_value
from .result import Result

BROWSERS = ("chromium", "chromium-browser", "chromium-headless-shell", "google-chrome", "google-chrome-stable", "chrome",
            "chrome-headless-shell", "headless_shell")
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei",
             "SimHei", "Microsoft YaHei", "PingFang SC", "Heiti SC", "AR PL UMing CN")
VERDICT_COLOURS = {"confirmed": "#1f8a4c", "corrected": "#c23b3b", "depends": "#c99a06", "contested": "#6a3fb5"}
PAGE = (8.27, 11.69)            # A4, inches
MARGIN, LINE = 0.06, 0.0165     # fractions of the page


def find_browser() -> str | None:
    """A Chromium-family executable on PATH, or None."""
    return next((path for path in map(shutil.which, BROWSERS) if path), None)


def browser_pdf(html: str, pdf_path: str, browser: str, timeout: float = 300) -> None:
    """Print the HTML report to ``pdf_path`` with headless Chromium."""
    with tempfile.TemporaryDirectory(prefix="gradbook-pdf-") as folder:
        page = os.path.join(folder, "handbook.html")
        with open(page, "w", encoding="utf-8") as fh:
            fh.write(html)
        out = os.path.join(folder, "handbook.pdf")
        subprocess.run([browser, "--headless", "--disable-gpu", "--no-sandbox", "--no-pdf-header-footer",
                        f"--print-to-pdf={out}", f"file://{page}"], check=True, timeout=timeout,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with open(out, "rb") as fh:
            data = fh.read()
    from ..io import write_atomic

    write_atomic(pdf_path, data)


def cjk_font() -> str | None:
    """The name of an installed font with Chinese glyphs, or None."""
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    return next((n for n in CJK_FONTS if n in names), None)


def _plain(markdown: str) -> str:
    """Markdown with Unicode maths, without its emphasis and code marks, each paragraph (or list item,
    or table row) on one line for the PDF to wrap."""
    text = replace_maths(markdown).replace("**", "").replace("`", "")
    text = re.sub(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])", r"\1", text)  # *emphasis*
    lines: list[str] = []
    for line in text.strip().splitlines():
        starts_block = not line.strip() or re.match(r"\s*([-*+] |\d+\. |\|)", line)
        if lines and lines[-1].strip() and not starts_block and not lines[-1].lstrip().startswith("|"):
            lines[-1] = f"{lines[-1].rstrip()} {line.strip()}"
        else:
            lines.append(line)
    return "\n".join(lines)


class _Pages:
    """Lines and images poured onto A4 pages, top to bottom."""

    def __init__(self, pdf, font: str | None) -> None:
        self.pdf, self.font, self.fig, self.y = pdf, font, None, 0.0

    def _need(self, height: float) -> None:
        if self.fig is None or self.y - height < MARGIN:
            self.close_page()
            import matplotlib.pyplot as plt

            self.fig = plt.figure(figsize=PAGE)
            self.y = 1 - MARGIN

    def text(self, text: str, size: float = 9.5, width: int = 100, colour: str = "black", weight: str = "normal",
             mono: bool = False) -> None:
        family = "monospace" if mono else ([self.font, "DejaVu Sans"] if self.font else "DejaVu Sans")
        for paragraph in text.split("\n"):
            lines = textwrap.wrap(paragraph, width) if paragraph.strip() and not mono else [paragraph]
            for line in lines:
                height = LINE * size / 9.5
                self._need(height)
                self.fig.text(MARGIN, self.y, line, fontsize=size, color=colour, weight=weight, family=family,
                              va="top")
                self.y -= height

    def image(self, png: bytes, caption: str) -> None:
        import matplotlib.image as mpimg

        pixels = mpimg.imread(io.BytesIO(png), format="png")
        h, w = pixels.shape[:2]
        width = 1 - 2 * MARGIN
        height = min(width * h / w * PAGE[0] / PAGE[1], 0.55)
        self._need(height + LINE)
        ax = self.fig.add_axes((MARGIN, self.y - height, width, height))
        ax.imshow(pixels)
        ax.set_axis_off()
        self.y -= height + 0.005
        self.text(caption, size=8, colour="#5b6474")

    def close_page(self) -> None:
        if self.fig is not None:
            import matplotlib.pyplot as plt

            self.pdf.savefig(self.fig)
            plt.close(self.fig)
            self.fig = None


def _entry_pages(pages: _Pages, e: Entry, result: Result, langs: list[str]) -> None:
    word = overall(result.verdicts)
    pages.y -= LINE  # a gap before each entry
    pages.text(" / ".join(e.title[lang] for lang in langs), size=14, weight="bold", width=70)
    pages.text(f"{e.id} · {e.section}. {SECTIONS[e.section]['en']} · {word}", size=9,
               colour=VERDICT_COLOURS.get(word, "black"))
    for lang in langs:
        pages.text(_plain(e.text(lang, result)), width=100 if lang == "en" else 50)
        for key, claim in e.claims.items():
            pages.text(f"[{result.verdicts[key]}] {_plain(claim[lang])}", size=9, width=105 if lang == "en" else 52,
                       colour=VERDICT_COLOURS.get(result.verdicts[key], "black"))
    numbers = [f"{name} = {format_value(value)}" for name, value in result.numbers.items()]
    pages.text("\n".join(textwrap.shorten(n, 110) for n in numbers), size=7.5, mono=True)
    for t in result.tables:
        pages.text(t.title, size=8.5, weight="bold")
        cells = [[str(c) for c in t.columns]] + [[format_value(v) for v in row] for row in t.rows]
        widths = [min(max(len(row[i]) for row in cells), 24) for i in range(len(cells[0]))]
        rows = ["  ".join(cell[:24].ljust(w) for cell, w in zip(row, widths)) for row in cells]
        pages.text("\n".join(textwrap.shorten(r, 120, placeholder=" …") if len(r) > 120 else r for r in rows),
                   size=7, mono=True)
    for f in result.figures:
        pages.image(f.png, f.caption)


def matplotlib_pdf(runs: list[tuple[Entry, Result]], lang: str, pdf_path: str) -> list[str]:
    """Write the report with matplotlib's PDF backend; returns the languages printed."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.backends.backend_pdf import PdfPages

    langs = ["zh", "en"] if lang == "both" else [lang]
    font = cjk_font()
    note = None
    if "zh" in langs and font is None:
        langs = ["en"]
        note = "No font with Chinese glyphs is installed: this PDF holds the English text only."
    buffer = io.BytesIO()
    font_log = logging.getLogger("matplotlib.font_manager")
    level = font_log.level
    font_log.setLevel(logging.ERROR)  # "no bold weight" for a CJK font: it prints regular, said once here
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a glyph missing from DejaVu Sans prints as a box, not a warning each
        with PdfPages(buffer, metadata={"Title": "gradbook handbook", "Creator": "gradbook"}) as pdf:
            pages = _Pages(pdf, font)
            pages.text("gradbook handbook", size=20, weight="bold")
            pages.text(f"{len(runs)} entries, every number computed by gradbook when this file was made.", size=10)
            if note:
                pages.text(note, size=9, colour="#c23b3b")
            for e, result in runs:
                _entry_pages(pages, e, result, langs)
            pages.close_page()
    font_log.setLevel(level)
    from ..io import write_atomic

    write_atomic(pdf_path, buffer.getvalue())
    return langs


def write_pdf(runs: list[tuple[Entry, Result]], lang: str, pdf_path: str, html: str | None = None,
              browser: str | None = None) -> str:
    """The report as a PDF at ``pdf_path``, through ``browser`` (default: one found on this machine)
    when there is one and ``html`` is given, otherwise through matplotlib. Returns the engine used."""
    browser = browser or (find_browser() if html is not None else None)
    if browser and html is not None:
        browser_pdf(html, pdf_path, browser)
        return f"headless browser ({os.path.basename(browser)})"
    langs = matplotlib_pdf(runs, lang, pdf_path)
    return f"matplotlib ({'+'.join(langs)})"
