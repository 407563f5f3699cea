import math

import numpy as np
import torch

from gradbook import handbook


def test_multilabel_example_by_hand_and_verdicts():
    r = handbook.run("multilabel", quick=True)
    # per-label BCE with logits by hand: y = 1 → log(1 + e^{−z}), y = 0 → log(1 + e^{z})
    hand = [math.log1p(math.exp(-2.0)), math.log1p(math.exp(-1.0)), math.log1p(math.exp(-0.5))]
    np.testing.assert_allclose(r.numbers["bce_per_label"], hand, atol=1e-6)
    assert math.isclose(r.numbers["bce_mean"], sum(hand) / 3, rel_tol=1e-12)
    z = torch.tensor([[2.0, -1.0, 0.5]], dtype=torch.float64, requires_grad=True)
    torch.nn.functional.binary_cross_entropy_with_logits(z, torch.tensor([[1.0, 0.0, 1.0]], dtype=torch.float64)).backward()
    np.testing.assert_allclose(r.numbers["bce_grad"], z.grad.numpy()[0], atol=1e-6)
    e = [math.exp(v) for v in (2.0, -1.0, 0.5)]
    np.testing.assert_allclose(r.numbers["softmax_probs"], [v / sum(e) for v in e], atol=1e-4)
    assert r.numbers["max_positive_softmax"] <= 1        # probabilities summing to 1: at most one above 0.5
    assert r.numbers["exact_bce"] > r.numbers["exact_softmax"]
    assert r.verdicts == {"sigmoid-bce": "confirmed", "softmax-one-label": "confirmed", "binary-same": "confirmed"}
