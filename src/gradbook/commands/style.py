"""``gradbook style CONTENT STYLE -o OUT``: neural style transfer on two image files, offline."""
from __future__ import annotations

import time

import typer

_HELP = """Paint CONTENT in the style of STYLE and write the result to OUT (Gatys et al., 2016).

The image itself is optimised (L-BFGS or Adam) to keep CONTENT's features and take on STYLE's Gram
matrices, read from a small CNN with random filters (or, with --extractor digits, filters trained on
the embedded digits): nothing is downloaded. STYLE is resized to
CONTENT's size; CONTENT's longer side is resized to --size pixels. The content loss grows with the
number of pixels and the style loss does not: at other sizes, scale --style-weight along.

[bold]Examples[/bold]

  gradbook style photo.jpg waves.png -o out.png                  # 200 L-BFGS steps at 128 px
  gradbook style photo.jpg waves.png -o out.png --size 96 --steps 100 --style-weight 1e5
  gradbook style photo.jpg waves.png -o out.png --optimizer adam --lr 0.02 --plot losses.png
"""


def register(app: typer.Typer) -> None:
    @app.command("style", help=_HELP)
    def style(
        content: str = typer.Argument(..., metavar="CONTENT", help="Content image file (PNG, JPEG, ...)."),
        style: str = typer.Argument(..., metavar="STYLE", help="Style image file."),
        output: str = typer.Option(..., "-o", "--output", metavar="OUT", help="Where to write the result."),
        steps: int = typer.Option(200, "--steps", min=1, help="Optimiser steps."),
        size: int = typer.Option(128, "--size", min=8, help="Longer side of the result, in pixels."),
        style_weight: float = typer.Option(1e6, "--style-weight", min=0.0, help="β, the style loss's weight."),
        content_weight: float = typer.Option(1.0, "--content-weight", min=0.0, help="α, the content loss's weight."),
        tv_weight: float = typer.Option(10.0, "--tv-weight", min=0.0, help="γ, the total-variation weight."),
        optimizer: str = typer.Option("lbfgs", "--optimizer", help="lbfgs or adam."),
        lr: float = typer.Option(None, "--lr", help="Step size (default 1 for lbfgs, 0.02 for adam)."),
        init: str = typer.Option("content", "--init", help="Start from the content image or from noise."),
        seed: int = typer.Option(0, "--seed", help="Seed of the random filters (and of --init noise)."),
        extractor: str = typer.Option("random", "--extractor", help="random (random filters) or digits (filters "
                                      "trained on the embedded digits, applied to each colour)."),
        plot: str = typer.Option(None, "--plot", metavar="PNG", help="Also write the loss curves here."),
        threads: int = typer.Option(1, "--threads", min=1, help="BLAS threads (the small convolutions of the "
                                    "random CNN run fastest on one)."),
    ) -> None:
        from threadpoolctl import threadpool_limits

        from ..style import digits_cnn, random_cnn, transfer
        from ..style.images import ImageFileError, load_image, resize_image, save_image

        if optimizer not in ("lbfgs", "adam"):
            raise typer.BadParameter(f"must be lbfgs or adam, got {optimizer!r}", param_hint="'--optimizer'")
        if extractor not in ("random", "digits"):
            raise typer.BadParameter(f"must be random or digits, got {extractor!r}", param_hint="'--extractor'")
        if init not in ("content", "noise"):
            raise typer.BadParameter(f"must be content or noise, got {init!r}", param_hint="'--init'")
        try:
            c = load_image(content, size)
            s = load_image(style)
        except ImageFileError as error:
            _fail(str(error))
        s = resize_image(s, c.shape[1], c.shape[2])
        start = time.perf_counter()
        with threadpool_limits(threads):
            cnn = random_cnn(3, seed=seed) if extractor == "random" else digits_cnn(seed=seed)
            result = transfer(c, s, cnn, steps,
                              {"content": content_weight, "style": style_weight, "tv": tv_weight},
                              optimizer, lr, init=init, seed=seed, progress=True)
        seconds = time.perf_counter() - start
        try:
            save_image(result.image, output)
            if plot:
                _plot_losses(result.history, plot)
        except (OSError, ValueError) as error:
            _fail(f"cannot write {getattr(error, 'filename', None) or output!r}: {error}")
        h = result.history
        typer.echo(f"wrote {output} ({c.shape[2]}x{c.shape[1]}) after {steps} {optimizer} steps in {seconds:.1f} s: "
                   f"loss {h['total'][0]:.4g} -> {h['total'][-1]:.4g} (style {h['style'][0]:.4g} -> "
                   f"{h['style'][-1]:.4g}, content {h['content'][0]:.4g} -> {h['content'][-1]:.4g})")


def _plot_losses(history: dict[str, list[float]], path: str) -> None:
    import io

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ..io import write_atomic

    fig, ax = plt.subplots(figsize=(5, 3.2))
    for name in ("total", "style", "content", "tv"):
        values = history[name]
        if max(values) > 0:
            ax.plot(values, label=name)
    ax.set(yscale="log", xlabel="step", ylabel="weighted loss", title="Style transfer")
    ax.legend(fontsize=8)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    write_atomic(path, buf.getvalue())


def _fail(message: str, code: int = 2) -> None:
    typer.echo(f"gradbook style: {message}", err=True)
    raise typer.Exit(code)
