"""A real objective: train a model on a dataset with a configuration's hyperparameters and return
its validation metrics. It is a picklable dataclass, so process pools and Dask workers run it.

    objective = TrainingObjective("mlp", "digits", epochs=3)
    tune.run(objective, objective.space(), method="bayes", mode="max", metric="val_accuracy")

A configuration sets ``lr`` and ``weight_decay`` (Adam's) and, for the MLP, ``width`` (one hidden
layer). The validation images are held out of the training set (``recipes.hold_out_validation``:
stratified, the same rows whatever the seed); the test set is never read. With a ``budget`` (for
successive halving / Hyperband) the budget is the number of epochs.
"""
from __future__ import annotations

from dataclasses import dataclass

from .space import loguniform, randint

__all__ = ["TrainingObjective"]


@dataclass(frozen=True)
class TrainingObjective:
    model: str = "mlp"
    dataset: str = "digits"
    epochs: int = 3
    batch_size: int = 64
    val_split: float = 0.2
    seed: int = 0
    metric: str | None = None  # return only this metric (a number), as successive halving needs

    def space(self) -> dict:
        """The default search space for this model."""
        space = {"lr": loguniform(1e-4, 1e-1), "weight_decay": loguniform(1e-6, 1e-2)}
        if self.model == "mlp":
            space["width"] = randint(16, 257)
        return space

    def __call__(self, config: dict, budget: float | None = None):
        from threadpoolctl import threadpool_limits

        from .. import backend, models, optim
        from ..data import DataLoader
        from ..nn import functional as F
        from ..train import fit, recipes

        epochs = self.epochs if budget is None else max(1, int(round(budget)))
        d = recipes.hold_out_validation(recipes.prepare(recipes.load_dataset(self.dataset), self.model), self.val_split)
        backend.manual_seed(self.seed)
        if self.model == "mlp":
            net = models.MLP([d.in_channels * d.size * d.size, int(config.get("width", 128)), d.num_classes])
        else:
            net = recipes.build_model(self.model, d.in_channels, d.size, d.num_classes)
        opt = optim.Adam(net.parameters(), lr=float(config["lr"]), weight_decay=float(config.get("weight_decay", 0.0)))
        loader = DataLoader(d.train, batch_size=self.batch_size, shuffle=True, seed=self.seed)
        # trials run side by side, one per core: BLAS threads in each would only contend
        with threadpool_limits(1):
            history = fit(net, loader, F.cross_entropy, opt, epochs, val_loader=DataLoader(d.val, batch_size=500))
        last = history.last
        metrics = {"val_accuracy": float(last["val_accuracy"]), "val_loss": float(last["val_loss"]),
                   "epochs": epochs}
        return metrics if self.metric is None else metrics[self.metric]
