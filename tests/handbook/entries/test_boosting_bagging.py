import numpy as np
from sklearn.ensemble import AdaBoostClassifier, BaggingClassifier, GradientBoostingClassifier, RandomForestClassifier
from sklearn.tree import DecisionTreeClassifier

from gradbook import handbook
from gradbook.handbook.entries.boosting_bagging import problem


def _bias_var(preds, clean):
    """Domingos' 0-1 decomposition by hand: majority vote vs noise-free label; disagreement with the vote."""
    preds = np.array(preds)
    main = (2 * preds.sum(0) > len(preds)).astype(int)
    return np.mean(main != clean), np.mean([np.mean(p != main) for p in preds])


def test_boosting_bagging_numbers_and_verdicts():
    r = handbook.run("boosting-bagging", quick=True)
    n, m, R = r.numbers["n_train"], r.numbers["n_members"], r.numbers["resamples"]
    X, y, _ = problem(n, seed=0)
    Xt, yt, clean = problem(3000, seed=1)
    twins = {"stump": (lambda: DecisionTreeClassifier(max_depth=1, random_state=0), 0.005),
             "deep_tree": (lambda: DecisionTreeClassifier(random_state=0), 0.02),
             "bagging": (lambda: BaggingClassifier(DecisionTreeClassifier(), n_estimators=m, random_state=0), 0.03),
             "random_forest": (lambda: RandomForestClassifier(n_estimators=m, random_state=0), 0.03),
             "adaboost": (lambda: AdaBoostClassifier(n_estimators=2 * m, random_state=0), 0.005),
             "gradient_boosting": (lambda: GradientBoostingClassifier(n_estimators=2 * m, max_depth=2, random_state=0),
                                   0.005)}
    for key, (make, tol) in twins.items():  # scikit-learn's twins on the same split
        assert abs(r.numbers[f"acc_{key}"] - np.mean(make().fit(X, y).predict(Xt) == yt)) <= tol, key
    for key in ("stump", "adaboost"):  # deterministic learners: the decomposition must match scikit-learn's
        preds = [twins[key][0]().fit(*problem(n, seed=100 + k)[:2]).predict(Xt) for k in range(R)]
        bias, var = _bias_var(preds, clean)
        assert abs(r.numbers[f"bias_{key}"] - bias) < 0.01 and abs(r.numbers[f"var_{key}"] - var) < 0.01, key
    assert r.verdicts == {"bagging-reduces-variance": "confirmed", "boosting-reduces-bias": "confirmed",
                          "ensembles-beat-their-base": "confirmed"}
