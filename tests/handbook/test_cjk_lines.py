"""Chinese answers wrapped in the source read as one run of text (no stray spaces from soft breaks)."""
import re

from gradbook.handbook import registry
from gradbook.handbook.entry import join_cjk_lines, placeholders
from gradbook.handbook.render_html import markdown_html
from gradbook.handbook.result import Result


def test_soft_breaks_between_chinese_characters_are_joined():
    assert join_cjk_lines("第一行\n第二行，\n  继续") == "第一行第二行，继续"


def test_breaks_next_to_latin_text_and_paragraph_ends_stay():
    text = "卷积层 (conv)\nReLU 之后\n\n新段落\n- 列表\n| 表 |"
    assert join_cjk_lines(text) == text


def test_no_entry_renders_a_break_between_chinese_characters():
    cjk = "\u4e00-\u9fff\u3000-\u303f\uff00-\uffef"
    gap = re.compile(f"[{cjk}]\\n[{cjk}]")
    for entry_id in registry.ids():
        e = registry.entry(entry_id)
        numbers = {name: 1 for name in placeholders(e.answer["zh"])}
        html = markdown_html(e.text("zh", Result(numbers=numbers)))
        assert not gap.search(html), entry_id
