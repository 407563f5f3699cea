import numpy as np
import torch
from sklearn.linear_model import LogisticRegression as SkLogisticRegression

from gradbook import backend, handbook
from gradbook.handbook.entries.lr_loss import problem


def test_lr_loss_gradient_matches_torch_and_fit_matches_sklearn():
    r = handbook.run("lr-loss", quick=True)
    X, y = problem()
    w = backend.spawn_rng(1).normal(size=3)
    for lam, tag in ((0.0, "plain"), (0.1, "l2")):
        wt = torch.tensor(w, requires_grad=True)
        bt = torch.tensor(0.2, dtype=torch.float64, requires_grad=True)
        loss = torch.nn.functional.binary_cross_entropy_with_logits(torch.tensor(X) @ wt + bt, torch.tensor(y)) \
            + 0.5 * lam * (wt * wt).sum()
        loss.backward()
        assert np.isclose(r.numbers[f"loss_{tag}"], loss.item(), rtol=1e-12)
        np.testing.assert_allclose(r.numbers[f"grad_{tag}"], np.append(wt.grad.numpy(), bt.grad.item()), atol=1e-12)
    sk = SkLogisticRegression(C=r.numbers["C"], tol=1e-12, max_iter=10_000).fit(X, y)
    np.testing.assert_allclose(r.numbers["coef_fit"], sk.coef_[0], atol=1e-6)
    assert np.isclose(r.numbers["intercept_fit"], sk.intercept_[0], atol=1e-6)
    sk_small = SkLogisticRegression(C=0.001, tol=1e-12, max_iter=10_000).fit(X, y)
    assert np.isclose(r.numbers["norm_small_c"], np.linalg.norm(sk_small.coef_), rtol=1e-4)
    assert r.numbers["grad_norm_at_fit_lambda_c_n"] < 1e-6 < r.numbers["grad_norm_at_fit_lambda_c"]
    assert r.verdicts == {"gradient-formula": "confirmed", "fit-is-stationary": "confirmed",
                          "c-is-inverse-lambda": "depends", "l2-shrinks": "confirmed"}
