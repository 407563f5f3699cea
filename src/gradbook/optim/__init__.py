"""``gradbook.optim``: optimizers with ``torch.optim``'s names and defaults. Each optimizer is one
small file on the shared ``Optimizer`` base."""
from .adam import Adam, AdamW
from .optimizer import Optimizer
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "Adam", "AdamW"]
