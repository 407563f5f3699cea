import math

import torch

from gradbook import handbook


def test_ce_vs_mse_gradients_and_verdicts():
    r = handbook.run("ce-vs-mse", quick=True)
    # |d/dz (σ(z) − 1)²| = 2(1 − p)²p is largest where d/dp = 0: p = 1/3, value 8/27
    assert abs(r.numbers["max_mse_grad"] - 8 / 27) < 1e-4
    assert abs(r.numbers["err_at_max_mse_grad"] - 2 / 3) < 0.01
    p = 1 / (1 + math.exp(10))
    assert math.isclose(r.numbers["mse_grad_at_z_minus10"], 2 * (p - 1) * p * (1 - p), rel_tol=1e-9)
    assert math.isclose(r.numbers["ce_grad_at_z_minus10"], p - 1, rel_tol=1e-12)
    z = torch.tensor([-10.0], dtype=torch.float64, requires_grad=True)
    torch.nn.functional.mse_loss(torch.sigmoid(z), torch.ones(1, dtype=torch.float64)).backward()
    assert math.isclose(r.numbers["mse_grad_at_z_minus10"], z.grad.item(), rel_tol=1e-9)
    # from the confidently wrong start MSE is stuck for many more steps than cross-entropy
    assert r.numbers["steps90_mse_wrong"] > 3 * r.numbers["steps90_ce_wrong"]
    assert r.numbers["final_acc_ce_wrong"] > 0.95
    assert r.verdicts == {"mse-grad-shrinks": "confirmed", "ce-grad-grows": "confirmed", "ce-trains-faster": "depends"}
