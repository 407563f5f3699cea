"""What a fresh install relies on: every third-party module src/ imports is declared in
pyproject.toml, and the test configuration lets no expected failure pass silently."""
import ast
import pathlib
import re
import sys
import tomllib
from importlib.metadata import packages_distributions

ROOT = pathlib.Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared() -> set[str]:
    project = PYPROJECT["project"]
    specs = list(project["dependencies"]) + [d for ds in project.get("optional-dependencies", {}).values() for d in ds]
    return {_norm(re.split(r"[ <>=!~;\[]", spec, maxsplit=1)[0]) for spec in specs}


def _third_party_imports() -> dict[str, str]:
    """Top-level module -> first place src/ imports it (absolute imports outside the stdlib)."""
    found: dict[str, str] = {}
    for path in sorted((ROOT / "src").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top not in sys.stdlib_module_names and top != "gradbook":
                    found.setdefault(top, f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_every_third_party_import_is_declared():
    declared, dists = _declared(), packages_distributions()
    imports = _third_party_imports()
    assert {"numpy", "sklearn", "typer"} <= set(imports)  # the scan sees the imports
    missing = {top: where for top, where in imports.items()
               if not {_norm(d) for d in dists.get(top, [top])} & declared}
    assert not missing, f"imported by src/ but not declared in pyproject.toml: {missing}"


def test_expected_failures_are_strict():
    assert PYPROJECT["tool"]["pytest"]["ini_options"]["xfail_strict"] is True
