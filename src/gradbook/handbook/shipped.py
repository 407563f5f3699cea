"""The verdicts shipped inside the package, so that ``gradbook list`` shows every entry's verdict on a
fresh install, before anything has been run.

They are the quick runs' verdicts, computed when the package is built::

    python -m gradbook.handbook.shipped            # rewrites handbook/verdicts.json

An entry whose computation failed is listed under ``"failed"`` (with the error) and shows as
``pending``; a user's own runs (``cache``) take precedence over the shipped verdicts.
"""
from __future__ import annotations

import json
import os
import sys

FORMAT_VERSION = 1
PATH = os.path.join(os.path.dirname(__file__), "verdicts.json")


def load(path: str | None = None) -> dict[str, dict[str, str]]:
    """``{entry id: {claim: verdict}}`` from the shipped file; empty when it is missing or of another format."""
    try:
        with open(path or PATH, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("format") != FORMAT_VERSION:
        return {}
    verdicts = data.get("verdicts")
    return verdicts if isinstance(verdicts, dict) else {}


def build(ids: list[str] | None = None, progress: bool = True) -> dict:
    """Run every entry (quick) and collect its verdicts; failures are recorded, not raised."""
    from .. import __version__
    from .registry import entry, ids as all_ids

    verdicts: dict[str, dict[str, str]] = {}
    failed: dict[str, str] = {}
    chosen = list(ids) if ids is not None else all_ids()
    for n, entry_id in enumerate(chosen, 1):
        try:
            verdicts[entry_id] = dict(entry(entry_id).run(quick=True).verdicts)
        except Exception as exc:  # noqa: BLE001 - any failure marks the entry pending, with its reason
            failed[entry_id] = f"{type(exc).__name__}: {exc}"
        if progress:
            print(f"[{n}/{len(chosen)}] {entry_id}: {'failed' if entry_id in failed else 'ok'}", file=sys.stderr)
    return {"format": FORMAT_VERSION, "gradbook": __version__, "mode": "quick",
            "verdicts": verdicts, "failed": failed}


def write(data: dict, path: str | None = None) -> None:
    from ..io import write_atomic

    write_atomic(path or PATH, json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n")


def main(argv: list[str] | None = None) -> int:
    ids = (argv if argv is not None else sys.argv[1:]) or None
    data = build(ids)
    if ids:  # refresh only these entries, keep the others
        old = load()
        data["verdicts"] = {**{k: v for k, v in old.items() if k not in data["failed"]}, **data["verdicts"]}
    write(data)
    print(f"wrote {PATH}: {len(data['verdicts'])} entries, {len(data['failed'])} failed", file=sys.stderr)
    return 1 if data["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
