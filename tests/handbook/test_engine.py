"""The handbook engine: registry, search, placeholders, verdicts, renderers and the CLI."""
import os
import re

import pytest
from typer.testing import CliRunner

from gradbook import handbook
from gradbook.cli import app
from gradbook.handbook import render_html
from gradbook.handbook.entry import Entry, MissingNumber, fill
from gradbook.handbook.result import Result

QUESTIONS = "../shared/handbook/questions.md"


def _question_ids():
    import os

    path = os.path.join(os.path.dirname(__file__), "..", "..", QUESTIONS)
    if not os.path.exists(path):
        pytest.skip("shared/handbook/questions.md is not beside the checkout")
    with open(path, encoding="utf-8") as fh:
        return {m.group(1) for m in re.finditer(r"^\| ([a-z0-9-]+) \|", fh.read(), re.M)} - {"id"}


def test_every_entry_answers_a_listed_question():
    listed = _question_ids()
    unknown = set(handbook.ids()) - listed
    assert not unknown, f"entries whose id is not in questions.md: {unknown}"


def test_unknown_id_suggests_nearest():
    with pytest.raises(handbook.UnknownEntry, match="did you mean curse-of-dimensionality"):
        handbook.entry("curse-of-dimensionalty")


def test_fill_embeds_computed_numbers_and_leaves_latex_alone():
    text = r"$\frac{a}{b}$ is {=p:.3f}, n = {=n}"
    assert fill(text, {"p": 0.123456, "n": 7}) == r"$\frac{a}{b}$ is 0.123, n = 7"
    with pytest.raises(MissingNumber, match="missing"):
        fill("{=missing}", {})


def test_entry_needs_both_languages_and_every_verdict():
    def compute(quick):
        r = Result()
        r.check("a", True)
        return r

    with pytest.raises(ValueError, match="'zh'"):
        Entry(id="x", section="A", title={"en": "t"}, answer={"en": "a"}, claims={}, compute=compute)
    e = Entry(id="x", section="A", title={"en": "t", "zh": "题"}, answer={"en": "a", "zh": "答"},
              claims={"a": {"en": "c", "zh": "c"}, "b": {"en": "d", "zh": "d"}}, compute=compute)
    with pytest.raises(RuntimeError, match="no verdict"):
        e.run()


def test_verdict_words_are_checked():
    with pytest.raises(ValueError, match="must be one of"):
        Result().verdict("c", "maybe")


@pytest.mark.parametrize("entry_id", handbook.ids())
def test_every_answer_uses_only_computed_numbers(entry_id, quick_run):
    """Each answer in both languages fills from its quick run, and every claim has a verdict."""
    e = handbook.entry(entry_id)
    r = quick_run(e)
    for lang in ("zh", "en"):
        text = e.text(lang, r)
        assert "{=" not in text
    assert set(r.verdicts) == set(e.claims)


def test_search_finds_by_chinese_and_english_keywords():
    assert handbook.search("维数灾难")[0][1].id == "curse-of-dimensionality"
    assert handbook.search("curse of dimensionality")[0][1].id == "curse-of-dimensionality"


def test_html_report_is_self_contained():
    e = handbook.entry("curse-of-dimensionality")
    html = render_html.render([(e, e.run(quick=True))], "both")
    assert "<svg" in html  # maths rendered inline
    assert "data:image/png;base64," in html  # figures embedded
    assert not re.search(r"(src|href)=\"(https?:)?//", html)  # nothing fetched
    assert 'class="tex"' not in html  # every formula rendered
    assert "维数灾难" in html and "The curse of dimensionality" in html


def test_inline_maths_adds_no_space_before_punctuation():
    from gradbook.handbook import mathtext

    body, formulas = mathtext.extract("at $\\rho=0$) done")
    html = mathtext.restore(body, formulas)
    assert re.search(r"</svg></span>\) done", html), html[-80:]


def test_cli_list_ask_run_report(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADBOOK_CACHE", str(tmp_path / "cache"))
    runner = CliRunner()
    out = runner.invoke(app, ["run", "curse-of-dimensionality", "--quick", "--figures", str(tmp_path)])
    assert out.exit_code == 0, out.output
    assert "confirmed" in out.output
    listed = runner.invoke(app, ["list", "--section", "A"])
    assert listed.exit_code == 0 and "curse-of-dimensionality" in listed.output
    assert "confirmed" in listed.output  # the verdict remembered from the run
    asked = runner.invoke(app, ["ask", "维数"])
    assert asked.exit_code == 0 and "curse-of-dimensionality" in asked.output
    bad = runner.invoke(app, ["run", "no-such-entry"])
    assert bad.exit_code == 1
    report = tmp_path / "hb.html"
    old_umask = os.umask(0o022)
    try:
        made = runner.invoke(app, ["report", "-o", str(report), "--quick", "--ids", "curse-of-dimensionality"])
    finally:
        os.umask(old_umask)
    assert made.exit_code == 0, made.output
    assert report.read_text(encoding="utf-8").startswith("<!doctype html>")
    assert report.stat().st_mode & 0o777 == 0o644  # an ordinary file to share, not mkstemp's 0o600
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".tmp"] == []
