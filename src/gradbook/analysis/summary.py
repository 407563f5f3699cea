"""``summary(model, input_shape)``: a torchinfo-like table of every leaf layer with its output
shape, parameters and multiply-adds, and the totals."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from .flops import LayerRecord, trace
from .params import count_params

__all__ = ["ModelSummary", "summary"]


@dataclass
class ModelSummary:
    """Rows (:class:`~gradbook.analysis.flops.LayerRecord`) and totals; ``print()`` it or take
    ``.table()`` (a rich Table)."""

    model_name: str
    input_shape: tuple[int, ...]
    rows: list[LayerRecord]
    total_params: int
    trainable_params: int
    total_macs: int
    param_bytes: int

    def table(self):
        from rich.table import Table

        t = Table(title=f"{self.model_name}, input {self.input_shape}", show_footer=False)
        t.add_column("Layer (type)")
        t.add_column("Output Shape", justify="right")
        t.add_column("Param #", justify="right")
        t.add_column("Mult-Adds", justify="right")
        for r in self.rows:
            label = f"{'  ' * max(r.depth - 1, 0)}{r.name} ({r.kind})" if r.name != r.kind else r.kind
            t.add_row(label, str(list(r.output_shape)), f"{r.params:,}" if r.params else "--",
                      f"{r.macs:,}" if r.macs else "--")
        t.caption = (f"Total params: {self.total_params:,}   Trainable: {self.trainable_params:,}   "
                     f"Non-trainable: {self.total_params - self.trainable_params:,}\n"
                     f"Total mult-adds: {self.total_macs:,} ({self.total_macs / 1e6:.2f} M)   "
                     f"Params size: {self.param_bytes / 2**20:.2f} MB")
        return t

    def __str__(self) -> str:
        import io

        from rich.console import Console

        console = Console(width=110, file=io.StringIO(), record=True)
        console.print(self.table())
        return console.export_text()


def summary(model: Any, input_shape: Iterable[int], batch_dim: int | None = 0) -> ModelSummary:
    """Trace ``model`` on one zero sample of ``input_shape`` (batch of one inserted at
    ``batch_dim``) and collect per-layer output shapes, parameters and multiply-adds.

    >>> from gradbook.models import LeNet5
    >>> s = summary(LeNet5(), (1, 28, 28))
    >>> s.total_params
    61706
    """
    shape = tuple(int(v) for v in input_shape)
    rows = trace(model, shape, batch_dim)
    return ModelSummary(type(model).__name__, shape, rows, count_params(model),
                        count_params(model, trainable_only=True), sum(r.macs for r in rows),
                        sum(int(p.data.nbytes) for p in model.parameters()))
