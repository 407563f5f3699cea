"""Remembers each entry's latest verdicts so ``gradbook list`` can show them without re-running."""
from __future__ import annotations

import json
import os

from ..io import write_atomic


def _path() -> str:
    root = os.environ.get("GRADBOOK_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME", os.path.join(os.path.expanduser("~"), ".cache")), "gradbook")
    return os.path.join(root, "verdicts.json")


def load() -> dict[str, dict[str, str]]:
    try:
        with open(_path(), encoding="utf-8") as fh:
            data = json.load(fh)
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def remember(entry_id: str, verdicts: dict[str, str]) -> None:
    """Store atomically (temp file + os.replace); a cache that cannot be written is skipped."""
    data = load()
    data[entry_id] = dict(verdicts)
    path = _path()
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        write_atomic(path, json.dumps(data, ensure_ascii=False, indent=1))
    except OSError:
        pass
