"""The part every probabilistic classifier shares: labels and log-probabilities from
``predict_proba`` (as scikit-learn's tree-based classifiers define them)."""
from __future__ import annotations

import numpy as np


class ProbaClassifier:
    """Mixin for a classifier with ``classes_`` and ``predict_proba(X)`` (n, n_classes):
    ``predict`` is the most probable class (the first on ties), ``predict_log_proba`` its log
    (−inf where a probability is 0)."""

    def predict_log_proba(self, X) -> np.ndarray:
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X) -> np.ndarray:
        proba = self.predict_proba(X)  # first: it raises NotFittedError before classes_ is read
        return self.classes_.take(np.argmax(proba, axis=1))
