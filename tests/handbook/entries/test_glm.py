import numpy as np
from sklearn.linear_model import LogisticRegression

from gradbook import handbook
from gradbook.handbook.entries.glm import data


def test_glm_numbers_and_verdicts():
    r = handbook.run("glm", quick=True)
    X, y_bin, y_real = data(r.numbers["n_samples"])
    ref = LogisticRegression(C=np.inf, tol=1e-12, max_iter=10_000).fit(X, y_bin)  # scikit-learn's MLE
    net = np.array([r.numbers[f"net_w{j}"] for j in range(X.shape[1])])
    assert np.allclose(net, ref.coef_[0], atol=1e-5)
    assert abs(r.numbers["net_b"] - ref.intercept_[0]) < 1e-5
    # the MLE's score equations, by hand: Xᵀ(y − σ(Xw + b)) = 0 and Σ(y − σ) = 0 at the net's weights
    p = 1 / (1 + np.exp(-(X @ net + r.numbers["net_b"])))
    assert np.abs(X.T @ (y_bin - p)).max() < 1e-4 * len(y_bin) and abs((y_bin - p).sum()) < 1e-4 * len(y_bin)
    assert r.numbers["linear_coef_max_diff"] < 1e-6
    assert r.verdicts == {"sigmoid-net-is-logistic-regression": "confirmed", "linear-net-is-least-squares": "confirmed"}
