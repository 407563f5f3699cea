import numpy as np
from sklearn.linear_model import LinearRegression, Ridge

from gradbook import handbook
from gradbook.handbook.entries.collinearity import RHOS, RIDGE_ALPHA, resample_indices, training_set


def test_collinearity_numbers_and_verdicts():
    r = handbook.run("collinearity", quick=True)
    n, n_boot = r.numbers["n_samples"], r.numbers["n_boot"]
    for k, rho in enumerate(RHOS):
        tag = f"rho{int(round(rho * 100))}"
        X, y = training_set(k, n)
        boot = resample_indices(n, n_boot, seed=k)
        ols = [LinearRegression().fit(X[b], y[b]).coef_[0] for b in boot]  # scikit-learn twins, same resamples
        ridge = [Ridge(alpha=RIDGE_ALPHA).fit(X[b], y[b]).coef_[0] for b in boot]
        assert np.isclose(r.numbers[f"var_ols_{tag}"], np.var(ols), rtol=1e-6)
        assert np.isclose(r.numbers[f"var_ridge_{tag}"], np.var(ridge), rtol=1e-6)
        assert np.isclose(r.numbers[f"vif_{tag}"], 1 / (1 - rho ** 2))
        # the bootstrap variance estimates the textbook σ̂² [(XcᵀXc)⁻¹]₁₁ of this sample
        Xc = X - X.mean(axis=0)
        resid = y - y.mean() - Xc @ np.linalg.lstsq(Xc, y - y.mean(), rcond=None)[0]
        formula = resid @ resid / (n - 3) * np.linalg.inv(Xc.T @ Xc)[0, 0]
        assert 0.5 < r.numbers[f"var_ols_{tag}"] / formula < 2.0
    assert r.verdicts == {"variance-inflates": "confirmed", "ridge-stabilises": "confirmed",
                          "collinearity-overfits": "depends"}
