"""Multilabel indicator targets (2-d 0/1 arrays) in the label metrics against scikit-learn:
precision / recall / F-beta with every average including 'samples', subset accuracy, the
classification report, multilabel_confusion_matrix (per label and samplewise, 1-d targets too)."""
from __future__ import annotations

import numpy as np
from hypothesis import given, strategies as st

from parity.metrics_harness import same

AVERAGES = [None, "micro", "macro", "weighted", "samples", "binary"]
ZERO_DIVISION = ["warn", 0.0, 1.0, np.nan]


@st.composite
def indicators(draw):
    """(Y_true, Y_pred, weights or None, rng): 0/1 matrices (n, L), sparse to dense, some rows
    and columns empty; weights float or int."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    n, L = draw(st.integers(1, 30)), draw(st.integers(2, 5))
    Y = (rng.random((n, L)) < draw(st.sampled_from([0.1, 0.5, 0.9]))).astype(int)
    P = np.where(rng.random((n, L)) < draw(st.sampled_from([0.5, 0.8])), Y, 1 - Y)
    if draw(st.booleans()):
        Y, P = Y.astype(bool), P.astype(float)  # other dtypes of the same indicators
    weights = draw(st.sampled_from([None, "float", "int"]))
    w = None if weights is None else rng.random(n) if weights == "float" else rng.integers(1, 4, n)
    return Y, P, w, rng


@given(indicators(), st.sampled_from(AVERAGES), st.sampled_from(ZERO_DIVISION))
def test_precision_recall_fscore_on_indicators(data, average, zero_division):
    Y, P, w, _ = data
    for name in ("precision_score", "recall_score", "f1_score"):
        same(name, Y, P, average=average, zero_division=zero_division, sample_weight=w)
    same("fbeta_score", Y, P, beta=2.0, average=average, zero_division=zero_division)
    same("precision_recall_fscore_support", Y, P, average=average, sample_weight=w, zero_division=zero_division)
    same("precision_recall_fscore_support", Y, P, average=average, labels=[1, 0])
    same("precision_recall_fscore_support", Y, P, average=average, labels=[Y.shape[1]])  # out of range: ValueError


@given(indicators(), st.booleans())
def test_subset_accuracy_and_confusion_matrices(data, samplewise):
    Y, P, w, _ = data
    same("accuracy_score", Y, P)
    same("accuracy_score", Y, P, sample_weight=w, normalize=False)
    same("multilabel_confusion_matrix", Y, P, samplewise=samplewise, exact=True)
    same("multilabel_confusion_matrix", Y, P, sample_weight=w, samplewise=samplewise)
    same("multilabel_confusion_matrix", Y, P, labels=[1, 0], samplewise=samplewise, exact=True)
    same("confusion_matrix", Y, P)  # indicators: refused by both


@given(st.integers(1, 40), st.integers(1, 5), st.integers(0, 2**32 - 1), st.booleans())
def test_multilabel_confusion_matrix_on_labels(n, k, seed, strings):
    rng = np.random.default_rng(seed)
    yt, yp = rng.integers(0, k, n), rng.integers(0, k, n)
    if strings:
        yt, yp = np.array(list("abcde"))[yt], np.array(list("abcde"))[yp]
    same("multilabel_confusion_matrix", yt, yp, exact=True)
    same("multilabel_confusion_matrix", yt, yp, sample_weight=rng.random(n))
    same("multilabel_confusion_matrix", yt, yp, labels=np.unique(yt)[::-1], exact=True)
    same("multilabel_confusion_matrix", yt, yp, samplewise=True)  # 1-d targets: ValueError in both
    same("precision_recall_fscore_support", yt, yp, average="samples")  # likewise


@given(indicators(), st.integers(1, 4), st.sampled_from(["warn", 0.0, 1.0]))
def test_classification_report_on_indicators(data, digits, zero_division):
    Y, P, w, _ = data
    same("classification_report", Y, P, digits=digits, zero_division=zero_division)
    same("classification_report", Y, P, output_dict=True, sample_weight=w, zero_division=zero_division)
    names = [f"tag {i}" for i in range(Y.shape[1])]
    same("classification_report", Y, P, target_names=names)
    same("classification_report", Y, P, labels=[0, 1], output_dict=True)


def test_mixed_and_mismatched_targets_are_refused_as_sklearn():
    Y = np.array([[0, 1], [1, 1]])
    same("accuracy_score", Y, [0, 1])                      # indicators vs labels
    same("accuracy_score", Y, np.array([[0, 1, 0], [1, 1, 0]]))  # different numbers of labels
    same("f1_score", Y, np.array([[0, 2], [1, 1]]), average="micro")  # three values: multiclass-multioutput
    same("f1_score", np.array([[0, 2], [2, 0]]), np.array([[2, 2], [0, 0]]), average="macro")  # {0, 2}: indicators
