import numpy as np
from sklearn.metrics import roc_auc_score

from gradbook import handbook


def _naive_auc(labels):
    """The one-sample-per-step walk done by hand: area = Σ over negatives of TPR so far."""
    P, N = sum(labels), len(labels) - sum(labels)
    tp, area = 0, 0.0
    for y in labels:
        if y:
            tp += 1
        else:
            area += tp / P / N
    return area


def test_roc_methods_numbers_and_verdicts():
    r = handbook.run("roc-methods", quick=True)
    assert r.numbers["naive_auc_pos_first"] == _naive_auc([1, 1, 0, 0]) == 1.0
    assert r.numbers["naive_auc_neg_first"] == _naive_auc([1, 0, 1, 0]) == 0.75
    expected = roc_auc_score([1, 1, 0, 0], [0.9, 0.8, 0.8, 0.7])
    assert r.numbers["sweep_auc"] == r.numbers["sorted_auc"] == expected == 0.875
    assert r.verdicts == {"same-without-ties": "confirmed", "naive-depends-on-order": "confirmed",
                          "tie-aware-walk-equals-sweep": "confirmed", "sorted-is-faster": "confirmed"}
