"""``gradbook version``: the version and the libraries it runs on."""
from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table


def register(app: typer.Typer) -> None:
    @app.command("version")
    def version() -> None:
        """Show gradbook's version and the versions of the libraries it stands on."""
        from importlib import metadata

        from .. import __version__

        table = Table(title=f"gradbook {__version__}", show_header=True)
        table.add_column("library")
        table.add_column("version")
        for name in ("numpy", "scipy", "scikit-learn", "matplotlib", "rich", "typer", "torch"):
            try:  # read from the installed metadata: importing torch just for its version takes seconds
                table.add_row(name, metadata.version(name))
            except metadata.PackageNotFoundError:
                table.add_row(name, "not installed")
        Console().print(table)
