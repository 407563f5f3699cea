import numpy as np
import scipy.linalg  # noqa: F401  (load LAPACK before limiting its threads)
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from gradbook import handbook
from gradbook.handbook.entries.lr_nonlinear import C, circles, xor


def _phi(X):
    """Degree-2 map written out: φ(x)·φ(z) = (x·z + 1)²."""
    x1, x2 = X[:, 0], X[:, 1]
    return np.column_stack([np.ones(len(X)), np.sqrt(2) * x1, np.sqrt(2) * x2, x1 ** 2, x2 ** 2, np.sqrt(2) * x1 * x2])


def test_lr_nonlinear_numbers_and_verdicts():
    with threadpool_limits(1):  # tiny matrices: BLAS threads only add contention
        r = handbook.run("lr-nonlinear", quick=True)
        n = r.numbers["n_train"]
        for name, make in (("xor", xor), ("circles", circles)):
            X, y = make(n, seed=0)
            Xt, yt = make(2000, seed=1)
            assert np.allclose(_phi(X) @ _phi(Xt[:5]).T, (X @ Xt[:5].T + 1) ** 2)
            linear = LogisticRegression(C=C).fit(X, y)  # scikit-learn twins
            mapped = LogisticRegression(C=C, tol=1e-8, max_iter=1000).fit(_phi(X), y)
            assert abs(r.numbers[f"{name}_linear"] - np.mean(linear.predict(Xt) == yt)) < 0.01
            assert abs(r.numbers[f"{name}_poly2_map"] - np.mean(mapped.predict(_phi(Xt)) == yt)) < 0.01
            assert abs(r.numbers[f"{name}_poly2_kernel"] - np.mean(mapped.predict(_phi(Xt)) == yt)) < 0.01
    assert r.numbers["map_dim"] == 6
    assert r.verdicts == {"linear-lr-fails": "confirmed", "mapping-separates": "confirmed",
                          "kernel-equals-feature-map": "confirmed"}
