"""The results of a search: ``Trial`` rows, the ``Results`` table, and the results file that
survives a crash.

The file is JSON lines: a header ``{"format": "gradbook.tune.results", "version": 1, ...}`` naming
the search (method, seed, mode, metric, space, options), then one line per finished trial
``{"trial": i, "config": {...}, "result": ..., "value": v, "seconds": s}`` in the order trials
finished. Each append rewrites the file through a temporary file and ``os.replace``, so after a
crash the file holds every trial that finished, whole, and never a half-written line.
"""
from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import numpy as np

__all__ = ["Trial", "Results", "ResultsFile", "FORMAT", "VERSION", "to_json_value"]

FORMAT = "gradbook.tune.results"
VERSION = 1


@dataclass
class Trial:
    """One finished trial: its index, configuration, the objective's return and the value optimised."""
    trial_id: int
    config: dict
    value: float
    result: Any
    seconds: float = field(default=0.0, compare=False)  # wall time in the worker; not part of equality


@dataclass
class Results:
    """The table of a search, ordered by trial index; ``best`` is the lowest value (highest when
    ``mode='max'``) among trials with a finite value, and among the ``candidates`` trial indices
    only when given (successive halving / Hyperband: the trials at the largest budget)."""
    trials: list[Trial]
    mode: str = "min"
    metric: str | None = None
    candidates: list[int] | None = None

    def __len__(self) -> int:
        return len(self.trials)

    def __iter__(self) -> Iterator[Trial]:
        return iter(self.trials)

    def __getitem__(self, index: int) -> Trial:
        return self.trials[index]

    @property
    def best(self) -> Trial:
        finite = [t for t in self.trials if math.isfinite(t.value)
                  and (self.candidates is None or t.trial_id in self.candidates)]
        if not finite:
            raise ValueError("tune.Results: no trial has a finite value")
        sign = 1.0 if self.mode == "min" else -1.0
        return min(finite, key=lambda t: (sign * t.value, t.trial_id))

    @property
    def best_config(self) -> dict:
        return self.best.config

    @property
    def best_value(self) -> float:
        return self.best.value

    def to_rows(self) -> list[dict]:
        """One flat dict per trial: ``trial_id``, the configuration's keys, ``value``."""
        return [{"trial_id": t.trial_id, **t.config, "value": t.value} for t in self.trials]

    def best_so_far(self) -> list[float]:
        """The best value among trials 0..i, for each i (NaN until a finite value appears)."""
        out, best = [], math.nan
        for t in self.trials:
            if math.isfinite(t.value) and (math.isnan(best) or (t.value < best if self.mode == "min" else t.value > best)):
                best = t.value
            out.append(best)
        return out

    def plot(self, path: str | os.PathLike, title: str | None = None) -> None:
        """Write a PNG: each trial's value and the best so far, against the trial index."""
        import matplotlib

        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(6, 3.5))
        ax.plot([t.trial_id for t in self.trials], [t.value for t in self.trials], "o", alpha=0.5, label="trial")
        ax.step([t.trial_id for t in self.trials], self.best_so_far(), where="post", label="best so far")
        ax.set_xlabel("trial")
        ax.set_ylabel(self.metric or "value")
        ax.set_title(title or f"best so far ({self.mode})")
        ax.legend()
        fig.tight_layout()
        fig.savefig(path, dpi=100)
        plt.close(fig)

    def __str__(self) -> str:
        rows = self.to_rows()
        if not rows:
            return "Results(no trials)"
        keys = list(rows[0])
        cells = [[_short(r.get(k)) for k in keys] for r in rows]
        widths = [max(len(k), *(len(c[i]) for c in cells)) for i, k in enumerate(keys)]
        line = lambda values: "  ".join(v.rjust(w) for v, w in zip(values, widths))  # noqa: E731
        best = self.best.trial_id if any(math.isfinite(t.value) for t in self.trials) else None
        body = [line(c) + ("  <- best" if r["trial_id"] == best else "") for c, r in zip(cells, rows)]
        return "\n".join([line(keys), *body])


def _short(value: Any) -> str:
    return f"{value:.6g}" if isinstance(value, float) else str(value)


def to_json_value(value: Any, where: str) -> Any:
    """``value`` with NumPy scalars/arrays turned into Python numbers/lists, or a TypeError naming ``where``."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise TypeError(f"{where}: dict keys must be strings to be written to the results file, got {list(value)}")
        return {k: to_json_value(v, where) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json_value(v, where) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f"{where}: {type(value).__name__} value {value!r} cannot be written to the results file "
                    "(numbers, strings, booleans, None, lists and dicts of them can)")


class ResultsFile:
    """The finished trials of one search, kept on disk at ``path`` (in memory only when None)."""

    def __init__(self, path: str | os.PathLike | None, header: dict, resume: bool):
        self.path = None if path is None else Path(path)
        self.header = {"format": FORMAT, "version": VERSION, **header}
        self.records: dict[int, dict] = {}
        self._lines = [json.dumps(self.header)]
        if self.path is None:
            return
        if self.path.exists():
            if not resume:
                raise FileExistsError(f"tune.run: results file {self.path} exists; pass resume={str(self.path)!r} "
                                      "to continue that search, or remove the file")
            self._load()
        else:
            self._write()

    def _load(self) -> None:
        lines = [line for line in self.path.read_text(encoding="utf-8").splitlines() if line.strip()]
        try:
            saved = json.loads(lines[0]) if lines else {}
        except json.JSONDecodeError:
            saved = {}
        if saved.get("format") != FORMAT:
            raise ValueError(f"tune.run: {self.path} is not a gradbook tune results file (no {FORMAT!r} header)")
        if not isinstance(saved.get("version"), int) or saved["version"] > VERSION:
            raise ValueError(f"tune.run: {self.path} has results format version {saved.get('version')!r}; "
                             f"this gradbook reads versions up to {VERSION}")
        differing = {k: (saved.get(k), v) for k, v in self.header.items()
                     if k not in ("format", "version") and saved.get(k) != v}
        if differing:
            detail = "; ".join(f"{k}: file {a!r}, now {b!r}" for k, (a, b) in differing.items())
            raise ValueError(f"tune.run: cannot resume {self.path}: it records a different search ({detail})")
        self._lines = lines
        for line in lines[1:]:
            record = json.loads(line)
            self.records[int(record["trial"])] = record

    def append(self, record: dict) -> dict:
        """Write one finished trial; returns the record as read back from JSON."""
        line = json.dumps(record)
        self._lines.append(line)
        self._write()
        record = json.loads(line)
        self.records[int(record["trial"])] = record
        return record

    def _write(self) -> None:
        if self.path is None:
            return
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            f.write("\n".join(self._lines) + "\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)
