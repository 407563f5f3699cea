"""Input handling and error messages as scikit-learn's: bytes labels are a TypeError, ragged and
sequence-of-sequences targets a ValueError, object-dtype numeric sample weights are accepted and
integer weights summed exactly; every refusal carries scikit-learn's message after gradbook's
``name: `` prefix (compared character for character)."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, strategies as st

import gradbook.metrics as gbm
from parity.metrics_harness import same

LABEL_METRICS = ["accuracy_score", "zero_one_loss", "hamming_loss", "confusion_matrix", "multilabel_confusion_matrix",
                 "balanced_accuracy_score", "matthews_corrcoef", "cohen_kappa_score", "classification_report"]
AVERAGED = ["precision_score", "recall_score", "f1_score", "jaccard_score"]


def _ragged():
    a = np.empty(2, dtype=object)
    a[0], a[1] = [0, 1], [1]
    return a


@pytest.mark.parametrize("name", LABEL_METRICS + AVERAGED)
def test_bytes_labels_and_sequences_are_refused(name):
    same(name, [b"a", b"b", b"a"], [b"a", b"a", b"b"], message=True)
    same(name, np.array([b"a", b"b"]), np.array([b"b", b"b"]), message=True)
    same(name, _ragged(), _ragged(), message=True)
    same(name, [[0, 1], [1]], [[0, 1], [1]])  # ragged lists: ValueError (NumPy refuses them first in gradbook)


@pytest.mark.parametrize("name", ["roc_curve", "roc_auc_score", "average_precision_score", "det_curve",
                                  "precision_recall_curve"])
def test_bytes_labels_in_curves(name):
    same(name, np.array([b"a", b"b", b"a"]), [0.1, 0.2, 0.3], message=True)


@given(st.integers(1, 30), st.integers(2, 4), st.integers(0, 2**32 - 1))
def test_object_and_integer_sample_weights(n, k, seed):
    rng = np.random.default_rng(seed)
    yt, yp = rng.integers(0, k, n), rng.integers(0, k, n)
    w_int = rng.integers(1, 5, n)
    for name in LABEL_METRICS[:-1] + ["f1_score"]:
        kw = {"average": "macro"} if name == "f1_score" else {}
        same(name, yt, yp, sample_weight=w_int, **kw)
        if name in ("multilabel_confusion_matrix", "f1_score"):
            # scikit-learn 1.9 hands object weights to np.bincount here (TypeError); gradbook accepts them
            got = getattr(gbm, name)(yt, yp, sample_weight=w_int.astype(object), **kw)
            np.testing.assert_array_equal(got, getattr(gbm, name)(yt, yp, sample_weight=w_int.astype(float), **kw))
        else:
            same(name, yt, yp, sample_weight=w_int.astype(object), **kw)
    same("confusion_matrix", yt, yp, sample_weight=w_int, exact=True)  # int64 counts
    same("accuracy_score", yt, yp, sample_weight=w_int, normalize=False)


def test_huge_integer_weights_are_summed_exactly():
    w = np.array([2**60 + 1, 1, 3, 2**55 + 7])
    yt, yp = [0, 1, 1, 0], [0, 1, 0, 0]
    cm = gbm.confusion_matrix(yt, yp, sample_weight=w)
    assert cm.dtype == np.int64 and cm[0, 0] == 2**60 + 2**55 + 8  # float64 would round this
    same("confusion_matrix", yt, yp, sample_weight=w, exact=True)
    assert gbm.zero_one_loss(yt, yp, sample_weight=w, normalize=False) == 3.0


Y2 = np.array([[0, 1], [1, 1]])
P3 = np.eye(3)


@pytest.mark.parametrize("name, args, kwargs", [
    ("accuracy_score", ([0, 1], [0, 1, 1]), {}),
    ("accuracy_score", ([], []), {}),
    ("accuracy_score", ([0, 1], [0, 1]), {"sample_weight": [0, 0]}),
    ("accuracy_score", ([0, 1], [0, 1]), {"sample_weight": [1, np.nan]}),
    ("accuracy_score", ([0.5, 1], [0, 1]), {}),
    ("accuracy_score", (Y2, [0, 1]), {}),
    ("accuracy_score", (Y2, np.ones((2, 3))), {}),
    ("accuracy_score", ([[0, 2], [1, 1]], [[0, 2], [1, 1]]), {}),
    ("accuracy_score", ([0, 1], [0, np.nan]), {}),
    ("confusion_matrix", ([0, 1], [0, 1]), {"labels": []}),
    ("confusion_matrix", ([0, 1], [0, 1]), {"labels": [5]}),
    ("confusion_matrix", (Y2, Y2), {}),
    ("multilabel_confusion_matrix", ([0, 1], [0, 1]), {"samplewise": True}),
    ("multilabel_confusion_matrix", (Y2, Y2), {"labels": [2]}),
    ("multilabel_confusion_matrix", (Y2, Y2), {"labels": [-1]}),
    ("f1_score", ([0, 1, 2], [0, 1, 1]), {}),
    ("f1_score", (Y2, Y2), {}),
    ("f1_score", ([0, 1], [0, 1]), {"pos_label": 3}),
    ("f1_score", ([0, 1], [0, 1]), {"average": "samples"}),
    ("jaccard_score", ([0, 1, 2], [0, 1, 1]), {}),
    ("matthews_corrcoef", (Y2, Y2), {}),
    ("balanced_accuracy_score", (Y2, Y2), {}),
    ("cohen_kappa_score", ([0, 1], [0, 1]), {"labels": [5]}),
    ("hinge_loss", ([0, 1, 2], [0.1, 0.2, 0.3]), {}),
    ("hinge_loss", ([0, 1, 2], P3[:, :2]), {}),
    ("hinge_loss", ([0, 1, 2], P3[:, :2]), {"labels": [0, 1, 2]}),
    ("hinge_loss", ([0, 1, 5], P3), {"labels": [0, 1, 2]}),
    ("hinge_loss", ([0, 1], np.ones((2, 2))), {}),
    ("brier_score_loss", ([0, 1, 2], [0.1, 0.2, 0.3]), {}),
    ("brier_score_loss", ([0, 1], [0.1, 1.2]), {}),
    ("brier_score_loss", ([0, 1], [-0.1, 0.2]), {}),
    ("brier_score_loss", (["a", "b"], [0.1, 0.2]), {}),
    ("brier_score_loss", ([0, 1, 2], np.full((3, 2), 0.5)), {}),
    ("brier_score_loss", ([1, 1], np.full((2, 2), 0.5)), {}),
    ("brier_score_loss", ([0, 1], np.full((2, 2), 0.5)), {"labels": [1]}),
    ("log_loss", ([0, 1], [0.2, 1.2]), {}),
    ("log_loss", ([1, 1], [0.2, 0.3]), {}),
    ("log_loss", ([0, 1, 2], np.full((3, 2), 0.5)), {}),
    ("top_k_accuracy_score", ([0, 1, 1], P3), {}),
    ("top_k_accuracy_score", ([0, 1, 2], P3[:, :2]), {"labels": [0, 1]}),
    ("top_k_accuracy_score", ([0, 1, 0], P3), {"labels": [1, 0, 2]}),
    ("top_k_accuracy_score", ([0, 1, 0], P3), {"labels": [0, 0, 2]}),
    ("top_k_accuracy_score", ([0, 1, 3], P3), {"labels": [0, 1, 2]}),
    ("top_k_accuracy_score", ([0, 1, 2], [0.1, 0.2, 0.3]), {}),
    ("top_k_accuracy_score", ([0.5, 1.5], [0.1, 0.2]), {}),
    ("roc_auc_score", ([0, 1, 2], P3), {}),
    ("roc_auc_score", ([0, 1, 2], P3), {"multi_class": "ovr", "max_fpr": 0.5}),
    ("roc_auc_score", ([0, 1, 2], P3 * 2), {"multi_class": "ovr"}),
    ("roc_auc_score", ([0, 1, 2], [0.1, 0.2, 0.3]), {"multi_class": "ovr"}),
    ("roc_auc_score", ([0, 1, 2], P3), {"multi_class": "ovo", "average": "micro"}),
    ("roc_auc_score", ([0, 1, 2], P3), {"multi_class": "ovo", "sample_weight": [1, 1, 1]}),
    ("roc_auc_score", ([0, 1, 1], P3), {"multi_class": "ovr"}),
    ("roc_auc_score", ([0, 1, 2], P3), {"multi_class": "ovr", "labels": [0, 0, 1]}),
    ("roc_auc_score", ([0, 1, 2], P3), {"multi_class": "ovr", "labels": [1, 0, 2]}),
    ("roc_auc_score", ([0, 1, 2], P3), {"multi_class": "ovr", "labels": [0, 1]}),
    ("roc_auc_score", ([0, 1, 4], P3), {"multi_class": "ovr", "labels": [0, 1, 2]}),
    ("roc_curve", ([2, 2, 3], [0.1, 0.2, 0.3]), {}),
    ("roc_curve", ([0, 1, 1], [0.1, 0.2]), {}),
    ("roc_curve", ([0, 1], [0.1, np.nan]), {}),
    ("det_curve", ([1, 1, 1], [0.1, 0.2, 0.3]), {}),
    ("auc", ([0.5], [1.0]), {}),
    ("coverage_error", ([[0, 1], [1, 1]], [[0.1, 0.2, 0.3], [0.1, 0.2, 0.3]]), {}),
    ("coverage_error", ([0, 1, 2], [0.1, 0.2, 0.3]), {}),
    ("label_ranking_loss", ([[0, 1], [1, 1]], [[0.1, 0.2, 0.3], [0.1, 0.2, 0.3]]), {}),
    ("label_ranking_average_precision_score", ([[0, 1], [1, 1]], [[0.1, 0.2, 0.3], [0.1, 0.2, 0.3]]), {}),
    ("dcg_score", ([0, 1, 2], [0.1, 0.2, 0.3]), {}),
    ("ndcg_score", ([[0, -1], [1, 1]], [[0.1, 0.2], [0.3, 0.4]]), {}),
    ("ndcg_score", ([[1], [1]], [[0.1], [0.3]]), {}),
    ("roc_curve", ([0, 1, 2], [0.1, 0.2, 0.3]), {}),
    ("precision_recall_curve", ([2, 3], [0.1, 0.2]), {}),
    ("average_precision_score", ([0, 1], [0.1, 0.2]), {"pos_label": 3}),
    ("average_precision_score", ([0, 1, 2], P3), {"pos_label": 2}),
    ("log_loss", ([0, 3], [[0.2, 0.8], [0.5, 0.5]]), {"labels": [0, 1]}),
    ("log_loss", ([0, 1], [[0.2, 0.8], [0.5, np.nan]]), {}),
    ("mean_squared_error", ([1, 2], [1, np.nan]), {}),
    ("mean_squared_error", ([[1, 2], [1, 2]], [1, 2]), {}),
    ("mean_squared_error", ([1, 2], [1, 2]), {"multioutput": [1, 2]}),
    ("mean_squared_error", ([[1, 2], [1, 2]], [[1, 2], [1, 2]]), {"multioutput": [1, 2, 3]}),
    ("mean_absolute_error", ([1, 2], [1, 2]), {"sample_weight": [1, 2, 3]}),
    ("r2_score", (["a", "b"], [1, 2]), {}),
    ("accuracy_score", ([0, 1], [0, "a"]), {}),
    ("hinge_loss", ([0, 1], [0.1, "a"]), {}),
    ("classification_report", ([0, 1], [0, 1]), {"target_names": ["a"]}),
    # parameter errors (scikit-learn's InvalidParameterError; its option sets are compared sorted)
    ("classification_report", ([0, 1], [0, 1]), {"digits": -1}),
    ("confusion_matrix", ([0, 1], [0, 1]), {"normalize": "rows"}),
    ("precision_recall_fscore_support", ([0, 1], [0, 1]), {"beta": -1}),
    ("precision_recall_fscore_support", ([0, 1], [0, 1]), {"zero_division": 0.5}),
    ("precision_recall_fscore_support", ([0, 1], [0, 1]), {"average": "foo"}),
    ("cohen_kappa_score", ([0, 1], [0, 1]), {"replace_undefined_by": 2}),
    ("brier_score_loss", ([0, 1], [0.1, 0.2]), {"scale_by_half": "yes"}),
])
def test_error_messages_are_sklearns(name, args, kwargs):
    same(name, *args, message=True, **kwargs)
