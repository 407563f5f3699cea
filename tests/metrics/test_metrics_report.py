"""The classification report: its numbers, its dict and the rich table in the terminal."""
from __future__ import annotations

import pytest
from rich.console import Console
from rich.table import Table

import gradbook.metrics as gbm

YT = [0, 0, 1, 1, 1, 2]
YP = [0, 1, 1, 1, 2, 2]


def test_report_dict_holds_the_metrics():
    d = gbm.classification_report(YT, YP, output_dict=True, target_names=["a", "b", "c"])
    assert d["a"] == pytest.approx({"precision": 1.0, "recall": 0.5, "f1-score": 2 / 3, "support": 2})
    assert d["accuracy"] == pytest.approx(4 / 6)
    assert d["macro avg"]["precision"] == pytest.approx((1 + 2 / 3 + 1 / 2) / 3)
    assert d["weighted avg"]["support"] == 6
    # labels not covering every present label: the micro average is no longer the accuracy
    assert "micro avg" in gbm.classification_report(YT, YP, labels=[0, 1], output_dict=True)


def test_report_text_layout():
    text = gbm.classification_report(YT, YP, digits=3)
    lines = text.splitlines()
    assert lines[0].split() == ["precision", "recall", "f1-score", "support"]
    assert lines[2].split() == ["0", "1.000", "0.500", "0.667", "2"]
    assert lines[6].split() == ["accuracy", "0.667", "6"]


def test_rich_table_printed_in_the_terminal():
    console = Console(record=True, width=100)
    table = gbm.print_classification_report(YT, YP, console=console, target_names=["a", "b", "c"], title="demo")
    assert isinstance(table, Table) and table.row_count == 3 + 3
    out = console.export_text()
    assert "demo" in out and "weighted avg" in out and "0.67" in out


def test_report_target_names_mismatch():
    with pytest.raises(ValueError, match="does not match size of target_names"):
        gbm.classification_report(YT, YP, target_names=["a"])


def test_report_on_indicator_targets():
    Y = [[1, 0, 1], [0, 1, 0], [1, 1, 0]]
    P = [[1, 0, 0], [0, 1, 0], [1, 0, 0]]
    d = gbm.classification_report(Y, P, output_dict=True, zero_division=0.0)  # label 2 is never predicted
    assert "accuracy" not in d and d["micro avg"]["recall"] == pytest.approx(3 / 5)
    # samples avg: per-sample precision 1, 1, 1 and recall 1/2, 1, 1/2
    assert d["samples avg"]["recall"] == pytest.approx(2 / 3)
    table = gbm.classification_report_table(Y, P, zero_division=0.0)
    assert table.row_count == 3 + 4
