import numpy as np
import torch

from gradbook import handbook


def test_dropout_scaling_and_verdicts():
    r = handbook.run("dropout", quick=True)
    p, n = r.numbers["p"], 200_000
    assert r.numbers["kept_value"] == r.numbers["kept_value_min"] == np.float32(1 / (1 - p))
    # the share of zeros is Binomial(n, p)/n: within 5 standard deviations of p
    assert abs(r.numbers["drop_fraction"] - p) < 5 * np.sqrt(p * (1 - p) / n)
    # mean = (kept share)·1/(1 − p): recomputed from the measured share by hand
    assert np.isclose(r.numbers["mean_train"], (1 - r.numbers["drop_fraction"]) / (1 - p), rtol=1e-5)
    assert r.numbers["eval_err"] == 0 and r.numbers["grad_equals_mask"] == 0 and r.numbers["dtype"] == "float32"
    # PyTorch's dropout follows the same rule: kept values 1/(1 − p), identity in eval
    t = torch.nn.functional.dropout(torch.ones(n), p, training=True)
    assert torch.isclose(t[t != 0].unique(), torch.tensor(1 / (1 - p))).all()
    assert torch.equal(torch.nn.functional.dropout(torch.ones(5), p, training=False), torch.ones(5))
    assert r.numbers["agreement"] > 0.9
    assert r.verdicts == {"inverted-scaling": "confirmed", "reduces-gap": "confirmed", "ensemble": "confirmed"}
