"""Metrics equal to scikit-learn's, written on NumPy: classification (accuracy, zero-one and
Hamming loss, precision, recall, F-scores, Jaccard, confusion matrices, report), agreement
(balanced accuracy, Matthews, Cohen's kappa), probabilistic (log loss, Brier), decision scores
(hinge, top-k accuracy), ranking (ROC curve with three counting methods, ROC AUC with one-vs-rest
and one-vs-one, precision-recall, AP, DET curve, auc), multilabel ranking (coverage error, LRAP,
ranking loss, DCG, NDCG) and regression (MSE, MAE, R2).

Inputs may be NumPy arrays, lists or gradbook Tensors; classification targets may be 1-d labels
or multilabel indicator matrices wherever scikit-learn accepts them. Errors are ValueError /
TypeError as in scikit-learn, with scikit-learn's message after the function's name. Undefined
cases emit scikit-learn's own ``UndefinedMetricWarning`` (available here as
``gradbook.metrics.UndefinedMetricWarning``).
"""
from __future__ import annotations

from .agreement import balanced_accuracy_score, cohen_kappa_score, matthews_corrcoef
from .classification import (accuracy_score, confusion_matrix, f1_score, fbeta_score, hamming_loss, jaccard_score,
                             multilabel_confusion_matrix, precision_recall_fscore_support, precision_score,
                             recall_score, zero_one_loss)
from .decision import hinge_loss, top_k_accuracy_score
from .label_ranking import (coverage_error, dcg_score, label_ranking_average_precision_score, label_ranking_loss,
                            ndcg_score)
from .probabilistic import brier_score_loss, log_loss
from .ranking import auc, average_precision_score, det_curve, precision_recall_curve, roc_auc_score, roc_curve
from .regression import mean_absolute_error, mean_squared_error, r2_score
from .report import classification_report, classification_report_table, print_classification_report

__all__ = ["accuracy_score", "auc", "average_precision_score", "balanced_accuracy_score", "brier_score_loss",
           "classification_report", "classification_report_table", "cohen_kappa_score", "confusion_matrix",
           "coverage_error", "dcg_score", "det_curve", "f1_score", "fbeta_score", "hamming_loss", "hinge_loss",
           "jaccard_score", "label_ranking_average_precision_score", "label_ranking_loss", "log_loss",
           "matthews_corrcoef", "mean_absolute_error", "mean_squared_error", "multilabel_confusion_matrix",
           "ndcg_score", "precision_recall_curve", "precision_recall_fscore_support", "precision_score",
           "print_classification_report", "r2_score", "recall_score", "roc_auc_score", "roc_curve",
           "top_k_accuracy_score", "UndefinedMetricWarning", "zero_one_loss"]


def __getattr__(name: str):
    if name == "UndefinedMetricWarning":  # scikit-learn is slow to import; load it on first use
        from sklearn.exceptions import UndefinedMetricWarning

        return UndefinedMetricWarning
    raise AttributeError(f"module 'gradbook.metrics' has no attribute {name!r}")
