from itertools import product

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier

from gradbook import handbook
from gradbook.handbook.entries.no_free_lunch import cube_points, problem


def test_no_free_lunch_numbers_and_verdicts():
    r = handbook.run("no-free-lunch", quick=True)
    n, instances = r.numbers["n_train"], r.numbers["instances"]
    for family in ("oblique", "checkerboard"):  # scikit-learn's twins on the same problems
        for key, make in (("lr", LogisticRegression), ("tree", lambda: DecisionTreeClassifier(random_state=0))):
            accs = []
            for k in range(instances):
                X, y = problem(family, n, instance=k, seed=100 + k)
                Xt, yt = problem(family, 2000, instance=k, seed=200 + k)
                accs.append(np.mean(make().fit(X, y).predict(Xt) == yt))
            assert abs(r.numbers[f"{family}_{key}"] - np.mean(accs)) < 0.03, (family, key)
    # the theorem by hand: for any fixed predictions on the 4 unseen corners, the 16 equally likely
    # labellings of those corners agree with them on 2 of 4 points on average
    X = cube_points()
    preds = LogisticRegression().fit(X[:4], [0, 1, 1, 0]).predict(X[4:])
    assert np.mean([np.mean(preds == np.array(t)) for t in product((0, 1), repeat=4)]) == 0.5
    assert r.numbers["nfl_lr"] == 0.5 and r.numbers["nfl_tree"] == 0.5
    assert r.verdicts == {"each-wins-one-family": "confirmed", "all-learners-equal": "depends"}
