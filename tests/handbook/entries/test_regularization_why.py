"""regularization-why against ridge written out in numpy (centred normal equations), the hat matrix's
trace, scikit-learn's Ridge and Lasso, and verdicts rederived from those numbers."""
import warnings

import numpy as np
from sklearn.linear_model import Lasso, Ridge

from gradbook import handbook
from gradbook.handbook.entries import regularization_why as rw


def _ridge(X, y, lam):
    """w = (XcᵀXc + λI)⁻¹ Xcᵀ yc on centred data; b = ȳ − x̄ᵀw."""
    mx, my = X.mean(axis=0), y.mean()
    Xc = X - mx
    if lam == 0:
        w = np.linalg.lstsq(Xc, y - my, rcond=None)[0]
    else:
        w = np.linalg.solve(Xc.T @ Xc + lam * np.eye(X.shape[1]), Xc.T @ (y - my))
    return w, my - mx @ w


def _powers(x):
    return np.column_stack([x ** k for k in range(1, rw.DEGREE + 1)])


def test_regularization_why_against_numpy_and_sklearn():
    r = handbook.run("regularization-why", quick=True)
    n = r.numbers
    sets = rw.training_sets(n["sets"])
    xt = np.linspace(-1, 1, 201)
    truth = np.sin(np.pi * xt)
    stats = {}
    for tag, lam in (("ols", 0.0), ("best", n["lam_best"]), ("max", rw.LAMBDAS[-1])):
        preds, norms = [], []
        for x, y in sets:
            w, b = _ridge(_powers(x), y, lam)
            preds.append(_powers(xt) @ w + b)
            norms.append(np.linalg.norm(w))
        P = np.array(preds)
        bias2, var = ((P.mean(axis=0) - truth) ** 2).mean(), P.var(axis=0).mean()
        stats[tag] = (bias2, var, bias2 + var + rw.SIGMA ** 2)
        tol = 1e-3 if lam == 0 else 1e-6
        assert np.isclose(n[f"bias2_{tag}"], bias2, rtol=tol, atol=1e-9), tag
        assert np.isclose(n[f"variance_{tag}"], var, rtol=tol), tag
        assert np.isclose(n[f"norm_{tag}"], np.median(norms), rtol=tol), tag
        # effective parameters: the trace of the hat matrix built explicitly on the first training set
        X = _powers(sets[0][0])
        Xc = X - X.mean(axis=0)
        H = np.full((rw.N, rw.N), 1 / rw.N) + (Xc @ np.linalg.pinv(Xc.T @ Xc + lam * np.eye(rw.DEGREE)) @ Xc.T)
        assert np.isclose(n[f"df_{tag}"], np.trace(H), rtol=1e-6), tag
    # one fit against scikit-learn's Ridge
    x, y = sets[3]
    sk = Ridge(alpha=n["lam_best"]).fit(_powers(x), y)
    assert np.allclose(_ridge(_powers(x), y, n["lam_best"])[0], sk.coef_, rtol=1e-6, atol=1e-8)
    # the best λ is the minimum of the expected error over the grid
    table = r.tables[0]
    errors = [row[3] for row in table.rows]
    assert rw.LAMBDAS[int(np.argmin(errors))] == n["lam_best"]
    # L1: scikit-learn's Lasso zeroes coefficients on the same sets
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sk_zeros = np.mean([np.sum(Lasso(alpha=rw.L1_ALPHA, max_iter=5000).fit(_powers(x), y).coef_ == 0)
                            for x, y in sets[:20]])
    assert abs(n["l1_zeros_mean"] - sk_zeros) <= 1.0 and sk_zeros > 0
    assert n["l2_zeros"] == 0
    # verdicts, from the recomputed numbers
    (b_ols, v_ols, e_ols), (b_best, v_best, e_best), (b_max, v_max, e_max) = stats["ols"], stats["best"], stats["max"]
    dfs = [row[6] for row in table.rows]
    norms = [row[4] for row in table.rows]
    slopes = [row[5] for row in table.rows]
    assert r.verdicts == {
        "overfitting-is-variance": "confirmed" if v_ols / (b_ols + v_ols) > 0.9 and v_max < v_ols and b_max > b_best
        else "corrected",
        "fewer-parameters": "depends" if all(a >= b for a, b in zip(dfs, dfs[1:])) and sk_zeros > 0 else "corrected",
        "less-sensitive": "confirmed" if all(a >= 0.999 * b for a, b in zip(norms, norms[1:]))
        and slopes[-1] < slopes[0] else "corrected",
        "prevents-overfitting": "depends" if e_best < e_ols and e_best < e_max else "confirmed",
    }
    assert [f.name for f in r.figures] == ["regularization_lambda"]
