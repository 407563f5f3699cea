"""`gradbook zoo`: the table's parameter counts and multiply-adds for a subset of models (checked
against hand counts), the --train column, and unknown names."""
from __future__ import annotations

import re

from gradbook.cli import app


def _row(output: str, name: str) -> list[str]:
    line = next(line for line in output.splitlines() if re.search(rf"\b{name}\b", line))
    return [c.strip() for c in re.split(r"[│┃]", line) if c.strip()]


def test_zoo_table_counts_parameters_and_multiply_adds(runner):
    res = runner.invoke(app, ["zoo", "--models", "resnet20,mobilenet_v1"], env={"COLUMNS": "160"})
    assert res.exit_code == 0, res.output
    # resnet20 by hand: stem 3x3 (3 → 16) at 32x32, 6 convs 16 → 16 at 32x32, 32-wide convs at 16x16
    # (the first from 16), 64-wide at 8x8 (the first from 32), fc 64 → 10
    macs = (3 * 16 * 9 * 1024 + 6 * 16 * 16 * 9 * 1024 + (16 * 32 + 5 * 32 * 32) * 9 * 256
            + (32 * 64 + 5 * 64 * 64) * 9 * 64 + 640)
    assert _row(res.output, "resnet20") == ["resnet20", "3x32x32", "269,722", f"{macs / 1e6:.1f}M"]
    assert _row(res.output, "mobilenet_v1")[1:3] == ["3x224x224", "4,231,976"]  # the paper's 569M MACs:
    assert _row(res.output, "mobilenet_v1")[3].startswith("568.7")


def test_zoo_train_reports_an_accuracy_for_cifar_models_only(runner):
    res = runner.invoke(app, ["zoo", "--models", "resnet20,squeezenet1_1", "--train", "--steps", "2",
                              "--batch-size", "8"], env={"COLUMNS": "160"})
    assert res.exit_code == 0, res.output
    acc = _row(res.output, "resnet20")[4]
    assert acc.endswith("%") and 0 <= float(acc[:-1]) <= 100
    assert _row(res.output, "squeezenet1_1")[4] == "—"


def test_zoo_unknown_model_is_named(runner):
    res = runner.invoke(app, ["zoo", "--models", "resnet19"])
    assert res.exit_code == 1 and "unknown model(s) resnet19" in res.stderr
