import numpy as np
import torch

from gradbook import handbook
from gradbook.handbook.entries.backprop import problem


def test_backprop_numbers_match_torch_autograd():
    r = handbook.run("backprop", quick=True)
    x, y, params = problem()
    t = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    h = torch.sigmoid(t["W1"] @ torch.tensor(x) + t["b1"])
    y_hat = t["W2"] @ h + t["b2"]
    loss = 0.5 * ((y_hat - torch.tensor(y)) ** 2).sum()
    loss.backward()
    assert np.isclose(r.numbers["loss"], loss.item(), rtol=1e-12)
    np.testing.assert_allclose(r.numbers["dL_db2"], t["b2"].grad.numpy(), atol=1e-6)
    np.testing.assert_allclose(r.numbers["dL_db1"], t["b1"].grad.numpy(), atol=1e-6)
    assert r.numbers["max_err_vs_autograd"] < 1e-12
    assert r.verdicts == {"hand-equals-autograd": "confirmed", "hand-equals-finite-differences": "confirmed"}
