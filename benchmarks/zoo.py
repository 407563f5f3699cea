"""Training speed of the CIFAR-scale zoo: one step (forward, cross-entropy, backward, SGD with momentum)
of resnet20, mobilenet_v2_cifar and densenet_bc_40 at batch 128 on 3x32x32 inputs, gradbook against
PyTorch CPU running the same architecture (resnet20's twin written here from torch.nn layers, the
other two built from torchvision's model code as the parity tests build them).

Each measurement runs in its own subprocess, gradbook and PyTorch alternated, with the same thread
count. A model that ``gradbook.models.list_models()`` does not have (or torchvision, for a twin
built from it) is skipped with a note. On a machine that other work keeps busy, ``--clock cpu`` times each step
by its process's CPU time (meaningful with ``--threads 1``).

    python benchmarks/zoo.py [--repeats 3] [--threads 2] [--steps 5] [--models resnet20] [--clock cpu]
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from _timing import alternated_seconds, child_or_skip, median_time

MODELS = ("resnet20", "mobilenet_v2_cifar", "densenet_bc_40")
BATCH = 128


def _torch_resnet20():
    """He et al.'s CIFAR ResNet-20 (3 stages of 3 BasicBlocks, 16/32/64 channels, option A shortcuts)."""
    import torch
    from torch import nn

    class Block(nn.Module):
        def __init__(self, cin: int, cout: int, stride: int):
            super().__init__()
            self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(cout)
            self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(cout)
            self.stride, self.extra = stride, cout - cin

        def forward(self, x):
            out = self.bn2(self.conv2(torch.relu(self.bn1(self.conv1(x)))))
            short = x[:, :, ::self.stride, ::self.stride] if self.stride != 1 else x
            if self.extra:
                short = nn.functional.pad(short, (0, 0, 0, 0, self.extra // 2, self.extra - self.extra // 2))
            return torch.relu(out + short)

    layers, cin = [nn.Conv2d(3, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU()], 16
    for cout, stride in ((16, 1), (32, 2), (64, 2)):
        for i in range(3):
            layers.append(Block(cin, cout, stride if i == 0 else 1))
            cin = cout
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10))


def _torchvision_models():
    """torchvision's model definitions, loaded as the parity tests load them (``import torchvision``
    fails beside the pinned CPU torch: tests/models/torchvision_models.py says why)."""
    import importlib.util

    if "torchvision" not in sys.modules and importlib.util.find_spec("torchvision") is None:
        raise Skip("torchvision is not installed (its model code is the twin)")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "models"))
    from torchvision_models import torchvision_models

    return torchvision_models()


def _torch_mobilenet_v2_cifar():
    """torchvision's MobileNetV2 with gradbook's CIFAR rows (the second row's stride 1) and a stride-1 stem."""
    import torch

    from gradbook.models.mobilenet_v2_cifar import CIFAR_SETTING

    tv = _torchvision_models()
    net = tv.mobilenetv2.MobileNetV2(num_classes=10, inverted_residual_setting=CIFAR_SETTING)
    from torchvision.ops.misc import Conv2dNormActivation

    net.features[0] = Conv2dNormActivation(3, 32, stride=1, activation_layer=torch.nn.ReLU6)
    return net


def _torch_densenet_bc_40():
    """DenseNet-BC (L = 40, k = 12, θ = 0.5) from torchvision's dense blocks and transitions."""
    from collections import OrderedDict

    import torch

    tv = _torchvision_models().densenet
    layers, c = [("conv0", torch.nn.Conv2d(3, 24, 3, 1, 1, bias=False))], 24
    for i in range(3):
        layers.append((f"denseblock{i + 1}", tv._DenseBlock(6, c, 4, 12, 0.0)))
        c += 6 * 12
        if i < 2:
            layers.append((f"transition{i + 1}", tv._Transition(c, c // 2)))
            c //= 2
    layers += [("norm_final", torch.nn.BatchNorm2d(c)), ("relu_final", torch.nn.ReLU())]
    return torch.nn.Sequential(torch.nn.Sequential(OrderedDict(layers)), torch.nn.AdaptiveAvgPool2d(1),
                               torch.nn.Flatten(), torch.nn.Linear(c, 10))


TORCH_TWINS = {"resnet20": _torch_resnet20, "mobilenet_v2_cifar": _torch_mobilenet_v2_cifar,
               "densenet_bc_40": _torch_densenet_bc_40}


class Skip(Exception):
    """This model is not in gradbook, or has no torch twin here."""


def _step_seconds(lib: str, name: str, steps: int, clock) -> float:
    import numpy as np

    rng = np.random.default_rng(0)
    x = rng.standard_normal((BATCH, 3, 32, 32)).astype(np.float32)
    y = rng.integers(0, 10, BATCH)
    from gradbook import models

    if name not in models.list_models():
        raise Skip(f"gradbook.models has no {name} yet")
    if name not in TORCH_TWINS:
        raise Skip(f"no torch twin of {name} in benchmarks/zoo.py yet")
    if lib == "torch":
        import torch

        torch.manual_seed(0)
        net = TORCH_TWINS[name]()
        opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4)
        xt, yt, loss_fn = torch.from_numpy(x), torch.from_numpy(y), torch.nn.functional.cross_entropy
    else:
        import gradbook as gb
        from gradbook import optim
        from gradbook.nn.functional import cross_entropy

        gb.manual_seed(0)
        net = models.get_model(name)
        opt = optim.SGD(net.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4)
        xt, yt, loss_fn = gb.tensor(x), gb.tensor(y), cross_entropy
    net.train()

    def step() -> None:
        loss = loss_fn(net(xt), yt)
        opt.zero_grad()
        loss.backward()
        opt.step()

    return median_time(step, steps, warmup=2, clock=clock)


def _child(args) -> None:
    if args.child == "torch":
        import torch

        torch.set_num_threads(args.threads)
    clock = time.process_time if args.clock == "cpu" else time.perf_counter
    try:
        print(json.dumps({"seconds": _step_seconds(args.child, args.model, args.steps, clock)}))
    except Skip as exc:
        print(json.dumps({"skip": str(exc)}))


def _run(lib: str, args, name: str) -> dict:
    return child_or_skip([__file__, "--child", lib, "--model", name, "--steps", str(args.steps), "--threads",
                          str(args.threads), "--clock", args.clock], args.threads, lib)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--steps", type=int, default=5)
    p.add_argument("--models", default=",".join(MODELS))
    p.add_argument("--clock", choices=("wall", "cpu"), default="wall")
    p.add_argument("--child", choices=("gradbook", "torch"))
    p.add_argument("--model")
    args = p.parse_args()
    if args.child:
        _child(args)
        return
    from rich.console import Console
    from rich.table import Table

    clock = "wall-clock" if args.clock == "wall" else "process CPU time"
    table = Table(title=f"one training step, batch {BATCH}x3x32x32, gradbook vs PyTorch {args.threads}-thread CPU, "
                        f"{clock}, {args.repeats} alternated runs (median step of each)")
    for col in ("model", "gradbook min / median", "PyTorch min / median", "ratio of medians", "ratio of mins"):
        table.add_column(col, justify="left" if col == "model" else "right")
    console = Console(width=160)
    for name in args.models.split(","):
        times, skipped = alternated_seconds(lambda lib: _run(lib, args, name), args.repeats)
        if skipped:
            table.add_row(name, "skipped", "", skipped, "")
            continue
        g, t = times["gradbook"], times["torch"]
        table.add_row(name, f"{min(g) * 1e3:.0f} / {statistics.median(g) * 1e3:.0f} ms",
                      f"{min(t) * 1e3:.0f} / {statistics.median(t) * 1e3:.0f} ms",
                      f"{statistics.median(g) / statistics.median(t):.2f}x", f"{min(g) / min(t):.2f}x")
        console.print(f"{name}: gradbook {[round(v * 1e3) for v in g]} ms, PyTorch {[round(v * 1e3) for v in t]} ms")
    console.print(table)


if __name__ == "__main__":
    main()
