"""Classification report: per-label precision, recall, F1 and support, then the averages.

Targets are 1-d labels or multilabel indicator matrices (then the report has no accuracy row
but micro, macro, weighted and samples averages). ``classification_report`` returns
scikit-learn's text (``output_dict=False``) or its dict (``output_dict=True``), character for
character; ``classification_report_table`` builds the
same numbers as a rich ``Table`` and ``print_classification_report`` prints it in the terminal.
"""
from __future__ import annotations

import warnings
from typing import Any, Sequence

import numpy as np

from .classification import precision_recall_fscore_support
from ._validation import as_array, check_sample_weight, classification_targets

_HEADERS = ["precision", "recall", "f1-score", "support"]


def _report_rows(y_true: Any, y_pred: Any, labels: Sequence | None, target_names: Sequence[str] | None,
                 sample_weight: Any, zero_division: Any, func: str):
    """[(name, precision, recall, f1, support)] per label, then [(heading, p, r, f1, support)] averages."""
    y_type, present, yt, yp = classification_targets(y_true, y_pred, func, sample_weight)
    if y_type == "multilabel-indicator":
        _recheck_as_sparse(yt, yp, func)
    w = check_sample_weight(sample_weight, len(yt), func)
    labels_given = labels is not None
    labels = as_array(labels, "labels", func) if labels_given else present
    # the micro average is the accuracy when every present label of 1-d targets is reported
    micro_is_accuracy = y_type != "multilabel-indicator" and (
        not labels_given or set(labels.tolist()) >= set(present.tolist()))
    if target_names is not None and len(labels) != len(target_names):
        if not labels_given:
            raise ValueError(f"{func}: Number of classes, {len(labels)}, does not match size of target_names, "
                             f"{len(target_names)}. Try specifying the labels parameter")
        warnings.warn(f"labels size, {len(labels)}, does not match size of target_names, {len(target_names)}",
                      stacklevel=3)
    names = [str(t) for t in target_names] if target_names is not None else [f"{lab}" for lab in labels.tolist()]
    kw = dict(labels=labels, sample_weight=w, zero_division=zero_division)
    p, r, f1, s = precision_recall_fscore_support(yt, yp, average=None, **kw)
    rows = list(zip(names, p, r, f1, s))
    averages = []
    averages_shown = ("micro", "macro", "weighted") + (("samples",) if y_type == "multilabel-indicator" else ())
    for average in averages_shown:
        heading = "accuracy" if average == "micro" and micro_is_accuracy else f"{average} avg"
        ap, ar, af, _ = precision_recall_fscore_support(yt, yp, average=average, **kw)
        averages.append((heading, ap, ar, af, np.sum(s)))
    return rows, averages


def _recheck_as_sparse(yt: np.ndarray, yp: np.ndarray, func: str) -> None:
    """scikit-learn's report checks indicator targets a second time in sparse form, where only
    the stored (non-zero) values count: two distinct non-zero values (a matrix without zeros
    holding, say, 1 and 2) make it 'multiclass-multioutput' there. Refuse what it refuses."""
    def sparse_type(y):
        return "multilabel-indicator" if len(np.unique(y[y != 0])) <= 1 else "multiclass-multioutput"

    t_true, t_pred = sparse_type(yt), sparse_type(yp)
    if t_true != t_pred:
        raise ValueError(f"{func}: Classification metrics can't handle a mix of {t_true} and {t_pred} targets")
    if t_true != "multilabel-indicator":
        raise ValueError(f"{func}: {t_true} is not supported")


def classification_report(y_true: Any, y_pred: Any, *, labels: Sequence | None = None,
                          target_names: Sequence[str] | None = None, sample_weight: Any = None, digits: int = 2,
                          output_dict: bool = False, zero_division: Any = "warn"):
    """scikit-learn's text report (or dict with ``output_dict=True``) of per-label precision,
    recall, F1 and support, followed by accuracy (or micro avg), macro avg and weighted avg."""
    func = "classification_report"
    if not isinstance(digits, (int, np.integer)) or digits < 0:
        raise ValueError(f"{func}: The 'digits' parameter of {func} must be an int in the range [0, inf). Got "
                         f"{digits!r} instead.")
    rows, averages = _report_rows(y_true, y_pred, labels, target_names, sample_weight, zero_division, func)
    if output_dict:
        report: dict[str, Any] = {name: dict(zip(_HEADERS, map(float, vals))) for name, *vals in rows}
        for heading, *vals in averages:
            report[heading] = float(vals[0]) if heading == "accuracy" else dict(zip(_HEADERS, map(float, vals)))
        return report
    width = max(max(len(name) for name, *_ in rows), len("weighted avg"), digits)
    text = ("{:>{width}s} " + " {:>9}" * 4).format("", *_HEADERS, width=width) + "\n\n"
    row_fmt = "{:>{width}s} " + " {:>9.{digits}f}" * 3 + " {:>9}\n"
    for row in rows:
        text += row_fmt.format(*row, width=width, digits=digits)
    text += "\n"
    for heading, *vals in averages:
        if heading == "accuracy":
            acc_fmt = "{:>{width}s} " + " {:>9.{digits}}" * 2 + " {:>9.{digits}f}" + " {:>9}\n"
            text += acc_fmt.format(heading, "", "", *vals[2:], width=width, digits=digits)
        else:
            text += row_fmt.format(heading, *vals, width=width, digits=digits)
    return text


def classification_report_table(y_true: Any, y_pred: Any, *, labels: Sequence | None = None,
                                target_names: Sequence[str] | None = None, sample_weight: Any = None,
                                digits: int = 2, zero_division: Any = "warn", title: str | None = None):
    """The classification report as a rich ``Table`` (same numbers as :func:`classification_report`)."""
    from rich.table import Table

    rows, averages = _report_rows(y_true, y_pred, labels, target_names, sample_weight, zero_division,
                                  "classification_report_table")
    table = Table(title=title)
    table.add_column("")
    for h in _HEADERS:
        table.add_column(h, justify="right")

    def fmt(v):
        return f"{v:.{digits}f}"

    for i, (name, p, r, f, s) in enumerate(rows):
        table.add_row(name, fmt(p), fmt(r), fmt(f), f"{s}", end_section=i == len(rows) - 1)
    for heading, p, r, f, s in averages:
        cells = ("", "", fmt(f)) if heading == "accuracy" else (fmt(p), fmt(r), fmt(f))
        table.add_row(heading, *cells, f"{s}", style="bold" if heading == "accuracy" else None)
    return table


def print_classification_report(y_true: Any, y_pred: Any, *, console: Any = None, **kwargs: Any):
    """Print :func:`classification_report_table` in the terminal; returns the table."""
    from rich.console import Console

    table = classification_report_table(y_true, y_pred, **kwargs)
    (console or Console()).print(table)
    return table
