"""``gradbook.optim``: optimizers and learning-rate schedules with ``torch.optim``'s names and
defaults. Each optimizer is one small file on the shared ``Optimizer`` base."""
from . import lr_scheduler  # noqa: F401
from .adam import Adam, AdamW
from .optimizer import Optimizer
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "lr_scheduler"]
