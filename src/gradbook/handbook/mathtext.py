"""LaTeX maths to inline SVG with matplotlib's mathtext: the report renders formulas offline,
with no script or font fetched from anywhere.

matplotlib writes every formula as its own SVG whose glyphs are ``<path id="DejaVuSans-31">``
definitions used by ``<use href="#DejaVuSans-31">``. In one HTML page those ids would repeat in
every formula, so a :class:`GlyphSheet` moves each glyph definition into one hidden SVG at the
top of the page (once per glyph, which also keeps the report small) and leaves only the ``<use>``
references in the formulas.
"""
from __future__ import annotations

import io
import re
from functools import lru_cache

DISPLAY = re.compile(r"\$\$(.+?)\$\$", re.S)
INLINE = re.compile(r"(?<![\\$])\$(?!\$)(.+?)(?<![\\$])\$")

# LaTeX that mathtext does not know, spelled with what it does (word boundaries keep \left, \geq)
_MATHTEXT_SPELLING = [
    (re.compile(r"\\pmod\s*\{([^{}]*)\}"), r"\\ (\\mathrm{mod}\\ \1)"),
    (re.compile(r"\\bmod(?![A-Za-z])"), r"\\,\\mathrm{mod}\\,"),
    (re.compile(r"\\mod(?![A-Za-z])"), r"\\ \\mathrm{mod}\\ "),
    (re.compile(r"\\ge(?![A-Za-z])"), r"\\geq"),
    (re.compile(r"\\le(?![A-Za-z])"), r"\\leq"),
    (re.compile(r"\\[lr]Vert(?![A-Za-z])"), r"\\Vert"),
    (re.compile(r"\\[tdc]frac(?![A-Za-z])"), r"\\frac"),
    (re.compile(r"\\frac\s*([0-9A-Za-z])\s*([0-9A-Za-z])"), r"\\frac{\1}{\2}"),  # \frac12
    (re.compile(r"\\frac\s*([0-9A-Za-z])\s*\{"), r"\\frac{\1}{"),
    (re.compile(r"\\(textstyle|displaystyle|scriptstyle)(?![A-Za-z])\s*"), ""),
]


def mathtext_spelling(tex: str) -> str:
    for pattern, replacement in _MATHTEXT_SPELLING:
        tex = pattern.sub(replacement, tex)
    return tex


@lru_cache(maxsize=4096)
def to_svg(tex: str, display: bool = False) -> str | None:
    """The formula as an SVG string, or None when mathtext cannot parse it."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import mathtext
    from matplotlib.font_manager import FontProperties

    buf = io.BytesIO()
    try:
        mathtext.math_to_image(f"${mathtext_spelling(tex.strip())}$", buf,
                               prop=FontProperties(size=15 if display else 12.5), format="svg")
    except (ValueError, RuntimeError):
        return None
    svg = buf.getvalue().decode("utf-8")
    svg = svg[svg.index("<svg"):]
    # the stroke style goes to the report's CSS, once
    svg = re.sub(r"<metadata>.*?</metadata>|<!--.*?-->|<style[^>]*>.*?</style>", "", svg, flags=re.S)
    svg = re.sub(r'<g id="patch_1">.*?</g>', "", svg, flags=re.S)  # the white background
    svg = re.sub(r' id="(figure|text|patch|line2d)_\d+"', "", svg)  # figure-level ids repeat in every formula
    svg = re.sub(r"\s*\n\s*", " ", svg)
    svg = re.sub(r"translate\([^)]*\)", lambda m: re.sub(r"(\.\d\d)\d+", r"\1", m.group(0)),
                 svg)  # glyph placements to 1/100 of a glyph unit (1/800 px); scales stay exact
    svg = re.sub(r'\s*(/?>)\s*', r"\1", svg).replace(' version="1.1"', "")
    svg = re.sub(r"<defs>\s*</defs>\s*", "", svg)
    # no trailing newline: whitespace inside the inline span would show as a space before ")"
    return svg.strip()


_GLYPH = re.compile(r'<path id="([^"]+)" (d="[^"]*"[^>]*)/>')


class GlyphSheet:
    """The glyph definitions of every formula of one page, each id defined once."""

    def __init__(self) -> None:
        self.glyphs: dict[str, str] = {}     # id -> the rest of its <path .../> tag

    def take(self, svg: str) -> str:
        """The formula with its glyph definitions moved here; a glyph id that another formula
        defines differently is renamed in this formula."""
        renames: dict[str, str] = {}
        for gid, body in _GLYPH.findall(svg):
            name = gid
            while name in self.glyphs and self.glyphs[name] != body:
                name += "_"
            self.glyphs[name] = body
            if name != gid:
                renames[gid] = name
        svg = _GLYPH.sub("", svg)
        svg = re.sub(r"<defs>\s*</defs>", "", svg)
        for old, new in renames.items():
            svg = svg.replace(f'href="#{old}"', f'href="#{new}"')
        return svg

    def svg(self) -> str:
        """One hidden SVG holding every glyph (``display:none`` would hide the uses in some browsers)."""
        paths = "".join(f'<path id="{gid}" {body}/>' for gid, body in self.glyphs.items())
        return ('<svg xmlns="http://www.w3.org/2000/svg" width="0" height="0" aria-hidden="true" '
                f'style="position:absolute;width:0;height:0;overflow:hidden"><defs>{paths}</defs></svg>')


def extract(markdown: str) -> tuple[str, list[tuple[str, bool]]]:
    """Replace maths by placeholders markdown leaves alone; returns the text and the formulas."""
    found: list[tuple[str, bool]] = []

    def keep(display: bool):
        def sub(m: re.Match) -> str:
            found.append((m.group(1), display))
            return f"MATHXX{len(found) - 1}XX"
        return sub

    text = DISPLAY.sub(keep(True), markdown)
    text = INLINE.sub(keep(False), text)
    return text, found


def restore(html: str, formulas: list[tuple[str, bool]], sheet: GlyphSheet | None = None) -> str:
    """Put the formulas back as SVG; with a ``sheet``, their glyphs go to it (see :class:`GlyphSheet`)."""
    from html import escape

    def sub(m: re.Match) -> str:
        tex, display = formulas[int(m.group(1))]
        svg = to_svg(tex, display)
        if svg is None:
            return f'<code class="tex">{escape(tex)}</code>'
        if sheet is not None:
            svg = sheet.take(svg)
        cls = "math display" if display else "math"
        return f'<span class="{cls}" title="{escape(tex)}">{svg}</span>'

    return re.sub(r"MATHXX(\d+)XX", sub, html)
