"""The HTML report (unique ids, maths, search and verdict filter), the PDF, and the shipped verdicts."""
import os
import re
import zlib
from html.parser import HTMLParser

import pytest
from typer.testing import CliRunner

from gradbook import handbook
from gradbook.cli import app
from gradbook.handbook import mathtext, render_html, render_pdf, shipped
from gradbook.handbook.entry import Entry
from gradbook.handbook.result import VERDICTS, Result


class _Elements(HTMLParser):
    """Every start tag with its attributes, in document order."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def parse(html: str) -> list[tuple[str, dict]]:
    p = _Elements()
    p.feed(html)
    return p.tags


def fake_entry(entry_id: str, title: str, formula: str, holds: bool) -> tuple[Entry, Result]:
    def compute(quick):
        r = Result()
        r.number("x", 1.5)
        r.table("t", ["a", "b"], [[1, 2.0], [3, "[x]"]])
        r.check("claim", holds)
        return r

    e = Entry(id=entry_id, section="J", title={"en": title, "zh": "题目" + entry_id},
              answer={"en": f"Answer with ${formula}$ and $x_1 + x_2$.", "zh": f"答案 ${formula}$。"},
              claims={"claim": {"en": f"It holds: ${formula}$.", "zh": "成立。"}}, compute=compute)
    return e, e.run()


def test_report_ids_are_unique_and_every_glyph_is_defined():
    runs = [fake_entry("first-one", "First", r"h(\mathrm{line}) \bmod m", True),
            fake_entry("second-one", "Second", r"\frac{a}{b} \ge 0", False)]
    html = render_html.render(runs, "both")
    tags = parse(html)
    ids = [a["id"] for _, a in tags if "id" in a]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    used = {a.get("xlink:href", a.get("href", ""))[1:] for t, a in tags if t == "use"}
    assert used and used <= set(ids)  # every glyph a formula uses is defined once, in the hidden sheet
    assert html.count("<svg") == 1 + 2 * 4  # the sheet + per entry: zh answer 1, en answer 2, en claim 1
    assert 'class="tex"' not in html  # \bmod, \ge: rendered, not left as LaTeX


def test_report_has_a_search_box_and_a_verdict_filter():
    runs = [fake_entry("first-one", "First", "a", True), fake_entry("second-one", "Second", "b", False)]
    html = render_html.render(runs, "en")
    tags = parse(html)
    assert any(t == "input" and a.get("type") == "search" and a.get("id") == "q" for t, a in tags)
    options = [a.get("value") for t, a in tags if t == "option"]
    assert options == ["", *VERDICTS]
    verdicts = {a["id"]: a["data-verdict"] for t, a in tags if t == "article"}
    assert verdicts == {"first-one": "confirmed", "second-one": "corrected"}
    assert "<script>" in html and "addEventListener('input'" in html
    assert not re.search(r"<script[^>]+src=|(src|href)=\"(https?:)?//", html)  # still one offline file


def pdf_text(data: bytes) -> str:
    """The strings matplotlib's PDF backend draws (Type 3 fonts: literal strings in Tj / TJ),
    read from the page streams that zlib inflates; one line per text-showing operator."""
    chunks = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            chunks.append(zlib.decompress(stream))
        except zlib.error:
            chunks.append(stream)
    lines = []
    for chunk in chunks:
        for op in re.findall(rb"\[(.*?)\]\s*TJ|\((.*?)(?<!\\)\)\s*Tj", chunk, re.S):
            body = op[0] or b"(" + op[1] + b")"
            parts = re.findall(rb"\(((?:[^()\\]|\\.)*)\)", body)
            lines.append(b"".join(parts).replace(b"\\(", b"(").replace(b"\\)", b")").decode("cp1252", "replace"))
    return "\n".join(lines)


def test_pdf_by_matplotlib_holds_every_entry(tmp_path):
    # (no "fi" or "fl" in these: DejaVu draws them as one glyph, which this reader does not spell)
    runs = [fake_entry("alpha-one", "Alpha title", r"\frac{a}{b}", True),
            fake_entry("beta-two", "Beta heading", r"\sqrt{n}", False)]
    path = tmp_path / "hb.pdf"
    engine = render_pdf.write_pdf(runs, "en", str(path))  # no html: matplotlib even where a browser exists
    data = path.read_bytes()
    assert engine.startswith("matplotlib") and data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    text = pdf_text(data)
    for e, _ in runs:
        assert e.title["en"] in text and e.id in text
    assert "[corrected] It holds:" in text


def test_cli_report_pdf_and_fresh_list(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADBOOK_CACHE", str(tmp_path / "empty-cache"))
    monkeypatch.setattr(render_pdf, "find_browser", lambda: None)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    out = runner.invoke(app, ["report", "-o", "hb.html", "--quick", "--lang", "en", "--pdf", "--ids", "copy"])
    assert out.exit_code == 0, out.output
    assert (tmp_path / "hb.pdf").read_bytes().startswith(b"%PDF-")
    assert handbook.entry("copy").title["en"] in pdf_text((tmp_path / "hb.pdf").read_bytes())
    ran = runner.invoke(app, ["run", "dilated-conv", "--quick"])  # an entry with a figure
    assert ran.exit_code == 0 and not (tmp_path / "handbook-figures").exists()  # figures only with --figures


@pytest.mark.slow  # ~20 s: every formula through mathtext
def test_every_formula_of_every_entry_renders():
    # placeholders filled with a digit: the formulas as the report will see them
    formulas = set()
    for entry_id in handbook.ids():
        e = handbook.entry(entry_id)
        for text in [*e.answer.values(), *(t for c in e.claims.values() for t in c.values())]:
            formulas.update((entry_id, tex, display) for tex, display in
                            mathtext.extract(re.sub(r"\{=[^}]*\}", "1", text))[1])
    failed = [(i, tex) for i, tex, display in formulas if mathtext.to_svg(tex, display) is None]
    assert not failed, failed


def test_shipped_verdicts_cover_every_entry():
    """``gradbook list`` on a fresh install: each entry's claims have a shipped verdict
    (refresh with ``python -m gradbook.handbook.shipped`` after adding or changing an entry)."""
    known = shipped.load()
    stale = {i: sorted(set(handbook.entry(i).claims) ^ set(known.get(i, {}))) for i in handbook.ids()
             if set(known.get(i, {})) != set(handbook.entry(i).claims)}
    assert not stale, f"run python -m gradbook.handbook.shipped; entries without (current) verdicts: {stale}"
    assert all(w in VERDICTS for v in known.values() for w in v.values())


def test_list_on_a_fresh_install_shows_shipped_verdicts(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADBOOK_CACHE", str(tmp_path / "cache"))
    path = tmp_path / "verdicts.json"
    shipped.write({"format": shipped.FORMAT_VERSION, "verdicts": {"curse-of-dimensionality": {"c": "corrected"}},
                   "failed": {}}, str(path))
    monkeypatch.setattr(shipped, "PATH", str(path))
    out = CliRunner().invoke(app, ["list", "--section", "A"], env={"COLUMNS": "200"})
    assert out.exit_code == 0, out.output
    row = next(line for line in out.output.splitlines() if "curse-of-dimensionality" in line)
    assert "corrected" in row
    assert "pending" in next(line for line in out.output.splitlines() if "dropout " in line or "│ dropout" in line)


def test_shipped_file_is_package_data():
    """setuptools ships ``handbook/verdicts.json`` through pyproject's package-data glob."""
    import tomllib

    root = os.path.join(os.path.dirname(__file__), "..", "..")
    with open(os.path.join(root, "pyproject.toml"), "rb") as fh:
        patterns = tomllib.load(fh)["tool"]["setuptools"]["package-data"]["gradbook"]
    from fnmatch import fnmatch

    assert any(fnmatch("handbook/verdicts.json", p) or fnmatch("x/handbook/verdicts.json", p) for p in patterns)


def test_figures_are_embedded_with_a_palette():
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    from PIL import Image

    fig, ax = plt.subplots(figsize=(5, 3))
    x = np.linspace(0, 6, 200)
    for k in range(5):
        ax.plot(x, np.sin(x + k), label=f"k={k}")
    ax.legend()
    png = Result().figure("f", fig).png
    small = render_html.compact_png(png)
    assert len(small) < len(png) / 2
    with Image.open(io.BytesIO(png)) as a, Image.open(io.BytesIO(small)) as b:
        assert a.size == b.size
        diff = np.abs(np.asarray(a.convert("RGB"), float) - np.asarray(b.convert("RGB"), float))
    assert diff.mean() < 0.5  # of 255: the plot looks the same


def test_report_goes_on_past_a_failing_entry(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADBOOK_CACHE", str(tmp_path / "cache"))
    broken = handbook.entry("kl")

    def fail(quick=True):
        raise RuntimeError("the computation broke")

    monkeypatch.setattr(broken, "run", fail)
    out = CliRunner().invoke(app, ["report", "-o", str(tmp_path / "hb.html"), "--quick", "--ids", "kl",
                                   "--ids", "copy"])
    assert out.exit_code == 1
    assert "kl failed" in out.output and "the computation broke" in out.output
    html = (tmp_path / "hb.html").read_text(encoding="utf-8")
    assert 'id="copy"' in html and 'id="kl"' not in html


@pytest.mark.parametrize("tex", [r"h(x) \bmod m", r"a \pmod{3}", r"\ge 0", r"x \le y", r"\lVert x \rVert",
                                 r"\tfrac12 x", r"\dfrac{a}{b}", r"\frac1{T}", r"\textstyle\sum_t p_t"])
def test_latex_outside_mathtext_is_respelled(tex):
    assert mathtext.to_svg(tex) is not None
