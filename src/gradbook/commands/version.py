"""``gradbook version``: the version and the libraries it runs on."""
from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table


def register(app: typer.Typer) -> None:
    @app.command("version")
    def version() -> None:
        """Show gradbook's version and the versions of the libraries it stands on."""
        import numpy

        from .. import __version__

        table = Table(title=f"gradbook {__version__}", show_header=True)
        table.add_column("library")
        table.add_column("version")
        table.add_row("numpy", numpy.__version__)
        for name in ("scipy", "sklearn", "matplotlib", "torch"):
            try:
                module = __import__(name)
                table.add_row(name, module.__version__)
            except ImportError:
                table.add_row(name, "not installed")
        Console().print(table)
