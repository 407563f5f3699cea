import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, precision_score, recall_score
from sklearn.utils.class_weight import compute_sample_weight

from gradbook import handbook
from gradbook.handbook.entries.imbalance import balanced_weights, oversample, sample, undersample


def test_imbalance_numbers_and_verdicts():
    r = handbook.run("imbalance", quick=True)
    X, y = sample(r.numbers["n_train"], seed=0)
    Xt, yt = sample(20_000, seed=2)
    assert np.isclose(r.numbers["prevalence"], y.sum() / len(y))
    assert np.allclose(balanced_weights(y), compute_sample_weight("balanced", y))
    under, over = undersample(y, seed=3), oversample(y, seed=4)
    assert np.bincount(y[under]).tolist() == [y.sum()] * 2 and np.bincount(y[over]).tolist() == [len(y) - y.sum()] * 2
    base = LogisticRegression().fit(X, y)  # scikit-learn twins on the same (re)samples
    twins = {"baseline": (base, 0.5), "under": (LogisticRegression().fit(X[under], y[under]), 0.5),
             "over": (LogisticRegression().fit(X[over], y[over]), 0.5),
             "weights": (LogisticRegression().fit(X, y, sample_weight=compute_sample_weight("balanced", y)), 0.5),
             "prevalence": (base, y.mean()), "f1thr": (base, r.numbers["f1_threshold"])}
    for key, (model, t) in twins.items():
        pred = (model.predict_proba(Xt)[:, 1] >= t).astype(int)
        assert abs(r.numbers[f"precision_{key}"] - precision_score(yt, pred)) < 0.01, key
        assert abs(r.numbers[f"recall_{key}"] - recall_score(yt, pred)) < 0.01, key
        assert abs(r.numbers[f"f1_{key}"] - f1_score(yt, pred)) < 0.01, key
    # calibrated scores: the F1-optimal threshold is half the optimal F1 (Lipton, Elkan & Naryanaswamy 2014)
    assert abs(r.numbers["f1_threshold"] - r.numbers["best_f1"] / 2) < 0.05
    assert r.verdicts == {"rebalancing-raises-recall": "confirmed", "weights-equal-threshold-moving": "confirmed",
                          "prevalence-threshold": "depends"}
