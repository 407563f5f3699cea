"""Training: the fit loop, evaluation, callbacks and resumable checkpoints."""
from .callbacks import Callback, CSVLogger, EarlyStopping, ModelCheckpoint, ProgressBar
from .history import History
from .loop import Trainer, TrainingDiverged, evaluate, fit, predict, resume
from .precise_bn import precise_bn  # the function: gradbook.train.precise_bn(model, batches)

__all__ = ["CSVLogger", "Callback", "EarlyStopping", "History", "ModelCheckpoint", "ProgressBar", "Trainer",
           "TrainingDiverged", "evaluate", "fit", "precise_bn", "predict", "resume"]
