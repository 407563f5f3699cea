"""The ``gradbook`` command line. Each command family lives in ``gradbook/commands/<name>.py``
and exposes ``register(app)``; this module only gathers them."""
from __future__ import annotations

import importlib
import pkgutil

import typer
from rich.console import Console

from . import __version__

app = typer.Typer(
    name="gradbook",
    help="gradbook: deep learning and classic ML from scratch on NumPy, proven equal to PyTorch "
         "and scikit-learn, with an executable interview handbook.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)


def _version(value: bool) -> None:
    if value:
        Console().print(f"gradbook {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="Print the version and exit.")) -> None:
    """gradbook command line."""


def _register_commands() -> None:
    from . import commands

    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        module.register(app)


_register_commands()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
