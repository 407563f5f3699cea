"""Which inputs each metric accepts or refuses, against scikit-learn: hypothesis pairs every kind
of target (binary, ±1, multiclass, strings, bool, float-coded, object, continuous, indicators,
multiclass-multioutput, single column, empty, one class) with every kind of prediction or
score (vectors, tied scores, probability and score matrices, NaN, wrong lengths, numeric
strings) and sample weights (float, int, too short, all zero, negative). Both libraries must
return equal values or raise exceptions of the same family (ValueError / TypeError).

Left out on purpose: object-dtype weights where scikit-learn 1.9 fails on them inside np.bincount
(the P/R/F family, multilabel_confusion_matrix, the report), which gradbook accepts; and a score
matrix narrower than the indicator targets, whose extra columns scikit-learn silently ignores
and gradbook refuses, and likewise 1-d scores
for 2-d gains in DCG/NDCG, which scikit-learn broadcasts."""
from __future__ import annotations

import warnings

import numpy as np
from hypothesis import given, strategies as st

from parity.metrics_harness import same

TARGETS = ["bin", "pm1", "multi", "str", "bool", "float_int", "obj_int", "obj_str", "cont", "ind", "mcmo", "col",
           "empty", "one", "onestr"]
SCORES = ["vec", "vec01", "ties", "mat", "matp", "matc", "nan", "int", "short", "strs", "mat1"]
WEIGHTS = [None, "float", "int", "obj", "short", "zero", "neg"]
LABEL_METRICS = ["accuracy_score", "zero_one_loss", "hamming_loss", "confusion_matrix", "multilabel_confusion_matrix",
                 "balanced_accuracy_score", "matthews_corrcoef", "cohen_kappa_score", "classification_report",
                 "precision_score", "recall_score", "f1_score", "jaccard_score", "precision_recall_fscore_support"]
BINCOUNT_FAMILY = {"multilabel_confusion_matrix", "classification_report", "precision_score", "recall_score",
                   "f1_score", "jaccard_score", "precision_recall_fscore_support"}
SCORE_METRICS = {"roc_curve": [{}], "roc_auc_score": [{}, {"multi_class": "ovr"}, {"multi_class": "ovo"}],
                 "average_precision_score": [{}], "precision_recall_curve": [{}], "det_curve": [{}],
                 "log_loss": [{}], "brier_score_loss": [{}], "hinge_loss": [{}], "top_k_accuracy_score": [{}, {"k": 1}],
                 "coverage_error": [{}], "label_ranking_average_precision_score": [{}], "label_ranking_loss": [{}],
                 "dcg_score": [{}], "ndcg_score": [{}]}


def target(kind: str, n: int, k: int, rng) -> np.ndarray:
    letters = np.array(list("abcd"))
    return {
        "bin": lambda: rng.integers(0, 2, n), "pm1": lambda: rng.integers(0, 2, n) * 2 - 1,
        "multi": lambda: rng.integers(0, k, n), "str": lambda: letters[rng.integers(0, k, n)],
        "bool": lambda: rng.random(n) < 0.5, "float_int": lambda: rng.integers(0, 3, n).astype(float),
        "obj_int": lambda: rng.integers(0, 3, n).astype(object),
        "obj_str": lambda: letters[rng.integers(0, 3, n)].astype(object), "cont": lambda: rng.random(n),
        "ind": lambda: (rng.random((n, k)) < 0.5).astype(int), "mcmo": lambda: rng.integers(0, 3, (n, k)),
        "col": lambda: rng.integers(0, 2, (n, 1)), "empty": lambda: np.array([]),
        "one": lambda: np.ones(n, dtype=int), "onestr": lambda: np.array(["z"] * n),
    }[kind]()


def scores(kind: str, n: int, k: int, rng) -> np.ndarray:
    def with_nan():
        a = rng.random(n)
        a[0] = np.nan
        return a

    return {
        "vec": lambda: rng.standard_normal(n), "vec01": lambda: rng.random(n),
        "ties": lambda: rng.integers(0, 3, n) / 2, "mat": lambda: rng.standard_normal((n, k)),
        "matp": lambda: rng.dirichlet(np.ones(k), n), "matc": lambda: rng.integers(0, 3, (n, k)) / 2,
        "nan": with_nan, "int": lambda: rng.integers(-2, 3, n), "short": lambda: rng.random(max(n - 1, 1)),
        "strs": lambda: np.array(["0.25"] * n), "mat1": lambda: rng.random((n, 1)),
    }[kind]()


def weights(kind: str | None, n: int, rng):
    return None if kind is None else {
        "float": lambda: rng.random(n), "int": lambda: rng.integers(1, 4, n),
        "obj": lambda: rng.integers(1, 4, n).astype(object), "short": lambda: rng.random(max(n - 1, 0)),
        "zero": lambda: np.zeros(n), "neg": lambda: rng.random(n) - 0.5,
    }[kind]()


@given(st.sampled_from(TARGETS), st.sampled_from(TARGETS), st.sampled_from(WEIGHTS), st.integers(1, 7),
       st.integers(2, 4), st.integers(0, 2**32 - 1), st.booleans(),
       st.lists(st.sampled_from(LABEL_METRICS), min_size=3, max_size=3, unique=True))
def test_label_metrics_accept_and_refuse_as_sklearn(kind_true, kind_pred, weight_kind, n, k, seed, longer, names):
    rng = np.random.default_rng(seed)
    yt = target(kind_true, n, k, rng)
    yp = target(kind_pred, n + (longer and kind_true != "empty"), k, rng)
    w = weights(weight_kind, n, rng)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in names:  # three metrics per draw keep the test fast; the draws cover all of them
            if weight_kind == "obj" and name in BINCOUNT_FAMILY:
                continue
            same(name, yt, yp, sample_weight=w)
            if name in ("f1_score", "jaccard_score"):
                same(name, yt, yp, sample_weight=w, average="samples")


@given(st.sampled_from(TARGETS + ["graded"]), st.sampled_from(SCORES), st.booleans(), st.integers(1, 8),
       st.integers(2, 4), st.integers(0, 2**32 - 1))
def test_score_metrics_accept_and_refuse_as_sklearn(kind_true, kind_score, weighted, n, k, seed):
    rng = np.random.default_rng(seed)
    yt = rng.integers(0, 4, (n, k)) if kind_true == "graded" else target(kind_true, n, k, rng)
    s = scores(kind_score, n, k, rng)
    w = rng.random(n) + 0.1 if weighted else None
    narrower = yt.ndim == 2 and s.ndim == 2 and s.shape[1] < yt.shape[1]
    flat_scores = yt.ndim == 2 and s.ndim == 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, variants in SCORE_METRICS.items():
            if narrower and name in ("roc_auc_score", "average_precision_score"):
                continue
            if flat_scores and name in ("dcg_score", "ndcg_score"):
                continue  # scikit-learn broadcasts 1-d scores over 2-d gains into a number; gradbook refuses
            for kwargs in variants:
                same(name, yt, s, sample_weight=w, **kwargs)
