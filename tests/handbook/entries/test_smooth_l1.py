import numpy as np
import torch

from gradbook import handbook
from gradbook.handbook.entries.smooth_l1 import outlier_line


def _torch_fit(loss, x, y):
    a = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    b = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS([a, b], max_iter=1000, line_search_fn="strong_wolfe", tolerance_grad=1e-12)
    X, Y = torch.tensor(x), torch.tensor(y)

    def closure():
        opt.zero_grad()
        value = loss(a * X + b, Y)
        value.backward()
        return value

    opt.step(closure)
    return a.item(), b.item()


def test_smooth_l1_gradients_and_fits():
    r = handbook.run("smooth-l1", quick=True)
    # derivatives by hand: L2 (e²) → 2e; L1 → sign(e); Smooth L1 (β = 1) → e if |e| < 1 else sign(e)
    assert r.numbers["grad_l2_100"] == 200 and r.numbers["grad_l2_0_1"] == 0.2
    assert r.numbers["grad_l1_100"] == r.numbers["grad_l1_0_1"] == 1
    assert r.numbers["grad_sl1_100"] == 1 and r.numbers["grad_sl1_0_1"] == 0.1
    x, y, out = outlier_line()
    assert r.numbers["outliers"] == out.sum()
    # L2: the least-squares line, solved directly
    slope, intercept = np.linalg.lstsq(np.c_[x, np.ones_like(x)], y, rcond=None)[0]
    assert abs(r.numbers["slope_l2"] - slope) < 0.05 and abs(r.numbers["intercept_l2"] - intercept) < 0.05
    # Smooth L1: the minimiser found by PyTorch's L-BFGS
    a, b = _torch_fit(torch.nn.functional.smooth_l1_loss, x, y)
    assert abs(r.numbers["slope_sl1"] - a) < 0.02 and abs(r.numbers["intercept_sl1"] - b) < 0.02
    assert abs(r.numbers["slope_l1"] - 2) < 0.2 and abs(r.numbers["intercept_l1"] - 1) < 0.2
    assert r.verdicts == {"bounded-gradient": "confirmed", "robust-to-outliers": "confirmed", "is-huber": "confirmed"}
