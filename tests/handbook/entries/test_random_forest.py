import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.tree import DecisionTreeClassifier

from gradbook import handbook
from gradbook.handbook.entries.random_forest import DEPTHS, FLIP, noisy


def test_random_forest_numbers_and_verdicts():
    r = handbook.run("random-forest", quick=True)
    X, y = noisy(r.numbers["n_train"], seed=1)
    Xt, yt = noisy(2000, seed=2)
    assert r.numbers["bayes_accuracy"] == 1 - FLIP
    for d in DEPTHS:  # scikit-learn's forest and tree on the same data: same accuracies up to randomness
        tag = "full" if d is None else str(d)
        sk_rf = RandomForestClassifier(n_estimators=r.numbers["n_trees"], max_depth=d, random_state=0).fit(X, y)
        sk_tree = DecisionTreeClassifier(max_depth=d, random_state=0).fit(X, y)
        assert abs(r.numbers[f"rf_test_depth_{tag}"] - np.mean(sk_rf.predict(Xt) == yt)) < 0.04
        assert abs(r.numbers[f"rf_train_depth_{tag}"] - np.mean(sk_rf.predict(X) == y)) < 0.04
        assert abs(r.numbers[f"tree_test_depth_{tag}"] - np.mean(sk_tree.predict(Xt) == yt)) < 0.03
        # no classifier beats the Bayes accuracy on test by more than sampling noise (3 standard errors)
        assert r.numbers[f"rf_test_depth_{tag}"] < 1 - FLIP + 3 * np.sqrt(FLIP * (1 - FLIP) / len(yt))
    # a fully grown tree on distinct points has pure leaves: every training label, flipped or not, is reproduced
    assert len(np.unique(X, axis=0)) == len(X) and r.numbers["tree_train_depth_full"] == 1.0
    assert r.verdicts == {"more-trees-no-overfit": "confirmed", "rf-cannot-overfit": "corrected",
                          "forest-less-than-tree": "confirmed"}
