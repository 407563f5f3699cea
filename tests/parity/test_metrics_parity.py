"""gradbook.metrics against scikit-learn on random inputs (hypothesis): same values, same
exception types, same warning classes. Curves must be equal exactly; scalar scores to 1e-12."""
from __future__ import annotations

import numpy as np
import pytest
import sklearn.metrics as skm
from hypothesis import given, strategies as st

import gradbook as gb
import gradbook.metrics as gbm
from parity.metrics_harness import same


# ------------------------------------------------------------------------------------------------
# strategies
# ------------------------------------------------------------------------------------------------
@st.composite
def binary_scored(draw, min_size=1):
    """(y_true in {0,1}, scores): with many ties (few distinct values) or few (continuous)."""
    n = draw(st.integers(min_size, 60))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    if draw(st.booleans()):
        scores = rng.integers(0, draw(st.integers(1, 6)), n) / 4.0  # heavy ties
    else:
        scores = rng.standard_normal(n) + 0.7 * y
    return y, scores, rng


@st.composite
def label_pairs(draw):
    n = draw(st.integers(1, 50))
    k = draw(st.integers(2, 5))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    return rng.integers(0, k, n), rng.integers(0, k, n), rng


# ------------------------------------------------------------------------------------------------
# ranking
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("score_dtype", [np.float32, np.int64, np.float64])
def test_curve_dtypes_and_bool_labels(score_dtype):
    rng = np.random.default_rng(7)
    y = rng.integers(0, 2, 200).astype(bool)
    s = (rng.random(200) * 9).astype(score_dtype)
    for method in ("sorted", "sweep"):
        same("roc_curve", y, s, exact=True, gb_kwargs={"method": method})
    same("precision_recall_curve", y, s, exact=True)  # thresholds keep the scores' dtype
    same("roc_auc_score", np.where(y, "yes", "no"), s)
    same("average_precision_score", y, s)


@given(binary_scored(), st.booleans(), st.sampled_from(["sorted", "sweep"]))
def test_roc_curve_equals_sklearn_exactly(data, drop, method):
    y, s, _ = data
    same("roc_curve", y, s, drop_intermediate=drop, exact=True, gb_kwargs={"method": method})


@given(binary_scored(min_size=2), st.booleans())
def test_roc_curve_weighted_and_pos_label(data, drop):
    y, s, rng = data
    w = rng.integers(0, 3, len(y)).astype(float)
    same("roc_curve", y, s, sample_weight=w, drop_intermediate=drop, exact=True)
    labels = np.array(["neg", "pos"])[y]
    same("roc_curve", labels, s, pos_label="pos", drop_intermediate=drop, exact=True)
    same("roc_curve", y + 1, s, pos_label=1, exact=True)          # {1, 2}, 1 positive
    same("roc_curve", y + 1, s)                                    # {1, 2} without pos_label: ValueError


@given(binary_scored())
def test_roc_auc_sweep_sorted_and_sklearn_agree(data):
    y, s, _ = data
    want = same("roc_auc_score", y, s)
    for method in ("sorted", "sweep"):
        got = same("roc_auc_score", y, s, gb_kwargs={"method": method})
        assert (got is None) == (want is None)


@given(binary_scored(min_size=2))
def test_naive_equals_sorted_without_ties(data):
    y, _, rng = data
    s = rng.permutation(len(y)).astype(float)  # all distinct: grouping ties changes nothing
    same("roc_curve", y, s, exact=True, gb_kwargs={"method": "naive"})
    same("roc_auc_score", y, s, gb_kwargs={"method": "naive"})


@given(binary_scored(min_size=2), st.sampled_from([None, 0.2, 0.5, 1.0]))
def test_roc_auc_score_binary_weights_and_max_fpr(data, max_fpr):
    y, s, rng = data
    w = rng.random(len(y))
    same("roc_auc_score", y, s, sample_weight=w, max_fpr=max_fpr)
    same("roc_auc_score", y * 2 - 1, s, max_fpr=max_fpr)


@given(st.integers(3, 60), st.integers(3, 5), st.integers(0, 2**32 - 1),
       st.sampled_from(["macro", "weighted", "micro", None]), st.booleans())
def test_roc_auc_score_multiclass_ovr(n, k, seed, average, ties):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    logits = rng.integers(0, 3, (n, k)).astype(float) if ties else rng.standard_normal((n, k))
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    same("roc_auc_score", y, p, multi_class="ovr", average=average)
    same("roc_auc_score", y, p, average=average)  # multi_class='raise': ValueError in both
    same("roc_auc_score", y, p, multi_class="ovr", average=average, labels=np.arange(k))


@given(st.integers(3, 60), st.integers(3, 5), st.integers(0, 2**32 - 1),
       st.sampled_from(["macro", "weighted", None, "micro"]), st.booleans(), st.booleans())
def test_roc_auc_score_multiclass_ovo(n, k, seed, average, ties, strings):
    """Hand & Till's one-vs-one AUC, with classes missing from y_true when labels are given."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    logits = rng.integers(0, 3, (n, k)).astype(float) if ties else rng.standard_normal((n, k))
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    names = np.array(["ant", "bee", "cat", "dog", "eel"])
    yl = names[y] if strings else y
    labels = names[:k] if strings else np.arange(k)
    same("roc_auc_score", yl, p, multi_class="ovo", average=average)  # None and 'micro' are refused
    same("roc_auc_score", yl, p, multi_class="ovo", average=average, labels=labels)
    same("roc_auc_score", yl, p, multi_class="ovo", sample_weight=rng.random(n))  # refused


@given(st.integers(2, 30), st.integers(2, 4), st.integers(0, 2**32 - 1),
       st.sampled_from(["macro", "weighted", None, "micro", "samples"]), st.booleans())
def test_roc_auc_and_ap_multilabel(n, k, seed, average, weighted):
    rng = np.random.default_rng(seed)
    Y = (rng.random((n, k)) < 0.5).astype(int)
    S = rng.integers(0, 4, (n, k)) / 3.0
    w = rng.random(n) if weighted else None
    same("roc_auc_score", Y, S, average=average, sample_weight=w)
    same("average_precision_score", Y, S, average=average, sample_weight=w)


@given(binary_scored(), st.booleans())
def test_precision_recall_curve_and_ap(data, drop):
    y, s, rng = data
    same("precision_recall_curve", y, s, drop_intermediate=drop, exact=True)
    w = rng.integers(0, 3, len(y)).astype(float)
    same("precision_recall_curve", y, s, sample_weight=w, exact=True)
    same("average_precision_score", y, s)
    same("average_precision_score", y, s, sample_weight=w)
    same("average_precision_score", y * 3, s, pos_label=3)


@given(st.integers(3, 60), st.integers(3, 5), st.integers(0, 2**32 - 1),
       st.sampled_from(["macro", "weighted", "micro", None]))
def test_average_precision_multiclass(n, k, seed, average):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    p = rng.random((n, len(np.unique(y))))
    same("average_precision_score", y, p, average=average)


@pytest.mark.parametrize("y", [[1, 1, 1], [0, 0, 0], [2, 2, 2], [-1, -1, -1]])
def test_degenerate_one_class_behaves_as_sklearn(y):
    s = [0.1, 0.2, 0.3]
    for name in ("roc_curve", "roc_auc_score", "precision_recall_curve", "average_precision_score"):
        same(name, y, s)


def test_auc_matches_sklearn():
    rng = np.random.default_rng(0)
    x = np.sort(rng.random(20))
    y = rng.random(20)
    same("auc", x, y)
    same("auc", x[::-1], y)
    same("auc", rng.random(20), y)  # not monotonic: ValueError in both
    same("auc", [0.5], [1.0])       # one point: ValueError in both


# ------------------------------------------------------------------------------------------------
# classification
# ------------------------------------------------------------------------------------------------
@given(label_pairs(), st.sampled_from([None, "micro", "macro", "weighted"]),
       st.sampled_from(["warn", 0.0, 1.0, np.nan]))
def test_precision_recall_f1_all_averages(data, average, zero_division):
    yt, yp, rng = data
    for name in ("precision_score", "recall_score", "f1_score"):
        same(name, yt, yp, average=average, zero_division=zero_division)
    same("fbeta_score", yt, yp, beta=0.5, average=average, zero_division=zero_division)
    same("precision_recall_fscore_support", yt, yp, average=average, zero_division=zero_division)
    w = rng.random(len(yt))
    same("precision_recall_fscore_support", yt, yp, average=average, sample_weight=w)
    same("precision_recall_fscore_support", yt, yp, average=average, labels=[0, 2, 7])


@given(st.integers(1, 40), st.integers(0, 2**32 - 1), st.sampled_from([0, 1, 2]),
       st.sampled_from(["warn", 0.0, 1.0, np.nan]))
def test_binary_average_and_pos_label(n, seed, pos_label, zero_division):
    rng = np.random.default_rng(seed)
    yt, yp = rng.integers(0, 2, n), rng.integers(0, 2, n)
    for name in ("precision_score", "recall_score", "f1_score"):
        same(name, yt, yp, pos_label=pos_label, zero_division=zero_division)
        same(name, np.array(["a", "b"])[yt], np.array(["a", "b"])[yp], pos_label="a")
        same(name, yt + 1, yp + 1, pos_label=pos_label)


@given(label_pairs(), st.sampled_from([None, "true", "pred", "all"]))
def test_confusion_matrix_and_accuracy(data, normalize):
    yt, yp, rng = data
    same("confusion_matrix", yt, yp, normalize=normalize, exact=normalize is None)
    same("confusion_matrix", yt, yp, labels=[3, 0, 1], normalize=normalize)
    same("confusion_matrix", yt, yp, sample_weight=rng.random(len(yt)), normalize=normalize)
    same("accuracy_score", yt, yp)
    same("accuracy_score", yt, yp, normalize=False, sample_weight=rng.random(len(yt)))


@given(label_pairs(), st.integers(1, 4), st.sampled_from(["warn", 0.0, 1.0]))
def test_classification_report_text_and_dict(data, digits, zero_division):
    yt, yp, _ = data
    same("classification_report", yt, yp, digits=digits, zero_division=zero_division)
    same("classification_report", yt, yp, output_dict=True, zero_division=zero_division)
    names = [f"class {i}" for i in range(len(np.union1d(yt, yp)))]
    same("classification_report", yt, yp, target_names=names)
    same("classification_report", yt, yp, labels=[0, 1], output_dict=True)


@given(st.integers(2, 40), st.integers(2, 4), st.integers(0, 2**32 - 1), st.booleans())
def test_log_loss(n, k, seed, weighted):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    p = rng.random((n, k)) + 1e-3
    p /= p.sum(axis=1, keepdims=True)
    w = rng.random(n) if weighted else None
    if len(np.unique(y)) == k:
        same("log_loss", y, p, sample_weight=w)
        same("log_loss", y, p, normalize=False, sample_weight=w)
    same("log_loss", y, p, labels=np.arange(k))
    same("log_loss", (y > 0).astype(int), p[:, 0])


# ------------------------------------------------------------------------------------------------
# regression
# ------------------------------------------------------------------------------------------------
@given(st.integers(1, 40), st.integers(1, 3), st.integers(0, 2**32 - 1), st.booleans(),
       st.sampled_from(["raw_values", "uniform_average", "variance_weighted"]), st.booleans())
def test_regression_metrics(n, outputs, seed, weighted, multioutput, f32):
    rng = np.random.default_rng(seed)
    dtype = np.float32 if f32 else np.float64
    shape = (n,) if outputs == 1 else (n, outputs)
    yt, yp = rng.standard_normal(shape).astype(dtype), rng.standard_normal(shape).astype(dtype)
    w = rng.random(n) if weighted else None
    mo = "uniform_average" if multioutput == "variance_weighted" else multioutput
    rtol = 1e-5 if f32 else 1e-12
    for name in ("mean_squared_error", "mean_absolute_error"):
        g, want = getattr(gbm, name)(yt, yp, sample_weight=w, multioutput=mo), \
            getattr(skm, name)(yt, yp, sample_weight=w, multioutput=mo)
        np.testing.assert_allclose(g, want, rtol=rtol)
    if not f32:
        for force_finite in (True, False):
            same("r2_score", yt, yp, sample_weight=w, multioutput=multioutput, force_finite=force_finite)
            same("r2_score", yt, yt, sample_weight=w, multioutput=multioutput, force_finite=force_finite)
            # constant y_true: 1.0 / 0.0 with force_finite, nan / -inf without
            same("r2_score", np.ones(shape), yp, multioutput=multioutput, force_finite=force_finite)
    elif n > 1:  # float32: equal to float32 rounding (n == 1 is the warning case, covered above)
        np.testing.assert_allclose(gbm.r2_score(yt, yp, sample_weight=w, multioutput=mo),
                                   skm.r2_score(yt, yp, sample_weight=w, multioutput=mo), rtol=1e-5)


def test_tensors_are_accepted():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 30)
    s = rng.random(30)
    for a, b in zip(gbm.roc_curve(gb.tensor(y), gb.tensor(s, dtype="float64")), skm.roc_curve(y, s)):
        np.testing.assert_array_equal(a, b)
    assert gbm.f1_score(gb.tensor(y), gb.tensor(1 - y)) == skm.f1_score(y, 1 - y)
    assert gbm.mean_squared_error(gb.tensor(s, dtype="float64"), gb.tensor(s[::-1].copy(), dtype="float64")) \
        == pytest.approx(skm.mean_squared_error(s, s[::-1]), rel=1e-12)
