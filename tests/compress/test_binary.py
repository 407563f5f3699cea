"""Binary layers: the straight-through sign with its |x| <= 1 clipping, binarize() in place, XNOR's
input normalisation, a binarised net that trains (torch twins: tests/parity/test_binary_parity.py)."""
import numpy as np
import pytest

import gradbook as gb
from gradbook import nn, optim
from gradbook.compress import binary
from gradbook.nn import functional as F


def test_sign_ste_values_and_clipped_gradient():
    x = gb.tensor(np.array([-2.0, -1.0, -0.5, 0.0, 0.3, 1.0, 1.5]), requires_grad=True)
    y = binary.sign_ste(x)
    assert y.data.tolist() == [-1, -1, -1, 1, 1, 1, 1]
    g = np.arange(1.0, 8.0)
    (y * gb.tensor(g)).sum().backward()
    assert x.grad.data.tolist() == [0, 2, 3, 4, 5, 6, 0]


def test_binarize_keeps_first_and_last_layers_and_trains():
    rng = np.random.default_rng(2)
    model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 2))
    binary.binarize(model, "bwn")
    assert [type(m).__name__ for m in model] == ["Linear", "ReLU", "BinaryLinear", "ReLU", "Linear"]
    assert set(model.state_dict()) == {f"{i}.{p}" for i in (0, 2, 4) for p in ("weight", "bias")}
    x = rng.standard_normal((128, 4)).astype(np.float32)
    y = (x[:, 0] + x[:, 1] > 0).astype(np.int64)
    opt = optim.Adam(model.parameters(), lr=1e-2)
    losses = []
    for _ in range(60):
        opt.zero_grad()
        loss = F.cross_entropy(model(gb.tensor(x)), gb.tensor(y))
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]
    w = binary.binary_weight(model[2].weight, "bwn").data
    assert np.allclose(np.abs(w), np.abs(model[2].weight.data).mean(1, keepdims=True))


def test_xnor_layers_normalise_their_input_and_keep_the_state_dict_consistent():
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 2))
    binary.binarize(model, "xnor")
    assert {"2.input_norm.running_mean", "2.input_norm.weight"} <= set(model.state_dict())
    fresh = binary.binarize(nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 2)),
                            "xnor")
    fresh.load_state_dict(model.state_dict())
    x = gb.tensor(np.abs(np.random.default_rng(0).standard_normal((6, 4))).astype(np.float32))
    model(x)  # after a ReLU the inputs are >= 0, yet the signs the layer sees are mixed
    seen = model[2].input_norm(model[1](model[0](x))).data
    assert (seen > 0).any() and (seen < 0).any()


def test_bad_mode_and_nothing_to_binarise():
    with pytest.raises(ValueError, match="mode must be one of"):
        binary.binarize(nn.Sequential(nn.Linear(2, 2)), "ternary")
    with pytest.raises(ValueError, match="besides its first and last"):
        binary.binarize(nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 2)))
