"""The scores added for issue 20 (balanced accuracy, Matthews, kappa, Jaccard, Hamming, zero-one,
hinge, Brier, top-k, DET, coverage, LRAP, ranking loss, DCG, NDCG) against scikit-learn on
hypothesis-drawn inputs: binary, multiclass and string labels, multilabel indicators, with and
without (float or integer) sample weights, with tied scores; equal values to 1e-12, the same
warning classes, or the same exception types."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, strategies as st

from parity.metrics_harness import same

STRING_NAMES = np.array(["ant", "bee", "cat", "dog", "eel"])


@st.composite
def labelled(draw, max_classes=5):
    """(y_true, y_pred, weights or None): ints or strings, 1..max_classes classes, some labels
    only in y_pred, weights float or int (zeros allowed)."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    n, k = draw(st.integers(1, 40)), draw(st.integers(1, max_classes))
    yt, yp = rng.integers(0, k, n), rng.integers(0, k, n)
    if draw(st.booleans()):
        yp = np.where(rng.random(n) < 0.6, yt, yp)  # mostly right: kappa and MCC far from 0
    if draw(st.booleans()):
        yt, yp = STRING_NAMES[yt], STRING_NAMES[yp]
    weights = draw(st.sampled_from([None, "float", "int"]))
    w = None if weights is None else rng.random(n) if weights == "float" else rng.integers(0, 4, n)
    return yt, yp, w


@st.composite
def indicators(draw):
    """(Y_true, Y_pred, weights or None), 0/1 matrices (n, L) of several densities."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    n, L = draw(st.integers(1, 30)), draw(st.integers(2, 5))
    density = draw(st.sampled_from([0.1, 0.5, 0.9]))
    Y = (rng.random((n, L)) < density).astype(int)
    P = np.where(rng.random((n, L)) < 0.7, Y, 1 - Y)
    w = rng.random(n) if draw(st.booleans()) else None
    return Y, P, w


@st.composite
def scored_indicators(draw):
    """(Y, S, weights or None): relevance matrices and scores with many ties or none."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    n, L = draw(st.integers(1, 20), label="n"), draw(st.integers(2, 6), label="L")
    Y = (rng.random((n, L)) < draw(st.sampled_from([0.2, 0.5, 0.8]))).astype(int)
    ties = draw(st.booleans())
    S = rng.integers(0, 3, (n, L)) / 2.0 if ties else rng.standard_normal((n, L)) + Y
    w = rng.random(n) + 0.1 if draw(st.booleans()) else None
    return Y, S, w


@given(labelled(), st.booleans())
def test_balanced_accuracy_matthews_kappa(data, adjusted):
    yt, yp, w = data
    same("balanced_accuracy_score", yt, yp, sample_weight=w, adjusted=adjusted)
    same("matthews_corrcoef", yt, yp, sample_weight=w)
    for weights in (None, "linear", "quadratic"):
        same("cohen_kappa_score", yt, yp, weights=weights, sample_weight=w)
    labels = np.unique(yt)[::-1][:3]
    same("cohen_kappa_score", yt, yp, labels=labels, weights="quadratic")
    same("cohen_kappa_score", yt, yp, labels=labels[:1], replace_undefined_by=0.0)


@given(labelled(), st.sampled_from([None, "micro", "macro", "weighted", "binary", "samples"]),
       st.sampled_from(["warn", 0.0, 1.0, np.nan]))
def test_jaccard_hamming_zero_one_labels(data, average, zero_division):
    yt, yp, w = data
    pos_label = yt[0]
    same("jaccard_score", yt, yp, average=average, sample_weight=w, zero_division=zero_division, pos_label=pos_label)
    same("jaccard_score", yt, yp, average=average, labels=np.unique(yp)[:2], zero_division=zero_division)
    same("hamming_loss", yt, yp, sample_weight=w)
    same("zero_one_loss", yt, yp, sample_weight=w)
    same("zero_one_loss", yt, yp, sample_weight=w, normalize=False)


@given(indicators(), st.sampled_from([None, "micro", "macro", "weighted", "samples", "binary"]),
       st.sampled_from(["warn", 0.0, 1.0, np.nan]))
def test_jaccard_hamming_zero_one_indicators(data, average, zero_division):
    Y, P, w = data
    same("jaccard_score", Y, P, average=average, sample_weight=w, zero_division=zero_division)
    same("jaccard_score", Y, P, average=average, labels=[1, 0], zero_division=zero_division)
    same("hamming_loss", Y, P, sample_weight=w)
    same("zero_one_loss", Y, P, sample_weight=w, normalize=False)
    for name in ("balanced_accuracy_score", "matthews_corrcoef", "cohen_kappa_score"):
        same(name, Y, P)  # indicator targets: refused by both


@given(st.integers(1, 40), st.integers(2, 5), st.integers(0, 2**32 - 1), st.booleans(), st.booleans())
def test_hinge_loss(n, k, seed, weighted, strings):
    rng = np.random.default_rng(seed)
    w = rng.random(n) if weighted else None
    y2 = rng.integers(0, 2, n)
    y2 = STRING_NAMES[y2] if strings else y2 * 2 - 1
    same("hinge_loss", y2, rng.standard_normal(n), sample_weight=w)
    same("hinge_loss", y2, rng.integers(-2, 3, n), sample_weight=w)  # integer decisions, ties at the margin
    y = rng.integers(0, k, n)
    y = STRING_NAMES[y] if strings else y
    f = rng.integers(-2, 3, (n, k)) / 2.0  # ties between the true class and its best rival
    same("hinge_loss", y, f, sample_weight=w)
    same("hinge_loss", y, f, labels=np.unique(STRING_NAMES[:k] if strings else np.arange(k)), sample_weight=w)
    same("hinge_loss", y, f[:, :-1])  # one column short: ValueError in both (or fine if y has k - 1 classes)


@given(st.integers(1, 40), st.integers(2, 5), st.integers(0, 2**32 - 1), st.booleans(),
       st.sampled_from(["auto", True, False]))
def test_brier_score_loss(n, k, seed, weighted, scale_by_half):
    rng = np.random.default_rng(seed)
    w = rng.random(n) if weighted else None
    y = rng.integers(0, 2, n)
    p = rng.integers(0, 5, n) / 4.0
    same("brier_score_loss", y, p, sample_weight=w, scale_by_half=scale_by_half)
    same("brier_score_loss", y + 3, p, sample_weight=w)            # {3, 4}: the greater is positive
    same("brier_score_loss", y + 3, p, pos_label=3)
    same("brier_score_loss", STRING_NAMES[y], p)                   # strings without pos_label: ValueError
    same("brier_score_loss", STRING_NAMES[y], p, pos_label="ant")
    yk = rng.integers(0, k, n)
    P = rng.dirichlet(np.ones(k), n)
    same("brier_score_loss", yk, P, sample_weight=w, scale_by_half=scale_by_half)
    same("brier_score_loss", yk, P, labels=np.arange(k))
    same("brier_score_loss", STRING_NAMES[yk], P, labels=STRING_NAMES[:k])


@given(st.integers(1, 40), st.integers(2, 5), st.integers(1, 5), st.integers(0, 2**32 - 1), st.booleans(),
       st.booleans())
def test_top_k_accuracy(n, n_classes, k, seed, weighted, ties):
    rng = np.random.default_rng(seed)
    w = rng.random(n) if weighted else None
    y = rng.integers(0, n_classes, n)
    S = rng.integers(0, 3, (n, n_classes)) / 2.0 if ties else rng.standard_normal((n, n_classes))
    same("top_k_accuracy_score", y, S, k=k, sample_weight=w)
    same("top_k_accuracy_score", y, S, k=k, labels=np.arange(n_classes), normalize=False, sample_weight=w)
    same("top_k_accuracy_score", STRING_NAMES[y], S, k=k, labels=STRING_NAMES[:n_classes])
    y2 = rng.integers(0, 2, n)
    same("top_k_accuracy_score", y2, S[:, 0] / 2, k=k, sample_weight=w)   # scores in [0, 1]: threshold 0.5
    same("top_k_accuracy_score", y2, S[:, 0] - 0.5, k=1)                  # other scores: threshold 0


@given(st.integers(1, 50), st.integers(0, 2**32 - 1), st.booleans(), st.booleans(), st.booleans())
def test_det_curve(n, seed, ties, weighted, drop):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    s = rng.integers(0, 5, n) / 4.0 if ties else rng.standard_normal(n) + y
    w = rng.random(n) if weighted else None
    same("det_curve", y, s, sample_weight=w, drop_intermediate=drop, exact=not weighted)
    same("det_curve", STRING_NAMES[y], s, pos_label="ant", drop_intermediate=drop)


@given(scored_indicators())
def test_multilabel_ranking(data):
    Y, S, w = data
    for name in ("coverage_error", "label_ranking_average_precision_score", "label_ranking_loss"):
        same(name, Y, S, sample_weight=w)
    same("label_ranking_average_precision_score", Y[:, :1], S[:, :1])  # one column: 'binary' allowed by LRAP only
    same("coverage_error", Y[:, 0], S[:, 0])                           # 1-d: refused


@given(scored_indicators(), st.sampled_from([None, 1, 2, 4]), st.booleans(), st.sampled_from([2, 10, 0.5]))
def test_dcg_ndcg(data, k, ignore_ties, log_base):
    Y, S, w = data
    gains = Y * np.arange(1, Y.shape[1] + 1)  # graded relevance (multiclass-multioutput)
    for y_true in (Y, gains, gains * 0.5):
        same("dcg_score", y_true, S, k=k, ignore_ties=ignore_ties, log_base=log_base, sample_weight=w)
        same("ndcg_score", y_true, S, k=k, ignore_ties=ignore_ties, sample_weight=w)
    same("dcg_score", gains - 2, S, k=k)           # negative gains are fine for DCG ...
    same("ndcg_score", gains - 2, S, k=k)          # ... not for NDCG: ValueError in both
    same("ndcg_score", Y[:, :1], S[:, :1])         # one document: ValueError in both


@pytest.mark.parametrize("name, args, kwargs", [
    ("balanced_accuracy_score", ([0, 1, 1], [0, 1, 2]), {}),                     # class only in y_pred: warning
    ("balanced_accuracy_score", ([1, 1], [1, 1]), {"adjusted": True}),           # one class: 0/0
    ("matthews_corrcoef", ([1, 1, 1], [1, 1, 1]), {}),
    ("cohen_kappa_score", ([0, 0], [1, 1]), {"labels": [0]}),                    # y2 has no common label
    ("cohen_kappa_score", ([0, 0], [0, 0]), {}),                                 # a single label
    ("cohen_kappa_score", ([0, 1], [0, 1]), {"labels": [5]}),
    ("cohen_kappa_score", ([0, 1], [0, 1]), {"weights": "cubic"}),
    ("jaccard_score", ([0, 1, 2], [0, 1, 1]), {}),
    ("jaccard_score", ([[0, 1], [1, 1]], [[0, 1], [1, 0]]), {"labels": [2]}),
    ("hinge_loss", ([0, 1, 2], [0.1, 0.2, 0.3]), {}),
    ("hinge_loss", ([0, 1, 2], np.eye(3)[:, :2]), {}),
    ("brier_score_loss", ([0, 1, 2], [0.1, 0.2, 0.3]), {}),
    ("brier_score_loss", ([0, 1], [0.1, 1.2]), {}),
    ("brier_score_loss", ([0, 1], [-0.1, 0.2]), {}),
    ("brier_score_loss", ([0, 1, 2], np.full((3, 2), 0.5)), {}),
    ("brier_score_loss", ([1, 1], np.full((2, 2), 0.5)), {}),
    ("top_k_accuracy_score", ([0, 1, 2], np.eye(3)), {"k": 0}),
    ("top_k_accuracy_score", ([0, 1, 1], np.eye(3)), {}),
    ("top_k_accuracy_score", ([0, 1, 2], np.eye(3)[:, :2]), {"labels": [0, 1]}),
    ("top_k_accuracy_score", ([0, 1, 0], np.eye(3)), {"labels": [1, 0, 2]}),
    ("top_k_accuracy_score", ([0, 1, 0], np.eye(3)), {"labels": [0, 0, 2]}),
    ("top_k_accuracy_score", ([0, 1], np.eye(2)), {}),
    ("top_k_accuracy_score", ([0.5, 1.5], [0.1, 0.2]), {}),
    ("det_curve", ([1, 1, 1], [0.1, 0.2, 0.3]), {}),
    ("coverage_error", ([[0, 1], [1, 1]], [[0.1, 0.2, 0.3], [0.1, 0.2, 0.3]]), {}),
    ("label_ranking_loss", ([[0, 2], [1, 0]], [[0.1, 0.2], [0.3, np.nan]]), {}),
    ("label_ranking_average_precision_score", ([[0, 1], [1, 1]], [[0.1, 0.2]]), {}),
    ("dcg_score", ([0, 1, 2], [0.1, 0.2, 0.3]), {}),
    ("dcg_score", ([[0, 1], [1, 1]], [[0.1, 0.2], [0.3, 0.4]]), {"k": 0}),
    ("ndcg_score", ([[0, 1], [1, 1]], [[0.1, 0.2], [0.3, 0.4]]), {"k": 1.5}),
])
def test_refusals_and_warnings(name, args, kwargs):
    same(name, *args, **kwargs)


LABEL_METRICS = ["accuracy_score", "zero_one_loss", "hamming_loss", "confusion_matrix", "multilabel_confusion_matrix",
                 "balanced_accuracy_score", "matthews_corrcoef", "cohen_kappa_score", "jaccard_score", "f1_score",
                 "precision_score", "recall_score", "precision_recall_fscore_support", "classification_report"]


@given(labelled(), st.sampled_from(LABEL_METRICS), st.sampled_from([None, "micro", "macro", "weighted"]))
def test_every_label_metric_on_labels_strings_and_weights(data, name, average):
    """The older label metrics too, on the same draws: string labels, integer weights, one class."""
    yt, yp, w = data
    kwargs = {"average": average} if name in ("jaccard_score", "f1_score", "precision_score", "recall_score",
                                              "precision_recall_fscore_support") else {}
    same(name, yt, yp, sample_weight=w, **kwargs)


@given(st.integers(2, 40), st.integers(2, 4), st.integers(0, 2**32 - 1), st.booleans())
def test_log_loss_string_labels_and_int_weights(n, k, seed, ties):
    rng = np.random.default_rng(seed)
    y = STRING_NAMES[rng.integers(0, k, n)]
    P = rng.integers(1, 4, (n, k)).astype(float) if ties else rng.random((n, k)) + 0.05
    P /= P.sum(axis=1, keepdims=True)
    same("log_loss", y, P, labels=STRING_NAMES[:k], sample_weight=rng.integers(1, 4, n))
    same("log_loss", y, P, sample_weight=rng.integers(1, 4, n), normalize=False)
