"""Label, probability and regression metrics against hand calculations (parity with
scikit-learn is in tests/parity/test_metrics_parity.py)."""
from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.exceptions import UndefinedMetricWarning

import gradbook as gb
import gradbook.metrics as gbm

# y_true 0 0 1 1 1 2 / y_pred 0 1 1 1 2 2: label 0 tp1 fp0 fn1; label 1 tp2 fp1 fn1; label 2 tp1 fp1 fn0
YT = [0, 0, 1, 1, 1, 2]
YP = [0, 1, 1, 1, 2, 2]


def test_confusion_matrix_by_hand():
    np.testing.assert_array_equal(gbm.confusion_matrix(YT, YP), [[1, 1, 0], [0, 2, 1], [0, 0, 1]])
    np.testing.assert_array_equal(gbm.confusion_matrix(YT, YP, labels=[2, 0]), [[1, 0], [0, 1]])
    np.testing.assert_allclose(gbm.confusion_matrix(YT, YP, normalize="true"),
                               [[0.5, 0.5, 0], [0, 2 / 3, 1 / 3], [0, 0, 1]])
    assert gbm.confusion_matrix(YT, YP).dtype == np.int64


def test_precision_recall_f1_by_hand():
    p = np.array([1 / 1, 2 / 3, 1 / 2])
    r = np.array([1 / 2, 2 / 3, 1 / 1])
    f = 2 * p * r / (p + r)
    np.testing.assert_allclose(gbm.precision_score(YT, YP, average=None), p)
    np.testing.assert_allclose(gbm.recall_score(YT, YP, average=None), r)
    np.testing.assert_allclose(gbm.f1_score(YT, YP, average=None), f)
    assert gbm.precision_score(YT, YP, average="macro") == pytest.approx(p.mean())
    assert gbm.recall_score(YT, YP, average="weighted") == pytest.approx(np.average(r, weights=[2, 3, 1]))
    assert gbm.f1_score(YT, YP, average="micro") == pytest.approx(4 / 6)  # micro F1 = accuracy here
    assert gbm.accuracy_score(YT, YP) == pytest.approx(4 / 6)
    assert gbm.accuracy_score(YT, YP, normalize=False) == 4
    # binary: positive label 1 on a two-class problem, tp 2 fp 1 fn 1
    yt, yp = [0, 1, 1, 1, 0], [1, 1, 1, 0, 0]
    assert gbm.precision_score(yt, yp) == pytest.approx(2 / 3)
    assert gbm.recall_score(yt, yp, pos_label=0) == pytest.approx(1 / 2)
    assert gbm.fbeta_score(yt, yp, beta=2) == pytest.approx(5 * 2 / (5 * 2 + 4 * 1 + 1))


def test_zero_division():
    with pytest.warns(UndefinedMetricWarning, match="Precision is ill-defined"):
        assert gbm.precision_score([1, 1], [0, 0]) == 0.0
    assert gbm.precision_score([1, 1], [0, 0], zero_division=1.0) == 1.0
    assert math.isnan(gbm.precision_score([1, 1], [0, 0], zero_division=np.nan))
    with pytest.raises(ValueError, match="zero_division"):
        gbm.precision_score([1, 1], [0, 0], zero_division=0.5)


@pytest.mark.parametrize("call, match", [
    (lambda: gbm.f1_score([0, 1, 2], [0, 1, 1]), "Target is multiclass but average='binary'"),
    (lambda: gbm.f1_score([0, 1], [0, 1], pos_label=3), "pos_label=3 is not a valid label"),
    (lambda: gbm.f1_score([0, 1], [0, 1], average="samples"), "Samplewise metrics are not available outside"),
    (lambda: gbm.f1_score([0, 1], [0, 1], average="sample"), "The 'average' parameter of f1_score must be"),
    (lambda: gbm.accuracy_score([0, 1], [0, 1, 1]), r"accuracy_score: Found input variables with inconsistent numbers of samples: \[2, 3\]"),
    (lambda: gbm.accuracy_score([0.5, 1], [0, 1]), "Classification metrics can't handle a mix of continuous and binary"),
    (lambda: gbm.confusion_matrix([0, 1], [0, 1], normalize="rows"), "The 'normalize' parameter of confusion_matrix must be"),
    (lambda: gbm.confusion_matrix([0, 1], [0, 1], labels=[5]), "At least one label specified must be in y_true"),
    (lambda: gbm.log_loss([0, 1], [0.2, 1.2]), "greater than 1"),
    (lambda: gbm.log_loss([1, 1], [0.2, 0.3]), "only one label"),
    (lambda: gbm.mean_squared_error([1, 2], [1, 2, 3]), "mean_squared_error: Found input variables with inconsistent numbers"),
    (lambda: gbm.r2_score([1, 2], [1, np.inf]), "r2_score: Input contains infinity"),
    (lambda: gbm.mean_absolute_error([1, 2], [1, 2], multioutput="mean"), "The .multioutput. parameter of"),
])
def test_bad_input_names_the_function(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_log_loss_by_hand():
    p = np.array([[0.7, 0.2, 0.1], [0.1, 0.5, 0.4], [0.25, 0.25, 0.5]])
    want = -(math.log(0.7) + math.log(0.5) + math.log(0.5)) / 3
    assert gbm.log_loss([0, 1, 2], p) == pytest.approx(want, rel=1e-12)
    # 1-d probabilities are those of the greater label
    assert gbm.log_loss(["a", "b"], [0.2, 0.9]) == pytest.approx(-(math.log(0.8) + math.log(0.9)) / 2)


def test_regression_by_hand():
    yt, yp = np.array([3.0, -0.5, 2.0, 7.0]), np.array([2.5, 0.0, 2.0, 8.0])
    assert gbm.mean_squared_error(yt, yp) == pytest.approx((0.25 + 0.25 + 0 + 1) / 4)
    assert gbm.mean_absolute_error(yt, yp) == pytest.approx((0.5 + 0.5 + 0 + 1) / 4)
    ss_tot = np.sum((yt - yt.mean()) ** 2)
    assert gbm.r2_score(yt, yp) == pytest.approx(1 - 1.5 / ss_tot)
    w = np.array([1.0, 2.0, 0.5, 1.0])
    assert gbm.mean_squared_error(yt, yp, sample_weight=w) == pytest.approx(np.sum(w * (yt - yp) ** 2) / w.sum())
    with pytest.warns(UndefinedMetricWarning, match="less than two samples"):
        assert math.isnan(gbm.r2_score([1.0], [2.0]))
    two = np.stack([yt, 2 * yt], axis=1)
    np.testing.assert_allclose(gbm.mean_squared_error(two, two + [1, 2], multioutput="raw_values"), [1, 4])
    assert gbm.mean_squared_error(gb.tensor(yt, dtype="float64"), gb.tensor(yp, dtype="float64")) == \
        pytest.approx(0.375)
    assert isinstance(gbm.mean_squared_error(yt.astype(np.float32), yp.astype(np.float32)), float)


def test_tensors_as_labels():
    assert gbm.accuracy_score(gb.tensor(YT), gb.tensor(YP)) == pytest.approx(4 / 6)
    np.testing.assert_array_equal(gbm.confusion_matrix(gb.tensor(YT), YP), gbm.confusion_matrix(YT, YP))
