"""Metrics equal to scikit-learn's, written on NumPy: classification (accuracy, precision,
recall, F-scores, confusion matrix, report), probabilistic (log loss), regression (MSE, MAE,
R2) and ranking (ROC curve with three counting methods, ROC AUC, precision-recall, AP, auc).

Inputs may be NumPy arrays, lists or gradbook Tensors. Undefined cases emit scikit-learn's own
``UndefinedMetricWarning`` (available here as ``gradbook.metrics.UndefinedMetricWarning``).
"""
from __future__ import annotations

from .classification import (accuracy_score, confusion_matrix, f1_score, fbeta_score, precision_recall_fscore_support,
                             precision_score, recall_score)
from .probabilistic import log_loss
from .ranking import auc, average_precision_score, precision_recall_curve, roc_auc_score, roc_curve
from .regression import mean_absolute_error, mean_squared_error, r2_score
from .report import classification_report, classification_report_table, print_classification_report

__all__ = ["accuracy_score", "auc", "average_precision_score", "classification_report",
           "classification_report_table", "confusion_matrix", "f1_score", "fbeta_score", "log_loss",
           "mean_absolute_error", "mean_squared_error", "precision_recall_curve", "precision_recall_fscore_support",
           "precision_score", "print_classification_report", "r2_score", "recall_score", "roc_auc_score",
           "roc_curve", "UndefinedMetricWarning"]


def __getattr__(name: str):
    if name == "UndefinedMetricWarning":  # scikit-learn is slow to import; load it on first use
        from sklearn.exceptions import UndefinedMetricWarning

        return UndefinedMetricWarning
    raise AttributeError(f"module 'gradbook.metrics' has no attribute {name!r}")
