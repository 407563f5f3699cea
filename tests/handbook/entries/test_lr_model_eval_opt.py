import warnings

import numpy as np
from sklearn.linear_model import LogisticRegression

from gradbook import handbook
from gradbook.handbook.entries.lr_model_eval_opt import C, data


def _J(w, b, X, y):
    """Mean cross-entropy + ‖w‖²/(2Cn), written out."""
    p = 1 / (1 + np.exp(-(X @ w + b)))
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)) + w @ w / (2 * C * len(y))


def test_lr_model_eval_opt_numbers_and_verdicts():
    r = handbook.run("lr-model-eval-opt", quick=True)
    X, y = data(r.numbers["n_samples"])
    for solver in ("lbfgs", "newton-cg"):  # scikit-learn's optimum under the same evaluation
        ref = LogisticRegression(C=C, solver=solver, tol=1e-10, max_iter=1000).fit(X, y)
        for ours in ("gd", "newton", "lbfgs"):
            assert np.isclose(r.numbers[f"objective_{ours}"], _J(ref.coef_[0], ref.intercept_[0], X, y), rtol=1e-9)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        l1 = LogisticRegression(C=0.05, l1_ratio=1.0, solver="saga", tol=1e-10, max_iter=100_000).fit(X, y)
    assert r.numbers["l1_zeros"] == int((np.abs(l1.coef_[0]) < 1e-6).sum()) > 0
    assert r.numbers["gradient_norm"] < 1e-6
    assert r.verdicts == {"optimisers-agree": "confirmed", "newton-fewer-iterations": "confirmed",
                          "evaluation-defines-answer": "confirmed"}
