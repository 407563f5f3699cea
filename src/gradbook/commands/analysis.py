"""``gradbook params``, ``gradbook summary``, ``gradbook rf``: parameter counts, a model summary
and receptive fields from the command line (the maths lives in :mod:`gradbook.analysis`)."""
from __future__ import annotations

from typing import List, Optional

import typer
from rich.console import Console
from rich.table import Table

_RNN_KINDS = ("rnn", "gru", "lstm")


def _ints(text: str, what: str) -> tuple[int, ...]:
    try:
        vals = tuple(int(v) for v in text.replace("x", ",").split(",") if v.strip())
    except ValueError:
        raise typer.BadParameter(f"{what} must be comma-separated integers, got {text!r}") from None
    if not vals:
        raise typer.BadParameter(f"{what} is empty")
    return vals


def _build_model(spec: str):
    """``NAME`` or ``NAME:1,2,3`` → a model (case-insensitive): ``MLP`` takes the numbers as its size
    list, ``LeNet5`` as positional int arguments, a ``models.list_models()`` name (resnet18, vgg16,
    resnet20, ...) one number, its ``num_classes``."""
    from .. import models

    name, _, args = spec.partition(":")
    classes = {"mlp": models.MLP, "lenet5": models.LeNet5}
    classes.update({n: getattr(models, n) for n in models.list_models()})
    cls = classes.get(name.lower())
    if cls is None:
        raise typer.BadParameter(f"unknown model {name!r}; available: {', '.join(sorted(classes))}")
    nums = _ints(args, "model arguments") if args else ()
    try:
        if cls is models.MLP:
            return cls(list(nums))
        if cls is models.LeNet5:
            return cls(*nums)
        if len(nums) > 1:
            raise ValueError(f"{cls.__name__} takes one number (num_classes), got {len(nums)}")
        return cls(num_classes=nums[0]) if nums else cls()
    except (TypeError, ValueError) as exc:
        raise typer.BadParameter(f"cannot build {cls.__name__}{nums}: {exc}") from None


def _params_table(kind: str, sizes: List[int], layers: int, bidirectional: bool, groups: int, bias: str):
    from .. import analysis, nn

    k = kind.lower()
    t = Table(title="Parameter count")
    t.add_column("layer")
    t.add_column("formula")
    t.add_column("parameters", justify="right")
    if k == "fc":
        if len(sizes) < 2:
            raise typer.BadParameter("fc needs at least two sizes, e.g. `gradbook params fc 3 5 2`")
        terms = " + ".join(f"{a}·{b} + {b}" for a, b in zip(sizes[:-1], sizes[1:]))
        t.add_row(f"FC {'-'.join(map(str, sizes))}", terms, f"{analysis.fc_params(sizes):,}")
    elif k == "conv":
        if len(sizes) not in (3, 4):
            raise typer.BadParameter("conv needs IN OUT K (square) or IN OUT KH KW, e.g. `gradbook params conv 1 3 2`")
        cin, cout, *ks = sizes
        kernel = ks * 2 if len(ks) == 1 else ks
        with_bias = bias != "none"
        n = analysis.conv_params(cin, cout, kernel, groups=groups, bias=with_bias)
        t.add_row(f"Conv {cin}→{cout}, {kernel[0]}x{kernel[1]}" + (f", groups={groups}" if groups > 1 else ""),
                  f"{cout}·({cin}/{groups})·{kernel[0]}·{kernel[1]}" + (f" + {cout}" if with_bias else ""),
                  f"{n:,}")
    elif k in _RNN_KINDS:
        if len(sizes) != 2:
            raise typer.BadParameter(f"{k} needs INPUT HIDDEN, e.g. `gradbook params {k} 3 2`")
        i, h = sizes
        conventions = ("double", "single", "keras") if bias == "all" else (bias,)
        g = analysis.params.RNN_GATES[k]
        desc = f"{k.upper()}(i={i}, h={h}" + (f", layers={layers}" if layers > 1 else "") + \
            (", bidirectional" if bidirectional else "") + ")"
        for conv in conventions:
            n = analysis.rnn_params(k, i, h, layers, bidirectional, bias=conv)
            label = {"double": "PyTorch (b_ih + b_hh)", "single": "textbook / one bias", "none": "no bias",
                     "keras": "Keras defaults"}[conv]
            b = analysis.params._bias_per_direction(k, g, h, conv)
            formula = (f"{g}·{h}·({i}+{h}) + {b}" if layers == 1 and not bidirectional
                       else "Σ layers, directions of g·h·(in+h) + biases")
            t.add_row(f"{desc} {label}", formula, f"{n:,}")
        if "double" in conventions or "none" in conventions:
            cls = {"rnn": nn.RNN, "gru": nn.GRU, "lstm": nn.LSTM}[k]
            built = cls(i, h, num_layers=layers, bidirectional=bidirectional, bias=bias != "none")
            t.caption = f"built torch-layout {cls.__name__}: count_params = {analysis.count_params(built):,}"
    else:
        model = _build_model(kind + (":" + ",".join(map(str, sizes)) if sizes else ""))
        t.add_row(type(model).__name__, "count_params(model)", f"{analysis.count_params(model):,}")
    return t


def register(app: typer.Typer) -> None:
    @app.command("params")
    def params(
        kind: str = typer.Argument(..., help="fc, conv, rnn, gru, lstm, or a model name (lenet5, mlp, ...)"),
        sizes: Optional[List[int]] = typer.Argument(None, help="the sizes: fc IN H... OUT; conv IN OUT K; "
                                                                 "rnn/gru/lstm INPUT HIDDEN; model arguments"),
        layers: int = typer.Option(1, "--layers", "-l", help="stacked recurrent layers"),
        bidirectional: bool = typer.Option(False, "--bidirectional", "-b", help="two directions per layer"),
        groups: int = typer.Option(1, "--groups", help="convolution groups"),
        bias: str = typer.Option("all", "--bias",
                                 help="recurrent bias convention: double (PyTorch), single (textbook), keras, "
                                      "none, or all; for conv, none drops the bias"),
    ) -> None:
        """Count parameters by formula or of a built model.

        [b]Examples[/b]

          gradbook params fc 3 5 2                 [dim]# 3·5+5 + 5·2+2 = 32[/dim]
          gradbook params lstm 3 2                 [dim]# LSTM(i=3, h=2): PyTorch 56, textbook 48, Keras 48[/dim]
          gradbook params gru 8 5 -l 2 -b --bias double
          gradbook params conv 1 3 2               [dim]# 2x2 conv, 1→3 channels: 15[/dim]
          gradbook params lenet5                   [dim]# count_params of gradbook.models.LeNet5()[/dim]
          gradbook params mlp 784 128 10
        """
        if bias not in ("double", "single", "keras", "none", "all"):
            raise typer.BadParameter(f"--bias must be double, single, keras, none or all, got {bias!r}")
        Console().print(_params_table(kind, list(sizes or []), layers, bidirectional, groups, bias))

    @app.command("summary")
    def summary(
        model: str = typer.Argument(..., help="a model of gradbook.models: NAME or NAME:ARGS (mlp:784,128,10)"),
        input: str = typer.Option(..., "--input", "-i", help="one sample's shape, e.g. 1,28,28 (C,H,W)"),
    ) -> None:
        """Show every layer's output shape, parameters and multiply-adds (like torchinfo).

        [b]Examples[/b]

          gradbook summary lenet5 --input 1,28,28
          gradbook summary lenet5:10,3 --input 3,28,28     [dim]# 10 classes, 3 input channels[/dim]
          gradbook summary mlp:784,256,10 --input 784
        """
        from .. import analysis

        built = _build_model(model)
        try:
            result = analysis.summary(built, _ints(input, "--input"))
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from None
        Console().print(result.table())

    @app.command("rf")
    def rf(
        layers: Optional[List[str]] = typer.Argument(
            None, help="layer specs: conv3, conv3s2p1, conv3d2, pool2, maxpool3s2p1 "
                       "(k=kernel, s=stride, p=padding, d=dilation)"),
        input: str = typer.Option("64,64", "--input", "-i", help="input size H,W (or C,H,W)"),
        model: Optional[str] = typer.Option(None, "--model", "-m", help="read the layers of a gradbook model instead"),
    ) -> None:
        """Receptive field size, jump and start after each conv/pool layer, confirmed by a gradient.

        [b]Examples[/b]

          gradbook rf conv3 conv3                  [dim]# 5x5: two 3x3 layers see what one 5x5 sees[/dim]
          gradbook rf conv3 conv3 conv3            [dim]# 7x7[/dim]
          gradbook rf conv7s2p3 maxpool3s2p1 conv3p1 conv3p1 --input 224,224
          gradbook rf --model lenet5 --input 1,28,28
        """
        from .. import analysis

        if bool(layers) == bool(model):
            raise typer.BadParameter("give either layer specs (e.g. conv3 conv3 pool2) or --model, not both")
        try:
            result = analysis.receptive_field(_build_model(model) if model else layers, _ints(input, "--input"))
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from None
        Console().print(result.table())
        if result.skipped:
            Console().print(f"stopped before {result.skipped[0]}: it mixes every position")
