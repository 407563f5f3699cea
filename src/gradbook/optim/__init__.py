"""``gradbook.optim``: optimizers and learning-rate schedules with ``torch.optim``'s names and
defaults. Each optimizer is one small file on the shared ``Optimizer`` base."""
from . import lr_scheduler  # noqa: F401
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .adamax import Adamax
from .asgd import ASGD
from .lbfgs import LBFGS
from .nadam import NAdam
from .optimizer import Optimizer
from .radam import RAdam
from .rmsprop import RMSprop
from .rprop import Rprop
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "Adagrad", "Adadelta", "RMSprop", "NAdam", "RAdam", "Adamax",
           "ASGD", "Rprop", "LBFGS", "lr_scheduler"]
