"""The whole report (every entry, quick): its size, its ids, and how it behaves in a real headless
Chromium (through playwright; skipped when neither playwright nor its browser is installed).

Slow (minutes: every entry runs): ``python -m pytest tests/handbook/test_report_full.py -m slow``.
``GRADBOOK_SCREENSHOT=1`` also rewrites ``docs/handbook.png`` from the browser.
"""
import os
import re
from collections import Counter

import pytest

from gradbook import handbook
from gradbook.handbook import render_html

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


def test_report_in_headless_chromium(report, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    path, runs = report
    with sync_api.sync_playwright() as p:
        try:
            browser = p.chromium.launch()
        except Exception as exc:  # noqa: BLE001 - playwright without its browser download
            pytest.skip(f"playwright has no Chromium here: {exc}")
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        errors = []
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(path.as_uri())
        visible = page.eval_on_selector_all("article", "els => els.filter(e => e.offsetHeight > 0).map(e => e.id)")
        assert sorted(visible) == sorted(e.id for e, _ in runs)
        broken = page.eval_on_selector_all(".math svg", "els => els.filter(e => e.getBBox().width == 0).length")
        assert broken == 0  # every formula draws its glyphs (defined once, in the hidden sheet)

        page.fill("#q", "dropout")  # the search box hides what does not match
        shown = page.eval_on_selector_all("article", "els => els.filter(e => e.offsetHeight > 0).map(e => e.id)")
        assert "dropout" in shown and len(shown) < len(runs)
        page.fill("#q", "")
        page.select_option("#verdict", "corrected")
        shown = page.eval_on_selector_all("article", "els => els.filter(e => e.offsetHeight > 0)"
                                                     ".map(e => e.dataset.verdict)")
        assert shown and set(shown) == {"corrected"}
        assert len(shown) == sum(handbook.overall(r.verdicts) == "corrected" for _, r in runs)
        page.select_option("#verdict", "")
        if os.environ.get("GRADBOOK_SCREENSHOT"):
            page.screenshot(path=os.path.join(DOCS, "handbook.png"))
        browser.close()
    assert errors == []
