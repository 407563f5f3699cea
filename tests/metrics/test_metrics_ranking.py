"""ROC / PR behaviour checked against hand calculations and independent formulas (the
scikit-learn parity lives in tests/parity/test_metrics_parity.py)."""
from __future__ import annotations

import itertools

import numpy as np
import pytest
from sklearn.exceptions import UndefinedMetricWarning

import gradbook as gb
import gradbook.metrics as gbm
from gradbook.metrics import ranking


def mann_whitney(y, s) -> float:
    """P(score of a positive > score of a negative) + 0.5 P(tie), over all pairs (brute force)."""
    pos, neg = s[y == 1], s[y == 0]
    diff = pos[:, None] - neg[None, :]
    return float(((diff > 0) + 0.5 * (diff == 0)).mean())


def test_naive_depends_on_order_sorted_and_sweep_do_not():
    s = [0.9, 0.8, 0.8, 0.7]
    # hand calculation: positives first in the tie -> (0,.5),(0,1),(.5,1),(1,1): area 1;
    # negative first -> (0,.5),(.5,.5),(.5,1),(1,1): area .25 + .5 = .75;
    # grouped tie -> one diagonal step from (0,.5) to (.5,1): area .125 + .25 + .5 = .875
    assert gbm.roc_auc_score([1, 1, 0, 0], s, method="naive") == 1.0
    assert gbm.roc_auc_score([1, 0, 1, 0], s, method="naive") == 0.75
    for y in ([1, 1, 0, 0], [1, 0, 1, 0]):
        for method in ("sorted", "sweep"):
            assert gbm.roc_auc_score(y, s, method=method) == 0.875
            fpr, tpr, _ = gbm.roc_curve(y, s, method=method)
            assert gbm.auc(fpr, tpr) == 0.875
    fpr, tpr, thr = gbm.roc_curve([1, 0, 1, 0], s, method="naive", drop_intermediate=False)
    np.testing.assert_array_equal(fpr, [0, 0, 0.5, 0.5, 1])
    np.testing.assert_array_equal(tpr, [0, 0.5, 0.5, 1, 1])
    np.testing.assert_array_equal(thr, [np.inf, 0.9, 0.8, 0.8, 0.7])


def test_roc_curve_hand_example():
    # scores .8 (pos), .4 (neg), .35 (pos), .1 (neg), positive label 2
    fpr, tpr, thr = gbm.roc_curve([1, 1, 2, 2], [0.1, 0.4, 0.35, 0.8], pos_label=2)
    np.testing.assert_array_equal(fpr, [0, 0, 0.5, 0.5, 1])
    np.testing.assert_array_equal(tpr, [0, 0.5, 0.5, 1, 1])
    np.testing.assert_array_equal(thr, [np.inf, 0.8, 0.4, 0.35, 0.1])
    assert thr.dtype == np.float64


@pytest.mark.parametrize("method", ["sorted", "sweep", "naive"])
def test_auc_equals_mann_whitney(method):
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 300)
    s = np.round(rng.random(300) + 0.3 * y, 1)  # many ties
    if method == "naive":  # ties break by order: only the tie-free data agrees with the formula
        s = rng.permutation(300) + 0.25 * y  # distinct: integers vs integers + 1/4
    assert gbm.roc_auc_score(y, s, method=method) == pytest.approx(mann_whitney(y, s), abs=1e-12)


def test_sweep_blocks_give_the_same_counts(monkeypatch):
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 97)
    s = rng.integers(0, 40, 97) / 7
    want = gbm.roc_curve(y, s, method="sorted")
    monkeypatch.setattr(ranking, "_SWEEP_BLOCK", 97 * 3)  # 3 thresholds per block, a ragged last one
    for a, b in zip(gbm.roc_curve(y, s, method="sweep"), want):
        np.testing.assert_array_equal(a, b)
    w = rng.random(97)
    for a, b in zip(gbm.roc_curve(y, s, method="sweep", sample_weight=w),
                    gbm.roc_curve(y, s, sample_weight=w)):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_drop_intermediate_keeps_the_area():
    rng = np.random.default_rng(2)
    y, s = rng.integers(0, 2, 200), rng.integers(0, 30, 200)
    full = gbm.roc_curve(y, s, drop_intermediate=False)
    dropped = gbm.roc_curve(y, s)
    assert len(dropped[0]) <= len(full[0])
    assert gbm.auc(*dropped[:2]) == pytest.approx(gbm.auc(*full[:2]), abs=1e-12)


def test_one_class_roc_auc_warns_and_returns_nan():
    assert gbm.UndefinedMetricWarning is UndefinedMetricWarning  # scikit-learn's own class
    with pytest.warns(UndefinedMetricWarning, match="Only one class"):
        assert np.isnan(gbm.roc_auc_score([1, 1, 1], [0.2, 0.4, 0.3]))
    with pytest.warns(UndefinedMetricWarning, match="No negative samples"):
        fpr, tpr, _ = gbm.roc_curve([1, 1], [0.2, 0.4])
    assert np.isnan(fpr).all() and not np.isnan(tpr).any()
    with pytest.raises(ValueError, match="pos_label is not specified"):
        gbm.roc_curve([2, 2], [0.2, 0.4])


def test_pr_curve_hand_example():
    # descending scores .8 (pos) .4 (neg) .35 (pos) .1 (neg): precision at thresholds .1/.35/.4/.8
    precision, recall, thr = gbm.precision_recall_curve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    np.testing.assert_allclose(precision, [2 / 4, 2 / 3, 1 / 2, 1, 1])
    np.testing.assert_allclose(recall, [1, 1, 0.5, 0.5, 0])
    np.testing.assert_array_equal(thr, [0.1, 0.35, 0.4, 0.8])
    # AP = sum over recall steps of precision: 0.5 * 1 + 0.5 * 2/3
    assert gbm.average_precision_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == pytest.approx(0.5 + 1 / 3)


def test_multiclass_ovr_is_the_mean_of_one_vs_rest_areas():
    rng = np.random.default_rng(3)
    y = rng.integers(0, 3, 120)
    p = rng.dirichlet(np.ones(3), 120)
    per_class = [mann_whitney((y == c).astype(int), p[:, c]) for c in range(3)]
    assert gbm.roc_auc_score(y, p, multi_class="ovr") == pytest.approx(np.mean(per_class), abs=1e-12)
    support = np.bincount(y)
    assert gbm.roc_auc_score(y, p, multi_class="ovr", average="weighted") == pytest.approx(
        np.average(per_class, weights=support), abs=1e-12)


def test_tensor_inputs():
    y = gb.tensor([0, 1, 1, 0])
    s = gb.tensor([0.1, 0.9, 0.3, 0.4])
    assert gbm.roc_auc_score(y, s) == pytest.approx(0.75)


@pytest.mark.parametrize("call, match", [
    (lambda: gbm.roc_curve([0, 1], [0.1, 0.2], method="fast"), "roc_curve: method must be one of"),
    (lambda: gbm.roc_curve([0, 1], [0.1, np.nan]), "roc_curve: Input contains NaN"),
    (lambda: gbm.roc_curve([0, 1, 1], [0.1, 0.2]), "roc_curve: Found input variables with inconsistent numbers of samples"),
    (lambda: gbm.roc_curve([0.5, 1.5], [0.1, 0.2]), "roc_curve: continuous format is not supported"),
    (lambda: gbm.roc_auc_score([0, 1, 2], np.eye(3), multi_class="ovo", sample_weight=[1, 1, 1]),
     "sample_weight is not supported for multiclass one-vs-one ROC AUC"),
    (lambda: gbm.roc_auc_score([0, 1, 2], np.eye(3)), "multi_class must be in"),
    (lambda: gbm.roc_auc_score([0, 1], [0.1, 0.2], max_fpr=0), "max_fpr"),
    (lambda: gbm.auc([0, 1, 0.5], [1, 2, 3]), "auc: x is neither increasing nor decreasing"),
])
def test_bad_input_names_the_function(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_integer_and_bool_scores():
    y = np.array([0, 1, 1, 0, 1])
    for s in (np.array([1, 3, 3, 2, 0]), np.array([True, True, False, False, True])):
        pairs = [(p, n) for p, n in itertools.product(s[y == 1], s[y == 0])]
        want = np.mean([1.0 if p > n else 0.5 if p == n else 0.0 for p, n in pairs])
        assert gbm.roc_auc_score(y, s) == pytest.approx(want)
        assert gbm.roc_curve(y, s)[2].dtype == np.float64


def test_ovo_is_hand_and_till_over_pairs():
    """A(a, b) = (P(s_a(x_a) > s_a(x_b)) + P(s_b(x_b) > s_b(x_a))) / 2 over the samples of a and b,
    then the mean over pairs ('macro') or the mean weighted by the pairs' share of samples."""
    rng = np.random.default_rng(4)
    y = rng.integers(0, 3, 90)
    p = rng.dirichlet(np.ones(3), 90)
    pairs, share = [], []
    for a, b in itertools.combinations(range(3), 2):
        m = (y == a) | (y == b)
        pairs.append((mann_whitney((y[m] == a).astype(int), p[m, a]) + mann_whitney((y[m] == b).astype(int),
                                                                                      p[m, b])) / 2)
        share.append(m.mean())
    assert gbm.roc_auc_score(y, p, multi_class="ovo") == pytest.approx(np.mean(pairs), abs=1e-12)
    assert gbm.roc_auc_score(y, p, multi_class="ovo", average="weighted") == pytest.approx(
        np.average(pairs, weights=share), abs=1e-12)
    with pytest.raises(NotImplementedError, match="average=None is not implemented for multi_class='ovo'"):
        gbm.roc_auc_score(y, p, multi_class="ovo", average=None)


def test_det_curve_hand_example():
    # scores .8 (pos) .4 (neg) .35 (pos) .1 (neg): at threshold .35 one negative above, no positive missed
    fpr, fnr, thr = gbm.det_curve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    np.testing.assert_array_equal(thr, [0.35, 0.4, 0.8])
    np.testing.assert_array_equal(fpr, [0.5, 0.5, 0.0])
    np.testing.assert_array_equal(fnr, [0.0, 0.5, 0.5])
