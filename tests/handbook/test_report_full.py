"""The whole report (every entry, quick): its size, its ids, and how it behaves in a real headless
Chromium (its command line: --dump-dom after the scripts ran, the console log, a screenshot, the PDF);
skipped when no Chromium is installed.

Slow (minutes: every entry runs): ``python -m pytest tests/handbook/test_report_full.py -m slow``.
``GRADBOOK_SCREENSHOT=1`` also rewrites ``docs/handbook.png`` from the browser.
"""
import os
import re
from collections import Counter

import pytest

from gradbook import handbook
from gradbook.handbook import render_html, render_pdf

pytestmark = pytest.mark.slow
MAX_BYTES = 6 * 2**20
DOCS = os.path.join(os.path.dirname(__file__), "..", "..", "docs")


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    runs = [(handbook.entry(i), handbook.entry(i).run(quick=True)) for i in handbook.ids()]
    path = tmp_path_factory.mktemp("report") / "handbook.html"
    path.write_text(render_html.render(runs, "both"), encoding="utf-8")
    return path, runs


def test_full_report_is_small_with_unique_ids(report):
    path, runs = report
    html = path.read_text(encoding="utf-8")
    assert path.stat().st_size < MAX_BYTES, f"{path.stat().st_size / 2**20:.1f} MB"
    ids = Counter(re.findall(r'\sid="([^"]+)"', html))
    assert not [i for i, c in ids.items() if c > 1]
    assert {e.id for e, _ in runs} <= set(ids)
    assert 'class="tex"' not in html  # every formula rendered


def _chromium(*args: str, url: str) -> tuple[str, str]:
    """Run headless Chromium on ``url`` (its scripts run first); returns (stdout, the console log)."""
    import subprocess

    browser = render_pdf.find_browser()
    if browser is None:
        pytest.skip("no headless Chromium installed (e.g. apt-get install chromium-headless-shell)")
    done = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr",
                           "--v=0", "--virtual-time-budget=5000", *args, url],
                          capture_output=True, text=True, timeout=300)
    console = [line for line in done.stderr.splitlines() if "CONSOLE" in line]
    return done.stdout, "\n".join(console)


def _shown(dom: str) -> list[str]:
    """Ids of the articles the page's script left visible."""
    return [m.group(1) for m in re.finditer(r'<article id="([^"]+)"([^>]*)>', dom) if "hidden" not in m.group(2)]


def test_the_console_check_sees_errors(tmp_path):
    page = tmp_path / "bad.html"
    page.write_text("<!doctype html><script>console.error('boom'); undefinedFunction();</script>")
    _, console = _chromium("--dump-dom", url=page.as_uri())
    assert "boom" in console and "undefinedFunction" in console


def test_report_in_headless_chromium(report, tmp_path):
    path, runs = report
    every = sorted(e.id for e, _ in runs)
    dom, console = _chromium("--dump-dom", url=path.as_uri())
    assert console == ""  # no script errors, nothing logged
    assert sorted(_shown(dom)) == every
    assert f"{len(every)} / {len(every)}" in dom  # the script ran and counted them

    dom, _ = _chromium("--dump-dom", url=path.as_uri() + "?q=dropout")
    shown = _shown(dom)
    assert "dropout" in shown and len(shown) < len(every)
    dom, _ = _chromium("--dump-dom", url=path.as_uri() + "?verdict=corrected")
    corrected = sorted(e.id for e, r in runs if handbook.overall(r.verdicts) == "corrected")
    assert corrected and sorted(_shown(dom)) == corrected

    shot = os.path.join(DOCS, "handbook.png") if os.environ.get("GRADBOOK_SCREENSHOT") else str(tmp_path / "s.png")
    _chromium(f"--screenshot={shot}", "--window-size=1400,900", "--hide-scrollbars", url=path.as_uri())
    with open(shot, "rb") as fh:
        assert fh.read(8) == b"\x89PNG\r\n\x1a\n"

    pdf = tmp_path / "handbook.pdf"
    engine = render_pdf.write_pdf(runs, "both", str(pdf), html=path.read_text(encoding="utf-8"))
    assert engine.startswith("headless browser") and pdf.read_bytes().startswith(b"%PDF-")
