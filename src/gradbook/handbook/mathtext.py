"""LaTeX maths to inline SVG with matplotlib's mathtext: the report renders formulas offline,
with no script or font fetched from anywhere."""
from __future__ import annotations

import io
import re
from functools import lru_cache

_DISPLAY = re.compile(r"\$\$(.+?)\$\$", re.S)
_INLINE = re.compile(r"(?<![\\$])\$(?!\$)(.+?)(?<![\\$])\$")


@lru_cache(maxsize=2048)
def to_svg(tex: str, display: bool = False) -> str | None:
    """The formula as an SVG string, or None when mathtext cannot parse it."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import mathtext
    from matplotlib.font_manager import FontProperties

    buf = io.BytesIO()
    try:
        mathtext.math_to_image(f"${tex.strip()}$", buf, prop=FontProperties(size=15 if display else 12.5),
                               format="svg")
    except (ValueError, RuntimeError):
        return None
    svg = buf.getvalue().decode("utf-8")
    svg = svg[svg.index("<svg"):]
    # no trailing newline: whitespace inside the inline span would show as a space before ")"
    return re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S).strip()


def extract(markdown: str) -> tuple[str, list[tuple[str, bool]]]:
    """Replace maths by placeholders markdown leaves alone; returns the text and the formulas."""
    found: list[tuple[str, bool]] = []

    def keep(display: bool):
        def sub(m: re.Match) -> str:
            found.append((m.group(1), display))
            return f"MATHXX{len(found) - 1}XX"
        return sub

    text = _DISPLAY.sub(keep(True), markdown)
    text = _INLINE.sub(keep(False), text)
    return text, found


def restore(html: str, formulas: list[tuple[str, bool]]) -> str:
    from html import escape

    def sub(m: re.Match) -> str:
        tex, display = formulas[int(m.group(1))]
        svg = to_svg(tex, display)
        if svg is None:
            return f'<code class="tex">{escape(tex)}</code>'
        cls = "math display" if display else "math"
        return f'<span class="{cls}" title="{escape(tex)}">{svg}</span>'

    return re.sub(r"MATHXX(\d+)XX", sub, html)
