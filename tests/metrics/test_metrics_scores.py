"""The agreement, decision and multilabel-ranking scores against hand calculations (parity with
scikit-learn on random inputs is in tests/parity/test_metrics_scores_parity.py)."""
from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.exceptions import UndefinedMetricWarning

import gradbook.metrics as gbm

# y_true 0 0 1 1 1 2 / y_pred 0 1 1 1 2 2: C = [[1, 1, 0], [0, 2, 1], [0, 0, 1]]
YT = [0, 0, 1, 1, 1, 2]
YP = [0, 1, 1, 1, 2, 2]


@pytest.mark.filterwarnings("ignore:A single label was found")
def test_balanced_accuracy_and_matthews_by_hand():
    recall = [1 / 2, 2 / 3, 1 / 1]
    assert gbm.balanced_accuracy_score(YT, YP) == pytest.approx(np.mean(recall))
    assert gbm.balanced_accuracy_score(YT, YP, adjusted=True) == pytest.approx((np.mean(recall) - 1 / 3) / (2 / 3))
    # binary MCC = (tp tn - fp fn) / sqrt((tp + fp)(tp + fn)(tn + fp)(tn + fn))
    yt, yp = [1, 1, 1, 0, 0, 0, 0], [1, 1, 0, 1, 0, 0, 0]
    tp, tn, fp, fn = 2, 3, 1, 1
    want = (tp * tn - fp * fn) / math.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
    assert gbm.matthews_corrcoef(yt, yp) == pytest.approx(want)
    assert gbm.matthews_corrcoef([1, 1], [1, 1]) == 0.0


@pytest.mark.filterwarnings("ignore:A single label was found")
def test_cohen_kappa_by_hand():
    # p_o = 4/6; p_e = sum_k rows_k cols_k / n^2 = (2*1 + 3*3 + 1*2) / 36
    p_o, p_e = 4 / 6, (2 * 1 + 3 * 3 + 1 * 2) / 36
    assert gbm.cohen_kappa_score(YT, YP) == pytest.approx((p_o - p_e) / (1 - p_e))
    # quadratic: disagreements weighted (i - j)^2
    C = np.array([[1, 1, 0], [0, 2, 1], [0, 0, 1]], float)
    E = np.outer(C.sum(1), C.sum(0)) / C.sum()
    W = (np.arange(3)[:, None] - np.arange(3)[None, :]) ** 2
    assert gbm.cohen_kappa_score(YT, YP, weights="quadratic") == pytest.approx(1 - (W * C).sum() / (W * E).sum())
    with pytest.warns(UndefinedMetricWarning, match="only one label in common"):
        assert math.isnan(gbm.cohen_kappa_score([0, 0], [0, 0]))


def test_jaccard_hamming_zero_one_by_hand():
    # label 0: tp 1 fp 0 fn 1 -> 1/2; label 1: tp 2 fp 1 fn 1 -> 2/4; label 2: tp 1 fp 1 fn 0 -> 1/2
    np.testing.assert_allclose(gbm.jaccard_score(YT, YP, average=None), [0.5, 0.5, 0.5])
    assert gbm.jaccard_score(YT, YP, average="micro") == pytest.approx(4 / (4 + 2 + 2))
    assert gbm.hamming_loss(YT, YP) == pytest.approx(2 / 6)
    assert gbm.zero_one_loss(YT, YP, normalize=False) == 2
    Y = np.array([[1, 0, 1], [0, 1, 0]])
    P = np.array([[1, 1, 1], [0, 1, 0]])
    assert gbm.hamming_loss(Y, P) == pytest.approx(1 / 6)          # one wrong label out of six
    assert gbm.accuracy_score(Y, P) == 0.5                          # subset accuracy
    assert gbm.jaccard_score(Y, P, average="samples") == pytest.approx((2 / 3 + 1) / 2)
    np.testing.assert_array_equal(gbm.multilabel_confusion_matrix(Y, P),
                                  [[[1, 0], [0, 1]], [[0, 1], [0, 1]], [[1, 0], [0, 1]]])


def test_hinge_brier_top_k_by_hand():
    # binary: labels {-1, 1}; losses max(0, 1 - y f) = 0.5, 0, 1.3
    assert gbm.hinge_loss([1, -1, 1], [0.5, -2.0, -0.3]) == pytest.approx((0.5 + 0 + 1.3) / 3)
    # multiclass: margin = f[y] - max other = 1 - 0.5, 0.2 - 0.9
    f = np.array([[1.0, 0.5, 0.2], [0.9, 0.2, 0.1]])
    assert gbm.hinge_loss([0, 1], f, labels=[0, 1, 2]) == pytest.approx((0.5 + 1.7) / 2)
    assert gbm.brier_score_loss([0, 1, 1], [0.1, 0.9, 0.6]) == pytest.approx((0.01 + 0.01 + 0.16) / 3)
    P = np.array([[0.2, 0.7, 0.1], [0.6, 0.3, 0.1]])
    # rows: true 1 -> (0.2, 0.3, 0.1); true 2 -> (0.6, 0.3, 0.9); the labels fix the three columns
    assert gbm.brier_score_loss([1, 2], P, labels=[0, 1, 2]) == pytest.approx(
        (0.04 + 0.09 + 0.01 + 0.36 + 0.09 + 0.81) / 2)
    S = np.array([[0.5, 0.3, 0.2], [0.1, 0.3, 0.6], [0.2, 0.5, 0.3]])
    # true 1, 2, 0: top-1 0, 2, 1 (one hit); top-2 {0, 1}, {2, 1}, {1, 2} (two hits)
    assert gbm.top_k_accuracy_score([1, 2, 0], S, k=1) == pytest.approx(1 / 3)
    assert gbm.top_k_accuracy_score([1, 2, 0], S, k=2) == pytest.approx(2 / 3)


def test_multilabel_ranking_by_hand():
    Y = np.array([[1, 0, 0], [0, 0, 1]])
    S = np.array([[0.75, 0.5, 1.0], [1.0, 0.2, 0.1]])
    # sample 0: the relevant label ranks 2nd; sample 1: 3rd
    assert gbm.coverage_error(Y, S) == pytest.approx((2 + 3) / 2)
    assert gbm.label_ranking_average_precision_score(Y, S) == pytest.approx((1 / 2 + 1 / 3) / 2)
    # sample 0: 1 of 2 pairs wrong; sample 1: 2 of 2
    assert gbm.label_ranking_loss(Y, S) == pytest.approx((1 / 2 + 2 / 2) / 2)


def test_dcg_averages_tied_gains():
    # scores tie the first two documents (gains 3 and 1): each position gets their mean gain 2
    want = 2 / math.log2(2) + 2 / math.log2(3) + 0 / math.log2(4)
    assert gbm.dcg_score([[3, 1, 0]], [[1.0, 1.0, 0.0]]) == pytest.approx(want)
    ideal = 3 / math.log2(2) + 1 / math.log2(3)
    assert gbm.ndcg_score([[3, 1, 0]], [[1.0, 1.0, 0.0]]) == pytest.approx(want / ideal)
    assert gbm.ndcg_score([[3, 1, 0]], [[0.0, 1.0, 2.0]], k=1) == 0.0
