"""``gradbook list | ask | run | report``: the executable handbook from the command line."""
from __future__ import annotations

import os
import sys
from typing import List, Optional

import typer
from rich.console import Console

LANG_HELP = "Language of the answer: zh or en."


def _lang(value: str, allow_both: bool = False) -> str:
    allowed = ("zh", "en", "both") if allow_both else ("zh", "en")
    if value not in allowed:
        raise typer.BadParameter(f"expected one of {', '.join(allowed)}, got {value!r}")
    return value


def register(app: typer.Typer) -> None:
    @app.command("list")
    def list_entries(section: Optional[str] = typer.Option(None, "--section", "-s", help="Only this section (A–J)."),
                     lang: str = typer.Option("en", "--lang", help=LANG_HELP)) -> None:
        """List the handbook's questions with their verdicts (shipped with the package from quick runs,
        or from your own latest run of an entry).

        Example: [bold]gradbook list --section C --lang zh[/bold]
        """
        from .. import handbook
        from ..handbook import cache, render_terminal, shipped

        lang = _lang(lang)
        known = {**shipped.load(), **cache.load()}  # the user's own runs first, then the build's
        ids = handbook.ids(section)
        if section and not ids:
            raise typer.BadParameter(f"no entries in section {section!r}; sections are "
                                     f"{', '.join(handbook.SECTIONS)}")
        rows = [(handbook.entry(i), handbook.overall(known[i]) if i in known else "pending") for i in ids]
        Console().print(render_terminal.listing(rows, lang))

    @app.command("ask")
    def ask(text: str = typer.Argument(..., help="An id or keywords, in Chinese or English."),
            lang: str = typer.Option("en", "--lang", help=LANG_HELP),
            run_it: bool = typer.Option(False, "--run", help="Also run the best match's computation.")) -> None:
        """Find handbook entries by id or keyword and show the best match.

        Examples: [bold]gradbook ask 感受野[/bold], [bold]gradbook ask "receptive field"[/bold]
        """
        from rich.markup import escape
        from rich.text import Text

        from .. import handbook
        from ..handbook import cache, render_terminal
        from ..handbook.math_unicode import replace_maths

        lang = _lang(lang)
        console = Console()
        hits = handbook.search(text)
        if not hits:
            console.print(f"[red]No handbook entry matches {text!r}.[/red] Try [bold]gradbook list[/bold].")
            raise typer.Exit(1)
        best = hits[0][1]
        if run_it:
            result = best.run(quick=True)
            cache.remember(best.id, result.verdicts)
            render_terminal.show(best, result, lang, console)
        else:
            console.print(f"[bold cyan]{best.id}[/bold cyan]  [bold]{escape(best.title[lang])}[/bold]   "
                          f"(run it: [bold]gradbook run {best.id}[/bold])")
            for key, claim in best.claims.items():  # maths as Unicode; brackets are text, not markup
                console.print(Text("  • " + replace_maths(claim[lang])))
        if len(hits) > 1:
            others = ", ".join(f"{e.id}" for _, e in hits[1:6])
            console.print(f"[dim]also: {others}[/dim]")

    @app.command("run")
    def run(entry_id: str = typer.Argument(..., metavar="ID", help="A handbook id, e.g. softmax-ce."),
            quick: bool = typer.Option(False, "--quick", help="The fast version (seconds)."),
            lang: str = typer.Option("en", "--lang", help=LANG_HELP),
            figures: Optional[str] = typer.Option(None, "--figures", help="Write the figures as PNG into this "
                                                  "folder (none are written without it).")) -> None:
        """Run one entry's live computation and show the answer with its verdicts.

        Example: [bold]gradbook run softmax-ce --lang zh[/bold]
        """
        from .. import handbook
        from ..handbook import cache, render_terminal

        lang = _lang(lang)
        try:
            e = handbook.entry(entry_id)
        except handbook.UnknownEntry as exc:
            Console(stderr=True).print(f"[red]{exc}[/red]")
            raise typer.Exit(1)
        result = e.run(quick=quick)
        cache.remember(e.id, result.verdicts)
        render_terminal.show(e, result, lang, Console(), figures)

    @app.command("report")
    def report(output: str = typer.Option("handbook.html", "-o", "--output", help="The HTML file to write."),
               lang: str = typer.Option("both", "--lang", help="zh, en or both."),
               ids: Optional[List[str]] = typer.Option(None, "--ids", help="Only these ids (repeat the option)."),
               quick: bool = typer.Option(False, "--quick", help="Fast versions of the computations."),
               pdf: bool = typer.Option(False, "--pdf", help="Also write a PDF beside the HTML (same name, .pdf): "
                                        "printed by a headless Chromium if one is installed, else by matplotlib.")
               ) -> None:
        """Run the entries and write one self-contained offline HTML report (and, with --pdf, a PDF).

        Example: [bold]gradbook report -o handbook.html --lang both --quick --pdf[/bold]
        """
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        from .. import handbook
        from ..handbook import cache, render_html
        from ..io import write_atomic

        lang = _lang(lang, allow_both=True)
        chosen = []
        for i in (ids or handbook.ids()):
            try:
                chosen.append(handbook.entry(i))
            except handbook.UnknownEntry as exc:
                Console(stderr=True).print(f"[red]{exc}[/red]")
                raise typer.Exit(1)
        runs, failed = [], []
        console = Console(stderr=True)
        with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                      TimeElapsedColumn(), console=console, disable=not console.is_terminal) as progress:
            task = progress.add_task("running entries", total=len(chosen))
            for e in chosen:
                progress.update(task, description=f"running {e.id}")
                try:
                    result = e.run(quick=quick)
                except Exception as exc:  # noqa: BLE001 - one broken entry must not lose the others' report
                    failed.append(e.id)
                    console.print(f"[red]{e.id} failed:[/red] {type(exc).__name__}: {exc}", markup=True,
                                  highlight=False)
                else:
                    cache.remember(e.id, result.verdicts)
                    runs.append((e, result))
                progress.advance(task)
        html = render_html.render(runs, lang)
        folder = os.path.dirname(os.path.abspath(output))
        os.makedirs(folder, exist_ok=True)
        write_atomic(output, html)
        Console().print(f"wrote [bold]{output}[/bold] ({len(runs)} entries, {len(html) // 1024} KiB)")
        if pdf:
            from ..handbook import render_pdf

            pdf_path = os.path.splitext(output)[0] + ".pdf"
            engine = render_pdf.write_pdf(runs, lang, pdf_path, html)
            Console().print(f"wrote [bold]{pdf_path}[/bold] ({os.path.getsize(pdf_path) // 1024} KiB, by {engine})")
        sys.stdout.flush()
        if failed:
            console.print(f"[red]{len(failed)} entr{'y' if len(failed) == 1 else 'ies'} failed and are not in the "
                          f"report:[/red] {', '.join(failed)}")
            raise typer.Exit(1)
