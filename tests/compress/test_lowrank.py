"""Low-rank factorisation: the SVD error equals the discarded singular values (Eckart–Young, with
numpy's SVD as the reference), the factorised layers compute x W_rᵀ + b, Tucker-2 at full rank
is exact and within HOSVD's bound below it, and ranks out of range are refused by name."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import gradbook as gb
from gradbook import nn
from gradbook.compress import lowrank


@given(seed=st.integers(0, 10**6), shape=st.tuples(st.integers(2, 9), st.integers(2, 9)), data=st.data())
def test_svd_error_is_the_discarded_singular_values(seed, shape, data):
    rng = np.random.default_rng(seed)
    layer = nn.Linear(shape[1], shape[0], dtype=np.float64)
    layer.weight.data[...] = rng.standard_normal(shape)
    r = data.draw(st.integers(1, min(shape)))
    fac = lowrank.svd_linear(layer, rank=r)
    w_r = fac[1].weight.data @ fac[0].weight.data
    s = np.linalg.svd(layer.weight.data, compute_uv=False)
    err = layer.weight.data - w_r
    assert np.linalg.norm(err) ** 2 == pytest.approx((s[r:] ** 2).sum(), abs=1e-9)
    assert np.linalg.norm(err, 2) == pytest.approx(s[r] if r < len(s) else 0.0, abs=1e-9)
    x = rng.standard_normal((3, shape[1]))
    np.testing.assert_allclose(fac(gb.tensor(x)).data, x @ w_r.T + layer.bias.data, rtol=1e-10, atol=1e-12)


def test_energy_picks_the_smallest_rank_keeping_that_share():
    s = np.array([4.0, 2.0, 1.0, 1.0])  # s² = 16, 4, 1, 1 of 22
    assert lowrank.rank_for_energy(s, 16 / 22) == 1
    assert lowrank.rank_for_energy(s, 0.8) == 2
    assert lowrank.rank_for_energy(s, 21 / 22) == 3
    assert lowrank.rank_for_energy(s, 1.0) == 4


def test_tucker2_full_rank_is_exact_and_truncation_obeys_the_hosvd_bound():
    rng = np.random.default_rng(3)
    conv = nn.Conv2d(5, 6, 3, stride=2, padding=1, dtype=np.float64)
    conv.weight.data[...] = rng.standard_normal((6, 5, 3, 3))
    x = gb.tensor(rng.standard_normal((2, 5, 9, 9)))
    full = lowrank.tucker2_conv(conv, ranks=(5, 6))
    np.testing.assert_allclose(full(x).data, conv(x).data, rtol=1e-9, atol=1e-10)
    small = lowrank.tucker2_conv(conv, ranks=(2, 3))
    u_in = small[0].weight.data[:, :, 0, 0].T
    u_out = small[2].weight.data[:, :, 0, 0]
    w_hat = np.einsum("rsij,or,cs->ocij", small[1].weight.data, u_out, u_in)
    s_out = np.linalg.svd(conv.weight.data.reshape(6, -1), compute_uv=False)
    s_in = np.linalg.svd(conv.weight.data.transpose(1, 0, 2, 3).reshape(5, -1), compute_uv=False)
    err = ((conv.weight.data - w_hat) ** 2).sum()
    assert 0 < err <= (s_out[3:] ** 2).sum() + (s_in[2:] ** 2).sum() + 1e-9
    y = small(x).data
    assert y.shape == conv(x).data.shape


def test_factorize_by_energy_and_rebuild_from_the_plan():
    model = nn.Sequential(nn.Conv2d(3, 8, 3), nn.Flatten(), nn.Linear(8 * 4 * 4, 20), nn.Linear(20, 4))
    w = model[0].weight.data.astype(np.float64)
    r_in, r_out = (lowrank.rank_for_energy(np.linalg.svd(np.moveaxis(w, a, 0).reshape(w.shape[a], -1),
                                                         compute_uv=False), 0.9) for a in (1, 0))
    smaller = 3 * r_in + r_in * r_out * 9 + r_out * 8 < 8 * 3 * 9  # a layer is factorised only if it shrinks
    plan = lowrank.factorize(model, energy=0.9)
    assert ("0" in plan) == smaller and "2" in plan and plan["2"] < 20
    fresh = nn.Sequential(nn.Conv2d(3, 8, 3), nn.Flatten(), nn.Linear(8 * 4 * 4, 20), nn.Linear(20, 4))
    lowrank.factorize(fresh, plan)
    fresh.load_state_dict(model.state_dict())
    x = gb.tensor(np.random.default_rng(0).standard_normal((2, 3, 6, 6)).astype(np.float32))
    np.testing.assert_array_equal(fresh(x).data, model(x).data)


def test_bad_ranks_are_refused_naming_the_argument():
    with pytest.raises(ValueError, match=r"rank must be an int from 1 to 4.*got 5"):
        lowrank.svd_linear(nn.Linear(4, 6), rank=5)
    with pytest.raises(ValueError, match="exactly one of rank and energy"):
        lowrank.svd_linear(nn.Linear(4, 6))
    with pytest.raises(ValueError, match="energy must be"):
        lowrank.svd_linear(nn.Linear(4, 6), energy=1.5)
    with pytest.raises(ValueError, match=r"ranks\[0\] \(r_in\) must be an int from 1 to 3"):
        lowrank.tucker2_conv(nn.Conv2d(3, 4, 3), ranks=(4, 2))
    with pytest.raises(ValueError, match="groups=2"):
        lowrank.tucker2_conv(nn.Conv2d(4, 4, 3, groups=2), ranks=(2, 2))
    with pytest.raises(ValueError, match="no Linear or Conv2d layer named"):
        lowrank.factorize(nn.Sequential(nn.Linear(2, 2)), {"fc": 1})
