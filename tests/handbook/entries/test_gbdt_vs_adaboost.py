import numpy as np
from sklearn.ensemble import AdaBoostClassifier, GradientBoostingClassifier

from gradbook import handbook
from gradbook.handbook.entries.gbdt_vs_adaboost import moons_like


def test_gbdt_vs_adaboost_numbers_and_verdicts():
    r = handbook.run("gbdt-vs-adaboost", quick=True)
    n, stages = r.numbers["n_train"], r.numbers["stages"]
    X, y = moons_like(n, seed=0)
    Xt, yt = moons_like(5000, seed=1)
    ada = AdaBoostClassifier(n_estimators=stages, random_state=0).fit(X, y)  # scikit-learn's SAMME
    e1 = ada.estimator_errors_[0]
    assert np.isclose(r.numbers["ada_err_1"], e1, rtol=1e-10)
    assert np.isclose(r.numbers["ada_alpha_1"], np.log((1 - e1) / e1), rtol=1e-10)  # SAMME, two classes
    assert abs(r.numbers["ada_test_acc"] - np.mean(ada.predict(Xt) == yt)) < 0.005
    gb = GradientBoostingClassifier(n_estimators=stages, max_depth=2, learning_rate=0.1, random_state=0).fit(X, y)
    assert abs(r.numbers["gb_test_acc"] - np.mean(gb.predict(Xt) == yt)) < 0.005
    # scikit-learn's first tree, by hand: its leaves hold Σ(y − p) / Σ p(1 − p) with p the prior
    p = np.full(n, y.mean())
    tree = gb.estimators_[0, 0]
    leaves = tree.apply(X.astype(np.float32))
    for leaf in np.unique(leaves):
        k = leaves == leaf
        assert np.isclose(tree.tree_.value[leaf, 0, 0], (y[k] - p[k]).sum() / (p[k] * (1 - p[k])).sum())
    assert r.numbers["gb_leaf_newton_max_gap"] < 1e-8
    assert r.verdicts == {"adaboost-is-exponential-loss": "confirmed", "gbdt-fits-negative-gradient": "confirmed",
                          "gbdt-leaves-are-mean-residuals": "corrected"}
