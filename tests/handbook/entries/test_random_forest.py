import numpy as np
import pytest
from sklearn.ensemble import RandomForestClassifier
from sklearn.tree import DecisionTreeClassifier

from gradbook import handbook
from gradbook.handbook.entries.random_forest import DEPTHS, FLIP, noisy


@pytest.fixture(scope="module")
def r():
    return handbook.run("random-forest", quick=True)


def test_forest_size_verdict_follows_the_averaged_table(r):
    """The trees table rederived by hand: the paired gains and standard errors from its mean column are
    recomputed from scikit-learn forests of the same sizes, and the verdict from the table's own rows."""
    table = next(t for t in r.tables if t.title.startswith("Accuracy vs number of trees"))
    sizes = [row[0] for row in table.rows]
    gains, ses = np.array([row[4] for row in table.rows]), np.array([row[5] for row in table.rows])
    assert sizes[-1] == r.numbers["n_trees"] and all(k % 2 for k in sizes)  # odd: no tied votes
    assert r.numbers["worst_gain"] == gains[:-1].min()
    holds = bool(np.all(gains[:-1] > -2 * ses[:-1]))
    assert r.verdicts["more-trees-no-overfit"] == ("confirmed" if holds else "corrected")
    # scikit-learn's forests on the same data (other trees, same law): averaged over as many forests,
    # the sub-forests' test accuracy rises with k and the whole forest is within noise of the best
    X, y = noisy(r.numbers["n_train"], seed=1)
    Xt, yt = noisy(2000, seed=2)
    acc = []
    for seed in range(r.numbers["forests"]):
        sk = RandomForestClassifier(n_estimators=sizes[-1], random_state=seed).fit(X, y)
        votes = np.cumsum([t.predict(Xt) for t in sk.estimators_], axis=0)  # class-1 votes of the first k trees
        acc.append([np.mean((votes[k - 1] > k / 2) == yt) for k in sizes])
    acc = np.array(acc)
    assert acc[:, -1].mean() > acc[:, 0].mean() + 0.02
    assert abs(acc[:, -1].mean() - r.numbers["test_all_trees"]) < 0.03
    sk_gain = (acc[:, -1:] - acc).mean(axis=0)[:-1]
    sk_se = (acc[:, -1:] - acc).std(axis=0, ddof=1)[:-1] / np.sqrt(len(acc))
    assert bool(np.all(sk_gain > -2 * sk_se)) == holds  # scikit-learn's forests reach the same verdict


def test_random_forest_numbers_and_verdicts(r):
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
