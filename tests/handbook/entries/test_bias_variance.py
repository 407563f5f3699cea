import numpy as np
from sklearn.ensemble import GradientBoostingRegressor, RandomForestRegressor
from sklearn.tree import DecisionTreeRegressor

from gradbook import handbook
from gradbook.handbook.entries.bias_variance import target, training_set


def _bias2_var(make, n, resamples, grid):
    """The decomposition written out: mean over the grid of (mean prediction − f)² and of the spread."""
    P = np.array([make().fit(*training_set(n, seed=k)).predict(grid) for k in range(resamples)])
    f = target(grid[:, 0])
    return np.mean((P.mean(0) - f) ** 2), np.mean(((P - P.mean(0)) ** 2).mean(0))


def test_bias_variance_numbers_and_verdicts():
    r = handbook.run("bias-variance", quick=True)
    n, R = r.numbers["n_train"], r.numbers["resamples"]
    grid = np.linspace(0, 1, 200)[:, None]
    # one-feature trees and stump boosting are deterministic: scikit-learn gives the same models
    for key, make in (("stump", lambda: DecisionTreeRegressor(max_depth=1)), ("deep_tree", DecisionTreeRegressor),
                      ("boosted_stumps", lambda: GradientBoostingRegressor(
                          max_depth=1, n_estimators=r.numbers["n_boosted"], learning_rate=0.2))):
        b2, v = _bias2_var(make, n, R, grid)
        assert np.isclose(r.numbers[f"bias2_{key}"], b2, rtol=1e-6, atol=1e-10), key
        assert np.isclose(r.numbers[f"var_{key}"], v, rtol=1e-6, atol=1e-10), key
    # bagging is random: scikit-learn's bagged trees land in the same range
    b2, v = _bias2_var(lambda: RandomForestRegressor(n_estimators=r.numbers["n_bagged"], max_features=None,
                                                     random_state=0), n, R, grid)
    assert 0.7 < r.numbers["var_bagged_trees"] / v < 1.4
    assert abs(r.numbers["bias2_bagged_trees"] - b2) < 0.005
    assert r.verdicts == {"bagging-reduces-variance": "confirmed", "boosting-reduces-bias": "confirmed",
                          "deep-tree-low-bias-high-variance": "confirmed"}
