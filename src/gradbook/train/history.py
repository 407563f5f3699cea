"""``History``: what each epoch of training measured (loss, metrics, time)."""
from __future__ import annotations

import math
from dataclasses import dataclass, field


@dataclass
class History:
    """Per-epoch logs: ``history.epochs[i]`` is a dict such as
    ``{"epoch": 1, "loss": 0.31, "accuracy": 0.91, "val_loss": ..., "seconds": 2.4}``."""

    epochs: list[dict[str, float]] = field(default_factory=list)
    stopped_early: bool = False
    interrupted: bool = False

    def __getitem__(self, key: str) -> list[float]:
        """One column: ``history["val_accuracy"]`` lists the values by epoch."""
        return [e.get(key, math.nan) for e in self.epochs]

    def __len__(self) -> int:
        return len(self.epochs)

    @property
    def last(self) -> dict[str, float]:
        return self.epochs[-1] if self.epochs else {}

    def keys(self) -> list[str]:
        seen: list[str] = []
        for e in self.epochs:
            seen.extend(k for k in e if k not in seen)
        return seen

    def state_dict(self) -> dict:
        """Columns of numbers, storable with ``gradbook.save``."""
        return {k: [float(v) for v in self[k]] for k in self.keys()}

    @classmethod
    def from_state_dict(cls, state: dict) -> "History":
        keys = list(state)
        n = len(state[keys[0]]) if keys else 0
        return cls([{k: (int(state[k][i]) if k == "epoch" else float(state[k][i])) for k in keys}
                    for i in range(n)])

    def plot(self, path: str) -> str:
        """Training curves (loss and accuracy by epoch) as a PNG."""
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        epochs = self["epoch"]
        metrics = [k for k in self.keys() if k not in ("epoch", "seconds", "lr") and not k.startswith("val_")]
        fig, axes = plt.subplots(1, len(metrics), figsize=(4.5 * len(metrics), 3.4), squeeze=False)
        for ax, name in zip(axes[0], metrics):
            ax.plot(epochs, self[name], "o-", label=f"train {name}")
            if f"val_{name}" in self.keys():
                ax.plot(epochs, self[f"val_{name}"], "s--", label=f"validation {name}")
            ax.set(xlabel="epoch", ylabel=name, title=name)
            ax.grid(alpha=0.3)
            ax.legend()
        fig.tight_layout()
        fig.savefig(path, dpi=110)
        plt.close(fig)
        return path
