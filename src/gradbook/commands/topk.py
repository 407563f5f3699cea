"""``gradbook topk FILE``: the most repeated lines of a file of any size, in bounded memory."""
from __future__ import annotations

import json
import os
import re
import sys

import typer

_PROGRESS_FROM = 32 * 2**20     # a bar only for files at least this large (or of unknown size)
_MIN_WORKING = 4 * 2**20        # counting needs at least this much on top of the process itself
_SLACK = 4 * 2**20              # output, progress bar and allocator slack beyond the estimate
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

_HELP = """Print the K most repeated lines of FILE (exact counts, any file size).

Lines are compared as bytes in any encoding; CRLF counts as LF; a last line without a newline
counts. Ties are ranked by count descending, then bytes ascending. Lines are shown as UTF-8 with
backslash escapes (\\xNN) for invalid bytes and control characters.

When the distinct lines do not fit in [bold]--memory[/bold] (the whole process, interpreter
included), lines are hash-partitioned to temporary files that are counted one at a time and
removed afterwards, also on Ctrl-C.

[bold]Examples[/bold]

  gradbook topk app.log                      # the 10 most repeated lines
  gradbook topk app.log -k 3 --json          # [{"count": N, "line": "..."}, ...]
  gradbook topk huge.log --memory 256MB      # stay within 256 MB, spilling to disk if needed
  zcat app.log.gz | gradbook topk - -k 20    # read standard input
  gradbook topk app.log --stats              # also say lines, distinct lines and partitions
"""


def register(app: typer.Typer) -> None:
    @app.command("topk", help=_HELP)
    def topk(
        file: str = typer.Argument(..., metavar="FILE", help="File to read, or - for standard input."),
        k: int = typer.Option(10, "-k", "--top", min=1, help="How many lines to print."),
        memory: str = typer.Option("512MB", "--memory", "-m", metavar="SIZE",
                                   help="Memory budget for the whole process: 512KB, 64MB, 2GB or bytes."),
        as_json: bool = typer.Option(False, "--json", help="Print a JSON list of {\"count\", \"line\"}."),
        stats: bool = typer.Option(False, "--stats", help="Print what the run did to stderr."),
    ) -> None:
        from ..tools.topk import count_top_k, parse_size

        try:
            budget = parse_size(memory)
        except ValueError as error:
            raise typer.BadParameter(str(error).replace("parse_size: ", ""), param_hint="'--memory'")
        if file != "-" and not os.path.isfile(file):
            why = "no such file" if not os.path.exists(file) else "not a regular file"
            _fail(f"cannot read {file!r}: {why}")
        working = _working_memory(budget, memory)
        try:
            with _progress_bar(file) as progress:
                result = count_top_k(file, k, working, progress)
        except KeyboardInterrupt:
            _fail("interrupted; temporary files removed", code=130)
        except OSError as error:
            _fail(f"cannot read {error.filename or file!r}: {error.strerror or error}")
        if as_json:
            rows = [{"count": count, "line": line.decode("utf-8", "backslashreplace")}
                    for count, line in result.top]
            typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        else:
            width = max((len(str(count)) for count, _ in result.top), default=0)
            typer.echo("".join(f"{count:>{width}}  {_shown(line)}\n" for count, line in result.top), nl=False)
        if stats:
            s = result.stats
            where = (f"{s.partitions} partitions, depth {s.depth}, {s.spilled_bytes:,} bytes spilled"
                     if s.partitions else "counted in memory")
            typer.echo(f"{s.lines:,} lines, {s.distinct:,} distinct, {s.bytes:,} bytes; {where}; "
                       f"working memory {working / 2**20:.1f} MB", err=True)


def _shown(line: bytes) -> str:
    text = line.decode("utf-8", "backslashreplace")
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _fail(message: str, code: int = 1) -> None:
    typer.echo(f"gradbook topk: {message}", err=True)
    raise typer.Exit(code)


def _resident_bytes() -> int:
    """This process's resident memory now (Linux /proc), else its peak so far (getrusage)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == "darwin" else peak * 1024


def _working_memory(budget: int, spelled: str) -> int:
    """What counting may use: the budget minus what the process already holds and some slack."""
    held = _resident_bytes() + _SLACK
    if budget - held >= _MIN_WORKING:
        return budget - held
    typer.echo(f"gradbook topk: --memory {spelled} leaves less than {_MIN_WORKING >> 20} MB beyond the "
               f"{held / 2**20:.0f} MB this process already holds; counting with "
               f"{_MIN_WORKING >> 20} MB (peak about {(held + _MIN_WORKING) / 2**20:.0f} MB)", err=True)
    return _MIN_WORKING


class _progress_bar:
    """A rich progress bar on stderr for large files when stderr is a terminal; else nothing."""

    def __init__(self, file: str) -> None:
        size = None if file == "-" else os.path.getsize(file)
        self.show = sys.stderr.isatty() and (size is None or size >= _PROGRESS_FROM)
        self.bar = None
        self.tasks: dict[str, int] = {}

    def __enter__(self):
        if not self.show:
            return None
        from rich.console import Console
        from rich.progress import (BarColumn, DownloadColumn, Progress, TextColumn,
                                   TimeRemainingColumn, TransferSpeedColumn)

        self.bar = Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
                            TransferSpeedColumn(), TimeRemainingColumn(),
                            console=Console(stderr=True), transient=True)
        self.bar.__enter__()
        return self.update

    def update(self, phase: str, done: int, total: int | None) -> None:
        if phase not in self.tasks:
            self.tasks[phase] = self.bar.add_task(phase, total=total)
        self.bar.update(self.tasks[phase], completed=done, total=total)

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)
