"""Every Python snippet in the README runs as written; its set-up section holds the two commands
CI runs (.ci/run reads them from there); every `gradbook` command line it shows names a real
command and real options."""
import pathlib
import re
import shlex

import pytest
from typer.testing import CliRunner

from gradbook.cli import app

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"
TEXT = README.read_text(encoding="utf-8")
BLOCKS = re.findall(r"```python\n(.*?)```", TEXT, re.S)
SHELL_LINES = [line.strip() for block in re.findall(r"```bash\n(.*?)```", TEXT, re.S) for line in block.splitlines()
               if line.strip()]


def test_readme_has_python_snippets():
    assert len(BLOCKS) >= 3


def test_readme_snippets_run_in_order():
    namespace: dict = {}
    for i, block in enumerate(BLOCKS):
        try:
            exec(compile(block, f"README block {i}", "exec"), namespace)
        except Exception as exc:  # pragma: no cover - the message is the point
            pytest.fail(f"README python block {i} failed: {exc!r}\n{block}")


def test_set_up_section_installs_runs_the_main_job_then_tests():
    # the rule .ci/run reads the commands by: the first two bash blocks of "## Set up", one line each
    setup = TEXT.split("## Set up", 1)[1].split("\n## ", 1)[0]
    blocks = [b.strip().splitlines() for b in re.findall(r"```bash\n(.*?)```", setup, re.S)]
    assert [len(b) for b in blocks[:2]] == [1, 1]
    install, tests = blocks[0][0], blocks[1][0]
    assert install.startswith("pip install -e . && ") and install.endswith("gradbook train")
    assert tests.startswith('pip install -e ".[test]" && ') and tests.endswith("pytest")


GRADBOOK_LINES = [line for line in SHELL_LINES if " gradbook " in f" {line} "]


def test_readme_shows_gradbook_commands():
    assert len(GRADBOOK_LINES) >= 10


@pytest.mark.parametrize("line", GRADBOOK_LINES)
def test_readme_gradbook_command_exists_with_its_options(line):
    words = shlex.split(line.split(" #", 1)[0])
    args = words[words.index("gradbook") + 1:]
    if "|" in args:
        args = args[:args.index("|")]
    if not args:
        return
    res = CliRunner().invoke(app, [args[0], "--help"])
    assert res.exit_code == 0, f"gradbook {args[0]}: {res.output}"
    for option in (a for a in args[1:] if a.startswith("-") and a != "-"):
        assert re.search(rf"(?<![\w-]){re.escape(option.split('=')[0])}(?![\w-])", res.output), \
            f"README line {line!r}: gradbook {args[0]} has no option {option}"
