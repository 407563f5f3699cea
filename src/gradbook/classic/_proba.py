"""The part every probabilistic classifier shares: labels and log-probabilities from
``predict_proba`` (as scikit-learn's tree-based classifiers define them)."""
from __future__ import annotations

import numpy as np


class ProbaClassifier:
    """Mixin for a classifier with ``classes_`` and ``predict_proba(X)`` (n, n_classes):
    ``predict`` is the most probable class (the first on ties), ``predict_log_proba`` its log
    (−inf where a probability is 0). With several outputs ``classes_`` and ``predict_proba`` are
    lists (one per output) and ``predict`` gives (n, n_outputs)."""

    def predict_log_proba(self, X) -> np.ndarray:
        proba = self.predict_proba(X)
        with np.errstate(divide="ignore"):
            return [np.log(p) for p in proba] if isinstance(proba, list) else np.log(proba)

    def predict(self, X) -> np.ndarray:
        proba = self.predict_proba(X)  # first: it raises NotFittedError before classes_ is read
        if isinstance(proba, list):    # several outputs: one column of labels per output
            labels = np.empty((len(proba[0]), len(proba)), dtype=self.classes_[0].dtype)
            for k, (classes, p) in enumerate(zip(self.classes_, proba)):
                labels[:, k] = classes.take(np.argmax(p, axis=1))
            return labels
        return self.classes_.take(np.argmax(proba, axis=1))
