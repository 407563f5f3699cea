"""Every verdict comes from the entry's numbers: no entry may hand a claim a fixed word
(``r.verdict("claim", "depends")``) outside a branch that its computation decides."""
import ast
import inspect

import pytest

from gradbook.handbook import registry


def _fixed_verdicts(source: str) -> list[tuple[int, str]]:
    """(line, claim) of every ``.verdict(claim, "word")`` call with a literal word that no ``if`` encloses."""
    tree = ast.parse(source)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "verdict"
                and len(node.args) == 2 and isinstance(node.args[1], ast.Constant)):
            continue
        up, decided = parents.get(node), False
        while up is not None and not isinstance(up, ast.Module):
            if isinstance(up, (ast.If, ast.IfExp, ast.Match)):
                decided = True
                break
            up = parents.get(up)
        if not decided:
            claim = node.args[0].value if isinstance(node.args[0], ast.Constant) else ast.unparse(node.args[0])
            found.append((node.lineno, claim))
    return found


def test_the_scan_finds_a_fixed_verdict_and_passes_a_decided_one():
    fixed = "def compute(q):\n    r.verdict('a', 'depends')\n"
    decided = "def compute(q):\n    if q:\n        r.verdict('a', 'confirmed')\n    r.verdict('b', 'x' if q else 'y')\n"
    assert _fixed_verdicts(fixed) == [(2, "a")]
    assert _fixed_verdicts(decided) == []


@pytest.mark.parametrize("entry_id", registry.ids())
def test_no_entry_hands_out_a_constant_verdict(entry_id):
    module = inspect.getmodule(registry.entry(entry_id).compute)
    fixed = _fixed_verdicts(inspect.getsource(module))
    assert not fixed, f"handbook entry {entry_id!r} gives fixed verdicts (line, claim): {fixed}"
