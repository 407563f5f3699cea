"""``gradbook compress``: every compression method on a trained model, size on disk against accuracy."""
from __future__ import annotations

import os
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from .train import DATASET_HELP


def _notes(o) -> str:
    d = o.details
    parts = []
    if "sparsity" in d:
        parts.append(f"{d['sparsity']:.0%} zeros")
    if "index_entropy" in d:
        parts.append(f"indices: H={d['index_entropy']:.2f}, Huffman {d['index_huffman_bits']:.2f} bits")
    if "ranks" in d:
        parts.append("ranks " + ", ".join(f"{k}:{v}" for k, v in d["ranks"].items()))
    if "T" in d:
        parts.append(f"T={d['T']:g}, alpha={d['alpha']:g}")
    return "; ".join(parts)


def outcome_table(outcomes, title: str) -> Table:
    """The rich table of file size, bits per parameter and accuracy, one row per method."""
    dense = next((o for o in outcomes if o.method == "dense"), outcomes[0])
    table = Table(title=title)
    for col, justify in (("method", "left"), ("file bytes", "right"), ("x smaller", "right"),
                         ("params", "right"), ("bits/param", "right"), ("accuracy", "right"),
                         ("vs dense", "right"), ("notes", "left")):
        table.add_column(col, justify=justify)
    for o in outcomes:
        delta = o.accuracy - dense.accuracy
        table.add_row(o.method, f"{o.file_bytes:,}", f"{dense.file_bytes / o.file_bytes:.1f}", f"{o.parameters:,}",
                      f"{o.bits_per_parameter:.2f}", f"{o.accuracy:.2%}", f"{delta:+.2%}", _notes(o))
    return table


def register(app: typer.Typer) -> None:
    @app.command("compress")
    def compress(model_file: str = typer.Argument(..., metavar="MODEL.npz", help="A model saved by gradbook train."),
                 data: Optional[str] = typer.Option(None, "--data", help="Default: the dataset the model was trained "
                                                                         "on. " + DATASET_HELP),
                 out_dir: str = typer.Option("compressed", "--out-dir", help="Folder for the compressed model files."),
                 plot: Optional[str] = typer.Option(None, "--plot",
                                                    help="Write accuracy against file size to this PNG."),
                 methods: str = typer.Option("all", "--methods", help="all, or some of dense, dense+fine-tune, prune, quantise, "
                                             "quantise+huffman, prune+quantise+huffman, bwn, xnor, svd, student, "
                                             "distilled (comma-separated)."),
                 sparsity: float = typer.Option(0.8, "--sparsity", help="Fraction of weights pruned (global)."),
                 bits: int = typer.Option(4, "--bits", help="k-means weight sharing to 2^bits values per layer."),
                 energy: float = typer.Option(0.9, "--energy", help="Share of sum(s^2) the low-rank factors keep."),
                 epochs: int = typer.Option(3, "--epochs", help="Fine-tuning epochs after each method."),
                 lr: float = typer.Option(1e-3, "--lr", help="Fine-tuning learning rate (Adam)."),
                 seed: int = typer.Option(0, "--seed")) -> None:
        """Prune, share weights (k-means), Huffman-code, binarise (BWN, XNOR), factorise (SVD) and
        distil a trained model; each result is written as a compressed file, loaded back and scored.

        Prints size on disk against test accuracy for every method and for the pipeline
        prune → quantise → Huffman (Han et al.'s Deep Compression).

        Example: [bold]gradbook train --dataset digits --model mlp --out mlp.npz[/bold], then
        [bold]gradbook compress mlp.npz --data digits --plot compress.png[/bold]
        """
        import numpy as np

        from ..compress import pipeline
        from ..train import recipes

        err = Console(stderr=True)
        try:
            net, cfg = recipes.load_model(model_file)
            d = recipes.prepare(recipes.load_dataset(data or str(cfg["dataset"])), str(cfg["model"]))
            chosen = pipeline.METHODS if methods == "all" else tuple(m.strip() for m in methods.split(",") if m.strip())
            settings = pipeline.Settings(sparsity=sparsity, bits=bits, energy=energy, epochs=epochs, lr=lr,
                                         seed=seed).check()
            os.makedirs(out_dir, exist_ok=True)
        except (ValueError, FileNotFoundError, OSError) as exc:
            err.print(f"[red]gradbook compress: {exc}[/red]", soft_wrap=True)
            raise typer.Exit(1)
        train = tuple(np.asarray(t) for t in d.train.tensors)
        test = tuple(np.asarray(t) for t in d.test.tensors)
        config = {k: (v.item() if hasattr(v, "item") else v) for k, v in cfg.items()}

        def base():
            return recipes.build_model(str(cfg["model"]), int(cfg["in_channels"]), int(cfg["size"]),
                                       int(cfg["num_classes"]))

        console = Console()
        with console.status("compressing") as status:
            try:
                outcomes = pipeline.run(net, train, test, out_dir, settings, base=base, meta={"config": config},
                                        methods=chosen, progress=lambda name: status.update(f"compressing: {name}"))
            except ValueError as exc:
                err.print(f"[red]gradbook compress: {exc}[/red]", soft_wrap=True)
                raise typer.Exit(1)
        title = (f"{cfg['model']} on {data or cfg['dataset']}: {len(test[1])} test images, "
                 f"fine-tuned {epochs} epochs per method")
        console.print(outcome_table(outcomes, title))
        console.print(f"compressed files in {out_dir}/ (load one with gradbook.compress.pipeline.load_model)")
        if plot:
            pipeline.plot(outcomes, plot, title)
            console.print(f"plot: {plot}")
