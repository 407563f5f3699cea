"""Semi-supervised learning: pseudo-labelling for networks, self-training for classic classifiers.

>>> from gradbook.semi import SelfTraining
>>> from gradbook.classic import LogisticRegression
>>> import numpy as np
>>> X = np.array([[0.0], [0.1], [0.9], [1.0], [0.05], [0.95]]); y = np.array([0, 0, 1, 1, -1, -1])
>>> SelfTraining(LogisticRegression(), threshold=0.5).fit(X, y).transduction_.tolist()
[0, 0, 1, 1, 0, 1]
"""
from .pseudo_label import MixedBatches, PseudoLabel, lee_alpha
from .self_training import SelfTraining

__all__ = ["MixedBatches", "PseudoLabel", "SelfTraining", "lee_alpha"]
