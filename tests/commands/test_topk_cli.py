"""``gradbook topk``: output formats, stdin, budgets, errors."""
from __future__ import annotations

import json
from collections import Counter

from gradbook.cli import app


def ranked(data: bytes, k: int) -> list[tuple[int, bytes]]:
    lines = data.replace(b"\r\n", b"\n").split(b"\n")
    if lines[-1] == b"":
        lines.pop()
    return sorted(((c, line) for line, c in Counter(lines).items()), key=lambda t: (-t[0], t[1]))[:k]


DATA = b"".join(b"event %d\n" % (i % 7 * i % 11) for i in range(500)) + b"caf\xc3\xa9\n" * 3 + b"bad \xff\n" * 3


def test_text_output_is_aligned_counts_and_lines(runner, tmp_path):
    (tmp_path / "log").write_bytes(DATA)
    result = runner.invoke(app, ["topk", str(tmp_path / "log"), "-k", "4"])
    assert result.exit_code == 0, result.output
    rows = result.stdout.splitlines()
    expected = ranked(DATA, 4)
    width = len(str(expected[0][0]))
    assert rows == [f"{c:>{width}}  {line.decode()}" for c, line in expected]


def test_json_output_and_escapes(runner, tmp_path):
    (tmp_path / "log").write_bytes(DATA)
    result = runner.invoke(app, ["topk", str(tmp_path / "log"), "--json", "-k", "20"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [(row["count"], row["line"]) for row in rows] == [
        (c, line.decode("utf-8", "backslashreplace")) for c, line in ranked(DATA, 20)]
    assert {"count": 3, "line": "café"} in rows and {"count": 3, "line": "bad \\xff"} in rows


def test_control_characters_are_escaped_in_text(runner, tmp_path):
    (tmp_path / "log").write_bytes(b"a\x1b[31mred\n")
    result = runner.invoke(app, ["topk", str(tmp_path / "log")])
    assert result.stdout == "1  a\\x1b[31mred\n"


def test_stdin(runner):
    result = runner.invoke(app, ["topk", "-", "--json", "-k", "3"], input=DATA)
    assert result.exit_code == 0, result.output
    assert [(r["count"], r["line"].encode()) for r in json.loads(result.stdout)] == ranked(DATA, 3)


def test_small_budget_partitions_and_agrees(runner, tmp_path):
    (tmp_path / "log").write_bytes(DATA)
    # below what the test process itself holds: warns, counts with the minimum working memory
    result = runner.invoke(app, ["topk", str(tmp_path / "log"), "--memory", "1MB", "--json", "--stats"])
    assert result.exit_code == 0, result.output
    assert "leaves less than" in result.stderr and "lines" in result.stderr
    assert [(r["count"], r["line"]) for r in json.loads(result.stdout)] == [
        (c, line.decode("utf-8", "backslashreplace")) for c, line in ranked(DATA, 10)]


def test_missing_file_is_a_clear_error(runner, tmp_path):
    result = runner.invoke(app, ["topk", str(tmp_path / "nope.log")])
    assert result.exit_code == 1
    assert "cannot read" in result.stderr and "no such file" in result.stderr
    result = runner.invoke(app, ["topk", str(tmp_path)])
    assert result.exit_code == 1 and "not a regular file" in result.stderr


def test_bad_memory_and_k(runner, tmp_path):
    (tmp_path / "log").write_bytes(DATA)
    result = runner.invoke(app, ["topk", str(tmp_path / "log"), "--memory", "lots"])
    assert result.exit_code == 2 and "--memory" in result.stderr
    result = runner.invoke(app, ["topk", str(tmp_path / "log"), "-k", "0"])
    assert result.exit_code == 2


def test_help_has_examples(runner):
    result = runner.invoke(app, ["topk", "--help"])
    assert result.exit_code == 0
    assert "--memory" in result.stdout and "gradbook topk app.log -k 3 --json" in result.stdout


def test_ctrl_c_exits_130_and_says_files_removed(runner, tmp_path, monkeypatch):
    import gradbook.tools.topk as topk

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    (tmp_path / "log").write_bytes(DATA)
    monkeypatch.setattr(topk, "count_top_k", interrupted)
    result = runner.invoke(app, ["topk", str(tmp_path / "log")])
    assert result.exit_code == 130 and "interrupted" in result.stderr
