import numpy as np
import torch

from gradbook import handbook
from gradbook.handbook.entries.pooling_backprop import G_HAND, X_HAND


def test_pooling_backprop_hand_example_and_torch():
    r = handbook.run("pooling-backprop", quick=True)
    # by hand: the window maxima are 6 (row 1, col 1), 4 (0, 3), 7 (2, 0), 9 (2, 2)
    assert r.numbers["max_out"] == [[6, 4], [7, 9]]
    expected_max = np.zeros((4, 4))
    expected_max[1, 1], expected_max[0, 3], expected_max[2, 0], expected_max[2, 2] = 1, 2, 3, 4
    np.testing.assert_array_equal(r.numbers["max_dx"], expected_max)
    # average: every input of a 2×2 window gets g/4
    assert r.numbers["avg_out"] == [[(1 + 3 + 5 + 6) / 4, (2 + 4 + 1 + 2) / 4], [(7 + 2 + 3 + 4) / 4, (9 + 1 + 0 + 8) / 4]]
    np.testing.assert_array_equal(r.numbers["avg_dx"], [[0.25, 0.25, 0.5, 0.5]] * 2 + [[0.75, 0.75, 1.0, 1.0]] * 2)
    # the same through PyTorch, including the overlapping and tied cases
    for pool, expected in ((torch.nn.functional.max_pool2d, r.numbers["max_dx"]),
                           (torch.nn.functional.avg_pool2d, r.numbers["avg_dx"])):
        x = torch.tensor(X_HAND[None, None], requires_grad=True)
        (pool(x, 2) * torch.tensor(G_HAND[None, None])).sum().backward()
        np.testing.assert_array_equal(x.grad.numpy()[0, 0], expected)
    x = torch.tensor([[[[0.0, 1, 0, 0], [1, 9, 1, 0], [0, 1, 0, 0], [0, 0, 0, 2]]]], requires_grad=True)
    torch.nn.functional.max_pool2d(x, 3, stride=1).sum().backward()
    assert r.numbers["overlap_grad_at_max"] == x.grad[0, 0, 1, 1].item() == 4
    x = torch.full((1, 1, 2, 2), 5.0, requires_grad=True)
    torch.nn.functional.max_pool2d(x, 2).sum().backward()
    np.testing.assert_array_equal(r.numbers["tie_dx"], x.grad.numpy()[0, 0])
    for k in ("max_k2s2", "max_k3s2_pad1", "avg_k2s2", "avg_k3s1"):
        assert r.numbers[f"fd_err_{k}"] < 1e-6
    assert r.verdicts == {"max-to-argmax": "confirmed", "avg-spread-evenly": "confirmed",
                          "overlap-accumulates": "confirmed"}
