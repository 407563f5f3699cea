import math

import numpy as np
import torch

from gradbook import handbook


def test_softmax_ce_numbers_and_verdicts():
    r = handbook.run("softmax-ce", quick=True)
    e = [math.exp(1), math.exp(5), math.exp(3)]  # by hand
    p = [v / sum(e) for v in e]
    assert np.allclose([r.numbers["p1"], r.numbers["p2"], r.numbers["p3"]], p, rtol=1e-12)
    assert math.isclose(r.numbers["loss"], -math.log(p[1]), rel_tol=1e-12)
    s = torch.tensor([[1.0, 5.0, 3.0]], dtype=torch.float64, requires_grad=True)
    torch.nn.functional.cross_entropy(s, torch.tensor([1])).backward()
    np.testing.assert_allclose(r.numbers["grad"], s.grad.numpy()[0], atol=5e-5)
    assert math.isclose(r.numbers["stable_loss_large_scores"], -math.log(p[1]), rel_tol=1e-9)
    assert r.verdicts == {"gradient-is-p-minus-onehot": "confirmed", "quoted-probabilities": "corrected",
                          "fused-is-stable": "confirmed"}
