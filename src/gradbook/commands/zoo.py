"""``gradbook zoo``: every model of ``gradbook.models`` in one table — parameters, multiply-adds
at its input size, and (``--train``) the accuracy of the CIFAR-scale ones after a short, fixed
training budget on the embedded digits."""
from __future__ import annotations

import time
from typing import Optional

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

# models whose native input is not 224x224 (the CIFAR-scale models take 32x32)
INPUT_299 = ("inception_v3", "inception_v4", "xception")


def input_size(name: str) -> int:
    from ..models.registry import CIFAR_MODELS

    return 32 if name in CIFAR_MODELS else 299 if name in INPUT_299 else 224


def count_row(name: str) -> tuple[int, int]:
    """(parameters, multiply-adds for one 3 x s x s image) of a freshly built model."""
    from ..analysis.flops import flops
    from ..models import get_model

    net = get_model(name)
    size = input_size(name)
    return sum(p.numel() for p in net.parameters()), flops(net, (3, size, size))["total"]


def short_training(name: str, steps: int, batch_size: int, seed: int) -> float:
    """Test accuracy on the digits (grey 8x8, repeated to 3x32x32 and normalised per channel) after
    ``steps`` Adam steps (lr 2e-3 annealed along a cosine to 0) on batches of ``batch_size``
    training images, from seed ``seed``; the BatchNorm statistics are then recomputed with the
    final weights over 4 batches of 128 training images (:func:`~gradbook.train.precise_bn.precise_bn`:
    after so few steps the moving averages lag the weights and eval-mode accuracy collapses)."""
    from .. import backend, optim
    from ..data import DataLoader
    from ..models import get_model
    from ..nn import functional as F
    from ..train import evaluate, recipes
    from ..train.precise_bn import precise_bn

    d = recipes.standardize(recipes.prepare(recipes.load_dataset("digits"), name))
    backend.manual_seed(seed)
    net = get_model(name, num_classes=d.num_classes)
    opt = optim.Adam(net.parameters(), lr=2e-3)
    schedule = optim.lr_scheduler.CosineAnnealingLR(opt, T_max=steps)
    loader = DataLoader(d.train, batch_size=batch_size, shuffle=True, seed=seed, drop_last=True)
    net.train()
    done = 0
    while done < steps:
        for x, y in loader:
            loss = F.cross_entropy(net(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            schedule.step()
            done += 1
            if done == steps:
                break
    precise_bn(net, DataLoader(d.train, batch_size=128, shuffle=True, seed=seed), num_batches=4)
    return evaluate(net, DataLoader(d.test, batch_size=200))["accuracy"]


def register(app: typer.Typer) -> None:
    @app.command("zoo")
    def zoo(models: Optional[str] = typer.Option(None, "--models", help="Comma-separated names (default: all of "
                                                                         "gradbook.models.list_models())."),
            train: bool = typer.Option(False, "--train", help="Also train each CIFAR-scale model briefly on the "
                                                              "embedded digits and report its test accuracy."),
            steps: int = typer.Option(30, "--steps", min=1, help="Training steps per model with --train."),
            batch_size: int = typer.Option(32, "--batch-size", min=1, help="Batch size with --train."),
            seed: int = typer.Option(0, "--seed")) -> None:
        """A table of the model zoo: parameters, multiply-adds at each model's input size (224x224,
        299x299 for the Inception-v3/v4 and Xception, 32x32 for the CIFAR-scale models) and, with
        --train, the digits test accuracy of the CIFAR-scale models after a fixed short budget
        (--steps SGD steps of --batch-size images; the 8x8 digits repeated to 3x32x32).

        Examples:
          [bold]gradbook zoo[/bold]
          [bold]gradbook zoo --models resnet20,preact_resnet20,densenet_bc_40 --train[/bold]
        """
        from ..models import list_models
        from ..models.registry import CIFAR_MODELS

        names = list_models() if models is None else [m.strip().lower() for m in models.split(",") if m.strip()]
        unknown = [m for m in names if m not in list_models()]
        if unknown or not names:
            Console(stderr=True).print(f"[red]gradbook zoo: unknown model(s) {', '.join(unknown) or '(none given)'}; "
                                       f"known: {', '.join(list_models())}[/red]", soft_wrap=True)
            raise typer.Exit(1)
        table = Table(title="gradbook.models" + (f" (digits accuracy after {steps} steps of {batch_size})"
                                                 if train else ""))
        table.add_column("model", no_wrap=True, min_width=max(len(n) for n in names))
        for col in ("input", "parameters", "multiply-adds") + (("digits acc.", "train s") if train else ()):
            table.add_column(col, justify="right", no_wrap=True)
        with Progress(transient=True) as progress:
            task = progress.add_task("building and tracing", total=len(names))
            for name in names:
                progress.update(task, description=name)
                n_params, macs = count_row(name)
                size = input_size(name)
                row = [name, f"3x{size}x{size}", f"{n_params:,}", f"{macs / 1e6:,.1f}M"]
                if train:
                    if name in CIFAR_MODELS:
                        t0 = time.perf_counter()
                        accuracy = short_training(name, steps, batch_size, seed)
                        row += [f"{accuracy:.1%}", f"{time.perf_counter() - t0:.1f}"]
                    else:
                        row += ["[dim]—[/dim]", ""]
                table.add_row(*row)
                progress.advance(task)
        Console().print(table)
